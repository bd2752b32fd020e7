//! Product pages: the list, the product with its backlog in rank order, and the create/edit forms.

use crate::routes::Routes;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use tandem_domain::{
    Cursor, DomainError, PageRequest, Product, ProductFields, ProductFilter, ProductId, ProductInput, ValidationErrors,
    WorkItemFilter, WorkItemOrder,
};

use super::PageCtx;
use super::form::{FormReader, FormState, SubmittedForm, finish};
use super::panels::{HistoryRow, MembersPanel, Rights, product_editor_may, withheld};
use super::work_items::{WorkItemRow, work_item_rows};
use super::{
    CONFLICT_NOTICE, DELETE_CONFLICT_NOTICE, EmptyList, LIST_LIMIT, PageError, empty_list, next_page_link, ok,
    parse_id, refusal, render, see_other, store,
};
use tandem_domain::EntityKind;

pub fn router() -> Routes {
    Routes::new("")
        .get("/products", list)
        .post("/products", create)
        .get("/products/new", new_form)
        .get("/products/{id}", show)
        .post("/products/{id}", update)
        .get("/products/{id}/edit", edit_form)
        .post("/products/{id}/delete", delete)
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    after: Option<String>,
}

/// A product in a list, with how many work items it has.
pub(super) struct ProductRow {
    pub product: Product,
    pub work_items: u64,
}

#[derive(Template)]
#[template(path = "products/list.html")]
struct ListPage {
    products: Vec<ProductRow>,
    /// What the page says instead of the table, when it lists no product.
    empty: Option<EmptyList>,
    next_page: Option<String>,
    /// Whether "New product" is offered.
    may_create: bool,
}

/// The store's words for what viewers may not do here.
const CREATING: &str = "create products";
const EDITING: &str = "editing a product";

/// Whether the caller may create products (admins only): the reason if not.
pub(super) fn may_create(state: &PageCtx) -> Result<(), String> {
    Rights::admin_may(store(state), CREATING)
}

/// Products with their work item counts (one count per product).
pub(super) async fn product_rows(state: &PageCtx, products: Vec<Product>) -> Result<Vec<ProductRow>, PageError> {
    let mut rows = Vec::with_capacity(products.len());
    for product in products {
        let filter = WorkItemFilter { product: Some(product.id), ..WorkItemFilter::default() };
        let work_items = store(state).count_work_items(&filter).await?;
        rows.push(ProductRow { product, work_items });
    }
    Ok(rows)
}

async fn list(state: PageCtx, Query(query): Query<PageQuery>) -> Result<Response, PageError> {
    let mut first_page = query.after.is_none();
    let request = PageRequest { after: query.after.map(Cursor), limit: LIST_LIMIT };
    let page = match store(&state).list_products(&ProductFilter::default(), &request).await {
        Ok(page) => page,
        // A cursor from an old or edited link: start again from the top.
        Err(DomainError::Validation(_)) => {
            first_page = true;
            store(&state).list_products(&ProductFilter::default(), &PageRequest::first(LIST_LIMIT)).await?
        }
        Err(other) => return Err(other.into()),
    };
    let empty = empty_list(!page.items.is_empty(), first_page, store(&state).hides_products()).await?;
    let next_page = next_page_link("/products", &page, &[]);
    ok(&ListPage {
        empty,
        products: product_rows(&state, page.items).await?,
        next_page,
        may_create: may_create(&state).is_ok(),
    })
}

#[derive(Template)]
#[template(path = "products/form.html")]
struct FormPage {
    heading: String,
    action: String,
    cancel: String,
    submit_label: &'static str,
    form: FormState,
    /// Why no form is offered (the viewer may not send it); `None` shows the form.
    withheld: Option<String>,
}

fn new_page(form: FormState, withheld: Option<String>) -> FormPage {
    FormPage {
        withheld,
        heading: "New product".to_owned(),
        action: "/products".to_owned(),
        cancel: "/products".to_owned(),
        submit_label: "Create product",
        form,
    }
}

fn edit_page(product: &Product, form: FormState, withheld: Option<String>) -> FormPage {
    FormPage {
        withheld,
        heading: format!("Edit {}", product.fields.name),
        action: format!("/products/{}", product.id),
        cancel: format!("/products/{}", product.id),
        submit_label: "Save product",
        form,
    }
}

fn stored_values(product: &Product) -> FormState {
    let f = &product.fields;
    let mut form = FormState::empty();
    form.set("name", &f.name)
        .set("vision", &f.vision)
        .set_optional("owner", f.owner.as_ref())
        .set("version", product.meta.version);
    form
}

