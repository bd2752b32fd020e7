//! Milestones: the `milestones` table. Deleting one cascades to the dependencies touching it.

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Postgres, QueryBuilder};
use tandem_domain::record::now;
use tandem_domain::{
    Cursor, DomainError, DomainResult, EntityKind, Meta, Milestone, MilestoneFields, MilestoneFilter, MilestoneId,
    Page, PageRequest, ValidationErrors,
};

use crate::columns::{self, storage};
use crate::paging;
use crate::records::{self, Table};
use crate::visibility;

fn from_row(row: &PgRow) -> DomainResult<Milestone> {
    Ok(Milestone {
        id: columns::id(row, "id")?,
        fields: MilestoneFields {
            project_id: columns::id(row, "project_id")?,
            name: columns::name(row, "name")?,
            target_date: columns::date(row, "target_date")?,
            deliverable: columns::long_text(row, "deliverable")?,
        },
        meta: columns::meta(row)?,
    })
}

async fn check_references(conn: &mut PgConnection, fields: &MilestoneFields) -> DomainResult<()> {
    let mut errors = ValidationErrors::new();
    records::check_reference(conn, &mut errors, Table::Projects, "project_id", fields.project_id.as_uuid()).await?;
    errors.into_result().map_err(DomainError::from)
}

pub async fn create(conn: &mut PgConnection, fields: MilestoneFields) -> DomainResult<Milestone> {
    check_references(conn, &fields).await?;
    let id = MilestoneId::generate();
    let at = now();
    let meta = Meta { created_at: at, updated_at: at, version: 1 };
    sqlx::query(
        "INSERT INTO milestones (id, project_id, name, target_date, deliverable, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id.as_uuid())
    .bind(fields.project_id.as_uuid())
    .bind(fields.name.as_str())
    .bind(fields.target_date)
    .bind(fields.deliverable.as_str())
    .bind(meta.created_at)
    .bind(meta.updated_at)
    .bind(meta.version)
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    Ok(Milestone { id, fields, meta })
}

pub async fn get(conn: &mut PgConnection, id: MilestoneId) -> DomainResult<Milestone> {
    let row = sqlx::query("SELECT * FROM milestones WHERE id = $1")
        .bind(id.as_uuid())
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    match row {
        Some(row) => from_row(&row),
        None => Err(DomainError::not_found(EntityKind::Milestone, id)),
    }
}

pub async fn update(
    conn: &mut PgConnection,
    id: MilestoneId,
    version: i64,
    fields: MilestoneFields,
) -> DomainResult<Milestone> {
    let id_uuid = id.as_uuid();
    let stored = records::current_meta(conn, Table::Milestones, id_uuid, Some(version)).await?;
    check_references(conn, &fields).await?;
    let meta = records::next_meta(&stored);
    sqlx::query(
        "UPDATE milestones SET project_id = $1, name = $2, target_date = $3, deliverable = $4, updated_at = $5, \
         version = $6 WHERE id = $7 AND version = $8",
    )
    .bind(fields.project_id.as_uuid())
    .bind(fields.name.as_str())
    .bind(fields.target_date)
    .bind(fields.deliverable.as_str())
    .bind(meta.updated_at)
    .bind(meta.version)
    .bind(id_uuid)
    .bind(stored.version)
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    Ok(Milestone { id, fields, meta })
}

pub async fn delete(conn: &mut PgConnection, id: MilestoneId, version: Option<i64>) -> DomainResult<()> {
    let id_uuid = id.as_uuid();
    records::current_meta(conn, Table::Milestones, id_uuid, version).await?;
    // The foreign keys cascade too; deleting explicitly keeps the behaviour visible here.
    sqlx::query("DELETE FROM dependencies WHERE predecessor_milestone_id = $1 OR successor_milestone_id = $2")
        .bind(id_uuid)
        .bind(id_uuid)
        .execute(&mut *conn)
        .await
        .map_err(storage)?;
    records::delete(conn, Table::Milestones, id_uuid).await
}

pub async fn list(
    conn: &mut PgConnection,
    filter: &MilestoneFilter,
    page: &PageRequest,
) -> DomainResult<Page<Milestone>> {
    let after = paging::after_id(page)?;
    let mut query = QueryBuilder::<Postgres>::new("SELECT * FROM milestones WHERE 1 = 1");
    if let Some(program) = filter.program {
        query.push(" AND project_id IN (SELECT id FROM projects WHERE program_id = ").push_bind(program.as_uuid());
        query.push(")");
    }
    if let Some(project) = filter.project {
        query.push(" AND project_id = ").push_bind(project.as_uuid());
    }
    if let Some(visible) = &filter.visible {
        visibility::projects(&mut query, "project_id", visible);
    }
    if let Some(after) = after {
        query.push(" AND id > ").push_bind(after);
    }
    query.push(" ORDER BY id LIMIT ").push_bind(paging::fetch_limit(page));
    let rows = query.build().fetch_all(&mut *conn).await.map_err(storage)?;
    let items = rows.iter().map(from_row).collect::<DomainResult<Vec<_>>>()?;
    Ok(paging::page_of(items, page, |m| Cursor(m.id.to_string())))
}
