//! Feedback and research pages: a product's evidence page (segments, features ranked by demand,
//! the inbox of unlinked insights, every insight, the CSV import form), a feature's evidence,
//! and the insight show/create/edit forms.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Request};
use axum::http::StatusCode;
use axum::response::Response;
use tandem_domain::evidence::{
    Demand, Importance, Insight, InsightFields, InsightFilter, InsightInput, InsightSource, Segment, SegmentFields,
    SegmentInput, demand_by_feature,
};
use tandem_domain::{
    DomainError, EntityKind, InsightId, Product, ProductId, Role, SegmentId, ValidationErrors, WorkItem,
    WorkItemFilter, WorkItemId, WorkItemOrder,
};

use super::form::{FormReader, FormState, SelectOption, SubmittedForm, finish};
use super::panels::{HistoryRow, Rights, product_editor_may, withheld};
use super::upload::CsvUpload;
use super::{
    CONFLICT_NOTICE, DELETE_CONFLICT_NOTICE, PageCtx, PageError, first_records, ok, parse_id, refusal, render,
    see_other, store,
};
use crate::routes::Routes;

pub fn router() -> Routes {
    Routes::new("")
        .get("/products/{id}/evidence", product_evidence)
        .post("/products/{id}/segments", create_segment)
        .post("/products/{id}/insights/import", import_insights)
        .post("/segments/{id}/delete", delete_segment)
        .get("/work-items/{id}/evidence", feature_evidence)
        .get("/products/{id}/insights/new", new_insight_form)
        .post("/products/{id}/insights", create_insight)
        .get("/insights/{id}", show_insight)
        .post("/insights/{id}", update_insight)
        .get("/insights/{id}/edit", edit_insight_form)
        .post("/insights/{id}/delete", delete_insight)
}

/// An insight as a row: with its segment's and features' names.
pub struct InsightRow {
    pub insight: Insight,
    pub segment: Option<String>,
    pub features: Vec<(WorkItemId, String)>,
}

impl InsightRow {
    pub fn source_label(&self) -> &'static str {
        self.insight.fields.source.label()
    }

    pub fn importance_label(&self) -> &'static str {
        match self.insight.fields.importance {
            Importance::NiceToHave => "nice to have",
            Importance::Important => "important",
            Importance::Critical => "critical",
        }
    }
}

/// A feature with its demand.
pub struct DemandRow {
    pub id: WorkItemId,
    pub title: String,
    pub demand: Demand,
}

impl DemandRow {
    pub fn score(&self) -> String {
        format_score(self.demand.score)
    }
}

