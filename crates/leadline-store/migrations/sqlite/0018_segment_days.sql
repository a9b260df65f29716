-- How many contacts entered and left each segment each day (UTC): written with the membership
-- changes themselves, so a segment's history is read from a few rows, not from the log.
CREATE TABLE segment_days (
    segment_id TEXT NOT NULL,
    day INTEGER NOT NULL,
    entered INTEGER NOT NULL,
    exited INTEGER NOT NULL,
    PRIMARY KEY (segment_id, day)
) WITHOUT ROWID;
