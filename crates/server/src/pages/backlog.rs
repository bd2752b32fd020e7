//! Backlog pages: a product's ranked backlog (filters; drag-and-drop, keyboard and button moves;
//! bulk status and rank edits), a work item's user story and prioritization forms (each
//! framework's formula with the item's numbers), and the product's prioritization views (the
//! ranking per framework with the impact-effort matrix as SVG, and the side-by-side comparison).
//!
//! Moves without JavaScript are form posts (`/products/{id}/backlog/move`, "Top", "Up", "Down",
//! "Bottom"); `static/backlog.js` adds drag and drop and Alt+Arrow keys on top, calling the JSON
//! API's move endpoint with the session's CSRF header.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tandem_domain::backlog::{BacklogDetails, BacklogPosition, BulkEdit, PrioritizationInput, RankMove};
use tandem_domain::prioritization::{
    Cd3Input, FibonacciPoints, Framework, ImpactEffort, Moscow, Quadrant, RiceImpact, RiceInput, WsjfInput,
    format_number,
};
use tandem_domain::{
    Access, DomainError, Product, ProductId, Role, ValidationErrors, WorkItem, WorkItemId, WorkItemStatus,
};

use super::form::{FormState, SelectOption, SubmittedForm};
use super::gantt::Svg;
use super::panels::if_readable;
use super::work_items::{kind_options, status_options};
use super::{PageCtx, PageError, first_records, ok, parse_id, query_string, render, see_other, store};
use crate::api::backlog::{
    BacklogFilter, BacklogQuery, ComparisonJson, RankedItemJson, StoryUpdateJson, comparison, load_backlog,
    parse_framework, ranking,
};
use crate::routes::Routes;

/// The backlog page's script, compiled into the binary like the stylesheet.
const BACKLOG_SCRIPT: &str = include_str!("../../static/backlog.js");

pub fn router() -> Routes {
    Routes::new("")
        .get("/static/backlog.js", script)
        .get("/products/{id}/backlog", backlog_page)
        .post("/products/{id}/backlog/move", move_item)
        .post("/products/{id}/backlog/bulk", bulk_edit)
        .get("/products/{id}/prioritization", prioritization_page)
        .get("/products/{id}/prioritization/compare", compare_page)
        .get("/work-items/{id}/prioritization", item_prioritization_page)
        .post("/work-items/{id}/prioritization", save_prioritization)
        .get("/work-items/{id}/story", story_page)
        .post("/work-items/{id}/story", save_story)
}

async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600")),
        ],
        BACKLOG_SCRIPT,
    )
}

// ----- the backlog -----

pub struct BacklogRow {
    pub item: WorkItem,
    /// 1-based place in the whole backlog.
    pub position: usize,
    pub team_name: Option<String>,
    pub story: Option<String>,
    pub rice: Option<String>,
    pub wsjf: Option<String>,
    pub moscow: Option<&'static str>,
    /// Checked for the bulk edit (a refused bulk edit comes back with its selection).
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "backlog/backlog.html")]
struct BacklogPage {
    product: Product,
    rows: Vec<BacklogRow>,
    total: usize,
    filtered: bool,
    form: FormState,
    /// The bulk edit's choices (`status`, `rank`); its checked `ids` are on the rows.
    bulk: FormState,
    kinds: Vec<SelectOption>,
    statuses: Vec<SelectOption>,
    teams: Vec<SelectOption>,
    can_edit: bool,
    notice: Option<String>,
    /// This page with its filters, where a move or a bulk edit returns to.
    return_to: String,
    moves: &'static [MoveChoice],
}

/// One of the script-free move buttons.
pub struct MoveChoice {
    /// The form's `to` value.
    pub value: &'static str,
    pub label: &'static str,
    /// For the button's accessible name: "Move Alpha to the top".
    pub phrase: &'static str,
    step: Step,
}

/// Where a script-free move sends an item.
#[derive(Debug, Clone, Copy)]
enum Step {
    Top,
    Up,
    Down,
    Bottom,
}

const MOVES: &[MoveChoice] = &[
    MoveChoice { value: "top", label: "Top", phrase: "to the top", step: Step::Top },
    MoveChoice { value: "up", label: "Up", phrase: "up", step: Step::Up },
    MoveChoice { value: "down", label: "Down", phrase: "down", step: Step::Down },
    MoveChoice { value: "bottom", label: "Bottom", phrase: "to the bottom", step: Step::Bottom },
];

