//! Keyset pagination. A cursor is the id of the last item of the previous page (creation order),
//! or `rank:id` for backlog order, or a username for users; anything else is a `Validation`
//! error on field `cursor`.

use tandem_domain::{Cursor, DomainError, DomainResult, Page, PageRequest, Rank, Username};
use uuid::Uuid;

fn invalid_cursor() -> DomainError {
    DomainError::invalid("cursor", "invalid", "is not a cursor from a previous page of this list")
}

/// The id to continue after (PostgreSQL orders UUIDs bytewise: creation order for UUID v7).
pub fn after_id(page: &PageRequest) -> DomainResult<Option<Uuid>> {
    match &page.after {
        None => Ok(None),
        Some(Cursor(raw)) => Uuid::parse_str(raw).map(Some).map_err(|_| invalid_cursor()),
    }
}

/// The username to continue after (users are listed by username). Anything that is not a
/// username (a NUL character, which PostgreSQL cannot even compare) is no cursor of this list.
pub fn after_username(page: &PageRequest) -> DomainResult<Option<String>> {
    match &page.after {
        None => Ok(None),
        Some(Cursor(raw)) => match Username::parse("cursor", raw) {
            Ok(name) if name.as_str() == raw => Ok(Some(raw.clone())),
            _ => Err(invalid_cursor()),
        },
    }
}

/// The (rank, id) to continue after.
pub fn after_rank(page: &PageRequest) -> DomainResult<Option<(i64, Uuid)>> {
    let Some(Cursor(raw)) = &page.after else {
        return Ok(None);
    };
    let (rank, id) = raw.split_once(':').ok_or_else(invalid_cursor)?;
    let rank: i64 = rank.parse().map_err(|_| invalid_cursor())?;
    let id = Uuid::parse_str(id).map_err(|_| invalid_cursor())?;
    Ok(Some((rank, id)))
}

pub fn rank_cursor(rank: Rank, id: impl std::fmt::Display) -> Cursor {
    Cursor(format!("{}:{id}", rank.get()))
}

/// How many rows to fetch: one more than the page, to learn whether another page follows.
pub fn fetch_limit(page: &PageRequest) -> i64 {
    i64::from(page.limit) + 1
}

/// Cuts the extra row off and, when there was one, points the cursor at the last kept item.
pub fn page_of<T>(mut items: Vec<T>, page: &PageRequest, cursor_of: impl Fn(&T) -> Cursor) -> Page<T> {
    let limit = page.limit as usize;
    if items.len() > limit {
        items.truncate(limit);
        let next_cursor = items.last().map(cursor_of);
        Page { items, next_cursor }
    } else {
        Page { items, next_cursor: None }
    }
}
