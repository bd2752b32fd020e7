//! Feedback and research: a product's target **segments** and the **insights** gathered from
//! customers (interviews, surveys, usability sessions, support tickets, sales calls), linked to the
//! features (work items of the product) they support; each feature's **demand score**; and the CSV
//! import of insights.
//!
//! **Importance** of an insight, in words and points: `nice_to_have` = 1, `important` = 2,
//! `critical` = 3.
//!
//! **Segment weight**: a number greater than 0 and at most 10 (default 1), saying how much a
//! segment's customers count for the product (the core market 2, an adjacent one 0.5).
//!
//! **Demand score** of a feature ([`demand_by_feature`]): take the insights linked to the
//! feature; group them by customer (the name, trimmed, compared case-insensitively), so each
//! customer counts **once**; a customer's contribution is the points of their most important
//! insight times the weight of that insight's segment (1 when it has none; when several of their
//! insights share the highest importance, the highest such weight). The score is the sum of the
//! contributions; the distinct customers are reported beside it. Example: Ann (critical, segment
//! weight 2) and Ann again (important) and Bob (important, no segment) give 3 x 2 + 2 x 1 = 8
//! from 2 customers.
//!
//! **CSV import** ([`parse_insights_csv`]): RFC 4180 text (commas, double quotes doubling inside
//! quoted fields, CRLF or LF), a header row naming the columns in any order:
//!
//! | column             | required | value                                                          |
//! |--------------------|----------|----------------------------------------------------------------|
//! | `date`             | yes      | `YYYY-MM-DD`                                                   |
//! | `source`           | yes      | `interview`, `survey`, `usability`, `support_ticket`, `sales_call` |
//! | `customer`         | yes      | the customer's name                                            |
//! | `quote`            | yes      | the quote or a summary                                         |
//! | `importance`       | yes      | `nice_to_have`, `important`, `critical` (or 1, 2, 3)           |
//! | `segment`          | no       | the name of one of the product's segments                      |
//! | `source_reference` | no       | a ticket number, a recording's address, ...                    |
//! | `features`         | no       | work item ids of the product, separated by `;`                 |
//!
//! The import is all or nothing: every error is reported, the field named `rows[N].column` where
//! `N` counts data rows from 1 (the first line after the header is `rows[1]`); header problems are
//! on `header`. At most [`MAX_IMPORT_ROWS`] rows.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;

use crate::error::{FieldError, ValidationErrors};
use crate::ids::{InsightId, ProductId, SegmentId, WorkItemId};
use crate::record::Record;
use crate::values::{LongText, Name, check_date, parse_date};

// ---------------------------------------------------------------------------------------------
// Segments

/// How much a segment's customers count: more than 0, at most 10.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct SegmentWeight(f64);

impl SegmentWeight {
    pub const MAX: f64 = 10.0;
    /// A customer outside every segment counts as much as one in a segment of weight 1.
    pub const NEUTRAL: SegmentWeight = SegmentWeight(1.0);

    pub fn parse(field: &str, value: f64) -> Result<SegmentWeight, FieldError> {
        if value.is_finite() && value > 0.0 && value <= Self::MAX {
            Ok(SegmentWeight(value))
        } else {
            Err(FieldError::new(field, "out_of_range", format!("must be greater than 0 and at most {}", Self::MAX)))
        }
    }

    pub fn get(self) -> f64 {
        self.0
    }
}

#[derive(Debug, Clone)]
pub struct SegmentInput {
    pub product_id: ProductId,
    pub name: String,
    pub description: String,
    pub weight: f64,
}

/// A target segment of a product. The name is unique within the product (the store checks:
/// field `name`, code `taken`), so the CSV import can name segments.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentFields {
    pub product_id: ProductId,
    pub name: Name,
    pub description: LongText,
    pub weight: SegmentWeight,
}

impl SegmentFields {
    pub fn parse(input: SegmentInput) -> Result<SegmentFields, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let name = errors.check(Name::parse("name", &input.name));
        let description = errors.check(LongText::parse("description", &input.description));
        let weight = errors.check(SegmentWeight::parse("weight", input.weight));
        match (name, description, weight) {
            (Some(name), Some(description), Some(weight)) if errors.is_empty() => {
                Ok(SegmentFields { product_id: input.product_id, name, description, weight })
            }
            _ => Err(errors),
        }
    }
}

pub type Segment = Record<SegmentId, SegmentFields>;

