//! The product backlog: what a work item carries beyond its fields when it sits in a product's
//! backlog (a user story's "As a ..., I want ..., so that ..." with acceptance criteria, and the
//! inputs of each prioritization framework), the rules for moving items in the manual order, and
//! bulk edits.
//!
//! [`BacklogDetails`] are stored beside the work item (their own table in each backend, one row
//! per item at most) but belong to it: writing them names the item's version, bumps it, and
//! appends one audit event on the work item ([`BacklogRecord`], fields `story.*`, `rice.*`,
//! `wsjf.*`, `cd3.*`, `moscow`, `impact_effort.*`). Scores are computed on read from the stored
//! inputs (see [`crate::prioritization`]): a formula change never leaves stale numbers behind.
//!
//! Reordering renumbers: after a move the product's items get ranks `RANK_STEP, 2 * RANK_STEP,
//! ...` in their new order ([`renumbered`]), and only the items whose rank changed are written
//! (one audit event each).

use std::collections::HashSet;

use crate::audit::Audited;
use crate::error::{DomainError, DomainResult, EntityKind, ValidationErrors};
use crate::ids::WorkItemId;
use crate::prioritization::{Framework, FrameworkScores, ImpactEffort, Moscow, Rice};
use crate::values::{Name, Rank};
use crate::work_item::{WorkItem, WorkItemStatus};

/// Rank distance between neighbours after a renumbering.
pub const RANK_STEP: i64 = 1024;

/// How many items one bulk edit may touch.
pub const MAX_BULK_ITEMS: usize = 500;

/// What a caller supplies for a user story.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserStoryInput {
    pub as_a: String,
    pub i_want: String,
    pub so_that: String,
    /// Blank entries are dropped.
    pub acceptance_criteria: Vec<String>,
}

/// "As a `as_a`, I want `i_want`, so that `so_that`", with its acceptance criteria in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserStory {
    as_a: Name,
    i_want: Name,
    so_that: Name,
    acceptance_criteria: Vec<Name>,
}

impl UserStory {
    pub const MAX_CRITERIA: usize = 30;

    /// Blames `as_a`, `i_want`, `so_that`, `acceptance_criteria` (too many) and
    /// `acceptance_criteria[i]` (counted among the non-blank entries).
    pub fn parse(input: &UserStoryInput) -> Result<UserStory, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let as_a = errors.check(Name::parse("as_a", &input.as_a));
        let i_want = errors.check(Name::parse("i_want", &input.i_want));
        let so_that = errors.check(Name::parse("so_that", &input.so_that));
        let given: Vec<&String> = input.acceptance_criteria.iter().filter(|c| !c.trim().is_empty()).collect();
        if given.len() > Self::MAX_CRITERIA {
            errors.add("acceptance_criteria", "too_many", format!("must have at most {} criteria", Self::MAX_CRITERIA));
        }
        let criteria: Vec<Option<Name>> = given
            .iter()
            .enumerate()
            .map(|(i, c)| errors.check(Name::parse(&format!("acceptance_criteria[{i}]"), c)))
            .collect();
        match (as_a, i_want, so_that) {
            (Some(as_a), Some(i_want), Some(so_that)) if errors.is_empty() => {
                Ok(UserStory { as_a, i_want, so_that, acceptance_criteria: criteria.into_iter().flatten().collect() })
            }
            _ => Err(errors),
        }
    }

    pub fn as_a(&self) -> &str {
        self.as_a.as_str()
    }

    pub fn i_want(&self) -> &str {
        self.i_want.as_str()
    }

    pub fn so_that(&self) -> &str {
        self.so_that.as_str()
    }

    pub fn acceptance_criteria(&self) -> impl Iterator<Item = &str> {
        self.acceptance_criteria.iter().map(Name::as_str)
    }

    /// `As a shopper, I want to save my cart, so that I can finish later.`
    pub fn sentence(&self) -> String {
        let end = if self.so_that.as_str().ends_with(['.', '!', '?']) { "" } else { "." };
        format!("As a {}, I want {}, so that {}{end}", self.as_a, self.i_want, self.so_that)
    }
}

/// What a backlog item carries beside its work item fields; every part optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BacklogDetails {
    pub story: Option<UserStory>,
    pub scores: FrameworkScores,
}

impl BacklogDetails {
    pub fn is_empty(&self) -> bool {
        *self == BacklogDetails::default()
    }
}

