//! Products: what a product manager owns for its whole life (vision, backlog, roadmap).

use crate::error::ValidationErrors;
use crate::ids::ProductId;
use crate::record::Record;
use crate::values::{LongText, Name, optional_name};

#[derive(Debug, Clone)]
pub struct ProductInput {
    pub name: String,
    pub vision: String,
    pub owner: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProductFields {
    pub name: Name,
    pub vision: LongText,
    pub owner: Option<Name>,
}

impl ProductFields {
    pub fn parse(input: ProductInput) -> Result<ProductFields, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let name = errors.check(Name::parse("name", &input.name));
        let vision = errors.check(LongText::parse("vision", &input.vision));
        let owner = errors.check(optional_name("owner", input.owner.as_deref()));
        match (name, vision, owner) {
            (Some(name), Some(vision), Some(owner)) if errors.is_empty() => Ok(ProductFields { name, vision, owner }),
            _ => Err(errors),
        }
    }
}

pub type Product = Record<ProductId, ProductFields>;