/// A score as every page shows it (the backlog's RICE and WSJF columns, the ranking's score
/// column): the formulas' own [`format_number`], so a column and the formula beside it print the
/// same number. Below 1 it keeps three significant digits, so small scores stay apart
/// (`0.00412`, not `0.00`); from 1 at most two decimals (`12.5`, `1234.57`), whole numbers none
/// (`800`). The JSON API keeps the full number.
pub fn score_text(value: f64) -> String {
    format_number(value)
}

/// A stored number as its form field shows it: every digit it has (the shortest text that reads
/// back as the same number), so saving the form unchanged stores the same value: an effort of
/// 0.004 person-months is not shown, and saved again, as 0.
fn input_text(value: f64) -> String {
    value.to_string()
}

async fn backlog_page(
    state: PageCtx,
    Path(id): Path<String>,
    Query(query): Query<BacklogQuery>,
) -> Result<Response, PageError> {
    render_backlog(&state, parse_id(&id)?, &query, StatusCode::OK, None, FormState::empty()).await
}

/// The backlog filtered by `query`; `bulk` is a refused bulk edit's form as sent (its checked
/// items and choices), empty otherwise.
async fn render_backlog(
    state: &PageCtx,
    id: ProductId,
    query: &BacklogQuery,
    status: StatusCode,
    notice: Option<String>,
    bulk: FormState,
) -> Result<Response, PageError> {
    let access = store(state);
    let product = access.get_product(id).await?;
    let role = access.product_role(id).await?;
    let mut form = FormState::empty();
    form.set("kind", query.kind.as_deref().unwrap_or_default())
        .set("status", query.status.as_deref().unwrap_or_default())
        .set("team_id", query.team_id.as_deref().unwrap_or_default())
        .set("q", query.q.as_deref().unwrap_or_default());
    let (filter, form) = match BacklogFilter::parse(query) {
        Ok(filter) => (filter, form),
        Err(errors) => (BacklogFilter::default(), form.with_errors(errors)),
    };
    let all = load_backlog(access, id, &BacklogFilter::default()).await?;
    let total = all.len();
    let teams =
        first_records(|page| async move { access.list_teams(&tandem_domain::TeamFilter::default(), &page).await })
            .await?;
    let team_names: std::collections::HashMap<_, _> =
        teams.iter().map(|t| (t.id, t.fields.name.as_str().to_owned())).collect();
    let rows = all
        .iter()
        .enumerate()
        .filter(|(_, (item, details))| {
            filter.items.kind.is_none_or(|k| item.fields.kind == k)
                && filter.items.status.is_none_or(|s| item.fields.status == s)
                && filter.items.team.is_none_or(|t| item.fields.team_id == Some(t))
                && tandem_domain::backlog::matches_text(item, details, &filter.text)
        })
        .map(|(index, (item, details))| BacklogRow {
            item: item.clone(),
            position: index + 1,
            team_name: item.fields.team_id.and_then(|t| team_names.get(&t).cloned()),
            story: details.story.as_ref().map(|s| s.sentence()),
            rice: details.scores.rice.map(|r| score_text(r.score())),
            wsjf: details.scores.wsjf.map(|w| score_text(w.score())),
            moscow: details.scores.moscow.map(Moscow::label),
            selected: bulk.has("ids", &item.id.to_string()),
        })
        .collect::<Vec<_>>();
    let filtered = filter != BacklogFilter::default();
    let team_options = teams.iter().map(|t| SelectOption::new(t.id.to_string(), t.fields.name.as_str())).collect();
    Ok(render(
        status,
        &BacklogPage {
            product,
            rows,
            total,
            filtered,
            form,
            bulk,
            kinds: kind_options(),
            statuses: status_options(),
            teams: team_options,
            can_edit: role >= Role::Editor && state.caller.principal.may_write,
            notice,
            return_to: backlog_link(id, query),
            moves: MOVES,
        },
    ))
}

