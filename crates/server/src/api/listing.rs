//! Cursor-paged lists: the `{"items": [...], "next_cursor": ...}` envelope and the `limit` and
//! `cursor` query parameters every list takes.

use serde::Serialize;
use tandem_domain::{Cursor, FieldError, Page, PageRequest, ValidationErrors};
use utoipa::ToSchema;

use crate::api::extract::parse_param;

/// One page of a list, in the list's order.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListResponse<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to read the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

impl<T> ListResponse<T> {
    pub fn from_page<R>(page: Page<R>) -> ListResponse<T>
    where
        T: From<R>,
    {
        ListResponse {
            items: page.items.into_iter().map(T::from).collect(),
            next_cursor: page.next_cursor.map(|cursor| cursor.0),
        }
    }
}

/// Reads `limit` (1 to 500, default 50) and `cursor`, recording a bad limit in `errors`.
pub fn page_request(errors: &mut ValidationErrors, limit: Option<&str>, cursor: Option<&str>) -> PageRequest {
    let limit = parse_param(errors, limit, parse_limit).unwrap_or(PageRequest::DEFAULT_LIMIT);
    let after = cursor.filter(|c| !c.is_empty()).map(|c| Cursor(c.to_owned()));
    PageRequest { after, limit }
}

fn parse_limit(raw: &str) -> Result<u32, FieldError> {
    let out_of_range =
        || FieldError::new("limit", "out_of_range", format!("must be between 1 and {}", PageRequest::MAX_LIMIT));
    let limit: i64 = raw.trim().parse().map_err(|_| out_of_range())?;
    u32::try_from(limit).ok().filter(|l| (1..=PageRequest::MAX_LIMIT).contains(l)).ok_or_else(out_of_range)
}

/// `?version=N` of a delete: when given, the delete only happens at that version.
pub fn parse_version(errors: &mut ValidationErrors, raw: Option<&str>) -> Option<i64> {
    parse_param(errors, raw, |raw| {
        raw.trim().parse::<i64>().map_err(|_| FieldError::new("version", "invalid", "must be a whole number"))
    })
}
