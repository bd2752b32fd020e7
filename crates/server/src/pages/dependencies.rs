//! Dependencies as pages show them (rows with titles and projects), and the form to add one to a
//! work item or delete one.

use crate::routes::Routes;
use std::collections::HashMap;
use tandem_domain::Access;

use axum::Form;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use tandem_domain::{
    Dependency, DependencyFields, DependencyId, DependencyInput, DependencyKind, DomainError, MilestoneId, NodeRef,
    ProjectId, Role, ValidationErrors, WorkItemId,
};

use super::PageCtx;
use super::form::{FormReader, FormState, SelectOption, SubmittedForm, finish};
use super::panels::Rights;
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
    let submitted = SubmittedForm::new(pairs);
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
