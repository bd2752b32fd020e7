-- Computed program schedules: only the latest per program is kept (saving replaces it).
--
-- A schedule goes with its program (CASCADE). Entries name their work item or milestone, project
-- and team WITHOUT foreign keys: a schedule is a snapshot that stays readable (each entry keeps
-- its title) when an item is edited or deleted after it was computed; the next computation
-- replaces it. Types as in 0001 (UUID, DATE, TIMESTAMPTZ); `periods` holds the date of every
-- working period, `diagnostics` one message per element.

CREATE TABLE program_schedules (
    program_id            UUID PRIMARY KEY NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    computed_at           TIMESTAMPTZ NOT NULL,
    schedules             BIGINT NOT NULL CHECK (schedules >= 1),
    seed                  BIGINT NOT NULL,
    time_limit_ms         BIGINT CHECK (time_limit_ms >= 1),
    schedules_used        BIGINT NOT NULL CHECK (schedules_used >= 0),
    makespan              BIGINT NOT NULL CHECK (makespan >= 0),
    finish_date           DATE NOT NULL,
    critical_path_makespan BIGINT NOT NULL CHECK (critical_path_makespan >= 0),
    critical_path_finish  DATE NOT NULL,
    periods               DATE[] NOT NULL,
    diagnostics           TEXT[] NOT NULL
);

CREATE TABLE schedule_entries (
    program_id    UUID NOT NULL REFERENCES program_schedules (program_id) ON DELETE CASCADE,
    position      BIGINT NOT NULL CHECK (position >= 0),
    node_type     TEXT NOT NULL CHECK (node_type IN ('work_item', 'milestone')),
    node_id       UUID NOT NULL,
    title         TEXT NOT NULL,
    project_id    UUID,
    team_id       UUID,
    people        BIGINT NOT NULL CHECK (people >= 0),
    start_period  BIGINT NOT NULL CHECK (start_period >= 0),
    finish_period BIGINT NOT NULL CHECK (finish_period >= start_period),
    start_date    DATE NOT NULL,
    finish_date   DATE NOT NULL,
    critical      BOOLEAN NOT NULL,
    total_float   BIGINT NOT NULL,
    PRIMARY KEY (program_id, position)
);

CREATE TABLE schedule_links (
    program_id  UUID NOT NULL REFERENCES program_schedules (program_id) ON DELETE CASCADE,
    position    BIGINT NOT NULL CHECK (position >= 0),
    predecessor BIGINT NOT NULL CHECK (predecessor >= 0),
    successor   BIGINT NOT NULL CHECK (successor >= 0),
    kind        TEXT NOT NULL CHECK (kind IN ('finish_to_start', 'start_to_start', 'finish_to_finish', 'start_to_finish')),
    lag         BIGINT NOT NULL,
    PRIMARY KEY (program_id, position)
);
