//! Product strategy: objectives with key results (OKRs), the features that serve them, and the
//! product roadmap.
//!
//! **Objectives.** An objective belongs to a product and a time frame (a date range; a quarter
//! such as `2026-Q3` is accepted as a shorthand). Its key results each measure one metric from a
//! baseline towards a target; measurements are added over time (one per date: a second value on
//! the same date replaces the first).
//!
//! **Progress** of a key result = `(latest - baseline) / (target - baseline)`, clamped to 0..100 %,
//! where `latest` is the measurement with the latest date. A target below the baseline is a
//! "reduce" key result and the same formula holds (both differences are negative). A key result
//! without measurements has no progress. An objective's progress is the mean of its key results'
//! progress, counting unmeasured key results as 0 % (an objective is not on its way until each of
//! its results has moved).
//!
//! **Features serve objectives.** Epics and features of the objective's product link to it
//! (many-to-many); an item of another product, or of another kind, is refused on `work_item_id`.
//!
//! **Roadmap.** Every epic and feature of a product is one roadmap entry with dates and a lane
//! (now, next, later). Dates come, in order of preference, from the stored forecast of the
//! program the item's work belongs to ([`DateSource::Forecast`]: from the deterministic plan's
//! start of its first piece of work to the latest P80 finish of its work), from the program's
//! stored schedule ([`DateSource::Scheduled`]: first start to last finish of its work), else from
//! what the product manager entered ([`DateSource::Planned`]). An epic's or a feature's work is
//! itself when it is a leaf, else its leaf descendants (the scheduled and forecast activities). A lane the product manager chose is kept; otherwise
//! it follows from the dates: started or starting by the end of the current quarter is **now**,
//! starting in the next quarter is **next**, anything later or undated is **later**. Done and
//! cancelled items leave the roadmap.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, NaiveDate};

use crate::access::Access;
use crate::audit::Audited;
use crate::dependency::NodeRef;
use crate::error::{DomainError, DomainResult, EntityKind, FieldError, ValidationErrors};
use crate::ids::{KeyResultId, ObjectiveId, ProductId, ProgramId, TeamId, WorkItemId};
use crate::product::Product;
use crate::record::Record;
use crate::store::{PageRequest, WorkItemFilter, WorkItemOrder};
use crate::values::{DateRange, LongText, Name, check_date};
use crate::work_item::{WorkItem, WorkItemKind, WorkItemStatus};

macro_rules! word_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }

            pub fn parse(field: &str, raw: &str) -> Result<$name, FieldError> {
                $name::ALL.iter().copied().find(|v| v.as_str() == raw.trim()).ok_or_else(|| {
                    let words: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                    FieldError::new(field, "invalid", format!("must be one of {}", words.join(", ")))
                })
            }
        }
    };
}

word_enum!(
    /// Where an objective stands, as a product manager reports it in a review.
    ObjectiveStatus {
        Draft => "draft",
        OnTrack => "on_track",
        AtRisk => "at_risk",
        OffTrack => "off_track",
        Done => "done",
    }
);

impl ObjectiveStatus {
    /// Words for people ("on track").
    pub fn label(self) -> &'static str {
        match self {
            ObjectiveStatus::Draft => "draft",
            ObjectiveStatus::OnTrack => "on track",
            ObjectiveStatus::AtRisk => "at risk",
            ObjectiveStatus::OffTrack => "off track",
            ObjectiveStatus::Done => "done",
        }
    }
}

word_enum!(
    /// A roadmap lane.
    Lane {
        Now => "now",
        Next => "next",
        Later => "later",
    }
);

/// A calendar quarter, `2026-Q3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    pub year: i32,
    /// 1 to 4.
    pub number: u32,
}

impl Quarter {
    pub fn of(date: NaiveDate) -> Quarter {
        Quarter { year: date.year(), number: date.month0() / 3 + 1 }
    }

    pub fn parse(field: &str, raw: &str) -> Result<Quarter, FieldError> {
        let bad = || FieldError::new(field, "invalid", "must be a quarter such as 2026-Q3");
        let (year, number) = raw.trim().split_once("-Q").ok_or_else(bad)?;
        let year: i32 = year.parse().map_err(|_| bad())?;
        let number: u32 = number.parse().map_err(|_| bad())?;
        if !(1..=4).contains(&number) || !(1900..=9999).contains(&year) {
            return Err(bad());
        }
        Ok(Quarter { year, number })
    }

    pub fn start(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, (self.number - 1) * 3 + 1, 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn next(self) -> Quarter {
        if self.number == 4 {
            Quarter { year: self.year + 1, number: 1 }
        } else {
            Quarter { number: self.number + 1, ..self }
        }
    }

    /// The last day of the quarter.
    pub fn end(self) -> NaiveDate {
        self.next().start().pred_opt().unwrap_or(NaiveDate::MAX)
    }

    /// Never fails for a parsed quarter (its start lies before its end).
    pub fn range(self, field: &str) -> Result<DateRange, FieldError> {
        DateRange::new(field, self.start(), self.end())
    }

    pub fn label(self) -> String {
        format!("{}-Q{}", self.year, self.number)
    }
}

/// The time frame an objective covers: `quarter`, or `start` and `end`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PeriodInput {
    pub quarter: Option<String>,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
}

impl PeriodInput {
    pub fn quarter(label: &str) -> PeriodInput {
        PeriodInput { quarter: Some(label.to_owned()), start: None, end: None }
    }

