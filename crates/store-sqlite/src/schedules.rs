//! Program schedules: `program_schedules` with its `schedule_entries` and `schedule_links`. Only a
//! program's latest schedule is kept; entries name nodes without foreign keys (see
//! `migrations/0002_schedules.sql`).

use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};
use tandem_domain::planning::{ProgramSchedule, ScheduleEntry, ScheduleLink, ScheduleOptions};
use tandem_domain::{DependencyKind, DomainError, DomainResult, NodeRef, ProgramId, ValidationErrors};

use crate::columns::{self, corrupt, date_text, holidays_text, storage, timestamp_text};
use crate::records::{self, Table};

pub async fn save(conn: &mut SqliteConnection, schedule: &ProgramSchedule) -> DomainResult<()> {
    let program = schedule.program_id.to_string();
    let mut errors = ValidationErrors::new();
    records::check_reference(conn, &mut errors, Table::Programs, "program_id", &program).await?;
    errors.into_result().map_err(DomainError::from)?;
    // Entries and links go with it (ON DELETE CASCADE).
    sqlx::query("DELETE FROM program_schedules WHERE program_id = ?")
        .bind(&program)
        .execute(&mut *conn)
        .await
        .map_err(storage)?;
    sqlx::query(
        "INSERT INTO program_schedules (program_id, computed_at, schedules, seed, time_limit_ms, schedules_used, \
         makespan, finish_date, critical_path_makespan, critical_path_finish, periods, diagnostics) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&program)
    .bind(timestamp_text(schedule.computed_at))
    .bind(schedule.options.schedules() as i64)
    // u64 seeds keep their bits in a signed column.
    .bind(schedule.options.seed() as i64)
    .bind(schedule.options.time_limit_ms().map(|l| l as i64))
    .bind(schedule.schedules_used as i64)
    .bind(schedule.makespan)
    .bind(date_text(schedule.finish))
    .bind(schedule.critical_path_makespan)
    .bind(date_text(schedule.critical_path_finish))
    .bind(holidays_text(&schedule.periods))
    .bind(schedule.diagnostics.join("\n"))
    .execute(&mut *conn)
    .await
    .map_err(storage)?;
    for (position, entry) in schedule.entries.iter().enumerate() {
        sqlx::query(
            "INSERT INTO schedule_entries (program_id, position, node_type, node_id, title, project_id, team_id, \
             people, start_period, finish_period, start_date, finish_date, critical, total_float) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&program)
        .bind(position as i64)
        .bind(entry.node.type_name())
        .bind(entry.node.id_string())
        .bind(&entry.title)
        .bind(entry.project_id.map(|id| id.to_string()))
        .bind(entry.team_id.map(|id| id.to_string()))
        .bind(i64::from(entry.people))
        .bind(entry.start_period)
        .bind(entry.finish_period)
        .bind(date_text(entry.start))
        .bind(date_text(entry.finish))
        .bind(entry.critical)
        .bind(entry.total_float)
        .execute(&mut *conn)
        .await
        .map_err(storage)?;
    }
    for (position, link) in schedule.links.iter().enumerate() {
        sqlx::query(
            "INSERT INTO schedule_links (program_id, position, predecessor, successor, kind, lag) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&program)
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

fn count(row: &SqliteRow, column: &'static str) -> DomainResult<u64> {
    let raw = columns::integer(row, column)?;
    u64::try_from(raw).map_err(|e| corrupt(column, e))
}

fn entry_from_row(row: &SqliteRow) -> DomainResult<ScheduleEntry> {
    let node_id = columns::text(row, "node_id")?;
    let node = match columns::text(row, "node_type")?.as_str() {
        "work_item" => NodeRef::WorkItem(node_id.parse().map_err(|e| corrupt("node_id", e))?),
        "milestone" => NodeRef::Milestone(node_id.parse().map_err(|e| corrupt("node_id", e))?),
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

fn link_from_row(row: &SqliteRow, entries: usize) -> DomainResult<ScheduleLink> {
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

pub async fn latest(conn: &mut SqliteConnection, program_id: ProgramId) -> DomainResult<Option<ProgramSchedule>> {
    let program = program_id.to_string();
    let Some(row) = sqlx::query("SELECT * FROM program_schedules WHERE program_id = ?")
        .bind(&program)
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
    let diagnostics = columns::text(&row, "diagnostics")?;
    let entries = sqlx::query("SELECT * FROM schedule_entries WHERE program_id = ? ORDER BY position")
        .bind(&program)
        .fetch_all(&mut *conn)
        .await
        .map_err(storage)?
        .iter()
        .map(entry_from_row)
        .collect::<DomainResult<Vec<_>>>()?;
    let links = sqlx::query("SELECT * FROM schedule_links WHERE program_id = ? ORDER BY position")
        .bind(&program)
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
        // Messages never hold a newline: titles cannot contain control characters.
        diagnostics: if diagnostics.is_empty() {
            Vec::new()
        } else {
            diagnostics.split('\n').map(str::to_owned).collect()
        },
        entries,
        links,
    }))
}
