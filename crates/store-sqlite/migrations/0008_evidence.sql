-- Feedback and research: a product's target segments and its insights, linked to the features
-- (work items of the product) they support. Encodings as in 0001.
--
-- A product with segments or insights cannot vanish (RESTRICT), nor can a segment an insight
-- names or a work item an insight supports. An insight's links are its own rows and CASCADE with
-- it; `position` keeps the order they were given in.

CREATE TABLE segments (
    id          TEXT PRIMARY KEY NOT NULL,
    product_id  TEXT NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- Lower-case name: unique per product, so the CSV import can name segments.
    name_key    TEXT NOT NULL,
    description TEXT NOT NULL,
    weight      REAL NOT NULL CHECK (weight > 0 AND weight <= 10),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL CHECK (version >= 1),
    UNIQUE (product_id, name_key)
);

CREATE TABLE insights (
    id               TEXT PRIMARY KEY NOT NULL,
    product_id       TEXT NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
    source           TEXT NOT NULL CHECK (source IN ('interview', 'survey', 'usability', 'support_ticket',
                                                     'sales_call')),
    source_reference TEXT NOT NULL,
    customer         TEXT NOT NULL CHECK (length(customer) BETWEEN 1 AND 200),
    segment_id       TEXT REFERENCES segments (id) ON DELETE RESTRICT,
    date             TEXT NOT NULL CHECK (length(date) = 10),
    quote            TEXT NOT NULL CHECK (length(quote) >= 1),
    importance       TEXT NOT NULL CHECK (importance IN ('nice_to_have', 'important', 'critical')),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    version          INTEGER NOT NULL CHECK (version >= 1)
);
CREATE INDEX insights_product ON insights (product_id, date, id);
CREATE INDEX insights_segment ON insights (segment_id);

CREATE TABLE insight_features (
    insight_id   TEXT NOT NULL REFERENCES insights (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL CHECK (position >= 0),
    work_item_id TEXT NOT NULL REFERENCES work_items (id) ON DELETE RESTRICT,
    PRIMARY KEY (insight_id, position),
    UNIQUE (insight_id, work_item_id)
);
-- A feature's evidence, and "does an insight support this work item?" when it is deleted.
CREATE INDEX insight_features_item ON insight_features (work_item_id);
