//! Work item pages: the item with its parent, children, dependencies (with the form to add one)
//! and the risks that hit it, and the create/edit form with the three-point estimate and team
//! needs. The parent and a dependency's other end are picked by name ([`Picker`]).

use crate::routes::Routes;
use std::collections::{HashMap, HashSet};
use std::future::Future;
use tandem_domain::Access;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tandem_domain::{
    DependencyFilter, DomainError, DomainResult, NodeRef, Page, PageRequest, Placement, Product, ProductFilter,
    ProductId, Project, ProjectFilter, ProjectId, Risk, Role, Team, TeamFilter, TeamId, ValidationErrors, WorkItem,
    WorkItemFields, WorkItemFilter, WorkItemId, WorkItemInput, WorkItemKind, WorkItemStatus,
};

use super::PageCtx;
use super::dependencies::{
    DependencyRow, blank_form, dependency_rows, kind_options as dependency_kind_options, mark_deletable, other_ends,
};
use super::form::{FormReader, FormState, SelectOption, SubmittedForm, finish, with_current, writable_with_current};
use super::panels::{HistoryRow, Rights, if_readable, withheld};
use super::{
    CONFLICT_NOTICE, DELETE_CONFLICT_NOTICE, PageError, first_records, ok, parse_id, refusal, render, see_other, store,
};
use tandem_domain::EntityKind;

pub fn router() -> Routes {
    Routes::new("")
        .post("/work-items", create)
        .get("/work-items/new", new_form)
        .get("/work-items/{id}", show)
        .post("/work-items/{id}", update)
        .get("/work-items/{id}/edit", edit_form)
        .post("/work-items/{id}/delete", delete)
}

/// A work item in a list, with its team's name.
#[derive(Debug, Clone)]
pub struct WorkItemRow {
    pub item: WorkItem,
    pub team_name: Option<String>,
}

impl WorkItemRow {
    pub fn pert_mean(&self) -> String {
        format!("{:.1}", self.item.fields.estimate.pert_mean())
    }
}

/// Rows for `items`, reading each distinct team once.
pub async fn work_item_rows(store: Access<'_>, items: &[WorkItem]) -> Result<Vec<WorkItemRow>, PageError> {
    let mut team_ids: Vec<TeamId> = items.iter().filter_map(|i| i.fields.team_id).collect();
    team_ids.sort_unstable();
    team_ids.dedup();
    let mut team_names: HashMap<TeamId, String> = HashMap::new();
    for team_id in team_ids {
        match store.get_team(team_id).await {
            Ok(team) => {
                team_names.insert(team_id, team.fields.name.to_string());
            }
            Err(DomainError::NotFound { .. }) => {}
            Err(other) => return Err(other.into()),
        }
    }
    Ok(items
        .iter()
        .map(|item| WorkItemRow {
            team_name: item.fields.team_id.and_then(|t| team_names.get(&t).cloned()),
            item: item.clone(),
        })
        .collect())
}

pub fn status_options() -> Vec<SelectOption> {
    WorkItemStatus::ALL.into_iter().map(|s| SelectOption::new(s.as_str(), s.label())).collect()
}

pub fn kind_options() -> Vec<SelectOption> {
    WorkItemKind::ALL.into_iter().map(|k| SelectOption::new(k.as_str(), k.as_str())).collect()
}

#[derive(Template)]
#[template(path = "work_items/form.html")]
struct FormPage {
    heading: String,
    action: String,
    cancel: String,
    submit_label: &'static str,
    form: FormState,
    kinds: Vec<SelectOption>,
    statuses: Vec<SelectOption>,
    projects: Vec<SelectOption>,
    products: Vec<SelectOption>,
    teams: Vec<SelectOption>,
    /// The blank choices of the place pickers ("No project", "No product"), "" where not
    /// offered: an item needs a project or product the viewer edits (see [`form_page`]).
    no_project: &'static str,
    no_product: &'static str,
    /// The parent picked by name (see [`parent_picker`]).
    parents: Picker,
    /// The parent the form names now, where the viewer reads it: its title beside the id.
    parent_now: Option<WorkItem>,
    /// Why no form is offered (the viewer may not send it); `None` shows the form.
    withheld: Option<String>,
}

/// Most candidates a picker's list offers; any other is reached by typing its id.
pub(crate) const PICKER_LIMIT: usize = 500;
/// Most records read per list to choose a picker's candidates from (pages of the store's
/// largest size): what lies beyond is left to typing an id too.
const PICKER_SCAN: usize = 2_000;

