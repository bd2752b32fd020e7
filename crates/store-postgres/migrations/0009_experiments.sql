-- Experiments: a product's A/B tests, optionally of one of its features (a work item of the
-- product). Encodings as in 0001.
--
-- A product with experiments cannot vanish, nor can the work item an experiment names as its
-- feature (RESTRICT): the test's evidence is not dropped silently. The variants (2 to 10, the
-- first the control) are one JSONB array, read and written whole with the record:
-- [{"name", "visitors", "conversions"}] or [{"name", "mean", "std_dev", "count"}]. The plan's
-- sample size is derived from the plan's columns, never stored.

CREATE TABLE experiments (
    id                        UUID PRIMARY KEY,
    product_id                UUID NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
    feature_id                UUID REFERENCES work_items (id) ON DELETE RESTRICT,
    name                      TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    hypothesis                TEXT NOT NULL,
    metric                    TEXT NOT NULL CHECK (metric IN ('conversion', 'mean')),
    baseline                  DOUBLE PRECISION NOT NULL,
    baseline_std_dev          DOUBLE PRECISION,
    minimum_detectable_effect DOUBLE PRECISION NOT NULL,
    power                     DOUBLE PRECISION NOT NULL,
    alpha                     DOUBLE PRECISION NOT NULL,
    status                    TEXT NOT NULL CHECK (status IN ('draft', 'running', 'finished')),
    variants                  JSONB NOT NULL,
    created_at                TIMESTAMPTZ NOT NULL,
    updated_at                TIMESTAMPTZ NOT NULL,
    version                   BIGINT NOT NULL CHECK (version >= 1)
);
CREATE INDEX experiments_product ON experiments (product_id, created_at, id);
CREATE INDEX experiments_feature ON experiments (feature_id);
