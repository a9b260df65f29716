-- A contact's primary company is found through its link row, not an index on the column.
--
-- `contacts_company` put every new contact into an index ordered by company, a random key:
-- at a million contacts an import batch dirtied pages all over it, and it cost a fifth of
-- the import's database time (bench/sqlite_floor.py). `contact_companies_company` already
-- orders the same contacts by company, since a contact's primary company is always among
-- its links; a company filter, a company merge and a company delete now go through it.
--
-- The links are made whole first, so that what the index answered the links answer too.
INSERT INTO contact_companies (contact_id, company_id, role, created_at)
SELECT id, company_id, 'other', created_at FROM contacts WHERE company_id IS NOT NULL
ON CONFLICT DO NOTHING;
DROP INDEX contacts_company;
