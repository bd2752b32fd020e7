//! Program schedules: `program_schedules` with its `schedule_entries` and `schedule_links`. Only a
//! program's latest schedule is kept; entries name nodes without foreign keys (see
//! `migrations/0002_schedules.sql`).

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};
use tandem_domain::planning::{ProgramSchedule, ScheduleEntry, ScheduleLink, ScheduleOptions};
use tandem_domain::{
    DependencyKind, DomainError, DomainResult, MilestoneId, NodeRef, ProgramId, ValidationErrors, WorkItemId,
};
use uuid::Uuid;

use crate::columns::{self, corrupt, storage};

fn node_uuid(node: NodeRef) -> Uuid {
    match node {
        NodeRef::WorkItem(id) => id.as_uuid(),
        NodeRef::Milestone(id) => id.as_uuid(),
    }
}

pub async fn save(conn: &mut PgConnection, schedule: &ProgramSchedule) -> DomainResult<()> {
    let program = schedule.program_id.as_uuid();
    // Locking the program row checks that it exists and serialises two saves of one program (each
    // replaces the other's rows, so they must not interleave).
    let found = sqlx::query("SELECT id FROM programs WHERE id = $1 FOR UPDATE")
        .bind(program)
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    if found.is_none() {
        let mut errors = ValidationErrors::new();
        errors.add("program_id", "not_found", format!("program {program} does not exist"));
        return Err(DomainError::from(errors));
    }
    // Entries and links go with it (ON DELETE CASCADE).
    sqlx::query("DELETE FROM program_schedules WHERE program_id = $1")
        .bind(program)
        .execute(&mut *conn)
        .await
        .map_err(storage)?;
    sqlx::query(
        "INSERT INTO program_schedules (program_id, computed_at, schedules, seed, time_limit_ms, schedules_used, \
         makespan, finish_date, critical_path_makespan, critical_path_finish, periods, diagnostics) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(program)
    .bind(schedule.computed_at)
    .bind(schedule.options.schedules() as i64)
    // u64 seeds keep their bits in a signed column.
    .bind(schedule.options.seed() as i64)
    .bind(schedule.options.time_limit_ms().map(|l| l as i64))
    .bind(schedule.schedules_used as i64)
    .bind(schedule.makespan)
    .bind(schedule.finish)
    .bind(schedule.critical_path_makespan)
    .bind(schedule.critical_path_finish)
    .bind(&schedule.periods)
    .bind(&schedule.diagnostics)
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    for (position, entry) in schedule.entries.iter().enumerate() {
        sqlx::query(
            "INSERT INTO schedule_entries (program_id, position, node_type, node_id, title, project_id, team_id, \
             people, start_period, finish_period, start_date, finish_date, critical, total_float) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
        )
        .bind(program)
        .bind(position as i64)
        .bind(entry.node.type_name())
        .bind(node_uuid(entry.node))
        .bind(&entry.title)
        .bind(entry.project_id.map(|id| id.as_uuid()))
        .bind(entry.team_id.map(|id| id.as_uuid()))
        .bind(i64::from(entry.people))
        .bind(entry.start_period)
        .bind(entry.finish_period)
        .bind(entry.start)
        .bind(entry.finish)
        .bind(entry.critical)
        .bind(entry.total_float)
        .execute(&mut *conn)
        .await
        .map_err(storage)?;
    }
    for (position, link) in schedule.links.iter().enumerate() {
        sqlx::query(
            "INSERT INTO schedule_links (program_id, position, predecessor, successor, kind, lag) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(program)
        .bind(position as i64)
        .bind(link.predecessor as i64)
        .bind(link.successor as i64)
        .bind(link.kind.as_str())
        .bind(link.lag)
        .execute(&mut *conn)
        .await
        .map_err(storage)?;
    }
    Ok(())
}

fn count(row: &PgRow, column: &'static str) -> DomainResult<u64> {
    let raw = columns::integer(row, column)?;
    u64::try_from(raw).map_err(|e| corrupt(column, e))
}

fn entry_from_row(row: &PgRow) -> DomainResult<ScheduleEntry> {
    let node_id = row.try_get::<Uuid, _>("node_id").map_err(storage)?;
    let node = match columns::text(row, "node_type")?.as_str() {
        "work_item" => NodeRef::WorkItem(WorkItemId::from_uuid(node_id)),
        "milestone" => NodeRef::Milestone(MilestoneId::from_uuid(node_id)),
        other => return Err(corrupt("node_type", other)),
    };
    let people = columns::integer(row, "people")?;
    Ok(ScheduleEntry {
        node,
        title: columns::text(row, "title")?,
        project_id: columns::optional_id(row, "project_id")?,
        team_id: columns::optional_id(row, "team_id")?,
        people: u32::try_from(people).map_err(|e| corrupt("people", e))?,
        start_period: columns::integer(row, "start_period")?,
        finish_period: columns::integer(row, "finish_period")?,
        start: columns::date(row, "start_date")?,
        finish: columns::date(row, "finish_date")?,
        critical: row.try_get::<bool, _>("critical").map_err(storage)?,
        total_float: columns::integer(row, "total_float")?,
    })
}

fn link_from_row(row: &PgRow, entries: usize) -> DomainResult<ScheduleLink> {
    let position = |column: &'static str| -> DomainResult<usize> {
        let raw = columns::integer(row, column)?;
        usize::try_from(raw).ok().filter(|&p| p < entries).ok_or_else(|| corrupt(column, raw))
    };
    let kind = columns::text(row, "kind")?;
    Ok(ScheduleLink {
        predecessor: position("predecessor")?,
        successor: position("successor")?,
        kind: columns::parsed("kind", DependencyKind::parse("kind", &kind))?,
        lag: columns::integer(row, "lag")?,
    })
}

pub async fn latest(conn: &mut PgConnection, program_id: ProgramId) -> DomainResult<Option<ProgramSchedule>> {
    let program = program_id.as_uuid();
    let Some(row) = sqlx::query("SELECT * FROM program_schedules WHERE program_id = $1")
        .bind(program)
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?
    else {
        return Ok(None);
    };
    let options = ScheduleOptions::new(
        Some(columns::integer(&row, "schedules")?),
        Some(columns::integer(&row, "seed")? as u64),
        columns::optional_integer(&row, "time_limit_ms")?,
    )
    .map_err(|e| corrupt("schedules", e))?;
    let entries = sqlx::query("SELECT * FROM schedule_entries WHERE program_id = $1 ORDER BY position")
        .bind(program)
        .fetch_all(&mut *conn)
        .await
        .map_err(storage)?
        .iter()
        .map(entry_from_row)
        .collect::<DomainResult<Vec<_>>>()?;
    let links = sqlx::query("SELECT * FROM schedule_links WHERE program_id = $1 ORDER BY position")
        .bind(program)
        .fetch_all(&mut *conn)
        .await
        .map_err(storage)?
        .iter()
        .map(|row| link_from_row(row, entries.len()))
        .collect::<DomainResult<Vec<_>>>()?;
    Ok(Some(ProgramSchedule {
        program_id,
        computed_at: columns::timestamp(&row, "computed_at")?,
        options,
        schedules_used: count(&row, "schedules_used")?,
        makespan: columns::integer(&row, "makespan")?,
        finish: columns::date(&row, "finish_date")?,
        critical_path_makespan: columns::integer(&row, "critical_path_makespan")?,
        critical_path_finish: columns::date(&row, "critical_path_finish")?,
        periods: columns::holidays(&row, "periods")?,
        diagnostics: row.try_get::<Vec<String>, _>("diagnostics").map_err(storage)?,
        entries,
        links,
    }))
}
