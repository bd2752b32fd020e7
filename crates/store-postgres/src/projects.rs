//! Projects: the `projects` table.

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Postgres, QueryBuilder};
use tandem_domain::record::now;
use tandem_domain::{
    Cursor, DomainError, DomainResult, EntityKind, Meta, Money, Page, PageRequest, Project, ProjectFields,
    ProjectFilter, ProjectId, ValidationErrors,
};

use crate::columns::{self, storage};
use crate::paging;
use crate::records::{self, Table};
use crate::visibility;

fn from_row(row: &PgRow) -> DomainResult<Project> {
    let budget = columns::optional_integer(row, "budget")?;
    Ok(Project {
        id: columns::id(row, "id")?,
        fields: ProjectFields {
            program_id: columns::id(row, "program_id")?,
            name: columns::name(row, "name")?,
            description: columns::long_text(row, "description")?,
            manager: columns::optional_name(row, "manager")?,
            start: columns::date(row, "start_date")?,
            budget: columns::parsed("budget", budget.map(|b| Money::parse("budget", b)).transpose())?,
        },
        meta: columns::meta(row)?,
    })
}

async fn check_references(conn: &mut PgConnection, fields: &ProjectFields) -> DomainResult<()> {
    let mut errors = ValidationErrors::new();
    records::check_reference(conn, &mut errors, Table::Programs, "program_id", fields.program_id.as_uuid()).await?;
    errors.into_result().map_err(DomainError::from)
}

pub async fn create(conn: &mut PgConnection, fields: ProjectFields) -> DomainResult<Project> {
    check_references(conn, &fields).await?;
    let id = ProjectId::generate();
    let at = now();
    let meta = Meta { created_at: at, updated_at: at, version: 1 };
    sqlx::query(
        "INSERT INTO projects (id, program_id, name, description, manager, start_date, budget, \
         created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id.as_uuid())
    .bind(fields.program_id.as_uuid())
    .bind(fields.name.as_str())
    .bind(fields.description.as_str())
    .bind(fields.manager.as_ref().map(|m| m.as_str()))
    .bind(fields.start)
    .bind(fields.budget.map(Money::amount))
    .bind(meta.created_at)
    .bind(meta.updated_at)
    .bind(meta.version)
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    Ok(Project { id, fields, meta })
}

pub async fn get(conn: &mut PgConnection, id: ProjectId) -> DomainResult<Project> {
    let row = sqlx::query("SELECT * FROM projects WHERE id = $1")
        .bind(id.as_uuid())
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    match row {
        Some(row) => from_row(&row),
        None => Err(DomainError::not_found(EntityKind::Project, id)),
    }
}

pub async fn update(
    conn: &mut PgConnection,
    id: ProjectId,
    version: i64,
    fields: ProjectFields,
) -> DomainResult<Project> {
    let id_uuid = id.as_uuid();
    let stored = records::current_meta(conn, Table::Projects, id_uuid, Some(version)).await?;
    check_references(conn, &fields).await?;
    let meta = records::next_meta(&stored);
    sqlx::query(
        "UPDATE projects SET program_id = $1, name = $2, description = $3, manager = $4, start_date = $5, budget = $6, \
         updated_at = $7, version = $8 WHERE id = $9 AND version = $10",
    )
    .bind(fields.program_id.as_uuid())
    .bind(fields.name.as_str())
    .bind(fields.description.as_str())
    .bind(fields.manager.as_ref().map(|m| m.as_str()))
    .bind(fields.start)
    .bind(fields.budget.map(Money::amount))
    .bind(meta.updated_at)
    .bind(meta.version)
    .bind(id_uuid)
    .bind(stored.version)
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    Ok(Project { id, fields, meta })
}

/// The checks of a delete (version, what still refers to the record), before anything goes.
pub async fn check_delete(conn: &mut PgConnection, id: ProjectId, version: Option<i64>) -> DomainResult<()> {
    let id_uuid = id.as_uuid();
    records::current_meta(conn, Table::Projects, id_uuid, version).await?;
    let work_items = records::count_referencing(conn, Table::WorkItems, "project_id", id_uuid).await?;
    let milestones = records::count_referencing(conn, Table::Milestones, "project_id", id_uuid).await?;
    let risks = records::count_referencing(conn, Table::Risks, "project_id", id_uuid).await?;
    let mut holds = Vec::new();
    if work_items > 0 {
        holds.push(records::counted(work_items, "work item", "work items"));
    }
    if milestones > 0 {
        holds.push(records::counted(milestones, "milestone", "milestones"));
    }
    if risks > 0 {
        holds.push(records::counted(risks, "risk", "risks"));
    }
    if !holds.is_empty() {
        let reason = format!("it still has {}", records::and_list(&holds));
        return Err(records::in_use(Table::Projects, id_uuid, reason));
    }
    Ok(())
}

/// Deletes the row; the caller ran [`check_delete`] in the same transaction first (and removed
/// what goes with the record, with its audit events).
pub async fn delete(conn: &mut PgConnection, id: ProjectId) -> DomainResult<()> {
    records::delete(conn, Table::Projects, id.as_uuid()).await
}

pub async fn list(conn: &mut PgConnection, filter: &ProjectFilter, page: &PageRequest) -> DomainResult<Page<Project>> {
    let after = paging::after_id(page)?;
    let mut query = QueryBuilder::<Postgres>::new("SELECT * FROM projects WHERE 1 = 1");
    if let Some(program) = filter.program {
        query.push(" AND program_id = ").push_bind(program.as_uuid());
    }
    if let Some(visible) = &filter.visible {
        visibility::programs(&mut query, "program_id", visible);
    }
    if let Some(after) = after {
        query.push(" AND id > ").push_bind(after);
    }
    query.push(" ORDER BY id LIMIT ").push_bind(paging::fetch_limit(page));
    let rows = query.build().fetch_all(&mut *conn).await.map_err(storage)?;
    let items = rows.iter().map(from_row).collect::<DomainResult<Vec<_>>>()?;
    Ok(paging::page_of(items, page, |p| Cursor(p.id.to_string())))
}
