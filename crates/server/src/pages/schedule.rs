//! The schedule on a program's page: the "Compute schedule" form's handler and the view the
//! program page shows (summary, Gantt chart, team load histograms; SVG from [`super::gantt`]).

use crate::routes::Routes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use tandem_domain::Access;
use tandem_domain::planning::{self, ScheduleOptions};
use tandem_domain::{DomainError, ProgramId, Project};

use super::PageCtx;
use super::gantt::{TimeScale, gantt_svg, histogram_svg};
use super::{PageError, parse_id, see_other, store};
use crate::api::schedule::compute_schedule;

pub fn router() -> Routes {
    Routes::new("").post("/programs/{id}/schedule", compute)
}

/// One team's load chart.
pub struct HistogramView {
    pub name: String,
    /// Working days on which the team is asked for more people than it has.
    pub overloaded_days: usize,
    /// Escaped SVG markup.
    pub svg: String,
}

/// What the program page shows of the latest schedule.
pub struct ScheduleView {
    pub computed_at: DateTime<Utc>,
    /// Its first working day (the day it was made as of, or the program's start if later).
    pub planned_from: chrono::NaiveDate,
    pub schedules_used: u64,
    pub finish: chrono::NaiveDate,
    pub makespan: i64,
    pub critical_path_finish: chrono::NaiveDate,
    pub critical_path_makespan: i64,
    pub activity_count: usize,
    pub critical_count: usize,
    pub diagnostics: Vec<String>,
    /// Escaped SVG markup (written by `gantt::Svg`, which escapes every text).
    pub gantt_svg: String,
    pub histograms: Vec<HistogramView>,
}

/// The view of the program's latest schedule, or `None` when none was computed yet. `today`
/// is marked on the Gantt chart and on every team's load histogram when the schedule spans it.
pub async fn schedule_view(
    store: Access<'_>,
    program_id: ProgramId,
    projects: &[Project],
    today: chrono::NaiveDate,
) -> Result<Option<ScheduleView>, PageError> {
    let Some(schedule) = store.latest_program_schedule(program_id).await? else {
        return Ok(None);
    };
    let teams = planning::load_teams(store.store()).await?;
    let project_names: Vec<_> = projects.iter().map(|p| (p.id, p.fields.name.to_string())).collect();
    let scale = TimeScale::new(&schedule);
    let days: Vec<(i64, i64)> = schedule.working_days(&teams).into_iter().zip(schedule.days_off(&teams)).collect();
    let gantt_svg = gantt_svg(&schedule, &project_names, &scale, today, &days);
    let histograms = schedule
        .team_loads(&teams)
        .iter()
        .map(|load| HistogramView {
            name: load.name.clone(),
            overloaded_days: load.load.iter().zip(&load.capacity).filter(|(l, c)| l > c).count(),
            svg: histogram_svg(&schedule, load, &scale, today),
        })
        .collect();
    Ok(Some(ScheduleView {
        planned_from: schedule.periods.first().copied().unwrap_or(schedule.finish),
        computed_at: schedule.computed_at,
        schedules_used: schedule.schedules_used,
        finish: schedule.finish,
        makespan: schedule.makespan,
        critical_path_finish: schedule.critical_path_finish,
        critical_path_makespan: schedule.critical_path_makespan,
        activity_count: schedule.entries.len(),
        critical_count: schedule.entries.iter().filter(|e| e.critical).count(),
        diagnostics: schedule.diagnostics,
        gantt_svg,
        histograms,
    }))
}

/// Computes with the default options, then back to the program page (Post/Redirect/Get). A
/// program with nothing to schedule shows its page again with the reason.
async fn compute(state: PageCtx, Path(id): Path<String>) -> Result<Response, PageError> {
    let id: ProgramId = parse_id(&id)?;
    store(&state).may_schedule(id).await?;
    match compute_schedule(state.app.store.as_ref(), id, ScheduleOptions::default()).await {
        Ok(_) => Ok(see_other(&format!("/programs/{id}#schedule"))),
        Err(DomainError::Validation(errors)) => {
            let reasons: Vec<&str> = errors.errors().iter().map(|e| e.message.as_str()).collect();
            let notice = format!("The schedule was not computed: {}.", reasons.join("; "));
            super::programs::show_page(&state, id, StatusCode::UNPROCESSABLE_ENTITY, Some(notice)).await
        }
        Err(other) => Err(other.into()),
    }
}
