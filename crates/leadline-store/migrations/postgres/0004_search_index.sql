-- Search moves from a table of term rows to a tsvector under a GIN index.
--
-- Each record keeps its folded search terms in `search_text`, space-separated (the same column
-- as on SQLite, so `store copy` carries it across), and PostgreSQL derives the indexed
-- `search` vector from it: the terms are lexemes as they are, with no parser or dictionary in
-- between. A query term is a prefix lexeme ('anna':*), which GIN answers by partial match.

ALTER TABLE contacts ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE contacts r SET search_text = s.terms
FROM (SELECT record_id, string_agg(term, ' ' ORDER BY term) AS terms FROM search_terms WHERE object = 'contact' GROUP BY record_id) s
WHERE r.id = s.record_id;
ALTER TABLE contacts ADD COLUMN search tsvector GENERATED ALWAYS AS (array_to_tsvector(string_to_array(search_text, ' '))) STORED;
CREATE INDEX contacts_search ON contacts USING gin (search);

ALTER TABLE companies ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE companies r SET search_text = s.terms
FROM (SELECT record_id, string_agg(term, ' ' ORDER BY term) AS terms FROM search_terms WHERE object = 'company' GROUP BY record_id) s
WHERE r.id = s.record_id;
ALTER TABLE companies ADD COLUMN search tsvector GENERATED ALWAYS AS (array_to_tsvector(string_to_array(search_text, ' '))) STORED;
CREATE INDEX companies_search ON companies USING gin (search);

ALTER TABLE deals ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE deals r SET search_text = s.terms
FROM (SELECT record_id, string_agg(term, ' ' ORDER BY term) AS terms FROM search_terms WHERE object = 'deal' GROUP BY record_id) s
WHERE r.id = s.record_id;
ALTER TABLE deals ADD COLUMN search tsvector GENERATED ALWAYS AS (array_to_tsvector(string_to_array(search_text, ' '))) STORED;
CREATE INDEX deals_search ON deals USING gin (search);

DROP TABLE search_terms;