/// A move without JavaScript: `item_id` and `to` (`top`, `up`, `down`, `bottom`). An unknown
/// `to` moves nothing: the backlog comes back (422) saying so, naming the field and its values.
/// Up from the top or down from the bottom is no move and returns to the list.
async fn move_item(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let product: ProductId = parse_id(&id)?;
    let form = SubmittedForm::new(pairs);
    let access = store(&state);
    // Refused as the store refuses a move (404, read-only token, role) before `to` is read, so
    // a viewer is told they may not move rather than where items may go.
    let role = access.product_role(product).await?;
    if !state.caller.principal.may_write {
        return Err(PageError::Forbidden("this API token may only read".to_owned()));
    }
    if role < Role::Editor {
        return Err(PageError::Forbidden("reordering a backlog needs the editor role".to_owned()));
    }
    let to = form.text("to").trim();
    let Some(choice) = MOVES.iter().find(|choice| choice.value == to) else {
        let values: Vec<&str> = MOVES.iter().map(|choice| choice.value).collect();
        let sent = if to.is_empty() { String::new() } else { format!(", not \u{201c}{to}\u{201d}") };
        let notice = format!("Nothing was moved: to: must be one of {}{sent}.", values.join(", "));
        let filters = filters_sent_from(product, &form);
        return render_backlog(
            &state,
            product,
            &filters,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(notice),
            FormState::empty(),
        )
        .await;
    };
    let item: WorkItemId = form.text("item_id").trim().parse().map_err(|_| PageError::NotFound)?;
    let order: Vec<WorkItemId> =
        access.product_backlog(product, &Default::default()).await?.iter().map(|(i, _)| i.id).collect();
    let at = order.iter().position(|i| *i == item).ok_or(PageError::NotFound)?;
    let position = match choice.step {
        Step::Top => Some(BacklogPosition::Top),
        Step::Bottom => Some(BacklogPosition::Bottom),
        Step::Up => at.checked_sub(1).map(|before| BacklogPosition::Before(order[before])),
        Step::Down => order.get(at + 1).map(|after| BacklogPosition::After(*after)),
    };
    if let Some(position) = position {
        access.move_in_backlog(product, item, position).await?;
    }
    let back = backlog_link(product, &filters_sent_from(product, &form));
    Ok(see_other(&format!("{back}#item-{item}")))
}

/// The filters of the backlog page a form was sent from, read from its `return_to`; none when
/// that is not this product's backlog (a form never sends anyone elsewhere).
fn filters_sent_from(product: ProductId, form: &SubmittedForm) -> BacklogQuery {
    let page = format!("/products/{product}/backlog");
    match form.text("return_to").strip_prefix(page.as_str()) {
        Some(rest) => rest
            .strip_prefix('?')
            .and_then(|query| serde_urlencoded::from_str::<BacklogQuery>(query).ok())
            .unwrap_or_default(),
        None => BacklogQuery::default(),
    }
}

/// A bulk edit from the page: the checked `ids`, and `status` and/or `rank` (`top`, `bottom`).
/// Either way it returns to the list it was sent from (`return_to`, with its filters): redirected
/// there when done, or shown again with the selection, the choices and why nothing changed.
async fn bulk_edit(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let product: ProductId = parse_id(&id)?;
    let form = SubmittedForm::new(pairs);
    let access = store(&state);
    access.get_product(product).await?;
    let mut errors = ValidationErrors::new();
    let ids: Vec<WorkItemId> =
        form.all("ids")
            .iter()
            .enumerate()
            .filter_map(|(i, raw)| {
                errors.check(raw.trim().parse().map_err(|_| {
                    tandem_domain::FieldError::new(format!("ids[{i}]"), "invalid", "must be a work item id")
                }))
            })
            .collect();
    let status = form.optional_text("status").and_then(|raw| errors.check(WorkItemStatus::parse("status", &raw)));
    let rank = form.optional_text("rank").and_then(|raw| errors.check(RankMove::parse("rank", &raw)));
    let result = match errors.into_result() {
        Ok(()) => match BulkEdit::new(ids, status, rank) {
            Ok(edit) => access.bulk_edit_work_items(&edit).await.map(|_| ()),
            Err(errors) => Err(DomainError::Validation(errors)),
        },
        Err(errors) => Err(DomainError::Validation(errors)),
    };
    let filters = filters_sent_from(product, &form);
    match result {
        Ok(()) => Ok(see_other(&backlog_link(product, &filters))),
        Err(DomainError::Validation(errors)) => {
            let words: Vec<&str> = errors.errors().iter().map(|e| e.message.as_str()).collect();
            let notice = format!("Nothing was changed: {}.", words.join("; "));
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            render_backlog(&state, product, &filters, status, Some(notice), form.into_state()).await
        }
        Err(other) => Err(other.into()),
    }
}

// ----- one item's story and prioritization -----

/// One framework's formula with the item's numbers, for the form.
pub struct FormulaRow {
    pub label: &'static str,
    pub formula: Option<String>,
}

#[derive(Template)]
#[template(path = "backlog/prioritization_form.html")]
struct ItemPrioritizationPage {
    item: WorkItem,
    /// The item's product when the viewer may read it (its prioritization page is linked).
    product_link: Option<ProductId>,
    form: FormState,
    formulas: Vec<FormulaRow>,
    rice_impacts: Vec<SelectOption>,
    fibonacci: Vec<SelectOption>,
    moscow_classes: Vec<SelectOption>,
    can_edit: bool,
}

