-- Computed program forecasts: only the latest per program is kept (saving replaces it).
--
-- Like schedules (0002), a forecast is a snapshot that goes with its program (CASCADE) and names
-- projects, milestones, work items and risks WITHOUT foreign keys, keeping their titles, so it
-- stays readable after they change; `forecast_inputs` keeps the version of every record it was
-- computed from, so a reader can tell how stale it is. Figures are periods (working days from
-- the program calendar's period 0); `calendar` holds the date of every period it names,
-- and every date is derived from it. Types as in 0001 (UUID, DATE, TIMESTAMPTZ); lists are
-- arrays. `forecast_inputs.record_id` is text, as the audit trail names records.

CREATE TABLE program_forecasts (
    program_id          UUID PRIMARY KEY NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    computed_at         TIMESTAMPTZ NOT NULL,
    computed_by         TEXT NOT NULL,
    iterations          BIGINT NOT NULL CHECK (iterations >= 1),
    seed                BIGINT NOT NULL,
    resource_aware      BOOLEAN NOT NULL,
    distribution        TEXT NOT NULL CHECK (distribution IN ('pert', 'triangular')),
    schedules_used      BIGINT CHECK (schedules_used >= 0),
    activities          BIGINT NOT NULL CHECK (activities >= 0),
    finish_p10          BIGINT NOT NULL,
    finish_p50          BIGINT NOT NULL CHECK (finish_p50 >= finish_p10),
    finish_p80          BIGINT NOT NULL CHECK (finish_p80 >= finish_p50),
    finish_p95          BIGINT NOT NULL CHECK (finish_p95 >= finish_p80),
    finish_mean         DOUBLE PRECISION NOT NULL,
    plan_periods        BIGINT NOT NULL CHECK (plan_periods >= 0),
    plan_probability    DOUBLE PRECISION NOT NULL CHECK (plan_probability BETWEEN 0 AND 1),
    histogram_start     BIGINT NOT NULL,
    histogram_bin_width BIGINT NOT NULL CHECK (histogram_bin_width >= 1),
    histogram_counts    BIGINT[] NOT NULL,
    s_curve_finish      BIGINT[] NOT NULL,
    s_curve_probability DOUBLE PRECISION[] NOT NULL,
    p80_first_half      BIGINT NOT NULL,
    p80_first_90        BIGINT NOT NULL,
    p80_all             BIGINT NOT NULL,
    p80_shift           BIGINT NOT NULL CHECK (p80_shift >= 0),
    calendar            DATE[] NOT NULL,
    diagnostics         TEXT[] NOT NULL
);

-- One row per project ('project'), milestone ('milestone') and simulated activity ('activity'),
-- each kind in its own order. `record_id` is the project, the milestone, or the activity's work
-- item or milestone (`node_type`).
CREATE TABLE forecast_lines (
    program_id  UUID NOT NULL REFERENCES program_forecasts (program_id) ON DELETE CASCADE,
    line        TEXT NOT NULL CHECK (line IN ('project', 'milestone', 'activity')),
    position    BIGINT NOT NULL CHECK (position >= 0),
    node_type   TEXT NOT NULL CHECK (node_type IN ('project', 'work_item', 'milestone')),
    record_id   UUID NOT NULL,
    project_id  UUID,
    title       TEXT NOT NULL,
    target_date DATE,
    plan_start  BIGINT,
    plan_finish BIGINT CHECK (plan_finish >= plan_start),
    p10         BIGINT NOT NULL,
    p50         BIGINT NOT NULL CHECK (p50 >= p10),
    p80         BIGINT NOT NULL CHECK (p80 >= p50),
    p95         BIGINT NOT NULL CHECK (p95 >= p80),
    mean        DOUBLE PRECISION NOT NULL,
    criticality DOUBLE PRECISION CHECK (criticality BETWEEN 0 AND 1),
    sensitivity DOUBLE PRECISION CHECK (sensitivity BETWEEN -1 AND 1),
    PRIMARY KEY (program_id, line, position)
);

CREATE TABLE forecast_risks (
    program_id  UUID NOT NULL REFERENCES program_forecasts (program_id) ON DELETE CASCADE,
    position    BIGINT NOT NULL CHECK (position >= 0),
    risk_id     UUID NOT NULL,
    title       TEXT NOT NULL,
    probability BIGINT NOT NULL CHECK (probability BETWEEN 0 AND 100),
    sensitivity DOUBLE PRECISION NOT NULL CHECK (sensitivity BETWEEN -1 AND 1),
    p80_days    BIGINT NOT NULL,
    PRIMARY KEY (program_id, position)
);

CREATE TABLE forecast_inputs (
    program_id UUID NOT NULL REFERENCES program_forecasts (program_id) ON DELETE CASCADE,
    entity     TEXT NOT NULL,
    record_id  TEXT NOT NULL,
    version    BIGINT NOT NULL CHECK (version >= 1),
    PRIMARY KEY (program_id, entity, record_id)
);
