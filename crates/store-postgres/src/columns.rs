//! How domain values are read from PostgreSQL columns (native UUID, DATE, TIMESTAMPTZ, BIGINT,
//! DOUBLE PRECISION, DATE[]). Reading re-validates through the domain constructors: a stored value
//! that no longer parses is reported as a storage failure, never turned into a default.

use std::fmt::Display;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::Row;
use sqlx::postgres::PgRow;
use tandem_domain::values::optional_name as parse_optional_name;
use tandem_domain::{
    ApiTokenId, AuditEventId, DependencyId, DomainError, DomainResult, FieldError, GrantId, LongText, Meta,
    MilestoneId, Name, ProductId, ProgramId, ProjectId, RiskId, TeamId, UserId, WorkItemId,
};
use uuid::Uuid;

/// A stored value the domain rejects: the database was changed behind Tandem's back, or a bug.
#[derive(Debug, thiserror::Error)]
#[error("column {column} holds a value Tandem cannot read: {detail}")]
pub struct CorruptValue {
    pub column: &'static str,
    pub detail: String,
}

pub fn corrupt(column: &'static str, detail: impl Display) -> DomainError {
    let error = CorruptValue { column, detail: detail.to_string() };
    tracing::error!(%error, "postgres store read a corrupt value");
    DomainError::storage(error)
}

/// A sqlx failure: logged in full here, reported to callers only as a storage failure.
pub fn storage(error: sqlx::Error) -> DomainError {
    tracing::error!(%error, "postgres store failure");
    DomainError::storage(error)
}

/// The typed ids, built from a UUID column.
pub trait StoredId {
    fn from_stored(uuid: Uuid) -> Self;
}

impl StoredId for ProgramId {
    fn from_stored(uuid: Uuid) -> Self {
        ProgramId::from_uuid(uuid)
    }
}

impl StoredId for ProjectId {
    fn from_stored(uuid: Uuid) -> Self {
        ProjectId::from_uuid(uuid)
    }
}

impl StoredId for ProductId {
    fn from_stored(uuid: Uuid) -> Self {
        ProductId::from_uuid(uuid)
    }
}

impl StoredId for TeamId {
    fn from_stored(uuid: Uuid) -> Self {
        TeamId::from_uuid(uuid)
    }
}

impl StoredId for WorkItemId {
    fn from_stored(uuid: Uuid) -> Self {
        WorkItemId::from_uuid(uuid)
    }
}

impl StoredId for MilestoneId {
    fn from_stored(uuid: Uuid) -> Self {
        MilestoneId::from_uuid(uuid)
    }
}

impl StoredId for DependencyId {
    fn from_stored(uuid: Uuid) -> Self {
        DependencyId::from_uuid(uuid)
    }
}

impl StoredId for RiskId {
    fn from_stored(uuid: Uuid) -> Self {
        RiskId::from_uuid(uuid)
    }
}

impl StoredId for UserId {
    fn from_stored(uuid: Uuid) -> Self {
        UserId::from_uuid(uuid)
    }
}

impl StoredId for GrantId {
    fn from_stored(uuid: Uuid) -> Self {
        GrantId::from_uuid(uuid)
    }
}

impl StoredId for ApiTokenId {
    fn from_stored(uuid: Uuid) -> Self {
        ApiTokenId::from_uuid(uuid)
    }
}

impl StoredId for AuditEventId {
    fn from_stored(uuid: Uuid) -> Self {
        AuditEventId::from_uuid(uuid)
    }
}

pub fn text(row: &PgRow, column: &'static str) -> DomainResult<String> {
    row.try_get::<String, _>(column).map_err(storage)
}

pub fn optional_text(row: &PgRow, column: &'static str) -> DomainResult<Option<String>> {
    row.try_get::<Option<String>, _>(column).map_err(storage)
}

pub fn integer(row: &PgRow, column: &'static str) -> DomainResult<i64> {
    row.try_get::<i64, _>(column).map_err(storage)
}

pub fn optional_integer(row: &PgRow, column: &'static str) -> DomainResult<Option<i64>> {
    row.try_get::<Option<i64>, _>(column).map_err(storage)
}

