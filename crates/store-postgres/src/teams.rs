//! Teams: the `teams` table. A team's capacity never drops below what an assigned item needs.

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Postgres, QueryBuilder, Row};
use tandem_domain::record::now;
use tandem_domain::{
    Cursor, DomainError, DomainResult, EntityKind, Headcount, Meta, Page, PageRequest, Team, TeamFields, TeamFilter,
    TeamId, WorkingCalendar, WorkingWeek,
};
use uuid::Uuid;

use crate::columns::{self, storage};
use crate::paging;
use crate::records::{self, Table};

fn from_row(row: &PgRow) -> DomainResult<Team> {
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

pub async fn create(conn: &mut PgConnection, fields: TeamFields) -> DomainResult<Team> {
    let id = TeamId::generate();
    let at = now();
    let meta = Meta { created_at: at, updated_at: at, version: 1 };
    sqlx::query(
        "INSERT INTO teams (id, name, capacity, working_days, holidays, created_at, updated_at, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id.as_uuid())
    .bind(fields.name.as_str())
    .bind(i64::from(fields.capacity.get()))
    .bind(i64::from(fields.calendar.week().bits()))
    .bind(fields.calendar.holidays())
    .bind(meta.created_at)
    .bind(meta.updated_at)
    .bind(meta.version)
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    Ok(Team { id, fields, meta })
}

pub async fn get(conn: &mut PgConnection, id: TeamId) -> DomainResult<Team> {
    let row = sqlx::query("SELECT * FROM teams WHERE id = $1")
        .bind(id.as_uuid())
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    match row {
        Some(row) => from_row(&row),
        None => Err(DomainError::not_found(EntityKind::Team, id)),
    }
}

/// The team's capacity, if the team exists (used by the work item checks). The row stays share-
/// locked until the transaction ends, so the capacity cannot drop under the item being written.
pub async fn capacity(conn: &mut PgConnection, id: Uuid) -> DomainResult<Option<i64>> {
    let row = sqlx::query("SELECT capacity FROM teams WHERE id = $1 FOR SHARE")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    row.map(|row| row.try_get::<i64, _>("capacity").map_err(storage)).transpose()
}

pub async fn update(conn: &mut PgConnection, id: TeamId, version: i64, fields: TeamFields) -> DomainResult<Team> {
    let id_uuid = id.as_uuid();
    let stored = records::current_meta(conn, Table::Teams, id_uuid, Some(version)).await?;
    let row = sqlx::query("SELECT MAX(people_needed) AS demand FROM work_items WHERE team_id = $1")
        .bind(id_uuid)
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
        "UPDATE teams SET name = $1, capacity = $2, working_days = $3, holidays = $4, updated_at = $5, version = $6 \
         WHERE id = $7 AND version = $8",
    )
    .bind(fields.name.as_str())
    .bind(i64::from(fields.capacity.get()))
    .bind(i64::from(fields.calendar.week().bits()))
    .bind(fields.calendar.holidays())
    .bind(meta.updated_at)
    .bind(meta.version)
    .bind(id_uuid)
    .bind(stored.version)
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    Ok(Team { id, fields, meta })
}

pub async fn delete(conn: &mut PgConnection, id: TeamId, version: Option<i64>) -> DomainResult<()> {
    let id_uuid = id.as_uuid();
    records::current_meta(conn, Table::Teams, id_uuid, version).await?;
    let work_items = records::count_referencing(conn, Table::WorkItems, "team_id", id_uuid).await?;
    if work_items > 0 {
        let reason = format!("it still has {} assigned", records::counted(work_items, "work item", "work items"));
        return Err(records::in_use(Table::Teams, id_uuid, reason));
    }
    records::delete(conn, Table::Teams, id_uuid).await
}

pub async fn list(conn: &mut PgConnection, _filter: &TeamFilter, page: &PageRequest) -> DomainResult<Page<Team>> {
    let after = paging::after_id(page)?;
    let mut query = QueryBuilder::<Postgres>::new("SELECT * FROM teams WHERE 1 = 1");
    if let Some(after) = after {
        query.push(" AND id > ").push_bind(after);
    }
    query.push(" ORDER BY id LIMIT ").push_bind(paging::fetch_limit(page));
    let rows = query.build().fetch_all(&mut *conn).await.map_err(storage)?;
    let items = rows.iter().map(from_row).collect::<DomainResult<Vec<_>>>()?;
    Ok(paging::page_of(items, page, |t| Cursor(t.id.to_string())))
}
