//! Program pages: the list, the program with its projects, milestones and cross-project
//! dependencies, and the create/edit forms.

use crate::routes::Routes;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tandem_domain::{
    Cursor, DependencyFilter, DomainError, Milestone, MilestoneFilter, PageRequest, Program, ProgramFields,
    ProgramFilter, ProgramId, ProgramInput, ProgramPhase, Project, ProjectFilter, ValidationErrors,
};

use super::PageCtx;
use super::dependencies::{DependencyRow, dependency_rows};
use super::forecast::{ForecastView, forecast_view};
use super::form::{FormReader, FormState, SelectOption, SubmittedForm, finish};
use super::panels::{HistoryRow, MembersPanel, Rights, withheld};
use super::schedule::{ScheduleView, schedule_view};
use super::{
    EmptyList, LIST_LIMIT, PageError, empty_list, first_records, next_page_link, ok, parse_id, render, see_other, store,
};
use tandem_domain::EntityKind;
use tandem_domain::progress::{ProgramProgress, WorkTotals};

pub fn router() -> Routes {
    Routes::new("")
        .get("/programs", list)
        .post("/programs", create)
        .get("/programs/new", new_form)
        .get("/programs/{id}", show)
        .post("/programs/{id}", update)
        .get("/programs/{id}/edit", edit_form)
        .post("/programs/{id}/delete", delete)
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    after: Option<String>,
}

#[derive(Template)]
#[template(path = "programs/list.html")]
struct ListPage {
    programs: Vec<Program>,
    /// What the page says instead of the table, when it lists no program.
    empty: Option<EmptyList>,
    next_page: Option<String>,
    /// Whether "New program" is offered.
    may_create: bool,
}

/// The store's words for what viewers may not do here.
const CREATING: &str = "create programs";
const EDITING: &str = "editing a program";

/// Whether the caller may create programs (admins only): the reason if not.
pub(super) fn may_create(state: &PageCtx) -> Result<(), String> {
    Rights::admin_may(store(state), CREATING)
}

/// Whether the caller may edit program `id`: the reason if not.
async fn may_edit(state: &PageCtx, id: ProgramId) -> Result<Result<(), String>, PageError> {
    let access = store(state);
    Ok(Rights::editor_may(access, access.program_role(id).await?, EDITING))
}

async fn list(state: PageCtx, Query(query): Query<ListQuery>) -> Result<Response, PageError> {
    let mut first_page = query.after.is_none();
    let request = PageRequest { after: query.after.map(Cursor), limit: LIST_LIMIT };
    let page = match store(&state).list_programs(&ProgramFilter::default(), &request).await {
        Ok(page) => page,
        // A cursor from an old or edited link: start again from the top.
        Err(DomainError::Validation(_)) => {
            first_page = true;
            store(&state).list_programs(&ProgramFilter::default(), &PageRequest::first(LIST_LIMIT)).await?
        }
        Err(other) => return Err(other.into()),
    };
    let empty = empty_list(!page.items.is_empty(), first_page, store(&state).hides_programs()).await?;
    let next_page = next_page_link("/programs", &page, &[]);
    ok(&ListPage { programs: page.items, empty, next_page, may_create: may_create(&state).is_ok() })
}

#[derive(Template)]
#[template(path = "programs/form.html")]
struct FormPage {
    heading: String,
    action: String,
    cancel: String,
    submit_label: &'static str,
    form: FormState,
    phases: Vec<SelectOption>,
    /// Why no form is offered (the viewer may not send it); `None` shows the form.
    withheld: Option<String>,
}

fn phase_options() -> Vec<SelectOption> {
    ProgramPhase::ALL.into_iter().map(|p| SelectOption::new(p.as_str(), p.as_str())).collect()
}

fn new_page(form: FormState, withheld: Option<String>) -> FormPage {
    FormPage {
        withheld,
        heading: "New program".to_owned(),
        action: "/programs".to_owned(),
        cancel: "/programs".to_owned(),
        submit_label: "Create program",
        form,
        phases: phase_options(),
    }
}

fn edit_page(program: &Program, form: FormState, withheld: Option<String>) -> FormPage {
    FormPage {
        withheld,
        heading: format!("Edit {}", program.fields.name),
        action: format!("/programs/{}", program.id),
        cancel: format!("/programs/{}", program.id),
        submit_label: "Save program",
        form,
        phases: phase_options(),
    }
}

/// The form filled with a stored program.
fn stored_values(program: &Program) -> FormState {
    let f = &program.fields;
    let mut form = FormState::empty();
    form.set("name", &f.name)
        .set("goal", &f.goal)
        .set_optional("sponsor", f.sponsor.as_ref())
        .set("phase", f.phase.as_str())
        .set("start", f.dates.start())
        .set("target_end", f.dates.end())
        .set_optional("budget", f.budget.map(|b| b.amount()))
        .set("currency", &f.currency)
        .set_optional("status_date", f.status_date)
        .set("version", program.meta.version);
    form
}

