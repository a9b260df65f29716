-- An import can be taken back: every record it writes is journalled with what it was before
-- (NULL: the import created it) and the time of the write, which is the record's updated_at
-- for as long as nothing else touches it.
CREATE TABLE import_writes (
    seq INTEGER PRIMARY KEY,
    job_id TEXT NOT NULL,
    object TEXT NOT NULL,
    record_id TEXT NOT NULL,
    written_at INTEGER NOT NULL,
    before TEXT
);
CREATE INDEX import_writes_job ON import_writes (job_id, seq);

ALTER TABLE jobs ADD COLUMN undone_at INTEGER;
