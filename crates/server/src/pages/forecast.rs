//! The forecast on a program's page: the "Run forecast" form's handler and the view the program
//! page shows (percentile table, S-curve, histogram, tornado, criticality Gantt, the risks that
//! move the P80 most, the merge bias; SVG from [`super::forecast_charts`]).

use axum::Form;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use tandem_domain::forecasting::{InputChanges, criticality_band, distribution_word, risks_by_p80_effect};
use tandem_domain::{Access, DomainError, ProgramId, Project, RiskId};

use super::forecast_charts::{criticality_gantt_svg, finish_histogram_svg, s_curve_svg, tornado_svg};
use super::form::SubmittedForm;
use super::{PageCtx, PageError, parse_id, see_other, store};
use crate::api::forecast::{ForecastRequestJson, changes_since, compute_forecast};
use crate::routes::Routes;

pub fn router() -> Routes {
    Routes::new("").post("/programs/{id}/forecast", compute)
}

/// One line of the percentile table.
pub struct PercentileRow {
    /// "Program", "Project" or "Milestone".
    pub kind: &'static str,
    pub name: String,
    pub p10: NaiveDate,
    pub p50: NaiveDate,
    pub p80: NaiveDate,
    pub p95: NaiveDate,
    /// A milestone's (or the whole program's) target and whether its P80 meets it.
    pub target: Option<(NaiveDate, bool)>,
}

/// A risk and how far it moves the P80.
pub struct RiskRow {
    pub id: RiskId,
    pub title: String,
    pub probability: u8,
    pub p80_days: i64,
    pub sensitivity: String,
}

/// What the program page shows of the latest forecast.
pub struct ForecastView {
    pub computed_at: DateTime<Utc>,
    /// Its first working day (the day it was made as of, or the program's start if later).
    pub planned_from: NaiveDate,
    pub computed_by: String,
    pub iterations: u32,
    pub seed: u64,
    pub resource_aware: bool,
    pub distribution: &'static str,
    pub schedules_used: Option<u64>,
    pub activity_count: usize,
    pub changes: InputChanges,
    pub input_count: usize,
    pub rows: Vec<PercentileRow>,
    pub plan_date: NaiveDate,
    pub plan_days: i64,
    /// "13", the plan date's chance in percent.
    pub plan_probability: String,
    pub p50_date: NaiveDate,
    pub merge_bias_days: i64,
    /// Working days the last tenth of the iterations moved the P80.
    pub p80_shift: i64,
    pub critical_high: usize,
    pub critical_medium: usize,
    pub critical_low: usize,
    pub risks: Vec<RiskRow>,
    pub diagnostics: Vec<String>,
    pub histogram_svg: String,
    pub s_curve_svg: String,
    pub tornado_svg: String,
    pub has_drivers: bool,
    pub gantt_svg: String,
}

