//! Teams: the `teams` table. A team's capacity never drops below what an assigned item needs.

use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};
use tandem_domain::record::now;
use tandem_domain::{
    Cursor, DomainError, DomainResult, EntityKind, Headcount, Meta, Page, PageRequest, Team, TeamFields, TeamFilter,
    TeamId, WorkingCalendar, WorkingWeek,
};

use crate::columns::{self, holidays_text, storage, timestamp_text};
use crate::paging;
use crate::records::{self, Table};

fn from_row(row: &SqliteRow) -> DomainResult<Team> {
    let bits = columns::integer(row, "working_days")?;
    let bits = u8::try_from(bits).map_err(|e| columns::corrupt("working_days", e))?;
    let week = columns::parsed("working_days", WorkingWeek::from_bits("working_days", bits))?;
    let holidays = columns::holidays(row, "holidays")?;
    Ok(Team {
        id: columns::id(row, "id")?,
        fields: TeamFields {
            name: columns::name(row, "name")?,
            capacity: columns::parsed("capacity", Headcount::parse("capacity", columns::integer(row, "capacity")?))?,
            calendar: columns::parsed("holidays", WorkingCalendar::new(week, holidays))?,
        },
        meta: columns::meta(row)?,
    })
}

pub async fn create(conn: &mut SqliteConnection, fields: TeamFields) -> DomainResult<Team> {
    let id = TeamId::generate();
    let at = now();
    let meta = Meta { created_at: at, updated_at: at, version: 1 };
    sqlx::query(
        "INSERT INTO teams (id, name, capacity, working_days, holidays, created_at, updated_at, version) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(id.to_string())
    .bind(fields.name.as_str())
    .bind(i64::from(fields.capacity.get()))
    .bind(i64::from(fields.calendar.week().bits()))
    .bind(holidays_text(fields.calendar.holidays()))
    .bind(timestamp_text(meta.created_at))
    .bind(timestamp_text(meta.updated_at))
    .bind(meta.version)
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    Ok(Team { id, fields, meta })
}

pub async fn get(conn: &mut SqliteConnection, id: TeamId) -> DomainResult<Team> {
    let row = sqlx::query("SELECT * FROM teams WHERE id = ?")
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    match row {
        Some(row) => from_row(&row),
        None => Err(DomainError::not_found(EntityKind::Team, id)),
    }
}

/// The team's capacity, if the team exists (used by the work item checks).
pub async fn capacity(conn: &mut SqliteConnection, id: &str) -> DomainResult<Option<i64>> {
    let row = sqlx::query("SELECT capacity FROM teams WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    row.map(|row| row.try_get::<i64, _>("capacity").map_err(storage)).transpose()
}

pub async fn update(conn: &mut SqliteConnection, id: TeamId, version: i64, fields: TeamFields) -> DomainResult<Team> {
    let id_text = id.to_string();
    let stored = records::current_meta(conn, Table::Teams, &id_text, Some(version)).await?;
    let row = sqlx::query("SELECT MAX(people_needed) AS demand FROM work_items WHERE team_id = ?")
        .bind(&id_text)
        .fetch_one(&mut *conn)
        .await
        .map_err(storage)?;
    let demand = row.try_get::<Option<i64>, _>("demand").map_err(storage)?;
    if let Some(demand) = demand.filter(|d| *d > i64::from(fields.capacity.get())) {
        return Err(DomainError::invalid(
            "capacity",
            "below_demand",
            format!("must be at least {demand}: an assigned work item needs {demand} people at once"),
        ));
    }
    let meta = records::next_meta(&stored);
    sqlx::query(
        "UPDATE teams SET name = ?, capacity = ?, working_days = ?, holidays = ?, updated_at = ?, version = ? \
         WHERE id = ? AND version = ?",
    )
    .bind(fields.name.as_str())
    .bind(i64::from(fields.capacity.get()))
    .bind(i64::from(fields.calendar.week().bits()))
    .bind(holidays_text(fields.calendar.holidays()))
    .bind(timestamp_text(meta.updated_at))
    .bind(meta.version)
    .bind(&id_text)
    .bind(stored.version)
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    Ok(Team { id, fields, meta })
}

pub async fn delete(conn: &mut SqliteConnection, id: TeamId, version: Option<i64>) -> DomainResult<()> {
    let id_text = id.to_string();
    records::current_meta(conn, Table::Teams, &id_text, version).await?;
    let work_items = records::count_referencing(conn, Table::WorkItems, "team_id", &id_text).await?;
    if work_items > 0 {
        let reason = format!("it still has {} assigned", records::counted(work_items, "work item", "work items"));
        return Err(records::in_use(Table::Teams, &id_text, reason));
    }
    records::delete(conn, Table::Teams, &id_text).await
}

pub async fn list(conn: &mut SqliteConnection, _filter: &TeamFilter, page: &PageRequest) -> DomainResult<Page<Team>> {
    let after = paging::after_id(page)?;
    let mut query = QueryBuilder::<Sqlite>::new("SELECT * FROM teams WHERE 1 = 1");
    if let Some(after) = after {
        query.push(" AND id > ").push_bind(after);
    }
    query.push(" ORDER BY id LIMIT ").push_bind(paging::fetch_limit(page));
    let rows = query.build().fetch_all(&mut *conn).await.map_err(storage)?;
    let items = rows.iter().map(from_row).collect::<DomainResult<Vec<_>>>()?;
    Ok(paging::page_of(items, page, |t| Cursor(t.id.to_string())))
}