fn read_form(form: &SubmittedForm) -> Result<ProgramFields, ValidationErrors> {
    let mut reader = FormReader::new(form);
    let phase = reader.choice("phase", ProgramPhase::parse);
    let start = reader.date("start");
    let target_end = reader.date("target_end");
    let budget = reader.optional_integer("budget");
    let status_date = reader.optional_date("status_date");
    let input = ProgramInput {
        name: reader.text("name"),
        goal: reader.text("goal"),
        sponsor: reader.optional_text("sponsor"),
        phase: phase.unwrap_or(ProgramPhase::Definition),
        // Stand-ins where the reader failed; `finish` drops what the domain says about them.
        start: start.or(target_end).unwrap_or_default(),
        target_end: target_end.or(start).unwrap_or_default(),
        budget: budget.flatten(),
        currency: reader.optional_text("currency"),
        status_date: status_date.flatten(),
    };
    let parsed = ProgramFields::parse(input);
    finish(reader, parsed, &[&["start", "target_end"]])
}

async fn new_form(state: PageCtx) -> Result<Response, PageError> {
    let mut form = FormState::empty();
    form.set("phase", "definition").set("currency", "USD");
    ok(&new_page(form, withheld(may_create(&state))))
}

async fn create(state: PageCtx, Form(pairs): Form<Vec<(String, String)>>) -> Result<Response, PageError> {
    // Refused before the form is read: a non-admin gets no form back, whatever was sent.
    may_create(&state).map_err(PageError::Forbidden)?;
    let submitted = SubmittedForm::new(pairs);
    let errors = match read_form(&submitted) {
        Ok(fields) => match store(&state).create_program(fields).await {
            Ok(program) => return Ok(see_other(&format!("/programs/{}", program.id))),
            Err(DomainError::Validation(errors)) => errors,
            Err(other) => return Err(other.into()),
        },
        Err(errors) => errors,
    };
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &new_page(submitted.into_state().with_errors(errors), None)))
}

#[derive(Template)]
#[template(path = "programs/show.html")]
struct ShowPage {
    program: Program,
    projects: Vec<Project>,
    milestones: Vec<MilestoneRow>,
    dependencies: Vec<DependencyRow>,
    /// More cross-project dependencies exist than the page shows.
    more_dependencies: bool,
    notice: Option<String>,
    schedule: Option<ScheduleView>,
    forecast: Option<ForecastView>,
    history: Vec<HistoryRow>,
    members: MembersPanel,
    rights: Rights,
    /// Whether "New risk" is offered: the caller may add a risk to the program or one of its projects.
    may_add_risk: bool,
    /// Today, for plans made as of an earlier day (see [`ShowPage::outdated`]).
    today: chrono::NaiveDate,
    /// How much of the program's estimated work is done, per project.
    progress: ProgramProgress,
}

impl ShowPage {
    /// Whether a plan starting on `planned_from` was made as of an earlier day than today for a
    /// program planned as of today (no status date): work it put before today may not have
    /// started, and computing it again plans open work from today.
    fn outdated(&self, planned_from: &chrono::NaiveDate) -> bool {
        self.program.fields.status_date.is_none() && *planned_from < self.today
    }

    /// The program's work done.
    fn work_done(&self) -> WorkDone {
        WorkDone(self.progress.total())
    }

    /// One project's work done.
    fn work_of(&self, project: &Project) -> WorkDone {
        WorkDone(self.progress.of(project.id))
    }
}

/// Work done as the program page words it (see [`tandem_domain::progress`] for the rule).
struct WorkDone(WorkTotals);

impl WorkDone {
    /// The percent done with one decimal (`42.5`), `None` when nothing is estimated.
    fn percent(&self) -> Option<String> {
        self.0.percent_done().map(|percent| format!("{percent:.1}"))
    }

    /// "42.5 % of 290.0 estimated days (12 of 40 items done, 5 in progress)"; empty when nothing
    /// is estimated.
    fn summary(&self) -> String {
        let t = &self.0;
        self.percent()
            .map(|percent| {
                format!(
                    "{percent} % of {:.1} estimated days ({} of {} items done, {} in progress)",
                    t.estimated_days, t.done_items, t.items, t.in_progress_items
                )
            })
            .unwrap_or_default()
    }
}

/// Cross-project dependencies shown on a program page; a large program has thousands, and the
/// page must stay fast and readable.
const DEPENDENCIES_SHOWN: u32 = 100;

