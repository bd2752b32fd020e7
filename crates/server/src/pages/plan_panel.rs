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
    /// The day the schedule was computed.
    pub computed_on: NaiveDate,
}

/// Finish percentiles in the latest forecast.
#[derive(Debug, Clone)]
pub struct ForecastDates {
    pub p50: NaiveDate,
    pub p80: NaiveDate,
    pub p95: NaiveDate,
    /// The day the forecast was computed.
    pub computed_on: NaiveDate,
}

/// The panel: `None` parts are not in the latest schedule or forecast (none computed yet, or
/// computed before the record was open).
#[derive(Debug, Clone)]
pub struct PlanPanel {
    pub program_id: ProgramId,
    pub scheduled: Option<ScheduledDates>,
    pub forecast: Option<ForecastDates>,
}

impl PlanPanel {
    /// One date when start and finish are the same day.
    pub fn one_day(&self) -> bool {
        self.scheduled.as_ref().is_some_and(|s| s.start == s.finish)
    }
}

/// The panel of `node` in `program`; `None` when the viewer may not read the program.
pub async fn plan_panel(access: Access<'_>, program: ProgramId, node: NodeRef) -> Result<Option<PlanPanel>, PageError> {
    let Some(schedule) = if_readable(access.latest_program_schedule(program).await)? else {
        return Ok(None);
    };
    let scheduled = schedule.and_then(|s| {
        let computed_on = s.computed_at.date_naive();
        s.entries.into_iter().find(|e| e.node == node).map(|e| ScheduledDates {
            start: e.start,
            finish: e.finish,
            critical: e.critical,
            computed_on,
        })
    });
    let forecast = if_readable(access.latest_program_forecast(program).await)?.flatten().and_then(|f| {
        let computed_on = f.computed_at.date_naive();
        f.activity_forecasts.into_iter().find(|a| a.node == node).map(|a| ForecastDates {
            p50: a.finish.p50,
            p80: a.finish.p80,
            p95: a.finish.p95,
            computed_on,
        })
    });
    Ok(Some(PlanPanel { program_id: program, scheduled, forecast }))
}
