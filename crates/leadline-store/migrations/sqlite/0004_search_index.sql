-- Search moves from a table of term rows to SQLite's full-text index (FTS5).
--
-- Each record keeps its folded search terms in `search_text`, space-separated, and the index is
-- built from that column by triggers, so a write only ever sets a column. The index is an FTS5
-- table per object: contentless (it stores no copy of the text), `detail=none` (no positions:
-- search is by term prefix, never by phrase), the ascii tokenizer (the terms are folded
-- already; ASCII punctuation separates them and every other character belongs to a term), and
-- prefix indexes for the first one to six characters: a prefix longer than the longest one
-- indexed makes FTS5 merge the postings of every term it starts, which for a common name
-- typed halfway ("giul") took 20 ms at a million contacts; from a prefix index it is 0.2 ms.
-- FTS5 keeps a statement's new terms in memory and writes them as one sorted segment, which
-- is why the store writes rows with multi-row statements.
--
-- An FTS5 row is found by an integer, so each table gets an integer key, `search_key`, as its
-- rowid alias (a plain rowid may change under VACUUM). SQLite cannot add a primary key to a
-- table, so the tables are rebuilt, keeping every column and index.

-- contacts
CREATE TABLE contacts_rebuilt (
    search_key INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    first_name TEXT,
    last_name TEXT,
    display_name TEXT,
    job_title TEXT,
    company_name TEXT,
    company_id TEXT,
    country TEXT,
    language TEXT,
    owner_id TEXT,
    source TEXT,
    original_source TEXT,
    source_campaign TEXT,
    source_list TEXT,
    lifecycle_stage TEXT,
    lead_status TEXT,
    disqualification_reason TEXT,
    properties TEXT NOT NULL DEFAULT '{}',
    tags TEXT NOT NULL DEFAULT '[]',
    consent TEXT NOT NULL DEFAULT '[]',
    merged_into TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    search_text TEXT NOT NULL DEFAULT ''
);
INSERT INTO contacts_rebuilt (id, first_name, last_name, display_name, job_title, company_name, company_id, country, language, owner_id, source, original_source, source_campaign, source_list, lifecycle_stage, lead_status, disqualification_reason, properties, tags, consent, merged_into, created_at, updated_at, search_text)
SELECT r.id, r.first_name, r.last_name, r.display_name, r.job_title, r.company_name, r.company_id, r.country, r.language, r.owner_id, r.source, r.original_source, r.source_campaign, r.source_list, r.lifecycle_stage, r.lead_status, r.disqualification_reason, r.properties, r.tags, r.consent, r.merged_into, r.created_at, r.updated_at,
    COALESCE((SELECT group_concat(term, ' ') FROM search_terms s WHERE s.object = 'contact' AND s.record_id = r.id), '')