struct MilestoneRow {
    milestone: Milestone,
    project_name: String,
}

async fn show(state: PageCtx, Path(id): Path<String>) -> Result<Response, PageError> {
    show_page(&state, parse_id(&id)?, StatusCode::OK, None).await
}

pub(super) async fn show_page(
    state: &PageCtx,
    id: ProgramId,
    status: StatusCode,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let store = store(state);
    let program = store.get_program(id).await?;
    let projects = first_records(|page| async move {
        store.list_projects(&ProjectFilter { program: Some(id), ..ProjectFilter::default() }, &page).await
    })
    .await?;
    let mut milestones = first_records(|page| async move {
        store.list_milestones(&MilestoneFilter { program: Some(id), ..MilestoneFilter::default() }, &page).await
    })
    .await?;
    milestones.sort_by_key(|m| (m.fields.target_date, m.id));
    let milestones = milestones
        .into_iter()
        .map(|milestone| {
            let project_name = projects
                .iter()
                .find(|p| p.id == milestone.fields.project_id)
                .map(|p| p.fields.name.to_string())
                .unwrap_or_default();
            MilestoneRow { milestone, project_name }
        })
        .collect();
    let filter = DependencyFilter { program: Some(id), cross_project_only: true, ..DependencyFilter::default() };
    let dependencies = store.list_dependencies(&filter, &PageRequest::first(DEPENDENCIES_SHOWN)).await?;
    let more_dependencies = dependencies.next_cursor.is_some();
    let dependencies = dependency_rows(store, &dependencies.items).await?;
    // Today's date (UTC, the server's clock) for the "today" line of every chart with a date axis:
    // the schedule's Gantt chart and load histograms, the forecast's S-curve, finish histogram
    // and criticality Gantt chart.
    let today = chrono::Utc::now().date_naive();
    let schedule = schedule_view(store, id, &projects, today).await?;
    let forecast = forecast_view(store, id, &projects, program.fields.dates.end(), today).await?;
    let rights =
        Rights::of(super::store(state), super::store(state).program_role(id).await?, tandem_domain::Role::Owner);
    let may_add_risk = super::risks::may_add(state, Some(id), None).await?.is_ok();
    let history = super::panels::history(super::store(state), EntityKind::Program, &program.id.to_string()).await?;
    let progress = store.program_progress(id).await?;
    let members = super::panels::members(super::store(state), tandem_domain::GrantScope::Program(program.id)).await?;
    Ok(render(
        status,
        &ShowPage {
            rights,
            may_add_risk,
            history,
            members,
            program,
            projects,
            milestones,
            dependencies,
            more_dependencies,
            notice,
            schedule,
            forecast,
            today,
            progress,
        },
    ))
}

async fn edit_form(state: PageCtx, Path(id): Path<String>) -> Result<Response, PageError> {
    let program = store(&state).get_program(parse_id(&id)?).await?;
    let withheld = withheld(may_edit(&state, program.id).await?);
    ok(&edit_page(&program, stored_values(&program), withheld))
}

async fn update(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id: ProgramId = parse_id(&id)?;
    let store = store(&state);
    let current = store.get_program(id).await?;
    may_edit(&state, id).await?.map_err(PageError::Forbidden)?;
    let submitted = SubmittedForm::new(pairs);
    let version = submitted.version().unwrap_or(0);
    let errors = match read_form(&submitted) {
        Ok(fields) => match store.update_program(id, version, fields).await {
            Ok(program) => return Ok(see_other(&format!("/programs/{}", program.id))),
            Err(DomainError::Validation(errors)) => errors,
            Err(DomainError::VersionConflict { .. }) => {
                let latest = store.get_program(id).await?;
                let form = stored_values(&latest).with_notice(super::CONFLICT_NOTICE);
                return Ok(render(StatusCode::CONFLICT, &edit_page(&latest, form, None)));
            }
            Err(other) => return Err(other.into()),
        },
        Err(errors) => errors,
    };
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &edit_page(&current, submitted.into_state().with_errors(errors), None)))
}

async fn delete(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id: ProgramId = parse_id(&id)?;
    let version = SubmittedForm::new(pairs).version();
    match store(&state).delete_program(id, version).await {
        Ok(()) => Ok(see_other("/programs")),
        Err(DomainError::InUse { reason, .. }) => {
            show_page(&state, id, StatusCode::CONFLICT, Some(super::refusal("program", &reason))).await
        }
        Err(DomainError::VersionConflict { .. }) => {
            show_page(&state, id, StatusCode::CONFLICT, Some(super::DELETE_CONFLICT_NOTICE.to_owned())).await
        }
        Err(other) => Err(other.into()),
    }
}
