//! Programs: the `programs` table.

use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use tandem_domain::record::now;
use tandem_domain::{
    CurrencyCode, Cursor, DateRange, DomainError, DomainResult, EntityKind, Meta, Money, Page, PageRequest, Program,
    ProgramFields, ProgramFilter, ProgramId, ProgramPhase,
};

use crate::columns::{self, date_text, storage, timestamp_text};
use crate::paging;
use crate::records::{self, Table};
use crate::visibility;

fn from_row(row: &SqliteRow) -> DomainResult<Program> {
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

pub async fn create(conn: &mut SqliteConnection, fields: ProgramFields) -> DomainResult<Program> {
    let id = ProgramId::generate();
    let at = now();
    let meta = Meta { created_at: at, updated_at: at, version: 1 };
    sqlx::query(
        "INSERT INTO programs (id, name, goal, sponsor, phase, start_date, target_end, budget, currency, \
         status_date, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id.to_string())
    .bind(fields.name.as_str())
    .bind(fields.goal.as_str())
    .bind(fields.sponsor.as_ref().map(|s| s.as_str()))
    .bind(fields.phase.as_str())
    .bind(date_text(fields.dates.start()))
    .bind(date_text(fields.dates.end()))
    .bind(fields.budget.map(Money::amount))
    .bind(fields.currency.as_str())
    .bind(fields.status_date.map(date_text))
    .bind(timestamp_text(meta.created_at))
    .bind(timestamp_text(meta.updated_at))
    .bind(meta.version)
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    Ok(Program { id, fields, meta })
}

pub async fn get(conn: &mut SqliteConnection, id: ProgramId) -> DomainResult<Program> {
    let row = sqlx::query("SELECT * FROM programs WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    match row {
        Some(row) => from_row(&row),
        None => Err(DomainError::not_found(EntityKind::Program, id)),
    }
}

pub async fn update(
    conn: &mut SqliteConnection,
    id: ProgramId,
    version: i64,
    fields: ProgramFields,
) -> DomainResult<Program> {
    let id_text = id.to_string();
    let stored = records::current_meta(conn, Table::Programs, &id_text, Some(version)).await?;
    let meta = records::next_meta(&stored);
    sqlx::query(
        "UPDATE programs SET name = ?, goal = ?, sponsor = ?, phase = ?, start_date = ?, target_end = ?, \
         budget = ?, currency = ?, status_date = ?, updated_at = ?, version = ? WHERE id = ? AND version = ?",
    )
    .bind(fields.name.as_str())
    .bind(fields.goal.as_str())
    .bind(fields.sponsor.as_ref().map(|s| s.as_str()))
    .bind(fields.phase.as_str())
    .bind(date_text(fields.dates.start()))
    .bind(date_text(fields.dates.end()))
    .bind(fields.budget.map(Money::amount))
    .bind(fields.currency.as_str())
    .bind(fields.status_date.map(date_text))
    .bind(timestamp_text(meta.updated_at))
    .bind(meta.version)
    .bind(&id_text)
    .bind(stored.version)
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    Ok(Program { id, fields, meta })
}

/// The checks of a delete (version, what still refers to the record), before anything goes.
pub async fn check_delete(conn: &mut SqliteConnection, id: ProgramId, version: Option<i64>) -> DomainResult<()> {
    let id_text = id.to_string();
    records::current_meta(conn, Table::Programs, &id_text, version).await?;
    let projects = records::count_referencing(conn, Table::Projects, "program_id", &id_text).await?;
    let risks = records::count_referencing(conn, Table::Risks, "program_id", &id_text).await?;
    let mut holds = Vec::new();
    if projects > 0 {
        holds.push(records::counted(projects, "project", "projects"));
    }
    if risks > 0 {
        holds.push(records::counted(risks, "risk", "risks"));
    }
    if !holds.is_empty() {
        let reason = format!("it still has {}", records::and_list(&holds));
        return Err(records::in_use(Table::Programs, &id_text, reason));
    }
    Ok(())
}

/// Deletes the row; the caller ran [`check_delete`] in the same transaction first (and removed
/// what goes with the record, with its audit events).
pub async fn delete(conn: &mut SqliteConnection, id: ProgramId) -> DomainResult<()> {
    records::delete(conn, Table::Programs, &id.to_string()).await
}

pub async fn list(
    conn: &mut SqliteConnection,
    filter: &ProgramFilter,
    page: &PageRequest,
) -> DomainResult<Page<Program>> {
    let after = paging::after_id(page)?;
    let mut query = QueryBuilder::<Sqlite>::new("SELECT * FROM programs WHERE 1 = 1");
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
