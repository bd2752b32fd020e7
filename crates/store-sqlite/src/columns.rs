//! How domain values are written to and read from SQLite columns (see the encodings at the top of
//! `migrations/0001_initial.sql`). Reading re-validates through the domain constructors: a stored
//! value that no longer parses is reported as a storage failure, never turned into a default.

use std::fmt::Display;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use tandem_domain::values::optional_name as parse_optional_name;
use tandem_domain::{DomainError, DomainResult, FieldError, LongText, Meta, Name};

/// A stored value the domain rejects: the database was changed behind Tandem's back, or a bug.
#[derive(Debug, thiserror::Error)]
#[error("column {column} holds a value Tandem cannot read: {detail}")]
pub struct CorruptValue {
    pub column: &'static str,
    pub detail: String,
}

pub fn corrupt(column: &'static str, detail: impl Display) -> DomainError {
    let error = CorruptValue { column, detail: detail.to_string() };
    tracing::error!(%error, "sqlite store read a corrupt value");
    DomainError::storage(error)
}

/// A sqlx failure: logged in full here, reported to callers only as a storage failure.
pub fn storage(error: sqlx::Error) -> DomainError {
    tracing::error!(%error, "sqlite store failure");
    DomainError::storage(error)
}

pub fn date_text(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// RFC 3339, UTC, always six fractional digits: fixed width, so text order is time order.
pub fn timestamp_text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Holidays as `YYYY-MM-DD` joined by commas (already sorted by the domain); empty for none.
pub fn holidays_text(holidays: &[NaiveDate]) -> String {
    holidays.iter().map(|d| date_text(*d)).collect::<Vec<_>>().join(",")
}

pub fn text(row: &SqliteRow, column: &'static str) -> DomainResult<String> {
    row.try_get::<String, _>(column).map_err(storage)
}

pub fn optional_text(row: &SqliteRow, column: &'static str) -> DomainResult<Option<String>> {
    row.try_get::<Option<String>, _>(column).map_err(storage)
}

pub fn integer(row: &SqliteRow, column: &'static str) -> DomainResult<i64> {
    row.try_get::<i64, _>(column).map_err(storage)
}

pub fn optional_integer(row: &SqliteRow, column: &'static str) -> DomainResult<Option<i64>> {
    row.try_get::<Option<i64>, _>(column).map_err(storage)
}

pub fn real(row: &SqliteRow, column: &'static str) -> DomainResult<f64> {
    row.try_get::<f64, _>(column).map_err(storage)
}

pub fn id<I: FromStr>(row: &SqliteRow, column: &'static str) -> DomainResult<I>
where
    I::Err: Display,
{
    let raw = text(row, column)?;
    raw.parse().map_err(|e| corrupt(column, e))
}

pub fn optional_id<I: FromStr>(row: &SqliteRow, column: &'static str) -> DomainResult<Option<I>>
where
    I::Err: Display,
{
    match optional_text(row, column)? {
        Some(raw) => raw.parse().map(Some).map_err(|e| corrupt(column, e)),
        None => Ok(None),
    }
}

pub fn date(row: &SqliteRow, column: &'static str) -> DomainResult<NaiveDate> {
    let raw = text(row, column)?;
    NaiveDate::parse_from_str(&raw, "%Y-%m-%d").map_err(|e| corrupt(column, e))
}

pub fn optional_date(row: &SqliteRow, column: &'static str) -> DomainResult<Option<NaiveDate>> {
    match optional_text(row, column)? {
        Some(raw) => NaiveDate::parse_from_str(&raw, "%Y-%m-%d").map(Some).map_err(|e| corrupt(column, e)),
        None => Ok(None),
    }
}

pub fn timestamp(row: &SqliteRow, column: &'static str) -> DomainResult<DateTime<Utc>> {
    let raw = text(row, column)?;
    DateTime::parse_from_rfc3339(&raw).map(|at| at.to_utc()).map_err(|e| corrupt(column, e))
}

pub fn optional_timestamp(row: &SqliteRow, column: &'static str) -> DomainResult<Option<DateTime<Utc>>> {
    match optional_text(row, column)? {
        Some(raw) => DateTime::parse_from_rfc3339(&raw).map(|at| Some(at.to_utc())).map_err(|e| corrupt(column, e)),
        None => Ok(None),
    }
}

pub fn holidays(row: &SqliteRow, column: &'static str) -> DomainResult<Vec<NaiveDate>> {
    let raw = text(row, column)?;
    if raw.is_empty() {
        return Ok(Vec::new());
    }
    raw.split(',').map(|day| NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|e| corrupt(column, e))).collect()
}

/// A value re-validated by a domain constructor.
pub fn parsed<T>(column: &'static str, result: Result<T, FieldError>) -> DomainResult<T> {
    result.map_err(|e| corrupt(column, e.message))
}

pub fn name(row: &SqliteRow, column: &'static str) -> DomainResult<Name> {
    parsed(column, Name::parse(column, &text(row, column)?))
}

pub fn optional_name(row: &SqliteRow, column: &'static str) -> DomainResult<Option<Name>> {
    parsed(column, parse_optional_name(column, optional_text(row, column)?.as_deref()))
}

pub fn long_text(row: &SqliteRow, column: &'static str) -> DomainResult<LongText> {
    parsed(column, LongText::parse(column, &text(row, column)?))
}

/// `created_at`, `updated_at`, `version`: present on every table.
pub fn meta(row: &SqliteRow) -> DomainResult<Meta> {
    Ok(Meta {
        created_at: timestamp(row, "created_at")?,
        updated_at: timestamp(row, "updated_at")?,
        version: integer(row, "version")?,
    })
}