/// A work item with its backlog details, as the audit trail sees them: the work item's kind, id
/// and fields followed by the details', so the item's history shows story and prioritization
/// changes beside its other fields, and its delete event keeps the details it took with it.
#[derive(Debug, Clone, Copy)]
pub struct BacklogRecord<'a> {
    pub item: &'a WorkItem,
    pub details: &'a BacklogDetails,
}

fn number(value: f64) -> Option<String> {
    Some(value.to_string())
}

impl Audited for BacklogRecord<'_> {
    const ENTITY: EntityKind = EntityKind::WorkItem;
    fn audit_id(&self) -> String {
        self.item.id.to_string()
    }
    fn audit_label(&self) -> String {
        self.item.fields.title.as_str().to_owned()
    }
    fn audit_values(&self) -> Vec<(&'static str, Option<String>)> {
        let story = self.details.story.as_ref();
        let scores = &self.details.scores;
        let rice = scores.rice.as_ref();
        let wsjf = scores.wsjf.as_ref();
        let cd3 = scores.cd3.as_ref();
        let impact_effort = scores.impact_effort.as_ref();
        let mut values = self.item.audit_values();
        values.extend([
            ("story.as_a", story.map(|s| s.as_a().to_owned())),
            ("story.i_want", story.map(|s| s.i_want().to_owned())),
            ("story.so_that", story.map(|s| s.so_that().to_owned())),
            (
                "story.acceptance_criteria",
                story
                    .filter(|s| !s.acceptance_criteria.is_empty())
                    .map(|s| s.acceptance_criteria().collect::<Vec<_>>().join("\n")),
            ),
            ("rice.reach", rice.and_then(|r| number(r.reach()))),
            ("rice.impact", rice.and_then(|r| number(r.impact().value()))),
            ("rice.confidence", rice.and_then(|r| number(r.confidence_percent()))),
            ("rice.effort", rice.and_then(|r| number(r.effort_person_months()))),
            ("wsjf.business_value", wsjf.map(|w| w.business_value().get().to_string())),
            ("wsjf.time_criticality", wsjf.map(|w| w.time_criticality().get().to_string())),
            ("wsjf.risk_reduction", wsjf.map(|w| w.risk_reduction().get().to_string())),
            ("wsjf.job_size", wsjf.map(|w| w.job_size().get().to_string())),
            ("cd3.cost_of_delay_per_week", cd3.map(|c| c.cost_of_delay_per_week().amount().to_string())),
            ("cd3.duration_weeks", cd3.and_then(|c| number(c.duration_weeks()))),
            ("moscow", scores.moscow.map(|m| m.as_str().to_owned())),
            ("impact_effort.impact", impact_effort.map(|i| i.impact().to_string())),
            ("impact_effort.effort", impact_effort.map(|i| i.effort().to_string())),
        ]);
        values
    }
}

/// Where a move puts the moving item in its product's backlog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BacklogPosition {
    Top,
    Bottom,
    /// Just before this item (field `before_id`).
    Before(WorkItemId),
    /// Just after this item (field `after_id`).
    After(WorkItemId),
    /// At this 0-based index of the new order, clamped to the end (field `position`).
    Index(usize),
}

/// The backlog `order` after moving `moving` to `position`; the moving item must be in the
/// order (field `item_id`, `not_found`), and so must an anchor (`before_id`/`after_id`), which
/// cannot be the moving item itself (code `same_item`).
pub fn reorder(order: &[WorkItemId], moving: WorkItemId, position: BacklogPosition) -> DomainResult<Vec<WorkItemId>> {
    if !order.contains(&moving) {
        return Err(DomainError::invalid(
            "item_id",
            "not_found",
            format!("{} {moving} is not in this backlog", EntityKind::WorkItem),
        ));
    }
    let mut rest: Vec<WorkItemId> = order.iter().copied().filter(|id| *id != moving).collect();
    let anchor = |field: &str, anchor: WorkItemId| -> DomainResult<usize> {
        if anchor == moving {
            return Err(DomainError::invalid(field, "same_item", "must name another item than the one moving"));
        }
        rest.iter().position(|id| *id == anchor).ok_or_else(|| {
            DomainError::invalid(
                field,
                "not_found",
                format!("{} {anchor} is not in this backlog", EntityKind::WorkItem),
            )
        })
    };
    let at = match position {
        BacklogPosition::Top => 0,
        BacklogPosition::Bottom => rest.len(),
        BacklogPosition::Before(id) => anchor("before_id", id)?,
        BacklogPosition::After(id) => anchor("after_id", id)? + 1,
        BacklogPosition::Index(index) => index.min(rest.len()),
    };
    rest.insert(at, moving);
    Ok(rest)
}