/// A record picked by name: a text input bound to a `<datalist>` of candidates, each labelled
/// "Title — place" and sending its id, so the handlers get the id they always took and a typed
/// id still works.
#[derive(Debug, Clone, Default)]
pub struct Picker {
    /// Sorted by title; at most [`PICKER_LIMIT`].
    pub options: Vec<SelectOption>,
    /// Whether candidates were left out (beyond [`PICKER_LIMIT`] or [`PICKER_SCAN`]).
    pub truncated: bool,
}

/// One record a picker may offer.
pub(crate) struct Candidate {
    pub id: String,
    /// What the list is sorted by.
    pub title: String,
    pub label: String,
}

impl Candidate {
    /// "Title — place", or the title alone when the place is unknown.
    pub(crate) fn new(id: impl ToString, title: &str, place: &str) -> Candidate {
        let label = if place.is_empty() { title.to_owned() } else { format!("{title} — {place}") };
        Candidate { id: id.to_string(), title: title.to_owned(), label }
    }
}

impl Picker {
    /// The first [`PICKER_LIMIT`] of `candidates` by title (then label, then id); `complete`
    /// says whether they are all there are.
    pub(crate) fn of(mut candidates: Vec<Candidate>, complete: bool) -> Picker {
        candidates.sort_by_cached_key(|c| (c.title.to_lowercase(), c.label.to_lowercase(), c.id.clone()));
        let truncated = !complete || candidates.len() > PICKER_LIMIT;
        candidates.truncate(PICKER_LIMIT);
        Picker { options: candidates.into_iter().map(|c| SelectOption::new(c.id, c.label)).collect(), truncated }
    }
}

/// Up to [`PICKER_SCAN`] records of a list, page by page, and whether that was all of them.
pub(crate) async fn scan<T, F, Fut>(mut read: F) -> Result<(Vec<T>, bool), PageError>
where
    F: FnMut(PageRequest) -> Fut,
    Fut: Future<Output = DomainResult<Page<T>>>,
{
    let mut records = Vec::new();
    let mut request = PageRequest::first(PageRequest::MAX_LIMIT);
    loop {
        let page = read(request.clone()).await?;
        records.extend(page.items);
        match page.next_cursor {
            None => return Ok((records, true)),
            Some(_) if records.len() >= PICKER_SCAN => return Ok((records, false)),
            Some(cursor) => request.after = Some(cursor),
        }
    }
}

/// The names of the projects and products the viewer reads, to say where a candidate lives.
pub(crate) struct PlaceNames {
    projects: HashMap<ProjectId, String>,
    products: HashMap<ProductId, String>,
}

impl PlaceNames {
    fn of(places: &Places) -> PlaceNames {
        PlaceNames {
            projects: places.projects.iter().map(|(p, _)| (p.id, p.fields.name.to_string())).collect(),
            products: places.products.iter().map(|(p, _)| (p.id, p.fields.name.to_string())).collect(),
        }
    }

    pub(crate) async fn read(access: Access<'_>) -> Result<PlaceNames, PageError> {
        Ok(PlaceNames::of(&Places::read(access).await?))
    }

    pub(crate) fn project(&self, id: ProjectId) -> &str {
        self.projects.get(&id).map_or("", String::as_str)
    }

    /// "Project / Product" as far as the viewer reads them ("" for neither).
    pub(crate) fn placement(&self, placement: Placement) -> String {
        let project = placement.project_id().and_then(|id| self.projects.get(&id));
        let product = placement.product_id().and_then(|id| self.products.get(&id));
        match (project, product) {
            (Some(project), Some(product)) => format!("{project} / {product}"),
            (Some(name), None) | (None, Some(name)) => name.clone(),
            (None, None) => String::new(),
        }
    }
}