impl ItemPrioritizationPage {
    async fn new(
        access: Access<'_>,
        item: WorkItem,
        stored: &BacklogDetails,
        form: FormState,
        can_edit: bool,
    ) -> Result<ItemPrioritizationPage, PageError> {
        // An item is readable through its project alone: its product may be hidden.
        let product_link = match item.fields.placement.product_id() {
            Some(product) => if_readable(access.get_product(product).await)?.map(|p| p.id),
            None => None,
        };
        Ok(ItemPrioritizationPage {
            formulas: formula_rows(stored),
            item,
            product_link,
            form,
            rice_impacts: rice_impact_options(),
            fibonacci: fibonacci_options(),
            moscow_classes: moscow_options(),
            can_edit,
        })
    }
}

fn rice_impact_options() -> Vec<SelectOption> {
    RiceImpact::ALL
        .into_iter()
        .map(|i| SelectOption::new(input_text(i.value()), format!("{} ({})", input_text(i.value()), i.label())))
        .collect()
}

fn fibonacci_options() -> Vec<SelectOption> {
    FibonacciPoints::SCALE.into_iter().map(|p| SelectOption::new(p.to_string(), p.to_string())).collect()
}

fn moscow_options() -> Vec<SelectOption> {
    Moscow::ALL.into_iter().map(|m| SelectOption::new(m.as_str(), m.label())).collect()
}

fn formula_rows(details: &BacklogDetails) -> Vec<FormulaRow> {
    Framework::ALL.into_iter().map(|f| FormulaRow { label: f.label(), formula: details.scores.explain(f) }).collect()
}

fn prioritization_values(item: &WorkItem, details: &BacklogDetails) -> FormState {
    let s = &details.scores;
    let mut form = FormState::empty();
    form.set("version", item.meta.version);
    if let Some(r) = s.rice {
        form.set("rice.reach", input_text(r.reach()))
            .set("rice.impact", input_text(r.impact().value()))
            .set("rice.confidence", input_text(r.confidence_percent()))
            .set("rice.effort", input_text(r.effort_person_months()));
    }
    if let Some(w) = s.wsjf {
        form.set("wsjf.business_value", w.business_value().get())
            .set("wsjf.time_criticality", w.time_criticality().get())
            .set("wsjf.risk_reduction", w.risk_reduction().get())
            .set("wsjf.job_size", w.job_size().get());
    }
    if let Some(c) = s.cd3 {
        form.set("cd3.cost_of_delay_per_week", c.cost_of_delay_per_week().amount())
            .set("cd3.duration_weeks", input_text(c.duration_weeks()));
    }
    if let Some(m) = s.moscow {
        form.set("moscow", m.as_str());
    }
    if let Some(i) = s.impact_effort {
        form.set("impact_effort.impact", i.impact()).set("impact_effort.effort", i.effort());
    }
    form
}

async fn item_prioritization_page(state: PageCtx, Path(id): Path<String>) -> Result<Response, PageError> {
    let access = store(&state);
    let (item, details) = access.backlog_item(parse_id(&id)?).await?;
    let can_edit = access.work_item_role(&item).await? >= Role::Editor && state.caller.principal.may_write;
    let form = prioritization_values(&item, &details);
    ok(&ItemPrioritizationPage::new(access, item, &details, form, can_edit).await?)
}

/// Reads the prioritization form: a framework counts as given when any of its fields is filled.
/// Fields that are not numbers are reported as such, the rest by the frameworks' own rules.
fn read_prioritization(
    form: &SubmittedForm,
) -> Result<tandem_domain::prioritization::FrameworkScores, ValidationErrors> {
    let (input, mut errors) = read_prioritization_input(form);
    if let Err(rules) = tandem_domain::backlog::parse_prioritization(&input) {
        let unreadable: Vec<String> = errors.errors().iter().map(|e| e.field.clone()).collect();
        for e in rules.errors().iter().filter(|e| !unreadable.contains(&e.field)) {
            errors.add(e.field.clone(), e.code, e.message.clone());
        }
    }
    errors.into_result()?;
    tandem_domain::backlog::parse_prioritization(&input)
}

