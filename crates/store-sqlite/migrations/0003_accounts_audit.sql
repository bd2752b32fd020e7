-- Accounts, sessions, API tokens, role grants and the audit trail. Encodings as in 0001.
--
-- Secrets are stored only as digests (sessions, tokens) or argon2id hashes (passwords).
-- Grants go with the user and with the program, project or product they are on (CASCADE; the
-- store writes their audit events first). The audit trail has no foreign keys: it outlives the
-- records and users it names. Triggers make it append-only.

CREATE TABLE users (
    id            TEXT PRIMARY KEY NOT NULL,
    username      TEXT NOT NULL UNIQUE CHECK (length(username) BETWEEN 3 AND 64),
    display_name  TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    is_admin      INTEGER NOT NULL CHECK (is_admin IN (0, 1)),
    disabled      INTEGER NOT NULL CHECK (disabled IN (0, 1)),
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    version       INTEGER NOT NULL CHECK (version >= 1)
);

CREATE TABLE sessions (
    digest     TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Keyed by lower-case username whether or not such a user exists, so probing unknown names is
-- throttled exactly like guessing a real user's password.
CREATE TABLE login_failures (
    username TEXT PRIMARY KEY NOT NULL,
    count    INTEGER NOT NULL CHECK (count >= 1),
    last_at  TEXT NOT NULL
);

CREATE TABLE api_tokens (
    id         TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    scope      TEXT NOT NULL CHECK (scope IN ('read', 'read_write')),
    prefix     TEXT NOT NULL,
    digest     TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id, id);

CREATE TABLE grants (
    id         TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    program_id TEXT REFERENCES programs (id) ON DELETE CASCADE,
    project_id TEXT REFERENCES projects (id) ON DELETE CASCADE,
    product_id TEXT REFERENCES products (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
    created_at TEXT NOT NULL,
    CHECK ((program_id IS NOT NULL) + (project_id IS NOT NULL) + (product_id IS NOT NULL) = 1)
);
CREATE UNIQUE INDEX grants_user_scope ON grants (user_id, COALESCE(program_id, project_id, product_id));
CREATE INDEX grants_program ON grants (program_id);
CREATE INDEX grants_project ON grants (project_id);
CREATE INDEX grants_product ON grants (product_id);

CREATE TABLE audit_events (
    id         TEXT PRIMARY KEY NOT NULL,
    at         TEXT NOT NULL,
    actor_id   TEXT,
    actor_name TEXT NOT NULL,
    action     TEXT NOT NULL CHECK (action IN ('created', 'updated', 'deleted')),
    entity     TEXT NOT NULL,
    record_id  TEXT NOT NULL,
    label      TEXT NOT NULL,
    -- JSON array of {"field", "before", "after"}.
    changes    TEXT NOT NULL
);
CREATE INDEX audit_events_record ON audit_events (entity, record_id, id);
CREATE INDEX audit_events_actor ON audit_events (actor_id, id);

CREATE TRIGGER audit_events_append_only_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
CREATE TRIGGER audit_events_append_only_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;

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
