-- The risk register. Encodings as in 0001 (ids and dates TEXT, enums their lower-case names).
--
-- A risk belongs to a program, and optionally to one of its projects (the store checks the project
-- is in the program). Containers are RESTRICT: a program or project with risks cannot vanish, and
-- neither can a work item a risk hits. A risk's hits and mitigation actions are its own rows and
-- CASCADE with it; `position` keeps the order they were given in.

CREATE TABLE risks (
    id                 TEXT PRIMARY KEY NOT NULL,
    program_id         TEXT NOT NULL REFERENCES programs (id) ON DELETE RESTRICT,
    project_id         TEXT REFERENCES projects (id) ON DELETE RESTRICT,
    title              TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    cause              TEXT NOT NULL,
    effect             TEXT NOT NULL,
    owner              TEXT,
    category           TEXT NOT NULL CHECK (category IN ('schedule', 'cost', 'scope', 'quality', 'resource',
                                                         'technical', 'external', 'compliance')),
    probability        INTEGER NOT NULL CHECK (probability BETWEEN 0 AND 100),
    impact_optimistic  REAL NOT NULL CHECK (impact_optimistic >= 0),
    impact_most_likely REAL NOT NULL CHECK (impact_most_likely >= impact_optimistic),
    impact_pessimistic REAL NOT NULL CHECK (impact_pessimistic >= impact_most_likely AND impact_pessimistic <= 10000),
    cost_impact        INTEGER CHECK (cost_impact >= 0),
    response           TEXT NOT NULL CHECK (response IN ('avoid', 'mitigate', 'transfer', 'accept', 'escalate')),
    trigger_text       TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('open', 'occurring', 'closed')),
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    version            INTEGER NOT NULL CHECK (version >= 1)
);
CREATE INDEX risks_program ON risks (program_id, id);
CREATE INDEX risks_project ON risks (project_id, id);

CREATE TABLE risk_work_items (
    risk_id      TEXT NOT NULL REFERENCES risks (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL CHECK (position >= 0),
    work_item_id TEXT NOT NULL REFERENCES work_items (id) ON DELETE RESTRICT,
    PRIMARY KEY (risk_id, position),
    UNIQUE (risk_id, work_item_id)
);
-- "Is this work item hit by a risk?" when it is deleted.
CREATE INDEX risk_work_items_item ON risk_work_items (work_item_id);

CREATE TABLE risk_mitigations (
    risk_id     TEXT NOT NULL REFERENCES risks (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL CHECK (position >= 0),
    description TEXT NOT NULL CHECK (length(description) BETWEEN 1 AND 200),
    due_date    TEXT NOT NULL CHECK (length(due_date) = 10),
    done        INTEGER NOT NULL CHECK (done IN (0, 1)),
    PRIMARY KEY (risk_id, position)
);