fn read_prioritization_input(form: &SubmittedForm) -> (PrioritizationInput, ValidationErrors) {
    let mut errors = ValidationErrors::new();
    let filled = |names: &[&str]| names.iter().any(|n| !form.text(n).trim().is_empty());
    let e = &mut errors;
    let rice = filled(&["rice.reach", "rice.impact", "rice.confidence", "rice.effort"]).then(|| RiceInput {
        reach: number(form, e, "rice.reach"),
        impact: number(form, e, "rice.impact"),
        confidence: number(form, e, "rice.confidence"),
        effort: number(form, e, "rice.effort"),
    });
    let wsjf_fields = ["wsjf.business_value", "wsjf.time_criticality", "wsjf.risk_reduction", "wsjf.job_size"];
    let wsjf = filled(&wsjf_fields).then(|| WsjfInput {
        business_value: whole(form, e, "wsjf.business_value"),
        time_criticality: whole(form, e, "wsjf.time_criticality"),
        risk_reduction: whole(form, e, "wsjf.risk_reduction"),
        job_size: whole(form, e, "wsjf.job_size"),
    });
    let cd3 = filled(&["cd3.cost_of_delay_per_week", "cd3.duration_weeks"]).then(|| Cd3Input {
        cost_of_delay_per_week: whole(form, e, "cd3.cost_of_delay_per_week"),
        duration_weeks: number(form, e, "cd3.duration_weeks"),
    });
    let impact_effort = filled(&["impact_effort.impact", "impact_effort.effort"])
        .then(|| (whole(form, e, "impact_effort.impact"), whole(form, e, "impact_effort.effort")));
    let moscow = form.optional_text("moscow");
    (PrioritizationInput { rice, wsjf, cd3, moscow, impact_effort }, errors)
}

/// A number typed into `name`; a blank or unreadable one is reported and read as 0.
fn number(form: &SubmittedForm, errors: &mut ValidationErrors, name: &str) -> f64 {
    let raw = form.text(name).trim();
    match raw.parse::<f64>() {
        Ok(value) if value.is_finite() => value,
        _ => {
            errors.add(name, "invalid", "must be a number");
            0.0
        }
    }
}

/// A whole number typed into `name`; anything else is reported and read as 0.
fn whole(form: &SubmittedForm, errors: &mut ValidationErrors, name: &str) -> i64 {
    match form.text(name).trim().parse::<i64>() {
        Ok(value) => value,
        Err(_) => {
            errors.add(name, "invalid", "must be a whole number");
            0
        }
    }
}

async fn save_prioritization(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id: WorkItemId = parse_id(&id)?;
    let access = store(&state);
    let (item, mut details) = access.backlog_item(id).await?;
    let submitted = SubmittedForm::new(pairs);
    let version = submitted.version().unwrap_or(0);
    let parsed = read_prioritization(&submitted);
    let errors = match parsed {
        Ok(scores) => {
            details.scores = scores;
            match access.set_backlog_details(id, version, details.clone()).await {
                Ok(_) => return Ok(see_other(&format!("/work-items/{id}/prioritization"))),
                Err(DomainError::Validation(errors)) => errors,
                Err(DomainError::VersionConflict { .. }) => {
                    let (latest, stored) = access.backlog_item(id).await?;
                    let form = prioritization_values(&latest, &stored).with_notice(super::CONFLICT_NOTICE);
                    let page = ItemPrioritizationPage::new(access, latest, &stored, form, true).await?;
                    return Ok(render(StatusCode::CONFLICT, &page));
                }
                Err(other) => return Err(other.into()),
            }
        }
        Err(errors) => errors,
    };
    let (_, stored) = access.backlog_item(id).await?;
    let form = submitted.into_state().with_errors(errors);
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &ItemPrioritizationPage::new(access, item, &stored, form, true).await?))
}

#[derive(Template)]
#[template(path = "backlog/story_form.html")]
struct StoryPage {
    item: WorkItem,
    form: FormState,
    sentence: Option<String>,
    criteria: Vec<String>,
    can_edit: bool,
}

fn story_values(item: &WorkItem, details: &BacklogDetails) -> FormState {
    let mut form = FormState::empty();
    form.set("version", item.meta.version);
    if let Some(story) = &details.story {
        form.set("as_a", story.as_a())
            .set("i_want", story.i_want())
            .set("so_that", story.so_that())
            .set("acceptance_criteria", story.acceptance_criteria().collect::<Vec<_>>().join("\n"));
    }
    form
}

fn story_page_of(item: WorkItem, details: &BacklogDetails, form: FormState, can_edit: bool) -> StoryPage {
    StoryPage {
        item,
        form,
        sentence: details.story.as_ref().map(|s| s.sentence()),
        criteria: details
            .story
            .as_ref()
            .map(|s| s.acceptance_criteria().map(str::to_owned).collect())
            .unwrap_or_default(),
        can_edit,
    }
}