// ---------------------------------------------------------------------------------------------
// Insights

/// Where an insight comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InsightSource {
    Interview,
    Survey,
    Usability,
    SupportTicket,
    SalesCall,
}

impl InsightSource {
    pub const ALL: [InsightSource; 5] = [
        InsightSource::Interview,
        InsightSource::Survey,
        InsightSource::Usability,
        InsightSource::SupportTicket,
        InsightSource::SalesCall,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InsightSource::Interview => "interview",
            InsightSource::Survey => "survey",
            InsightSource::Usability => "usability",
            InsightSource::SupportTicket => "support_ticket",
            InsightSource::SalesCall => "sales_call",
        }
    }

    /// For people: "support ticket".
    pub fn label(self) -> &'static str {
        match self {
            InsightSource::Interview => "interview",
            InsightSource::Survey => "survey",
            InsightSource::Usability => "usability session",
            InsightSource::SupportTicket => "support ticket",
            InsightSource::SalesCall => "sales call",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<InsightSource, FieldError> {
        InsightSource::ALL.into_iter().find(|s| s.as_str() == raw.trim()).ok_or_else(|| {
            FieldError::new(field, "invalid", "must be one of interview, survey, usability, support_ticket, sales_call")
        })
    }
}

/// How much an insight matters to its customer: 1, 2 or 3 points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Importance {
    NiceToHave,
    Important,
    Critical,
}

impl Importance {
    pub const ALL: [Importance; 3] = [Importance::NiceToHave, Importance::Important, Importance::Critical];

    pub fn as_str(self) -> &'static str {
        match self {
            Importance::NiceToHave => "nice_to_have",
            Importance::Important => "important",
            Importance::Critical => "critical",
        }
    }

    pub fn points(self) -> u8 {
        match self {
            Importance::NiceToHave => 1,
            Importance::Important => 2,
            Importance::Critical => 3,
        }
    }

    /// The word, or its points (`1`, `2`, `3`).
    pub fn parse(field: &str, raw: &str) -> Result<Importance, FieldError> {
        let raw = raw.trim();
        Importance::ALL.into_iter().find(|i| i.as_str() == raw || i.points().to_string() == raw).ok_or_else(|| {
            FieldError::new(field, "invalid", "must be one of nice_to_have, important, critical (or 1, 2, 3)")
        })
    }
}

#[derive(Debug, Clone)]
pub struct InsightInput {
    pub product_id: ProductId,
    pub source: InsightSource,
    pub source_reference: String,
    pub customer: String,
    pub segment_id: Option<SegmentId>,
    pub date: Option<NaiveDate>,
    pub quote: String,
    pub importance: Importance,
    pub feature_ids: Vec<WorkItemId>,
}

/// One piece of evidence. The store checks what needs other records: the segment is one of the
/// product's (field `segment_id`, codes `not_found`, `other_product`) and each feature is a work
/// item of the product (`feature_ids[i]`, codes `not_found`, `other_product`).
#[derive(Debug, Clone, PartialEq)]
pub struct InsightFields {
    pub product_id: ProductId,
    pub source: InsightSource,
    /// A ticket number, a recording's address, a survey's name; may be empty.
    pub source_reference: LongText,
    pub customer: Name,
    pub segment_id: Option<SegmentId>,
    pub date: NaiveDate,
    /// The customer's words, or a summary of them; never empty.
    pub quote: LongText,
    pub importance: Importance,
    /// The features the insight supports, in the order given, without repeats; empty: the insight
    /// is in the product's inbox.
    pub feature_ids: Vec<WorkItemId>,
}

impl InsightFields {
    pub const MAX_FEATURES: usize = 50;

    pub fn parse(input: InsightInput) -> Result<InsightFields, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let source_reference = errors.check(LongText::parse("source_reference", &input.source_reference));
        let customer = errors.check(Name::parse("customer", &input.customer));
        let date = match input.date {
            Some(date) => errors.check(check_date("date", date)),
            None => {
                errors.add("date", "required", "must not be blank");
                None
            }
        };
        let quote = errors.check(LongText::parse("quote", &input.quote));
        if quote.as_ref().is_some_and(LongText::is_empty) {
            errors.add("quote", "required", "must not be blank");
        }
        if input.feature_ids.len() > Self::MAX_FEATURES {
            errors.add("feature_ids", "too_long", format!("at most {} features", Self::MAX_FEATURES));
        }
        let mut seen = HashSet::new();
        for (i, id) in input.feature_ids.iter().enumerate() {
            if !seen.insert(*id) {
                errors.add(format!("feature_ids[{i}]"), "duplicate", format!("work item {id} is listed twice"));
            }
        }
        match (source_reference, customer, date, quote) {
            (Some(source_reference), Some(customer), Some(date), Some(quote)) if errors.is_empty() => {
                Ok(InsightFields {
                    product_id: input.product_id,
                    source: input.source,
                    source_reference,
                    customer,
                    segment_id: input.segment_id,
                    date,
                    quote,
                    importance: input.importance,
                    feature_ids: input.feature_ids,
                })
            }
            _ => Err(errors),
        }
    }
}

