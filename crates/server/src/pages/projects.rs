//! Project pages: the project with its milestones and a filtered, paged list of its work items,
//! and the create/edit forms.

use crate::routes::Routes;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tandem_domain::{
    Cursor, DomainError, Milestone, MilestoneFilter, PageRequest, Program, ProgramFilter, ProgramId, Project,
    ProjectFields, ProjectId, ProjectInput, TeamFilter, TeamId, ValidationErrors, WorkItem, WorkItemFilter,
    WorkItemKind, WorkItemStatus,
};

use super::PageCtx;
use super::form::{FormReader, FormState, SelectOption, SubmittedForm, finish, with_current, writable_with_current};
use super::panels::{HistoryRow, MembersPanel, Rights, if_readable, withheld};
use super::work_items::{WorkItemRow, work_item_rows};
use super::{
    CONFLICT_NOTICE, DELETE_CONFLICT_NOTICE, LIST_LIMIT, PageError, first_records, next_page_link, ok, parse_id,
    refusal, render, see_other, store,
};
use tandem_domain::EntityKind;

pub fn router() -> Routes {
    Routes::new("")
        .post("/projects", create)
        .get("/projects/new", new_form)
        .get("/projects/{id}", show)
        .post("/projects/{id}", update)
        .get("/projects/{id}/edit", edit_form)
        .post("/projects/{id}/delete", delete)
}

#[derive(Template)]
#[template(path = "projects/form.html")]
struct FormPage {
    heading: String,
    action: String,
    cancel: String,
    submit_label: &'static str,
    form: FormState,
    programs: Vec<SelectOption>,
    /// Why no form is offered (the viewer may not send it); `None` shows the form.
    withheld: Option<String>,
}

/// The store's words for what viewers may not do here.
const ADDING: &str = "adding a project to a program";
const EDITING: &str = "editing a project";

/// Whether the caller may add a project to `program` when the form names one they may read, else
/// to any program they see (the form offers them): the reason if not.
async fn may_add(state: &PageCtx, program: Option<ProgramId>) -> Result<Result<(), String>, PageError> {
    let access = store(state);
    let role = match program {
        Some(id) => if_readable(access.program_role(id).await)?,
        None => None,
    };
    let role = match role {
        Some(role) => role,
        None => {
            let programs: Vec<Program> =
                first_records(|page| async move { access.list_programs(&ProgramFilter::default(), &page).await })
                    .await?;
            Rights::best(access, programs.iter().map(|p| access.principal().program_role(p.id)))
        }
    };
    Ok(Rights::editor_may(access, role, ADDING))
}

/// Whether the caller may edit project `id`: the reason if not.
async fn may_edit(state: &PageCtx, id: ProjectId) -> Result<Result<(), String>, PageError> {
    let access = store(state);
    Ok(Rights::editor_may(access, access.project_role(id).await?, EDITING))
}

/// The programs the viewer may add a project to or move one into (those they edit), and
/// `current`, the program the form names, even where they may not.
async fn program_options(state: &PageCtx, current: &str) -> Result<Vec<SelectOption>, PageError> {
    let store = store(state);
    let programs: Vec<Program> =
        first_records(|page| async move { store.list_programs(&ProgramFilter::default(), &page).await }).await?;
    let principal = store.principal();
    let places = programs.into_iter().map(|p| {
        let writable = Rights::may_write(store, principal.program_role(p.id));
        (SelectOption::new(p.id.to_string(), p.fields.name.to_string()), writable)
    });
    Ok(writable_with_current(places, current))
}

async fn new_page(state: &PageCtx, form: FormState, withheld: Option<String>) -> Result<FormPage, PageError> {
    let program_id = form.value("program_id").to_owned();
    Ok(FormPage {
        withheld,
        heading: "New project".to_owned(),
        action: "/projects".to_owned(),
        cancel: if program_id.is_empty() { "/programs".to_owned() } else { format!("/programs/{program_id}") },
        submit_label: "Create project",
        programs: program_options(state, form.value("program_id")).await?,
        form,
    })
}

async fn edit_page(
    state: &PageCtx,
    project: &Project,
    form: FormState,
    withheld: Option<String>,
) -> Result<FormPage, PageError> {
    Ok(FormPage {
        withheld,
        heading: format!("Edit {}", project.fields.name),
        action: format!("/projects/{}", project.id),
        cancel: format!("/projects/{}", project.id),
        submit_label: "Save project",
        programs: program_options(state, form.value("program_id")).await?,
        form,
    })
}

