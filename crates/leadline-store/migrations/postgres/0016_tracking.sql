-- Tracking: sites that send events (a write key each), the inbox that acknowledged events are
-- kept in before they are read (deduplicated by message id), the visitors (an anonymous id on
-- a site, and the contact it turned out to be), and where each contact first and latest came
-- from.
CREATE TABLE sites (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    write_key TEXT NOT NULL UNIQUE,
    allowed_origins TEXT NOT NULL DEFAULT '[]',
    require_consent BIGINT NOT NULL DEFAULT 0,
    honor_dnt BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE track_inbox (
    seq BIGSERIAL PRIMARY KEY,
    site_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    body TEXT NOT NULL
);
CREATE UNIQUE INDEX track_inbox_message ON track_inbox (site_id, message_id);

CREATE TABLE visitors (
    id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL,
    anonymous_id TEXT NOT NULL,
    contact_id TEXT,
    first_seen BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    first_touch TEXT,
    latest_touch TEXT,
    UNIQUE (site_id, anonymous_id)
);
CREATE INDEX visitors_contact ON visitors (contact_id) WHERE contact_id IS NOT NULL;

ALTER TABLE activities ADD COLUMN visitor_id TEXT;
CREATE INDEX activities_visitor ON activities (visitor_id) WHERE visitor_id IS NOT NULL;

ALTER TABLE contacts ADD COLUMN latest_source TEXT;
ALTER TABLE contacts ADD COLUMN first_touch_at BIGINT;
ALTER TABLE contacts ADD COLUMN first_touch_source TEXT;
ALTER TABLE contacts ADD COLUMN first_touch_medium TEXT;
ALTER TABLE contacts ADD COLUMN first_touch_campaign TEXT;
ALTER TABLE contacts ADD COLUMN first_touch_referrer TEXT;
ALTER TABLE contacts ADD COLUMN latest_touch_at BIGINT;
ALTER TABLE contacts ADD COLUMN latest_touch_source TEXT;
ALTER TABLE contacts ADD COLUMN latest_touch_medium TEXT;
ALTER TABLE contacts ADD COLUMN latest_touch_campaign TEXT;
ALTER TABLE contacts ADD COLUMN latest_touch_referrer TEXT;
