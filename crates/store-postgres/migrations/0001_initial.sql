-- Tandem's schema on PostgreSQL: native types (UUID v7 ids, DATE, TIMESTAMPTZ with microseconds,
-- BIGINT, DOUBLE PRECISION), enums as TEXT with CHECKs, a team's working weekdays as the
-- WorkingWeek bit mask (bit 0 = Monday) and its holidays as a sorted DATE[].
--
-- The store checks every rule first to report a precise error; the CHECKs and FOREIGN KEYs below
-- are the second line of defence. Containers are RESTRICT (a program with projects cannot
-- vanish); dependency rows CASCADE with the work item or milestone they touch.

CREATE TABLE programs (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    goal        TEXT NOT NULL,
    sponsor     TEXT,
    phase       TEXT NOT NULL CHECK (phase IN ('definition', 'delivery', 'closure')),
    start_date  DATE NOT NULL,
    target_end  DATE NOT NULL CHECK (target_end >= start_date),
    budget      BIGINT CHECK (budget >= 0),
    currency    TEXT NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    version     BIGINT NOT NULL CHECK (version >= 1)
);
CREATE INDEX programs_phase ON programs (phase, id);

CREATE TABLE projects (
    id          UUID PRIMARY KEY,
    program_id  UUID NOT NULL REFERENCES programs (id) ON DELETE RESTRICT,
    name        TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    description TEXT NOT NULL,
    manager     TEXT,
    start_date  DATE NOT NULL,
    budget      BIGINT CHECK (budget >= 0),
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    version     BIGINT NOT NULL CHECK (version >= 1)
);
CREATE INDEX projects_program ON projects (program_id, id);

CREATE TABLE products (
    id          UUID PRIMARY KEY,
    name        TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    vision      TEXT NOT NULL,
    owner       TEXT,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    version     BIGINT NOT NULL CHECK (version >= 1)
);

CREATE TABLE teams (
    id           UUID PRIMARY KEY,
    name         TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    capacity     BIGINT NOT NULL CHECK (capacity BETWEEN 1 AND 10000),
    working_days BIGINT NOT NULL CHECK (working_days BETWEEN 1 AND 127),
    holidays     DATE[] NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    version      BIGINT NOT NULL CHECK (version >= 1)
);

CREATE TABLE work_items (
    id            UUID PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('epic', 'feature', 'story', 'task', 'bug')),
    project_id    UUID REFERENCES projects (id) ON DELETE RESTRICT,
    product_id    UUID REFERENCES products (id) ON DELETE RESTRICT,
    parent_id     UUID REFERENCES work_items (id) ON DELETE RESTRICT,
    title         TEXT NOT NULL CHECK (char_length(title) BETWEEN 1 AND 200),
    description   TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('backlog', 'ready', 'in_progress', 'done', 'cancelled')),
    optimistic    DOUBLE PRECISION NOT NULL CHECK (optimistic >= 0),
    most_likely   DOUBLE PRECISION NOT NULL CHECK (most_likely >= optimistic),
    pessimistic   DOUBLE PRECISION NOT NULL CHECK (pessimistic >= most_likely AND pessimistic <= 10000),
    story_points  BIGINT CHECK (story_points BETWEEN 0 AND 1000),
    team_id       UUID REFERENCES teams (id) ON DELETE RESTRICT,
    people_needed BIGINT NOT NULL CHECK (people_needed BETWEEN 1 AND 10000),
    rank          BIGINT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    version       BIGINT NOT NULL CHECK (version >= 1),
    -- A work item lives in a project, a product, or both; never neither.
    CHECK (project_id IS NOT NULL OR product_id IS NOT NULL),
    CHECK (parent_id IS NULL OR parent_id <> id)
);
-- One index per filter, each ending in id so a filtered page is an index range scan.
CREATE INDEX work_items_project ON work_items (project_id, id);
CREATE INDEX work_items_product ON work_items (product_id, id);
CREATE INDEX work_items_parent ON work_items (parent_id, id);
CREATE INDEX work_items_team ON work_items (team_id, id);
CREATE INDEX work_items_status ON work_items (status, id);
CREATE INDEX work_items_kind ON work_items (kind, id);
-- Backlog order, and the max(rank) lookup of an append; a project's or product's backlog in
-- rank order is read straight off its own index rather than sorted.
CREATE INDEX work_items_rank ON work_items (rank, id);
CREATE INDEX work_items_project_rank ON work_items (project_id, rank, id);
CREATE INDEX work_items_product_rank ON work_items (product_id, rank, id);

CREATE TABLE milestones (
    id          UUID PRIMARY KEY,
    project_id  UUID NOT NULL REFERENCES projects (id) ON DELETE RESTRICT,
    name        TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    target_date DATE NOT NULL,
    deliverable TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    version     BIGINT NOT NULL CHECK (version >= 1)
);
CREATE INDEX milestones_project ON milestones (project_id, id);

-- Each end is either a work item or a milestone: exactly one of its two columns is set, so each
-- can carry a real foreign key that cascades.
CREATE TABLE dependencies (
    id                       UUID PRIMARY KEY,
    predecessor_work_item_id UUID REFERENCES work_items (id) ON DELETE CASCADE,
    predecessor_milestone_id UUID REFERENCES milestones (id) ON DELETE CASCADE,
    successor_work_item_id   UUID REFERENCES work_items (id) ON DELETE CASCADE,
    successor_milestone_id   UUID REFERENCES milestones (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL
               CHECK (kind IN ('finish_to_start', 'start_to_start', 'finish_to_finish', 'start_to_finish')),
    lag_days   BIGINT NOT NULL CHECK (lag_days BETWEEN -1000 AND 1000),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    version    BIGINT NOT NULL CHECK (version >= 1),
    CHECK ((predecessor_work_item_id IS NULL) <> (predecessor_milestone_id IS NULL)),
    CHECK ((successor_work_item_id IS NULL) <> (successor_milestone_id IS NULL))
);
-- Ids are globally unique, so the coalesced end identifies the node: one link per pair.
CREATE UNIQUE INDEX dependencies_pair ON dependencies (
    COALESCE(predecessor_work_item_id, predecessor_milestone_id),
    COALESCE(successor_work_item_id, successor_milestone_id)
);
CREATE INDEX dependencies_predecessor_work_item ON dependencies (predecessor_work_item_id);
CREATE INDEX dependencies_predecessor_milestone ON dependencies (predecessor_milestone_id);
CREATE INDEX dependencies_successor_work_item ON dependencies (successor_work_item_id);
CREATE INDEX dependencies_successor_milestone ON dependencies (successor_milestone_id);

-- Dependencies with the project of each end (NULL for a product-only work item), which is what
-- the program, project and cross-project filters look at.
CREATE VIEW dependency_ends AS
SELECT d.*,
       COALESCE(pw.project_id, pm.project_id) AS predecessor_project_id,
       COALESCE(sw.project_id, sm.project_id) AS successor_project_id
FROM dependencies d
LEFT JOIN work_items pw ON pw.id = d.predecessor_work_item_id
LEFT JOIN milestones pm ON pm.id = d.predecessor_milestone_id
LEFT JOIN work_items sw ON sw.id = d.successor_work_item_id
LEFT JOIN milestones sm ON sm.id = d.successor_milestone_id;
