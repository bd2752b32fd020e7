-- The risk register. Encodings as in 0001 (UUID, DATE, TIMESTAMPTZ; enums as TEXT with CHECKs).
--
-- A risk belongs to a program, and optionally to one of its projects (the store checks the project
-- is in the program). Containers are RESTRICT: a program or project with risks cannot vanish, and
-- neither can a work item a risk hits. A risk's hits and mitigation actions are its own rows and
-- CASCADE with it; `position` keeps the order they were given in.

CREATE TABLE risks (
    id                 UUID PRIMARY KEY,
    program_id         UUID NOT NULL REFERENCES programs (id) ON DELETE RESTRICT,
    project_id         UUID REFERENCES projects (id) ON DELETE RESTRICT,
    title              TEXT NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    cause              TEXT NOT NULL,
    effect             TEXT NOT NULL,
    owner              TEXT,
    category           TEXT NOT NULL CHECK (category IN ('schedule', 'cost', 'scope', 'quality', 'resource',
                                                         'technical', 'external', 'compliance')),
    probability        BIGINT NOT NULL CHECK (probability BETWEEN 0 AND 100),
    impact_optimistic  DOUBLE PRECISION NOT NULL CHECK (impact_optimistic >= 0),
    impact_most_likely DOUBLE PRECISION NOT NULL CHECK (impact_most_likely >= impact_optimistic),
    impact_pessimistic DOUBLE PRECISION NOT NULL CHECK (impact_pessimistic >= impact_most_likely AND impact_pessimistic <= 10000),
    cost_impact        BIGINT CHECK (cost_impact >= 0),
    response           TEXT NOT NULL CHECK (response IN ('avoid', 'mitigate', 'transfer', 'accept', 'escalate')),
    trigger_text       TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('open', 'occurring', 'closed')),
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL,
    version            BIGINT NOT NULL CHECK (version >= 1)
);
CREATE INDEX risks_program ON risks (program_id, id);
CREATE INDEX risks_project ON risks (project_id, id);

CREATE TABLE risk_work_items (
    risk_id      UUID NOT NULL REFERENCES risks (id) ON DELETE CASCADE,
    position     BIGINT NOT NULL CHECK (position >= 0),
    work_item_id UUID NOT NULL REFERENCES work_items (id) ON DELETE RESTRICT,
    PRIMARY KEY (risk_id, position),
    UNIQUE (risk_id, work_item_id)
);
-- "Is this work item hit by a risk?" when it is deleted.
CREATE INDEX risk_work_items_item ON risk_work_items (work_item_id);

CREATE TABLE risk_mitigations (
    risk_id     UUID NOT NULL REFERENCES risks (id) ON DELETE CASCADE,
    position    BIGINT NOT NULL CHECK (position >= 0),
    description TEXT NOT NULL CHECK (char_length(description) BETWEEN 1 AND 200),
    due_date    DATE NOT NULL,
    done        BOOLEAN NOT NULL,
    PRIMARY KEY (risk_id, position)
);
