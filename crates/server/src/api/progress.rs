//! A program's work done, `/api/v1/programs/{id}/progress`: the "% work complete" of status
//! reports, per project and for the program, by the rule of [`tandem_domain::progress`].

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use tandem_domain::progress::{ProgramProgress, WorkTotals};
use tandem_domain::{Access, DomainResult, PageRequest, ProgramId, Project, ProjectFilter, ProjectId};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::AppState;
use crate::api::extract::RecordPath;
use crate::auth::Caller;
use crate::error::ApiError;

/// `value` rounded to 2 decimals, as the JSON carries days and percents.
fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// The work of a set of leaf work items (cancelled ones left out): counts, estimated days (each
/// item's PERT mean) and the part of them done. Days and percent are rounded to 2 decimals.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
#[schema(as = WorkTotals)]
pub struct WorkTotalsJson {
    /// Leaf work items counted (not cancelled).
    pub items: u64,
    /// Of them, done.
    pub done_items: u64,
    /// Of them, in progress.
    pub in_progress_items: u64,
    /// The sum of the items' PERT means, in working days, rounded to 2 decimals.
    pub estimated_days: f64,
    /// The part of `estimated_days` done (done items whole, others by their percent complete),
    /// rounded to 2 decimals.
    pub done_days: f64,
    /// `done_days` / `estimated_days` in percent (0 to 100), computed before rounding and then
    /// rounded to 2 decimals; `null` when nothing is estimated.
    #[schema(required = true)]
    pub percent_done: Option<f64>,
}

impl From<WorkTotals> for WorkTotalsJson {
    fn from(totals: WorkTotals) -> Self {
        WorkTotalsJson {
            items: totals.items,
            done_items: totals.done_items,
            in_progress_items: totals.in_progress_items,
            estimated_days: round2(totals.estimated_days),
            done_days: round2(totals.done_days),
            percent_done: totals.percent_done().map(round2),
        }
    }
}

/// One project's work done.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = ProjectProgress)]
pub struct ProjectProgressJson {
    pub project_id: Uuid,
    /// The project's name.
    pub name: String,
    #[serde(flatten)]
    pub totals: WorkTotalsJson,
}

/// How much of a program's estimated work is done: its projects' leaf work items (summaries'
/// children, not the summaries; cancelled items left out), each weighed by its estimate's PERT
/// mean in working days; a done item counts whole, any other by its percent complete.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = ProgramProgress)]
pub struct ProgramProgressJson {
    pub program_id: Uuid,
    /// The whole program.
    pub total: WorkTotalsJson,
    /// Every project of the program (those without work at zero), ordered by name, then id.
    pub projects: Vec<ProjectProgressJson>,
}

impl ProgramProgressJson {
    /// The document of `progress`, the program's projects named from `projects` (a project
    /// missing there gets an empty name).
    pub fn new(program: ProgramId, progress: &ProgramProgress, projects: &[Project]) -> ProgramProgressJson {
        let names: HashMap<ProjectId, &str> = projects.iter().map(|p| (p.id, p.fields.name.as_str())).collect();
        let mut rows: Vec<ProjectProgressJson> = progress
            .projects
            .iter()
            .map(|project| ProjectProgressJson {
                project_id: project.project_id.as_uuid(),
                name: names.get(&project.project_id).copied().unwrap_or_default().to_owned(),
                totals: project.totals.into(),
            })
            .collect();
        rows.sort_by(|a, b| a.name.cmp(&b.name).then(a.project_id.cmp(&b.project_id)));
        ProgramProgressJson { program_id: program.as_uuid(), total: progress.total().into(), projects: rows }
    }
}

/// Every project of `program` the caller may read, all pages.
async fn program_projects(access: Access<'_>, program: ProgramId) -> DomainResult<Vec<Project>> {
    let filter = ProjectFilter { program: Some(program), ..ProjectFilter::default() };
    let mut projects = Vec::new();
    let mut page = PageRequest::first(PageRequest::MAX_LIMIT);
    loop {
        let listed = access.list_projects(&filter, &page).await?;
        projects.extend(listed.items);
        match listed.next_cursor {
            Some(cursor) => page = PageRequest { after: Some(cursor), limit: PageRequest::MAX_LIMIT },
            None => return Ok(projects),
        }
    }
}

/// The program's progress document as the caller may read it (`NotFound` for a program they
/// may not read).
pub async fn program_progress_document(access: Access<'_>, program: ProgramId) -> DomainResult<ProgramProgressJson> {
    let progress = access.program_progress(program).await?;
    let projects = program_projects(access, program).await?;
    Ok(ProgramProgressJson::new(program, &progress, &projects))
}

/// How much of the program's estimated work is done, per project and in total.
#[utoipa::path(
    get,
    path = "/api/v1/programs/{id}/progress",
    tag = "programs",
    params(("id" = uuid::Uuid, Path, description = "The program's id")),
    responses(
        (status = 200, description = "The program's work done", body = ProgramProgressJson),
        (status = 401, description = "Not signed in", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such program you may read", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 500, description = "Internal error", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
pub async fn program_progress(
    State(state): State<AppState>,
    caller: Caller,
    RecordPath(id): RecordPath<ProgramId>,
) -> Result<Json<ProgramProgressJson>, ApiError> {
    Ok(Json(program_progress_document(caller.access(&state), id).await?))
}
