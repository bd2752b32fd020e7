//! `/api/v1/programs/{id}/schedule`: compute (POST) and read (GET) a program's resource-leveled
//! schedule. The search is CPU-bound, so it runs on tokio's blocking pool, never on the async
//! workers; loading and saving stay async. Pages call [`compute_schedule`] too.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tandem_domain::planning::{self, ProgramSchedule, ScheduleOptions, TeamLoad};
use tandem_domain::{DomainError, DomainResult, ProgramId, Store};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::AppState;
use crate::api::dates::{ApiDate, timestamp};
use crate::api::dependencies::{DependencyKindJson, NodeRefJson};
use crate::api::extract::{RecordPath, parse_json};
use crate::auth::Caller;
use crate::error::{ApiError, PROBLEM_CONTENT_TYPE, Problem};

/// How hard to search; every member is optional.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ScheduleRequest)]
pub struct ScheduleRequestJson {
    /// Schedule budget: how many schedules the search builds, 1 to 100,000 (default 2,000).
    #[schema(minimum = 1, maximum = 100000)]
    pub schedules: Option<i64>,
    /// Seed of the search (default 1): the same data, budget and seed give the same schedule.
    pub seed: Option<u64>,
    /// Stop after this many milliseconds even if budget is left, 1 to 600,000.
    #[schema(minimum = 1, maximum = 600000)]
    pub time_limit_ms: Option<i64>,
}

/// The search settings a schedule was computed with.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ScheduleOptions)]
pub struct ScheduleOptionsJson {
    pub schedules: u64,
    pub seed: u64,
    pub time_limit_ms: Option<u64>,
}

/// One scheduled work item (a leaf: items with children are summaries) or milestone.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ScheduledActivity)]
pub struct ScheduledActivityJson {
    pub node: NodeRefJson,
    /// Title when the schedule was computed.
    pub title: String,
    pub project_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    /// People of the team it occupies while it runs (0 without a team).
    pub people: u32,
    /// First working day, counted from the schedule's `start` (day 0).
    pub start_period: i64,
    /// First working day after it.
    pub finish_period: i64,
    /// The days its team works from start to finish (it pauses over the team's days off, which
    /// `finish_period - start_period` counts too).
    pub duration_days: i64,
    #[schema(value_type = String, format = Date)]
    pub start: ApiDate,
    /// Last working day (the start date when it takes no time).
    #[schema(value_type = String, format = Date)]
    pub finish: ApiDate,
    /// On the driving path into the activity that finishes last.
    pub critical: bool,
    /// Total float in working days, from the critical path method (links only).
    pub total_float_days: i64,
}

/// A link between two activities (positions in `activities`), summaries expanded.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ScheduledLink)]
pub struct ScheduledLinkJson {
    pub predecessor: usize,
    pub successor: usize,
    pub kind: DependencyKindJson,
    pub lag_days: i64,
}

/// A team's load per working day against its capacity (its current capacity and calendar).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = TeamLoad)]
pub struct TeamLoadJson {
    pub team_id: Uuid,
    pub name: String,
    /// People busy on each working day (positions of `periods`).
    pub load: Vec<i64>,
    /// People available on each working day (0 on the team's own days off).
    pub capacity: Vec<i64>,
}

impl From<TeamLoad> for TeamLoadJson {
    fn from(load: TeamLoad) -> Self {
        TeamLoadJson { team_id: load.team_id.as_uuid(), name: load.name, load: load.load, capacity: load.capacity }
    }
}

/// A program's computed schedule.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ProgramSchedule)]
pub struct ProgramScheduleJson {
    pub program_id: Uuid,
    #[schema(format = DateTime)]
    pub computed_at: String,
    pub options: ScheduleOptionsJson,
    pub schedules_used: u64,
    /// Day 0: the first working day on or after the program's start.
    #[schema(value_type = String, format = Date)]
    pub start: ApiDate,
    /// Working days to the end of the last activity, teams' capacities respected.
    pub makespan_days: i64,
    /// Last working day of the schedule.
    #[schema(value_type = String, format = Date)]
    pub finish: ApiDate,
    /// Working days with unlimited people (critical path of the links alone), for comparison.
    pub critical_path_days: i64,
    #[schema(value_type = String, format = Date)]
    pub critical_path_finish: ApiDate,
    /// The date of each working day from day 0 to the end.
    #[schema(value_type = Vec<String>)]
    pub periods: Vec<ApiDate>,
    /// What was left out or adjusted.
    pub diagnostics: Vec<String>,
    pub activities: Vec<ScheduledActivityJson>,
    pub links: Vec<ScheduledLinkJson>,
    pub team_loads: Vec<TeamLoadJson>,
}