fn read_form(form: &SubmittedForm) -> Result<ProductFields, ValidationErrors> {
    let reader = FormReader::new(form);
    let input =
        ProductInput { name: reader.text("name"), vision: reader.text("vision"), owner: reader.optional_text("owner") };
    let parsed = ProductFields::parse(input);
    finish(reader, parsed, &[])
}

async fn new_form(state: PageCtx) -> Result<Response, PageError> {
    ok(&new_page(FormState::empty(), withheld(may_create(&state))))
}

async fn create(state: PageCtx, Form(pairs): Form<Vec<(String, String)>>) -> Result<Response, PageError> {
    // Refused before the form is read: a non-admin gets no form back, whatever was sent.
    may_create(&state).map_err(PageError::Forbidden)?;
    let submitted = SubmittedForm::new(pairs);
    let errors = match read_form(&submitted) {
        Ok(fields) => match store(&state).create_product(fields).await {
            Ok(product) => return Ok(see_other(&format!("/products/{}", product.id))),
            Err(DomainError::Validation(errors)) => errors,
            Err(other) => return Err(other.into()),
        },
        Err(errors) => errors,
    };
    Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &new_page(submitted.into_state().with_errors(errors), None)))
}

#[derive(Template)]
#[template(path = "products/show.html")]
struct ShowPage {
    product: Product,
    items: Vec<WorkItemRow>,
    total: u64,
    next_page: Option<String>,
    notice: Option<String>,
    history: Vec<HistoryRow>,
    members: MembersPanel,
    rights: Rights,
}

async fn show(state: PageCtx, Path(id): Path<String>, Query(query): Query<PageQuery>) -> Result<Response, PageError> {
    show_page(&state, parse_id(&id)?, query, StatusCode::OK, None).await
}

async fn show_page(
    state: &PageCtx,
    id: ProductId,
    query: PageQuery,
    status: StatusCode,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let store = store(state);
    let product = store.get_product(id).await?;
    let filter = WorkItemFilter { product: Some(id), order: WorkItemOrder::Rank, ..WorkItemFilter::default() };
    let request = PageRequest { after: query.after.map(Cursor), limit: LIST_LIMIT };
    let page = match store.list_work_items(&filter, &request).await {
        Ok(page) => page,
        Err(DomainError::Validation(_)) => store.list_work_items(&filter, &PageRequest::first(LIST_LIMIT)).await?,
        Err(other) => return Err(other.into()),
    };
    let total = store.count_work_items(&filter).await?;
    let next_page = next_page_link(&format!("/products/{id}"), &page, &[]);
    let items = work_item_rows(store, &page.items).await?;
    let rights = Rights::of(
        super::store(state),
        super::store(state).product_role(product.id).await?,
        tandem_domain::Role::Owner,
    );
    let history = super::panels::history(super::store(state), EntityKind::Product, &product.id.to_string()).await?;
    let members = super::panels::members(super::store(state), tandem_domain::GrantScope::Product(product.id)).await?;
    Ok(render(status, &ShowPage { rights, history, members, product, items, total, next_page, notice }))
}

async fn edit_form(state: PageCtx, Path(id): Path<String>) -> Result<Response, PageError> {
    let product = store(&state).get_product(parse_id(&id)?).await?;
    let withheld = withheld(product_editor_may(&state, product.id, EDITING).await?);
    ok(&edit_page(&product, stored_values(&product), withheld))
}

async fn update(
    state: PageCtx,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id: ProductId = parse_id(&id)?;
    let store = store(&state);
    let current = store.get_product(id).await?;
    product_editor_may(&state, id, EDITING).await?.map_err(PageError::Forbidden)?;
    let submitted = SubmittedForm::new(pairs);
    let version = submitted.version().unwrap_or(0);
    let errors = match read_form(&submitted) {
        Ok(fields) => match store.update_product(id, version, fields).await {
            Ok(product) => return Ok(see_other(&format!("/products/{}", product.id))),
            Err(DomainError::Validation(errors)) => errors,
            Err(DomainError::VersionConflict { .. }) => {
                let latest = store.get_product(id).await?;
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
    let id: ProductId = parse_id(&id)?;
    let version = SubmittedForm::new(pairs).version();
    let notice = match store(&state).delete_product(id, version).await {
        Ok(()) => return Ok(see_other("/products")),
        Err(DomainError::InUse { reason, .. }) => refusal("product", &reason),
        Err(DomainError::VersionConflict { .. }) => DELETE_CONFLICT_NOTICE.to_owned(),
        Err(other) => return Err(other.into()),
    };
    show_page(&state, id, PageQuery::default(), StatusCode::CONFLICT, Some(notice)).await
}
