-- Routing: the assignment rules (a JSON list, tried in order) and the time a rep has for the
-- first touch; the users who take leads, with their team, share, limit, absence and turn; and
-- each routed contact's current assignment (the timeline keeps every one).
CREATE TABLE routing_settings (
    id INTEGER PRIMARY KEY,
    rules TEXT NOT NULL,
    sla_minutes INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE TABLE routing_members (
    user_id TEXT PRIMARY KEY,
    team TEXT NOT NULL,
    weight INTEGER NOT NULL,
    max_open INTEGER,
    away_until INTEGER,
    assigned INTEGER NOT NULL
);

CREATE TABLE lead_assignments (
    contact_id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL,
    assigned_at INTEGER NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX lead_assignments_owner ON lead_assignments (owner_id, assigned_at)
