//! Users, sessions, the login throttle and API tokens: the `users`, `sessions`,
//! `login_failures` and `api_tokens` tables.

use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use tandem_domain::accounts::{LoginFailures, TokenScope};
use tandem_domain::record::now;
use tandem_domain::{
    ApiToken, ApiTokenId, Cursor, DomainError, DomainResult, EntityKind, Meta, NewApiToken, Page, PageRequest, Session,
    User, UserFields, UserId, Username,
};

use crate::columns::{self, storage, timestamp_text};
use crate::paging;
use crate::records::{self, Table};

fn user_from_row(row: &SqliteRow) -> DomainResult<User> {
    Ok(User {
        id: columns::id(row, "id")?,
        fields: UserFields {
            username: columns::parsed("username", Username::parse("username", &columns::text(row, "username")?))?,
            display_name: columns::name(row, "display_name")?,
            is_admin: columns::integer(row, "is_admin")? != 0,
            disabled: columns::integer(row, "disabled")? != 0,
        },
        meta: columns::meta(row)?,
    })
}

/// A unique-index refusal on `username` as the domain's `taken`.
fn taken(error: sqlx::Error) -> DomainError {
    match &error {
        sqlx::Error::Database(e) if e.is_unique_violation() => {
            DomainError::invalid("username", "taken", "is already taken")
        }
        _ => storage(error),
    }
}

pub async fn count_users(conn: &mut SqliteConnection) -> DomainResult<u64> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM users").fetch_one(&mut *conn).await.map_err(storage)?;
    Ok(u64::try_from(columns::integer(&row, "n")?).unwrap_or(0))
}

pub async fn create_user(conn: &mut SqliteConnection, fields: UserFields, password_hash: &str) -> DomainResult<User> {
    let id = UserId::generate();
    let at = now();
    let meta = Meta { created_at: at, updated_at: at, version: 1 };
    sqlx::query(
        "INSERT INTO users (id, username, display_name, is_admin, disabled, password_hash, created_at, updated_at, \
         version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id.to_string())
    .bind(fields.username.as_str())
    .bind(fields.display_name.as_str())
    .bind(i64::from(fields.is_admin))
    .bind(i64::from(fields.disabled))
    .bind(password_hash)
    .bind(timestamp_text(at))
    .bind(timestamp_text(at))
    .bind(1_i64)
    .execute(&mut *conn)
    .await
    .map_err(taken)?;
    Ok(User { id, fields, meta })
}

pub async fn get_user(conn: &mut SqliteConnection, id: UserId) -> DomainResult<User> {
    let row = sqlx::query("SELECT * FROM users WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    match row {
        Some(row) => user_from_row(&row),
        None => Err(DomainError::not_found(EntityKind::User, id)),
    }
}

pub async fn list_users(conn: &mut SqliteConnection, page: &PageRequest) -> DomainResult<Page<User>> {
    let mut query = QueryBuilder::<Sqlite>::new("SELECT * FROM users WHERE 1 = 1");
    if let Some(after) = paging::after_username(page)? {
        query.push(" AND username > ").push_bind(after);
    }
    query.push(" ORDER BY username LIMIT ").push_bind(paging::fetch_limit(page));
    let rows = query.build().fetch_all(&mut *conn).await.map_err(storage)?;
    let items = rows.iter().map(user_from_row).collect::<DomainResult<Vec<_>>>()?;
    Ok(paging::page_of(items, page, |u| Cursor(u.fields.username.as_str().to_owned())))
}

pub async fn update_user(
    conn: &mut SqliteConnection,
    id: UserId,
    version: i64,
    fields: UserFields,
) -> DomainResult<User> {
    let id_text = id.to_string();
    let stored = records::current_meta(conn, Table::Users, &id_text, Some(version)).await?;
    let meta = records::next_meta(&stored);
    sqlx::query(
        "UPDATE users SET username = ?, display_name = ?, is_admin = ?, disabled = ?, updated_at = ?, version = ? \
         WHERE id = ? AND version = ?",
    )
    .bind(fields.username.as_str())
    .bind(fields.display_name.as_str())
    .bind(i64::from(fields.is_admin))
    .bind(i64::from(fields.disabled))
    .bind(timestamp_text(meta.updated_at))
    .bind(meta.version)
    .bind(&id_text)
    .bind(stored.version)
    .execute(&mut *conn)
    .await
    .map_err(taken)?;
    if fields.disabled {
        end_sessions(conn, id).await?;
    }
    Ok(User { id, fields, meta })
}

pub async fn set_password(conn: &mut SqliteConnection, id: UserId, password_hash: &str) -> DomainResult<()> {
    sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
        .bind(password_hash)
        .bind(id.to_string())
        .execute(&mut *conn)
        .await
        .map_err(storage)?;
    end_sessions(conn, id).await
}

async fn end_sessions(conn: &mut SqliteConnection, user: UserId) -> DomainResult<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = ?")
        .bind(user.to_string())
        .execute(&mut *conn)
        .await
        .map_err(storage)?;
    Ok(())
}

pub async fn find_credentials(
    conn: &mut SqliteConnection,
    username: &Username,
) -> DomainResult<Option<(User, String)>> {
    let row = sqlx::query("SELECT * FROM users WHERE username = ?")
        .bind(username.as_str())
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    match row {
        Some(row) => Ok(Some((user_from_row(&row)?, columns::text(&row, "password_hash")?))),
        None => Ok(None),
    }
}

