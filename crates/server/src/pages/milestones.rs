//! Milestone pages: the milestone with the dependencies that touch it, and the create/edit forms.

use crate::routes::Routes;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tandem_domain::{
    DependencyFilter, DomainError, Milestone, MilestoneFields, MilestoneId, MilestoneInput, NodeRef, Project,
    ProjectFilter, ProjectId, ValidationErrors,
};

use super::PageCtx;
use super::dependencies::{DependencyRow, dependency_rows};
use super::form::{FormReader, FormState, SelectOption, SubmittedForm, finish, writable_with_current};
use super::panels::{HistoryRow, Rights, withheld};
use super::{
    CONFLICT_NOTICE, DELETE_CONFLICT_NOTICE, PageError, first_records, ok, parse_id, render, see_other, store,
};
use tandem_domain::EntityKind;

pub fn router() -> Routes {
    Routes::new("")
        .post("/milestones", create)
        .get("/milestones/new", new_form)
        .get("/milestones/{id}", show)
        .post("/milestones/{id}", update)
        .get("/milestones/{id}/edit", edit_form)
        .post("/milestones/{id}/delete", delete)
}

#[derive(Template)]
#[template(path = "milestones/form.html")]
struct FormPage {
    heading: String,
    action: String,
    cancel: String,
    submit_label: &'static str,
    form: FormState,
    projects: Vec<SelectOption>,
    /// Why no form is offered (the viewer may not send it); `None` shows the form.
    withheld: Option<String>,
}

/// The store's words for what viewers may not do here.
const ADDING: &str = "adding a milestone";
const EDITING: &str = "editing a milestone";

/// Whether the caller may add a milestone to `project` when the form names one they may read,
/// else to any project they see (the form offers them): the reason if not.
async fn may_add(state: &PageCtx, project: Option<ProjectId>) -> Result<Result<(), String>, PageError> {
    let access = store(state);
    if let Some(id) = project {
        match access.project_role(id).await {
            Ok(role) => return Ok(Rights::editor_may(access, role, ADDING)),
            Err(DomainError::NotFound { .. }) => {}
            Err(other) => return Err(other.into()),
        }
    }
    let projects: Vec<Project> =
        first_records(|page| async move { access.list_projects(&ProjectFilter::default(), &page).await }).await?;
    let principal = access.principal();
    let role = Rights::best(access, projects.iter().map(|p| principal.project_role(p.id, p.fields.program_id)));
    Ok(Rights::editor_may(access, role, ADDING))
}

/// Whether the caller may edit milestone `id`: the reason if not. (Moving it to a project they
/// may not edit is the store's to refuse.)
async fn may_edit(state: &PageCtx, id: MilestoneId) -> Result<Result<(), String>, PageError> {
    let access = store(state);
    Ok(Rights::editor_may(access, access.milestone_role(id).await?, EDITING))
}

/// The projects the viewer may add a milestone to or move one into (those they edit), and
/// `current`, the project the form names, even where they may not.
async fn project_options(state: &PageCtx, current: &str) -> Result<Vec<SelectOption>, PageError> {
    let store = store(state);
    let projects: Vec<Project> =
        first_records(|page| async move { store.list_projects(&ProjectFilter::default(), &page).await }).await?;
    let principal = store.principal();
    let places = projects.into_iter().map(|p| {
        let writable = Rights::may_write(store, principal.project_role(p.id, p.fields.program_id));
        (SelectOption::new(p.id.to_string(), p.fields.name.to_string()), writable)
    });
    Ok(writable_with_current(places, current))
}

async fn new_page(state: &PageCtx, form: FormState, withheld: Option<String>) -> Result<FormPage, PageError> {
    let project_id = form.value("project_id").to_owned();
    Ok(FormPage {
        withheld,
        heading: "New milestone".to_owned(),
        action: "/milestones".to_owned(),
        cancel: if project_id.is_empty() { "/programs".to_owned() } else { format!("/projects/{project_id}") },
        submit_label: "Create milestone",
        projects: project_options(state, form.value("project_id")).await?,
        form,
    })
}

async fn edit_page(
    state: &PageCtx,
    milestone: &Milestone,
    form: FormState,
    withheld: Option<String>,
) -> Result<FormPage, PageError> {
    Ok(FormPage {
        withheld,
        heading: format!("Edit {}", milestone.fields.name),
        action: format!("/milestones/{}", milestone.id),
        cancel: format!("/milestones/{}", milestone.id),
        submit_label: "Save milestone",
        projects: project_options(state, form.value("project_id")).await?,
        form,
    })
}

fn stored_values(milestone: &Milestone) -> FormState {
    let f = &milestone.fields;
    let mut form = FormState::empty();
    form.set("project_id", f.project_id)
        .set("name", &f.name)
        .set("target_date", f.target_date)
        .set("deliverable", &f.deliverable)
        .set("version", milestone.meta.version);
    form
}

