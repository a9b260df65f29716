-- Each contact's scores as the engine last decided them, a row per model, rounded: what lists
-- filter and sort on (`contact_state.scores` keeps the engine's exact values).
CREATE TABLE contact_scores (
    contact_id TEXT NOT NULL,
    model TEXT NOT NULL,
    score BIGINT NOT NULL,
    category TEXT,
    PRIMARY KEY (contact_id, model)
);
CREATE INDEX contact_scores_model ON contact_scores (model, score, contact_id);

INSERT INTO contact_scores (contact_id, model, score, category)
SELECT s.contact_id, j.value ->> 0, round((j.value ->> 1)::float8)::bigint, j.value ->> 2
FROM contact_state s, jsonb_array_elements(s.scores::jsonb) j
;

-- Contacts to decide again because their fields, links, deals or company changed (the
-- activity log brings the rest), marked in the transaction that changed them.
CREATE TABLE engine_dirty (
    contact_id TEXT PRIMARY KEY,
    mark TEXT NOT NULL
)
