//! Product metrics: dated **time series** per product and, optionally, per feature (a work item
//! of the product), one series per [`MetricKind`]; the CSV import of points; and the date a
//! feature was **released** (read from the audit trail), from which its adoption is charted.
//!
//! Kinds and their values (one value per product, feature, kind and date; recording the same
//! key again replaces the value, audited as an update):
//!
//! | kind           | value                                                                    |
//! |----------------|--------------------------------------------------------------------------|
//! | `adoption`     | percent of active accounts using the product or feature, 0 to 100        |
//! | `retention`    | percent of a period's accounts still active in the next one, 0 to 100    |
//! | `revenue`      | money in the product's currency per period, 0 to 1,000,000,000,000       |
//! | `satisfaction` | **NPS** (Net Promoter Score, % promoters minus % detractors), -100 to 100 |
//!
//! Satisfaction is recorded as NPS rather than CSAT: NPS is the common product-level figure, and
//! its range (-100..100) keeps it from being mistaken for the percentages of the other kinds.
//!
//! **CSV import** ([`parse_metrics_csv`]): RFC 4180 text, header row `date,kind,value` and an
//! optional `feature_id` column, in any order; all rows or none, every error named
//! `rows[N].column` (N counts data rows from 1), header problems on `header`. At most
//! [`crate::evidence::MAX_IMPORT_ROWS`] rows; the same key twice in one file is an error
//! (`rows[N].date`, code `duplicate`), as it is in any batch of points ([`BatchKeys`]).

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};

use crate::audit::{AuditAction, AuditEvent};
use crate::error::{FieldError, ValidationErrors};
use crate::evidence::{CsvTable, read_csv_table};
use crate::ids::{MetricPointId, ProductId, WorkItemId};
use crate::record::Record;
use crate::values::{check_date, parse_date};

/// What a series measures (ranges in the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MetricKind {
    Adoption,
    Retention,
    Revenue,
    Satisfaction,
}

impl MetricKind {
    pub const ALL: [MetricKind; 4] =
        [MetricKind::Adoption, MetricKind::Retention, MetricKind::Revenue, MetricKind::Satisfaction];

    pub fn as_str(self) -> &'static str {
        match self {
            MetricKind::Adoption => "adoption",
            MetricKind::Retention => "retention",
            MetricKind::Revenue => "revenue",
            MetricKind::Satisfaction => "satisfaction",
        }
    }

    /// For people, with the unit: "adoption (% of active accounts)".
    pub fn label(self) -> &'static str {
        match self {
            MetricKind::Adoption => "adoption (% of active accounts)",
            MetricKind::Retention => "retention (%)",
            MetricKind::Revenue => "revenue",
            MetricKind::Satisfaction => "satisfaction (NPS)",
        }
    }

    /// The lowest and highest value a point may have.
    pub fn range(self) -> (f64, f64) {
        match self {
            MetricKind::Adoption | MetricKind::Retention => (0.0, 100.0),
            MetricKind::Revenue => (0.0, 1e12),
            MetricKind::Satisfaction => (-100.0, 100.0),
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<MetricKind, FieldError> {
        MetricKind::ALL.into_iter().find(|k| k.as_str() == raw.trim()).ok_or_else(|| {
            FieldError::new(field, "invalid", "must be one of adoption, retention, revenue, satisfaction")
        })
    }

    /// Checks `value` lies in the kind's range.
    pub fn check_value(self, field: &str, value: f64) -> Result<f64, FieldError> {
        let (low, high) = self.range();
        if value.is_finite() && (low..=high).contains(&value) {
            Ok(value)
        } else {
            Err(FieldError::new(field, "out_of_range", format!("{} must be from {low} to {high}", self.as_str())))
        }
    }
}

#[derive(Debug, Clone)]
pub struct MetricPointInput {
    pub product_id: ProductId,
    pub feature_id: Option<WorkItemId>,
    pub kind: MetricKind,
    pub date: Option<NaiveDate>,
    pub value: f64,
}

/// One point of a series. The store checks the feature is a work item of the product
/// (`feature_id`, codes `not_found`, `other_product`).
#[derive(Debug, Clone, PartialEq)]
pub struct MetricPointFields {
    pub product_id: ProductId,
    /// `None`: the product as a whole.
    pub feature_id: Option<WorkItemId>,
    pub kind: MetricKind,
    pub date: NaiveDate,
    pub value: f64,
}

impl MetricPointFields {
    pub fn parse(input: MetricPointInput) -> Result<MetricPointFields, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let date = match input.date {
            Some(date) => errors.check(check_date("date", date)),
            None => {
                errors.add("date", "required", "must not be blank");
                None
            }
        };
        let value = errors.check(input.kind.check_value("value", input.value));
        match (date, value) {
            (Some(date), Some(value)) if errors.is_empty() => Ok(MetricPointFields {
                product_id: input.product_id,
                feature_id: input.feature_id,
                kind: input.kind,
                date,
                value,
            }),
            _ => Err(errors),
        }
    }

    /// The key a point replaces another of.
    pub fn key(&self) -> (ProductId, Option<WorkItemId>, MetricKind, NaiveDate) {
        (self.product_id, self.feature_id, self.kind, self.date)
    }
}