pub async fn create_session(conn: &mut SqliteConnection, session: &Session) -> DomainResult<()> {
    // Sign-ins also sweep their user's expired sessions, so the table does not grow forever.
    sqlx::query("DELETE FROM sessions WHERE user_id = ? AND expires_at <= ?")
        .bind(session.user_id.to_string())
        .bind(timestamp_text(session.created_at))
        .execute(&mut *conn)
        .await
        .map_err(storage)?;
    sqlx::query("INSERT INTO sessions (digest, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)")
        .bind(&session.digest)
        .bind(session.user_id.to_string())
        .bind(&session.csrf_token)
        .bind(timestamp_text(session.created_at))
        .bind(timestamp_text(session.expires_at))
        .execute(&mut *conn)
        .await
        .map_err(storage)?;
    Ok(())
}

pub async fn find_session(conn: &mut SqliteConnection, digest: &str) -> DomainResult<Option<(Session, User)>> {
    let row = sqlx::query(
        "SELECT s.digest, s.csrf_token, s.created_at AS session_created_at, s.expires_at, u.* \
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.digest = ?",
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

pub async fn delete_session(conn: &mut SqliteConnection, digest: &str) -> DomainResult<()> {
    sqlx::query("DELETE FROM sessions WHERE digest = ?").bind(digest).execute(&mut *conn).await.map_err(storage)?;
    Ok(())
}

pub async fn login_failures(conn: &mut SqliteConnection, username: &str) -> DomainResult<Option<LoginFailures>> {
    let row = sqlx::query("SELECT count, last_at FROM login_failures WHERE username = ?")
        .bind(username)
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    match row {
        Some(row) => Ok(Some(LoginFailures {
            count: u32::try_from(columns::integer(&row, "count")?).unwrap_or(u32::MAX),
            last_at: columns::timestamp(&row, "last_at")?,
        })),
        None => Ok(None),
    }
}

pub async fn record_login_failure(conn: &mut SqliteConnection, username: &str) -> DomainResult<LoginFailures> {
    sqlx::query(
        "INSERT INTO login_failures (username, count, last_at) VALUES (?, 1, ?) \
         ON CONFLICT (username) DO UPDATE SET count = count + 1, last_at = excluded.last_at",
    )
    .bind(username)
    .bind(timestamp_text(now()))
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    login_failures(conn, username).await?.ok_or_else(|| columns::corrupt("login_failures", "row vanished"))
}

pub async fn clear_login_failures(conn: &mut SqliteConnection, username: &str) -> DomainResult<()> {
    sqlx::query("DELETE FROM login_failures WHERE username = ?")
        .bind(username)
        .execute(&mut *conn)
        .await
        .map_err(storage)?;
    Ok(())
}

fn token_from_row(row: &SqliteRow) -> DomainResult<ApiToken> {
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

pub async fn create_api_token(conn: &mut SqliteConnection, new: &NewApiToken) -> DomainResult<ApiToken> {
    let token = &new.token;
    if !records::exists(conn, Table::Users, &token.user_id.to_string()).await? {
        return Err(DomainError::invalid("user_id", "not_found", format!("user {} does not exist", token.user_id)));
    }
    sqlx::query(
        "INSERT INTO api_tokens (id, user_id, name, scope, prefix, digest, created_at, expires_at, revoked_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)",
    )
    .bind(token.id.to_string())
    .bind(token.user_id.to_string())
    .bind(token.name.as_str())
    .bind(token.scope.as_str())
    .bind(&token.prefix)
    .bind(&new.digest)
    .bind(timestamp_text(token.created_at))
    .bind(timestamp_text(token.expires_at))
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    Ok(token.clone())
}

pub async fn get_api_token(conn: &mut SqliteConnection, id: ApiTokenId) -> DomainResult<ApiToken> {
    let row = sqlx::query("SELECT * FROM api_tokens WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    match row {
        Some(row) => token_from_row(&row),
        None => Err(DomainError::not_found(EntityKind::ApiToken, id)),
    }
}

pub async fn find_api_token(conn: &mut SqliteConnection, digest: &str) -> DomainResult<Option<(ApiToken, User)>> {
    let row = sqlx::query("SELECT * FROM api_tokens WHERE digest = ?")
        .bind(digest)
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    let Some(row) = row else { return Ok(None) };
    let token = token_from_row(&row)?;
    let user = get_user(conn, token.user_id).await?;
    Ok(Some((token, user)))
}

pub async fn list_api_tokens(conn: &mut SqliteConnection, user: Option<UserId>) -> DomainResult<Vec<ApiToken>> {
    let mut query = QueryBuilder::<Sqlite>::new("SELECT * FROM api_tokens WHERE 1 = 1");
    if let Some(user) = user {
        query.push(" AND user_id = ").push_bind(user.to_string());
    }
    query.push(" ORDER BY id DESC");
    let rows = query.build().fetch_all(&mut *conn).await.map_err(storage)?;
    rows.iter().map(token_from_row).collect()
}

pub async fn revoke_api_token(conn: &mut SqliteConnection, id: ApiTokenId) -> DomainResult<ApiToken> {
    sqlx::query("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
        .bind(timestamp_text(now()))
        .bind(id.to_string())
        .execute(&mut *conn)
        .await
        .map_err(storage)?;
    get_api_token(conn, id).await
}
