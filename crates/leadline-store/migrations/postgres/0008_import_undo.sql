-- An import can be taken back. The records an import updates are journalled one by one, with
-- what each write replaced (`before`) and its time, which is the record's updated_at for as
-- long as nothing else touches it; the records it creates are journalled a batch at a time (the
-- ids, space-separated), as a row per record cost the import a twentieth of its speed.
CREATE TABLE import_writes (
    seq BIGSERIAL PRIMARY KEY,
    job_id TEXT NOT NULL,
    object TEXT NOT NULL,
    record_id TEXT NOT NULL,
    written_at BIGINT NOT NULL,
    before TEXT NOT NULL
);
CREATE INDEX import_writes_job ON import_writes (job_id, seq);

CREATE TABLE import_created (
    seq BIGSERIAL PRIMARY KEY,
    job_id TEXT NOT NULL,
    object TEXT NOT NULL,
    written_at BIGINT NOT NULL,
    ids TEXT NOT NULL
);
CREATE INDEX import_created_job ON import_created (job_id, seq);

ALTER TABLE jobs ADD COLUMN undone_at BIGINT;

-- What a running job is doing besides its rows ("analyzing" after a large import).
ALTER TABLE jobs ADD COLUMN phase TEXT
