//! Experiment pages: a product's experiments, an experiment's page (hypothesis, plan, the results
//! table, a server-rendered chart of each variant's rate or mean with its 95 % interval, the
//! verdict in plain language) and the create/edit forms, whose variant rows carry the numbers.

use askama::Template;
use axum::Form;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use tandem_domain::experiment::{
    Experiment, ExperimentFields, ExperimentInput, ExperimentStatus, MetricKind, VariantInput, VariantNumbers, results,
    variant_estimates,
};
use tandem_domain::ids::ExperimentId;
use tandem_domain::{
    DomainError, EntityKind, FieldError, Product, ProductId, Role, ValidationErrors, WorkItem, WorkItemFilter,
    WorkItemId, WorkItemOrder,
};

use super::form::{FormReader, FormState, SelectOption, SubmittedForm, finish};
use super::panels::{HistoryRow, Rights, product_editor_may, withheld};
use super::{
    CONFLICT_NOTICE, DELETE_CONFLICT_NOTICE, PageCtx, PageError, first_records, ok, parse_id, render, see_other, store,
};
use crate::routes::Routes;

pub fn router() -> Routes {
    Routes::new("")
        .get("/products/{id}/experiments", product_experiments)
        .get("/products/{id}/experiments/new", new_experiment_form)
        .post("/products/{id}/experiments", create_experiment)
        .get("/experiments/{id}", show_experiment)
        .post("/experiments/{id}", update_experiment)
        .get("/experiments/{id}/edit", edit_experiment_form)
        .post("/experiments/{id}/delete", delete_experiment)
}

/// The variant rows a form offers: the stored ones plus blank ones, up to the maximum.
const BLANK_ROWS: usize = 2;

fn status_label(status: ExperimentStatus) -> &'static str {
    match status {
        ExperimentStatus::Draft => "draft",
        ExperimentStatus::Running => "running",
        ExperimentStatus::Finished => "finished",
    }
}

/// `12.6 %` for a rate or relative change; a mean with up to four significant decimals.
fn percent(value: f64) -> String {
    format!("{:.2} %", value * 100.0)
}

/// An interval's bounds as percentages: 2 decimals, or up to 6 while they would read the same
/// (a Wilson interval near 100 % must not look collapsed: "99.996 % to 100.000 %").
fn percent_bounds(low: f64, high: f64) -> String {
    let at = |decimals: usize| (format!("{:.*} %", decimals, low * 100.0), format!("{:.*} %", decimals, high * 100.0));
    let (mut low_text, mut high_text) = at(2);
    for decimals in 3..=6 {
        if low_text != high_text || low == high {
            break;
        }
        (low_text, high_text) = at(decimals);
    }
    format!("{low_text} to {high_text}")
}

