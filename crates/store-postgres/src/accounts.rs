//! Users, sessions, the login throttle and API tokens: the `users`, `sessions`,
//! `login_failures` and `api_tokens` tables.

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Postgres, QueryBuilder};
use tandem_domain::accounts::{LoginFailures, TokenScope};
use tandem_domain::record::now;
use tandem_domain::{
    ApiToken, ApiTokenId, Cursor, DomainError, DomainResult, EntityKind, Meta, NewApiToken, Page, PageRequest, Session,
    User, UserFields, UserId, Username,
};

use crate::columns::{self, storage};
use crate::paging;
use crate::records::{self, Table};

fn user_from_row(row: &PgRow) -> DomainResult<User> {
    Ok(User {
        id: columns::id(row, "id")?,
        fields: UserFields {
            username: columns::parsed("username", Username::parse("username", &columns::text(row, "username")?))?,
            display_name: columns::name(row, "display_name")?,
            is_admin: columns::boolean(row, "is_admin")?,
            disabled: columns::boolean(row, "disabled")?,
        },
        meta: columns::meta(row)?,
    })
}

/// A unique-index refusal on `username` as the domain's `taken` (also when a concurrent write
/// took the name first).
fn taken(error: sqlx::Error) -> DomainError {
    match &error {
        sqlx::Error::Database(e) if e.is_unique_violation() => {
            DomainError::invalid("username", "taken", "is already taken")
        }
        _ => storage(error),
    }
}

pub async fn count_users(conn: &mut PgConnection) -> DomainResult<u64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM users").fetch_one(&mut *conn).await.map_err(storage)?;
    Ok(u64::try_from(columns::integer(&row, "n")?).unwrap_or(0))
}

pub async fn create_user(conn: &mut PgConnection, fields: UserFields, password_hash: &str) -> DomainResult<User> {
    let id = UserId::generate();
    let at = now();
    let meta = Meta { created_at: at, updated_at: at, version: 1 };
    sqlx::query(
        "INSERT INTO users (id, username, display_name, is_admin, disabled, password_hash, created_at, updated_at, \
         version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id.as_uuid())
    .bind(fields.username.as_str())
    .bind(fields.display_name.as_str())
    .bind(fields.is_admin)
    .bind(fields.disabled)
    .bind(password_hash)
    .bind(meta.created_at)
    .bind(meta.updated_at)
    .bind(meta.version)
    .execute(&mut *conn)
    .await
    .map_err(taken)?;
    Ok(User { id, fields, meta })
}

pub async fn get_user(conn: &mut PgConnection, id: UserId) -> DomainResult<User> {
    let row = sqlx::query("SELECT * FROM users WHERE id = $1")
        .bind(id.as_uuid())
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    match row {
        Some(row) => user_from_row(&row),
        None => Err(DomainError::not_found(EntityKind::User, id)),
    }
}

/// Ordered by username (bytewise: the column's collation is "C"); the cursor is the last username.
pub async fn list_users(conn: &mut PgConnection, page: &PageRequest) -> DomainResult<Page<User>> {
    let mut query = QueryBuilder::<Postgres>::new("SELECT * FROM users WHERE 1 = 1");
    if let Some(after) = paging::after_username(page)? {
        query.push(" AND username > ").push_bind(after);
    }
    query.push(" ORDER BY username LIMIT ").push_bind(paging::fetch_limit(page));
    let rows = query.build().fetch_all(&mut *conn).await.map_err(storage)?;
    let items = rows.iter().map(user_from_row).collect::<DomainResult<Vec<_>>>()?;
    Ok(paging::page_of(items, page, |u| Cursor(u.fields.username.as_str().to_owned())))
}

pub async fn update_user(conn: &mut PgConnection, id: UserId, version: i64, fields: UserFields) -> DomainResult<User> {
    let id_uuid = id.as_uuid();
    let stored = records::current_meta(conn, Table::Users, id_uuid, Some(version)).await?;
    let meta = records::next_meta(&stored);
    sqlx::query(
        "UPDATE users SET username = $1, display_name = $2, is_admin = $3, disabled = $4, updated_at = $5, \
         version = $6 WHERE id = $7 AND version = $8",
    )
    .bind(fields.username.as_str())
    .bind(fields.display_name.as_str())
    .bind(fields.is_admin)
    .bind(fields.disabled)
    .bind(meta.updated_at)
    .bind(meta.version)
    .bind(id_uuid)
    .bind(stored.version)
    .execute(&mut *conn)
    .await
    .map_err(taken)?;
    if fields.disabled {
        end_sessions(conn, id).await?;
    }
    Ok(User { id, fields, meta })
}

pub async fn set_password(conn: &mut PgConnection, id: UserId, password_hash: &str) -> DomainResult<()> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(id.as_uuid())
        .execute(&mut *conn)
        .await
        .map_err(storage)?;
    end_sessions(conn, id).await
}