/// The parents a work item form offers by name: the work items of the project and of the
/// product the form names (every item the viewer reads when it names neither), that the viewer
/// reads; not the item being edited nor, as far as these candidates show, its descendants (the
/// store refuses a cycle anyway).
async fn parent_picker(
    access: Access<'_>,
    names: &PlaceNames,
    project: Option<ProjectId>,
    product: Option<ProductId>,
    editing: Option<WorkItemId>,
) -> Result<Picker, PageError> {
    let mut filters = Vec::new();
    if let Some(project) = project {
        filters.push(WorkItemFilter { project: Some(project), ..WorkItemFilter::default() });
    }
    if let Some(product) = product {
        filters.push(WorkItemFilter { product: Some(product), ..WorkItemFilter::default() });
    }
    if filters.is_empty() {
        filters.push(WorkItemFilter::default());
    }
    let mut items: Vec<WorkItem> = Vec::new();
    let mut complete = true;
    let mut seen: HashSet<WorkItemId> = HashSet::new();
    for filter in &filters {
        let (found, all) = scan(|page| async move { access.list_work_items(filter, &page).await }).await?;
        complete &= all;
        items.extend(found.into_iter().filter(|item| seen.insert(item.id)));
    }
    let parents: HashMap<WorkItemId, Option<WorkItemId>> =
        items.iter().map(|item| (item.id, item.fields.parent_id)).collect();
    // Whether `id` is `editing` or below it, following parents among the candidates.
    let under_edited = |id: WorkItemId| {
        let Some(editing) = editing else { return false };
        let mut current = Some(id);
        let mut steps = 0;
        while let Some(node) = current {
            if node == editing {
                return true;
            }
            steps += 1;
            if steps > parents.len() {
                return false;
            }
            current = parents.get(&node).copied().flatten();
        }
        false
    };
    let candidates = items
        .iter()
        .filter(|item| !under_edited(item.id))
        .map(|item| Candidate::new(item.id, item.fields.title.as_str(), &names.placement(item.fields.placement)))
        .collect();
    Ok(Picker::of(candidates, complete))
}

/// The store's words for what viewers may not do here (adding and editing alike).
const CHANGING: &str = "changing a work item";
/// The store's words for adding a dependency.
const LINKING: &str = "linking work";

/// The places a work item may sit in that the viewer sees: the projects and products they
/// read, each with their role there.
struct Places {
    projects: Vec<(Project, Option<Role>)>,
    products: Vec<(Product, Option<Role>)>,
}

impl Places {
    async fn read(access: Access<'_>) -> Result<Places, PageError> {
        let projects: Vec<Project> =
            first_records(|page| async move { access.list_projects(&ProjectFilter::default(), &page).await }).await?;
        let products: Vec<Product> =
            first_records(|page| async move { access.list_products(&ProductFilter::default(), &page).await }).await?;
        let principal = access.principal();
        Ok(Places {
            projects: projects
                .into_iter()
                .map(|p| {
                    let role = principal.project_role(p.id, p.fields.program_id);
                    (p, role)
                })
                .collect(),
            products: products
                .into_iter()
                .map(|p| {
                    let role = principal.product_role(p.id);
                    (p, role)
                })
                .collect(),
        })
    }

    /// The viewer's best role on any project they read (`None`: they read none).
    fn best_project_role(&self) -> Option<Role> {
        self.projects.iter().filter_map(|(_, role)| *role).max()
    }

    fn best_product_role(&self) -> Option<Role> {
        self.products.iter().filter_map(|(_, role)| *role).max()
    }
}

/// Whether the caller may add a work item where a form puts it. The store takes an item whose
/// project or product the caller edits (both readable), so each side counts with the caller's
/// role on the place the form names there or, where it names none, with their best role on any
/// place of that kind (the picker offers those). A name the caller may not read counts as not
/// given: the store reports it on the form. `Err` holds the store's reason.
async fn may_add(
    state: &PageCtx,
    places: &Places,
    project: Option<ProjectId>,
    product: Option<ProductId>,
) -> Result<Result<(), String>, PageError> {
    let access = store(state);
    let through_project = match project {
        Some(id) => if_readable(access.project_role(id).await)?,
        None => None,
    };
    let through_product = match product {
        Some(id) => if_readable(access.product_role(id).await)?,
        None => None,
    };
    let project_side = through_project.or_else(|| places.best_project_role());
    let product_side = through_product.or_else(|| places.best_product_role());
    Ok(Rights::editor_may(access, Rights::best(access, [project_side, product_side]), CHANGING))
}

/// Whether the caller, with `item_role` on a work item, may add a dependency to it on its page.
/// The store links two nodes when the caller edits either end, so an editor of any project or
/// product (which may hold the other end) may, not only an editor of this item; the store
/// refuses a pair of ends they only read. `Err` holds the store's reason.
pub(crate) async fn may_link(state: &PageCtx, item_role: Role) -> Result<Result<(), String>, PageError> {
    let access = store(state);
    if Rights::may_write(access, Some(item_role)) {
        return Ok(Ok(()));
    }
    let places = Places::read(access).await?;
    let role = Rights::best(access, [Some(item_role), places.best_project_role(), places.best_product_role()]);
    Ok(Rights::editor_may(access, role, LINKING))
}