pub type MetricPoint = Record<MetricPointId, MetricPointFields>;

/// Which series' points of a product to list: ordered by kind, feature (the product's own series
/// first), then date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricFilter {
    pub product: ProductId,
    pub kind: Option<MetricKind>,
    pub feature: FeatureScope,
    /// Points on or after this date.
    pub from: Option<NaiveDate>,
    /// Points on or before this date.
    pub to: Option<NaiveDate>,
}

/// Whose series: every one, the product's own, or one feature's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeatureScope {
    All,
    ProductOnly,
    Feature(WorkItemId),
}

impl MetricFilter {
    pub fn product(product: ProductId) -> MetricFilter {
        MetricFilter { product, kind: None, feature: FeatureScope::All, from: None, to: None }
    }
}

/// The rule of a batch of points (a CSV import, a batch posted to the API): each key (product,
/// feature, kind, date) at most once, as a later point would silently replace an earlier one.
#[derive(Debug, Default)]
pub struct BatchKeys(HashSet<(ProductId, Option<WorkItemId>, MetricKind, NaiveDate)>);

impl BatchKeys {
    pub fn new() -> BatchKeys {
        BatchKeys::default()
    }

    /// Notes `point`'s key; a key an earlier point had is a `duplicate` error on `date_field`.
    pub fn admit(&mut self, date_field: &str, point: &MetricPointFields) -> Result<(), FieldError> {
        if self.0.insert(point.key()) {
            return Ok(());
        }
        Err(FieldError::new(
            date_field,
            "duplicate",
            format!("an earlier row has {} on {} for the same feature", point.kind.as_str(), point.date),
        ))
    }
}

const METRIC_COLUMNS: [&str; 4] = ["date", "kind", "value", "feature_id"];
const REQUIRED_METRIC_COLUMNS: [&str; 3] = ["date", "kind", "value"];

/// The points of a CSV text for `product` (format in the module docs). Every error is reported,
/// none stored.
pub fn parse_metrics_csv(text: &str, product: ProductId) -> Result<Vec<MetricPointFields>, ValidationErrors> {
    let CsvTable { columns, width, rows } = read_csv_table(text, &METRIC_COLUMNS, &REQUIRED_METRIC_COLUMNS)?;
    let mut errors = ValidationErrors::new();
    let mut parsed = Vec::with_capacity(rows.len());
    let mut keys = BatchKeys::new();
    for (index, row) in rows.iter().enumerate() {
        let n = index + 1;
        let cell = |column: &str| columns.get(column).and_then(|i| row.get(*i)).map_or("", |v| v.trim());
        let field = |column: &str| format!("rows[{n}].{column}");
        if row.len() > width {
            errors.add(format!("rows[{n}]"), "invalid", format!("has {} fields, the header {width}", row.len()));
            continue;
        }
        let date = match cell("date") {
            "" => {
                errors.add(field("date"), "required", "must not be blank");
                None
            }
            raw => errors.check(parse_date(&field("date"), raw)),
        };
        let kind = errors.check(MetricKind::parse(&field("kind"), cell("kind")));
        let value = match cell("value") {
            "" => {
                errors.add(field("value"), "required", "must not be blank");
                None
            }
            raw => match raw.parse::<f64>() {
                Ok(v) => match kind {
                    Some(kind) => errors.check(kind.check_value(&field("value"), v)),
                    None => Some(v),
                },
                Err(_) => {
                    errors.add(field("value"), "invalid", format!("{raw:?} is not a number"));
                    None
                }
            },
        };
        let feature_id = match cell("feature_id") {
            "" => Some(None),
            raw => match raw.parse::<WorkItemId>() {
                Ok(id) => Some(Some(id)),
                Err(_) => {
                    errors.add(field("feature_id"), "invalid", format!("{raw:?} is not a work item id"));
                    None
                }
            },
        };
        let (Some(date), Some(kind), Some(value), Some(feature_id)) = (date, kind, value, feature_id) else {
            continue;
        };
        let point = MetricPointFields { product_id: product, feature_id, kind, date, value };
        if errors.check(keys.admit(&field("date"), &point)).is_some() {
            parsed.push(point);
        }
    }
    errors.into_result().map(|()| parsed)
}

