//! Product strategy pages: a product's strategy (vision, objectives with key-result progress bars,
//! the features serving each, forms for measurements and links), the objective create/edit form,
//! an objective's history, and the roadmap (now / next / later lanes and a quarter timeline drawn
//! as SVG).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use serde::Deserialize;
use tandem_domain::strategy::{
    self, DateSource, KeyResultInput, Lane, Measurement, Objective, ObjectiveFields, ObjectiveInput, ObjectiveStatus,
    PeriodInput, ProductStrategy, Roadmap, RoadmapEntryFields, RoadmapEntryInput, RoadmapGrouping, number,
};
use tandem_domain::{
    Cursor, DomainError, EntityKind, KeyResultId, ObjectiveId, PageRequest, Product, ProductId, Role, ValidationErrors,
    WorkItemId,
};

use super::form::{FormReader, FormState, SelectOption, SubmittedForm, finish};
use super::gantt::Svg;
use super::panels::{HISTORY_LIMIT, HistoryRow, Rights, product_editor_may, withheld};
use super::{CONFLICT_NOTICE, PageCtx, PageError, ok, parse_id, render, see_other, store};
use crate::routes::Routes;

pub fn router() -> Routes {
    Routes::new("")
        .get("/products/{id}/strategy", show)
        .get("/products/{id}/objectives/new", new_form)
        .post("/products/{id}/objectives", create)
        .get("/objectives/{id}/edit", edit_form)
        .get("/objectives/{id}/history", history)
        .post("/objectives/{id}", update)
        .post("/objectives/{id}/delete", delete)
        .post("/objectives/{id}/measurements", add_measurement)
        .post("/objectives/{id}/features", link)
        .post("/objectives/{id}/unlink", unlink)
        .get("/products/{id}/roadmap", roadmap)
        .post("/work-items/{id}/roadmap-entry", plan_entry)
}

/// Width of a progress bar in SVG units.
const BAR_WIDTH: f64 = 240.0;

/// A progress bar as SVG: the track, the filled part, and the percentage as text for screen
/// readers (the `<title>`).
fn progress_bar(percent: Option<f64>) -> String {
    let mut svg = Svg::default();
    let filled = percent.unwrap_or(0.0).clamp(0.0, 100.0) / 100.0 * BAR_WIDTH;
    let label = match percent {
        Some(p) => format!("{} % done", number(round1(p))),
        None => "no measurement yet".to_owned(),
    };
    svg.open(
        "svg",
        &[
            ("class", "progress-bar".to_owned()),
            ("width", format!("{BAR_WIDTH}")),
            ("height", "12".to_owned()),
            ("viewBox", format!("0 0 {BAR_WIDTH} 12")),
            ("role", "img".to_owned()),
            ("aria-label", label.clone()),
        ],
    );
    svg.text("title", &[], &label);
    svg.empty(
        "rect",
        &[
            ("class", "progress-track".to_owned()),
            ("width", format!("{BAR_WIDTH}")),
            ("height", "12".to_owned()),
            ("rx", "3".to_owned()),
        ],
    );
    svg.empty(
        "rect",
        &[
            ("class", "progress-fill".to_owned()),
            ("width", format!("{filled:.1}")),
            ("height", "12".to_owned()),
            ("rx", "3".to_owned()),
        ],
    );
    svg.close("svg");
    svg.finish()
}

fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// One key result as the page shows it.
struct KeyResultRow {
    id: String,
    metric: String,
    /// `30 -> 50 %` (reduce key results read `120 -> 80 ms`).
    range: String,
    latest: String,
    percent: String,
    bar: String,
    explanation: String,
}