/// What a work item form says when the store refused the places it names (`reason` in the
/// store's words): the person may change items elsewhere, but not put one there.
fn placement_refused(reason: &str) -> String {
    format!("The work item was not saved: {reason} on its project or on its product.")
}

/// The project and product a form names (`project_id`, `product_id`), where they parse.
fn named_place(project: &str, product: &str) -> (Option<ProjectId>, Option<ProductId>) {
    (project.trim().parse().ok(), product.trim().parse().ok())
}

/// Whether the caller may edit `item` (as an editor of its project or of its product): the
/// reason if not.
async fn may_edit(state: &PageCtx, item: &WorkItem) -> Result<Result<(), String>, PageError> {
    let access = store(state);
    Ok(Rights::editor_may(access, access.work_item_role(item).await?, CHANGING))
}

/// How an edit form names the item's own project or product when the viewer may not read it
/// (the item is theirs to edit through its other place): as the work item page does, without
/// its name, which the policy tells only those who read it.
const HIDDEN_PROJECT: &str = "a project you cannot see";
const HIDDEN_PRODUCT: &str = "a product you cannot see";

/// The form page without a reason to withhold it (the callers set that). `stored` is the
/// placement of the item being edited, `None` for a new one (it also picks the button's
/// label): its project or product the viewer does not read is still offered, under
/// [`HIDDEN_PROJECT`] or [`HIDDEN_PRODUCT`], so the form shows it selected and sends it back
/// unchanged (the store keeps it without any right on it). `editing` is the item being edited,
/// which the parent picker leaves out with its descendants.
#[allow(clippy::too_many_arguments)]
async fn form_page(
    state: &PageCtx,
    places: &Places,
    stored: Option<Placement>,
    editing: Option<WorkItemId>,
    heading: String,
    action: String,
    cancel: String,
    form: FormState,
) -> Result<FormPage, PageError> {
    let store = store(state);
    let teams: Vec<Team> =
        first_records(|page| async move { store.list_teams(&TeamFilter::default(), &page).await }).await?;
    // The store takes an item whose project or product the viewer edits. So the pickers offer
    // the places the viewer edits and, when they edit a place of the other kind, every place
    // they read, labelled as needing that other place; and the item's current place. Without a
    // project an item needs a product the viewer edits, and the other way round, so each blank
    // choice is offered only then.
    let edits_a_project = places.projects.iter().any(|(_, role)| Rights::may_write(store, *role));
    let edits_a_product = places.products.iter().any(|(_, role)| Rights::may_write(store, *role));
    let projects = places.projects.iter().map(|(p, role)| {
        let writable = Rights::may_write(store, *role);
        let needs = (!writable && edits_a_product).then_some("only with a product you edit");
        (place_option(p.id.to_string(), p.fields.name.as_str(), needs), writable || edits_a_product)
    });
    let products = places.products.iter().map(|(p, role)| {
        let writable = Rights::may_write(store, *role);
        let needs = (!writable && edits_a_project).then_some("only with a project you edit");
        (place_option(p.id.to_string(), p.fields.name.as_str(), needs), writable || edits_a_project)
    });
    // Offered only while it is the form's value (not writable: the viewer may keep it, not
    // choose it).
    let hidden_project = stored
        .and_then(|placement| placement.project_id())
        .filter(|id| !places.projects.iter().any(|(p, _)| p.id == *id))
        .map(|id| (SelectOption::new(id.to_string(), HIDDEN_PROJECT), false));
    let hidden_product = stored
        .and_then(|placement| placement.product_id())
        .filter(|id| !places.products.iter().any(|(p, _)| p.id == *id))
        .map(|id| (SelectOption::new(id.to_string(), HIDDEN_PRODUCT), false));
    let teams = teams.into_iter().map(|t| SelectOption::new(t.id.to_string(), t.fields.name.to_string()));
    let (project, product) = named_place(form.value("project_id"), form.value("product_id"));
    let parents = parent_picker(store, &PlaceNames::of(places), project, product, editing).await?;
    let parent_now = match form.value("parent_id").trim().parse::<WorkItemId>() {
        Ok(parent) => if_readable(store.get_work_item(parent).await)?,
        Err(_) => None,
    };
    Ok(FormPage {
        heading,
        action,
        cancel,
        submit_label: if stored.is_some() { "Save work item" } else { "Create work item" },
        kinds: kind_options(),
        statuses: status_options(),
        projects: writable_with_current(projects.chain(hidden_project), form.value("project_id")),
        products: writable_with_current(products.chain(hidden_product), form.value("product_id")),
        teams: with_current(teams.collect(), form.value("team_id")),
        no_project: if edits_a_product { "No project" } else { "" },
        no_product: if edits_a_project { "No product" } else { "" },
        parents,
        parent_now,
        form,
        withheld: None,
    })
}