pub type Insight = Record<InsightId, InsightFields>;

/// Which insights of a product to list (newest first: date, then creation, descending).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsightFilter {
    pub product: ProductId,
    /// Only those linked to this feature.
    pub feature: Option<WorkItemId>,
    /// Only those linked to no feature (the inbox).
    pub unlinked: bool,
}

impl InsightFilter {
    pub fn product(product: ProductId) -> InsightFilter {
        InsightFilter { product, feature: None, unlinked: false }
    }
}

// ---------------------------------------------------------------------------------------------
// Demand score

/// A feature's demand (definition in the module docs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Demand {
    /// Distinct customers among the linked insights.
    pub customers: usize,
    pub insights: usize,
    /// Sum over customers of importance points x segment weight.
    pub score: f64,
}

/// The customer key: trimmed, lower-case, so "Acme " and "acme" are one customer.
fn customer_key(name: &Name) -> String {
    name.as_str().trim().to_lowercase()
}

/// Customer key -> (highest importance, highest segment weight at that importance).
type CustomersBest = BTreeMap<String, (Importance, f64)>;

/// The demand of every feature that has at least one linked insight. Segments missing from
/// `segments` (which cannot happen for stored insights) count with the neutral weight.
pub fn demand_by_feature(insights: &[Insight], segments: &[Segment]) -> HashMap<WorkItemId, Demand> {
    let weights: HashMap<SegmentId, f64> = segments.iter().map(|s| (s.id, s.fields.weight.get())).collect();
    let weight_of = |insight: &Insight| {
        insight.fields.segment_id.and_then(|id| weights.get(&id).copied()).unwrap_or(SegmentWeight::NEUTRAL.get())
    };
    // feature -> customer -> (highest importance, highest weight at that importance); a BTreeMap
    // so the float sum runs in one order whatever the input order.
    let mut by_feature: HashMap<WorkItemId, (usize, CustomersBest)> = HashMap::new();
    for insight in insights {
        let key = customer_key(&insight.fields.customer);
        let (importance, weight) = (insight.fields.importance, weight_of(insight));
        for feature in &insight.fields.feature_ids {
            let (count, customers) = by_feature.entry(*feature).or_default();
            *count += 1;
            customers
                .entry(key.clone())
                .and_modify(|best| {
                    if importance > best.0 || (importance == best.0 && weight > best.1) {
                        *best = (importance, weight);
                    }
                })
                .or_insert((importance, weight));
        }
    }
    by_feature
        .into_iter()
        .map(|(feature, (insights, customers))| {
            let score = customers.values().map(|(importance, weight)| f64::from(importance.points()) * weight).sum();
            (feature, Demand { customers: customers.len(), insights, score })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// CSV

/// The most rows one import takes.
pub const MAX_IMPORT_ROWS: usize = 10_000;

/// Splits RFC 4180 text into records of fields. Errors name the line (1-based) of the problem.
pub fn parse_csv(text: &str) -> Result<Vec<Vec<String>>, FieldError> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.trim_start_matches('\u{feff}').chars().peekable();
    let mut in_quotes = false;
    let mut line = 1usize;
    let mut quote_line = 1usize;
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                in_quotes = true;
                quote_line = line;
                at_field_start = false;
            }
            ',' => {
                record.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                line += 1;
                at_field_start = true;
            }
            _ => {
                field.push(c);
                at_field_start = false;
            }
        }
    }
    if in_quotes {
        return Err(FieldError::new(
            "csv",
            "invalid",
            format!("the quoted field opened on line {quote_line} is never closed"),
        ));
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    // Blank lines carry nothing.
    records.retain(|r| !(r.len() == 1 && r[0].trim().is_empty()));
    Ok(records)
}