fn plain(value: f64) -> String {
    let text = format!("{value:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn p_text(p: f64) -> String {
    if p < 0.001 { "< 0.001".to_owned() } else { format!("{p:.3}") }
}

/// An experiment in the product's list.
pub struct ExperimentRow {
    pub experiment: Experiment,
    pub status: &'static str,
    /// The first treatment's verdict, in plain language.
    pub verdict: String,
}

#[derive(Template)]
#[template(path = "experiments/product.html")]
struct ProductExperimentsPage {
    product: Product,
    rights: Rights,
    rows: Vec<ExperimentRow>,
}

async fn product_experiments(state: PageCtx, Path(id): Path<String>) -> Result<Response, PageError> {
    let access = store(&state);
    let id: ProductId = parse_id(&id)?;
    let product = access.get_product(id).await?;
    let rights = Rights::of(access, access.product_role(id).await?, Role::Editor);
    let rows = access
        .list_experiments(id)
        .await?
        .into_iter()
        .map(|experiment| {
            let verdict = match results(&experiment.fields).comparisons.into_iter().next() {
                Some((_, Some(c))) => c.verdict.sentence(),
                _ => NOT_TESTED.to_owned(),
            };
            ExperimentRow { status: status_label(experiment.fields.status), experiment, verdict }
        })
        .collect();
    ok(&ProductExperimentsPage { product, rights, rows })
}

const NOT_TESTED: &str = "No result yet: the variant or the control has too little data to test.";

/// One row of the results table.
pub struct ResultRow {
    pub variant: String,
    pub control: bool,
    pub sample: i64,
    pub estimate: String,
    pub interval: String,
    pub lift: String,
    pub lift_interval: String,
    pub p_value: String,
    pub verdict: String,
}

/// One variant in the chart: its interval as a line, its estimate as a dot (SVG user units).
pub struct ChartRow {
    pub label: String,
    pub y: f64,
    pub low_x: f64,
    pub high_x: f64,
    pub x: f64,
    pub value: String,
}

/// The chart of each variant's rate or mean with its 95 % interval, on one shared axis.
pub struct Chart {
    pub width: f64,
    pub height: f64,
    pub rows: Vec<ChartRow>,
    pub axis_low: String,
    pub axis_high: String,
    /// Variants with an estimate but no interval (a mean from one observation), not drawn.
    pub not_drawn: Vec<String>,
}

const CHART_WIDTH: f64 = 640.0;
const CHART_LEFT: f64 = 140.0;
const CHART_RIGHT: f64 = 100.0;
const CHART_ROW: f64 = 32.0;

fn chart(fields: &ExperimentFields) -> Option<Chart> {
    let format = |v: f64| if fields.metric == MetricKind::Conversion { percent(v) } else { plain(v) };
    let all = variant_estimates(fields);
    let not_drawn = all.iter().filter(|e| e.missing_interval().is_some()).map(|e| e.variant.clone()).collect();
    let estimates: Vec<_> = all.into_iter().filter_map(|e| Some((e.variant, e.estimate?, e.ci_95?))).collect();
    let low = estimates.iter().map(|(_, _, ci)| ci.low).fold(f64::INFINITY, f64::min);
    let high = estimates.iter().map(|(_, _, ci)| ci.high).fold(f64::NEG_INFINITY, f64::max);
    if estimates.is_empty() || !low.is_finite() || !high.is_finite() {
        return None;
    }
    // A zero-width range (every arm identical, no spread) still gets a visible axis.
    let span = if high > low { high - low } else { 1.0 };
    let plot = CHART_WIDTH - CHART_LEFT - CHART_RIGHT;
    let x = |v: f64| CHART_LEFT + (v - low) / span * plot;
    let rows = estimates
        .iter()
        .enumerate()
        .map(|(i, (name, estimate, ci))| ChartRow {
            label: name.clone(),
            y: CHART_ROW * (i as f64 + 0.5),
            low_x: x(ci.low),
            high_x: x(ci.high),
            x: x(*estimate),
            value: format(*estimate),
        })
        .collect();
    Some(Chart {
        width: CHART_WIDTH,
        height: CHART_ROW * (estimates.len() as f64 + 1.0),
        rows,
        axis_low: format(low),
        axis_high: format(high),
        not_drawn,
    })
}

fn result_rows(fields: &ExperimentFields) -> Vec<ResultRow> {
    let format = |v: f64| if fields.metric == MetricKind::Conversion { percent(v) } else { plain(v) };
    let comparisons = results(fields).comparisons;
    variant_estimates(fields)
        .into_iter()
        .enumerate()
        .map(|(i, estimate)| {
            let comparison = if i == 0 { None } else { comparisons.get(i - 1).map(|(_, c)| c.clone()) };
            let (lift, lift_interval, p_value, verdict) = match (i, comparison) {
                (0, _) => ("—".to_owned(), "—".to_owned(), "—".to_owned(), "The control".to_owned()),
                (_, Some(Some(c))) => (
                    c.lift.map_or_else(|| "—".to_owned(), |l| format!("{:+.2} %", l * 100.0)),
                    c.lift_ci_95.map_or_else(
                        || "—".to_owned(),
                        |ci| format!("{:+.2} % to {:+.2} %", ci.low * 100.0, ci.high * 100.0),
                    ),
                    p_text(c.p_value),
                    c.verdict.sentence(),
                ),
                _ => ("—".to_owned(), "—".to_owned(), "—".to_owned(), NOT_TESTED.to_owned()),
            };
            let interval = match (estimate.ci_95, estimate.missing_interval()) {
                (Some(ci), _) if fields.metric == MetricKind::Conversion => percent_bounds(ci.low, ci.high),
                (Some(ci), _) => format!("{} to {}", plain(ci.low), plain(ci.high)),
                // A mean from one observation: say why, rather than a degenerate range.
                (None, Some(reason)) => format!("No interval: {reason}"),
                (None, None) => "—".to_owned(),
            };
            ResultRow {
                variant: estimate.variant,
                control: i == 0,
                sample: estimate.sample,
                estimate: estimate.estimate.map_or_else(|| "—".to_owned(), format),
                interval,
                lift,
                lift_interval,
                p_value,
                verdict,
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "experiments/show.html")]
struct ExperimentPage {
    product: Product,
    experiment: Experiment,
    status: &'static str,
    feature: Option<(WorkItemId, String)>,
    plan: Vec<(&'static str, String)>,
    rows: Vec<ResultRow>,
    chart: Option<Chart>,
    rights: Rights,
    history: Vec<HistoryRow>,
    notice: Option<String>,
}

async fn show_experiment(state: PageCtx, Path(id): Path<String>) -> Result<Response, PageError> {
    experiment_page(&state, parse_id(&id)?, StatusCode::OK, None).await
}

async fn experiment_page(
    state: &PageCtx,
    id: ExperimentId,
    status: StatusCode,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let access = store(state);
    let experiment = access.get_experiment(id).await?;
    let product = access.get_product(experiment.fields.product_id).await?;
    let rights = Rights::of(access, access.experiment_role(id).await?, Role::Editor);
    let feature = match experiment.fields.feature_id {
        Some(item) => {
            let title = access.get_work_item(item).await.map(|i| i.fields.title.as_str().to_owned());
            Some((item, title.unwrap_or_else(|_| item.to_string())))
        }
        None => None,
    };
    let f = &experiment.fields;
    let format = |v: f64| if f.metric == MetricKind::Conversion { percent(v) } else { plain(v) };
    let mut plan = vec![
        ("Metric", if f.metric == MetricKind::Conversion { "conversion rate" } else { "mean" }.to_owned()),
        ("Baseline", format(f.baseline)),
    ];
    if let Some(std_dev) = f.baseline_std_dev {
        plan.push(("Baseline standard deviation", plain(std_dev)));
    }
    plan.extend([
        ("Minimum detectable effect", format!("{:+.2} % (relative)", f.minimum_detectable_effect * 100.0)),
        ("Power", percent(f.power.get())),
        ("Significance (α)", plain(f.alpha.get())),
        ("Required sample size", format!("{} per variant", f.planned.per_variant)),
    ]);
    let rows = result_rows(f);
    let chart = chart(f);
    let history = super::panels::history(access, EntityKind::Experiment, &id.to_string()).await?;
    let status_text = status_label(f.status);
    Ok(render(
        status,
        &ExperimentPage {
            product,
            status: status_text,
            feature,
            plan,
            rows,
            chart,
            rights,
            history,
            notice,
            experiment,
        },
    ))
}

// ----- forms -----

/// A variant row of the form: its field names.
pub struct VariantRow {
    pub index: usize,
    pub name: String,
    pub visitors: String,
    pub conversions: String,
    pub mean: String,
    pub std_dev: String,
    pub count: String,
}

impl VariantRow {
    fn new(index: usize) -> VariantRow {
        let field = |name: &str| format!("variants[{index}].{name}");
        VariantRow {
            index,
            name: field("name"),
            visitors: field("visitors"),
            conversions: field("conversions"),
            mean: field("mean"),
            std_dev: field("std_dev"),
            count: field("count"),
        }
    }
}

#[derive(Template)]
#[template(path = "experiments/form.html")]
struct ExperimentFormPage {
    heading: String,
    action: String,
    cancel: String,
    submit_label: &'static str,
    form: FormState,
    metrics: Vec<SelectOption>,
    statuses: Vec<SelectOption>,
    features: Vec<SelectOption>,
    variants: Vec<VariantRow>,
    /// Why no form is offered (the viewer may not send it); `None` shows the form.
    withheld: Option<String>,
}

const ADDING: &str = "adding an experiment";
const EDITING: &str = "editing an experiment";

/// Whether the caller may edit experiment `id`: the reason if not.
async fn may_edit(state: &PageCtx, id: ExperimentId) -> Result<Result<(), String>, PageError> {
    let access = store(state);
    Ok(Rights::editor_may(access, access.experiment_role(id).await?, EDITING))
}

async fn product_items(state: &PageCtx, product: ProductId) -> Result<Vec<WorkItem>, PageError> {
    let filter = WorkItemFilter { product: Some(product), order: WorkItemOrder::Rank, ..WorkItemFilter::default() };
    first_records(|page| async move { store(state).list_work_items(&filter, &page).await }).await
}

/// The create form (`experiment` `None`) or the edit form; with `withheld`, the page says why
/// instead of offering the form.
async fn form_page(
    state: &PageCtx,
    product: &Product,
    experiment: Option<&Experiment>,
    form: FormState,
    withheld: Option<String>,
) -> Result<ExperimentFormPage, PageError> {
    let items = if withheld.is_some() { Vec::new() } else { product_items(state, product.id).await? };
    let (heading, action, cancel, submit_label) = match experiment {
        Some(experiment) => (
            format!("Edit experiment {}", experiment.fields.name),
            format!("/experiments/{}", experiment.id),
            format!("/experiments/{}", experiment.id),
            "Save experiment",
        ),
        None => (
            format!("New experiment for {}", product.fields.name),
            format!("/products/{}/experiments", product.id),
            format!("/products/{}/experiments", product.id),
            "Add experiment",
        ),
    };
    let stored = experiment.map_or(0, |e| e.fields.variants.len());
    let rows = (stored.max(ExperimentFields::MIN_VARIANTS) + BLANK_ROWS).min(ExperimentFields::MAX_VARIANTS);
    Ok(ExperimentFormPage {
        heading,
        action,
        cancel,
        submit_label,
        form,
        metrics: vec![
            SelectOption::new("conversion", "Conversion rate (visitors and conversions)"),
            SelectOption::new("mean", "Mean of a numeric metric (mean, standard deviation, count)"),
        ],
        statuses: ExperimentStatus::ALL.iter().map(|s| SelectOption::new(s.as_str(), status_label(*s))).collect(),
        features: items.iter().map(|i| SelectOption::new(i.id.to_string(), i.fields.title.as_str())).collect(),
        variants: (0..rows).map(VariantRow::new).collect(),
        withheld,
    })
}

fn blank_form() -> FormState {
    let mut form = FormState::empty();
    form.set("metric", "conversion")
        .set("status", "draft")
        .set("power", 0.8)
        .set("alpha", 0.05)
        .set("variants[0].name", "Control")
        .set("variants[1].name", "Variant");
    form
}

fn stored_values(experiment: &Experiment) -> FormState {
    let f = &experiment.fields;
    let mut form = FormState::empty();
    form.set_optional("feature_id", f.feature_id)
        .set("name", &f.name)
        .set("hypothesis", &f.hypothesis)
        .set("metric", f.metric.as_str())
        .set("baseline", f.baseline)
        .set_optional("baseline_std_dev", f.baseline_std_dev)
        .set("minimum_detectable_effect", f.minimum_detectable_effect)
        .set("power", f.power.get())
        .set("alpha", f.alpha.get())
        .set("status", f.status.as_str())
        .set("version", experiment.meta.version);
    for (i, variant) in f.variants.iter().enumerate() {
        let row = VariantRow::new(i);
        form.set(&row.name, &variant.name);
        match variant.numbers {
            VariantNumbers::Conversion { visitors, conversions } => {
                form.set(&row.visitors, visitors).set(&row.conversions, conversions);
            }
            VariantNumbers::Mean { mean, std_dev, count } => {
                form.set(&row.mean, mean).set(&row.std_dev, std_dev).set(&row.count, count);
            }
        }
    }
    form
}

/// Reads the form: variant rows left wholly blank are skipped; the domain's errors on the
/// variants it saw are put back on the rows they came from.
fn read_form(form: &SubmittedForm, product: ProductId) -> Result<ExperimentFields, ValidationErrors> {
    let mut reader = FormReader::new(form);
    let metric = reader.choice("metric", MetricKind::parse);
    let status = reader.choice("status", ExperimentStatus::parse);
    let feature_id = reader.optional_id::<WorkItemId>("feature_id").flatten();
    let baseline = reader.number("baseline");
    let baseline_std_dev =
        if form.text("baseline_std_dev").trim().is_empty() { None } else { reader.number("baseline_std_dev") };
    let minimum_detectable_effect = reader.number("minimum_detectable_effect");
    let power = reader.number("power");
    let alpha = reader.number("alpha");
    let kind = metric.unwrap_or(MetricKind::Conversion);
    let mut rows = Vec::new();
    let mut variants = Vec::new();
    for index in 0..ExperimentFields::MAX_VARIANTS {
        let row = VariantRow::new(index);
        let used = [&row.name, &row.visitors, &row.conversions, &row.mean, &row.std_dev, &row.count]
            .iter()
            .any(|name| !form.text(name).trim().is_empty());
        if !used {
            continue;
        }
        let numbers = match kind {
            MetricKind::Conversion => VariantNumbers::Conversion {
                visitors: reader.integer(&row.visitors).unwrap_or(0),
                conversions: reader.integer(&row.conversions).unwrap_or(0),
            },
            MetricKind::Mean => VariantNumbers::Mean {
                mean: reader.number(&row.mean).unwrap_or(0.0),
                std_dev: reader.number(&row.std_dev).unwrap_or(0.0),
                count: reader.integer(&row.count).unwrap_or(0),
            },
        };
        variants.push(VariantInput { name: form.text(&row.name).to_owned(), numbers });
        rows.push(index);
    }
    let input = ExperimentInput {
        product_id: product,
        feature_id,
        name: reader.text("name"),
        hypothesis: reader.text("hypothesis"),
        metric: kind,
        baseline: baseline.unwrap_or(0.0),
        baseline_std_dev,
        minimum_detectable_effect: minimum_detectable_effect.unwrap_or(0.0),
        power: power.unwrap_or(0.8),
        alpha: alpha.unwrap_or(0.05),
        status: status.unwrap_or(ExperimentStatus::Draft),
        variants,
    };
    let parsed = ExperimentFields::parse(input).map_err(|errors| on_form_rows(errors, &rows));
    finish(reader, parsed, &[&["baseline", "baseline_std_dev", "minimum_detectable_effect", "power", "alpha"]])
}

/// `variants[k].x` of the k-th used row is `variants[rows[k]].x` on the form.
fn on_form_rows(errors: ValidationErrors, rows: &[usize]) -> ValidationErrors {
    let mut moved = ValidationErrors::new();
    for error in errors.errors() {
        let field = error
            .field
            .strip_prefix("variants[")
            .and_then(|rest| rest.split_once(']'))
            .and_then(|(k, rest)| Some((rows.get(k.parse::<usize>().ok()?)?, rest)))
            .map_or_else(|| error.field.clone(), |(row, rest)| format!("variants[{row}]{rest}"));
        moved.push(FieldError::new(field, error.code, error.message.clone()));
    }
    moved
}

async fn new_experiment_form(state: PageCtx, Path(id): Path<String>) -> Result<Response, PageError> {
    let product = store(&state).get_product(parse_id(&id)?).await?;
    let withheld = withheld(product_editor_may(&state, product.id, ADDING).await?);
    ok(&form_page(&state, &product, None, blank_form(), withheld).await?)
}

async fn create_experiment(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let submitted = SubmittedForm::new(pairs);
    let product = store(&state).get_product(parse_id(&id)?).await?;
    // Refused before the form is read: a viewer gets no form back, whatever was sent.
    product_editor_may(&state, product.id, ADDING).await?.map_err(PageError::Forbidden)?;
    let errors = match read_form(&submitted, product.id) {
        Ok(fields) => match store(&state).create_experiment(fields).await {
            Ok(experiment) => return Ok(see_other(&format!("/experiments/{}", experiment.id))),
            Err(DomainError::Validation(errors)) => errors,
            Err(other) => return Err(other.into()),
        },
        Err(errors) => errors,
    };
    let page = form_page(&state, &product, None, submitted.into_state().with_errors(errors), None).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

async fn edit_experiment_form(state: PageCtx, Path(id): Path<String>) -> Result<Response, PageError> {
    let access = store(&state);
    let experiment = access.get_experiment(parse_id(&id)?).await?;
    let product = access.get_product(experiment.fields.product_id).await?;
    let withheld = withheld(may_edit(&state, experiment.id).await?);
    ok(&form_page(&state, &product, Some(&experiment), stored_values(&experiment), withheld).await?)
}

async fn update_experiment(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id: ExperimentId = parse_id(&id)?;
    let access = store(&state);
    let current = access.get_experiment(id).await?;
    let product = access.get_product(current.fields.product_id).await?;
    may_edit(&state, id).await?.map_err(PageError::Forbidden)?;
    let submitted = SubmittedForm::new(pairs);
    let version = submitted.version().unwrap_or(0);
    let errors = match read_form(&submitted, product.id) {
        Ok(fields) => match access.update_experiment(id, version, fields).await {
            Ok(experiment) => return Ok(see_other(&format!("/experiments/{}", experiment.id))),
            Err(DomainError::Validation(errors)) => errors,
            Err(DomainError::VersionConflict { .. }) => {
                let latest = access.get_experiment(id).await?;
                let form = stored_values(&latest).with_notice(CONFLICT_NOTICE);
                let page = form_page(&state, &product, Some(&latest), form, None).await?;
                return Ok(render(StatusCode::CONFLICT, &page));
            }
            Err(other) => return Err(other.into()),
        },
        Err(errors) => errors,
    };
    let page = form_page(&state, &product, Some(&current), submitted.into_state().with_errors(errors), None).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

async fn delete_experiment(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id: ExperimentId = parse_id(&id)?;
    let access = store(&state);
    let experiment = access.get_experiment(id).await?;
    let version = SubmittedForm::new(pairs).version();
    match access.delete_experiment(id, version).await {
        Ok(()) => Ok(see_other(&format!("/products/{}/experiments", experiment.fields.product_id))),
        Err(DomainError::VersionConflict { .. }) => {
            experiment_page(&state, id, StatusCode::CONFLICT, Some(DELETE_CONFLICT_NOTICE.to_owned())).await
        }
        Err(other) => Err(other.into()),
    }
}
