//! `/api/v1/programs/{id}/forecast`: compute (POST) and read (GET) a program's Monte Carlo
//! forecast. The simulation is CPU-bound, so it runs on tokio's blocking pool; loading and saving
//! stay async. The stored forecast keeps the versions of the records it read, and reading it
//! tells how many have changed since. Pages call [`compute_forecast`] too.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tandem_domain::forecasting::{
    self, DatedPercentiles, Driver, ForecastOptions, InputChanges, ProgramForecast, distribution_word,
    parse_distribution,
};
use tandem_domain::{Actor, DomainError, DomainResult, ProgramId, Store, ValidationErrors};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::AppState;
use crate::api::dates::{ApiDate, timestamp};
use crate::api::dependencies::NodeRefJson;
use crate::api::extract::RecordPath;
use crate::api::schedule::{not_computed, read_optional_body};
use crate::auth::Caller;
use crate::error::{ApiError, Problem};

/// How to simulate; every member is optional.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ForecastRequest)]
pub struct ForecastRequestJson {
    /// Monte Carlo iterations, 1 to 1,000,000 (default 1,000).
    #[schema(minimum = 1, maximum = 1000000)]
    pub iterations: Option<i64>,
    /// Seed (default 1): the same records, options and seed give the same forecast.
    pub seed: Option<u64>,
    /// `resources` (default): every iteration re-decodes the scheduler's best priority order under
    /// the teams' capacities; `network`: links and start dates only.
    pub mode: Option<String>,
    /// `pert` (default) or `triangular`: how each three-point estimate is sampled.
    pub distribution: Option<String>,
}

impl ForecastRequestJson {
    /// The validated options (fields `iterations`, `mode`, `distribution`).
    pub fn options(&self) -> Result<ForecastOptions, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let resource_aware = match self.mode.as_deref().map(str::trim) {
            None | Some("resources") => true,
            Some("network") => false,
            Some(_) => {
                errors.add("mode", "invalid", "must be one of resources, network");
                true
            }
        };
        let distribution = match self.distribution.as_deref() {
            None => Some(forecasting::Distribution::Pert),
            Some(raw) => errors.check_all(parse_distribution("distribution", raw)),
        };
        let options = errors.check_all(ForecastOptions::new(
            self.iterations,
            self.seed,
            resource_aware,
            distribution.unwrap_or(forecasting::Distribution::Pert),
        ));
        errors.finish(options)
    }
}

/// The settings a forecast ran with.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ForecastOptions)]
pub struct ForecastOptionsJson {
    pub iterations: u32,
    pub seed: u64,
    /// `resources` or `network`.
    pub mode: &'static str,
    /// `pert` or `triangular`.
    pub distribution: &'static str,
}

/// Finish percentiles in working days (from the program calendar's day 0), with the mean.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = WorkingDayPercentiles)]
pub struct WorkingDaysJson {
    pub p10: i64,
    pub p50: i64,
    pub p80: i64,
    pub p95: i64,
    pub mean: f64,
}

/// Dated percentiles: by the P80 date, 80 % of the iterations had finished.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = DatedPercentiles)]
pub struct DatedPercentilesJson {
    #[schema(value_type = String, format = Date)]
    pub p10: ApiDate,
    #[schema(value_type = String, format = Date)]
    pub p50: ApiDate,
    #[schema(value_type = String, format = Date)]
    pub p80: ApiDate,
    #[schema(value_type = String, format = Date)]
    pub p95: ApiDate,
    pub working_days: WorkingDaysJson,
}

impl From<&DatedPercentiles> for DatedPercentilesJson {
    fn from(p: &DatedPercentiles) -> Self {
        DatedPercentilesJson {
            p10: p.p10.into(),
            p50: p.p50.into(),
            p80: p.p80.into(),
            p95: p.p95.into(),
            working_days: WorkingDaysJson {
                p10: p.periods.p10,
                p50: p.periods.p50,
                p80: p.periods.p80,
                p95: p.periods.p95,
                mean: p.periods.mean,
            },
        }
    }
}

/// The deterministic plan (every estimate at its PERT mean, no risk) against the forecast.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ForecastPlanComparison)]
pub struct PlanJson {
    /// The plan's last working day.
    #[schema(value_type = String, format = Date)]
    pub finish: ApiDate,
    pub working_days: i64,
    /// Share of iterations finishing by the plan's date (0 to 1).
    pub probability: f64,
    /// Working days the forecast's P50 lies after the plan: the merge bias (where parallel paths
    /// merge, the latest of several uncertain finishes is later than the latest of their means),
    /// plus what the open risks add.
    pub merge_bias_days: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ProjectForecast)]
