//! Dependencies as pages show them (rows with titles and projects), and the form to add one to a
//! work item (its other end picked by name or typed as an id) or delete one.

use crate::routes::Routes;
use std::collections::{HashMap, HashSet};
use tandem_domain::Access;

use axum::Form;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use tandem_domain::{
    Dependency, DependencyFields, DependencyId, DependencyInput, DependencyKind, DomainError, Milestone,
    MilestoneFilter, MilestoneId, NodeRef, ProgramId, ProjectId, Role, ValidationErrors, WorkItem, WorkItemFilter,
    WorkItemId,
};

use super::PageCtx;
use super::form::{FormReader, FormState, SelectOption, SubmittedForm, finish};
use super::panels::{Rights, if_readable};
use super::work_items::{Candidate, Picker, PlaceNames, scan};
use super::{PageError, parse_id, see_other, store, work_items};

pub fn router() -> Routes {
    Routes::new("").post("/work-items/{id}/dependencies", add_to_work_item).post("/dependencies/{id}/delete", delete)
}

/// One end of a dependency, as a link with its project.
#[derive(Debug, Clone)]
pub struct NodeView {
    pub title: String,
    pub url: String,
    /// "work item" or "milestone".
    pub type_label: &'static str,
    pub project_name: Option<String>,
    pub project_url: Option<String>,
}

/// A dependency as a table row.
#[derive(Debug, Clone)]
pub struct DependencyRow {
    pub id: DependencyId,
    pub predecessor: NodeView,
    pub successor: NodeView,
    pub kind: &'static str,
    pub kind_abbreviation: &'static str,
    pub lag_days: i32,
    /// Whether the viewer may delete it (see [`mark_deletable`]); `false` until asked.
    pub may_delete: bool,
}

pub fn node_url(node: NodeRef) -> String {
    match node {
        NodeRef::WorkItem(id) => format!("/work-items/{id}"),
        NodeRef::Milestone(id) => format!("/milestones/{id}"),
    }
}

fn node_type_label(node: NodeRef) -> &'static str {
    match node {
        NodeRef::WorkItem(_) => "work item",
        NodeRef::Milestone(_) => "milestone",
    }
}

pub fn kind_label(kind: DependencyKind) -> &'static str {
    match kind {
        DependencyKind::FinishToStart => "finish to start",
        DependencyKind::StartToStart => "start to start",
        DependencyKind::FinishToFinish => "finish to finish",
        DependencyKind::StartToFinish => "start to finish",
    }
}

pub fn kind_options() -> Vec<SelectOption> {
    DependencyKind::ALL
        .into_iter()
        .map(|k| SelectOption::new(k.as_str(), format!("{} ({})", kind_label(k), k.abbreviation())))
        .collect()
}

/// Rows for `dependencies`, with the titles and projects of both ends (two store reads plus one
/// per distinct project).
pub async fn dependency_rows(store: Access<'_>, dependencies: &[Dependency]) -> Result<Vec<DependencyRow>, PageError> {
    let nodes: Vec<NodeRef> =
        dependencies.iter().flat_map(|d| [d.fields.predecessor, d.fields.successor]).collect::<Vec<_>>();
    let summaries = store.node_summaries(&nodes).await?;
    let by_node: HashMap<NodeRef, (String, Option<ProjectId>)> =
        summaries.into_iter().map(|s| (s.node, (s.title, s.project_id))).collect();
    let mut project_ids: Vec<ProjectId> = by_node.values().filter_map(|(_, project)| *project).collect();
    project_ids.sort_unstable();
    project_ids.dedup();
    let mut project_names: HashMap<ProjectId, String> = HashMap::new();
    for project_id in project_ids {
        match store.get_project(project_id).await {
            Ok(found) => {
                project_names.insert(project_id, found.fields.name.to_string());
            }
            Err(DomainError::NotFound { .. }) => {}
            Err(other) => return Err(other.into()),
        }
    }
    let view = |node: NodeRef| {
        let (title, project) = by_node.get(&node).cloned().unwrap_or_else(|| (node.to_string(), None));
        NodeView {
            title,
            url: node_url(node),
            type_label: node_type_label(node),
            project_name: project.and_then(|p| project_names.get(&p).cloned()),
            project_url: project.map(|p| format!("/projects/{p}")),
        }
    };
    Ok(dependencies
        .iter()
        .map(|d| DependencyRow {
            id: d.id,
            predecessor: view(d.fields.predecessor),
            successor: view(d.fields.successor),
            kind: kind_label(d.fields.kind),
            kind_abbreviation: d.fields.kind.abbreviation(),
            lag_days: d.fields.lag.days(),
            may_delete: false,
        })
        .collect())
}

