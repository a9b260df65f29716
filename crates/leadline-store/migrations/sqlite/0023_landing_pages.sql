-- Landing pages hosted at /p/{slug}: blocks, an optional B variant (the server's JSON body);
-- their views, clicks and submissions per variant are in conversion_days.
CREATE TABLE landing_pages (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    site_id TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
