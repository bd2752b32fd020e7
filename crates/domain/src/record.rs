//! What every stored record carries besides its own fields.

use chrono::{DateTime, Utc};

/// Bookkeeping shared by every record. `version` starts at 1 and grows by one on each update;
/// an update must name the version it read (optimistic concurrency).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meta {
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// A stored record: its id, its user-editable fields and its bookkeeping.
#[derive(Debug, Clone, PartialEq)]
pub struct Record<I, F> {
    pub id: I,
    pub fields: F,
    pub meta: Meta,
}

/// The current time at the precision both backends keep (microseconds), so a record reads back
/// exactly as it was written on SQLite and PostgreSQL alike.
pub fn now() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}
