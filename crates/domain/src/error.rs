//! Errors the domain reports. Validation failures name the field and the reason so that
//! every surface (JSON API, HTML forms, CLI) can point at exactly what to fix.

use std::fmt;

/// The kinds of record Tandem stores; used in error messages and audit-like texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityKind {
    Program,
    Project,
    Product,
    WorkItem,
    Milestone,
    Dependency,
    Risk,
    Team,
    User,
    Grant,
    ApiToken,
    // Product strategy: objectives and the roadmap.
    Objective,
    KeyResult,
    RoadmapEntry,
    // Feedback and research.
    Segment,
    Insight,
    // Experiments: A/B tests.
    Experiment,
    // Product metrics.
    MetricPoint,
}

impl EntityKind {
    /// Lower-case words for messages ("work item").
    pub fn label(self) -> &'static str {
        match self {
            EntityKind::Program => "program",
            EntityKind::Project => "project",
            EntityKind::Product => "product",
            EntityKind::WorkItem => "work item",
            EntityKind::Milestone => "milestone",
            EntityKind::Dependency => "dependency",
            EntityKind::Risk => "risk",
            EntityKind::Team => "team",
            EntityKind::User => "user",
            EntityKind::Grant => "role grant",
            EntityKind::ApiToken => "API token",
            // Product strategy: objectives and the roadmap.
            EntityKind::Objective => "objective",
            EntityKind::KeyResult => "key result",
            EntityKind::RoadmapEntry => "roadmap entry",
            EntityKind::Segment => "segment",
            EntityKind::Insight => "insight",
            // Experiments: A/B tests.
            EntityKind::Experiment => "experiment",
            // Product metrics.
            EntityKind::MetricPoint => "metric point",
        }
    }

    /// The snake-case name used in the API, the audit trail and URLs' filters (`work_item`).
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Program => "program",
            EntityKind::Project => "project",
            EntityKind::Product => "product",
            EntityKind::WorkItem => "work_item",
            EntityKind::Milestone => "milestone",
            EntityKind::Dependency => "dependency",
            EntityKind::Risk => "risk",
            EntityKind::Team => "team",
            EntityKind::User => "user",
            EntityKind::Grant => "grant",
            EntityKind::ApiToken => "api_token",
            // Product strategy: objectives and the roadmap.
            EntityKind::Objective => "objective",
            EntityKind::KeyResult => "key_result",
            EntityKind::RoadmapEntry => "roadmap_entry",
            EntityKind::Segment => "segment",
            EntityKind::Insight => "insight",
            // Experiments: A/B tests.
            EntityKind::Experiment => "experiment",
            // Product metrics.
            EntityKind::MetricPoint => "metric_point",
        }
    }

    pub const ALL: [EntityKind; 18] = [
        EntityKind::Program,
        EntityKind::Project,
        EntityKind::Product,
        EntityKind::WorkItem,
        EntityKind::Milestone,
        EntityKind::Dependency,
        EntityKind::Risk,
        EntityKind::Team,
        EntityKind::User,
        EntityKind::Grant,
        EntityKind::ApiToken,
        // Product strategy: objectives and the roadmap.
        EntityKind::Objective,
        EntityKind::KeyResult,
        EntityKind::RoadmapEntry,
        EntityKind::Segment,
        EntityKind::Insight,
        // Experiments: A/B tests.
        EntityKind::Experiment,
        // Product metrics.
        EntityKind::MetricPoint,
    ];

    pub fn parse(field: &str, raw: &str) -> Result<EntityKind, FieldError> {
        EntityKind::ALL.into_iter().find(|k| k.as_str() == raw.trim()).ok_or_else(|| {
            let names: Vec<&str> = EntityKind::ALL.iter().map(|k| k.as_str()).collect();
            FieldError::new(field, "invalid", format!("must be one of {}", names.join(", ")))
        })
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One invalid field: where (`field`, a dotted path such as `estimate.optimistic`), a stable
/// machine-readable `code`, and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        FieldError { field: field.into(), code, message: message.into() }
    }
}

/// All the field errors of one input, collected rather than stopping at the first so a form can
/// show every problem at once. Never empty when returned inside an `Err`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors {
    errors: Vec<FieldError>,
}