    /// A quarter gives both dates; otherwise both `start` and `end` are needed.
    pub fn parse(self) -> Result<DateRange, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        match self.quarter.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            Some(raw) => {
                if self.start.is_some() || self.end.is_some() {
                    errors.add("quarter", "conflict", "give a quarter or start and end dates, not both");
                }
                let range = errors.check(Quarter::parse("quarter", raw).and_then(|q| q.range("quarter")));
                match range {
                    Some(range) if errors.is_empty() => Ok(range),
                    _ => Err(errors),
                }
            }
            None => {
                if self.start.is_none() {
                    errors.add("start", "required", "must not be blank (or give a quarter)");
                }
                if self.end.is_none() {
                    errors.add("end", "required", "must not be blank (or give a quarter)");
                }
                let start = self.start.and_then(|start| errors.check(check_date("start", start)));
                let end = self.end.and_then(|end| errors.check(check_date("end", end)));
                match (start, end) {
                    (Some(start), Some(end)) if errors.is_empty() => {
                        DateRange::new("end", start, end).map_err(ValidationErrors::from)
                    }
                    _ => Err(errors),
                }
            }
        }
    }
}

/// The largest magnitude a baseline, target or measured value may have.
pub const MAX_METRIC_MAGNITUDE: f64 = 1e12;

fn metric_value(field: &str, value: f64) -> Result<f64, FieldError> {
    if value.is_finite() && value.abs() <= MAX_METRIC_MAGNITUDE {
        Ok(value)
    } else {
        Err(FieldError::new(field, "out_of_range", "must be a finite number between -1e12 and 1e12"))
    }
}

/// A metric's unit (`%`, `users`, `EUR`, `ms`): at most 20 characters, may be empty.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Unit(String);

impl Unit {
    pub const MAX_CHARS: usize = 20;

    pub fn parse(field: &str, raw: &str) -> Result<Unit, FieldError> {
        let unit = raw.trim();
        if unit.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::new(field, "too_long", format!("at most {} characters", Self::MAX_CHARS)));
        }
        if unit.chars().any(char::is_control) {
            return Err(FieldError::new(field, "invalid", "must not contain control characters"));
        }
        Ok(Unit(unit.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One measured value of a key result's metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measurement {
    pub date: NaiveDate,
    pub value: f64,
}

impl Measurement {
    pub fn parse(date: Option<NaiveDate>, value: f64) -> Result<Measurement, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let date = match date {
            Some(date) => errors.check(check_date("date", date)),
            None => {
                errors.add("date", "required", "must not be blank");
                None
            }
        };
        let value = errors.check(metric_value("value", value));
        match (date, value) {
            (Some(date), Some(value)) if errors.is_empty() => Ok(Measurement { date, value }),
            _ => Err(errors),
        }
    }
}

/// What a caller supplies for one key result. `id` names an existing key result of the objective
/// (its measurements are kept); `None` adds a new one.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyResultInput {
    pub id: Option<KeyResultId>,
    pub metric: String,
    pub unit: String,
    pub baseline: f64,
    pub target: f64,
}

/// A key result: a metric moving from `baseline` towards `target`.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyResult {
    pub id: KeyResultId,
    pub metric: Name,
    pub unit: Unit,
    pub baseline: f64,
    /// Never equal to the baseline; below it for a "reduce" key result.
    pub target: f64,
    /// Oldest first, one per date. Read from the store; the store keeps them across updates of the
    /// objective and ignores those in the fields it is given (measurements are added with
    /// `Store::record_measurement`).
    pub measurements: Vec<Measurement>,
}

/// How far a key result has come.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KeyResultProgress {
    /// 0 to 100.
    pub percent: f64,
    pub latest: Measurement,
}

impl KeyResult {
    /// The measurement with the latest date.
    pub fn latest(&self) -> Option<Measurement> {
        self.measurements.iter().copied().max_by_key(|m| m.date)
    }

    /// Whether the target lies below the baseline.
    pub fn reduces(&self) -> bool {
        self.target < self.baseline
    }

    /// See the module docs; `None` before the first measurement.
    pub fn progress(&self) -> Option<KeyResultProgress> {
        let latest = self.latest()?;
        Some(KeyResultProgress { percent: progress_percent(self.baseline, self.target, latest.value), latest })
    }

    /// The formula with the key result's numbers, for people:
    /// `(42 - 30) / (50 - 30) = 60 % (latest 42 on 2026-03-31)`.
    pub fn explain(&self) -> String {
        match self.progress() {
            None => format!(
                "no measurement yet: progress = (latest - {}) / ({} - {})",
                number(self.baseline),
                number(self.target),
                number(self.baseline)
            ),
            Some(progress) => {
                let raw = (progress.latest.value - self.baseline) / (self.target - self.baseline) * 100.0;
                let clamped = if (0.0..=100.0).contains(&raw) { "" } else { ", clamped to 0..100 %" };
                format!(
                    "({} - {}) / ({} - {}) = {} %{} (latest {} on {})",
                    number(progress.latest.value),
                    number(self.baseline),
                    number(self.target),
                    number(self.baseline),
                    number(round1(progress.percent)),
                    clamped,
                    number(progress.latest.value),
                    progress.latest.date
                )
            }
        }
    }
}

/// `(latest - baseline) / (target - baseline)` in percent, clamped to 0..100. A target equal to
/// the baseline (which validation refuses) counts as reached once the value is there.
pub fn progress_percent(baseline: f64, target: f64, latest: f64) -> f64 {
    let span = target - baseline;
    if span == 0.0 {
        return if latest == target { 100.0 } else { 0.0 };
    }
    ((latest - baseline) / span * 100.0).clamp(0.0, 100.0)
}

fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

/// A number as people write it: `42`, `0.5`, `-3.25` (no trailing zeros).
pub fn number(value: f64) -> String {
    let text = format!("{:.4}", value);
    let trimmed = text.trim_end_matches('0').trim_end_matches('.');
    if trimmed == "-0" { "0".to_owned() } else { trimmed.to_owned() }
}

