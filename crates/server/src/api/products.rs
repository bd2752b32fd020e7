//! `/api/v1/products`.

use serde::{Deserialize, Serialize};
use tandem_domain::{Access, Product, ProductFields, ProductFilter, ProductId, ProductInput, ValidationErrors};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::api::dates::timestamp;
use crate::api::listing::{ListResponse, page_request};
use crate::error::ApiError;

/// A stored product.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Product)]
pub struct ProductJson {
    pub id: Uuid,
    pub name: String,
    pub vision: String,
    pub owner: Option<String>,
    pub version: i64,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<Product> for ProductJson {
    fn from(product: Product) -> Self {
        let fields = product.fields;
        ProductJson {
            id: product.id.as_uuid(),
            name: fields.name.as_str().to_owned(),
            vision: fields.vision.as_str().to_owned(),
            owner: fields.owner.map(|o| o.as_str().to_owned()),
            version: product.meta.version,
            created_at: timestamp(product.meta.created_at),
            updated_at: timestamp(product.meta.updated_at),
        }
    }
}

/// A product to create.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = NewProduct)]
pub struct NewProductJson {
    pub name: String,
    #[serde(default)]
    pub vision: String,
    pub owner: Option<String>,
}

/// A product's full replacement, naming the version it was read at.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ProductUpdate)]
pub struct ProductUpdateJson {
    pub version: i64,
    pub name: String,
    #[serde(default)]
    pub vision: String,
    pub owner: Option<String>,
}

impl From<NewProductJson> for ProductInput {
    fn from(body: NewProductJson) -> Self {
        ProductInput { name: body.name, vision: body.vision, owner: body.owner }
    }
}

impl ProductUpdateJson {
    fn into_parts(self) -> (i64, ProductInput) {
        (self.version, ProductInput { name: self.name, vision: self.vision, owner: self.owner })
    }
}

/// Paging of the product list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductListQuery {
    /// Page size, 1 to 500 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500)]
    pub limit: Option<String>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

async fn list(store: Access<'_>, query: ProductListQuery) -> Result<ListResponse<ProductJson>, ApiError> {
    let mut errors = ValidationErrors::new();
    let page = page_request(&mut errors, query.limit.as_deref(), query.cursor.as_deref());
    errors.into_result()?;
    Ok(ListResponse::from_page(store.list_products(&ProductFilter::default(), &page).await?))
}

async fn create(store: Access<'_>, body: NewProductJson) -> Result<ProductJson, ApiError> {
    let fields = ProductFields::parse(body.into())?;
    Ok(store.create_product(fields).await?.into())
}

async fn fetch(store: Access<'_>, id: ProductId) -> Result<ProductJson, ApiError> {
    Ok(store.get_product(id).await?.into())
}

async fn replace(store: Access<'_>, id: ProductId, body: ProductUpdateJson) -> Result<ProductJson, ApiError> {
    let (version, input) = body.into_parts();
    let fields = ProductFields::parse(input)?;
    Ok(store.update_product(id, version, fields).await?.into())
}

async fn remove(store: Access<'_>, id: ProductId, version: Option<i64>) -> Result<(), ApiError> {
    Ok(store.delete_product(id, version).await?)
}

record_handlers! {
    tag: "products",
    collection: "/api/v1/products",
    item: "/api/v1/products/{id}",
    id: ProductId,
    json: ProductJson,
    new: NewProductJson,
    update: ProductUpdateJson,
    query: ProductListQuery,
    handlers: [list_products, create_product, get_product, replace_product, delete_product],
}
