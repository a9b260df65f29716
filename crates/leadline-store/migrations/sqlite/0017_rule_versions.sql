-- The engine's rules (score models and lifecycle rules) as people set them: every version
-- kept, the newest applied. No row: the rules a fresh install ships.
CREATE TABLE rule_versions (
    version INTEGER PRIMARY KEY,
    body TEXT NOT NULL,
    note TEXT,
    created_by TEXT,
    created_at INTEGER NOT NULL
);