/// Marks the rows the viewer may delete: the store deletes a dependency for an editor of either
/// end (with a token that may write), so a row's delete button shows on the page of either end.
pub async fn mark_deletable(store: Access<'_>, rows: &mut [DependencyRow]) -> Result<(), PageError> {
    for row in rows {
        row.may_delete = match store.dependency_role(row.id).await {
            Ok(role) => Rights::of(store, role, Role::Editor).delete,
            // Gone meanwhile, or an end the viewer may not read: nothing to offer.
            Err(DomainError::NotFound { .. }) => false,
            Err(other) => return Err(other.into()),
        };
    }
    Ok(())
}

/// The nodes `this` is already linked with by `dependencies` (the ends other than `this`).
pub fn other_ends<'a>(this: NodeRef, dependencies: impl IntoIterator<Item = &'a Dependency>) -> Vec<NodeRef> {
    dependencies
        .into_iter()
        .map(|d| if d.fields.predecessor == this { d.fields.successor } else { d.fields.predecessor })
        .collect()
}

/// The other ends the add-dependency form of `item` offers by name: the work items and
/// milestones of the item's program (`program`, known where the viewer reads the item's
/// project) and the work items of its product, all that the viewer reads; not the item itself
/// nor the nodes in `linked` (the store refuses the same pair twice). Work items are labelled
/// "Title — project / product", milestones "Name — project (milestone)".
pub async fn node_picker(
    access: Access<'_>,
    names: &PlaceNames,
    item: &WorkItem,
    program: Option<ProgramId>,
    linked: &[NodeRef],
) -> Result<Picker, PageError> {
    let mut filters = Vec::new();
    if let Some(program) = program {
        filters.push(WorkItemFilter { program: Some(program), ..WorkItemFilter::default() });
    }
    if let Some(product) = item.fields.placement.product_id() {
        filters.push(WorkItemFilter { product: Some(product), ..WorkItemFilter::default() });
    }
    let mut seen: HashSet<NodeRef> = linked.iter().copied().collect();
    seen.insert(NodeRef::WorkItem(item.id));
    let mut complete = true;
    let mut candidates = Vec::new();
    for filter in &filters {
        let (items, all): (Vec<WorkItem>, bool) =
            scan(|page| async move { access.list_work_items(filter, &page).await }).await?;
        complete &= all;
        candidates.extend(items.into_iter().filter(|other| seen.insert(NodeRef::WorkItem(other.id))).map(|other| {
            Candidate::new(other.id, other.fields.title.as_str(), &names.placement(other.fields.placement))
        }));
    }
    if let Some(program) = program {
        let filter = MilestoneFilter { program: Some(program), ..MilestoneFilter::default() };
        let filter = &filter;
        let (milestones, all): (Vec<Milestone>, bool) =
            scan(|page| async move { access.list_milestones(filter, &page).await }).await?;
        complete &= all;
        candidates.extend(milestones.into_iter().filter(|m| seen.insert(NodeRef::Milestone(m.id))).map(|m| {
            let project = names.project(m.fields.project_id);
            let place = if project.is_empty() { "milestone".to_owned() } else { format!("{project} (milestone)") };
            Candidate::new(m.id, m.fields.name.as_str(), &place)
        }));
    }
    Ok(Picker::of(candidates, complete))
}

/// The other end's type as its id says. A name picked from the list sends only the id, which
/// may be a milestone's while the type select still says work item, or the other way round: the
/// type is then the one of the record the viewer reads under that id. An id of the chosen type,
/// or of no record the viewer reads, keeps the chosen type (the form then answers as it did).
async fn with_node_type_of_id(
    access: Access<'_>,
    mut pairs: Vec<(String, String)>,
) -> Result<Vec<(String, String)>, PageError> {
    let text = |name: &str| pairs.iter().find(|(key, _)| key == name).map(|(_, value)| value.trim().to_owned());
    let Some(raw) = text("node_id") else { return Ok(pairs) };
    let chosen_milestone = text("node_type").as_deref() == Some("milestone");
    let (Ok(as_item), Ok(as_milestone)) = (raw.parse::<WorkItemId>(), raw.parse::<MilestoneId>()) else {
        return Ok(pairs);
    };
    let other_type = if chosen_milestone {
        let milestone = if_readable(access.get_milestone(as_milestone).await)?;
        match milestone {
            Some(_) => None,
            None => if_readable(access.get_work_item(as_item).await)?.map(|_| "work_item"),
        }
    } else {
        let item = if_readable(access.get_work_item(as_item).await)?;
        match item {
            Some(_) => None,
            None => if_readable(access.get_milestone(as_milestone).await)?.map(|_| "milestone"),
        }
    };
    if let Some(node_type) = other_type {
        pairs.retain(|(key, _)| key != "node_type");
        pairs.push(("node_type".to_owned(), node_type.to_owned()));
    }
    Ok(pairs)
}