/// A score with at most two decimals and no trailing zeros: `8`, `3.5`, `2.25`.
fn format_score(score: f64) -> String {
    let text = format!("{score:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

async fn product_items(state: &PageCtx, product: ProductId) -> Result<Vec<WorkItem>, PageError> {
    let filter = WorkItemFilter { product: Some(product), order: WorkItemOrder::Rank, ..WorkItemFilter::default() };
    first_records(|page| async move { store(state).list_work_items(&filter, &page).await }).await
}

fn insight_rows(insights: Vec<Insight>, segments: &[Segment], items: &[WorkItem]) -> Vec<InsightRow> {
    insights
        .into_iter()
        .map(|insight| {
            let segment = insight
                .fields
                .segment_id
                .and_then(|id| segments.iter().find(|s| s.id == id))
                .map(|s| s.fields.name.as_str().to_owned());
            let features = insight
                .fields
                .feature_ids
                .iter()
                .map(|id| {
                    let title = items
                        .iter()
                        .find(|i| i.id == *id)
                        .map_or_else(|| id.to_string(), |i| i.fields.title.as_str().to_owned());
                    (*id, title)
                })
                .collect();
            InsightRow { insight, segment, features }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "evidence/product.html")]
struct ProductEvidencePage {
    product: Product,
    rights: Rights,
    segments: Vec<Segment>,
    demand: Vec<DemandRow>,
    inbox: Vec<InsightRow>,
    insights: Vec<InsightRow>,
    segment_form: FormState,
    import_form: FormState,
    import_errors: Vec<String>,
    notice: Option<String>,
}

struct EvidenceForms {
    segment_form: FormState,
    import_form: FormState,
    import_errors: Vec<String>,
    notice: Option<String>,
}

impl EvidenceForms {
    fn none() -> EvidenceForms {
        let mut segment_form = FormState::empty();
        segment_form.set("weight", 1);
        EvidenceForms { segment_form, import_form: FormState::empty(), import_errors: Vec::new(), notice: None }
    }
}

async fn product_evidence(state: PageCtx, Path(id): Path<String>) -> Result<Response, PageError> {
    evidence_page(&state, parse_id(&id)?, StatusCode::OK, EvidenceForms::none()).await
}

async fn evidence_page(
    state: &PageCtx,
    id: ProductId,
    status: StatusCode,
    forms: EvidenceForms,
) -> Result<Response, PageError> {
    let access = store(state);
    let product = access.get_product(id).await?;
    let rights = Rights::of(access, access.product_role(id).await?, Role::Editor);
    let segments = access.list_segments(id).await?;
    let insights = access.list_insights(&InsightFilter::product(id)).await?;
    let items = product_items(state, id).await?;
    let by_feature = demand_by_feature(&insights, &segments);
    let mut demand: Vec<DemandRow> = items
        .iter()
        .filter_map(|item| {
            by_feature.get(&item.id).map(|d| DemandRow {
                id: item.id,
                title: item.fields.title.as_str().to_owned(),
                demand: *d,
            })
        })
        .collect();
    demand.sort_by(|a, b| b.demand.score.total_cmp(&a.demand.score).then_with(|| a.title.cmp(&b.title)));
    let (inbox, linked): (Vec<Insight>, Vec<Insight>) =
        insights.into_iter().partition(|i| i.fields.feature_ids.is_empty());
    let inbox = insight_rows(inbox, &segments, &items);
    let insights = insight_rows(linked, &segments, &items);
    Ok(render(
        status,
        &ProductEvidencePage {
            product,
            rights,
            segments,
            demand,
            inbox,
            insights,
            segment_form: forms.segment_form,
            import_form: forms.import_form,
            import_errors: forms.import_errors,
            notice: forms.notice,
        },
    ))
}

async fn create_segment(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let product: ProductId = parse_id(&id)?;
    // Another product's segments do not exist for this user: 404 before reading the form.
    store(&state).product_role(product).await?;
    let submitted = SubmittedForm::new(pairs);
    let mut reader = FormReader::new(&submitted);
    let input = SegmentInput {
        product_id: product,
        name: reader.text("name"),
        description: reader.text("description"),
        weight: reader.number("weight").unwrap_or(1.0),
    };
    let parsed = SegmentFields::parse(input);
    let errors = match finish(reader, parsed, &[]) {
        Ok(fields) => match store(&state).create_segment(fields).await {
            Ok(_) => return Ok(see_other(&format!("/products/{product}/evidence"))),
            Err(DomainError::Validation(errors)) => errors,
            Err(other) => return Err(other.into()),
        },
        Err(errors) => errors,
    };
    let forms = EvidenceForms { segment_form: submitted.into_state().with_errors(errors), ..EvidenceForms::none() };
    evidence_page(&state, product, StatusCode::UNPROCESSABLE_ENTITY, forms).await
}

async fn delete_segment(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id: SegmentId = parse_id(&id)?;
    let access = store(&state);
    let segment = access.get_segment(id).await?;
    let product = segment.fields.product_id;
    let version = SubmittedForm::new(pairs).version();
    let notice = match access.delete_segment(id, version).await {
        Ok(()) => return Ok(see_other(&format!("/products/{product}/evidence"))),
        Err(DomainError::InUse { reason, .. }) => refusal("segment", &reason),
        Err(DomainError::VersionConflict { .. }) => DELETE_CONFLICT_NOTICE.to_owned(),
        Err(other) => return Err(other.into()),
    };
    let forms = EvidenceForms { notice: Some(notice), ..EvidenceForms::none() };
    evidence_page(&state, product, StatusCode::CONFLICT, forms).await
}

async fn import_insights(state: PageCtx, Path(id): Path<String>, request: Request) -> Result<Response, PageError> {
    let product: ProductId = parse_id(&id)?;
    // Refused before the form is read: a viewer gets no form back, whatever was sent.
    product_editor_may(&state, product, "importing insights").await?.map_err(PageError::Forbidden)?;
    let upload = match CsvUpload::read(request).await {
        Ok(upload) => upload,
        Err(unreadable) => return Ok(unreadable),
    };
    let imported = match upload.csv_text() {
        Ok(text) => store(&state).import_insights_csv(product, text).await,
        Err(errors) => Err(DomainError::Validation(errors)),
    };
    let errors = match imported {
        Ok(imported) => {
            let forms = EvidenceForms {
                notice: Some(format!("Imported {} insights.", imported.len())),
                ..EvidenceForms::none()
            };
            return evidence_page(&state, product, StatusCode::OK, forms).await;
        }
        Err(DomainError::Validation(errors)) => errors,
        Err(other) => return Err(other.into()),
    };
    let import_errors = errors.errors().iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
    let forms = EvidenceForms { import_form: upload.into_state(), import_errors, ..EvidenceForms::none() };
    evidence_page(&state, product, StatusCode::UNPROCESSABLE_ENTITY, forms).await
}

#[derive(Template)]
#[template(path = "evidence/feature.html")]
struct FeatureEvidencePage {
    item: WorkItem,
    product: Option<Product>,
    demand: DemandRow,
    insights: Vec<InsightRow>,
}

async fn feature_evidence(state: PageCtx, Path(id): Path<String>) -> Result<Response, PageError> {
    let id: WorkItemId = parse_id(&id)?;
    let access = store(&state);
    let item = access.get_work_item(id).await?;
    let (insights, demand) = access.feature_evidence(id).await?;
    let product = match item.fields.placement.product_id() {
        Some(product) => access.get_product(product).await.ok(),
        None => None,
    };
    let (segments, items) = match &product {
        Some(product) => (access.list_segments(product.id).await?, product_items(&state, product.id).await?),
        None => (Vec::new(), Vec::new()),
    };
    let demand = DemandRow { id, title: item.fields.title.as_str().to_owned(), demand };
    let insights = insight_rows(insights, &segments, &items);
    ok(&FeatureEvidencePage { item, product, demand, insights })
}

// ----- insight forms -----

#[derive(Template)]
#[template(path = "evidence/insight.html")]
struct InsightPage {
    product: Product,
    row: InsightRow,
    rights: Rights,
    history: Vec<HistoryRow>,
    notice: Option<String>,
}

async fn show_insight(state: PageCtx, Path(id): Path<String>) -> Result<Response, PageError> {
    insight_page(&state, parse_id(&id)?, StatusCode::OK, None).await
}

async fn insight_page(
    state: &PageCtx,
    id: InsightId,
    status: StatusCode,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let access = store(state);
    let insight = access.get_insight(id).await?;
    let product = access.get_product(insight.fields.product_id).await?;
    let rights = Rights::of(access, access.insight_role(id).await?, Role::Editor);
    let segments = access.list_segments(product.id).await?;
    let items = product_items(state, product.id).await?;
    let history = super::panels::history(access, EntityKind::Insight, &id.to_string()).await?;
    let row = insight_rows(vec![insight], &segments, &items).pop().ok_or(PageError::NotFound)?;
    Ok(render(status, &InsightPage { product, row, rights, history, notice }))
}

#[derive(Template)]
#[template(path = "evidence/insight_form.html")]
struct InsightFormPage {
    heading: String,
    action: String,
    cancel: String,
    submit_label: &'static str,
    form: FormState,
    sources: Vec<SelectOption>,
    importances: Vec<SelectOption>,
    segments: Vec<SelectOption>,
    features: Vec<SelectOption>,
    /// Why no form is offered (the viewer may not send it); `None` shows the form.
    withheld: Option<String>,
}

const ADDING: &str = "adding an insight";
const EDITING: &str = "editing an insight";

/// Whether the caller may edit insight `id`: the reason if not.
async fn may_edit(state: &PageCtx, id: InsightId) -> Result<Result<(), String>, PageError> {
    let access = store(state);
    Ok(Rights::editor_may(access, access.insight_role(id).await?, EDITING))
}

/// The create form (`insight` `None`) or the edit form; with `withheld`, the page says why
/// instead of offering the form.
async fn form_page(
    state: &PageCtx,
    product: &Product,
    insight: Option<&Insight>,
    form: FormState,
    withheld: Option<String>,
) -> Result<InsightFormPage, PageError> {
    let access = store(state);
    let (segments, items) = match withheld {
        Some(_) => (Vec::new(), Vec::new()),
        None => (access.list_segments(product.id).await?, product_items(state, product.id).await?),
    };
    let (heading, action, cancel, submit_label) = match insight {
        Some(insight) => (
            format!("Edit insight from {}", insight.fields.customer),
            format!("/insights/{}", insight.id),
            format!("/insights/{}", insight.id),
            "Save insight",
        ),
        None => (
            format!("New insight for {}", product.fields.name),
            format!("/products/{}/insights", product.id),
            format!("/products/{}/evidence", product.id),
            "Add insight",
        ),
    };
    Ok(InsightFormPage {
        heading,
        action,
        cancel,
        submit_label,
        form,
        sources: InsightSource::ALL.iter().map(|s| SelectOption::new(s.as_str(), s.label())).collect(),
        importances: Importance::ALL
            .iter()
            .map(|i| SelectOption::new(i.as_str(), format!("{} ({} points)", i.as_str().replace('_', " "), i.points())))
            .collect(),
        segments: segments.iter().map(|s| SelectOption::new(s.id.to_string(), s.fields.name.as_str())).collect(),
        features: items.iter().map(|i| SelectOption::new(i.id.to_string(), i.fields.title.as_str())).collect(),
        withheld,
    })
}

fn stored_values(insight: &Insight) -> FormState {
    let f = &insight.fields;
    let mut form = FormState::empty();
    form.set("product_id", f.product_id)
        .set("source", f.source.as_str())
        .set("source_reference", &f.source_reference)
        .set("customer", &f.customer)
        .set_optional("segment_id", f.segment_id)
        .set("date", f.date)
        .set("quote", &f.quote)
        .set("importance", f.importance.as_str())
        .set_all("feature_ids", f.feature_ids.iter().map(ToString::to_string).collect())
        .set("version", insight.meta.version);
    form
}

fn read_form(form: &SubmittedForm, product: ProductId) -> Result<InsightFields, ValidationErrors> {
    let mut reader = FormReader::new(form);
    let source = reader.choice("source", InsightSource::parse);
    let importance = reader.choice("importance", Importance::parse);
    let segment_id = reader.optional_id("segment_id").flatten();
    let date = reader.date("date");
    let mut feature_ids = Vec::new();
    for (i, raw) in form.all("feature_ids").iter().enumerate() {
        match raw.parse::<WorkItemId>() {
            Ok(id) => feature_ids.push(id),
            Err(_) => reader.push(tandem_domain::FieldError::new(
                format!("feature_ids[{i}]"),
                "invalid",
                "must be a work item id",
            )),
        }
    }
    let input = InsightInput {
        product_id: product,
        source: source.unwrap_or(InsightSource::Interview),
        source_reference: reader.text("source_reference"),
        customer: reader.text("customer"),
        segment_id,
        date,
        quote: reader.text("quote"),
        importance: importance.unwrap_or(Importance::Important),
        feature_ids,
    };
    let parsed = InsightFields::parse(input);
    finish(reader, parsed, &[])
}

async fn new_insight_form(state: PageCtx, Path(id): Path<String>) -> Result<Response, PageError> {
    let product = store(&state).get_product(parse_id(&id)?).await?;
    let mut form = FormState::empty();
    form.set("product_id", product.id)
        .set("importance", "important")
        .set("date", tandem_domain::record::now().date_naive());
    let withheld = withheld(product_editor_may(&state, product.id, ADDING).await?);
    ok(&form_page(&state, &product, None, form, withheld).await?)
}

async fn create_insight(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let submitted = SubmittedForm::new(pairs);
    let product = store(&state).get_product(parse_id(&id)?).await?;
    // Refused before the form is read: a viewer gets no form back, whatever was sent.
    product_editor_may(&state, product.id, ADDING).await?.map_err(PageError::Forbidden)?;
    let errors = match read_form(&submitted, product.id) {
        Ok(fields) => match store(&state).create_insight(fields).await {
            Ok(insight) => return Ok(see_other(&format!("/insights/{}", insight.id))),
            Err(DomainError::Validation(errors)) => errors,
            Err(other) => return Err(other.into()),
        },
        Err(errors) => errors,
    };
    let page = form_page(&state, &product, None, submitted.into_state().with_errors(errors), None).await?;
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
}

async fn edit_insight_form(state: PageCtx, Path(id): Path<String>) -> Result<Response, PageError> {
    let access = store(&state);
    let insight = access.get_insight(parse_id(&id)?).await?;
    let product = access.get_product(insight.fields.product_id).await?;
    let withheld = withheld(may_edit(&state, insight.id).await?);
    ok(&form_page(&state, &product, Some(&insight), stored_values(&insight), withheld).await?)
}

async fn update_insight(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id: InsightId = parse_id(&id)?;
    let access = store(&state);
    let current = access.get_insight(id).await?;
    let product = access.get_product(current.fields.product_id).await?;
    may_edit(&state, id).await?.map_err(PageError::Forbidden)?;
    let submitted = SubmittedForm::new(pairs);
    let version = submitted.version().unwrap_or(0);
    let errors = match read_form(&submitted, product.id) {
        Ok(fields) => match access.update_insight(id, version, fields).await {
            Ok(insight) => return Ok(see_other(&format!("/insights/{}", insight.id))),
            Err(DomainError::Validation(errors)) => errors,
            Err(DomainError::VersionConflict { .. }) => {
                let latest = access.get_insight(id).await?;
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

async fn delete_insight(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id: InsightId = parse_id(&id)?;
    let access = store(&state);
    let insight = access.get_insight(id).await?;
    let version = SubmittedForm::new(pairs).version();
    match access.delete_insight(id, version).await {
        Ok(()) => Ok(see_other(&format!("/products/{}/evidence", insight.fields.product_id))),
        Err(DomainError::VersionConflict { .. }) => {
            insight_page(&state, id, StatusCode::CONFLICT, Some(DELETE_CONFLICT_NOTICE.to_owned())).await
        }
        Err(other) => Err(other.into()),
    }
}
