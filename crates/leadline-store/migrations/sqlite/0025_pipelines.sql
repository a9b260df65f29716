-- Pipelines: each a key, its place among the others and its definition (stages with their
-- probability, forecast category, required fields and rotting threshold) as JSON. None saved
-- means the defaults of leadline_core::pipeline.
CREATE TABLE pipelines (
    key TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    definition TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Deals: why a deal was won, its own forecast category, and since when it is in its stage.
ALTER TABLE deals ADD COLUMN won_reason TEXT;
ALTER TABLE deals ADD COLUMN forecast_category TEXT;
ALTER TABLE deals ADD COLUMN stage_entered_at BIGINT;
UPDATE deals SET stage_entered_at = COALESCE(
    (SELECT MAX(h.at) FROM field_history h WHERE h.object_id = deals.id AND h.field = 'stage'),
    created_at);
CREATE INDEX deals_close ON deals (close_date);

-- What one unit of a currency is worth in the workspace currency, from a day on.
CREATE TABLE currency_rates (
    currency TEXT NOT NULL,
    day TEXT NOT NULL,
    rate REAL NOT NULL,
    PRIMARY KEY (currency, day)
);

-- Goals per month (YYYY-MM) for the whole team (owner_id '') or one owner, workspace currency.
CREATE TABLE forecast_goals (
    month TEXT NOT NULL,
    owner_id TEXT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (month, owner_id)
);

-- What the dashboard reads: deals closed in a period (contacts reaching a stage in one are
-- found by field_history_field_at).
CREATE INDEX deals_closed ON deals (closed_at);