const INSIGHT_COLUMNS: [&str; 8] =
    ["date", "source", "customer", "quote", "importance", "segment", "source_reference", "features"];
const REQUIRED_INSIGHT_COLUMNS: [&str; 5] = ["date", "source", "customer", "quote", "importance"];

/// A CSV text's rows under a checked header: where each known column is, how many columns the
/// header has, and the data rows.
pub(crate) struct CsvTable {
    pub columns: HashMap<&'static str, usize>,
    pub width: usize,
    pub rows: Vec<Vec<String>>,
}

/// Reads a CSV text whose header names columns of `known` in any order (case-insensitively),
/// each at most once, every one of `required` present; then 1 to [`MAX_IMPORT_ROWS`] rows.
/// Header problems are errors on `header`, a missing or oversized body on `rows`.
pub(crate) fn read_csv_table(
    text: &str,
    known: &[&'static str],
    required: &[&'static str],
) -> Result<CsvTable, ValidationErrors> {
    let mut records = parse_csv(text).map_err(ValidationErrors::from)?;
    if records.is_empty() {
        return Err(ValidationErrors::single("header", "required", "the file is empty: a header row is needed"));
    }
    let header = records.remove(0);
    let rows = records;
    let mut errors = ValidationErrors::new();
    let mut columns: HashMap<&'static str, usize> = HashMap::new();
    for (i, name) in header.iter().enumerate() {
        let name = name.trim().to_lowercase();
        match known.iter().find(|c| **c == name) {
            Some(column) if columns.contains_key(column) => {
                errors.add("header", "duplicate", format!("column {column} appears twice"))
            }
            Some(column) => {
                columns.insert(column, i);
            }
            None => errors.add(
                "header",
                "invalid",
                format!("unknown column {name:?}; the columns are {}", known.join(", ")),
            ),
        }
    }
    for column in required {
        if !columns.contains_key(column) {
            errors.add("header", "required", format!("column {column} is missing"));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if rows.is_empty() {
        return Err(ValidationErrors::single("rows", "required", "the file has a header but no rows"));
    }
    if rows.len() > MAX_IMPORT_ROWS {
        return Err(ValidationErrors::single("rows", "too_long", format!("at most {MAX_IMPORT_ROWS} rows")));
    }
    Ok(CsvTable { columns, width: header.len(), rows })
}

/// The insights of a CSV text for `product` (format in the module docs); `segments` are the
/// product's, looked up by name (case-insensitively). Every error is reported, none stored.
pub fn parse_insights_csv(
    text: &str,
    product: ProductId,
    segments: &[Segment],
) -> Result<Vec<InsightFields>, ValidationErrors> {
    let CsvTable { columns, width, rows } = read_csv_table(text, &INSIGHT_COLUMNS, &REQUIRED_INSIGHT_COLUMNS)?;
    let mut errors = ValidationErrors::new();
    let segment_by_name: HashMap<String, SegmentId> =
        segments.iter().map(|s| (s.fields.name.as_str().to_lowercase(), s.id)).collect();
    let mut parsed = Vec::with_capacity(rows.len());
    for (index, row) in rows.iter().enumerate() {
        let n = index + 1;
        let cell = |column: &str| columns.get(column).and_then(|i| row.get(*i)).map_or("", |v| v.as_str());
        let field = |column: &str| format!("rows[{n}].{column}");
        if row.len() > width {
            errors.add(format!("rows[{n}]"), "invalid", format!("has {} fields, the header {width}", row.len()));
            continue;
        }
        let date = match cell("date").trim() {
            "" => {
                errors.add(field("date"), "required", "must not be blank");
                None
            }
            raw => errors.check(parse_date(&field("date"), raw)),
        };
        let source = errors.check(InsightSource::parse(&field("source"), cell("source")));
        let importance = errors.check(Importance::parse(&field("importance"), cell("importance")));
        let segment_id = match cell("segment").trim() {
            "" => Some(None),
            name => match segment_by_name.get(&name.to_lowercase()) {
                Some(id) => Some(Some(*id)),
                None => {
                    errors.add(field("segment"), "not_found", format!("the product has no segment named {name:?}"));
                    None
                }
            },
        };
        let mut feature_ids = Vec::new();
        let mut features_ok = true;
        for raw in cell("features").split(';').map(str::trim).filter(|s| !s.is_empty()) {
            match raw.parse::<WorkItemId>() {
                Ok(id) => feature_ids.push(id),
                Err(_) => {
                    errors.add(field("features"), "invalid", format!("{raw:?} is not a work item id"));
                    features_ok = false;
                }
            }
        }
        let (Some(source), Some(importance), Some(segment_id), true) = (source, importance, segment_id, features_ok)
        else {
            continue;
        };
        let input = InsightInput {
            product_id: product,
            source,
            source_reference: cell("source_reference").to_owned(),
            customer: cell("customer").to_owned(),
            segment_id,
            date,
            quote: cell("quote").to_owned(),
            importance,
            feature_ids,
        };
        match InsightFields::parse(input) {
            // The date error (if any) is already recorded under its row.
            Ok(fields) if date.is_some() => parsed.push(fields),
            Ok(_) => {}
            Err(row_errors) => {
                for e in row_errors.errors() {
                    if e.field == "date" && date.is_none() {
                        continue;
                    }
                    errors.add(format!("rows[{n}].{}", rename_for_csv(&e.field)), e.code, e.message.clone());
                }
            }
        }
    }
    errors.into_result().map(|()| parsed)
}

/// A field of [`InsightFields::parse`] as the CSV column that holds it.
fn rename_for_csv(field: &str) -> &str {
    if field.starts_with("feature_ids") {
        "features"
    } else if field == "segment_id" {
        "segment"
    } else {
        field
    }
}

/// The store's errors of an import (`rows[2].feature_ids[0]`, `rows[2].segment_id`) named by the
/// CSV's columns (`rows[2].features`, `rows[2].segment`).
pub fn store_errors_as_csv_columns(errors: ValidationErrors) -> ValidationErrors {
    let mut renamed = ValidationErrors::new();
    for e in errors.errors() {
        let field = match e.field.split_once('.') {
            Some((row, field)) if row.starts_with("rows[") => format!("{row}.{}", rename_for_csv(field)),
            _ => e.field.clone(),
        };
        renamed.add(field, e.code, e.message.clone());
    }
    renamed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Meta;
    use chrono::{TimeZone, Utc};

    fn meta() -> Meta {
        let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        Meta { created_at: at, updated_at: at, version: 1 }
    }

    fn segment(product: ProductId, name: &str, weight: f64) -> Segment {
        let input = SegmentInput { product_id: product, name: name.into(), description: String::new(), weight };
        Segment { id: SegmentId::generate(), fields: SegmentFields::parse(input).unwrap(), meta: meta() }
    }

    fn insight(
        product: ProductId,
        customer: &str,
        importance: Importance,
        segment: Option<SegmentId>,
        features: &[WorkItemId],
    ) -> Insight {
        let input = InsightInput {
            product_id: product,
            source: InsightSource::Interview,
            source_reference: String::new(),
            customer: customer.into(),
            segment_id: segment,
            date: NaiveDate::from_ymd_opt(2026, 3, 1),
            quote: "We need this".into(),
            importance,
            feature_ids: features.to_vec(),
        };
        Insight { id: InsightId::generate(), fields: InsightFields::parse(input).unwrap(), meta: meta() }
    }

    #[test]
    fn demand_counts_each_customer_once_at_its_highest_importance_times_segment_weight() {
        let product = ProductId::generate();
        let enterprise = segment(product, "Enterprise", 2.0);
        let smb = segment(product, "SMB", 0.5);
        let (export, search) = (WorkItemId::generate(), WorkItemId::generate());
        let insights = vec![
            // Ann: critical in Enterprise (3 x 2) beats her important one.
            insight(product, "Ann", Importance::Critical, Some(enterprise.id), &[export]),
            insight(product, " ann ", Importance::Important, None, &[export, search]),
            // Bob: important, no segment (2 x 1).
            insight(product, "Bob", Importance::Important, None, &[export]),
            // Cy: nice to have twice at the same importance: the higher weight (1 x 2).
            insight(product, "Cy", Importance::NiceToHave, Some(smb.id), &[export]),
            insight(product, "Cy", Importance::NiceToHave, Some(enterprise.id), &[export]),
            // Dee: critical in SMB (3 x 0.5) on search only; unlinked insights count nowhere.
            insight(product, "Dee", Importance::Critical, Some(smb.id), &[search]),
            insight(product, "Eve", Importance::Critical, Some(enterprise.id), &[]),
        ];
        let demand = demand_by_feature(&insights, &[enterprise, smb]);
        assert_eq!(demand.len(), 2);
        assert_eq!(demand[&export], Demand { customers: 3, insights: 5, score: 6.0 + 2.0 + 2.0 });
        // Ann's important (2 x 1) and Dee's critical in SMB (3 x 0.5).
        assert_eq!(demand[&search], Demand { customers: 2, insights: 2, score: 3.5 });
    }

    #[test]
    fn segment_and_insight_fields_name_bad_fields() {
        let product = ProductId::generate();
        let errors = SegmentFields::parse(SegmentInput {
            product_id: product,
            name: " ".into(),
            description: String::new(),
            weight: 0.0,
        })
        .unwrap_err();
        let fields: Vec<&str> = errors.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "weight"]);
        let item = WorkItemId::generate();
        let errors = InsightFields::parse(InsightInput {
            product_id: product,
            source: InsightSource::Survey,
            source_reference: String::new(),
            customer: String::new(),
            segment_id: None,
            date: None,
            quote: "  ".into(),
            importance: Importance::Critical,
            feature_ids: vec![item, item],
        })
        .unwrap_err();
        let fields: Vec<(&str, &str)> = errors.errors().iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            fields,
            [("customer", "required"), ("date", "required"), ("quote", "required"), ("feature_ids[1]", "duplicate")]
        );
    }

    #[test]
    fn csv_reader_handles_quotes_crlf_and_blank_lines() {
        let records = parse_csv("a,b\r\n\"x, \"\"y\"\"\",\"two\nlines\"\n\n,last").unwrap();
        assert_eq!(
            records,
            vec![
                vec!["a".to_owned(), "b".into()],
                vec!["x, \"y\"".into(), "two\nlines".into()],
                vec!["".into(), "last".into()]
            ]
        );
        let error = parse_csv("a\n\"open").unwrap_err();
        assert_eq!(error.message, "the quoted field opened on line 2 is never closed");
    }

    #[test]
    fn insights_csv_imports_rows_with_segments_and_features() {
        let product = ProductId::generate();
        let enterprise = segment(product, "Enterprise", 2.0);
        let feature = WorkItemId::generate();
        let text = format!(
            "customer,date,source,importance,quote,segment,features,source_reference\n\
             Acme,2026-02-01,interview,critical,\"Exports, please\",enterprise,{feature},call-12\n\
             Bolt,2026-02-03,support_ticket,1,Slow search,,,\n"
        );
        let rows = parse_insights_csv(&text, product, std::slice::from_ref(&enterprise)).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].customer.as_str(), "Acme");
        assert_eq!(rows[0].quote.as_str(), "Exports, please");
        assert_eq!((rows[0].segment_id, rows[0].importance), (Some(enterprise.id), Importance::Critical));
        assert_eq!((rows[0].feature_ids.clone(), rows[0].source_reference.as_str()), (vec![feature], "call-12"));
        assert_eq!(
            (rows[1].source, rows[1].importance, rows[1].segment_id),
            (InsightSource::SupportTicket, Importance::NiceToHave, None)
        );
        assert!(rows[1].feature_ids.is_empty());
    }

    #[test]
    fn insights_csv_errors_name_row_and_column_and_store_nothing() {
        let product = ProductId::generate();
        let text = "date,source,customer,quote,importance,segment,features\n\
                    2026-02-01,interview,Acme,Fine,critical,,\n\
                    2026-02-30,podcast,Bolt,Bad,urgent,Nobody,not-an-id\n\
                    ,survey,,Also bad,2,,\n";
        let errors = parse_insights_csv(text, product, &[]).unwrap_err();
        let fields: Vec<(&str, &str)> = errors.errors().iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            fields,
            [
                ("rows[2].date", "invalid_date"),
                ("rows[2].source", "invalid"),
                ("rows[2].importance", "invalid"),
                ("rows[2].segment", "not_found"),
                ("rows[2].features", "invalid"),
                ("rows[3].date", "required"),
                ("rows[3].customer", "required"),
            ]
        );
        let errors = parse_insights_csv("date,source,who\n", product, &[]).unwrap_err();
        let messages: Vec<(&str, &str)> =
            errors.errors().iter().map(|e| (e.field.as_str(), e.message.as_str())).collect();
        assert_eq!(messages[0].0, "header");
        assert_eq!(errors.errors().len(), 4, "{messages:?}");
        assert_eq!(parse_insights_csv("", product, &[]).unwrap_err().errors()[0].field, "header");
    }
}