impl ProgramScheduleJson {
    /// `working_days` per entry ([`ProgramSchedule::working_days`]).
    fn new(schedule: ProgramSchedule, loads: Vec<TeamLoad>, working_days: &[i64]) -> Self {
        let start = schedule.periods.first().copied().unwrap_or(schedule.finish);
        ProgramScheduleJson {
            program_id: schedule.program_id.as_uuid(),
            computed_at: timestamp(schedule.computed_at),
            options: ScheduleOptionsJson {
                schedules: schedule.options.schedules(),
                seed: schedule.options.seed(),
                time_limit_ms: schedule.options.time_limit_ms(),
            },
            schedules_used: schedule.schedules_used,
            start: start.into(),
            makespan_days: schedule.makespan,
            finish: schedule.finish.into(),
            critical_path_days: schedule.critical_path_makespan,
            critical_path_finish: schedule.critical_path_finish.into(),
            periods: schedule.periods.iter().map(|d| ApiDate(*d)).collect(),
            diagnostics: schedule.diagnostics,
            activities: schedule
                .entries
                .into_iter()
                .enumerate()
                .map(|(i, e)| ScheduledActivityJson {
                    node: e.node.into(),
                    duration_days: working_days.get(i).copied().unwrap_or_else(|| e.duration()),
                    title: e.title,
                    project_id: e.project_id.map(|p| p.as_uuid()),
                    team_id: e.team_id.map(|t| t.as_uuid()),
                    people: e.people,
                    start_period: e.start_period,
                    finish_period: e.finish_period,
                    start: e.start.into(),
                    finish: e.finish.into(),
                    critical: e.critical,
                    total_float_days: e.total_float,
                })
                .collect(),
            links: schedule
                .links
                .into_iter()
                .map(|l| ScheduledLinkJson {
                    predecessor: l.predecessor,
                    successor: l.successor,
                    kind: l.kind.into(),
                    lag_days: l.lag,
                })
                .collect(),
            team_loads: loads.into_iter().map(TeamLoadJson::from).collect(),
        }
    }
}

/// Loads the program, computes its schedule on the blocking pool and stores it.
pub async fn compute_schedule(
    store: &dyn Store,
    program_id: ProgramId,
    options: ScheduleOptions,
) -> DomainResult<ProgramSchedule> {
    let input = planning::load_planning_input(store, program_id).await?;
    let computed_at = tandem_domain::record::now();
    let schedule = tokio::task::spawn_blocking(move || planning::plan(&input, options, computed_at))
        .await
        .map_err(DomainError::storage)??;
    store.save_program_schedule(&schedule).await?;
    Ok(schedule)
}

/// The schedule as the API sends it, with the load of every team it uses (against the teams as
/// they are now). The CLI prints the same document.
pub async fn with_loads(store: &dyn Store, schedule: ProgramSchedule) -> DomainResult<ProgramScheduleJson> {
    let teams = planning::load_teams(store).await?;
    let loads = schedule.team_loads(&teams);
    let working_days = schedule.working_days(&teams);
    Ok(ProgramScheduleJson::new(schedule, loads, &working_days))
}

/// Reads an optional JSON body: none (or blank) means every default (the forecast shares it).
pub fn read_optional_body<T: DeserializeOwned + Default>(headers: &HeaderMap, body: &Bytes) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    let essence = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if essence != "application/json" {
        return Err(ApiError::UnsupportedMediaType);
    }
    parse_json::<T>(body)
}

/// Computes the program's schedule now and stores it as its latest (replacing the previous one).
///
/// Teams are the resources: an item needs `people_needed` of its team while it runs; leaf items
/// that are not done or cancelled are scheduled, for the PERT mean of what their
/// `percent_complete` leaves of the estimate, from the program's status date; items with
/// children are summaries, milestones take no time. A program with nothing open to schedule is
/// a 422 on field `program`.
#[utoipa::path(
    post,
    path = "/api/v1/programs/{id}/schedule",
    tag = "programs",
    params(("id" = uuid::Uuid, Path, description = "The program's id")),
    request_body(content = Option<ScheduleRequestJson>, description = "Search settings; the body may be left out"),
    responses(
        (status = 201, description = "Computed and stored", body = ProgramScheduleJson),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The caller may read the program but not schedule it", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such program", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The body is too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "A body was sent, but not as application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An option is out of range, or the program has nothing to schedule (field `program`, code `nothing_to_schedule`)", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn compute_program_schedule(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(id): RecordPath<ProgramId>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    caller.access(&state).may_schedule(id).await?;
    let request: ScheduleRequestJson = read_optional_body(&headers, &body)?;
    let options = ScheduleOptions::new(request.schedules, request.seed, request.time_limit_ms)?;
    let store = state.store.as_ref();
    let schedule = compute_schedule(store, id, options).await?;
    let json = with_loads(store, schedule).await?;
    Ok((StatusCode::CREATED, Json(json)).into_response())
}

/// The program's latest computed schedule.
#[utoipa::path(
    get,
    path = "/api/v1/programs/{id}/schedule",
    tag = "programs",
    params(("id" = uuid::Uuid, Path, description = "The program's id")),
    responses(
        (status = 200, description = "The latest schedule", body = ProgramScheduleJson),
        (status = 404, description = "No such program (`not-found`), or no schedule computed yet (`no-schedule`)", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_program_schedule(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(id): RecordPath<ProgramId>,
) -> Result<Response, ApiError> {
    let access = caller.access(&state);
    access.get_program(id).await?;
    match access.latest_program_schedule(id).await? {
        Some(schedule) => Ok(Json(with_loads(state.store.as_ref(), schedule).await?).into_response()),
        None => Ok(no_schedule(id)),
    }
}

/// 404 `no-schedule`: the program exists but no schedule was computed for it.
fn no_schedule(id: ProgramId) -> Response {
    not_computed(
        "no-schedule",
        "No schedule",
        format!("no schedule computed yet for program {id}: POST /api/v1/programs/{id}/schedule computes one"),
    )
}

/// 404 `urn:tandem:problem:{kind}`: the record exists, but nothing was computed for it yet.
pub fn not_computed(kind: &str, title: &str, detail: String) -> Response {
    let problem = Problem {
        problem_type: format!("urn:tandem:problem:{kind}"),
        title: title.to_owned(),
        status: StatusCode::NOT_FOUND.as_u16(),
        detail,
        instance: None,
        current_version: None,
        errors: Vec::new(),
    };
    let mut response = (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_CONTENT_TYPE))],
        Json(&problem),
    )
        .into_response();
    // The problem layer adds `instance` from this, as for every other problem.
    response.extensions_mut().insert(problem);
    response
}