struct ObjectiveCard {
    objective: Objective,
    status_label: &'static str,
    percent: String,
    bar: String,
    key_results: Vec<KeyResultRow>,
    features: Vec<(WorkItemId, String, &'static str)>,
    /// Product features not yet linked, for the link form.
    linkable: Vec<SelectOption>,
}

fn unit_suffix(unit: &str) -> String {
    if unit.is_empty() { String::new() } else { format!(" {unit}") }
}

fn cards(view: &ProductStrategy) -> Vec<ObjectiveCard> {
    view.objectives
        .iter()
        .map(|o| {
            let f = &o.objective.fields;
            let key_results = f
                .key_results
                .iter()
                .map(|kr| {
                    let unit = unit_suffix(kr.unit.as_str());
                    let progress = kr.progress();
                    KeyResultRow {
                        id: kr.id.to_string(),
                        metric: kr.metric.as_str().to_owned(),
                        range: format!("{} \u{2192} {}{unit}", number(kr.baseline), number(kr.target)),
                        latest: progress
                            .map(|p| format!("{}{unit} on {}", number(p.latest.value), p.latest.date))
                            .unwrap_or_else(|| "not measured yet".to_owned()),
                        percent: progress.map(|p| format!("{} %", number(round1(p.percent)))).unwrap_or_default(),
                        bar: progress_bar(progress.map(|p| p.percent)),
                        explanation: kr.explain(),
                    }
                })
                .collect();
            let linked: Vec<WorkItemId> = o.features.iter().map(|w| w.id).collect();
            ObjectiveCard {
                status_label: f.status.label(),
                percent: f.progress().map(|p| format!("{} %", number(round1(p)))).unwrap_or_default(),
                bar: progress_bar(f.progress()),
                key_results,
                features: o
                    .features
                    .iter()
                    .map(|w| (w.id, w.fields.title.as_str().to_owned(), w.fields.kind.as_str()))
                    .collect(),
                linkable: view
                    .features
                    .iter()
                    .filter(|w| !linked.contains(&w.id))
                    .map(|w| SelectOption::new(w.id.to_string(), w.fields.title.as_str()))
                    .collect(),
                objective: o.objective.clone(),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "strategy/show.html")]
struct StrategyPage {
    product: Product,
    objectives: Vec<ObjectiveCard>,
    notice: Option<String>,
    rights: Rights,
    today: String,
}

async fn show(state: PageCtx, Path(id): Path<String>) -> Result<Response, PageError> {
    strategy_page(&state, parse_id(&id)?, StatusCode::OK, None).await
}

async fn strategy_page(
    state: &PageCtx,
    id: ProductId,
    status: StatusCode,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let access = store(state);
    let view = strategy::product_strategy(access, id).await?;
    let rights = Rights::of(access, access.product_role(id).await?, Role::Editor);
    let page = StrategyPage {
        objectives: cards(&view),
        product: view.product,
        notice,
        rights,
        today: chrono::Utc::now().date_naive().to_string(),
    };
    Ok(render(status, &page))
}

// ----- the objective form -----

/// Key-result rows the form offers beyond the stored ones.
const BLANK_KEY_RESULTS: usize = 2;

struct KeyResultFields {
    id: String,
    metric: String,
    unit: String,
    baseline: String,
    target: String,
}

#[derive(Template)]
#[template(path = "strategy/form.html")]
struct FormPage {
    heading: String,
    action: String,
    cancel: String,
    submit_label: &'static str,
    form: FormState,
    statuses: Vec<SelectOption>,
    key_results: Vec<KeyResultFields>,
    /// Why no form is offered (the viewer may not send it); `None` shows the form.
    withheld: Option<String>,
}

/// The store's words for what viewers may not do here.
const ADDING: &str = "adding an objective";
const EDITING: &str = "editing an objective";

/// Whether the caller may edit objective `id`: the reason if not.
async fn may_edit(state: &PageCtx, id: ObjectiveId) -> Result<Result<(), String>, PageError> {
    let access = store(state);
    Ok(Rights::editor_may(access, access.objective_role(id).await?, EDITING))
}

fn statuses() -> Vec<SelectOption> {
    ObjectiveStatus::ALL.iter().map(|s| SelectOption::new(s.as_str(), s.label())).collect()
}

/// Field names of `rows` key-result rows (`key_results[i].metric`, ...).
fn key_result_rows(rows: usize) -> Vec<KeyResultFields> {
    (0..rows)
        .map(|i| KeyResultFields {
            id: format!("key_results[{i}].id"),
            metric: format!("key_results[{i}].metric"),
            unit: format!("key_results[{i}].unit"),
            baseline: format!("key_results[{i}].baseline"),
            target: format!("key_results[{i}].target"),
        })
        .collect()
}

fn form_page(
    heading: String,
    action: String,
    cancel: String,
    submit: &'static str,
    form: FormState,
    withheld: Option<String>,
) -> FormPage {
    let filled = (0..).take_while(|i| !form.value(&format!("key_results[{i}].metric")).is_empty()).count();
    FormPage {
        withheld,
        heading,
        action,
        cancel,
        submit_label: submit,
        statuses: statuses(),
        key_results: key_result_rows(filled + BLANK_KEY_RESULTS),
        form,
    }
}

fn stored_values(objective: &Objective) -> FormState {
    let f = &objective.fields;
    let mut form = FormState::empty();
    form.set("title", &f.title)
        .set("description", &f.description)
        .set("start", f.period.start())
        .set("end", f.period.end())
        .set("status", f.status.as_str())
        .set("version", objective.meta.version);
    for (i, kr) in f.key_results.iter().enumerate() {
        form.set(&format!("key_results[{i}].id"), kr.id)
            .set(&format!("key_results[{i}].metric"), &kr.metric)
            .set(&format!("key_results[{i}].unit"), kr.unit.as_str())
            .set(&format!("key_results[{i}].baseline"), number(kr.baseline))
            .set(&format!("key_results[{i}].target"), number(kr.target));
    }
    form
}

/// Moves errors on `key_results[j]` (the j-th filled row) to the row the user typed it in.
fn renumber(errors: ValidationErrors, rows: &[usize]) -> ValidationErrors {
    let mut out = ValidationErrors::new();
    for error in errors.errors() {
        let mut error = error.clone();
        if let Some(rest) = error.field.strip_prefix("key_results[")
            && let Some((index, tail)) = rest.split_once(']')
            && let Ok(j) = index.parse::<usize>()
            && let Some(row) = rows.get(j)
        {
            error.field = format!("key_results[{row}]{tail}");
        }
        out.push(error);
    }
    out
}

fn read_form(form: &SubmittedForm, product_id: ProductId) -> Result<ObjectiveFields, ValidationErrors> {
    let mut reader = FormReader::new(form);
    let mut key_results = Vec::new();
    let mut rows = Vec::new();
    for i in 0..ObjectiveFields::MAX_KEY_RESULTS + BLANK_KEY_RESULTS {
        let name = |field: &str| format!("key_results[{i}].{field}");
        if ["metric", "unit", "baseline", "target"].iter().all(|f| form.text(&name(f)).trim().is_empty()) {
            continue;
        }
        let id = reader.optional_id::<KeyResultId>(&name("id")).flatten();
        let baseline = reader.number(&name("baseline"));
        let target = reader.number(&name("target"));
        key_results.push(KeyResultInput {
            id,
            metric: reader.text(&name("metric")),
            unit: reader.text(&name("unit")),
            // Stand-ins for numbers the reader already rejected (its errors win in `finish`).
            baseline: baseline.unwrap_or(0.0),
            target: target.unwrap_or(1.0),
        });
        rows.push(i);
    }
    let quarter = reader.optional_text("quarter");
    let (start, end) = if quarter.is_some() { (None, None) } else { (reader.date("start"), reader.date("end")) };
    let status = reader.choice("status", ObjectiveStatus::parse);
    let input = ObjectiveInput {
        product_id,
        title: reader.text("title"),
        description: reader.text("description"),
        period: PeriodInput { quarter, start, end },
        status: status.unwrap_or(ObjectiveStatus::Draft),
        key_results,
    };
    let parsed = ObjectiveFields::parse(input).map_err(|errors| renumber(errors, &rows));
    finish(reader, parsed, &[&["start", "end"]])
}

async fn new_form(state: PageCtx, Path(id): Path<String>) -> Result<Response, PageError> {
    let product = store(&state).get_product(parse_id(&id)?).await?;
    let mut form = FormState::empty();
    form.set("status", ObjectiveStatus::Draft.as_str());
    let withheld = withheld(product_editor_may(&state, product.id, ADDING).await?);
    ok(&new_page(&product, form, withheld))
}

fn new_page(product: &Product, form: FormState, withheld: Option<String>) -> FormPage {
    form_page(
        format!("New objective for {}", product.fields.name),
        format!("/products/{}/objectives", product.id),
        format!("/products/{}/strategy", product.id),
        "Create objective",
        form,
        withheld,
    )
}

fn edit_page(objective: &Objective, form: FormState, withheld: Option<String>) -> FormPage {
    form_page(
        format!("Edit {}", objective.fields.title),
        format!("/objectives/{}", objective.id),
        format!("/products/{}/strategy", objective.fields.product_id),
        "Save objective",
        form,
        withheld,
    )
}

async fn create(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let product = store(&state).get_product(parse_id(&id)?).await?;
    // Refused before the form is read: a viewer gets no form back, whatever was sent.
    product_editor_may(&state, product.id, ADDING).await?.map_err(PageError::Forbidden)?;
    let submitted = SubmittedForm::new(pairs);
    let errors = match read_form(&submitted, product.id) {
        Ok(fields) => match store(&state).create_objective(fields).await {
            Ok(_) => return Ok(see_other(&format!("/products/{}/strategy", product.id))),
            Err(DomainError::Validation(errors)) => errors,
            Err(other) => return Err(other.into()),
        },
        Err(errors) => errors,
    };
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &new_page(&product, submitted.into_state().with_errors(errors), None)))
}

async fn edit_form(state: PageCtx, Path(id): Path<String>) -> Result<Response, PageError> {
    let objective = store(&state).get_objective(parse_id(&id)?).await?;
    let withheld = withheld(may_edit(&state, objective.id).await?);
    ok(&edit_page(&objective, stored_values(&objective), withheld))
}

async fn update(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id: ObjectiveId = parse_id(&id)?;
    let access = store(&state);
    let current = access.get_objective(id).await?;
    may_edit(&state, id).await?.map_err(PageError::Forbidden)?;
    let submitted = SubmittedForm::new(pairs);
    let version = submitted.version().unwrap_or(0);
    let errors = match read_form(&submitted, current.fields.product_id) {
        Ok(fields) => match access.update_objective(id, version, fields).await {
            Ok(objective) => return Ok(see_other(&format!("/products/{}/strategy", objective.fields.product_id))),
            Err(DomainError::Validation(errors)) => errors,
            Err(DomainError::VersionConflict { .. }) => {
                let latest = access.get_objective(id).await?;
                let form = stored_values(&latest).with_notice(CONFLICT_NOTICE);
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
    let id: ObjectiveId = parse_id(&id)?;
    let access = store(&state);
    let objective = access.get_objective(id).await?;
    let product = objective.fields.product_id;
    match access.delete_objective(id, SubmittedForm::new(pairs).version()).await {
        Ok(()) => Ok(see_other(&format!("/products/{product}/strategy"))),
        Err(DomainError::VersionConflict { .. }) => {
            strategy_page(&state, product, StatusCode::CONFLICT, Some(super::DELETE_CONFLICT_NOTICE.to_owned())).await
        }
        Err(other) => Err(other.into()),
    }
}

// ----- an objective's history -----

#[derive(Template)]
#[template(path = "strategy/history.html")]
struct HistoryPage {
    product: Product,
    objective: Objective,
    history: Vec<HistoryRow>,
    /// The page of older changes.
    older: Option<String>,
}

/// The history page's parameters as the address carries them.
#[derive(Debug, Default, Deserialize)]
struct HistoryQuery {
    after: Option<String>,
}

/// Every change to an objective and its key results, measurements and feature links, newest
/// first, a page at a time; for whoever may read the objective (404 otherwise). A cursor the
/// store cannot read (an edited or outdated link) is a 400 page naming `after`.
async fn history(
    state: PageCtx,
    Path(id): Path<String>,
    Query(query): Query<HistoryQuery>,
) -> Result<Response, PageError> {
    let access = store(&state);
    let objective = access.get_objective(parse_id(&id)?).await?;
    let product = access.get_product(objective.fields.product_id).await?;
    let path = format!("/objectives/{}/history", objective.id);
    let after = query.after.as_deref().filter(|raw| !raw.trim().is_empty());
    let request = PageRequest { after: after.map(|raw| Cursor(raw.to_owned())), limit: HISTORY_LIMIT };
    let record = objective.id.to_string();
    let (history, next) = match super::panels::history_page(access, EntityKind::Objective, &record, &request).await {
        Ok(page) => page,
        Err(DomainError::Validation(errors)) => {
            // The store names its parameter `cursor`; the address calls it `after`.
            let mut renamed = ValidationErrors::new();
            for error in errors.errors() {
                let field = if error.field == "cursor" { "after" } else { error.field.as_str() };
                renamed.add(field, error.code, error.message.clone());
            }
            return Err(PageError::bad_query(path, &renamed, &[("after", after)]));
        }
        Err(other) => return Err(other.into()),
    };
    let older = next.map(|cursor| format!("{path}?{}", super::query_string(&[("after", cursor.0.as_str())])));
    ok(&HistoryPage { product, objective, history, older })
}

/// A refused small form on the strategy page: its errors as one notice.
fn notice_of(errors: &ValidationErrors) -> String {
    let parts: Vec<String> = errors.errors().iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
    format!("Not saved. {}", parts.join("; "))
}

async fn add_measurement(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id: ObjectiveId = parse_id(&id)?;
    let access = store(&state);
    let objective = access.get_objective(id).await?;
    let product = objective.fields.product_id;
    let submitted = SubmittedForm::new(pairs);
    let mut reader = FormReader::new(&submitted);
    let key_result: Option<KeyResultId> = reader.id("key_result_id");
    let date = reader.date("date");
    let value = reader.number("value");
    let result = match (key_result, value, reader.errors().is_empty()) {
        (Some(key_result), Some(value), true) => match Measurement::parse(date, value) {
            Ok(measurement) => access.record_measurement(id, key_result, measurement).await.map(|_| ()),
            Err(errors) => Err(DomainError::Validation(errors)),
        },
        _ => Err(DomainError::Validation(reader.into_errors())),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/products/{product}/strategy#objective-{id}"))),
        Err(DomainError::Validation(errors)) => {
            strategy_page(&state, product, StatusCode::UNPROCESSABLE_ENTITY, Some(notice_of(&errors))).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn link_or_unlink(
    state: PageCtx,
    id: String,
    pairs: Vec<(String, String)>,
    linking: bool,
) -> Result<Response, PageError> {
    let id: ObjectiveId = parse_id(&id)?;
    let access = store(&state);
    let objective = access.get_objective(id).await?;
    let product = objective.fields.product_id;
    let submitted = SubmittedForm::new(pairs);
    let mut reader = FormReader::new(&submitted);
    let item: Option<WorkItemId> = reader.id("work_item_id");
    let result = match item {
        Some(item) if linking => access.link_feature(id, item).await,
        Some(item) => access.unlink_feature(id, item).await,
        None => Err(DomainError::Validation(reader.into_errors())),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/products/{product}/strategy#objective-{id}"))),
        Err(DomainError::Validation(errors)) => {
            strategy_page(&state, product, StatusCode::UNPROCESSABLE_ENTITY, Some(notice_of(&errors))).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn link(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    link_or_unlink(state, id, pairs, true).await
}

async fn unlink(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    link_or_unlink(state, id, pairs, false).await
}

// ----- the roadmap -----

/// The roadmap's parameters as the address carries them; [`RoadmapView::read`] checks them.
#[derive(Debug, Default, Deserialize)]
pub struct RoadmapQuery {
    group: Option<String>,
    today: Option<String>,
}

struct LaneColumn {
    label: &'static str,
    items: Vec<RoadmapCard>,
}

struct RoadmapCard {
    id: String,
    title: String,
    kind: &'static str,
    dates: String,
    source: &'static str,
    lane: &'static str,
    lane_entered: bool,
    planned_start: String,
    planned_finish: String,
}

#[derive(Template)]
#[template(path = "strategy/roadmap.html")]
struct RoadmapPage {
    product: Product,
    group: &'static str,
    lanes: Vec<LaneColumn>,
    timeline: String,
    rights: Rights,
    lanes_offered: Vec<SelectOption>,
    notice: Option<String>,
}

/// Timeline geometry: label column, one column per quarter, one row per item within its group.
const LABEL_WIDTH: f64 = 220.0;
const QUARTER_WIDTH: f64 = 140.0;
const ROW_HEIGHT: f64 = 24.0;
const HEADER_HEIGHT: f64 = 28.0;

/// The quarter timeline: a header of quarters, then each group's heading row and its items as
/// bars (solid for scheduled dates, hatched outline for planned ones), and a line for today.
fn timeline_svg(roadmap: &Roadmap) -> String {
    let quarters = &roadmap.quarters;
    let Some(first) = quarters.first() else {
        return String::new();
    };
    let from = first.start();
    let to = quarters.last().map_or(from, |q| q.end());
    let days = (to - from).num_days().max(1) as f64 + 1.0;
    let width = LABEL_WIDTH + QUARTER_WIDTH * quarters.len() as f64;
    let x_of = |date: NaiveDate| {
        let clamped = date.clamp(from, to);
        LABEL_WIDTH + (clamped - from).num_days() as f64 / days * QUARTER_WIDTH * quarters.len() as f64
    };
    let rows: usize = roadmap.groups.iter().map(|g| g.items.len() + 1).sum();
    let height = HEADER_HEIGHT + ROW_HEIGHT * rows as f64 + 4.0;
    let mut svg = Svg::default();
    svg.open(
        "svg",
        &[
            ("class", "roadmap-timeline".to_owned()),
            ("width", format!("{width}")),
            ("height", format!("{height}")),
            ("viewBox", format!("0 0 {width} {height}")),
            ("role", "img".to_owned()),
            ("aria-label", "Roadmap timeline by quarter".to_owned()),
        ],
    );
    for (i, quarter) in quarters.iter().enumerate() {
        let x = LABEL_WIDTH + QUARTER_WIDTH * i as f64;
        svg.empty(
            "line",
            &[
                ("class", "roadmap-grid".to_owned()),
                ("x1", format!("{x}")),
                ("x2", format!("{x}")),
                ("y1", "0".to_owned()),
                ("y2", format!("{height}")),
            ],
        );
        svg.text(
            "text",
            &[("class", "roadmap-quarter".to_owned()), ("x", format!("{}", x + 6.0)), ("y", "18".to_owned())],
            &quarter.label(),
        );
    }
    let mut y = HEADER_HEIGHT;
    for group in &roadmap.groups {
        svg.text(
            "text",
            &[("class", "roadmap-group".to_owned()), ("x", "4".to_owned()), ("y", format!("{}", y + 16.0))],
            &group.label,
        );
        y += ROW_HEIGHT;
        for &index in &group.items {
            let Some(item) = roadmap.items.get(index) else { continue };
            let label: String = item.title.chars().take(30).collect();
            svg.text(
                "text",
                &[("class", "roadmap-item".to_owned()), ("x", "16".to_owned()), ("y", format!("{}", y + 16.0))],
                &label,
            );
            if let (Some(dates), Some(source)) = (item.dates, item.date_source) {
                let x1 = x_of(dates.start());
                let x2 = x_of(dates.end()).max(x1 + 3.0);
                let class = match source {
                    DateSource::Forecast => "roadmap-bar roadmap-forecast",
                    DateSource::Scheduled => "roadmap-bar roadmap-scheduled",
                    DateSource::Planned => "roadmap-bar roadmap-planned",
                };
                svg.open(
                    "rect",
                    &[
                        ("class", class.to_owned()),
                        ("x", format!("{x1:.1}")),
                        ("y", format!("{}", y + 5.0)),
                        ("width", format!("{:.1}", x2 - x1)),
                        ("height", "14".to_owned()),
                        ("rx", "3".to_owned()),
                    ],
                );
                svg.text(
                    "title",
                    &[],
                    &format!("{}: {} to {} ({})", item.title, dates.start(), dates.end(), source.as_str()),
                );
                svg.close("rect");
            }
            y += ROW_HEIGHT;
        }
    }
    if (from..=to).contains(&roadmap.today) {
        let x = x_of(roadmap.today);
        svg.empty(
            "line",
            &[
                ("class", "roadmap-today".to_owned()),
                ("x1", format!("{x:.1}")),
                ("x2", format!("{x:.1}")),
                ("y1", "0".to_owned()),
                ("y2", format!("{height}")),
            ],
        );
    }
    svg.close("svg");
    svg.finish()
}

fn lanes(roadmap: &Roadmap) -> Vec<LaneColumn> {
    Lane::ALL
        .iter()
        .map(|&lane| LaneColumn {
            label: lane.as_str(),
            items: roadmap
                .items
                .iter()
                .filter(|i| i.lane == lane)
                .map(|i| RoadmapCard {
                    id: i.work_item_id.to_string(),
                    title: i.title.clone(),
                    kind: i.kind.as_str(),
                    dates: i
                        .dates
                        .map(|d| format!("{} to {}", d.start(), d.end()))
                        .unwrap_or_else(|| "no dates".to_owned()),
                    source: i.date_source.map_or("", DateSource::as_str),
                    lane: i.lane.as_str(),
                    lane_entered: i.lane_entered,
                    planned_start: String::new(),
                    planned_finish: String::new(),
                })
                .collect(),
        })
        .collect()
}

/// What the roadmap is drawn for: its grouping and the day its lanes are derived from.
#[derive(Debug, Clone, Copy)]
struct RoadmapView {
    grouping: RoadmapGrouping,
    today: NaiveDate,
}

impl RoadmapView {
    /// The default view: by objective, as of today (UTC).
    fn current() -> RoadmapView {
        RoadmapView { grouping: RoadmapGrouping::default(), today: chrono::Utc::now().date_naive() }
    }

    /// Reads the address's parameters as the JSON API does, except that a blank one means "not
    /// given". A value that does not parse is a 400 page naming it, rather than a roadmap quietly
    /// drawn for another grouping or day than the one asked for.
    fn read(product: ProductId, query: &RoadmapQuery) -> Result<RoadmapView, PageError> {
        fn given(raw: &Option<String>) -> Option<&str> {
            raw.as_deref().filter(|raw| !raw.trim().is_empty())
        }
        let (group, today) = (given(&query.group), given(&query.today));
        match crate::api::strategy::roadmap_options(group, today) {
            Ok((grouping, today)) => Ok(RoadmapView { grouping, today }),
            Err(errors) => Err(PageError::bad_query(
                format!("/products/{product}/roadmap"),
                &errors,
                &[("group", group), ("today", today)],
            )),
        }
    }
}

async fn roadmap(
    state: PageCtx,
    Path(id): Path<String>,
    Query(query): Query<RoadmapQuery>,
) -> Result<Response, PageError> {
    let id: ProductId = parse_id(&id)?;
    let view = match RoadmapView::read(id, &query) {
        Ok(view) => view,
        Err(bad) => {
            // A product the user may not read is a 404 whatever the address asks of it.
            store(&state).get_product(id).await?;
            return Err(bad);
        }
    };
    roadmap_page(&state, id, view, StatusCode::OK, None).await
}

async fn roadmap_page(
    state: &PageCtx,
    id: ProductId,
    view: RoadmapView,
    status: StatusCode,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let access = store(state);
    let product = access.get_product(id).await?;
    let RoadmapView { grouping, today } = view;
    let roadmap = strategy::product_roadmap(access, id, today, grouping).await?;
    let entries = access.list_roadmap_entries(id).await?;
    let mut lanes = lanes(&roadmap);
    for card in lanes.iter_mut().flat_map(|l| l.items.iter_mut()) {
        if let Some(entry) = entries.iter().find(|e| e.id.to_string() == card.id)
            && let Some(planned) = entry.fields.planned
        {
            card.planned_start = planned.start().to_string();
            card.planned_finish = planned.end().to_string();
        }
    }
    let rights = Rights::of(access, access.product_role(id).await?, Role::Editor);
    let page = RoadmapPage {
        product,
        group: grouping.as_str(),
        timeline: timeline_svg(&roadmap),
        lanes,
        rights,
        lanes_offered: Lane::ALL.iter().map(|l| SelectOption::new(l.as_str(), l.as_str())).collect(),
        notice,
    };
    Ok(render(status, &page))
}

async fn plan_entry(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id: WorkItemId = parse_id(&id)?;
    let access = store(&state);
    let item = access.get_work_item(id).await?;
    let Some(product) = item.fields.placement.product_id() else {
        return Err(PageError::NotFound);
    };
    let submitted = SubmittedForm::new(pairs);
    let mut reader = FormReader::new(&submitted);
    let optional_date = |reader: &mut FormReader<'_>, name: &str| {
        if submitted.text(name).trim().is_empty() { Some(None) } else { reader.date(name).map(Some) }
    };
    let planned_start = optional_date(&mut reader, "planned_start");
    let planned_finish = optional_date(&mut reader, "planned_finish");
    let input = RoadmapEntryInput {
        lane: submitted.optional_text("lane"),
        planned_start: planned_start.flatten(),
        planned_finish: planned_finish.flatten(),
    };
    let result = match finish(reader, RoadmapEntryFields::parse(input), &[&["planned_start", "planned_finish"]]) {
        Ok(fields) => access.put_roadmap_entry(id, None, fields).await.map(|_| ()),
        Err(errors) => Err(DomainError::Validation(errors)),
    };
    match result {
        Ok(()) => Ok(see_other(&format!("/products/{product}/roadmap"))),
        Err(DomainError::Validation(errors)) => {
            roadmap_page(
                &state,
                product,
                RoadmapView::current(),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(notice_of(&errors)),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

/// The objectives a work item serves, for its page: (id, title, product id).
pub(super) async fn served_objectives(
    access: tandem_domain::Access<'_>,
    item: WorkItemId,
) -> Result<Vec<(ObjectiveId, String, ProductId)>, PageError> {
    let filter = strategy::ObjectiveFilter { work_item: Some(item), ..Default::default() };
    let objectives = access.list_objectives(&filter).await?;
    Ok(objectives.into_iter().map(|o| (o.id, o.fields.title.as_str().to_owned(), o.fields.product_id)).collect())
}