/// The add-dependency form of a work item page, blank.
pub fn blank_form() -> FormState {
    let mut form = FormState::empty();
    form.set("direction", "after").set("node_type", "work_item").set("kind", "finish_to_start").set("lag_days", "0");
    form
}

/// Reads the add-dependency form of work item `item`. The form names the other end
/// (`node_type`, `node_id`) and whether this item comes `after` it (the other is the predecessor)
/// or `before` it.
fn read_form(item: WorkItemId, form: &SubmittedForm) -> Result<DependencyFields, ValidationErrors> {
    let mut reader = FormReader::new(form);
    let this = NodeRef::WorkItem(item);
    let other = match form.text("node_type") {
        "milestone" => reader.id::<MilestoneId>("node_id").map(NodeRef::Milestone),
        _ => reader.id::<WorkItemId>("node_id").map(NodeRef::WorkItem),
    };
    let kind = reader.choice("kind", DependencyKind::parse);
    let lag_days = reader.integer("lag_days");
    let before = form.text("direction") == "before";
    let other_end = other.unwrap_or(this);
    let (predecessor, successor) = if before { (this, other_end) } else { (other_end, this) };
    let parsed = DependencyFields::parse(DependencyInput {
        predecessor,
        successor,
        kind: kind.unwrap_or(DependencyKind::FinishToStart),
        lag_days: lag_days.unwrap_or(0),
    });
    finish(reader, parsed.map_err(blame_other_end), &[&["node_id"]])
}

/// The domain blames `predecessor`/`successor` (missing end, self link, cycle, duplicate); on this
/// form the only end a person types is the other one, so those errors belong to `node_id`.
fn blame_other_end(errors: ValidationErrors) -> ValidationErrors {
    let mut moved = ValidationErrors::new();
    for error in errors.errors() {
        let mut error = error.clone();
        if error.field == "predecessor" || error.field == "successor" {
            error.field = "node_id".to_owned();
        }
        moved.push(error);
    }
    moved
}

async fn add_to_work_item(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let item: WorkItemId = parse_id(&id)?;
    let this = store(&state).get_work_item(item).await?;
    // Refused before the form is read when the viewer edits nothing that could hold either end
    // (they were offered no form). Whether they edit one of these two ends is the store's to
    // judge, with its answer on the form.
    let role = store(&state).work_item_role(&this).await?;
    work_items::may_link(&state, role).await?.map_err(PageError::Forbidden)?;
    let submitted = SubmittedForm::new(with_node_type_of_id(store(&state), pairs).await?);
    let (status, form) = match read_form(item, &submitted) {
        Ok(fields) => match store(&state).create_dependency(fields).await {
            Ok(_) => return Ok(see_other(&format!("/work-items/{item}#dependencies"))),
            Err(DomainError::Validation(errors)) => {
                (StatusCode::UNPROCESSABLE_ENTITY, submitted.into_state().with_errors(blame_other_end(errors)))
            }
            Err(DomainError::Forbidden { reason }) => {
                let notice = format!("The dependency was not added: {reason} on this item or on the other end.");
                (StatusCode::FORBIDDEN, submitted.into_state().with_notice(notice))
            }
            Err(other) => return Err(other.into()),
        },
        Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, submitted.into_state().with_errors(errors)),
    };
    work_items::show_page(&state, item, status, None, form).await
}

/// Deletes a dependency, then returns to the work item page it was deleted from.
async fn delete(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let dependency: DependencyId = parse_id(&id)?;
    let submitted = SubmittedForm::new(pairs);
    let back: WorkItemId = parse_id(submitted.text("work_item_id"))?;
    match store(&state).delete_dependency(dependency, None).await {
        // Already gone (deleted in another tab): the result the person wanted.
        Ok(()) | Err(DomainError::NotFound { .. }) => Ok(see_other(&format!("/work-items/{back}#dependencies"))),
        Err(other) => Err(other.into()),
    }
}