async fn end_sessions(conn: &mut PgConnection, user: UserId) -> DomainResult<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user.as_uuid())
        .execute(&mut *conn)
        .await
        .map_err(storage)?;
    Ok(())
}

pub async fn find_credentials(conn: &mut PgConnection, username: &Username) -> DomainResult<Option<(User, String)>> {
    let row = sqlx::query("SELECT * FROM users WHERE username = $1")
        .bind(username.as_str())
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    match row {
        Some(row) => Ok(Some((user_from_row(&row)?, columns::text(&row, "password_hash")?))),
        None => Ok(None),
    }
}

pub async fn create_session(conn: &mut PgConnection, session: &Session) -> DomainResult<()> {
    // Sign-ins also sweep their user's expired sessions, so the table does not grow forever.
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND expires_at <= $2")
        .bind(session.user_id.as_uuid())
        .bind(session.created_at)
        .execute(&mut *conn)
        .await
        .map_err(storage)?;
    sqlx::query(
        "INSERT INTO sessions (digest, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&session.digest)
    .bind(session.user_id.as_uuid())
    .bind(&session.csrf_token)
    .bind(session.created_at)
    .bind(session.expires_at)
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    Ok(())
}

/// One query, so the session and its user come from the same snapshot.
pub async fn find_session(conn: &mut PgConnection, digest: &str) -> DomainResult<Option<(Session, User)>> {
    let row = sqlx::query(
        "SELECT s.digest, s.csrf_token, s.created_at AS session_created_at, s.expires_at, u.* \
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.digest = $1",
    )
    .bind(digest)
    .fetch_optional(&mut *conn)
    .await
    .map_err(storage)?;
    let Some(row) = row else { return Ok(None) };
    let user = user_from_row(&row)?;
    let session = Session {
        digest: columns::text(&row, "digest")?,
        user_id: user.id,
        csrf_token: columns::text(&row, "csrf_token")?,
        created_at: columns::timestamp(&row, "session_created_at")?,
        expires_at: columns::timestamp(&row, "expires_at")?,
    };
    Ok(Some((session, user)))
}

pub async fn delete_session(conn: &mut PgConnection, digest: &str) -> DomainResult<()> {
    sqlx::query("DELETE FROM sessions WHERE digest = $1").bind(digest).execute(&mut *conn).await.map_err(storage)?;
    Ok(())
}

fn failures_from_row(row: &PgRow) -> DomainResult<LoginFailures> {
    Ok(LoginFailures {
        count: u32::try_from(columns::integer(row, "count")?).unwrap_or(u32::MAX),
        last_at: columns::timestamp(row, "last_at")?,
    })
}

pub async fn login_failures(conn: &mut PgConnection, username: &str) -> DomainResult<Option<LoginFailures>> {
    let row = sqlx::query("SELECT count, last_at FROM login_failures WHERE username = $1")
        .bind(username)
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    row.as_ref().map(failures_from_row).transpose()
}

/// One upsert statement: concurrent failures for one name each count (the row lock of
/// `ON CONFLICT DO UPDATE` serialises them) and each gets the count it made.
pub async fn record_login_failure(conn: &mut PgConnection, username: &str) -> DomainResult<LoginFailures> {
    let row = sqlx::query(
        "INSERT INTO login_failures (username, count, last_at) VALUES ($1, 1, $2) \
         ON CONFLICT (username) DO UPDATE SET count = login_failures.count + 1, last_at = EXCLUDED.last_at \
         RETURNING count, last_at",
    )
    .bind(username)
    .bind(now())
    .fetch_one(&mut *conn)
    .await
    .map_err(storage)?;
    failures_from_row(&row)
}

pub async fn clear_login_failures(conn: &mut PgConnection, username: &str) -> DomainResult<()> {
    sqlx::query("DELETE FROM login_failures WHERE username = $1")
        .bind(username)
        .execute(&mut *conn)
        .await
        .map_err(storage)?;
    Ok(())
}

fn token_from_row(row: &PgRow) -> DomainResult<ApiToken> {
    Ok(ApiToken {
        id: columns::id(row, "id")?,
        user_id: columns::id(row, "user_id")?,
        name: columns::name(row, "name")?,
        scope: columns::parsed("scope", TokenScope::parse("scope", &columns::text(row, "scope")?))?,
        prefix: columns::text(row, "prefix")?,
        created_at: columns::timestamp(row, "created_at")?,
        expires_at: columns::timestamp(row, "expires_at")?,
        revoked_at: columns::optional_timestamp(row, "revoked_at")?,
    })
}

pub async fn create_api_token(conn: &mut PgConnection, new: &NewApiToken) -> DomainResult<ApiToken> {
    let token = &new.token;
    if !records::exists(conn, Table::Users, token.user_id.as_uuid()).await? {
        return Err(DomainError::invalid("user_id", "not_found", format!("user {} does not exist", token.user_id)));
    }
    sqlx::query(
        "INSERT INTO api_tokens (id, user_id, name, scope, prefix, digest, created_at, expires_at, revoked_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL)",
    )
    .bind(token.id.as_uuid())
    .bind(token.user_id.as_uuid())
    .bind(token.name.as_str())
    .bind(token.scope.as_str())
    .bind(&token.prefix)
    .bind(&new.digest)
    .bind(token.created_at)
    .bind(token.expires_at)
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    Ok(token.clone())
}

pub async fn get_api_token(conn: &mut PgConnection, id: ApiTokenId) -> DomainResult<ApiToken> {
    let row = sqlx::query("SELECT * FROM api_tokens WHERE id = $1")
        .bind(id.as_uuid())
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    match row {
        Some(row) => token_from_row(&row),
        None => Err(DomainError::not_found(EntityKind::ApiToken, id)),
    }
}

pub async fn find_api_token(conn: &mut PgConnection, digest: &str) -> DomainResult<Option<(ApiToken, User)>> {
    let row = sqlx::query("SELECT * FROM api_tokens WHERE digest = $1")
        .bind(digest)
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    let Some(row) = row else { return Ok(None) };
    let token = token_from_row(&row)?;
    let user = get_user(conn, token.user_id).await?;
    Ok(Some((token, user)))
}

/// Newest first (UUID v7 ids order by creation).
pub async fn list_api_tokens(conn: &mut PgConnection, user: Option<UserId>) -> DomainResult<Vec<ApiToken>> {
    let mut query = QueryBuilder::<Postgres>::new("SELECT * FROM api_tokens WHERE 1 = 1");
    if let Some(user) = user {
        query.push(" AND user_id = ").push_bind(user.as_uuid());
    }
    query.push(" ORDER BY id DESC");
    let rows = query.build().fetch_all(&mut *conn).await.map_err(storage)?;
    rows.iter().map(token_from_row).collect()
}

/// Sets `revoked_at` unless already set (the first revocation's time is kept).
pub async fn revoke_api_token(conn: &mut PgConnection, id: ApiTokenId) -> DomainResult<ApiToken> {
    sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
        .bind(now())
        .bind(id.as_uuid())
        .execute(&mut *conn)
        .await
        .map_err(storage)?;
    get_api_token(conn, id).await
}
