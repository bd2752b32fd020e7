-- Computed program forecasts: only the latest per program is kept (saving replaces it).
--
-- Like schedules (0002), a forecast is a snapshot that goes with its program (CASCADE) and names
-- projects, milestones, work items and risks WITHOUT foreign keys, keeping their titles, so it
-- stays readable after they change; `forecast_inputs` keeps the version of every record it was
-- computed from, so a reader can tell how stale it is. Figures are periods (working days from
-- the program calendar's period 0); `calendar` holds the date of every period it names,
-- comma-separated, and every date is derived from it. Lists of numbers are comma-separated;
-- floats are written in Rust's shortest round-trip form.

CREATE TABLE program_forecasts (
    program_id          TEXT PRIMARY KEY NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    computed_at         TEXT NOT NULL,
    computed_by         TEXT NOT NULL,
    iterations          INTEGER NOT NULL CHECK (iterations >= 1),
    seed                INTEGER NOT NULL,
    resource_aware      INTEGER NOT NULL CHECK (resource_aware IN (0, 1)),
    distribution        TEXT NOT NULL CHECK (distribution IN ('pert', 'triangular')),
    schedules_used      INTEGER CHECK (schedules_used >= 0),
    activities          INTEGER NOT NULL CHECK (activities >= 0),
    finish_p10          INTEGER NOT NULL,
    finish_p50          INTEGER NOT NULL CHECK (finish_p50 >= finish_p10),
    finish_p80          INTEGER NOT NULL CHECK (finish_p80 >= finish_p50),
    finish_p95          INTEGER NOT NULL CHECK (finish_p95 >= finish_p80),
    finish_mean         REAL NOT NULL,
    plan_periods        INTEGER NOT NULL CHECK (plan_periods >= 0),
    plan_probability    REAL NOT NULL CHECK (plan_probability BETWEEN 0 AND 1),
    histogram_start     INTEGER NOT NULL,
    histogram_bin_width INTEGER NOT NULL CHECK (histogram_bin_width >= 1),
    histogram_counts    TEXT NOT NULL,
    s_curve_finish      TEXT NOT NULL,
    s_curve_probability TEXT NOT NULL,
    p80_first_half      INTEGER NOT NULL,
    p80_first_90        INTEGER NOT NULL,
    p80_all             INTEGER NOT NULL,
    p80_shift           INTEGER NOT NULL CHECK (p80_shift >= 0),
    calendar            TEXT NOT NULL,
    diagnostics         TEXT NOT NULL
);

-- One row per project ('project'), milestone ('milestone') and simulated activity ('activity'),
-- each kind in its own order. `record_id` is the project, the milestone, or the activity's work
-- item or milestone (`node_type`).
CREATE TABLE forecast_lines (
    program_id  TEXT NOT NULL REFERENCES program_forecasts (program_id) ON DELETE CASCADE,
    line        TEXT NOT NULL CHECK (line IN ('project', 'milestone', 'activity')),
    position    INTEGER NOT NULL CHECK (position >= 0),
    node_type   TEXT NOT NULL CHECK (node_type IN ('project', 'work_item', 'milestone')),
    record_id   TEXT NOT NULL,
    project_id  TEXT,
    title       TEXT NOT NULL,
    target_date TEXT CHECK (length(target_date) = 10),
    plan_start  INTEGER,
    plan_finish INTEGER CHECK (plan_finish >= plan_start),
    p10         INTEGER NOT NULL,
    p50         INTEGER NOT NULL CHECK (p50 >= p10),
    p80         INTEGER NOT NULL CHECK (p80 >= p50),
    p95         INTEGER NOT NULL CHECK (p95 >= p80),
    mean        REAL NOT NULL,
    criticality REAL CHECK (criticality BETWEEN 0 AND 1),
    sensitivity REAL CHECK (sensitivity BETWEEN -1 AND 1),
    PRIMARY KEY (program_id, line, position)
);

CREATE TABLE forecast_risks (
    program_id  TEXT NOT NULL REFERENCES program_forecasts (program_id) ON DELETE CASCADE,
    position    INTEGER NOT NULL CHECK (position >= 0),
    risk_id     TEXT NOT NULL,
    title       TEXT NOT NULL,
    probability INTEGER NOT NULL CHECK (probability BETWEEN 0 AND 100),
    sensitivity REAL NOT NULL CHECK (sensitivity BETWEEN -1 AND 1),
    p80_days    INTEGER NOT NULL,
    PRIMARY KEY (program_id, position)
);

CREATE TABLE forecast_inputs (
    program_id TEXT NOT NULL REFERENCES program_forecasts (program_id) ON DELETE CASCADE,
    entity     TEXT NOT NULL,
    record_id  TEXT NOT NULL,
    version    INTEGER NOT NULL CHECK (version >= 1),
    PRIMARY KEY (program_id, entity, record_id)
);