/// The instant a work item was released by its audit trail: the newest audit event whose changes
/// set `status` to `done` (its creation as done counts). `events` are the item's, in any order.
/// `None` when it never was; when it was reopened and finished again, the last finish counts.
/// An entered release date (`released_on`) takes precedence over this
/// ([`crate::Access::release_instant`]).
pub fn release_instant(events: &[AuditEvent]) -> Option<DateTime<Utc>> {
    events
        .iter()
        .filter(|e| e.action != AuditAction::Deleted)
        .filter(|e| e.changes.iter().any(|c| c.field == "status" && c.after.as_deref() == Some("done")))
        .map(|e| e.at)
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{Actor, FieldChange};
    use crate::error::EntityKind;
    use crate::ids::AuditEventId;
    use chrono::TimeZone;

    fn day(d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(2026, 3, d)
    }

    #[test]
    fn point_values_must_lie_in_their_kinds_range() {
        let product = ProductId::generate();
        let input = |kind, value| MetricPointInput { product_id: product, feature_id: None, kind, date: day(1), value };
        assert!(MetricPointFields::parse(input(MetricKind::Satisfaction, -100.0)).is_ok());
        assert!(MetricPointFields::parse(input(MetricKind::Adoption, 100.0)).is_ok());
        assert!(MetricPointFields::parse(input(MetricKind::Revenue, 2.5e6)).is_ok());
        for (kind, value) in [
            (MetricKind::Adoption, 100.5),
            (MetricKind::Retention, -1.0),
            (MetricKind::Revenue, -0.01),
            (MetricKind::Satisfaction, 101.0),
            (MetricKind::Revenue, f64::NAN),
        ] {
            let errors = MetricPointFields::parse(input(kind, value)).unwrap_err();
            let fields: Vec<(&str, &str)> = errors.errors().iter().map(|e| (e.field.as_str(), e.code)).collect();
            assert_eq!(fields, [("value", "out_of_range")], "{kind:?} {value}");
        }
        let errors =
            MetricPointFields::parse(MetricPointInput { date: None, ..input(MetricKind::Adoption, 5.0) }).unwrap_err();
        assert_eq!(errors.errors()[0].field, "date");
        assert_eq!(
            MetricPointFields::parse(input(MetricKind::Satisfaction, 120.0)).unwrap_err().errors()[0].message,
            "satisfaction must be from -100 to 100"
        );
    }

    #[test]
    fn metrics_csv_imports_rows_in_any_column_order() {
        let product = ProductId::generate();
        let feature = WorkItemId::generate();
        let text =
            format!("kind,value,date,feature_id\nadoption,12.5,2026-01-31,{feature}\nrevenue,4000,2026-01-31,\n");
        let rows = parse_metrics_csv(&text, product).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].kind, rows[0].value, rows[0].feature_id), (MetricKind::Adoption, 12.5, Some(feature)));
        assert_eq!((rows[1].kind, rows[1].value, rows[1].feature_id), (MetricKind::Revenue, 4000.0, None));
        assert_eq!(rows[1].date, NaiveDate::from_ymd_opt(2026, 1, 31).unwrap());
    }

    #[test]
    fn metrics_csv_errors_name_row_and_column() {
        let product = ProductId::generate();
        let text = "date,kind,value,feature_id\n\
                    2026-01-31,adoption,10,\n\
                    2026-02-30,churn,x,nope\n\
                    ,satisfaction,150,\n\
                    2026-01-31,adoption,11,\n";
        let errors = parse_metrics_csv(text, product).unwrap_err();
        let fields: Vec<(&str, &str)> = errors.errors().iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            fields,
            [
                ("rows[2].date", "invalid_date"),
                ("rows[2].kind", "invalid"),
                ("rows[2].value", "invalid"),
                ("rows[2].feature_id", "invalid"),
                ("rows[3].date", "required"),
                ("rows[3].value", "out_of_range"),
                ("rows[4].date", "duplicate"),
            ]
        );
        let errors = parse_metrics_csv("date,value,what\n", product).unwrap_err();
        let fields: Vec<(&str, &str)> = errors.errors().iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(fields, [("header", "invalid"), ("header", "required")]);
        assert_eq!(parse_metrics_csv("date,kind,value\n", product).unwrap_err().errors()[0].field, "rows");
    }

    #[test]
    fn a_batch_holds_each_key_once_whatever_its_value() {
        let product = ProductId::generate();
        let feature = WorkItemId::generate();
        let point = |feature_id, kind, d, value| MetricPointFields {
            product_id: product,
            feature_id,
            kind,
            date: day(d).unwrap(),
            value,
        };
        let mut keys = BatchKeys::new();
        assert_eq!(keys.admit("points[0].date", &point(None, MetricKind::Adoption, 1, 10.0)), Ok(()));
        // Another feature, kind or date is another key.
        assert_eq!(keys.admit("points[1].date", &point(Some(feature), MetricKind::Adoption, 1, 10.0)), Ok(()));
        assert_eq!(keys.admit("points[2].date", &point(None, MetricKind::Retention, 1, 10.0)), Ok(()));
        assert_eq!(keys.admit("points[3].date", &point(None, MetricKind::Adoption, 2, 10.0)), Ok(()));
        let err = keys.admit("points[4].date", &point(None, MetricKind::Adoption, 1, 20.0)).unwrap_err();
        assert_eq!(
            (err.field.as_str(), err.code, err.message.as_str()),
            ("points[4].date", "duplicate", "an earlier row has adoption on 2026-03-01 for the same feature")
        );
        let err = keys.admit("rows[6].date", &point(Some(feature), MetricKind::Adoption, 1, 10.0)).unwrap_err();
        assert_eq!((err.field.as_str(), err.code), ("rows[6].date", "duplicate"));

        // The CSV import follows the same rule, with the same words.
        let text = "date,kind,value\n2026-03-01,adoption,10\n2026-03-01,adoption,20\n";
        let errors = parse_metrics_csv(text, product).unwrap_err();
        assert_eq!(
            errors.errors().iter().map(|e| (e.field.as_str(), e.code, e.message.as_str())).collect::<Vec<_>>(),
            [("rows[2].date", "duplicate", "an earlier row has adoption on 2026-03-01 for the same feature")]
        );
    }

    #[test]
    fn metrics_csv_dates_need_four_year_digits() {
        let product = ProductId::generate();
        let errors =
            parse_metrics_csv("date,kind,value\n26-03-01,adoption,10\n026-03-01,adoption,10\n", product).unwrap_err();
        assert_eq!(
            errors.errors().iter().map(|e| (e.field.as_str(), e.code, e.message.as_str())).collect::<Vec<_>>(),
            [
                ("rows[1].date", "invalid_date", "must be a date in the form YYYY-MM-DD"),
                ("rows[2].date", "invalid_date", "must be a date in the form YYYY-MM-DD"),
            ]
        );
    }

    #[test]
    fn release_is_the_last_event_setting_status_to_done() {
        let event = |day: u32, action, status: &str| AuditEvent {
            id: AuditEventId::generate(),
            at: Utc.with_ymd_and_hms(2026, 4, day, 9, 0, 0).unwrap(),
            actor: Actor::system("test"),
            action,
            entity: EntityKind::WorkItem,
            record_id: "x".into(),
            label: "Export".into(),
            changes: vec![FieldChange { field: "status".into(), before: None, after: Some(status.into()) }],
        };
        assert_eq!(release_instant(&[event(1, AuditAction::Created, "todo")]), None);
        let events = [
            event(1, AuditAction::Created, "todo"),
            event(9, AuditAction::Updated, "done"),
            event(3, AuditAction::Updated, "done"),
            event(12, AuditAction::Updated, "in_progress"),
        ];
        assert_eq!(release_instant(&events), Some(Utc.with_ymd_and_hms(2026, 4, 9, 9, 0, 0).unwrap()));
    }
}
