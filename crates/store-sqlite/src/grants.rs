//! Role grants: the `grants` table. One column per scope kind, so each carries a real foreign key.

use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use tandem_domain::access::{Grant, GrantFilter, GrantScope, Role};
use tandem_domain::record::now;
use tandem_domain::{Actor, AuditEvent, DomainError, DomainResult, EntityKind, GrantId, UserId};

use crate::audit;
use crate::columns::{self, storage, timestamp_text};
use crate::records::{self, Table};

fn from_row(row: &SqliteRow) -> DomainResult<Grant> {
    let program = columns::optional_id(row, "program_id")?;
    let project = columns::optional_id(row, "project_id")?;
    let product = columns::optional_id(row, "product_id")?;
    let scope = match (program, project, product) {
        (Some(id), None, None) => GrantScope::Program(id),
        (None, Some(id), None) => GrantScope::Project(id),
        (None, None, Some(id)) => GrantScope::Product(id),
        _ => return Err(columns::corrupt("grants", "a grant must name exactly one scope")),
    };
    Ok(Grant {
        id: columns::id(row, "id")?,
        user_id: columns::id(row, "user_id")?,
        scope,
        role: columns::parsed("role", Role::parse("role", &columns::text(row, "role")?))?,
        created_at: columns::timestamp(row, "created_at")?,
    })
}

/// The column naming a scope of this kind, and its table.
fn scope_column(scope: GrantScope) -> (&'static str, Table) {
    match scope {
        GrantScope::Program(_) => ("program_id", Table::Programs),
        GrantScope::Project(_) => ("project_id", Table::Projects),
        GrantScope::Product(_) => ("product_id", Table::Products),
    }
}

pub async fn create(
    conn: &mut SqliteConnection,
    user_id: UserId,
    scope: GrantScope,
    role: Role,
) -> DomainResult<Grant> {
    let (column, table) = scope_column(scope);
    if !records::exists(conn, Table::Users, &user_id.to_string()).await? {
        return Err(DomainError::invalid("user_id", "not_found", format!("user {user_id} does not exist")));
    }
    if !records::exists(conn, table, &scope.id_string()).await? {
        return Err(DomainError::invalid("scope_id", "not_found", format!("{scope} does not exist")));
    }
    let existing = list(conn, &GrantFilter { user: Some(user_id), scope: Some(scope) }).await?;
    if !existing.is_empty() {
        return Err(DomainError::invalid(
            "user_id",
            "duplicate",
            format!("the user already has a role on this {}", scope.kind_str()),
        ));
    }
    let grant = Grant { id: GrantId::generate(), user_id, scope, role, created_at: now() };
    let sql = format!("INSERT INTO grants (id, user_id, {column}, role, created_at) VALUES (?, ?, ?, ?, ?)");
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(grant.id.to_string())
        .bind(user_id.to_string())
        .bind(scope.id_string())
        .bind(role.as_str())
        .bind(timestamp_text(grant.created_at))
        .execute(&mut *conn)
        .await
        .map_err(storage)?;
    Ok(grant)
}

pub async fn get(conn: &mut SqliteConnection, id: GrantId) -> DomainResult<Grant> {
    let row = sqlx::query("SELECT * FROM grants WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    match row {
        Some(row) => from_row(&row),
        None => Err(DomainError::not_found(EntityKind::Grant, id)),
    }
}

pub async fn delete(conn: &mut SqliteConnection, id: GrantId) -> DomainResult<()> {
    sqlx::query("DELETE FROM grants WHERE id = ?").bind(id.to_string()).execute(&mut *conn).await.map_err(storage)?;
    Ok(())
}

pub async fn list(conn: &mut SqliteConnection, filter: &GrantFilter) -> DomainResult<Vec<Grant>> {
    let mut query = QueryBuilder::<Sqlite>::new("SELECT * FROM grants WHERE 1 = 1");
    if let Some(user) = filter.user {
        query.push(" AND user_id = ").push_bind(user.to_string());
    }
    if let Some(scope) = filter.scope {
        let (column, _) = scope_column(scope);
        query.push(format!(" AND {column} = ")).push_bind(scope.id_string());
    }
    query.push(" ORDER BY id");
    let rows = query.build().fetch_all(&mut *conn).await.map_err(storage)?;
    rows.iter().map(from_row).collect()
}

/// Deletes the grants on a scope about to be deleted, each with its audit event (the foreign
/// key would cascade silently).
pub async fn delete_for_scope(conn: &mut SqliteConnection, actor: &Actor, scope: GrantScope) -> DomainResult<()> {
    for grant in list(conn, &GrantFilter { user: None, scope: Some(scope) }).await? {
        delete(conn, grant.id).await?;
        audit::append(conn, &AuditEvent::deleted(actor, &grant)).await?;
    }
    Ok(())
}