/// The rank of a new item appended to a backlog whose highest rank is `highest` (`None`: an
/// empty backlog): `RANK_STEP` after it, or 0. A backlog is one product's items (or the items in
/// no product): another product's ranks never push a new item further down.
pub fn appended_rank(highest: Option<Rank>) -> Rank {
    Rank::new(highest.map_or(0, |top| top.get().saturating_add(RANK_STEP)))
}

/// Ranks `RANK_STEP, 2 * RANK_STEP, ...` for `order`.
pub fn renumbered(order: &[WorkItemId]) -> Vec<(WorkItemId, Rank)> {
    order.iter().zip(1i64..).map(|(id, position)| (*id, Rank::new(position.saturating_mul(RANK_STEP)))).collect()
}

/// Where a bulk edit moves the selected items: before or after every other item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RankMove {
    Top,
    Bottom,
}

impl RankMove {
    pub fn as_str(self) -> &'static str {
        match self {
            RankMove::Top => "top",
            RankMove::Bottom => "bottom",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<RankMove, crate::error::FieldError> {
        match raw.trim() {
            "top" => Ok(RankMove::Top),
            "bottom" => Ok(RankMove::Bottom),
            _ => Err(crate::error::FieldError::new(field, "invalid", "must be one of top, bottom")),
        }
    }
}

/// One change applied to several items at once, all or nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkEdit {
    ids: Vec<WorkItemId>,
    pub status: Option<WorkItemStatus>,
    pub rank: Option<RankMove>,
}

impl BulkEdit {
    /// Blames `ids` (none, or more than [`MAX_BULK_ITEMS`]), `ids[i]` (code `duplicate`), and
    /// `status` when the edit changes nothing (code `required`).
    pub fn new(
        ids: Vec<WorkItemId>,
        status: Option<WorkItemStatus>,
        rank: Option<RankMove>,
    ) -> Result<BulkEdit, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if ids.is_empty() {
            errors.add("ids", "required", "select at least one work item");
        } else if ids.len() > MAX_BULK_ITEMS {
            errors.add("ids", "too_many", format!("must list at most {MAX_BULK_ITEMS} work items"));
        }
        let mut seen = HashSet::new();
        for (i, id) in ids.iter().enumerate() {
            if !seen.insert(*id) {
                errors.add(format!("ids[{i}]"), "duplicate", format!("work item {id} is listed twice"));
            }
        }
        if status.is_none() && rank.is_none() {
            errors.add("status", "required", "give a status, a rank move, or both");
        }
        errors.into_result()?;
        Ok(BulkEdit { ids, status, rank })
    }

    pub fn ids(&self) -> &[WorkItemId] {
        &self.ids
    }
}

/// The new ranks of a bulk rank move: `selected` (in their current backlog order) go before
/// `lowest` (the smallest rank of their backlog: their product's items) or after `highest`,
/// `RANK_STEP` apart, keeping their order.
pub fn moved_ranks(
    selected: &[WorkItemId],
    rank_move: RankMove,
    lowest: Rank,
    highest: Rank,
) -> Vec<(WorkItemId, Rank)> {
    let count = i64::try_from(selected.len()).unwrap_or(i64::MAX);
    selected
        .iter()
        .zip(0i64..)
        .map(|(id, i)| {
            let rank = match rank_move {
                RankMove::Top => lowest.get().saturating_sub(count.saturating_sub(i).saturating_mul(RANK_STEP)),
                RankMove::Bottom => highest.get().saturating_add((i + 1).saturating_mul(RANK_STEP)),
            };
            (*id, Rank::new(rank))
        })
        .collect()
}

/// Case-insensitive search in an item's title, description and user story.
pub fn matches_text(item: &WorkItem, details: &BacklogDetails, text: &str) -> bool {
    let needle = text.trim().to_lowercase();
    if needle.is_empty() {
        return true;
    }
    let found = |haystack: &str| haystack.to_lowercase().contains(&needle);
    found(item.fields.title.as_str())
        || found(item.fields.description.as_str())
        || details.story.as_ref().is_some_and(|s| {
            found(s.as_a()) || found(s.i_want()) || found(s.so_that()) || s.acceptance_criteria().any(found)
        })
}