/// What a caller supplies for an objective.
#[derive(Debug, Clone)]
pub struct ObjectiveInput {
    pub product_id: ProductId,
    pub title: String,
    pub description: String,
    pub period: PeriodInput,
    pub status: ObjectiveStatus,
    pub key_results: Vec<KeyResultInput>,
}

/// An objective's validated fields. The store checks what needs other records: the product
/// exists, and each named key result belongs to this objective.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectiveFields {
    pub product_id: ProductId,
    pub title: Name,
    pub description: LongText,
    /// The time frame the objective covers.
    pub period: DateRange,
    pub status: ObjectiveStatus,
    /// In the order given.
    pub key_results: Vec<KeyResult>,
}

impl ObjectiveFields {
    pub const MAX_KEY_RESULTS: usize = 20;

    pub fn parse(input: ObjectiveInput) -> Result<ObjectiveFields, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let title = errors.check(Name::parse("title", &input.title));
        let description = errors.check(LongText::parse("description", &input.description));
        let period = errors.check_all(input.period.parse());
        if input.key_results.len() > Self::MAX_KEY_RESULTS {
            errors.add("key_results", "too_long", format!("at most {} key results", Self::MAX_KEY_RESULTS));
        }
        let mut seen = HashSet::new();
        let mut key_results = Vec::with_capacity(input.key_results.len());
        for (i, kr) in input.key_results.into_iter().enumerate() {
            let at = |field: &str| format!("key_results[{i}].{field}");
            if let Some(id) = kr.id
                && !seen.insert(id)
            {
                errors.add(at("id"), "duplicate", format!("key result {id} is listed twice"));
            }
            let metric = errors.check(Name::parse(&at("metric"), &kr.metric));
            let unit = errors.check(Unit::parse(&at("unit"), &kr.unit));
            let baseline = errors.check(metric_value(&at("baseline"), kr.baseline));
            let target = errors.check(metric_value(&at("target"), kr.target));
            if let (Some(baseline), Some(target)) = (baseline, target)
                && baseline == target
            {
                errors.add(at("target"), "equals_baseline", "must differ from the baseline");
            }
            if let (Some(metric), Some(unit), Some(baseline), Some(target)) = (metric, unit, baseline, target) {
                key_results.push(KeyResult {
                    id: kr.id.unwrap_or_else(KeyResultId::generate),
                    metric,
                    unit,
                    baseline,
                    target,
                    measurements: Vec::new(),
                });
            }
        }
        match (title, description, period) {
            (Some(title), Some(description), Some(period)) if errors.is_empty() => Ok(ObjectiveFields {
                product_id: input.product_id,
                title,
                description,
                period,
                status: input.status,
                key_results,
            }),
            _ => Err(errors),
        }
    }

    /// The mean of the key results' progress, unmeasured ones counting 0 %; `None` without key
    /// results.
    pub fn progress(&self) -> Option<f64> {
        if self.key_results.is_empty() {
            return None;
        }
        let sum: f64 = self.key_results.iter().map(|kr| kr.progress().map_or(0.0, |p| p.percent)).sum();
        Some(sum / self.key_results.len() as f64)
    }

    pub fn key_result(&self, id: KeyResultId) -> Option<&KeyResult> {
        self.key_results.iter().find(|kr| kr.id == id)
    }
}

pub type Objective = Record<ObjectiveId, ObjectiveFields>;

/// Which objectives to list (ordered by the start of their period, then creation).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectiveFilter {
    pub product: Option<ProductId>,
    /// Objectives this work item serves.
    pub work_item: Option<WorkItemId>,
    /// Only what a user may read (`None`: everything); see [`crate::access`].
    pub visible: Option<crate::access::Visibility>,
}

/// One feature serving one objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectiveLink {
    pub objective_id: ObjectiveId,
    pub work_item_id: WorkItemId,
}

/// Whether a work item may serve an objective or sit on a roadmap: an epic or a feature of
/// `product` (field `work_item_id`: `other_product`, `not_a_feature`).
pub fn check_feature(item: &WorkItem, product: ProductId) -> Result<(), FieldError> {
    if item.fields.placement.product_id() != Some(product) {
        return Err(FieldError::new(
            "work_item_id",
            "other_product",
            format!("work item {} is not in product {product}", item.id),
        ));
    }
    if !matches!(item.fields.kind, WorkItemKind::Epic | WorkItemKind::Feature) {
        return Err(FieldError::new("work_item_id", "not_a_feature", "must be an epic or a feature"));
    }
    Ok(())
}

impl Audited for Objective {
    const ENTITY: EntityKind = EntityKind::Objective;
    fn audit_id(&self) -> String {
        self.id.to_string()
    }
    fn audit_label(&self) -> String {
        self.fields.title.as_str().to_owned()
    }
    fn audit_values(&self) -> Vec<(&'static str, Option<String>)> {
        let f = &self.fields;
        let key_results: Vec<String> = f
            .key_results
            .iter()
            .map(|kr| {
                let unit = if kr.unit.as_str().is_empty() { String::new() } else { format!(" {}", kr.unit.as_str()) };
                format!("{}: {} -> {}{unit}", kr.metric.as_str(), number(kr.baseline), number(kr.target))
            })
            .collect();
        vec![
            ("product_id", Some(f.product_id.to_string())),
            ("title", Some(f.title.as_str().to_owned())),
            ("description", Some(f.description.as_str().to_owned())),
            ("start", Some(f.period.start().to_string())),
            ("end", Some(f.period.end().to_string())),
            ("status", Some(f.status.as_str().to_owned())),
            ("key_results", (!key_results.is_empty()).then(|| key_results.join("; "))),
        ]
    }
}

// ----- roadmap entries -----

