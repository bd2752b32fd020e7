//! Dependencies: the `dependencies` table, and the node summaries used to describe their ends.
//! A new dependency's ends must exist, the pair must be new, and it must close no cycle.

use std::collections::HashMap;

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Postgres, QueryBuilder, Row};
use tandem_domain::graph::{cycle_closed_by, cycle_error};
use tandem_domain::record::now;
use tandem_domain::{
    Cursor, Dependency, DependencyFields, DependencyFilter, DependencyId, DependencyKind, DomainError, DomainResult,
    EntityKind, Lag, Meta, NodeRef, NodeSummary, Page, PageRequest, ValidationErrors,
};
use uuid::Uuid;

use crate::columns::{self, storage};
use crate::paging;
use crate::records::{self, Table};
use crate::visibility;

/// Reads one end from its pair of columns (exactly one is set).
fn end(row: &PgRow, work_item_column: &'static str, milestone_column: &'static str) -> DomainResult<NodeRef> {
    match (columns::optional_id(row, work_item_column)?, columns::optional_id(row, milestone_column)?) {
        (Some(work_item), None) => Ok(NodeRef::WorkItem(work_item)),
        (None, Some(milestone)) => Ok(NodeRef::Milestone(milestone)),
        _ => Err(columns::corrupt(work_item_column, "a dependency end must be a work item or a milestone")),
    }
}

/// The (work item, milestone) column values of an end.
fn end_columns(node: NodeRef) -> (Option<Uuid>, Option<Uuid>) {
    match node {
        NodeRef::WorkItem(id) => (Some(id.as_uuid()), None),
        NodeRef::Milestone(id) => (None, Some(id.as_uuid())),
    }
}

fn node_uuid(node: NodeRef) -> Uuid {
    match node {
        NodeRef::WorkItem(id) => id.as_uuid(),
        NodeRef::Milestone(id) => id.as_uuid(),
    }
}

fn ends(row: &PgRow) -> DomainResult<(NodeRef, NodeRef)> {
    Ok((
        end(row, "predecessor_work_item_id", "predecessor_milestone_id")?,
        end(row, "successor_work_item_id", "successor_milestone_id")?,
    ))
}

fn from_row(row: &PgRow) -> DomainResult<Dependency> {
    let (predecessor, successor) = ends(row)?;
    Ok(Dependency {
        id: columns::id(row, "id")?,
        fields: DependencyFields {
            predecessor,
            successor,
            kind: columns::parsed("kind", DependencyKind::parse("kind", &columns::text(row, "kind")?))?,
            lag: columns::parsed("lag_days", Lag::parse("lag_days", columns::integer(row, "lag_days")?))?,
        },
        meta: columns::meta(row)?,
    })
}

async fn check_end(
    conn: &mut PgConnection,
    errors: &mut ValidationErrors,
    field: &'static str,
    node: NodeRef,
) -> DomainResult<bool> {
    match node {
        NodeRef::WorkItem(id) => records::check_reference(conn, errors, Table::WorkItems, field, id.as_uuid()).await,
        NodeRef::Milestone(id) => records::check_reference(conn, errors, Table::Milestones, field, id.as_uuid()).await,
    }
}

