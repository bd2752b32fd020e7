-- Product metrics: dated points of a product's series (adoption, retention, revenue,
-- satisfaction as NPS), for the product as a whole or for one of its features (a work item).
-- Encodings as in 0001.
--
-- One value per product, feature, kind and date: `feature_key` is the feature's id as text or ''
-- for the product's own series, since a UNIQUE constraint treats NULLs as distinct. A product or
-- work item with points cannot vanish (RESTRICT).

CREATE TABLE metric_points (
    id          UUID PRIMARY KEY,
    product_id  UUID NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
    feature_id  UUID REFERENCES work_items (id) ON DELETE RESTRICT,
    feature_key TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('adoption', 'retention', 'revenue', 'satisfaction')),
    date        DATE NOT NULL,
    value       DOUBLE PRECISION NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    version     BIGINT NOT NULL CHECK (version >= 1),
    UNIQUE (product_id, kind, feature_key, date)
);
-- "Does a metric point name this work item?" when it is deleted.
CREATE INDEX metric_points_feature ON metric_points (feature_id);
