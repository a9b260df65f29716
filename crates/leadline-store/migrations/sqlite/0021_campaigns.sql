-- Campaigns: a channel, dates, a budget, and what maps contacts to them (the utm_campaign of
-- their touches, the source list of their import); and what each cost per day.
CREATE TABLE campaigns (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    channel TEXT NOT NULL,
    utm_campaign TEXT,
    source_list TEXT,
    starts_on TEXT,
    ends_on TEXT,
    budget INTEGER,
    currency TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX campaigns_utm ON campaigns (utm_campaign) WHERE utm_campaign IS NOT NULL;
CREATE UNIQUE INDEX campaigns_list ON campaigns (source_list) WHERE source_list IS NOT NULL;

CREATE TABLE campaign_spend (
    campaign_id TEXT NOT NULL,
    day TEXT NOT NULL,
    amount INTEGER NOT NULL,
    PRIMARY KEY (campaign_id, day)
);

CREATE INDEX contacts_first_touch_campaign ON contacts (first_touch_campaign) WHERE first_touch_campaign IS NOT NULL;
CREATE INDEX field_history_field_at ON field_history (field, at);
