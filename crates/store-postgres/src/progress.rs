//! A program's work progress ([`tandem_domain::progress`]) summed by one query.

use sqlx::PgConnection;
use tandem_domain::progress::{ProgramProgress, ProjectProgress, WorkTotals};
use tandem_domain::{DomainError, DomainResult, EntityKind, ProgramId};

use crate::columns::{self, storage};

/// Per project of the program: its leaf items (no item names them as parent) that are not
/// cancelled, weighed by their PERT mean; done ones whole, others by percent complete.
const PROGRESS: &str = "WITH leaves AS ( \
       SELECT w.project_id, w.status, w.percent_complete, \
         (w.optimistic + 4.0 * w.most_likely + w.pessimistic) / 6.0 AS weight \
       FROM work_items w \
       WHERE w.project_id IN (SELECT id FROM projects WHERE program_id = $1) AND w.status <> 'cancelled' \
         AND NOT EXISTS (SELECT 1 FROM work_items c WHERE c.parent_id = w.id)) \
     SELECT p.id AS project_id, COUNT(l.project_id) AS items, \
       COUNT(*) FILTER (WHERE l.status = 'done') AS done_items, \
       COUNT(*) FILTER (WHERE l.status = 'in_progress') AS in_progress_items, \
       COALESCE(SUM(l.weight), 0.0)::float8 AS estimated_days, \
       COALESCE(SUM(CASE WHEN l.status = 'done' THEN l.weight ELSE l.weight * l.percent_complete / 100.0 END), 0.0)::float8 \
         AS done_days \
     FROM projects p LEFT JOIN leaves l ON l.project_id = p.id \
     WHERE p.program_id = $1 GROUP BY p.id";

pub async fn program_progress(conn: &mut PgConnection, program_id: ProgramId) -> DomainResult<ProgramProgress> {
    let program = program_id.as_uuid();
    let exists = sqlx::query("SELECT 1 FROM programs WHERE id = $1")
        .bind(program)
        .fetch_optional(&mut *conn)
        .await
        .map_err(storage)?;
    if exists.is_none() {
        return Err(DomainError::not_found(EntityKind::Program, program_id));
    }
    let rows = sqlx::query(PROGRESS).bind(program).fetch_all(&mut *conn).await.map_err(storage)?;
    let count = |row, column| columns::integer(row, column).map(|n| n.max(0) as u64);
    let mut projects = rows
        .iter()
        .map(|row| {
            Ok(ProjectProgress {
                project_id: columns::id(row, "project_id")?,
                totals: WorkTotals {
                    items: count(row, "items")?,
                    done_items: count(row, "done_items")?,
                    in_progress_items: count(row, "in_progress_items")?,
                    estimated_days: columns::real(row, "estimated_days")?,
                    done_days: columns::real(row, "done_days")?,
                },
            })
        })
        .collect::<DomainResult<Vec<_>>>()?;
    projects.sort_by_key(|p| p.project_id);
    Ok(ProgramProgress { projects })
}
