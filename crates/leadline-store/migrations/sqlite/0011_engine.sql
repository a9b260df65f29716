-- The engine: what it last decided for each contact (scores and categories, the stage it set,
-- segment membership), and how far each engine has read the activity log, under a lease so
-- that of several servers one applies each event, and another takes over when it stops.
CREATE TABLE contact_state (
    contact_id TEXT PRIMARY KEY,
    scores TEXT NOT NULL,
    segments TEXT NOT NULL,
    stage TEXT,
    decided_at INTEGER NOT NULL
);

CREATE TABLE engine_progress (
    name TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    holder TEXT,
    lease_until INTEGER NOT NULL
)