/// Every dependency edge, as (predecessor, successor).
async fn all_edges(conn: &mut PgConnection) -> DomainResult<Vec<(NodeRef, NodeRef)>> {
    let rows = sqlx::query(
        "SELECT predecessor_work_item_id, predecessor_milestone_id, successor_work_item_id, successor_milestone_id \
         FROM dependencies",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(storage)?;
    rows.iter().map(ends).collect()
}

pub async fn create(conn: &mut PgConnection, fields: DependencyFields) -> DomainResult<Dependency> {
    // Held until commit: the edges read for the cycle check cannot change before this one is added.
    records::lock_rule(conn, records::GraphRule::AcyclicDependencies).await?;
    let mut errors = ValidationErrors::new();
    check_end(conn, &mut errors, "predecessor", fields.predecessor).await?;
    check_end(conn, &mut errors, "successor", fields.successor).await?;
    errors.into_result()?;

    let duplicate = sqlx::query(
        "SELECT 1 FROM dependencies \
         WHERE COALESCE(predecessor_work_item_id, predecessor_milestone_id) = $1 \
         AND COALESCE(successor_work_item_id, successor_milestone_id) = $2",
    )
    .bind(node_uuid(fields.predecessor))
    .bind(node_uuid(fields.successor))
    .fetch_optional(&mut *conn)
    .await
    .map_err(storage)?;
    if duplicate.is_some() {
        return Err(DomainError::invalid(
            "successor",
            "duplicate",
            format!("{} already depends on {}", fields.successor, fields.predecessor),
        ));
    }

    let edges = all_edges(conn).await?;
    if let Some(cycle) = cycle_closed_by(&edges, fields.predecessor, fields.successor) {
        return Err(cycle_error(&summaries(conn, &cycle).await?));
    }

    let id = DependencyId::generate();
    let at = now();
    let meta = Meta { created_at: at, updated_at: at, version: 1 };
    let (predecessor_work_item, predecessor_milestone) = end_columns(fields.predecessor);
    let (successor_work_item, successor_milestone) = end_columns(fields.successor);
    sqlx::query(
        "INSERT INTO dependencies (id, predecessor_work_item_id, predecessor_milestone_id, successor_work_item_id, \
         successor_milestone_id, kind, lag_days, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id.as_uuid())
    .bind(predecessor_work_item)
    .bind(predecessor_milestone)
    .bind(successor_work_item)
    .bind(successor_milestone)
    .bind(fields.kind.as_str())
    .bind(i64::from(fields.lag.days()))
    .bind(meta.created_at)
    .bind(meta.updated_at)
    .bind(meta.version)
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    Ok(Dependency { id, fields, meta })
}

pub async fn get(conn: &mut PgConnection, id: DependencyId) -> DomainResult<Dependency> {
    let row = sqlx::query("SELECT * FROM dependencies WHERE id = $1")
        .bind(id.as_uuid())
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    match row {
        Some(row) => from_row(&row),
        None => Err(DomainError::not_found(EntityKind::Dependency, id)),
    }
}

pub async fn update(
    conn: &mut PgConnection,
    id: DependencyId,
    version: i64,
    fields: DependencyFields,
) -> DomainResult<Dependency> {
    let id_uuid = id.as_uuid();
    let stored_meta = records::current_meta(conn, Table::Dependencies, id_uuid, Some(version)).await?;
    let stored = get(conn, id).await?;
    let mut errors = ValidationErrors::new();
    let immutable = "cannot be changed: delete the dependency and create another instead";
    if fields.predecessor != stored.fields.predecessor {
        errors.add("predecessor", "immutable", immutable);
    }
    if fields.successor != stored.fields.successor {
        errors.add("successor", "immutable", immutable);
    }
    errors.into_result()?;
    let meta = records::next_meta(&stored_meta);
    sqlx::query("UPDATE dependencies SET kind = $1, lag_days = $2, updated_at = $3, version = $4 WHERE id = $5 AND version = $6")
        .bind(fields.kind.as_str())
        .bind(i64::from(fields.lag.days()))
        .bind(meta.updated_at)
        .bind(meta.version)
        .bind(id_uuid)
        .bind(stored_meta.version)
        .execute(&mut *conn)
        .await
        .map_err(storage)?;
    Ok(Dependency { id, fields, meta })
}

pub async fn delete(conn: &mut PgConnection, id: DependencyId, version: Option<i64>) -> DomainResult<()> {
    let id_uuid = id.as_uuid();
    records::current_meta(conn, Table::Dependencies, id_uuid, version).await?;
    records::delete(conn, Table::Dependencies, id_uuid).await
}

pub async fn list(
    conn: &mut PgConnection,
    filter: &DependencyFilter,
    page: &PageRequest,
) -> DomainResult<Page<Dependency>> {
    let after = paging::after_id(page)?;
    let mut query = QueryBuilder::<Postgres>::new("SELECT * FROM dependency_ends WHERE 1 = 1");
    if let Some(program) = filter.program {
        let program = program.as_uuid();
        query.push(" AND (predecessor_project_id IN (SELECT id FROM projects WHERE program_id = ").push_bind(program);
        query.push(") OR successor_project_id IN (SELECT id FROM projects WHERE program_id = ").push_bind(program);
        query.push("))");
    }
    if let Some(project) = filter.project {
        let project = project.as_uuid();
        query.push(" AND (predecessor_project_id = ").push_bind(project);
        query.push(" OR successor_project_id = ").push_bind(project).push(")");
    }
    if let Some(node) = filter.node {
        let (predecessor_column, successor_column) = match node {
            NodeRef::WorkItem(_) => ("predecessor_work_item_id", "successor_work_item_id"),
            NodeRef::Milestone(_) => ("predecessor_milestone_id", "successor_milestone_id"),
        };
        query.push(format!(" AND ({predecessor_column} = ")).push_bind(node_uuid(node));
        query.push(format!(" OR {successor_column} = ")).push_bind(node_uuid(node)).push(")");
    }
    // Cross-project: both ends lie in a project and the projects differ (an end without a
    // project, a product-only work item, is in no project and so never "across").
    if filter.cross_project_only {
        query.push(
            " AND predecessor_project_id IS NOT NULL AND successor_project_id IS NOT NULL \
             AND predecessor_project_id <> successor_project_id",
        );
    }
    if let Some(visible) = &filter.visible {
        visibility::dependencies(&mut query, visible);
    }
    if let Some(after) = after {
        query.push(" AND id > ").push_bind(after);
    }
    query.push(" ORDER BY id LIMIT ").push_bind(paging::fetch_limit(page));
    let rows = query.build().fetch_all(&mut *conn).await.map_err(storage)?;
    let items = rows.iter().map(from_row).collect::<DomainResult<Vec<_>>>()?;
    Ok(paging::page_of(items, page, |d| Cursor(d.id.to_string())))
}

/// Titles and projects of `nodes`, in the given order (repeats included); unknown nodes left out.
pub async fn summaries(conn: &mut PgConnection, nodes: &[NodeRef]) -> DomainResult<Vec<NodeSummary>> {
    let mut found: HashMap<NodeRef, Option<NodeSummary>> = HashMap::new();
    let mut result = Vec::with_capacity(nodes.len());
    for &node in nodes {
        let known = match found.get(&node) {
            Some(known) => known.clone(),
            None => {
                let looked_up = summary(conn, node).await?;
                found.insert(node, looked_up.clone());
                looked_up
            }
        };
        result.extend(known);
    }
    Ok(result)
}

async fn summary(conn: &mut PgConnection, node: NodeRef) -> DomainResult<Option<NodeSummary>> {
    let sql = match node {
        NodeRef::WorkItem(_) => "SELECT title, project_id FROM work_items WHERE id = $1",
        NodeRef::Milestone(_) => "SELECT name AS title, project_id FROM milestones WHERE id = $1",
    };
    let row = sqlx::query(sql).bind(node_uuid(node)).fetch_optional(&mut *conn).await.map_err(storage)?;
    let Some(row) = row else {
        return Ok(None);
    };
    let title = row.try_get::<String, _>("title").map_err(storage)?;
    Ok(Some(NodeSummary { node, title, project_id: columns::optional_id(&row, "project_id")? }))
}

/// Every dependency touching `node`, for the audit events of a cascading delete.
pub async fn touching(conn: &mut PgConnection, node: NodeRef) -> DomainResult<Vec<Dependency>> {
    let filter = DependencyFilter { node: Some(node), ..DependencyFilter::default() };
    let mut page = PageRequest::first(PageRequest::MAX_LIMIT);
    let mut all = Vec::new();
    loop {
        let found = list(conn, &filter, &page).await?;
        all.extend(found.items);
        match found.next_cursor {
            Some(cursor) => page.after = Some(cursor),
            None => return Ok(all),
        }
    }
}
