-- Funnels kept by name: the ready-made marketing and sales funnels once their steps are mapped
-- to other activity types, and any other a team saves. The definition is the API's JSON.
CREATE TABLE saved_funnels (
    key TEXT PRIMARY KEY,
    definition TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