pub fn boolean(row: &PgRow, column: &'static str) -> DomainResult<bool> {
    row.try_get::<bool, _>(column).map_err(storage)
}

pub fn real(row: &PgRow, column: &'static str) -> DomainResult<f64> {
    row.try_get::<f64, _>(column).map_err(storage)
}

pub fn id<I: StoredId>(row: &PgRow, column: &'static str) -> DomainResult<I> {
    row.try_get::<Uuid, _>(column).map(I::from_stored).map_err(storage)
}

pub fn optional_id<I: StoredId>(row: &PgRow, column: &'static str) -> DomainResult<Option<I>> {
    row.try_get::<Option<Uuid>, _>(column).map(|id| id.map(I::from_stored)).map_err(storage)
}

pub fn date(row: &PgRow, column: &'static str) -> DomainResult<NaiveDate> {
    row.try_get::<NaiveDate, _>(column).map_err(storage)
}

pub fn timestamp(row: &PgRow, column: &'static str) -> DomainResult<DateTime<Utc>> {
    row.try_get::<DateTime<Utc>, _>(column).map_err(storage)
}

pub fn optional_date(row: &PgRow, column: &'static str) -> DomainResult<Option<NaiveDate>> {
    row.try_get::<Option<NaiveDate>, _>(column).map_err(storage)
}

pub fn optional_timestamp(row: &PgRow, column: &'static str) -> DomainResult<Option<DateTime<Utc>>> {
    row.try_get::<Option<DateTime<Utc>>, _>(column).map_err(storage)
}

pub fn holidays(row: &PgRow, column: &'static str) -> DomainResult<Vec<NaiveDate>> {
    row.try_get::<Vec<NaiveDate>, _>(column).map_err(storage)
}

/// A value re-validated by a domain constructor.
pub fn parsed<T>(column: &'static str, result: Result<T, FieldError>) -> DomainResult<T> {
    result.map_err(|e| corrupt(column, e.message))
}

pub fn name(row: &PgRow, column: &'static str) -> DomainResult<Name> {
    parsed(column, Name::parse(column, &text(row, column)?))
}

pub fn optional_name(row: &PgRow, column: &'static str) -> DomainResult<Option<Name>> {
    parsed(column, parse_optional_name(column, optional_text(row, column)?.as_deref()))
}

pub fn long_text(row: &PgRow, column: &'static str) -> DomainResult<LongText> {
    parsed(column, LongText::parse(column, &text(row, column)?))
}

/// `created_at`, `updated_at`, `version`: present on every table.
pub fn meta(row: &PgRow) -> DomainResult<Meta> {
    Ok(Meta {
        created_at: timestamp(row, "created_at")?,
        updated_at: timestamp(row, "updated_at")?,
        version: integer(row, "version")?,
    })
}

// Product strategy: objectives and key results.
impl StoredId for tandem_domain::ObjectiveId {
    fn from_stored(uuid: Uuid) -> Self {
        tandem_domain::ObjectiveId::from_uuid(uuid)
    }
}

impl StoredId for tandem_domain::KeyResultId {
    fn from_stored(uuid: Uuid) -> Self {
        tandem_domain::KeyResultId::from_uuid(uuid)
    }
}

// Feedback and research.
impl StoredId for tandem_domain::SegmentId {
    fn from_stored(uuid: Uuid) -> Self {
        tandem_domain::SegmentId::from_uuid(uuid)
    }
}

impl StoredId for tandem_domain::InsightId {
    fn from_stored(uuid: Uuid) -> Self {
        tandem_domain::InsightId::from_uuid(uuid)
    }
}

// Experiments: A/B tests.
impl StoredId for tandem_domain::ids::ExperimentId {
    fn from_stored(uuid: Uuid) -> Self {
        tandem_domain::ids::ExperimentId::from_uuid(uuid)
    }
}

// Product metrics.
impl StoredId for tandem_domain::MetricPointId {
    fn from_stored(uuid: Uuid) -> Self {
        tandem_domain::MetricPointId::from_uuid(uuid)
    }
}
