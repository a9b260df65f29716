-- Forms (hosted at /f/{slug}; what they ask is the server's JSON body), and how often each
-- form or page was seen, clicked and submitted each day (UTC), per variant.
CREATE TABLE forms (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    site_id TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE conversion_days (
    object_id TEXT NOT NULL,
    variant TEXT NOT NULL,
    day INTEGER NOT NULL,
    views INTEGER NOT NULL DEFAULT 0,
    clicks INTEGER NOT NULL DEFAULT 0,
    submissions INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (object_id, variant, day)
);
