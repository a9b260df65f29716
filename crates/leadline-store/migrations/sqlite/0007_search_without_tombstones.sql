-- The search indexes no longer keep tombstones. `contentless_delete` let a trigger delete a row
-- from a contentless FTS5 table by its rowid alone, at the price of a tombstone list per segment
-- that every merge consults for every posting it copies (`fts5MultiIterIsDeleted` was the
-- fifth busiest function of a bulk import's writer). A trigger knows the text it indexed,
-- `old.search_text`, so it can remove a row with FTS5's own 'delete' command instead, which
-- takes the row's terms out of the index like any write. The index stays exactly what the
-- triggers put in: a row whose `search_text` is not empty, under its `search_key`.
--
-- `columnsize = 0`: nothing reads a row's token count (search is by term, never ranked), so
-- the per-row size table is not kept either.

-- contacts
DROP TRIGGER contacts_search_insert;
DROP TRIGGER contacts_search_update;
DROP TRIGGER contacts_search_delete;
DROP TABLE contacts_search;
CREATE VIRTUAL TABLE contacts_search USING fts5(
    terms, content = '', columnsize = 0, detail = none, tokenize = 'ascii', prefix = '1 2 3 4 5 6'
);
INSERT INTO contacts_search (contacts_search, rank) VALUES ('automerge', 16);
INSERT INTO contacts_search (rowid, terms) SELECT search_key, search_text FROM contacts WHERE search_text <> '';
CREATE TRIGGER contacts_search_insert AFTER INSERT ON contacts WHEN new.search_text <> '' BEGIN
    INSERT INTO contacts_search (rowid, terms) VALUES (new.search_key, new.search_text);
END;
CREATE TRIGGER contacts_search_update AFTER UPDATE OF search_text ON contacts
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO contacts_search (contacts_search, rowid, terms)
        SELECT 'delete', old.search_key, old.search_text WHERE old.search_text <> '';
    INSERT INTO contacts_search (rowid, terms) SELECT new.search_key, new.search_text WHERE new.search_text <> '';
END;
CREATE TRIGGER contacts_search_delete AFTER DELETE ON contacts WHEN old.search_text <> '' BEGIN
    INSERT INTO contacts_search (contacts_search, rowid, terms) VALUES ('delete', old.search_key, old.search_text);
END;

-- companies
DROP TRIGGER companies_search_insert;
DROP TRIGGER companies_search_update;
DROP TRIGGER companies_search_delete;
DROP TABLE companies_search;
CREATE VIRTUAL TABLE companies_search USING fts5(
    terms, content = '', columnsize = 0, detail = none, tokenize = 'ascii', prefix = '1 2 3 4 5 6'
);
INSERT INTO companies_search (companies_search, rank) VALUES ('automerge', 16);
INSERT INTO companies_search (rowid, terms) SELECT search_key, search_text FROM companies WHERE search_text <> '';
CREATE TRIGGER companies_search_insert AFTER INSERT ON companies WHEN new.search_text <> '' BEGIN
    INSERT INTO companies_search (rowid, terms) VALUES (new.search_key, new.search_text);
END;
CREATE TRIGGER companies_search_update AFTER UPDATE OF search_text ON companies
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO companies_search (companies_search, rowid, terms)
        SELECT 'delete', old.search_key, old.search_text WHERE old.search_text <> '';
    INSERT INTO companies_search (rowid, terms) SELECT new.search_key, new.search_text WHERE new.search_text <> '';
END;
CREATE TRIGGER companies_search_delete AFTER DELETE ON companies WHEN old.search_text <> '' BEGIN
    INSERT INTO companies_search (companies_search, rowid, terms) VALUES ('delete', old.search_key, old.search_text);
END;

-- deals
DROP TRIGGER deals_search_insert;
DROP TRIGGER deals_search_update;
DROP TRIGGER deals_search_delete;
DROP TABLE deals_search;
CREATE VIRTUAL TABLE deals_search USING fts5(
    terms, content = '', columnsize = 0, detail = none, tokenize = 'ascii', prefix = '1 2 3 4 5 6'
);
INSERT INTO deals_search (deals_search, rank) VALUES ('automerge', 16);
INSERT INTO deals_search (rowid, terms) SELECT search_key, search_text FROM deals WHERE search_text <> '';
CREATE TRIGGER deals_search_insert AFTER INSERT ON deals WHEN new.search_text <> '' BEGIN
    INSERT INTO deals_search (rowid, terms) VALUES (new.search_key, new.search_text);
END;
CREATE TRIGGER deals_search_update AFTER UPDATE OF search_text ON deals
WHEN old.search_text IS NOT new.search_text BEGIN
    INSERT INTO deals_search (deals_search, rowid, terms)
        SELECT 'delete', old.search_key, old.search_text WHERE old.search_text <> '';
    INSERT INTO deals_search (rowid, terms) SELECT new.search_key, new.search_text WHERE new.search_text <> '';
END;
CREATE TRIGGER deals_search_delete AFTER DELETE ON deals WHEN old.search_text <> '' BEGIN
    INSERT INTO deals_search (deals_search, rowid, terms) VALUES ('delete', old.search_key, old.search_text);
END;