/// The view of the program's latest forecast, or `None` when none was computed yet.
/// `target_end` is the program's target end, which the whole program's row is held against.
/// `today` is marked on the charts with a date axis (S-curve, finish histogram, criticality
/// Gantt chart) when it falls within their range.
pub async fn forecast_view(
    store: Access<'_>,
    program_id: ProgramId,
    projects: &[Project],
    target_end: NaiveDate,
    today: NaiveDate,
) -> Result<Option<ForecastView>, PageError> {
    let Some(forecast) = store.latest_program_forecast(program_id).await? else {
        return Ok(None);
    };
    let changes = changes_since(store.store(), &forecast).await?;
    let f = &forecast;
    let dated = |kind, name: &str, p: &tandem_domain::forecasting::DatedPercentiles, target| PercentileRow {
        kind,
        name: name.to_owned(),
        p10: p.p10,
        p50: p.p50,
        p80: p.p80,
        p95: p.p95,
        target,
    };
    // The program's P80 meets its target end when it finishes on or before it, as a milestone's.
    let mut rows = vec![dated("Program", "Whole program", &f.finish, Some((target_end, f.finish.p80 <= target_end)))];
    rows.extend(f.projects.iter().map(|p| dated("Project", &p.name, &p.finish, None)));
    rows.extend(
        f.milestones.iter().map(|m| dated("Milestone", &m.name, &m.date, Some((m.target_date, m.p80_meets_target())))),
    );
    // The legend counts by the same bands the chart colours by.
    let band = |name: &str| f.activity_forecasts.iter().filter(|a| criticality_band(a.criticality) == name).count();
    let drivers = f.top_drivers(10);
    let project_names: Vec<_> = projects.iter().map(|p| (p.id, p.fields.name.to_string())).collect();
    Ok(Some(ForecastView {
        planned_from: f.calendar.first().copied().unwrap_or(f.finish.p50),
        computed_at: f.computed_at,
        computed_by: f.computed_by.clone(),
        iterations: f.options.iterations(),
        seed: f.options.seed(),
        resource_aware: f.options.resource_aware(),
        distribution: distribution_word(f.options.distribution()),
        schedules_used: f.schedules_used,
        activity_count: f.activities,
        changes,
        input_count: f.inputs.len(),
        rows,
        plan_date: f.plan.date,
        plan_days: f.plan.periods,
        plan_probability: format!("{:.0}", f.plan.probability * 100.0),
        p50_date: f.finish.p50,
        merge_bias_days: f.merge_bias_days(),
        p80_shift: f.convergence.p80_shift_last_tenth,
        critical_high: band("high"),
        critical_medium: band("medium"),
        critical_low: band("low"),
        risks: risks_by_p80_effect(f)
            .into_iter()
            .map(|r| RiskRow {
                id: r.risk_id,
                title: r.title.clone(),
                probability: r.probability_percent,
                p80_days: r.p80_days,
                sensitivity: format!("{:.2}", r.sensitivity),
            })
            .collect(),
        diagnostics: f.diagnostics.clone(),
        histogram_svg: finish_histogram_svg(f, today),
        s_curve_svg: s_curve_svg(f, today),
        has_drivers: !drivers.is_empty(),
        tornado_svg: tornado_svg(&drivers),
        gantt_svg: criticality_gantt_svg(f, &project_names, today),
    }))
}

/// Runs the forecast with the form's settings, then back to the program page (Post/Redirect/Get).
/// Invalid settings, or a program with nothing to forecast, show the page again with the reason.
async fn compute(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id: ProgramId = parse_id(&id)?;
    store(&state).may_forecast(id).await?;
    let form = SubmittedForm::new(pairs);
    let iterations = match form.optional_text("iterations").map(|raw| raw.trim().parse::<i64>()) {
        None => Ok(None),
        Some(Ok(n)) => Ok(Some(n)),
        Some(Err(_)) => Err("iterations must be a whole number".to_owned()),
    };
    let seed = match form.optional_text("seed").map(|raw| raw.trim().parse::<u64>()) {
        None => Ok(None),
        Some(Ok(n)) => Ok(Some(n)),
        Some(Err(_)) => Err("seed must be a whole number from 0".to_owned()),
    };
    let outcome = match (iterations, seed) {
        (Ok(iterations), Ok(seed)) => {
            let request = ForecastRequestJson {
                iterations,
                seed,
                mode: form.optional_text("mode"),
                distribution: form.optional_text("distribution"),
            };
            match request.options() {
                Ok(options) => {
                    compute_forecast(state.app.store.as_ref(), &state.caller.principal.actor(), id, options).await
                }
                Err(errors) => Err(DomainError::from(errors)),
            }
        }
        (Err(reason), _) | (_, Err(reason)) => {
            let notice = format!("The forecast was not run: {reason}.");
            return super::programs::show_page(&state, id, StatusCode::UNPROCESSABLE_ENTITY, Some(notice)).await;
        }
    };
    match outcome {
        Ok(_) => Ok(see_other(&format!("/programs/{id}#forecast"))),
        Err(DomainError::Validation(errors)) => {
            let reasons: Vec<String> = errors.errors().iter().map(|e| format!("{} {}", e.field, e.message)).collect();
            let notice = format!("The forecast was not run: {}.", reasons.join("; "));
            super::programs::show_page(&state, id, StatusCode::UNPROCESSABLE_ENTITY, Some(notice)).await
        }
        Err(other) => Err(other.into()),
    }
}