fn stored_values(project: &Project) -> FormState {
    let f = &project.fields;
    let mut form = FormState::empty();
    form.set("program_id", f.program_id)
        .set("name", &f.name)
        .set("description", &f.description)
        .set_optional("manager", f.manager.as_ref())
        .set("start", f.start)
        .set_optional("budget", f.budget.map(|b| b.amount()))
        .set("version", project.meta.version);
    form
}

fn read_form(form: &SubmittedForm) -> Result<ProjectFields, ValidationErrors> {
    let mut reader = FormReader::new(form);
    let program_id = reader.id::<ProgramId>("program_id");
    let start = reader.date("start");
    let budget = reader.optional_integer("budget");
    let input = ProjectInput {
        program_id: program_id.unwrap_or_else(|| ProgramId::from_uuid(uuid::Uuid::nil())),
        name: reader.text("name"),
        description: reader.text("description"),
        manager: reader.optional_text("manager"),
        start: start.unwrap_or_default(),
        budget: budget.flatten(),
    };
    let parsed = ProjectFields::parse(input);
    finish(reader, parsed, &[])
}

#[derive(Debug, Deserialize)]
struct NewQuery {
    program_id: Option<String>,
}

async fn new_form(state: PageCtx, Query(query): Query<NewQuery>) -> Result<Response, PageError> {
    let mut form = FormState::empty();
    form.set_optional("program_id", query.program_id);
    let withheld = withheld(may_add(&state, form.value("program_id").trim().parse().ok()).await?);
    ok(&new_page(&state, form, withheld).await?)
}

