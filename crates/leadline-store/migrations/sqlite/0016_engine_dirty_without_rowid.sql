-- The engine's marks are written by every import, a row per contact: kept in the primary key's
-- own B-tree (no rowid table beside it), one insert each instead of two.
CREATE TABLE engine_dirty_keyed (
    contact_id TEXT PRIMARY KEY,
    mark TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO engine_dirty_keyed (contact_id, mark) SELECT contact_id, mark FROM engine_dirty;
DROP TABLE engine_dirty;
ALTER TABLE engine_dirty_keyed RENAME TO engine_dirty