pub struct ProjectForecastJson {
    pub project_id: Uuid,
    pub name: String,
    pub finish: DatedPercentilesJson,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = MilestoneForecast)]
pub struct MilestoneForecastJson {
    pub milestone_id: Uuid,
    pub name: String,
    pub project_id: Uuid,
    #[schema(value_type = String, format = Date)]
    pub target_date: ApiDate,
    pub date: DatedPercentilesJson,
    /// The P80 date is on or before the target.
    pub p80_meets_target: bool,
}

/// One simulated activity: an open leaf work item or a milestone.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ActivityForecast)]
pub struct ActivityForecastJson {
    pub node: NodeRefJson,
    pub title: String,
    pub project_id: Option<Uuid>,
    /// Start and finish (first day after it) in the deterministic plan, in working days.
    pub plan_start_day: i64,
    pub plan_finish_day: i64,
    /// Its finish: the last working day (a milestone: its own day).
    pub finish: DatedPercentilesJson,
    /// Share of iterations in which it was on the critical path (0 to 1).
    pub criticality: f64,
    /// Spearman rank correlation of its sampled duration with the program's finish (-1 to 1).
    pub sensitivity: f64,
}

/// One risk of the register, as simulated.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = RiskForecast)]
pub struct RiskForecastJson {
    pub risk_id: Uuid,
    pub title: String,
    /// Chance it occurs, in percent (100 while it is occurring).
    pub probability: u8,
    /// Spearman rank correlation of its applied impact with the program's finish.
    pub sensitivity: f64,
    /// Working days the P80 finish moves because of it (P80 with it minus P80 without it).
    pub p80_days: i64,
}

/// One bar of the tornado chart.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ForecastDriver)]
pub struct DriverJson {
    /// `activity` or `risk`.
    pub kind: &'static str,
    pub title: String,
    /// The activity's node, or the risk's id.
    pub node: Option<NodeRefJson>,
    pub risk_id: Option<Uuid>,
    pub sensitivity: f64,
}

/// Equal-width bins of the program finish (in working days from day 0, first day after the work).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ForecastHistogram)]
pub struct HistogramJson {
    pub start_day: i64,
    pub bin_width_days: i64,
    pub counts: Vec<u64>,
}

/// One point of the S-curve.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = SCurvePoint)]
pub struct CurvePointJson {
    /// Last working day.
    #[schema(value_type = String, format = Date)]
    pub date: ApiDate,
    pub working_days: i64,
    /// Share of iterations finished by then.
    pub probability: f64,
}

/// How settled the P80 is.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ForecastConvergence)]
pub struct ConvergenceJson {
    pub p80_first_half: i64,
    pub p80_first_90_percent: i64,
    pub p80: i64,
    /// How many working days the last tenth of the iterations still moved the P80.
    pub p80_shift_last_tenth: i64,
}

/// The version of one record the forecast read.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ForecastInputVersion)]
pub struct InputVersionJson {
    /// `program`, `project`, `work_item`, `milestone`, `dependency`, `team` or `risk`.
    pub entity: &'static str,
    pub id: String,
    /// The record's version; for a work item, a fingerprint of the fields the forecast reads
    /// (project, parent, title, status, estimate, team, people), so a backlog move or a story
    /// edit leaves the forecast current. Compare for equality only.
    pub version: i64,
}

/// The records the forecast was computed from, and how they have moved since.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ForecastInputs)]
pub struct InputsJson {
    pub versions: Vec<InputVersionJson>,
    /// Records with another version now.
    pub changed: usize,
    /// Records the forecast would read now but did not.
    pub added: usize,
    /// Records it read that are gone (or out of the program) now.
    pub removed: usize,
    /// Nothing moved: the forecast describes the records as they are.
    pub current: bool,
}