/// What the product manager entered for a feature on the roadmap: a lane and planned dates, each
/// optional.
#[derive(Debug, Clone, PartialEq)]
pub struct RoadmapEntryInput {
    pub lane: Option<String>,
    pub planned_start: Option<NaiveDate>,
    pub planned_finish: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoadmapEntryFields {
    /// `None`: follow the dates (see the module docs).
    pub lane: Option<Lane>,
    pub planned: Option<DateRange>,
}

impl RoadmapEntryFields {
    pub fn parse(input: RoadmapEntryInput) -> Result<RoadmapEntryFields, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let lane = errors.check(
            input.lane.as_deref().map(str::trim).filter(|l| !l.is_empty()).map(|l| Lane::parse("lane", l)).transpose(),
        );
        let planned = match (input.planned_start, input.planned_finish) {
            (None, None) => None,
            (Some(start), Some(finish)) => {
                let start = errors.check(check_date("planned_start", start));
                let finish = errors.check(check_date("planned_finish", finish));
                match (start, finish) {
                    (Some(start), Some(finish)) => errors.check(DateRange::new("planned_finish", start, finish)),
                    _ => None,
                }
            }
            (None, Some(_)) => {
                errors.add("planned_start", "required", "give both planned dates or neither");
                None
            }
            (Some(_), None) => {
                errors.add("planned_finish", "required", "give both planned dates or neither");
                None
            }
        };
        match lane {
            Some(lane) if errors.is_empty() => Ok(RoadmapEntryFields { lane, planned }),
            _ => Err(errors),
        }
    }
}

/// Keyed by the work item it places.
pub type RoadmapEntry = Record<WorkItemId, RoadmapEntryFields>;

impl Audited for RoadmapEntry {
    const ENTITY: EntityKind = EntityKind::RoadmapEntry;
    fn audit_id(&self) -> String {
        self.id.to_string()
    }
    fn audit_label(&self) -> String {
        format!("roadmap entry of work item {}", self.id)
    }
    fn audit_values(&self) -> Vec<(&'static str, Option<String>)> {
        let f = &self.fields;
        vec![
            ("lane", f.lane.map(|l| l.as_str().to_owned())),
            ("planned_start", f.planned.map(|p| p.start().to_string())),
            ("planned_finish", f.planned.map(|p| p.end().to_string())),
        ]
    }
}

// ----- the strategy and roadmap views -----

/// A product's objectives with the features serving each, for the strategy page and its JSON twin.
#[derive(Debug, Clone)]
pub struct ProductStrategy {
    pub product: Product,
    pub objectives: Vec<ObjectiveWithFeatures>,
    /// The product's epics and features (rank order), to offer for linking.
    pub features: Vec<WorkItem>,
}

#[derive(Debug, Clone)]
pub struct ObjectiveWithFeatures {
    pub objective: Objective,
    /// In rank order.
    pub features: Vec<WorkItem>,
}

/// Every epic and feature of a product (rank order), at most [`MAX_ROADMAP_ITEMS`].
async fn product_features(access: Access<'_>, product: ProductId) -> DomainResult<Vec<WorkItem>> {
    let mut features = Vec::new();
    for kind in [WorkItemKind::Epic, WorkItemKind::Feature] {
        let filter = WorkItemFilter {
            product: Some(product),
            kind: Some(kind),
            order: WorkItemOrder::Rank,
            ..Default::default()
        };
        features.extend(access.list_work_items(&filter, &PageRequest::first(PageRequest::MAX_LIMIT)).await?.items);
    }
    features.sort_by(|a, b| a.rank.cmp(&b.rank).then(a.id.cmp(&b.id)));
    features.truncate(MAX_ROADMAP_ITEMS);
    Ok(features)
}

/// A product's roadmap shows at most this many epics and features (the first by rank).
pub const MAX_ROADMAP_ITEMS: usize = 500;

pub async fn product_strategy(access: Access<'_>, product_id: ProductId) -> DomainResult<ProductStrategy> {
    let product = access.get_product(product_id).await?;
    let objectives =
        access.list_objectives(&ObjectiveFilter { product: Some(product_id), ..Default::default() }).await?;
    let links = access.list_objective_links(product_id).await?;
    let features = product_features(access, product_id).await?;
    let by_id: HashMap<WorkItemId, &WorkItem> = features.iter().map(|f| (f.id, f)).collect();
    let objectives = objectives
        .into_iter()
        .map(|objective| {
            let mut served: Vec<WorkItem> = links
                .iter()
                .filter(|l| l.objective_id == objective.id)
                .filter_map(|l| by_id.get(&l.work_item_id).map(|w| (*w).clone()))
                .collect();
            served.sort_by(|a, b| a.rank.cmp(&b.rank).then(a.id.cmp(&b.id)));
            ObjectiveWithFeatures { objective, features: served }
        })
        .collect();
    Ok(ProductStrategy { product, objectives, features })
}

/// Where a roadmap date comes from (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateSource {
    /// The stored forecast of the item's program (finish: the latest P80 of its work).
    Forecast,
    /// The stored schedule of the item's program.
    Scheduled,
    /// Entered by the product manager.
    Planned,
}

impl DateSource {
    pub fn as_str(self) -> &'static str {
        match self {
            DateSource::Forecast => "forecast",
            DateSource::Scheduled => "scheduled",
            DateSource::Planned => "planned",
        }
    }
}

/// How roadmap rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RoadmapGrouping {
    #[default]
    Objective,
    Team,
}

