//! Programs: the `programs` table.

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Postgres, QueryBuilder};
use tandem_domain::record::now;
use tandem_domain::{
    CurrencyCode, Cursor, DateRange, DomainError, DomainResult, EntityKind, Meta, Money, Page, PageRequest, Program,
    ProgramFields, ProgramFilter, ProgramId, ProgramPhase,
};

use crate::columns::{self, storage};
use crate::paging;
use crate::records::{self, Table};
use crate::visibility;

fn from_row(row: &PgRow) -> DomainResult<Program> {
    let start = columns::date(row, "start_date")?;
    let end = columns::date(row, "target_end")?;
    let budget = columns::optional_integer(row, "budget")?;
    Ok(Program {
        id: columns::id(row, "id")?,
        fields: ProgramFields {
            name: columns::name(row, "name")?,
            goal: columns::long_text(row, "goal")?,
            sponsor: columns::optional_name(row, "sponsor")?,
            phase: columns::parsed("phase", ProgramPhase::parse("phase", &columns::text(row, "phase")?))?,
            dates: columns::parsed("target_end", DateRange::new("target_end", start, end))?,
            budget: columns::parsed("budget", budget.map(|b| Money::parse("budget", b)).transpose())?,
            currency: columns::parsed("currency", CurrencyCode::parse("currency", &columns::text(row, "currency")?))?,
            status_date: columns::optional_date(row, "status_date")?,
        },
        meta: columns::meta(row)?,
    })
}

pub async fn create(conn: &mut PgConnection, fields: ProgramFields) -> DomainResult<Program> {
    let id = ProgramId::generate();
    let at = now();
    let meta = Meta { created_at: at, updated_at: at, version: 1 };
    sqlx::query(
        "INSERT INTO programs (id, name, goal, sponsor, phase, start_date, target_end, budget, currency, \
         status_date, created_at, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(id.as_uuid())
    .bind(fields.name.as_str())
    .bind(fields.goal.as_str())
    .bind(fields.sponsor.as_ref().map(|s| s.as_str()))
    .bind(fields.phase.as_str())
    .bind(fields.dates.start())
    .bind(fields.dates.end())
    .bind(fields.budget.map(Money::amount))
    .bind(fields.currency.as_str())
    .bind(fields.status_date)
    .bind(meta.created_at)
    .bind(meta.updated_at)
    .bind(meta.version)
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    Ok(Program { id, fields, meta })
}

pub async fn get(conn: &mut PgConnection, id: ProgramId) -> DomainResult<Program> {
    let row = sqlx::query("SELECT * FROM programs WHERE id = $1")
        .bind(id.as_uuid())
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    match row {
        Some(row) => from_row(&row),
        None => Err(DomainError::not_found(EntityKind::Program, id)),
    }
}

pub async fn update(
    conn: &mut PgConnection,
    id: ProgramId,
    version: i64,
    fields: ProgramFields,
) -> DomainResult<Program> {
    let id_uuid = id.as_uuid();
    let stored = records::current_meta(conn, Table::Programs, id_uuid, Some(version)).await?;
    let meta = records::next_meta(&stored);
    sqlx::query(
        "UPDATE programs SET name = $1, goal = $2, sponsor = $3, phase = $4, start_date = $5, target_end = $6, \
         budget = $7, currency = $8, status_date = $9, updated_at = $10, version = $11 WHERE id = $12 AND version = $13",
    )
    .bind(fields.name.as_str())
    .bind(fields.goal.as_str())
    .bind(fields.sponsor.as_ref().map(|s| s.as_str()))
    .bind(fields.phase.as_str())
    .bind(fields.dates.start())
    .bind(fields.dates.end())
    .bind(fields.budget.map(Money::amount))
    .bind(fields.currency.as_str())
    .bind(fields.status_date)
    .bind(meta.updated_at)
    .bind(meta.version)
    .bind(id_uuid)
    .bind(stored.version)
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    Ok(Program { id, fields, meta })
}

/// The checks of a delete (version, what still refers to the record), before anything goes.
pub async fn check_delete(conn: &mut PgConnection, id: ProgramId, version: Option<i64>) -> DomainResult<()> {
    let id_uuid = id.as_uuid();
    records::current_meta(conn, Table::Programs, id_uuid, version).await?;
    let projects = records::count_referencing(conn, Table::Projects, "program_id", id_uuid).await?;
    let risks = records::count_referencing(conn, Table::Risks, "program_id", id_uuid).await?;
    let mut holds = Vec::new();
    if projects > 0 {
        holds.push(records::counted(projects, "project", "projects"));
    }
    if risks > 0 {
        holds.push(records::counted(risks, "risk", "risks"));
    }
    if !holds.is_empty() {
        let reason = format!("it still has {}", records::and_list(&holds));
        return Err(records::in_use(Table::Programs, id_uuid, reason));
    }
    Ok(())
}

/// Deletes the row; the caller ran [`check_delete`] in the same transaction first (and removed
/// what goes with the record, with its audit events).
pub async fn delete(conn: &mut PgConnection, id: ProgramId) -> DomainResult<()> {
    records::delete(conn, Table::Programs, id.as_uuid()).await
}

pub async fn list(conn: &mut PgConnection, filter: &ProgramFilter, page: &PageRequest) -> DomainResult<Page<Program>> {
    let after = paging::after_id(page)?;
    let mut query = QueryBuilder::<Postgres>::new("SELECT * FROM programs WHERE 1 = 1");
    if let Some(phase) = filter.phase {
        query.push(" AND phase = ").push_bind(phase.as_str());
    }
    if let Some(visible) = &filter.visible {
        visibility::programs(&mut query, "id", visible);
    }
    if let Some(after) = after {
        query.push(" AND id > ").push_bind(after);
    }
    query.push(" ORDER BY id LIMIT ").push_bind(paging::fetch_limit(page));
    let rows = query.build().fetch_all(&mut *conn).await.map_err(storage)?;
    let items = rows.iter().map(from_row).collect::<DomainResult<Vec<_>>>()?;
    Ok(paging::page_of(items, page, |p| Cursor(p.id.to_string())))
}
