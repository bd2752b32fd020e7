//! Role grants: the `grants` table. One column per scope kind, so each carries a real foreign key.

use sqlx::postgres::PgRow;
use sqlx::{AssertSqlSafe, PgConnection, Postgres, QueryBuilder};
use tandem_domain::access::{Grant, GrantFilter, GrantScope, Role};
use tandem_domain::record::now;
use tandem_domain::{Actor, AuditEvent, DomainError, DomainResult, EntityKind, GrantId, UserId};
use uuid::Uuid;

use crate::audit;
use crate::columns::{self, storage};
use crate::records::{self, Table};

fn from_row(row: &PgRow) -> DomainResult<Grant> {
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

fn scope_uuid(scope: GrantScope) -> Uuid {
    match scope {
        GrantScope::Program(id) => id.as_uuid(),
        GrantScope::Project(id) => id.as_uuid(),
        GrantScope::Product(id) => id.as_uuid(),
    }
}

fn duplicate(scope: GrantScope) -> DomainError {
    DomainError::invalid("user_id", "duplicate", format!("the user already has a role on this {}", scope.kind_str()))
}

pub async fn create(conn: &mut PgConnection, user_id: UserId, scope: GrantScope, role: Role) -> DomainResult<Grant> {
    let (column, table) = scope_column(scope);
    if !records::exists(conn, Table::Users, user_id.as_uuid()).await? {
        return Err(DomainError::invalid("user_id", "not_found", format!("user {user_id} does not exist")));
    }
    if !records::exists(conn, table, scope_uuid(scope)).await? {
        return Err(DomainError::invalid("scope_id", "not_found", format!("{scope} does not exist")));
    }
    let existing = list(conn, &GrantFilter { user: Some(user_id), scope: Some(scope) }).await?;
    if !existing.is_empty() {
        return Err(duplicate(scope));
    }
    let grant = Grant { id: GrantId::generate(), user_id, scope, role, created_at: now() };
    let sql = format!("INSERT INTO grants (id, user_id, {column}, role, created_at) VALUES ($1, $2, $3, $4, $5)");
    let inserted = sqlx::query(AssertSqlSafe(sql))
        .bind(grant.id.as_uuid())
        .bind(user_id.as_uuid())
        .bind(scope_uuid(scope))
        .bind(role.as_str())
        .bind(grant.created_at)
        .execute(&mut *conn)
        .await;
    match inserted {
        Ok(_) => Ok(grant),
        // A concurrent grant of the same scope committed after the check above.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(duplicate(scope)),
        Err(e) => Err(storage(e)),
    }
}

pub async fn get(conn: &mut PgConnection, id: GrantId) -> DomainResult<Grant> {
    let row = sqlx::query("SELECT * FROM grants WHERE id = $1")
        .bind(id.as_uuid())
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    match row {
        Some(row) => from_row(&row),
        None => Err(DomainError::not_found(EntityKind::Grant, id)),
    }
}

pub async fn delete(conn: &mut PgConnection, id: GrantId) -> DomainResult<()> {
    sqlx::query("DELETE FROM grants WHERE id = $1").bind(id.as_uuid()).execute(&mut *conn).await.map_err(storage)?;
    Ok(())
}

pub async fn list(conn: &mut PgConnection, filter: &GrantFilter) -> DomainResult<Vec<Grant>> {
    let mut query = QueryBuilder::<Postgres>::new("SELECT * FROM grants WHERE 1 = 1");
    if let Some(user) = filter.user {
        query.push(" AND user_id = ").push_bind(user.as_uuid());
    }
    if let Some(scope) = filter.scope {
        let (column, _) = scope_column(scope);
        query.push(format!(" AND {column} = ")).push_bind(scope_uuid(scope));
    }
    query.push(" ORDER BY id");
    let rows = query.build().fetch_all(&mut *conn).await.map_err(storage)?;
    rows.iter().map(from_row).collect()
}

/// Deletes the grants on a scope about to be deleted, each with its audit event (the foreign
/// key would cascade silently). The caller holds the scope's row lock, so no grant on it can be
/// added before the scope goes.
pub async fn delete_for_scope(conn: &mut PgConnection, actor: &Actor, scope: GrantScope) -> DomainResult<()> {
    for grant in list(conn, &GrantFilter { user: None, scope: Some(scope) }).await? {
        delete(conn, grant.id).await?;
        audit::append(conn, &AuditEvent::deleted(actor, &grant)).await?;
    }
    Ok(())
}
