-- FTS5 merges an index's segments as it writes: with the default `automerge` of 4 it merges
-- as soon as four segments of a size pile up, so a bulk import spends much of its time
-- rewriting the same terms. At 16 a write merges a quarter as often, for a search that may
-- read more segments (measured with bench/sqlite_floor.py: the schema's load rate rose by
-- an eighth; search figures are in the README).
INSERT INTO contacts_search (contacts_search, rank) VALUES ('automerge', 16);
INSERT INTO companies_search (companies_search, rank) VALUES ('automerge', 16);
INSERT INTO deals_search (deals_search, rank) VALUES ('automerge', 16);
