-- Leadline foundation schema (SQLite). Times are INTEGER milliseconds UTC; ids are TEXT UUIDv7.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT,
    role TEXT NOT NULL,
    password_hash TEXT,
    disabled INTEGER NOT NULL DEFAULT 0,
    locale TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    scope TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
);

CREATE TABLE properties (
    object TEXT NOT NULL,
    name TEXT NOT NULL,
    label TEXT NOT NULL,
    kind TEXT NOT NULL,
    options TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL,
    PRIMARY KEY (object, name)
);

CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
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
    updated_at INTEGER NOT NULL
);
CREATE INDEX contacts_created ON contacts (created_at, id);
CREATE INDEX contacts_updated ON contacts (updated_at, id);
CREATE INDEX contacts_owner ON contacts (owner_id, created_at, id) WHERE owner_id IS NOT NULL;
-- Filtered lists page newest first: each filter index ends with (created_at, id), the sort.
CREATE INDEX contacts_stage ON contacts (lifecycle_stage, created_at, id);
CREATE INDEX contacts_company ON contacts (company_id, created_at, id) WHERE company_id IS NOT NULL;
CREATE INDEX contacts_country ON contacts (country, created_at, id);
CREATE INDEX contacts_source_list ON contacts (source_list, created_at, id) WHERE source_list IS NOT NULL;
-- Sparse columns get partial indexes: they cost nothing for the rows that lack them.
CREATE INDEX contacts_merged ON contacts (merged_into) WHERE merged_into IS NOT NULL;

-- e-mails, phones and external ids: each names exactly one contact.
CREATE TABLE contact_identities (
    key TEXT PRIMARY KEY,
    contact_id TEXT NOT NULL,
    position INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX contact_identities_contact ON contact_identities (contact_id);

CREATE TABLE companies (
    id TEXT PRIMARY KEY,
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
    updated_at INTEGER NOT NULL
);
CREATE INDEX companies_created ON companies (created_at, id);
CREATE INDEX companies_owner ON companies (owner_id) WHERE owner_id IS NOT NULL;

CREATE TABLE contact_companies (
    contact_id TEXT NOT NULL,
    company_id TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (contact_id, company_id)
);
CREATE INDEX contact_companies_company ON contact_companies (company_id);

-- Folded search terms of contacts, companies and deals; a prefix search is a range scan.
CREATE TABLE search_terms (
    object TEXT NOT NULL,
    term TEXT NOT NULL,
    record_id TEXT NOT NULL,
    PRIMARY KEY (object, term, record_id)
) WITHOUT ROWID;
CREATE INDEX search_terms_record ON search_terms (record_id);

CREATE TABLE deals (
    id TEXT PRIMARY KEY,
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
    updated_at INTEGER NOT NULL
);
CREATE INDEX deals_created ON deals (created_at, id);
CREATE INDEX deals_company ON deals (company_id);
CREATE INDEX deals_owner ON deals (owner_id);
CREATE INDEX deals_stage ON deals (pipeline, stage);

CREATE TABLE deal_contacts (
    deal_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    PRIMARY KEY (deal_id, contact_id)
);
CREATE INDEX deal_contacts_contact ON deal_contacts (contact_id);

-- The append-only event log. seq is monotonic: a consumer resumes from the last seq it saw.
CREATE TABLE activities (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    idempotency_key TEXT UNIQUE,
    type TEXT NOT NULL,
    occurred_at INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL,
    contact_id TEXT,
    company_id TEXT,
    deal_id TEXT,
    channel TEXT,
    campaign TEXT,
    source TEXT,
    actor_id TEXT,
    properties TEXT NOT NULL DEFAULT '{}',
    merged_from TEXT
);
CREATE INDEX activities_contact ON activities (contact_id, occurred_at);
CREATE INDEX activities_company ON activities (company_id, occurred_at);
CREATE INDEX activities_deal ON activities (deal_id, occurred_at);
CREATE INDEX activities_merged_from ON activities (merged_from) WHERE merged_from IS NOT NULL;

CREATE TABLE tasks (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    body TEXT,
    due_at INTEGER,
    assignee_id TEXT,
    contact_id TEXT,
    company_id TEXT,
    deal_id TEXT,
    done_at INTEGER,
    created_by TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX tasks_assignee ON tasks (assignee_id, done_at, due_at);
CREATE INDEX tasks_contact ON tasks (contact_id);

-- Every stage, status and owner change: from, to, when, why, who.
CREATE TABLE field_history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    object TEXT NOT NULL,
    object_id TEXT NOT NULL,
    field TEXT NOT NULL,
    from_value TEXT,
    to_value TEXT,
    at INTEGER NOT NULL,
    cause TEXT NOT NULL,
    actor_id TEXT
);
CREATE INDEX field_history_object ON field_history (object_id, seq);

CREATE TABLE merges (
    id TEXT PRIMARY KEY,
    object TEXT NOT NULL,
    survivor_id TEXT NOT NULL,
    merged_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    actor_id TEXT,
    detail TEXT NOT NULL,
    undone_at INTEGER
);
CREATE INDEX merges_survivor ON merges (survivor_id);
CREATE INDEX merges_merged ON merges (merged_id);

CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    params TEXT NOT NULL,
    created_by TEXT,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    total INTEGER NOT NULL DEFAULT 0,
    processed INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    merged INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    error TEXT
);
CREATE INDEX jobs_created ON jobs (created_at);

CREATE TABLE job_rejects (
    job_id TEXT NOT NULL,
    line INTEGER NOT NULL,
    field TEXT,
    reason TEXT NOT NULL,
    raw TEXT NOT NULL,
    PRIMARY KEY (job_id, line)
);
