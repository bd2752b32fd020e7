-- Experiments: a product's A/B tests, optionally of one of its features (a work item of the
-- product). Encodings as in 0001.
--
-- A product with experiments cannot vanish, nor can the work item an experiment names as its
-- feature (RESTRICT): the test's evidence is not dropped silently. The variants (2 to 10, the
-- first the control) are one JSON array, read and written whole with the record:
-- [{"name", "visitors", "conversions"}] or [{"name", "mean", "std_dev", "count"}]. The plan's
-- sample size is derived from the plan's columns, never stored.

CREATE TABLE experiments (
    id                        TEXT PRIMARY KEY NOT NULL,
    product_id                TEXT NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
    feature_id                TEXT REFERENCES work_items (id) ON DELETE RESTRICT,
    name                      TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    hypothesis                TEXT NOT NULL,
    metric                    TEXT NOT NULL CHECK (metric IN ('conversion', 'mean')),
    baseline                  REAL NOT NULL,
    baseline_std_dev          REAL,
    minimum_detectable_effect REAL NOT NULL,
    power                     REAL NOT NULL,
    alpha                     REAL NOT NULL,
    status                    TEXT NOT NULL CHECK (status IN ('draft', 'running', 'finished')),
    variants                  TEXT NOT NULL,
    created_at                TEXT NOT NULL,
    updated_at                TEXT NOT NULL,
    version                   INTEGER NOT NULL CHECK (version >= 1)
);
CREATE INDEX experiments_product ON experiments (product_id, created_at, id);
CREATE INDEX experiments_feature ON experiments (feature_id);