/// A place picker's option: the place's name, with what else it needs when the viewer may not
/// put an item there alone.
fn place_option(id: String, name: &str, needs: Option<&str>) -> SelectOption {
    match needs {
        Some(needs) => SelectOption::new(id, format!("{name} ({needs})")),
        None => SelectOption::new(id, name),
    }
}

async fn new_page(
    state: &PageCtx,
    places: &Places,
    form: FormState,
    withheld: Option<String>,
) -> Result<FormPage, PageError> {
    // Back to the place the item was started from, if the viewer may read it (a parent's
    // project may be hidden from a product manager).
    let (project, product) = (form.value("project_id"), form.value("product_id"));
    let cancel = if places.projects.iter().any(|(p, _)| p.id.to_string() == project) {
        format!("/projects/{project}")
    } else if places.products.iter().any(|(p, _)| p.id.to_string() == product) {
        format!("/products/{product}")
    } else {
        "/".to_owned()
    };
    let heading = "New work item".to_owned();
    let page = form_page(state, places, None, None, heading, "/work-items".to_owned(), cancel, form).await?;
    Ok(FormPage { withheld, ..page })
}

async fn edit_page(
    state: &PageCtx,
    places: &Places,
    item: &WorkItem,
    form: FormState,
    withheld: Option<String>,
) -> Result<FormPage, PageError> {
    let path = format!("/work-items/{}", item.id);
    let heading = format!("Edit {}", item.fields.title);
    let placement = Some(item.fields.placement);
    let page = form_page(state, places, placement, Some(item.id), heading, path.clone(), path, form).await?;
    Ok(FormPage { withheld, ..page })
}

fn stored_values(item: &WorkItem) -> FormState {
    let f = &item.fields;
    let mut form = FormState::empty();
    form.set("kind", f.kind.as_str())
        .set_optional("project_id", f.placement.project_id())
        .set_optional("product_id", f.placement.product_id())
        .set_optional("parent_id", f.parent_id)
        .set("title", &f.title)
        .set("description", &f.description)
        .set("status", f.status.as_str())
        .set("estimate.optimistic", f.estimate.optimistic())
        .set("estimate.most_likely", f.estimate.most_likely())
        .set("estimate.pessimistic", f.estimate.pessimistic())
        .set_optional("story_points", f.story_points.map(|p| p.get()))
        .set_optional("team_id", f.team_id)
        .set("people_needed", f.people_needed.get())
        .set_optional("released_on", f.released_on)
        .set("percent_complete", f.percent_complete.get())
        .set("version", item.meta.version);
    form
}

fn read_form(form: &SubmittedForm) -> Result<WorkItemFields, ValidationErrors> {
    let mut reader = FormReader::new(form);
    let kind = reader.choice("kind", WorkItemKind::parse);
    let status = reader.choice("status", WorkItemStatus::parse);
    let project_id = reader.optional_id::<ProjectId>("project_id");
    let product_id = reader.optional_id::<ProductId>("product_id");
    let parent_id = reader.optional_id::<WorkItemId>("parent_id");
    let team_id = reader.optional_id::<TeamId>("team_id");
    let optimistic = reader.number("estimate.optimistic");
    let most_likely = reader.number("estimate.most_likely");
    let pessimistic = reader.number("estimate.pessimistic");
    let story_points = reader.optional_integer("story_points");
    let people_needed = reader.optional_integer("people_needed");
    let released_on = reader.optional_date("released_on");
    let percent_complete = reader.optional_integer("percent_complete");
    // A placeholder keeps the placement rule ("a project, a product, or both") from firing when
    // the reader already rejected one of the two ids.
    let placeholder = (project_id.is_none() || product_id.is_none()).then(|| ProjectId::from_uuid(uuid::Uuid::nil()));
    let input = WorkItemInput {
        kind: kind.unwrap_or(WorkItemKind::Story),
        project_id: project_id.flatten().or(placeholder),
        product_id: product_id.flatten(),
        parent_id: parent_id.flatten(),
        title: reader.text("title"),
        description: reader.text("description"),
        status: status.unwrap_or(WorkItemStatus::Backlog),
        optimistic: optimistic.unwrap_or(0.0),
        most_likely: most_likely.unwrap_or(0.0),
        pessimistic: pessimistic.unwrap_or(0.0),
        story_points: story_points.flatten(),
        team_id: team_id.flatten(),
        people_needed: people_needed.flatten(),
        released_on: released_on.flatten(),
        percent_complete: percent_complete.flatten(),
    };
    let parsed = WorkItemFields::parse(input);
    finish(reader, parsed, &[&["estimate.optimistic", "estimate.most_likely", "estimate.pessimistic"]])
}

