-- Segments: a condition of the rule language, and the contacts that meet it now, kept by the
-- engine as events come (and, after a segment is made or changed, by a rescan of every contact).
CREATE TABLE segments (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    condition TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE segment_members (
    segment_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    since BIGINT NOT NULL,
    PRIMARY KEY (segment_id, contact_id)
);
CREATE INDEX segment_members_contact ON segment_members (contact_id);

-- Where the engine's rescan of every contact has got to: NULL when none is asked for, '' to
-- start from the first contact.
ALTER TABLE engine_progress ADD COLUMN rescan_after TEXT