impl RoadmapGrouping {
    pub fn parse(field: &str, raw: &str) -> Result<RoadmapGrouping, FieldError> {
        match raw.trim() {
            "" | "objective" => Ok(RoadmapGrouping::Objective),
            "team" => Ok(RoadmapGrouping::Team),
            _ => Err(FieldError::new(field, "invalid", "must be one of objective, team")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RoadmapGrouping::Objective => "objective",
            RoadmapGrouping::Team => "team",
        }
    }
}

/// One feature on the roadmap.
#[derive(Debug, Clone, PartialEq)]
pub struct RoadmapItem {
    pub work_item_id: WorkItemId,
    pub title: String,
    pub kind: WorkItemKind,
    pub status: WorkItemStatus,
    pub team_id: Option<TeamId>,
    pub lane: Lane,
    /// Whether the product manager chose the lane (else it follows from the dates).
    pub lane_entered: bool,
    pub dates: Option<DateRange>,
    /// `None` exactly when `dates` is.
    pub date_source: Option<DateSource>,
    pub objective_ids: Vec<ObjectiveId>,
}

/// A group of roadmap rows: one objective (or none), or one team (or none).
#[derive(Debug, Clone, PartialEq)]
pub struct RoadmapGroup {
    /// The objective's or the team's id; `None` for the items without one.
    pub key: Option<String>,
    pub label: String,
    /// Indexes into [`Roadmap::items`].
    pub items: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Roadmap {
    pub product_id: ProductId,
    pub today: NaiveDate,
    pub grouping: RoadmapGrouping,
    /// Rank order.
    pub items: Vec<RoadmapItem>,
    pub groups: Vec<RoadmapGroup>,
    /// The quarters the timeline spans: from the earlier of today's quarter and the first start
    /// to the last finish, at most [`MAX_TIMELINE_QUARTERS`].
    pub quarters: Vec<Quarter>,
}

pub const MAX_TIMELINE_QUARTERS: usize = 12;

/// Everything the roadmap is made of, gathered by [`product_roadmap`] (or a test).
#[derive(Debug, Clone)]
pub struct RoadmapInput {
    pub product_id: ProductId,
    /// The product's epics and features, rank order.
    pub features: Vec<WorkItem>,
    pub entries: Vec<RoadmapEntry>,
    /// Scheduled start and finish of epics and features from stored program schedules.
    pub scheduled: HashMap<WorkItemId, DateRange>,
    /// Their forecast start and P80 finish from stored program forecasts.
    pub forecast: HashMap<WorkItemId, DateRange>,
    pub objectives: Vec<Objective>,
    pub links: Vec<ObjectiveLink>,
    pub team_names: HashMap<TeamId, String>,
}

/// The lane dates imply (see the module docs).
pub fn lane_from_dates(dates: Option<DateRange>, today: NaiveDate) -> Lane {
    let this_quarter = Quarter::of(today);
    match dates {
        Some(dates) if dates.start() <= this_quarter.end() => Lane::Now,
        Some(dates) if dates.start() <= this_quarter.next().end() => Lane::Next,
        _ => Lane::Later,
    }
}

/// Builds a product's roadmap from its parts (pure).
pub fn build_roadmap(input: RoadmapInput, today: NaiveDate, grouping: RoadmapGrouping) -> Roadmap {
    let entries: HashMap<WorkItemId, &RoadmapEntry> = input.entries.iter().map(|e| (e.id, e)).collect();
    let mut objectives_of: HashMap<WorkItemId, Vec<ObjectiveId>> = HashMap::new();
    let objective_order: HashMap<ObjectiveId, usize> =
        input.objectives.iter().enumerate().map(|(i, o)| (o.id, i)).collect();
    for link in &input.links {
        if objective_order.contains_key(&link.objective_id) {
            objectives_of.entry(link.work_item_id).or_default().push(link.objective_id);
        }
    }
    let items: Vec<RoadmapItem> = input
        .features
        .iter()
        .filter(|f| !matches!(f.fields.status, WorkItemStatus::Done | WorkItemStatus::Cancelled))
        .map(|feature| {
            let entry = entries.get(&feature.id);
            let (dates, date_source) = match (
                input.forecast.get(&feature.id),
                input.scheduled.get(&feature.id),
                entry.and_then(|e| e.fields.planned),
            ) {
                (Some(forecast), _, _) => (Some(*forecast), Some(DateSource::Forecast)),
                (None, Some(scheduled), _) => (Some(*scheduled), Some(DateSource::Scheduled)),
                (None, None, Some(planned)) => (Some(planned), Some(DateSource::Planned)),
                (None, None, None) => (None, None),
            };
            let entered = entry.and_then(|e| e.fields.lane);
            let mut objective_ids = objectives_of.get(&feature.id).cloned().unwrap_or_default();
            objective_ids.sort_by_key(|id| objective_order.get(id).copied().unwrap_or(usize::MAX));
            RoadmapItem {
                work_item_id: feature.id,
                title: feature.fields.title.as_str().to_owned(),
                kind: feature.fields.kind,
                status: feature.fields.status,
                team_id: feature.fields.team_id,
                lane: entered.unwrap_or_else(|| lane_from_dates(dates, today)),
                lane_entered: entered.is_some(),
                dates,
                date_source,
                objective_ids,
            }
        })
        .collect();
    let groups = match grouping {
        RoadmapGrouping::Objective => {
            let mut groups: Vec<RoadmapGroup> = input
                .objectives
                .iter()
                .map(|o| RoadmapGroup {
                    key: Some(o.id.to_string()),
                    label: o.fields.title.as_str().to_owned(),
                    items: items
                        .iter()
                        .enumerate()
                        .filter(|(_, i)| i.objective_ids.contains(&o.id))
                        .map(|(n, _)| n)
                        .collect(),
                })
                .collect();
            groups.push(RoadmapGroup {
                key: None,
                label: "No objective".to_owned(),
                items: items.iter().enumerate().filter(|(_, i)| i.objective_ids.is_empty()).map(|(n, _)| n).collect(),
            });
            groups
        }
        RoadmapGrouping::Team => {
            let mut by_team: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
            let mut unassigned = Vec::new();
            for (n, item) in items.iter().enumerate() {
                match item.team_id {
                    Some(team) => {
                        let name = input.team_names.get(&team).cloned().unwrap_or_else(|| team.to_string());
                        by_team.entry((name, team.to_string())).or_default().push(n);
                    }
                    None => unassigned.push(n),
                }
            }
            let mut groups: Vec<RoadmapGroup> = by_team
                .into_iter()
                .map(|((label, key), items)| RoadmapGroup { key: Some(key), label, items })
                .collect();
            groups.push(RoadmapGroup { key: None, label: "No team".to_owned(), items: unassigned });
            groups
        }
    };
    let groups = groups.into_iter().filter(|g| !g.items.is_empty()).collect();
    let first = items.iter().filter_map(|i| i.dates.map(|d| d.start())).min().map_or(today, |d| d.min(today));
    let last = items.iter().filter_map(|i| i.dates.map(|d| d.end())).max().map_or(today, |d| d.max(today));
    let mut quarters = vec![Quarter::of(first)];
    while let Some(&q) = quarters.last()
        && q < Quarter::of(last)
        && quarters.len() < MAX_TIMELINE_QUARTERS
    {
        quarters.push(q.next());
    }
    Roadmap { product_id: input.product_id, today, grouping, items, groups, quarters }
}

/// Gathers a product's roadmap as `access`'s user may see it and builds it.
pub async fn product_roadmap(
    access: Access<'_>,
    product_id: ProductId,
    today: NaiveDate,
    grouping: RoadmapGrouping,
) -> DomainResult<Roadmap> {
    access.get_product(product_id).await?;
    let features = product_features(access, product_id).await?;
    let entries = access.list_roadmap_entries(product_id).await?;
    let objectives =
        access.list_objectives(&ObjectiveFilter { product: Some(product_id), ..Default::default() }).await?;
    let links = access.list_objective_links(product_id).await?;
    // The programs of the features' projects, each schedule read once.
    let mut program_of_project = HashMap::new();
    let mut programs: Vec<ProgramId> = Vec::new();
    for feature in &features {
        if let Some(project) = feature.fields.placement.project_id()
            && !program_of_project.contains_key(&project)
        {
            match access.get_project(project).await {
                Ok(p) => {
                    program_of_project.insert(project, p.fields.program_id);
                    if !programs.contains(&p.fields.program_id) {
                        programs.push(p.fields.program_id);
                    }
                }
                // A project this user may not read gives no schedule dates.
                Err(DomainError::NotFound { .. }) => {}
                Err(other) => return Err(other),
            }
        }
    }
    let wanted: HashSet<WorkItemId> = features.iter().map(|f| f.id).collect();
    let mut scheduled = DateRoll::default();
    let mut forecast = DateRoll::default();
    for program in programs {
        // Each piece of work rolls up into the epics and features above it.
        let mut parent_of = HashMap::new();
        let filter = WorkItemFilter { program: Some(program), ..Default::default() };
        let mut request = PageRequest::first(PageRequest::MAX_LIMIT);
        loop {
            let page = access.store().list_work_items(&filter, &request).await?;
            for item in &page.items {
                if let Some(parent) = item.fields.parent_id {
                    parent_of.insert(item.id, parent);
                }
            }
            match page.next_cursor {
                Some(cursor) => request.after = Some(cursor),
                None => break,
            }
        }
        let rolled_into = |leaf: WorkItemId| {
            let mut targets = Vec::new();
            let mut at = Some(leaf);
            // Parent chains have no cycles (the store refuses them); the bound only guards a loop.
            for _ in 0..=parent_of.len() {
                let Some(id) = at else { break };
                if wanted.contains(&id) {
                    targets.push(id);
                }
                at = parent_of.get(&id).copied();
            }
            targets
        };
        if let Some(schedule) = access.store().latest_program_schedule(program).await? {
            for entry in &schedule.entries {
                if let NodeRef::WorkItem(id) = entry.node {
                    for target in rolled_into(id) {
                        scheduled.add(target, entry.start, entry.finish);
                    }
                }
            }
        }
        if let Some(stored) = access.store().latest_program_forecast(program).await? {
            for activity in &stored.activity_forecasts {
                if let NodeRef::WorkItem(id) = activity.node {
                    let start = stored.date(activity.plan_start);
                    for target in rolled_into(id) {
                        forecast.add(target, start, activity.finish.p80);
                    }
                }
            }
        }
    }
    let scheduled = scheduled.ranges();
    let forecast = forecast.ranges();
    let mut team_names = HashMap::new();
    for team in features.iter().filter_map(|f| f.fields.team_id).collect::<HashSet<_>>() {
        match access.get_team(team).await {
            Ok(t) => {
                team_names.insert(team, t.fields.name.as_str().to_owned());
            }
            Err(DomainError::NotFound { .. }) => {}
            Err(other) => return Err(other),
        }
    }
    let input = RoadmapInput { product_id, features, entries, scheduled, forecast, objectives, links, team_names };
    Ok(build_roadmap(input, today, grouping))
}

/// Earliest start and latest finish per item, gathered from its pieces of work.
#[derive(Debug, Default)]
struct DateRoll(HashMap<WorkItemId, (NaiveDate, NaiveDate)>);

impl DateRoll {
    fn add(&mut self, id: WorkItemId, start: NaiveDate, finish: NaiveDate) {
        let span = self.0.entry(id).or_insert((start, finish));
        span.0 = span.0.min(start);
        span.1 = span.1.max(finish);
    }