#[derive(Debug, Deserialize)]
struct NewQuery {
    project_id: Option<String>,
    product_id: Option<String>,
    parent_id: Option<String>,
}

async fn new_form(state: PageCtx, Query(query): Query<NewQuery>) -> Result<Response, PageError> {
    let mut form = FormState::empty();
    form.set("kind", "story").set("status", "backlog").set("people_needed", "1").set("percent_complete", "0");
    let mut project_id = query.project_id;
    let mut product_id = query.product_id;
    // A child starts where its parent lives.
    if let Some(parent) = query.parent_id.as_deref().and_then(|p| p.parse::<WorkItemId>().ok())
        && let Ok(parent) = store(&state).get_work_item(parent).await
    {
        project_id = project_id.or(parent.fields.placement.project_id().map(|p| p.to_string()));
        product_id = product_id.or(parent.fields.placement.product_id().map(|p| p.to_string()));
    }
    form.set_optional("project_id", project_id)
        .set_optional("product_id", product_id)
        .set_optional("parent_id", query.parent_id);
    let (project, product) = named_place(form.value("project_id"), form.value("product_id"));
    let places = Places::read(store(&state)).await?;
    let withheld = withheld(may_add(&state, &places, project, product).await?);
    ok(&new_page(&state, &places, form, withheld).await?)
}

async fn create(state: PageCtx, Form(pairs): Form<Vec<(String, String)>>) -> Result<Response, PageError> {
    let submitted = SubmittedForm::new(pairs);
    // Refused before the form is read when the viewer may put an item nowhere (they were offered
    // no form): a viewer gets no form back, whatever was sent. Where the form puts it is the
    // store's to judge, with its answer on the form.
    let places = Places::read(store(&state)).await?;
    may_add(&state, &places, None, None).await?.map_err(PageError::Forbidden)?;
    let (status, form) = match read_form(&submitted) {
        Ok(fields) => match store(&state).create_work_item(fields, None).await {
            Ok(item) => return Ok(see_other(&format!("/work-items/{}", item.id))),
            Err(DomainError::Validation(errors)) => {
                (StatusCode::UNPROCESSABLE_ENTITY, submitted.into_state().with_errors(errors))
            }
            Err(DomainError::Forbidden { reason }) => {
                (StatusCode::FORBIDDEN, submitted.into_state().with_notice(placement_refused(&reason)))
            }
            Err(other) => return Err(other.into()),
        },
        Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, submitted.into_state().with_errors(errors)),
    };
    let page = new_page(&state, &places, form, None).await?;
    Ok(render(status, &page))
}

#[derive(Template)]
#[template(path = "work_items/show.html")]
struct ShowPage {
    item: WorkItem,
    /// Its dates in its program's latest schedule and forecast (items in a project).
    plan: Option<super::plan_panel::PlanPanel>,
    /// Work items have no target date of their own.
    plan_target: Option<chrono::NaiveDate>,
    project: Option<Project>,
    product: Option<Product>,
    team: Option<Team>,
    parent: Option<WorkItem>,
    children: Vec<WorkItemRow>,
    depends_on: Vec<DependencyRow>,
    needed_by: Vec<DependencyRow>,
    dependency_form: FormState,
    /// Whether the add-dependency form is offered (see [`may_link`]).
    may_link: bool,
    dependency_kinds: Vec<SelectOption>,
    directions: Vec<SelectOption>,
    node_types: Vec<SelectOption>,
    /// The other end picked by name (see [`super::dependencies::node_picker`]); empty when no
    /// form is offered.
    node_picker: Picker,
    notice: Option<String>,
    /// Whether the notice is a delete refused for the risks below, and lists them.
    notice_lists_risks: bool,
    /// Whether the Risks panel shows: the viewer reads the item's project, so its program,
    /// whose risks alone may hit it.
    risks_panel: bool,
    /// The risks the viewer reads that hit this item (see [`super::risks::risks_hitting`]).
    risks: Vec<Risk>,
    history: Vec<HistoryRow>,
    rights: Rights,
    // Product strategy: the objectives this item serves.
    served: Vec<(tandem_domain::ObjectiveId, String, ProductId)>,
}

