//! The "Plan" panel of a work item's and a milestone's page: its dates in its program's latest
//! stored schedule and forecast, so that "when will this be done?" is answered where the record
//! is, not only on the program page.

use chrono::NaiveDate;
use tandem_domain::{Access, NodeRef, ProgramId};

use super::PageError;
use super::panels::if_readable;

/// Dates in the latest schedule.
#[derive(Debug, Clone)]
pub struct ScheduledDates {
    pub start: NaiveDate,
    pub finish: NaiveDate,
    /// On the schedule's critical path.
    pub critical: bool,
    /// The day the schedule was made as of (its first working day).
    pub as_of: NaiveDate,
}

/// Finish percentiles in the latest forecast.
#[derive(Debug, Clone)]
pub struct ForecastDates {
    pub p50: NaiveDate,
    pub p80: NaiveDate,
    pub p95: NaiveDate,
    /// The day the forecast was made as of (its first working day).
    pub as_of: NaiveDate,
}

/// The panel: `None` parts are not in the latest schedule or forecast.
#[derive(Debug, Clone)]
pub struct PlanPanel {
    pub program_id: ProgramId,
    pub scheduled: Option<ScheduledDates>,
    pub forecast: Option<ForecastDates>,
    /// Whether the program has a stored schedule, and a stored forecast, at all.
    pub has_schedule: bool,
    pub has_forecast: bool,
    /// Why the record is in neither (done, a summary), said instead of "not in the latest".
    pub not_planned: Option<&'static str>,
}

impl PlanPanel {
    /// One date when start and finish are the same day.
    pub fn one_day(&self) -> bool {
        self.scheduled.as_ref().is_some_and(|s| s.start == s.finish)
    }

    /// The schedule and the forecast were made as of different days: their dates disagree for
    /// that reason alone.
    pub fn as_of_differ(&self) -> bool {
        matches!((&self.scheduled, &self.forecast), (Some(s), Some(f)) if s.as_of != f.as_of)
    }
}

/// The panel of `node` in `program`; `None` when the viewer may not read the program.
/// `not_planned` says why the record is in no plan, when it is not meant to be (done, a summary).
pub async fn plan_panel(
    access: Access<'_>,
    program: ProgramId,
    node: NodeRef,
    not_planned: Option<&'static str>,
) -> Result<Option<PlanPanel>, PageError> {
    let Some(schedule) = if_readable(access.latest_program_schedule(program).await)? else {
        return Ok(None);
    };
    let has_schedule = schedule.is_some();
    let scheduled = schedule.and_then(|s| {
        let as_of = s.periods.first().copied().unwrap_or(s.finish);
        s.entries.into_iter().find(|e| e.node == node).map(|e| ScheduledDates {
            start: e.start,
            finish: e.finish,
            critical: e.critical,
            as_of,
        })
    });
    let forecast = if_readable(access.latest_program_forecast(program).await)?.flatten();
    let has_forecast = forecast.is_some();
    let forecast = forecast.and_then(|f| {
        let as_of = f.calendar.first().copied().unwrap_or(f.finish.p50);
        f.activity_forecasts.into_iter().find(|a| a.node == node).map(|a| ForecastDates {
            p50: a.finish.p50,
            p80: a.finish.p80,
            p95: a.finish.p95,
            as_of,
        })
    });
    Ok(Some(PlanPanel { program_id: program, scheduled, forecast, has_schedule, has_forecast, not_planned }))
}
