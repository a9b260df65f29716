-- Data you can trust: shared phones and possible duplicates, import warnings and addresses.

-- A phone may be shared (an office switchboard, a family line): an e-mail or an external id
-- names one contact, a phone may belong to several. The table's key becomes (key, contact)
-- and a partial unique index keeps every other kind of key to one contact.
CREATE TABLE contact_identities_shared (
    key TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (key, contact_id)
) WITHOUT ROWID;
INSERT INTO contact_identities_shared (key, contact_id, position) SELECT key, contact_id, position FROM contact_identities ORDER BY key;
DROP TABLE contact_identities;
ALTER TABLE contact_identities_shared RENAME TO contact_identities;
CREATE UNIQUE INDEX contact_identities_unique ON contact_identities (key) WHERE substr(key, 1, 6) <> 'phone:';
CREATE INDEX contact_identities_contact ON contact_identities (contact_id, position);

-- Pairs of contacts that look like one person (a shared phone, the same name), for a person to
-- merge or dismiss. One row per pair, the smaller id first; a dismissed pair is not raised again.
CREATE TABLE duplicate_candidates (
    id TEXT PRIMARY KEY,
    contact_a TEXT NOT NULL,
    contact_b TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL,
    source TEXT NOT NULL,
    found_at INTEGER NOT NULL,
    resolved_at INTEGER,
    resolved_by TEXT,
    merge_id TEXT,
    UNIQUE (contact_a, contact_b)
);
CREATE INDEX duplicate_candidates_status ON duplicate_candidates (status, found_at, id);
CREATE INDEX duplicate_candidates_b ON duplicate_candidates (contact_b);
CREATE INDEX duplicate_candidates_merge ON duplicate_candidates (merge_id) WHERE merge_id IS NOT NULL;

ALTER TABLE jobs ADD COLUMN possible_duplicates INTEGER NOT NULL DEFAULT 0;

-- Values an import left out of the rows it kept (a country it does not know, a phone it cannot
-- read), each with its line, column and reason.
ALTER TABLE jobs ADD COLUMN warnings INTEGER NOT NULL DEFAULT 0;
CREATE TABLE job_warnings (
    job_id TEXT NOT NULL,
    line INTEGER NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (job_id, line, field, value)
);

-- Where a contact or company is, as exports give it: region (state, province, voivodeship),
-- city and postal code.
ALTER TABLE contacts ADD COLUMN region TEXT;
ALTER TABLE contacts ADD COLUMN city TEXT;
ALTER TABLE contacts ADD COLUMN postal_code TEXT;
ALTER TABLE companies ADD COLUMN region TEXT;
ALTER TABLE companies ADD COLUMN city TEXT;
ALTER TABLE companies ADD COLUMN postal_code TEXT
