-- Accounts, sessions, API tokens, role grants and the audit trail. Types as in 0001 (UUID,
-- TIMESTAMPTZ, BIGINT), flags as BOOLEAN, enums as TEXT with CHECKs.
--
-- Secrets are stored only as digests (sessions, tokens) or argon2id hashes (passwords).
-- Grants go with the user and with the program, project or product they are on (CASCADE; the
-- store writes their audit events first). The audit trail has no foreign keys: it outlives the
-- records and users it names. A trigger makes it append-only.

-- Usernames compare and sort bytewise ("C"), as on SQLite, whatever the database's locale: the
-- user list is ordered by username and pages on it.
CREATE TABLE users (
    id            UUID PRIMARY KEY,
    username      TEXT COLLATE "C" NOT NULL UNIQUE CHECK (char_length(username) BETWEEN 3 AND 64),
    display_name  TEXT NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 200),
    is_admin      BOOLEAN NOT NULL,
    disabled      BOOLEAN NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL,
    version       BIGINT NOT NULL CHECK (version >= 1)
);

CREATE TABLE sessions (
    digest     TEXT PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Keyed by lower-case username whether or not such a user exists, so probing unknown names is
-- throttled exactly like guessing a real user's password.
CREATE TABLE login_failures (
    username TEXT PRIMARY KEY,
    count    BIGINT NOT NULL CHECK (count >= 1),
    last_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE api_tokens (
    id         UUID PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    scope      TEXT NOT NULL CHECK (scope IN ('read', 'read_write')),
    prefix     TEXT NOT NULL,
    digest     TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, id);

CREATE TABLE grants (
    id         UUID PRIMARY KEY,
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    program_id UUID REFERENCES programs (id) ON DELETE CASCADE,
    project_id UUID REFERENCES projects (id) ON DELETE CASCADE,
    product_id UUID REFERENCES products (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
    created_at TIMESTAMPTZ NOT NULL,
    CHECK (num_nonnulls(program_id, project_id, product_id) = 1)
);
-- Ids are globally unique, so the coalesced scope identifies it: one grant per user and scope.
CREATE UNIQUE INDEX grants_user_scope ON grants (user_id, COALESCE(program_id, project_id, product_id));
CREATE INDEX grants_program ON grants (program_id);
CREATE INDEX grants_project ON grants (project_id);
CREATE INDEX grants_product ON grants (product_id);

CREATE TABLE audit_events (
    id         UUID PRIMARY KEY,
    at         TIMESTAMPTZ NOT NULL,
    actor_id   UUID,
    actor_name TEXT NOT NULL,
    action     TEXT NOT NULL CHECK (action IN ('created', 'updated', 'deleted')),
    entity     TEXT NOT NULL,
    -- TEXT, not UUID: the trail is filtered by whatever record id a caller supplies.
    record_id  TEXT NOT NULL,
    label      TEXT NOT NULL,
    -- Array of {"field", "before", "after"}.
    changes    JSONB NOT NULL CHECK (jsonb_typeof(changes) = 'array')
);
CREATE INDEX audit_events_record ON audit_events (entity, record_id, id);
CREATE INDEX audit_events_actor ON audit_events (actor_id, id);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END;
$$;
CREATE TRIGGER audit_events_append_only_change BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
-- Row triggers do not see TRUNCATE.
CREATE TRIGGER audit_events_append_only_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- The dependency view gains each end's product, which list visibility looks at.
DROP VIEW dependency_ends;
CREATE VIEW dependency_ends AS
SELECT d.*,
       COALESCE(pw.project_id, pm.project_id) AS predecessor_project_id,
       COALESCE(sw.project_id, sm.project_id) AS successor_project_id,
       pw.product_id AS predecessor_product_id,
       sw.product_id AS successor_product_id
FROM dependencies d
LEFT JOIN work_items pw ON pw.id = d.predecessor_work_item_id
LEFT JOIN milestones pm ON pm.id = d.predecessor_milestone_id
LEFT JOIN work_items sw ON sw.id = d.successor_work_item_id
LEFT JOIN milestones sm ON sm.id = d.successor_milestone_id;