async fn story_page(state: PageCtx, Path(id): Path<String>) -> Result<Response, PageError> {
    let access = store(&state);
    let (item, details) = access.backlog_item(parse_id(&id)?).await?;
    let can_edit = access.work_item_role(&item).await? >= Role::Editor && state.caller.principal.may_write;
    let form = story_values(&item, &details);
    ok(&story_page_of(item, &details, form, can_edit))
}

async fn save_story(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id: WorkItemId = parse_id(&id)?;
    let access = store(&state);
    let (item, mut details) = access.backlog_item(id).await?;
    let submitted = SubmittedForm::new(pairs);
    let body = StoryUpdateJson {
        version: submitted.version().unwrap_or(0),
        as_a: submitted.optional_text("as_a"),
        i_want: submitted.optional_text("i_want"),
        so_that: submitted.optional_text("so_that"),
        acceptance_criteria: submitted.text("acceptance_criteria").lines().map(str::to_owned).collect(),
    };
    let errors = match body.story() {
        Ok(story) => {
            details.story = story;
            match access.set_backlog_details(id, body.version, details.clone()).await {
                Ok(_) => return Ok(see_other(&format!("/work-items/{id}/story"))),
                Err(DomainError::Validation(errors)) => errors,
                Err(DomainError::VersionConflict { .. }) => {
                    let (latest, stored) = access.backlog_item(id).await?;
                    let form = story_values(&latest, &stored).with_notice(super::CONFLICT_NOTICE);
                    return Ok(render(StatusCode::CONFLICT, &story_page_of(latest, &stored, form, true)));
                }
                Err(other) => return Err(other.into()),
            }
        }
        Err(errors) => errors,
    };
    // A criterion's error (`acceptance_criteria[2]`) belongs to the one text area.
    let mut mapped = ValidationErrors::new();
    for e in errors.errors() {
        let field = if e.field.starts_with("acceptance_criteria") { "acceptance_criteria" } else { e.field.as_str() };
        mapped.add(field, e.code, e.message.clone());
    }
    let (_, stored) = access.backlog_item(id).await?;
    let form = submitted.into_state().with_errors(mapped);
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &story_page_of(item, &stored, form, true)))
}

// ----- the product's prioritization views -----

