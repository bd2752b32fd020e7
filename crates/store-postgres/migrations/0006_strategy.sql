-- Product strategy: objectives with key results and their measurements, the features serving each
-- objective, and the product manager's roadmap entries. Types as in 0001 (UUID ids, DATE, TIMESTAMPTZ,
-- enums as TEXT with CHECKs, numbers DOUBLE PRECISION).
--
-- An objective belongs to a product (RESTRICT: a product with objectives is not deleted). Its key
-- results, their measurements and its feature links are its own rows and CASCADE with it;
-- `position` keeps the key results in the order given. Links and roadmap entries CASCADE with the
-- work item they name (the store deletes them first, audited; the keys are the second line).

CREATE TABLE objectives (
    id          UUID PRIMARY KEY,
    product_id  UUID NOT NULL REFERENCES products (id) ON DELETE RESTRICT,
    title       TEXT NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    description TEXT NOT NULL,
    start_date  DATE NOT NULL,
    end_date    DATE NOT NULL CHECK (end_date >= start_date),
    status      TEXT NOT NULL CHECK (status IN ('draft', 'on_track', 'at_risk', 'off_track', 'done')),
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    version     BIGINT NOT NULL CHECK (version >= 1)
);
CREATE INDEX objectives_product ON objectives (product_id, start_date, id);

CREATE TABLE key_results (
    id           UUID PRIMARY KEY,
    objective_id UUID NOT NULL REFERENCES objectives (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL CHECK (position >= 0),
    metric       TEXT NOT NULL CHECK (char_length(metric) BETWEEN 1 AND 200),
    unit         TEXT NOT NULL CHECK (char_length(unit) <= 20),
    baseline     DOUBLE PRECISION NOT NULL,
    target       DOUBLE PRECISION NOT NULL CHECK (target <> baseline)
);
CREATE INDEX key_results_objective ON key_results (objective_id, position);

CREATE TABLE key_result_measurements (
    key_result_id UUID NOT NULL REFERENCES key_results (id) ON DELETE CASCADE,
    measured_on   DATE NOT NULL,
    value         DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (key_result_id, measured_on)
);

CREATE TABLE objective_features (
    objective_id UUID NOT NULL REFERENCES objectives (id) ON DELETE CASCADE,
    work_item_id UUID NOT NULL REFERENCES work_items (id) ON DELETE CASCADE,
    PRIMARY KEY (objective_id, work_item_id)
);
-- "Which objectives does this feature serve?"
CREATE INDEX objective_features_item ON objective_features (work_item_id);

CREATE TABLE roadmap_entries (
    work_item_id   UUID PRIMARY KEY REFERENCES work_items (id) ON DELETE CASCADE,
    lane           TEXT CHECK (lane IN ('now', 'next', 'later')),
    planned_start  DATE,
    planned_finish DATE CHECK (planned_finish >= planned_start),
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    version        BIGINT NOT NULL CHECK (version >= 1),
    CHECK ((planned_start IS NULL) = (planned_finish IS NULL))
);