impl ShowPage {
    fn pert_mean(&self) -> String {
        format!("{:.1}", self.item.fields.estimate.pert_mean())
    }

    /// The PERT mean of what is left to do, the part schedules and forecasts plan.
    fn remaining_mean(&self) -> String {
        format!("{:.1}", tandem_domain::planning::remaining_estimate(&self.item).pert_mean())
    }

    /// The working days the plan gives what is left ([`tandem_domain::planning::duration_days`]).
    fn remaining_days(&self) -> i64 {
        tandem_domain::planning::duration_days(&self.item)
    }
}

async fn show(state: PageCtx, Path(id): Path<String>) -> Result<Response, PageError> {
    show_page(&state, parse_id(&id)?, StatusCode::OK, None, blank_form()).await
}

/// The work item page; `dependency_form` is the add-dependency form (blank, or as typed with its
/// errors).
pub async fn show_page(
    state: &PageCtx,
    id: WorkItemId,
    status: StatusCode,
    notice: Option<String>,
    dependency_form: FormState,
) -> Result<Response, PageError> {
    show_page_with(state, id, status, notice, dependency_form, false).await
}

/// How the store words a delete refused because risks hit the item.
const HIT_BY_RISKS: &str = "it is hit by";

/// [`show_page`]; `refused_for_risks` says the notice is a delete refused because risks hit the
/// item: it then lists those the viewer reads, with links.
async fn show_page_with(
    state: &PageCtx,
    id: WorkItemId,
    status: StatusCode,
    notice: Option<String>,
    dependency_form: FormState,
    refused_for_risks: bool,
) -> Result<Response, PageError> {
    let store = store(state);
    let item = store.get_work_item(id).await?;
    // An item is readable through its project or its product: the other place, and a parent
    // elsewhere, may be hidden from the viewer. They are then named as hidden, not a 404 for
    // the item (a product manager could not open most of their backlog).
    let project = match item.fields.placement.project_id() {
        Some(project) => if_readable(store.get_project(project).await)?,
        None => None,
    };
    let product = match item.fields.placement.product_id() {
        Some(product) => if_readable(store.get_product(product).await)?,
        None => None,
    };
    let team = match item.fields.team_id {
        Some(team) => if_readable(store.get_team(team).await)?,
        None => None,
    };
    let parent = match item.fields.parent_id {
        Some(parent) => if_readable(store.get_work_item(parent).await)?,
        None => None,
    };
    let filter = WorkItemFilter { parent: Some(id), ..WorkItemFilter::default() };
    let children = first_records(|page| async move { store.list_work_items(&filter, &page).await }).await?;
    let children = work_item_rows(store, &children).await?;
    let this = NodeRef::WorkItem(id);
    let filter = DependencyFilter { node: Some(this), ..DependencyFilter::default() };
    let dependencies = first_records(|page| async move { store.list_dependencies(&filter, &page).await }).await?;
    let (depends_on, needed_by): (Vec<_>, Vec<_>) = dependencies.into_iter().partition(|d| d.fields.successor == this);
    let role = store.work_item_role(&item).await?;
    let rights = Rights::of(store, role, Role::Editor);
    let may_link = may_link(state, role).await?.is_ok();
    let history = super::panels::history(super::store(state), EntityKind::WorkItem, &item.id.to_string()).await?;
    let served = super::strategy::served_objectives(super::store(state), id).await?;
    let node_picker = if may_link {
        let names = PlaceNames::read(store).await?;
        let program = project.as_ref().map(|p| p.fields.program_id);
        let linked = other_ends(this, depends_on.iter().chain(&needed_by));
        super::dependencies::node_picker(store, &names, &item, program, &linked).await?
    } else {
        Picker::default()
    };
    let mut depends_on = dependency_rows(store, &depends_on).await?;
    mark_deletable(store, &mut depends_on).await?;
    let mut needed_by = dependency_rows(store, &needed_by).await?;
    mark_deletable(store, &mut needed_by).await?;
    let risks = match &project {
        Some(project) => super::risks::risks_hitting(store, project.fields.program_id, id).await?,
        None => Vec::new(),
    };
    let notice_lists_risks = refused_for_risks && !risks.is_empty();
    let notice = match notice {
        Some(text) if notice_lists_risks => {
            Some(format!("{text} Take it off these risks first (the Risks panel below lists them too):"))
        }
        other => other,
    };
    let risks_panel = project.is_some();
    // Done, cancelled and summary items are not planned themselves: say why, not "not in it".
    let not_planned = if matches!(item.fields.status, WorkItemStatus::Done | WorkItemStatus::Cancelled) {
        Some("not planned: it is done or cancelled")
    } else if !children.is_empty() {
        Some("not planned itself: its items are (see them below)")
    } else {
        None
    };
    let plan = match &project {
        Some(project) => super::plan_panel::plan_panel(store, project.fields.program_id, this, not_planned).await?,
        None => None,
    };
    let page = ShowPage {
        plan,
        plan_target: None,
        risks_panel,
        served,
        rights,
        history,
        item,
        project,
        product,
        team,
        parent,
        children,
        depends_on,
        needed_by,
        dependency_form,
        may_link,
        dependency_kinds: dependency_kind_options(),
        directions: vec![
            SelectOption::new("after", "This item comes after it (it is a predecessor)"),
            SelectOption::new("before", "This item comes before it (it is a successor)"),
        ],
        node_types: vec![SelectOption::new("work_item", "Work item"), SelectOption::new("milestone", "Milestone")],
        node_picker,
        notice,
        notice_lists_risks,
        risks,
    };
    Ok(render(status, &page))
}

