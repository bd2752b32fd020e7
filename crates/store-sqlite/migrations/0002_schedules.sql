-- Computed program schedules: only the latest per program is kept (saving replaces it).
--
-- A schedule goes with its program (CASCADE). Entries name their work item or milestone, project
-- and team WITHOUT foreign keys: a schedule is a snapshot that stays readable (each entry keeps
-- its title) when an item is edited or deleted after it was computed; the next computation
-- replaces it. Encodings as in 0001 (dates TEXT 'YYYY-MM-DD', ids TEXT); `periods` holds the
-- date of every working period, comma-separated; `diagnostics` one message per line.

CREATE TABLE program_schedules (
    program_id            TEXT PRIMARY KEY NOT NULL REFERENCES programs (id) ON DELETE CASCADE,
    computed_at           TEXT NOT NULL,
    schedules             INTEGER NOT NULL CHECK (schedules >= 1),
    seed                  INTEGER NOT NULL,
    time_limit_ms         INTEGER CHECK (time_limit_ms >= 1),
    schedules_used        INTEGER NOT NULL CHECK (schedules_used >= 0),
    makespan              INTEGER NOT NULL CHECK (makespan >= 0),
    finish_date           TEXT NOT NULL CHECK (length(finish_date) = 10),
    critical_path_makespan INTEGER NOT NULL CHECK (critical_path_makespan >= 0),
    critical_path_finish  TEXT NOT NULL CHECK (length(critical_path_finish) = 10),
    periods               TEXT NOT NULL,
    diagnostics           TEXT NOT NULL
);

CREATE TABLE schedule_entries (
    program_id    TEXT NOT NULL REFERENCES program_schedules (program_id) ON DELETE CASCADE,
    position      INTEGER NOT NULL CHECK (position >= 0),
    node_type     TEXT NOT NULL CHECK (node_type IN ('work_item', 'milestone')),
    node_id       TEXT NOT NULL,
    title         TEXT NOT NULL,
    project_id    TEXT,
    team_id       TEXT,
    people        INTEGER NOT NULL CHECK (people >= 0),
    start_period  INTEGER NOT NULL CHECK (start_period >= 0),
    finish_period INTEGER NOT NULL CHECK (finish_period >= start_period),
    start_date    TEXT NOT NULL CHECK (length(start_date) = 10),
    finish_date   TEXT NOT NULL CHECK (length(finish_date) = 10),
    critical      INTEGER NOT NULL CHECK (critical IN (0, 1)),
    total_float   INTEGER NOT NULL,
    PRIMARY KEY (program_id, position)
);

CREATE TABLE schedule_links (
    program_id  TEXT NOT NULL REFERENCES program_schedules (program_id) ON DELETE CASCADE,
    position    INTEGER NOT NULL CHECK (position >= 0),
    predecessor INTEGER NOT NULL CHECK (predecessor >= 0),
    successor   INTEGER NOT NULL CHECK (successor >= 0),
    kind        TEXT NOT NULL CHECK (kind IN ('finish_to_start', 'start_to_start', 'finish_to_finish', 'start_to_finish')),
    lag         INTEGER NOT NULL,
    PRIMARY KEY (program_id, position)
);