/// One backlog item scored by one framework.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked<'a> {
    pub item: &'a WorkItem,
    pub details: &'a BacklogDetails,
    /// `None` for items the framework has no inputs for; they come last, in backlog order.
    pub score: Option<f64>,
}

/// The backlog ordered by `framework`'s score, highest first; ties and unscored items in
/// backlog order (rank, then id).
pub fn rank_by<'a>(framework: Framework, backlog: &'a [(WorkItem, BacklogDetails)]) -> Vec<Ranked<'a>> {
    let mut ranked: Vec<Ranked<'a>> = backlog
        .iter()
        .map(|(item, details)| Ranked { item, details, score: details.scores.score(framework) })
        .collect();
    ranked.sort_by(|a, b| {
        let by_score = match (a.score, b.score) {
            (Some(x), Some(y)) => y.total_cmp(&x),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        };
        by_score.then(a.item.rank.cmp(&b.item.rank)).then(a.item.id.cmp(&b.item.id))
    });
    ranked
}

/// What a caller supplies for a prioritization: each framework optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PrioritizationInput {
    pub rice: Option<crate::prioritization::RiceInput>,
    pub wsjf: Option<crate::prioritization::WsjfInput>,
    pub cd3: Option<crate::prioritization::Cd3Input>,
    pub moscow: Option<String>,
    /// (impact, effort), each 1 to 10.
    pub impact_effort: Option<(i64, i64)>,
}

