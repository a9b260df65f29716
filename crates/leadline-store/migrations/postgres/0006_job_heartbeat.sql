-- A job's owner touches it while the job waits or runs, so a job whose process died (a crash,
-- a restart mid-import) can be told from one still at work and marked failed rather than
-- left "running" for ever.
ALTER TABLE jobs ADD COLUMN heartbeat_at BIGINT