FROM contacts r ORDER BY r.created_at, r.id;
DROP TABLE contacts;
ALTER TABLE contacts_rebuilt RENAME TO contacts;
CREATE INDEX contacts_created ON contacts (created_at, id);
CREATE INDEX contacts_updated ON contacts (updated_at, id);
CREATE INDEX contacts_owner ON contacts (owner_id, created_at, id) WHERE owner_id IS NOT NULL;
CREATE INDEX contacts_stage ON contacts (lifecycle_stage, created_at, id);
CREATE INDEX contacts_company ON contacts (company_id, created_at, id) WHERE company_id IS NOT NULL;
CREATE INDEX contacts_country ON contacts (country, created_at, id);
CREATE INDEX contacts_source_list ON contacts (source_list, created_at, id) WHERE source_list IS NOT NULL;
CREATE INDEX contacts_merged ON contacts (merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX contacts_sort_last_name ON contacts (COALESCE(last_name, ''), id);
CREATE VIRTUAL TABLE contacts_search USING fts5(
    terms, content = '', contentless_delete = 1, detail = none, tokenize = 'ascii', prefix = '1 2 3 4 5 6'
);
INSERT INTO contacts_search (rowid, terms) SELECT search_key, search_text FROM contacts WHERE search_text <> '';
CREATE TRIGGER contacts_search_insert AFTER INSERT ON contacts WHEN new.search_text <> '' BEGIN
    INSERT INTO contacts_search (rowid, terms) VALUES (new.search_key, new.search_text);
END;
CREATE TRIGGER contacts_search_update AFTER UPDATE OF search_text ON contacts
WHEN old.search_text IS NOT new.search_text BEGIN
    DELETE FROM contacts_search WHERE rowid = old.search_key;
    INSERT INTO contacts_search (rowid, terms) SELECT new.search_key, new.search_text WHERE new.search_text <> '';
END;
CREATE TRIGGER contacts_search_delete AFTER DELETE ON contacts BEGIN
    DELETE FROM contacts_search WHERE rowid = old.search_key;
END;

-- companies
CREATE TABLE companies_rebuilt (
    search_key INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT,
    domain TEXT UNIQUE,
    industry TEXT,
    employee_count INTEGER,
    annual_revenue INTEGER,
    currency TEXT,
    country TEXT,
    owner_id TEXT,
    tier TEXT,
    properties TEXT NOT NULL DEFAULT '{}',
    external_ids TEXT NOT NULL DEFAULT '[]',
    merged_into TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    search_text TEXT NOT NULL DEFAULT ''
);
INSERT INTO companies_rebuilt (id, name, domain, industry, employee_count, annual_revenue, currency, country, owner_id, tier, properties, external_ids, merged_into, created_at, updated_at, search_text)
SELECT r.id, r.name, r.domain, r.industry, r.employee_count, r.annual_revenue, r.currency, r.country, r.owner_id, r.tier, r.properties, r.external_ids, r.merged_into, r.created_at, r.updated_at,
    COALESCE((SELECT group_concat(term, ' ') FROM search_terms s WHERE s.object = 'company' AND s.record_id = r.id), '')
FROM companies r ORDER BY r.created_at, r.id;
DROP TABLE companies;
ALTER TABLE companies_rebuilt RENAME TO companies;
CREATE INDEX companies_created ON companies (created_at, id);
CREATE INDEX companies_owner ON companies (owner_id) WHERE owner_id IS NOT NULL;
CREATE INDEX companies_sort_name ON companies (COALESCE(name, ''), id);
CREATE VIRTUAL TABLE companies_search USING fts5(
    terms, content = '', contentless_delete = 1, detail = none, tokenize = 'ascii', prefix = '1 2 3 4 5 6'
);
INSERT INTO companies_search (rowid, terms) SELECT search_key, search_text FROM companies WHERE search_text <> '';
CREATE TRIGGER companies_search_insert AFTER INSERT ON companies WHEN new.search_text <> '' BEGIN
    INSERT INTO companies_search (rowid, terms) VALUES (new.search_key, new.search_text);
END;
CREATE TRIGGER companies_search_update AFTER UPDATE OF search_text ON companies
WHEN old.search_text IS NOT new.search_text BEGIN
    DELETE FROM companies_search WHERE rowid = old.search_key;
    INSERT INTO companies_search (rowid, terms) SELECT new.search_key, new.search_text WHERE new.search_text <> '';
END;
CREATE TRIGGER companies_search_delete AFTER DELETE ON companies BEGIN
    DELETE FROM companies_search WHERE rowid = old.search_key;
END;

-- deals
CREATE TABLE deals_rebuilt (
    search_key INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT,
    pipeline TEXT,
    stage TEXT,
    amount INTEGER,
    currency TEXT,
    close_date TEXT,
    owner_id TEXT,
    company_id TEXT,
    status TEXT,
    lost_reason TEXT,
    closed_at INTEGER,
    properties TEXT NOT NULL DEFAULT '{}',
    merged_into TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    search_text TEXT NOT NULL DEFAULT ''
);
INSERT INTO deals_rebuilt (id, name, pipeline, stage, amount, currency, close_date, owner_id, company_id, status, lost_reason, closed_at, properties, merged_into, created_at, updated_at, search_text)
SELECT r.id, r.name, r.pipeline, r.stage, r.amount, r.currency, r.close_date, r.owner_id, r.company_id, r.status, r.lost_reason, r.closed_at, r.properties, r.merged_into, r.created_at, r.updated_at,
    COALESCE((SELECT group_concat(term, ' ') FROM search_terms s WHERE s.object = 'deal' AND s.record_id = r.id), '')
FROM deals r ORDER BY r.created_at, r.id;
DROP TABLE deals;
ALTER TABLE deals_rebuilt RENAME TO deals;
CREATE INDEX deals_created ON deals (created_at, id);
CREATE INDEX deals_company ON deals (company_id);
CREATE INDEX deals_owner ON deals (owner_id);
CREATE INDEX deals_stage ON deals (pipeline, stage);
CREATE INDEX deals_sort_name ON deals (COALESCE(name, ''), id);
CREATE INDEX deals_sort_close_date ON deals (COALESCE(close_date, ''), id);
CREATE INDEX deals_sort_amount ON deals (COALESCE(amount, -1), id);
CREATE VIRTUAL TABLE deals_search USING fts5(
    terms, content = '', contentless_delete = 1, detail = none, tokenize = 'ascii', prefix = '1 2 3 4 5 6'
);
INSERT INTO deals_search (rowid, terms) SELECT search_key, search_text FROM deals WHERE search_text <> '';
CREATE TRIGGER deals_search_insert AFTER INSERT ON deals WHEN new.search_text <> '' BEGIN
    INSERT INTO deals_search (rowid, terms) VALUES (new.search_key, new.search_text);
END;
CREATE TRIGGER deals_search_update AFTER UPDATE OF search_text ON deals
WHEN old.search_text IS NOT new.search_text BEGIN
    DELETE FROM deals_search WHERE rowid = old.search_key;
    INSERT INTO deals_search (rowid, terms) SELECT new.search_key, new.search_text WHERE new.search_text <> '';
END;
CREATE TRIGGER deals_search_delete AFTER DELETE ON deals BEGIN
    DELETE FROM deals_search WHERE rowid = old.search_key;
END;

DROP TABLE search_terms;