/// Validates every framework given; a bad field is reported under its framework
/// (`rice.confidence`, `wsjf.job_size`, `cd3.duration_weeks`, `moscow`, `impact_effort.effort`).
pub fn parse_prioritization(input: &PrioritizationInput) -> Result<FrameworkScores, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let mut prefixed = |prefix: &str, result: Result<(), ValidationErrors>| {
        if let Err(inner) = result {
            for e in inner.errors() {
                errors.add(format!("{prefix}.{}", e.field), e.code, e.message.clone());
            }
        }
    };
    let mut scores = FrameworkScores::default();
    if let Some(rice) = &input.rice {
        prefixed("rice", Rice::new(rice).map(|r| scores.rice = Some(r)));
    }
    if let Some(wsjf) = &input.wsjf {
        prefixed("wsjf", crate::prioritization::Wsjf::new(wsjf).map(|w| scores.wsjf = Some(w)));
    }
    if let Some(cd3) = &input.cd3 {
        prefixed("cd3", crate::prioritization::Cd3::new(cd3).map(|c| scores.cd3 = Some(c)));
    }
    if let Some((impact, effort)) = input.impact_effort {
        prefixed("impact_effort", ImpactEffort::new(impact, effort).map(|i| scores.impact_effort = Some(i)));
    }
    if let Some(moscow) = &input.moscow {
        match Moscow::parse("moscow", moscow) {
            Ok(class) => scores.moscow = Some(class),
            Err(e) => errors.push(e),
        }
    }
    errors.into_result()?;
    Ok(scores)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prioritization::{RiceInput, WsjfInput};

    fn ids(n: usize) -> Vec<WorkItemId> {
        (0..n).map(|_| WorkItemId::generate()).collect()
    }

    #[test]
    fn reorder_puts_the_item_where_asked() {
        let order = ids(4);
        let [a, b, c, d] = [order[0], order[1], order[2], order[3]];
        assert_eq!(reorder(&order, d, BacklogPosition::Top).unwrap(), vec![d, a, b, c]);
        assert_eq!(reorder(&order, a, BacklogPosition::Bottom).unwrap(), vec![b, c, d, a]);
        assert_eq!(reorder(&order, d, BacklogPosition::Before(b)).unwrap(), vec![a, d, b, c]);
        assert_eq!(reorder(&order, a, BacklogPosition::After(c)).unwrap(), vec![b, c, a, d]);
        assert_eq!(reorder(&order, a, BacklogPosition::Index(2)).unwrap(), vec![b, c, a, d]);
        assert_eq!(reorder(&order, a, BacklogPosition::Index(99)).unwrap(), vec![b, c, d, a]);
        let stranger = WorkItemId::generate();
        let err = reorder(&order, stranger, BacklogPosition::Top).unwrap_err();
        assert!(matches!(err, DomainError::Validation(ref e) if e.errors()[0].field == "item_id"));
        let err = reorder(&order, a, BacklogPosition::Before(stranger)).unwrap_err();
        assert!(matches!(err, DomainError::Validation(ref e) if e.errors()[0].field == "before_id"));
        let err = reorder(&order, a, BacklogPosition::After(a)).unwrap_err();
        assert!(matches!(err, DomainError::Validation(ref e) if e.errors()[0].code == "same_item"));
    }

    #[test]
    fn renumbering_and_bulk_moves_space_ranks_by_the_step() {
        let order = ids(3);
        let ranks: Vec<i64> = renumbered(&order).into_iter().map(|(_, r)| r.get()).collect();
        assert_eq!(ranks, vec![1024, 2048, 3072]);
        let top: Vec<i64> = moved_ranks(&order[..2], RankMove::Top, Rank::new(100), Rank::new(5000))
            .into_iter()
            .map(|(_, r)| r.get())
            .collect();
        assert_eq!(top, vec![100 - 2048, 100 - 1024]);
        let bottom: Vec<i64> = moved_ranks(&order[..2], RankMove::Bottom, Rank::new(100), Rank::new(5000))
            .into_iter()
            .map(|(_, r)| r.get())
            .collect();
        assert_eq!(bottom, vec![6024, 7048]);
        assert_eq!(appended_rank(None), Rank::new(0));
        assert_eq!(appended_rank(Some(Rank::new(-5))), Rank::new(1019));
        let limit = crate::work_item::RANK_LIMIT;
        assert_eq!(appended_rank(Some(Rank::new(limit))), Rank::new(limit + 1024));
    }

    #[test]
    fn bulk_edit_names_bad_fields() {
        let a = WorkItemId::generate();
        let err = BulkEdit::new(vec![a, a], None, None).unwrap_err();
        let fields: Vec<(&str, &str)> = err.errors().iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(fields, vec![("ids[1]", "duplicate"), ("status", "required")]);
        let err = BulkEdit::new(vec![], Some(WorkItemStatus::Done), None).unwrap_err();
        assert_eq!(err.errors()[0].field, "ids");
        assert!(BulkEdit::new(vec![a], None, Some(RankMove::Top)).is_ok());
    }

    #[test]
    fn user_story_parses_and_reads_as_a_sentence() {
        let story = UserStory::parse(&UserStoryInput {
            as_a: " shopper ".into(),
            i_want: "to save my cart".into(),
            so_that: "I can finish later".into(),
            acceptance_criteria: vec!["Cart kept 30 days".into(), "  ".into(), "Works signed out".into()],
        })
        .unwrap();
        assert_eq!(story.sentence(), "As a shopper, I want to save my cart, so that I can finish later.");
        assert_eq!(story.acceptance_criteria().collect::<Vec<_>>(), vec!["Cart kept 30 days", "Works signed out"]);
        let err = UserStory::parse(&UserStoryInput {
            as_a: "".into(),
            i_want: "x".into(),
            so_that: "y".into(),
            acceptance_criteria: vec!["ok".into(), "z".repeat(201)],
        })
        .unwrap_err();
        let fields: Vec<&str> = err.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["as_a", "acceptance_criteria[1]"]);
    }

    #[test]
    fn prioritization_errors_name_the_framework_and_field() {
        let err = parse_prioritization(&PrioritizationInput {
            rice: Some(RiceInput { reach: 100.0, impact: 1.0, confidence: 120.0, effort: 0.0 }),
            wsjf: Some(WsjfInput { business_value: 8, time_criticality: 5, risk_reduction: 3, job_size: 4 }),
            cd3: None,
            moscow: Some("maybe".into()),
            impact_effort: Some((5, 11)),
        })
        .unwrap_err();
        let fields: Vec<(&str, &str)> = err.errors().iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            fields,
            vec![
                ("rice.confidence", "out_of_range"),
                ("rice.effort", "out_of_range"),
                ("wsjf.job_size", "not_on_scale"),
                ("impact_effort.effort", "out_of_range"),
                ("moscow", "invalid"),
            ]
        );
        let scores = parse_prioritization(&PrioritizationInput {
            rice: Some(RiceInput { reach: 2000.0, impact: 2.0, confidence: 80.0, effort: 4.0 }),
            moscow: Some("must".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(scores.score(Framework::Rice), Some(800.0));
        assert_eq!(scores.score(Framework::Moscow), Some(3.0));
        assert_eq!(scores.score(Framework::Wsjf), None);
    }
}
