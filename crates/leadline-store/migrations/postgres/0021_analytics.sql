-- The analytics engine keeps people's events in memory and follows the activity log as it grows.
-- An activity that changes hands or goes away (a merge, an unmerge, a deletion, a visitor
-- unlinked from a contact) cannot be followed that way: each such change counts here, and the
-- engine reads the log again when the count moved.
CREATE TABLE activity_epoch (id INTEGER PRIMARY KEY, epoch BIGINT NOT NULL);
INSERT INTO activity_epoch (id, epoch) VALUES (1, 0);