/// A program's forecast.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ProgramForecast)]
pub struct ProgramForecastJson {
    pub program_id: Uuid,
    #[schema(format = DateTime)]
    pub computed_at: String,
    /// Who asked for it.
    pub computed_by: String,
    pub options: ForecastOptionsJson,
    /// Schedules searched for the resource-aware priority order.
    pub schedules_used: Option<u64>,
    /// Activities simulated.
    pub activity_count: usize,
    /// The whole program's last working day.
    pub finish: DatedPercentilesJson,
    pub plan: PlanJson,
    pub projects: Vec<ProjectForecastJson>,
    pub milestones: Vec<MilestoneForecastJson>,
    pub activities: Vec<ActivityForecastJson>,
    /// Every simulated risk, in the register's order.
    pub risks: Vec<RiskForecastJson>,
    /// The ten largest drivers by absolute sensitivity, activities and risks together.
    pub drivers: Vec<DriverJson>,
    pub histogram: HistogramJson,
    pub s_curve: Vec<CurvePointJson>,
    pub convergence: ConvergenceJson,
    pub inputs: InputsJson,
    /// What was left out or adjusted.
    pub diagnostics: Vec<String>,
}

impl ProgramForecastJson {
    pub fn new(f: &ProgramForecast, changes: InputChanges) -> Self {
        ProgramForecastJson {
            program_id: f.program_id.as_uuid(),
            computed_at: timestamp(f.computed_at),
            computed_by: f.computed_by.clone(),
            options: ForecastOptionsJson {
                iterations: f.options.iterations(),
                seed: f.options.seed(),
                mode: if f.options.resource_aware() { "resources" } else { "network" },
                distribution: distribution_word(f.options.distribution()),
            },
            schedules_used: f.schedules_used,
            activity_count: f.activities,
            finish: (&f.finish).into(),
            plan: PlanJson {
                finish: f.plan.date.into(),
                working_days: f.plan.periods,
                probability: f.plan.probability,
                merge_bias_days: f.merge_bias_days(),
            },
            projects: f
                .projects
                .iter()
                .map(|p| ProjectForecastJson {
                    project_id: p.project_id.as_uuid(),
                    name: p.name.clone(),
                    finish: (&p.finish).into(),
                })
                .collect(),
            milestones: f
                .milestones
                .iter()
                .map(|m| MilestoneForecastJson {
                    milestone_id: m.milestone_id.as_uuid(),
                    name: m.name.clone(),
                    project_id: m.project_id.as_uuid(),
                    target_date: m.target_date.into(),
                    date: (&m.date).into(),
                    p80_meets_target: m.p80_meets_target(),
                })
                .collect(),
            activities: f
                .activity_forecasts
                .iter()
                .map(|a| ActivityForecastJson {
                    node: a.node.into(),
                    title: a.title.clone(),
                    project_id: a.project_id.map(|p| p.as_uuid()),
                    plan_start_day: a.plan_start,
                    plan_finish_day: a.plan_finish,
                    finish: (&a.finish).into(),
                    criticality: a.criticality,
                    sensitivity: a.sensitivity,
                })
                .collect(),
            risks: f
                .risks
                .iter()
                .map(|r| RiskForecastJson {
                    risk_id: r.risk_id.as_uuid(),
                    title: r.title.clone(),
                    probability: r.probability_percent,
                    sensitivity: r.sensitivity,
                    p80_days: r.p80_days,
                })
                .collect(),
            drivers: f
                .top_drivers(10)
                .into_iter()
                .map(|d| match d {
                    Driver::Activity(a) => DriverJson {
                        kind: "activity",
                        title: a.title.clone(),
                        node: Some(a.node.into()),
                        risk_id: None,
                        sensitivity: a.sensitivity,
                    },
                    Driver::Risk(r) => DriverJson {
                        kind: "risk",
                        title: r.title.clone(),
                        node: None,
                        risk_id: Some(r.risk_id.as_uuid()),
                        sensitivity: r.sensitivity,
                    },
                })
                .collect(),
            histogram: HistogramJson {
                start_day: f.histogram.start,
                bin_width_days: f.histogram.bin_width,
                counts: f.histogram.counts.clone(),
            },
            s_curve: f
                .s_curve
                .iter()
                .map(|p| CurvePointJson {
                    date: f.date(p.finish - 1).into(),
                    working_days: p.finish,
                    probability: p.probability,
                })
                .collect(),
            convergence: ConvergenceJson {
                p80_first_half: f.convergence.p80_first_half,
                p80_first_90_percent: f.convergence.p80_first_90_percent,
                p80: f.convergence.p80,
                p80_shift_last_tenth: f.convergence.p80_shift_last_tenth,
            },
            inputs: InputsJson {
                versions: f
                    .inputs
                    .iter()
                    .map(|v| InputVersionJson {
                        entity: v.entity.as_str(),
                        id: v.record_id.clone(),
                        version: v.version,
                    })
                    .collect(),
                changed: changes.changed,
                added: changes.added,
                removed: changes.removed,
                current: changes.is_current(),
            },
            diagnostics: f.diagnostics.clone(),
        }
    }
}

