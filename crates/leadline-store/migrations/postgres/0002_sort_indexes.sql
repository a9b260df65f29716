-- Lists sorted by name (and deals by close date or amount) stay an index walk at any size.
-- The expressions are the store's sort expressions: a missing value sorts as '' or -1.
CREATE INDEX contacts_sort_last_name ON contacts ((COALESCE(last_name, '')), id);
CREATE INDEX companies_sort_name ON companies ((COALESCE(name, '')), id);
CREATE INDEX deals_sort_name ON deals ((COALESCE(name, '')), id);
CREATE INDEX deals_sort_close_date ON deals ((COALESCE(close_date, '')), id);
CREATE INDEX deals_sort_amount ON deals ((COALESCE(amount, -1)), id);