fn read_form(form: &SubmittedForm) -> Result<MilestoneFields, ValidationErrors> {
    let mut reader = FormReader::new(form);
    let project_id = reader.id::<ProjectId>("project_id");
    let target_date = reader.date("target_date");
    let input = MilestoneInput {
        project_id: project_id.unwrap_or_else(|| ProjectId::from_uuid(uuid::Uuid::nil())),
        name: reader.text("name"),
        target_date: target_date.unwrap_or_default(),
        deliverable: reader.text("deliverable"),
    };
    let parsed = MilestoneFields::parse(input);
    finish(reader, parsed, &[])
}

#[derive(Debug, Deserialize)]
struct NewQuery {
    project_id: Option<String>,
}

async fn new_form(state: PageCtx, Query(query): Query<NewQuery>) -> Result<Response, PageError> {
    let mut form = FormState::empty();
    form.set_optional("project_id", query.project_id);
    let withheld = withheld(may_add(&state, form.value("project_id").trim().parse().ok()).await?);
    ok(&new_page(&state, form, withheld).await?)
}

async fn create(state: PageCtx, Form(pairs): Form<Vec<(String, String)>>) -> Result<Response, PageError> {
    let submitted = SubmittedForm::new(pairs);
    // Refused before the form is read: a viewer gets no form back, whatever was sent.
    may_add(&state, submitted.text("project_id").trim().parse().ok()).await?.map_err(PageError::Forbidden)?;
    let errors = match read_form(&submitted) {
        Ok(fields) => match store(&state).create_milestone(fields).await {
            Ok(milestone) => return Ok(see_other(&format!("/milestones/{}", milestone.id))),
            Err(DomainError::Validation(errors)) => errors,
            Err(other) => return Err(other.into()),
        },
        Err(errors) => errors,
    };
    let page = new_page(&state, submitted.into_state().with_errors(errors), None).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

#[derive(Template)]
#[template(path = "milestones/show.html")]
struct ShowPage {
    milestone: Milestone,
    project: Project,
    plan: Option<super::plan_panel::PlanPanel>,
    plan_target: Option<chrono::NaiveDate>,
    dependencies: Vec<DependencyRow>,
    notice: Option<String>,
    history: Vec<HistoryRow>,
    rights: Rights,
}

async fn show(state: PageCtx, Path(id): Path<String>) -> Result<Response, PageError> {
    show_page(&state, parse_id(&id)?, StatusCode::OK, None).await
}

async fn show_page(
    state: &PageCtx,
    id: MilestoneId,
    status: StatusCode,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let store = store(state);
    let milestone = store.get_milestone(id).await?;
    let project = store.get_project(milestone.fields.project_id).await?;
    let filter = DependencyFilter { node: Some(NodeRef::Milestone(id)), ..DependencyFilter::default() };
    let dependencies = first_records(|page| async move { store.list_dependencies(&filter, &page).await }).await?;
    let dependencies = dependency_rows(store, &dependencies).await?;
    let rights = Rights::of(
        super::store(state),
        super::store(state).milestone_role(milestone.id).await?,
        tandem_domain::Role::Editor,
    );
    let history = super::panels::history(super::store(state), EntityKind::Milestone, &milestone.id.to_string()).await?;
    let plan = super::plan_panel::plan_panel(store, project.fields.program_id, NodeRef::Milestone(id), None).await?;
    let plan_target = Some(milestone.fields.target_date);
    Ok(render(status, &ShowPage { rights, history, milestone, project, plan, plan_target, dependencies, notice }))
}

async fn edit_form(state: PageCtx, Path(id): Path<String>) -> Result<Response, PageError> {
    let milestone = store(&state).get_milestone(parse_id(&id)?).await?;
    let withheld = withheld(may_edit(&state, milestone.id).await?);
    ok(&edit_page(&state, &milestone, stored_values(&milestone), withheld).await?)
}

async fn update(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id: MilestoneId = parse_id(&id)?;
    let store = store(&state);
    let current = store.get_milestone(id).await?;
    may_edit(&state, id).await?.map_err(PageError::Forbidden)?;
    let submitted = SubmittedForm::new(pairs);
    let version = submitted.version().unwrap_or(0);
    let errors = match read_form(&submitted) {
        Ok(fields) => match store.update_milestone(id, version, fields).await {
            Ok(milestone) => return Ok(see_other(&format!("/milestones/{}", milestone.id))),
            Err(DomainError::Validation(errors)) => errors,
            Err(DomainError::VersionConflict { .. }) => {
                let latest = store.get_milestone(id).await?;
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
    let id: MilestoneId = parse_id(&id)?;
    let store = store(&state);
    let milestone = store.get_milestone(id).await?;
    let version = SubmittedForm::new(pairs).version();
    match store.delete_milestone(id, version).await {
        Ok(()) => Ok(see_other(&format!("/projects/{}", milestone.fields.project_id))),
        Err(DomainError::VersionConflict { .. }) => {
            show_page(&state, id, StatusCode::CONFLICT, Some(DELETE_CONFLICT_NOTICE.to_owned())).await
        }
        Err(DomainError::InUse { reason, .. }) => {
            show_page(&state, id, StatusCode::CONFLICT, Some(super::refusal("milestone", &reason))).await
        }
        Err(other) => Err(other.into()),
    }
}