async fn edit_form(state: PageCtx, Path(id): Path<String>) -> Result<Response, PageError> {
    let item = store(&state).get_work_item(parse_id(&id)?).await?;
    let withheld = withheld(may_edit(&state, &item).await?);
    let places = Places::read(store(&state)).await?;
    ok(&edit_page(&state, &places, &item, stored_values(&item), withheld).await?)
}

async fn update(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id: WorkItemId = parse_id(&id)?;
    let store = store(&state);
    let current = store.get_work_item(id).await?;
    may_edit(&state, &current).await?.map_err(PageError::Forbidden)?;
    let submitted = SubmittedForm::new(pairs);
    let version = submitted.version().unwrap_or(0);
    let (status, form) = match read_form(&submitted) {
        Ok(fields) => match store.update_work_item(id, version, fields, None).await {
            Ok(item) => return Ok(see_other(&format!("/work-items/{}", item.id))),
            Err(DomainError::Validation(errors)) => {
                (StatusCode::UNPROCESSABLE_ENTITY, submitted.into_state().with_errors(errors))
            }
            // They edit the item, but not where the form moves it.
            Err(DomainError::Forbidden { reason }) => {
                (StatusCode::FORBIDDEN, submitted.into_state().with_notice(placement_refused(&reason)))
            }
            Err(DomainError::VersionConflict { .. }) => {
                let latest = store.get_work_item(id).await?;
                let form = stored_values(&latest).with_notice(CONFLICT_NOTICE);
                let places = Places::read(store).await?;
                return Ok(render(StatusCode::CONFLICT, &edit_page(&state, &places, &latest, form, None).await?));
            }
            Err(other) => return Err(other.into()),
        },
        Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, submitted.into_state().with_errors(errors)),
    };
    let places = Places::read(store).await?;
    let page = edit_page(&state, &places, &current, form, None).await?;
    Ok(render(status, &page))
}

async fn delete(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id: WorkItemId = parse_id(&id)?;
    let store = store(&state);
    let item = store.get_work_item(id).await?;
    let version = SubmittedForm::new(pairs).version();
    let mut refused_for_risks = false;
    let notice = match store.delete_work_item(id, version).await {
        Ok(()) => {
            let back = match (item.fields.placement.project_id(), item.fields.placement.product_id()) {
                (Some(project), _) => format!("/projects/{project}"),
                (None, Some(product)) => format!("/products/{product}"),
                (None, None) => "/".to_owned(),
            };
            return Ok(see_other(&back));
        }
        Err(DomainError::InUse { reason, .. }) => {
            refused_for_risks = reason.starts_with(HIT_BY_RISKS);
            refusal("work item", &reason)
        }
        Err(DomainError::VersionConflict { .. }) => DELETE_CONFLICT_NOTICE.to_owned(),
        Err(other) => return Err(other.into()),
    };
    show_page_with(&state, id, StatusCode::CONFLICT, Some(notice), blank_form(), refused_for_risks).await
}