    fn ranges(self) -> HashMap<WorkItemId, DateRange> {
        self.0
            .into_iter()
            .filter_map(|(id, (start, finish))| {
                DateRange::new("finish", start, finish.max(start)).ok().map(|r| (id, r))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Meta;
    use crate::values::{Estimate, Headcount, LongText as Text};
    use crate::work_item::{Placement, WorkItemFields};

    fn day(raw: &str) -> NaiveDate {
        NaiveDate::parse_from_str(raw, "%Y-%m-%d").unwrap()
    }

    fn key_result(baseline: f64, target: f64, measurements: &[(&str, f64)]) -> KeyResult {
        KeyResult {
            id: KeyResultId::generate(),
            metric: Name::parse("metric", "Weekly active teams").unwrap(),
            unit: Unit::parse("unit", "teams").unwrap(),
            baseline,
            target,
            measurements: measurements.iter().map(|(d, v)| Measurement { date: day(d), value: *v }).collect(),
        }
    }

    #[test]
    fn progress_is_the_share_of_the_way_from_baseline_to_target() {
        assert_eq!(progress_percent(30.0, 50.0, 42.0), 60.0);
        assert_eq!(progress_percent(30.0, 50.0, 30.0), 0.0);
        assert_eq!(progress_percent(30.0, 50.0, 50.0), 100.0);
        // A reduce key result: 120 ms down to 80 ms, now at 110 ms is a quarter of the way.
        assert_eq!(progress_percent(120.0, 80.0, 110.0), 25.0);
        assert_eq!(progress_percent(120.0, 80.0, 80.0), 100.0);
    }

    #[test]
    fn progress_is_clamped_to_0_and_100() {
        assert_eq!(progress_percent(30.0, 50.0, 20.0), 0.0);
        assert_eq!(progress_percent(30.0, 50.0, 75.0), 100.0);
        assert_eq!(progress_percent(120.0, 80.0, 130.0), 0.0);
        assert_eq!(progress_percent(120.0, 80.0, 60.0), 100.0);
    }

    #[test]
    fn the_latest_measurement_by_date_counts_whatever_the_order() {
        let kr = key_result(30.0, 50.0, &[("2026-03-31", 45.0), ("2026-01-31", 33.0), ("2026-02-28", 38.0)]);
        let progress = kr.progress().unwrap();
        assert_eq!(progress.latest, Measurement { date: day("2026-03-31"), value: 45.0 });
        assert_eq!(progress.percent, 75.0);
        assert_eq!(kr.explain(), "(45 - 30) / (50 - 30) = 75 % (latest 45 on 2026-03-31)");
        let over = key_result(120.0, 80.0, &[("2026-02-01", 70.0)]);
        assert_eq!(over.explain(), "(70 - 120) / (80 - 120) = 100 %, clamped to 0..100 % (latest 70 on 2026-02-01)");
        assert!(over.reduces());
        let none = key_result(0.5, 0.75, &[]);
        assert_eq!(none.progress(), None);
        assert_eq!(none.explain(), "no measurement yet: progress = (latest - 0.5) / (0.75 - 0.5)");
    }

    fn fields(key_results: Vec<KeyResult>) -> ObjectiveFields {
        ObjectiveFields {
            product_id: ProductId::generate(),
            title: Name::parse("title", "Win mid-size teams").unwrap(),
            description: Text::parse("description", "").unwrap(),
            period: Quarter::parse("quarter", "2026-Q1").unwrap().range("quarter").unwrap(),
            status: ObjectiveStatus::OnTrack,
            key_results,
        }
    }

    #[test]
    fn an_objective_averages_its_key_results_counting_unmeasured_ones_as_zero() {
        let objective = fields(vec![
            key_result(30.0, 50.0, &[("2026-03-31", 42.0)]),
            key_result(120.0, 80.0, &[("2026-03-31", 110.0)]),
            key_result(0.0, 10.0, &[]),
        ]);
        // (60 + 25 + 0) / 3
        assert_eq!(objective.progress(), Some(85.0 / 3.0));
        assert_eq!(fields(Vec::new()).progress(), None);
    }

    fn input(key_results: Vec<KeyResultInput>, period: PeriodInput) -> ObjectiveInput {
        ObjectiveInput {
            product_id: ProductId::generate(),
            title: "Win mid-size teams".to_owned(),
            description: String::new(),
            period,
            status: ObjectiveStatus::Draft,
            key_results,
        }
    }

    fn kr_input(metric: &str, baseline: f64, target: f64) -> KeyResultInput {
        KeyResultInput { id: None, metric: metric.to_owned(), unit: "%".to_owned(), baseline, target }
    }

    fn codes(errors: ValidationErrors) -> Vec<(String, &'static str)> {
        errors.errors().iter().map(|e| (e.field.clone(), e.code)).collect()
    }

    #[test]
    fn a_quarter_gives_the_period_and_bad_key_results_name_their_row() {
        let parsed =
            ObjectiveFields::parse(input(vec![kr_input("Activation", 30.0, 50.0)], PeriodInput::quarter("2026-Q3")))
                .unwrap();
        assert_eq!((parsed.period.start(), parsed.period.end()), (day("2026-07-01"), day("2026-09-30")));
        let errors = ObjectiveFields::parse(input(
            vec![kr_input("Activation", 30.0, 30.0), kr_input("", f64::NAN, 1.0)],
            PeriodInput::quarter("2026-Q5"),
        ))
        .unwrap_err();
        assert_eq!(
            codes(errors),
            vec![
                ("quarter".to_owned(), "invalid"),
                ("key_results[0].target".to_owned(), "equals_baseline"),
                ("key_results[1].metric".to_owned(), "required"),
                ("key_results[1].baseline".to_owned(), "out_of_range"),
            ]
        );
        let errors = ObjectiveFields::parse(input(Vec::new(), PeriodInput::default())).unwrap_err();
        assert_eq!(codes(errors), vec![("start".to_owned(), "required"), ("end".to_owned(), "required")]);
        let backwards = PeriodInput { quarter: None, start: Some(day("2026-05-01")), end: Some(day("2026-04-01")) };
        let errors = ObjectiveFields::parse(input(Vec::new(), backwards)).unwrap_err();
        assert_eq!(codes(errors), vec![("end".to_owned(), "before_start")]);
    }

    #[test]
    fn roadmap_entries_need_both_planned_dates_or_neither() {
        let parsed = RoadmapEntryFields::parse(RoadmapEntryInput {
            lane: Some("next".to_owned()),
            planned_start: Some(day("2026-04-01")),
            planned_finish: Some(day("2026-05-15")),
        })
        .unwrap();
        assert_eq!(parsed.lane, Some(Lane::Next));
        let errors = RoadmapEntryFields::parse(RoadmapEntryInput {
            lane: Some("soon".to_owned()),
            planned_start: None,
            planned_finish: Some(day("2026-05-15")),
        })
        .unwrap_err();
        assert_eq!(codes(errors), vec![("lane".to_owned(), "invalid"), ("planned_start".to_owned(), "required")]);
    }

    fn feature(product: ProductId, title: &str, rank: i64) -> WorkItem {
        let at = crate::record::now();
        WorkItem {
            id: WorkItemId::generate(),
            fields: WorkItemFields {
                kind: WorkItemKind::Feature,
                placement: Placement::Product(product),
                parent_id: None,
                title: Name::parse("title", title).unwrap(),
                description: Text::parse("description", "").unwrap(),
                status: WorkItemStatus::Backlog,
                estimate: Estimate::exact(5.0).unwrap(),
                story_points: None,
                team_id: None,
                people_needed: Headcount::parse("people_needed", 1).unwrap(),
                released_on: None,
                percent_complete: crate::values::PercentComplete::ZERO,
            },
            rank: crate::values::Rank::new(rank),
            meta: Meta { created_at: at, updated_at: at, version: 1 },
        }
    }

    fn entry(item: &WorkItem, lane: Option<Lane>, planned: Option<(&str, &str)>) -> RoadmapEntry {
        let at = crate::record::now();
        RoadmapEntry {
            id: item.id,
            fields: RoadmapEntryFields {
                lane,
                planned: planned.map(|(s, f)| DateRange::new("planned_finish", day(s), day(f)).unwrap()),
            },
            meta: Meta { created_at: at, updated_at: at, version: 1 },
        }
    }

    #[test]
    fn roadmap_prefers_forecast_then_scheduled_dates_keeps_entered_lanes_and_derives_the_rest() {
        let product = ProductId::generate();
        let scheduled = feature(product, "Scheduled", 1);
        let forecast = feature(product, "Forecast", 6);
        let planned_next = feature(product, "Planned next quarter", 2);
        let chosen_later = feature(product, "Chosen later", 3);
        let undated = feature(product, "Undated", 4);
        let mut done = feature(product, "Shipped", 5);
        done.fields.status = WorkItemStatus::Done;
        let today = day("2026-02-10");
        let input = RoadmapInput {
            product_id: product,
            features: vec![
                scheduled.clone(),
                planned_next.clone(),
                chosen_later.clone(),
                undated.clone(),
                done,
                forecast.clone(),
            ],
            entries: vec![
                // The schedule wins over what was planned.
                entry(&scheduled, None, Some(("2026-09-01", "2026-10-01"))),
                entry(&planned_next, None, Some(("2026-04-15", "2026-06-30"))),
                entry(&chosen_later, Some(Lane::Later), Some(("2026-02-01", "2026-03-01"))),
            ],
            scheduled: HashMap::from([
                (scheduled.id, DateRange::new("finish", day("2026-01-12"), day("2026-03-20")).unwrap()),
                (forecast.id, DateRange::new("finish", day("2026-01-12"), day("2026-03-20")).unwrap()),
            ]),
            // The forecast wins over the schedule.
            forecast: HashMap::from([(
                forecast.id,
                DateRange::new("finish", day("2026-05-04"), day("2026-06-19")).unwrap(),
            )]),
            objectives: Vec::new(),
            links: Vec::new(),
            team_names: HashMap::new(),
        };
        let roadmap = build_roadmap(input, today, RoadmapGrouping::Objective);
        let summary: Vec<(&str, Lane, bool, Option<DateSource>)> =
            roadmap.items.iter().map(|i| (i.title.as_str(), i.lane, i.lane_entered, i.date_source)).collect();
        assert_eq!(
            summary,
            vec![
                ("Scheduled", Lane::Now, false, Some(DateSource::Scheduled)),
                ("Planned next quarter", Lane::Next, false, Some(DateSource::Planned)),
                ("Chosen later", Lane::Later, true, Some(DateSource::Planned)),
                ("Undated", Lane::Later, false, None),
                ("Forecast", Lane::Next, false, Some(DateSource::Forecast)),
            ]
        );
        assert_eq!(roadmap.items[0].dates.map(|d| d.start()), Some(day("2026-01-12")));
        assert_eq!(roadmap.items[4].dates.map(|d| d.end()), Some(day("2026-06-19")));
        let quarters: Vec<String> = roadmap.quarters.iter().map(|q| q.label()).collect();
        assert_eq!(quarters, vec!["2026-Q1", "2026-Q2"]);
        assert_eq!(roadmap.groups.len(), 1);
        assert_eq!(
            (roadmap.groups[0].label.as_str(), roadmap.groups[0].items.clone()),
            ("No objective", vec![0, 1, 2, 3, 4])
        );
    }

    #[test]
    fn a_feature_must_be_an_epic_or_feature_of_the_product() {
        let product = ProductId::generate();
        let mut item = feature(product, "Export", 1);
        assert_eq!(check_feature(&item, product), Ok(()));
        assert_eq!(check_feature(&item, ProductId::generate()).unwrap_err().code, "other_product");
        item.fields.kind = WorkItemKind::Story;
        assert_eq!(check_feature(&item, product).unwrap_err().code, "not_a_feature");
    }
}