pub struct FrameworkTab {
    pub value: &'static str,
    pub label: &'static str,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "backlog/prioritization.html")]
struct PrioritizationPage {
    product: Product,
    framework_label: &'static str,
    tabs: Vec<FrameworkTab>,
    items: Vec<RankedItemJson>,
    /// Escaped SVG markup (written by `gantt::Svg`); empty when no item has impact and effort.
    matrix: String,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct FrameworkQuery {
    framework: Option<String>,
}

/// The address's framework as the JSON API reads it, except that a blank one means "not given"
/// (RICE). One the page does not know is a 400 page naming it, rather than a ranking quietly
/// drawn by another framework than the one asked for.
fn read_framework(product: ProductId, query: &FrameworkQuery) -> Result<Framework, PageError> {
    let given = query.framework.as_deref().filter(|raw| !raw.trim().is_empty());
    match given.map(|raw| parse_framework("framework", raw)) {
        None => Ok(Framework::Rice),
        Some(Ok(framework)) => Ok(framework),
        Some(Err(error)) => {
            let mut errors = ValidationErrors::new();
            errors.push(error);
            Err(PageError::bad_query(format!("/products/{product}/prioritization"), &errors, &[("framework", given)]))
        }
    }
}

async fn prioritization_page(
    state: PageCtx,
    Path(id): Path<String>,
    Query(query): Query<FrameworkQuery>,
) -> Result<Response, PageError> {
    let id: ProductId = parse_id(&id)?;
    let access = store(&state);
    // A product the user may not read is a 404 whatever the address asks of it.
    let product = access.get_product(id).await?;
    let framework = read_framework(id, &query)?;
    let backlog = load_backlog(access, id, &BacklogFilter::default()).await?;
    let tabs = Framework::ALL
        .into_iter()
        .map(|f| FrameworkTab { value: f.as_str(), label: f.label(), current: f == framework })
        .collect();
    let placed: Vec<(&WorkItem, ImpactEffort)> =
        backlog.iter().filter_map(|(item, d)| d.scores.impact_effort.map(|ie| (item, ie))).collect();
    let matrix = if placed.is_empty() { String::new() } else { impact_effort_svg(&placed) };
    ok(&PrioritizationPage {
        product,
        framework_label: framework.label(),
        tabs,
        items: ranking(framework, &backlog),
        matrix,
    })
}

const PLOT: i32 = 400;
const MARGIN_LEFT: i32 = 56;
const MARGIN_TOP: i32 = 16;

fn quadrant_label(quadrant: Quadrant) -> &'static str {
    match quadrant {
        Quadrant::QuickWin => "Quick wins",
        Quadrant::MajorProject => "Major projects",
        Quadrant::FillIn => "Fill-ins",
        Quadrant::ThanklessTask => "Thankless tasks",
    }
}

/// The impact-effort matrix: effort 1-10 along the bottom, impact 1-10 up the side, split where
/// "high" starts ([`ImpactEffort::HIGH_FROM`]); each item a linked dot (items on the same point
/// are spread along a short row).
pub fn impact_effort_svg(items: &[(&WorkItem, ImpactEffort)]) -> String {
    let width = MARGIN_LEFT + PLOT + 16;
    let height = MARGIN_TOP + PLOT + 48;
    let cell = PLOT / 10;
    let x_of = |effort: u8| MARGIN_LEFT + (i32::from(effort) - 1) * cell + cell / 2;
    let y_of = |impact: u8| MARGIN_TOP + (10 - i32::from(impact)) * cell + cell / 2;
    let split = (i32::from(ImpactEffort::HIGH_FROM) - 1) * cell;
    let mut svg = Svg::default();
    svg.open(
        "svg",
        &[
            ("xmlns", "http://www.w3.org/2000/svg".into()),
            ("class", "impact-effort".into()),
            ("width", width.to_string()),
            ("height", height.to_string()),
            ("viewBox", format!("0 0 {width} {height}")),
            ("role", "group".into()),
            ("aria-labelledby", "impact-effort-title".into()),
        ],
    );
    svg.text(
        "title",
        &[("id", "impact-effort-title".into())],
        &format!("Impact-effort matrix of {} items", items.len()),
    );
    let quadrants = [
        (Quadrant::QuickWin, MARGIN_LEFT, MARGIN_TOP, split, PLOT - split),
        (Quadrant::MajorProject, MARGIN_LEFT + split, MARGIN_TOP, PLOT - split, PLOT - split),
        (Quadrant::FillIn, MARGIN_LEFT, MARGIN_TOP + PLOT - split, split, split),
        (Quadrant::ThanklessTask, MARGIN_LEFT + split, MARGIN_TOP + PLOT - split, PLOT - split, split),
    ];
    for (quadrant, x, y, w, h) in quadrants {
        svg.empty(
            "rect",
            &[
                ("class", format!("quadrant quadrant-{}", quadrant.as_str())),
                ("x", x.to_string()),
                ("y", y.to_string()),
                ("width", w.to_string()),
                ("height", h.to_string()),
            ],
        );
        svg.text(
            "text",
            &[
                ("class", "quadrant-label".into()),
                ("id", format!("quadrant-{}", quadrant.as_str())),
                ("x", (x + 6).to_string()),
                ("y", (y + 16).to_string()),
            ],
            quadrant_label(quadrant),
        );
    }
    svg.text(
        "text",
        &[
            ("class", "axis-label".into()),
            ("x", (MARGIN_LEFT + PLOT / 2).to_string()),
            ("y", (MARGIN_TOP + PLOT + 36).to_string()),
            ("text-anchor", "middle".into()),
        ],
        "Effort (1 to 10) →",
    );
    svg.text(
        "text",
        &[
            ("class", "axis-label".into()),
            ("x", "16".into()),
            ("y", (MARGIN_TOP + PLOT / 2).to_string()),
            ("text-anchor", "middle".into()),
            ("transform", format!("rotate(-90 16 {})", MARGIN_TOP + PLOT / 2)),
        ],
        "Impact (1 to 10) →",
    );
    for tick in 1..=10u8 {
        svg.text(
            "text",
            &[
                ("class", "tick".into()),
                ("x", x_of(tick).to_string()),
                ("y", (MARGIN_TOP + PLOT + 16).to_string()),
                ("text-anchor", "middle".into()),
            ],
            &tick.to_string(),
        );
        svg.text(
            "text",
            &[
                ("class", "tick".into()),
                ("x", (MARGIN_LEFT - 8).to_string()),
                ("y", (y_of(tick) + 4).to_string()),
                ("text-anchor", "end".into()),
            ],
            &tick.to_string(),
        );
    }
    let mut seen: std::collections::HashMap<(u8, u8), i32> = std::collections::HashMap::new();
    for (item, rating) in items {
        let slot = seen.entry((rating.impact(), rating.effort())).or_insert(0);
        // Items on the same point step right of it, so each stays visible and clickable.
        let offset = (*slot % 4) * 8;
        *slot += 1;
        let label = format!(
            "{}: impact {}, effort {} ({})",
            item.fields.title,
            rating.impact(),
            rating.effort(),
            rating.quadrant().label()
        );
        svg.open(
            "a",
            &[
                ("href", format!("/work-items/{}/prioritization", item.id)),
                ("aria-label", label.clone()),
                ("class", format!("matrix-item in-{}", rating.quadrant().as_str())),
            ],
        );
        svg.with_title(
            "circle",
            &[
                ("cx", (x_of(rating.effort()) + offset).to_string()),
                ("cy", y_of(rating.impact()).to_string()),
                ("r", "6".into()),
            ],
            &label,
        );
        svg.close("a");
    }
    svg.close("svg");
    svg.finish()
}

pub struct ComparedRow {
    pub title: String,
    pub link: String,
    pub backlog_position: usize,
    /// One cell per framework of the comparison, in its order: the item's position or "–".
    pub cells: Vec<String>,
    pub spread: usize,
    pub disagreement: bool,
}

#[derive(Template)]
#[template(path = "backlog/compare.html")]
struct ComparePage {
    product: Product,
    frameworks: Vec<&'static str>,
    rows: Vec<ComparedRow>,
    threshold: usize,
}

fn compared_rows(compared: &ComparisonJson) -> Vec<ComparedRow> {
    compared
        .items
        .iter()
        .enumerate()
        .map(|(index, item)| ComparedRow {
            title: item.title.clone(),
            link: format!("/work-items/{}/prioritization", item.work_item_id),
            backlog_position: index + 1,
            cells: compared
                .frameworks
                .iter()
                .map(|f| item.ranks.get(f).map_or_else(|| "–".to_owned(), ToString::to_string))
                .collect(),
            spread: item.spread,
            disagreement: item.disagreement,
        })
        .collect()
}

async fn compare_page(state: PageCtx, Path(id): Path<String>) -> Result<Response, PageError> {
    let id: ProductId = parse_id(&id)?;
    let access = store(&state);
    let product = access.get_product(id).await?;
    let backlog = load_backlog(access, id, &BacklogFilter::default()).await?;
    let compared = comparison(id, &backlog);
    let frameworks = compared
        .frameworks
        .iter()
        .filter_map(|name| Framework::ALL.into_iter().find(|f| f.as_str() == name).map(Framework::label))
        .collect();
    ok(&ComparePage { product, frameworks, rows: compared_rows(&compared), threshold: compared.disagreement_threshold })
}

/// The backlog page's link with the current filters (for "return to" fields).
pub fn backlog_link(product: ProductId, query: &BacklogQuery) -> String {
    let qs = query_string(&[
        ("kind", query.kind.as_deref().unwrap_or_default()),
        ("status", query.status.as_deref().unwrap_or_default()),
        ("team_id", query.team_id.as_deref().unwrap_or_default()),
        ("q", query.q.as_deref().unwrap_or_default()),
    ]);
    if qs.is_empty() { format!("/products/{product}/backlog") } else { format!("/products/{product}/backlog?{qs}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_keep_three_significant_digits_below_one_and_two_decimals_above() {
        let cases = [
            (0.0, "0"),
            // Was "0.00" (rounded to two decimals): a RICE score with a large effort.
            (0.004123, "0.00412"),
            (0.5, "0.5"),
            (0.333333, "0.333"),
            (1.234, "1.23"),
            (12.5, "12.5"),
            (800.0, "800"),
            (1234.5678, "1234.57"),
            (-0.004123, "-0.00412"),
            (-12.5, "-12.5"),
            // The largest RICE and CD3 scores: every digit, without separators, as before.
            (3e12, "3000000000000"),
            (1e18, "1000000000000000000"),
        ];
        for (value, expected) in cases {
            assert_eq!(score_text(value), expected, "{value}");
        }
    }

    #[test]
    fn form_fields_show_every_digit_of_a_stored_number() {
        assert_eq!(input_text(0.004), "0.004");
        assert_eq!(input_text(0.0001234), "0.0001234");
        assert_eq!(input_text(1234.5678), "1234.5678");
        assert_eq!(input_text(33.3), "33.3");
        assert_eq!(input_text(4.0), "4");
        assert_eq!(input_text(1e9), "1000000000");
        // The impact select's values are the same text the stored impact is shown as.
        let values: Vec<String> = rice_impact_options().iter().map(|o| o.value.clone()).collect();
        assert_eq!(values, ["0.25", "0.5", "1", "2", "3"]);
    }
}
