-- A record is read with its e-mails and phones in order (a JSON array subquery). Indexed by
-- (contact_id, position) and covering the key, that subquery is an index-only range read.
DROP INDEX contact_identities_contact;
CREATE INDEX contact_identities_contact ON contact_identities (contact_id, position) INCLUDE (key);