/// Loads the program's records and risks, simulates on the blocking pool and stores the result.
pub async fn compute_forecast(
    store: &dyn Store,
    actor: &Actor,
    program_id: ProgramId,
    options: ForecastOptions,
) -> DomainResult<ProgramForecast> {
    let inputs = forecasting::load_forecast_inputs(store, program_id).await?;
    let computed_at = tandem_domain::record::now();
    let computed_by = actor.name.clone();
    let forecast = tokio::task::spawn_blocking(move || {
        forecasting::forecast_program(&inputs, options, computed_at, &computed_by, &|_, _| {})
    })
    .await
    .map_err(DomainError::storage)??;
    store.save_program_forecast(&forecast).await?;
    Ok(forecast)
}

/// How far the records have moved since `forecast` was computed (their versions only: no record
/// is loaded, so every view of a large program's forecast stays cheap).
pub async fn changes_since(store: &dyn Store, forecast: &ProgramForecast) -> DomainResult<InputChanges> {
    let now = store.forecast_input_versions(forecast.program_id).await?;
    Ok(forecasting::input_changes(&forecast.inputs, &now))
}

/// Runs a Monte Carlo forecast of the program now and stores it as its latest.
///
/// Each iteration samples every open leaf work item's duration from its three-point estimate,
/// scaled to what its `percent_complete` leaves, and each open risk's occurrence (an occurring risk always occurs) and impact on the items it
/// hits, then schedules: through the teams' capacities (`mode: resources`, after a search for the
/// best priority order) or by links alone (`network`). The answer holds P10/P50/P80/P95 dates
/// of the program, each project, milestone and activity, the histogram and S-curve of the
/// finish, criticality indexes, drivers, each risk's effect on the P80, the deterministic
/// plan's date with the merge bias, and the version of every record read.
#[utoipa::path(
    post,
    path = "/api/v1/programs/{id}/forecast",
    tag = "programs",
    params(("id" = uuid::Uuid, Path, description = "The program's id")),
    request_body(content = Option<ForecastRequestJson>, description = "Simulation settings; the body may be left out"),
    responses(
        (status = 201, description = "Computed and stored", body = ProgramForecastJson),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller may read the program but not forecast it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such program", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "A body was sent, but not as application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An option is invalid (`iterations`, `mode`, `distribution`), or the program has nothing to forecast (field `program`)", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn compute_program_forecast(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(id): RecordPath<ProgramId>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    caller.access(&state).may_forecast(id).await?;
    let request: ForecastRequestJson = read_optional_body(&headers, &body)?;
    let options = request.options().map_err(DomainError::from)?;
    let forecast = compute_forecast(state.store.as_ref(), &caller.principal.actor(), id, options).await?;
    let json = ProgramForecastJson::new(&forecast, InputChanges::default());
    Ok((StatusCode::CREATED, Json(json)).into_response())
}

/// The program's latest forecast, with how many of its input records have changed since.
#[utoipa::path(
    get,
    path = "/api/v1/programs/{id}/forecast",
    tag = "programs",
    params(("id" = uuid::Uuid, Path, description = "The program's id")),
    responses(
        (status = 200, description = "The latest forecast", body = ProgramForecastJson),
        (status = 404, description = "No such program (`not-found`), or no forecast computed yet (`no-forecast`)", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_program_forecast(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(id): RecordPath<ProgramId>,
) -> Result<Response, ApiError> {
    let access = caller.access(&state);
    access.get_program(id).await?;
    match access.latest_program_forecast(id).await? {
        Some(forecast) => {
            let changes = changes_since(state.store.as_ref(), &forecast).await?;
            Ok(Json(ProgramForecastJson::new(&forecast, changes)).into_response())
        }
        None => Ok(not_computed(
            "no-forecast",
            "No forecast",
            format!("no forecast computed yet for program {id}: POST /api/v1/programs/{id}/forecast computes one"),
        )),
    }
}
