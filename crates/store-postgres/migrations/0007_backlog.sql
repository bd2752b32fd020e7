-- Product backlog: a work item's user story and prioritization inputs. Types as in 0001.
--
-- One row per work item at most, CASCADE with it (the details belong to the item; the item's own
-- version and audit events cover them). Each framework's columns are all set or all NULL; scores
-- are not stored: they are computed on read from these inputs.

CREATE TABLE backlog_details (
    work_item_id               UUID PRIMARY KEY REFERENCES work_items (id) ON DELETE CASCADE,
    story_as_a                 TEXT CHECK (char_length(story_as_a) BETWEEN 1 AND 200),
    story_i_want               TEXT CHECK (char_length(story_i_want) BETWEEN 1 AND 200),
    story_so_that              TEXT CHECK (char_length(story_so_that) BETWEEN 1 AND 200),
    rice_reach                 DOUBLE PRECISION CHECK (rice_reach >= 0),
    rice_impact                DOUBLE PRECISION CHECK (rice_impact IN (0.25, 0.5, 1, 2, 3)),
    rice_confidence            DOUBLE PRECISION CHECK (rice_confidence BETWEEN 0 AND 100),
    rice_effort                DOUBLE PRECISION CHECK (rice_effort > 0),
    wsjf_business_value        BIGINT,
    wsjf_time_criticality      BIGINT,
    wsjf_risk_reduction        BIGINT,
    wsjf_job_size              BIGINT,
    cd3_cost_of_delay_per_week BIGINT CHECK (cd3_cost_of_delay_per_week >= 0),
    cd3_duration_weeks         DOUBLE PRECISION CHECK (cd3_duration_weeks > 0),
    moscow                     TEXT CHECK (moscow IN ('must', 'should', 'could', 'wont')),
    impact_effort_impact       BIGINT CHECK (impact_effort_impact BETWEEN 1 AND 10),
    impact_effort_effort       BIGINT CHECK (impact_effort_effort BETWEEN 1 AND 10),
    CHECK ((story_as_a IS NULL) = (story_i_want IS NULL) AND (story_as_a IS NULL) = (story_so_that IS NULL)),
    CHECK ((rice_reach IS NULL) = (rice_effort IS NULL)),
    CHECK ((wsjf_business_value IS NULL) = (wsjf_job_size IS NULL)),
    CHECK ((cd3_cost_of_delay_per_week IS NULL) = (cd3_duration_weeks IS NULL)),
    CHECK ((impact_effort_impact IS NULL) = (impact_effort_effort IS NULL))
);

-- A story's acceptance criteria, in order.
CREATE TABLE acceptance_criteria (
    work_item_id UUID NOT NULL REFERENCES backlog_details (work_item_id) ON DELETE CASCADE,
    position     BIGINT NOT NULL CHECK (position >= 0),
    criterion    TEXT NOT NULL CHECK (char_length(criterion) BETWEEN 1 AND 200),
    PRIMARY KEY (work_item_id, position)
);