impl ValidationErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        ValidationErrors { errors: vec![FieldError::new(field, code, message)] }
    }

    pub fn push(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    pub fn add(&mut self, field: impl Into<String>, code: &'static str, message: impl Into<String>) {
        self.push(FieldError::new(field, code, message));
    }

    /// Records the error of a field parse and returns the parsed value if there was none.
    pub fn check<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.push(error);
                None
            }
        }
    }

    /// Records every error of a parse that reports several (a whole sub-record's), and returns
    /// the parsed value if there was none.
    pub fn check_all<T, E: IntoIterator<Item = FieldError>>(&mut self, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(errors) => {
                self.errors.extend(errors);
                None
            }
        }
    }

    /// The value a parse built when nothing was recorded, else every error recorded. `value` is
    /// `None` only when a part failed, which [`ValidationErrors::check_all`] recorded.
    pub fn finish<T>(self, value: Option<T>) -> Result<T, ValidationErrors> {
        match value {
            Some(value) if self.errors.is_empty() => Ok(value),
            _ => Err(self),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn errors(&self) -> &[FieldError] {
        &self.errors
    }

    /// The first message recorded for `field`, for rendering next to a form input.
    pub fn message_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }

    /// `Ok(())` when nothing was recorded.
    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.errors.is_empty() { Ok(()) } else { Err(self) }
    }
}

impl IntoIterator for ValidationErrors {
    type Item = FieldError;
    type IntoIter = std::vec::IntoIter<FieldError>;

    fn into_iter(self) -> Self::IntoIter {
        self.errors.into_iter()
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", e.field, e.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}

impl From<FieldError> for ValidationErrors {
    fn from(error: FieldError) -> Self {
        ValidationErrors { errors: vec![error] }
    }
}

/// What a domain operation (and so every `Store` method) can fail with.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The input breaks a rule; nothing was stored.
    #[error("validation failed: {0}")]
    Validation(ValidationErrors),
    #[error("{entity} {id} not found")]
    NotFound { entity: EntityKind, id: String },
    /// Optimistic concurrency: the caller edited an older version; nothing was stored.
    #[error("{entity} {id} is at version {actual}, not {expected}")]
    VersionConflict { entity: EntityKind, id: String, expected: i64, actual: i64 },
    /// A delete refused because other records still depend on this one; nothing was deleted.
    #[error("{entity} {id} cannot be deleted: {reason}")]
    InUse { entity: EntityKind, id: String, reason: String },
    /// The caller may read the record but not do this to it (a viewer editing, a read-only
    /// token writing); nothing was stored. Records the caller may not read are `NotFound`.
    #[error("forbidden: {reason}")]
    Forbidden { reason: String },
    /// The backend failed (connection, disk, a bug). Its text is for logs, never for clients.
    #[error("storage failure")]
    Storage(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl DomainError {
    pub fn not_found(entity: EntityKind, id: impl fmt::Display) -> Self {
        DomainError::NotFound { entity, id: id.to_string() }
    }

    pub fn forbidden(reason: impl Into<String>) -> Self {
        DomainError::Forbidden { reason: reason.into() }
    }

    pub fn storage(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        DomainError::Storage(Box::new(error))
    }

    pub fn invalid(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        DomainError::Validation(ValidationErrors::single(field, code, message))
    }
}

impl From<ValidationErrors> for DomainError {
    fn from(errors: ValidationErrors) -> Self {
        DomainError::Validation(errors)
    }
}

pub type DomainResult<T> = Result<T, DomainError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_all_keeps_every_error_of_a_part_in_order_and_finish_returns_them_all() {
        let mut errors = ValidationErrors::new();
        errors.add("title", "required", "must not be empty");
        let part: Result<u32, Vec<FieldError>> =
            Err(vec![FieldError::new("estimate.optimistic", "negative", "at least 0"), FieldError::new("b", "c", "d")]);
        assert_eq!(errors.check_all(part), None);
        let whole: Result<u32, ValidationErrors> = Err(ValidationErrors::single("period", "invalid", "a quarter"));
        assert_eq!(errors.check_all(whole), None);
        assert_eq!(errors.check_all(Ok::<_, ValidationErrors>(7)), Some(7));
        let fields: Vec<&str> = errors.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["title", "estimate.optimistic", "b", "period"]);
        assert_eq!(errors.clone().finish(Some(1)), Err(errors));
        assert_eq!(ValidationErrors::new().finish(Some(1)), Ok(1));
    }
}
