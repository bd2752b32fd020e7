//! Operations every table shares: existence, the optimistic version check, counting references
//! and deleting a row. Each takes the caller's transaction.

use sqlx::{AssertSqlSafe, PgConnection, Row};
use tandem_domain::{DomainError, DomainResult, EntityKind, Meta, ValidationErrors};

use uuid::Uuid;

use crate::columns::{meta, storage};

/// The tables holding records; the names are the only text spliced into SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Programs,
    Projects,
    Products,
    Teams,
    WorkItems,
    Milestones,
    Dependencies,
    Risks,
    Users,
    Grants,
    ApiTokens,
    // Product strategy: objectives and key results.
    Objectives,
    // Feedback and research.
    Segments,
    Insights,
    // Experiments: A/B tests.
    Experiments,
    // Product metrics.
    MetricPoints,
}

impl Table {
    pub fn name(self) -> &'static str {
        match self {
            Table::Programs => "programs",
            Table::Projects => "projects",
            Table::Products => "products",
            Table::Teams => "teams",
            Table::WorkItems => "work_items",
            Table::Milestones => "milestones",
            Table::Dependencies => "dependencies",
            Table::Risks => "risks",
            Table::Users => "users",
            Table::Grants => "grants",
            Table::ApiTokens => "api_tokens",
            Table::Objectives => "objectives",
            Table::Segments => "segments",
            Table::Insights => "insights",
            Table::Experiments => "experiments",
            Table::MetricPoints => "metric_points",
        }
    }

    pub fn entity(self) -> EntityKind {
        match self {
            Table::Programs => EntityKind::Program,
            Table::Projects => EntityKind::Project,
            Table::Products => EntityKind::Product,
            Table::Teams => EntityKind::Team,
            Table::WorkItems => EntityKind::WorkItem,
            Table::Milestones => EntityKind::Milestone,
            Table::Dependencies => EntityKind::Dependency,
            Table::Risks => EntityKind::Risk,
            Table::Users => EntityKind::User,
            Table::Grants => EntityKind::Grant,
            Table::ApiTokens => EntityKind::ApiToken,
            Table::Objectives => EntityKind::Objective,
            Table::Segments => EntityKind::Segment,
            Table::Insights => EntityKind::Insight,
            Table::Experiments => EntityKind::Experiment,
            Table::MetricPoints => EntityKind::MetricPoint,
        }
    }
}

pub async fn exists(conn: &mut PgConnection, table: Table, id: Uuid) -> DomainResult<bool> {
    let sql = format!("SELECT 1 FROM {} WHERE id = $1", table.name());
    let row = sqlx::query(AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *conn).await.map_err(storage)?;
    Ok(row.is_some())
}

/// Locks a row about to be changed or deleted until the transaction ends (`NotFound` when there
/// is no such row), so what the write reads of it first (the audit trail's "before") is still
/// what it changes.
pub async fn lock(conn: &mut PgConnection, table: Table, id: Uuid) -> DomainResult<()> {
    let sql = format!("SELECT 1 FROM {} WHERE id = $1 FOR UPDATE", table.name());
    let row = sqlx::query(AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *conn).await.map_err(storage)?;
    match row {
        Some(_) => Ok(()),
        None => Err(DomainError::not_found(table.entity(), id)),
    }
}

/// The stored bookkeeping of a row about to be changed, locked until the transaction ends: `NotFound` when there is no such row,
/// `VersionConflict` when `expected` is given and differs from the stored version.
pub async fn current_meta(
    conn: &mut PgConnection,
    table: Table,
    id: Uuid,
    expected: Option<i64>,
) -> DomainResult<Meta> {
    let sql = format!("SELECT created_at, updated_at, version FROM {} WHERE id = $1 FOR UPDATE", table.name());
    let row = sqlx::query(AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *conn).await.map_err(storage)?;
    let Some(row) = row else {
        return Err(DomainError::not_found(table.entity(), id));
    };
    let stored = meta(&row)?;
    match expected {
        Some(expected) if expected != stored.version => Err(DomainError::VersionConflict {
            entity: table.entity(),
            id: id.to_string(),
            expected,
            actual: stored.version,
        }),
        _ => Ok(stored),
    }
}

/// The bookkeeping after one more successful update of a row that had `stored`.
pub fn next_meta(stored: &Meta) -> Meta {
    Meta { created_at: stored.created_at, updated_at: tandem_domain::record::now(), version: stored.version + 1 }
}

/// How many rows of `table` have `column = id`.
pub async fn count_referencing(
    conn: &mut PgConnection,
    table: Table,
    column: &'static str,
    id: Uuid,
) -> DomainResult<i64> {
    let sql = format!("SELECT COUNT(*) AS n FROM {} WHERE {column} = $1", table.name());
    let row = sqlx::query(AssertSqlSafe(sql)).bind(id).fetch_one(&mut *conn).await.map_err(storage)?;
    row.try_get::<i64, _>("n").map_err(storage)
}

/// "1 project" / "3 projects".
pub fn counted(n: i64, singular: &str, plural: &str) -> String {
    if n == 1 { format!("1 {singular}") } else { format!("{n} {plural}") }
}

/// "a", "a and b", "a, b and c".
pub fn and_list(parts: &[String]) -> String {
    match parts.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

pub fn in_use(table: Table, id: Uuid, reason: String) -> DomainError {
    DomainError::InUse { entity: table.entity(), id: id.to_string(), reason }
}

/// Deletes a row whose existence, version and references the caller has checked. A foreign key
/// refusal here means a reference the checks did not cover; it is still reported as `InUse`.
pub async fn delete(conn: &mut PgConnection, table: Table, id: Uuid) -> DomainResult<()> {
    let sql = format!("DELETE FROM {} WHERE id = $1", table.name());
    match sqlx::query(AssertSqlSafe(sql)).bind(id).execute(&mut *conn).await {
        Ok(_) => Ok(()),
        Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => {
            Err(in_use(table, id, "other records still refer to it".to_owned()))
        }
        Err(e) => Err(storage(e)),
    }
}

/// Checks that a referenced row exists; when it does not, records `Validation` on `field` with
/// code `not_found` and returns false.
pub async fn check_reference(
    conn: &mut PgConnection,
    errors: &mut ValidationErrors,
    table: Table,
    field: &'static str,
    id: Uuid,
) -> DomainResult<bool> {
    if exists(conn, table, id).await? {
        return Ok(true);
    }
    errors.add(field, "not_found", format!("{} {id} does not exist", table.entity()));
    Ok(false)
}

/// Rules whose check reads many rows (a whole graph) rather than one: writes that could break
/// them take the rule's transaction-scoped advisory lock, so they run one at a time.
#[derive(Debug, Clone, Copy)]
pub enum GraphRule {
    /// No dependency closes a cycle.
    AcyclicDependencies,
    /// No work item is its own ancestor.
    AcyclicParents,
}

pub async fn lock_rule(conn: &mut PgConnection, rule: GraphRule) -> DomainResult<()> {
    // Arbitrary but fixed keys, unique to Tandem's schema ("tandem" in ASCII, then the rule).
    let key: i64 = match rule {
        GraphRule::AcyclicDependencies => 0x7461_6e64_656d_0001,
        GraphRule::AcyclicParents => 0x7461_6e64_656d_0002,
    };
    sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(key).execute(&mut *conn).await.map_err(storage)?;
    Ok(())
}
