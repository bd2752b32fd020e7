-- Product backlog: a work item's user story and prioritization inputs. Encodings as in 0001.
--
-- One row per work item at most, CASCADE with it (the details belong to the item; the item's own
-- version and audit events cover them). Each framework's columns are all set or all NULL; scores
-- are not stored: they are computed on read from these inputs.

CREATE TABLE backlog_details (
    work_item_id               TEXT PRIMARY KEY NOT NULL REFERENCES work_items (id) ON DELETE CASCADE,
    story_as_a                 TEXT CHECK (length(story_as_a) BETWEEN 1 AND 200),
    story_i_want               TEXT CHECK (length(story_i_want) BETWEEN 1 AND 200),
    story_so_that              TEXT CHECK (length(story_so_that) BETWEEN 1 AND 200),
    rice_reach                 REAL CHECK (rice_reach >= 0),
    rice_impact                REAL CHECK (rice_impact IN (0.25, 0.5, 1, 2, 3)),
    rice_confidence            REAL CHECK (rice_confidence BETWEEN 0 AND 100),
    rice_effort                REAL CHECK (rice_effort > 0),
    wsjf_business_value        INTEGER,
    wsjf_time_criticality      INTEGER,
    wsjf_risk_reduction        INTEGER,
    wsjf_job_size              INTEGER,
    cd3_cost_of_delay_per_week INTEGER CHECK (cd3_cost_of_delay_per_week >= 0),
    cd3_duration_weeks         REAL CHECK (cd3_duration_weeks > 0),
    moscow                     TEXT CHECK (moscow IN ('must', 'should', 'could', 'wont')),
    impact_effort_impact       INTEGER CHECK (impact_effort_impact BETWEEN 1 AND 10),
    impact_effort_effort       INTEGER CHECK (impact_effort_effort BETWEEN 1 AND 10),
    CHECK ((story_as_a IS NULL) = (story_i_want IS NULL) AND (story_as_a IS NULL) = (story_so_that IS NULL)),
    CHECK ((rice_reach IS NULL) = (rice_effort IS NULL)),
    CHECK ((wsjf_business_value IS NULL) = (wsjf_job_size IS NULL)),
    CHECK ((cd3_cost_of_delay_per_week IS NULL) = (cd3_duration_weeks IS NULL)),
    CHECK ((impact_effort_impact IS NULL) = (impact_effort_effort IS NULL))
);

-- A story's acceptance criteria, in order.
CREATE TABLE acceptance_criteria (
    work_item_id TEXT NOT NULL REFERENCES backlog_details (work_item_id) ON DELETE CASCADE,
    position     INTEGER NOT NULL CHECK (position >= 0),
    criterion    TEXT NOT NULL CHECK (length(criterion) BETWEEN 1 AND 200),
    PRIMARY KEY (work_item_id, position)
);