async fn create(state: PageCtx, Form(pairs): Form<Vec<(String, String)>>) -> Result<Response, PageError> {
    let submitted = SubmittedForm::new(pairs);
    // Refused before the form is read: a viewer gets no form back, whatever was sent.
    may_add(&state, submitted.text("program_id").trim().parse().ok()).await?.map_err(PageError::Forbidden)?;
    let errors = match read_form(&submitted) {
        Ok(fields) => match store(&state).create_project(fields).await {
            Ok(project) => return Ok(see_other(&format!("/projects/{}", project.id))),
            Err(DomainError::Validation(errors)) => errors,
            Err(other) => return Err(other.into()),
        },
        Err(errors) => errors,
    };
    let page = new_page(&state, submitted.into_state().with_errors(errors), None).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

/// The work item filter of a project page, as typed in its GET form.
#[derive(Debug, Default, Deserialize)]
pub struct WorkItemQuery {
    status: Option<String>,
    kind: Option<String>,
    team_id: Option<String>,
    after: Option<String>,
}

#[derive(Template)]
#[template(path = "projects/show.html")]
struct ShowPage {
    project: Project,
    program: Program,
    milestones: Vec<Milestone>,
    items: Vec<WorkItemRow>,
    total: u64,
    next_page: Option<String>,
    filter: FormState,
    statuses: Vec<SelectOption>,
    kinds: Vec<SelectOption>,
    teams: Vec<SelectOption>,
    notice: Option<String>,
    history: Vec<HistoryRow>,
    members: MembersPanel,
    rights: Rights,
}

async fn show(
    state: PageCtx,
    Path(id): Path<String>,
    Query(query): Query<WorkItemQuery>,
) -> Result<Response, PageError> {
    show_page(&state, parse_id(&id)?, query, StatusCode::OK, None).await
}

async fn show_page(
    state: &PageCtx,
    id: ProjectId,
    query: WorkItemQuery,
    status: StatusCode,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let store = store(state);
    let project = store.get_project(id).await?;
    let program = store.get_program(project.fields.program_id).await?;
    let mut milestones = first_records(|page| async move {
        store.list_milestones(&MilestoneFilter { project: Some(id), ..MilestoneFilter::default() }, &page).await
    })
    .await?;
    milestones.sort_by_key(|m| (m.fields.target_date, m.id));

    // Filter values come from selects; a value that is not one of theirs is shown as an error on
    // the filter and not applied.
    let mut filter_form = FormState::empty();
    let mut reader_form = Vec::new();
    for (name, value) in [("status", &query.status), ("kind", &query.kind), ("team_id", &query.team_id)] {
        if let Some(value) = value.as_deref().filter(|v| !v.trim().is_empty()) {
            filter_form.set(name, value);
            reader_form.push((name.to_owned(), value.to_owned()));
        }
    }
    let submitted = SubmittedForm::new(reader_form);
    let mut reader = FormReader::new(&submitted);
    let status_filter = if query.status.as_deref().is_some_and(|s| !s.trim().is_empty()) {
        reader.choice("status", WorkItemStatus::parse)
    } else {
        None
    };
    let kind_filter = if query.kind.as_deref().is_some_and(|s| !s.trim().is_empty()) {
        reader.choice("kind", WorkItemKind::parse)
    } else {
        None
    };
    let team_filter = reader.optional_id::<TeamId>("team_id").flatten();
    let filter = WorkItemFilter {
        project: Some(id),
        status: status_filter,
        kind: kind_filter,
        team: team_filter,
        ..WorkItemFilter::default()
    };
    let mut filter_errors = reader.into_errors();
    let request = PageRequest { after: query.after.clone().map(Cursor), limit: LIST_LIMIT };
    let page = match store.list_work_items(&filter, &request).await {
        Ok(page) => page,
        Err(DomainError::Validation(errors)) => {
            // A stale or edited cursor: show the first page and say so.
            errors.errors().iter().for_each(|e| filter_errors.push(e.clone()));
            store.list_work_items(&filter, &PageRequest::first(LIST_LIMIT)).await?
        }
        Err(other) => return Err(other.into()),
    };
    let total = store.count_work_items(&filter).await?;
    let path = format!("/projects/{id}");
    let next_page = next_page_link(
        &path,
        &page,
        &[
            ("status", filter_form.value("status")),
            ("kind", filter_form.value("kind")),
            ("team_id", filter_form.value("team_id")),
        ],
    );
    let items: Vec<WorkItem> = page.items;
    let items = work_item_rows(store, &items).await?;
    let teams = first_records(|page| async move { store.list_teams(&TeamFilter::default(), &page).await })
        .await?
        .into_iter()
        .map(|t| SelectOption::new(t.id.to_string(), t.fields.name.to_string()))
        .collect();
    let teams = with_current(teams, filter_form.value("team_id"));
    let rights = Rights::of(
        super::store(state),
        super::store(state).project_role(project.id).await?,
        tandem_domain::Role::Owner,
    );
    let history = super::panels::history(super::store(state), EntityKind::Project, &project.id.to_string()).await?;
    let members = super::panels::members(super::store(state), tandem_domain::GrantScope::Project(project.id)).await?;
    let page = ShowPage {
        rights,
        history,
        members,
        project,
        program,
        milestones,
        items,
        total,
        next_page,
        filter: filter_form.with_errors(filter_errors),
        statuses: super::work_items::status_options(),
        kinds: super::work_items::kind_options(),
        teams,
        notice,
    };
    Ok(render(status, &page))
}

async fn edit_form(state: PageCtx, Path(id): Path<String>) -> Result<Response, PageError> {
    let project = store(&state).get_project(parse_id(&id)?).await?;
    let withheld = withheld(may_edit(&state, project.id).await?);
    ok(&edit_page(&state, &project, stored_values(&project), withheld).await?)
}

async fn update(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id: ProjectId = parse_id(&id)?;
    let store = store(&state);
    let current = store.get_project(id).await?;
    may_edit(&state, id).await?.map_err(PageError::Forbidden)?;
    let submitted = SubmittedForm::new(pairs);
    let version = submitted.version().unwrap_or(0);
    let errors = match read_form(&submitted) {
        Ok(fields) => match store.update_project(id, version, fields).await {
            Ok(project) => return Ok(see_other(&format!("/projects/{}", project.id))),
            Err(DomainError::Validation(errors)) => errors,
            Err(DomainError::VersionConflict { .. }) => {
                let latest = store.get_project(id).await?;
                let form = stored_values(&latest).with_notice(CONFLICT_NOTICE);
                return Ok(render(StatusCode::CONFLICT, &edit_page(&state, &latest, form, None).await?));
            }
            Err(other) => return Err(other.into()),
        },
        Err(errors) => errors,
    };
    let page = edit_page(&state, &current, submitted.into_state().with_errors(errors), None).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

async fn delete(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id: ProjectId = parse_id(&id)?;
    let store = store(&state);
    let project = store.get_project(id).await?;
    let version = SubmittedForm::new(pairs).version();
    let notice = match store.delete_project(id, version).await {
        Ok(()) => return Ok(see_other(&format!("/programs/{}", project.fields.program_id))),
        Err(DomainError::InUse { reason, .. }) => refusal("project", &reason),
        Err(DomainError::VersionConflict { .. }) => DELETE_CONFLICT_NOTICE.to_owned(),
        Err(other) => return Err(other.into()),
    };
    show_page(&state, id, WorkItemQuery::default(), StatusCode::CONFLICT, Some(notice)).await
}
