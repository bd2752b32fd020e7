-- Product metrics: dated points of a product's series (adoption, retention, revenue,
-- satisfaction as NPS), for the product as a whole or for one of its features (a work item).
-- Encodings as in 0001.
--
-- One value per product, feature, kind and date: `feature_key` is the feature's id or '' for the
-- product's own series, since a UNIQUE constraint treats NULLs as distinct. A product or work item
-- with points cannot vanish (RESTRICT).

CREATE TABLE metric_points (
    id          TEXT PRIMARY KEY NOT NULL,
    product_id  TEXT NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
    feature_id  TEXT REFERENCES work_items (id) ON DELETE RESTRICT,
    feature_key TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('adoption', 'retention', 'revenue', 'satisfaction')),
    date        TEXT NOT NULL CHECK (length(date) = 10),
    value       REAL NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL CHECK (version >= 1),
    UNIQUE (product_id, kind, feature_key, date)
);
-- "Does a metric point name this work item?" when it is deleted.
CREATE INDEX metric_points_feature ON metric_points (feature_id);
