//! Work items: epics, features, stories, tasks and bugs; in a project (delivery), a product
//! (backlog), or both, which is how the product manager's backlog reaches the program plan.

use chrono::NaiveDate;

use crate::error::{DomainError, DomainResult, FieldError, ValidationErrors};
use crate::ids::{ProductId, ProjectId, TeamId, WorkItemId};
use crate::record::Meta;
use crate::values::{Estimate, Headcount, LongText, Name, PercentComplete, Rank, StoryPoints, check_optional_date};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WorkItemKind {
    Epic,
    Feature,
    Story,
    Task,
    Bug,
}

impl WorkItemKind {
    pub const ALL: [WorkItemKind; 5] =
        [WorkItemKind::Epic, WorkItemKind::Feature, WorkItemKind::Story, WorkItemKind::Task, WorkItemKind::Bug];

    pub fn as_str(self) -> &'static str {
        match self {
            WorkItemKind::Epic => "epic",
            WorkItemKind::Feature => "feature",
            WorkItemKind::Story => "story",
            WorkItemKind::Task => "task",
            WorkItemKind::Bug => "bug",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<WorkItemKind, FieldError> {
        WorkItemKind::ALL
            .into_iter()
            .find(|k| k.as_str() == raw.trim())
            .ok_or_else(|| FieldError::new(field, "invalid", "must be one of epic, feature, story, task, bug"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WorkItemStatus {
    Backlog,
    Ready,
    InProgress,
    Done,
    Cancelled,
}

impl WorkItemStatus {
    pub const ALL: [WorkItemStatus; 5] = [
        WorkItemStatus::Backlog,
        WorkItemStatus::Ready,
        WorkItemStatus::InProgress,
        WorkItemStatus::Done,
        WorkItemStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WorkItemStatus::Backlog => "backlog",
            WorkItemStatus::Ready => "ready",
            WorkItemStatus::InProgress => "in_progress",
            WorkItemStatus::Done => "done",
            WorkItemStatus::Cancelled => "cancelled",
        }
    }

    /// Still to be worked on: neither done nor cancelled (what plans and forecasts schedule).
    pub fn is_open(self) -> bool {
        !matches!(self, WorkItemStatus::Done | WorkItemStatus::Cancelled)
    }

    /// Words for people ("in progress").
    pub fn label(self) -> &'static str {
        match self {
            WorkItemStatus::InProgress => "in progress",
            other => other.as_str(),
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<WorkItemStatus, FieldError> {
        WorkItemStatus::ALL.into_iter().find(|s| s.as_str() == raw.trim()).ok_or_else(|| {
            FieldError::new(field, "invalid", "must be one of backlog, ready, in_progress, done, cancelled")
        })
    }
}

/// Where a work item lives: a project, a product, or both; never neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Placement {
    Project(ProjectId),
    Product(ProductId),
    Both { project: ProjectId, product: ProductId },
}

impl Placement {
    /// Blames `project_id` when both are missing.
    pub fn new(project: Option<ProjectId>, product: Option<ProductId>) -> Result<Placement, FieldError> {
        match (project, product) {
            (Some(project), Some(product)) => Ok(Placement::Both { project, product }),
            (Some(project), None) => Ok(Placement::Project(project)),
            (None, Some(product)) => Ok(Placement::Product(product)),
            (None, None) => {
                Err(FieldError::new("project_id", "required", "a work item needs a project, a product, or both"))
            }
        }
    }

    pub fn project_id(self) -> Option<ProjectId> {
        match self {
            Placement::Project(project) | Placement::Both { project, .. } => Some(project),
            Placement::Product(_) => None,
        }
    }

    pub fn product_id(self) -> Option<ProductId> {
        match self {
            Placement::Product(product) | Placement::Both { product, .. } => Some(product),
            Placement::Project(_) => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct WorkItemInput {
    pub kind: WorkItemKind,
    pub project_id: Option<ProjectId>,
    pub product_id: Option<ProductId>,
    pub parent_id: Option<WorkItemId>,
    pub title: String,
    pub description: String,
    pub status: WorkItemStatus,
    pub optimistic: f64,
    pub most_likely: f64,
    pub pessimistic: f64,
    pub story_points: Option<i64>,
    pub team_id: Option<TeamId>,
    /// `None` means 1.
    pub people_needed: Option<i64>,
    /// When the item reached (or is to reach) users; any status may have one.
    pub released_on: Option<NaiveDate>,
    /// Whole percent of the estimated work done; `None` means 0. A done item is 100 whatever
    /// is given.
    pub percent_complete: Option<i64>,
}

/// A work item's validated, user-editable fields. Its backlog position ([`Rank`]) is kept apart
/// because it is positional: it is set by reordering, not by editing the item.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkItemFields {
    pub kind: WorkItemKind,
    pub placement: Placement,
    pub parent_id: Option<WorkItemId>,
    pub title: Name,
    pub description: LongText,
    pub status: WorkItemStatus,
    /// In working days.
    pub estimate: Estimate,
    pub story_points: Option<StoryPoints>,
    pub team_id: Option<TeamId>,
    /// How many of the team's people the item needs at once; never above the team's capacity
    /// (checked by the store, which knows the team).
    pub people_needed: Headcount,
    /// The day the item reached (or is planned to reach) users, entered by hand. No rule ties it
    /// to the status; when set it is the release date the metrics use (see
    /// [`crate::metrics::release_instant`] for the fallback).
    pub released_on: Option<NaiveDate>,
    /// How much of the estimated work is done. Plans and forecasts of an open item schedule the
    /// rest only ([`crate::values::Estimate::remaining`]), from the program's status date.
    pub percent_complete: PercentComplete,
}

impl WorkItemFields {
    pub fn parse(input: WorkItemInput) -> Result<WorkItemFields, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let placement = errors.check(Placement::new(input.project_id, input.product_id));
        let title = errors.check(Name::parse("title", &input.title));
        let description = errors.check(LongText::parse("description", &input.description));
        let estimate = errors.check_all(Estimate::new(input.optimistic, input.most_likely, input.pessimistic));
        let story_points = errors.check(input.story_points.map(|p| StoryPoints::parse("story_points", p)).transpose());
        let people_needed = errors.check(Headcount::parse("people_needed", input.people_needed.unwrap_or(1)));
        let released_on = errors.check(check_optional_date("released_on", input.released_on));
        // A done item is all done, whatever was sent (MS Project sets 100 % on completion too):
        // progress reports and roll-ups then never read a done item as partly done. A value out
        // of range is still refused.
        let percent_complete = errors
            .check(PercentComplete::parse("percent_complete", input.percent_complete.unwrap_or(0)))
            .map(|percent| if input.status == WorkItemStatus::Done { PercentComplete::ALL } else { percent });
        match (placement, title, description, estimate, story_points, people_needed, released_on, percent_complete) {
            (
                Some(placement),
                Some(title),
                Some(description),
                Some(estimate),
                Some(story_points),
                Some(people_needed),
                Some(released_on),
                Some(percent_complete),
            ) if errors.is_empty() => Ok(WorkItemFields {
                kind: input.kind,
                placement,
                parent_id: input.parent_id,
                title,
                description,
                status: input.status,
                estimate,
                story_points,
                team_id: input.team_id,
                people_needed,
                released_on,
                percent_complete,
            }),
            _ => Err(errors),
        }
    }
}

/// The largest rank a caller may give a work item, and the negated smallest: 10^15. Ranks the
/// store computes (appends and bulk moves, [`crate::backlog`]) go [`crate::backlog::RANK_STEP`]
/// beyond the stored ones, so from inside this range they stay far from the limits of `i64`
/// (no saturation, hence no ties at the maximum) and exact as JSON numbers (below 2^53).
pub const RANK_LIMIT: i64 = 1_000_000_000_000_000;

/// A rank given for a work item: between `-RANK_LIMIT` and `RANK_LIMIT` (field `rank`, code
/// `out_of_range`). The store checks it on create, and on update when it differs from the
/// item's current rank (so an item read with a rank computed beyond the range can still be
/// written back unchanged).
pub fn check_rank(rank: Rank) -> Result<Rank, FieldError> {
    if (-RANK_LIMIT..=RANK_LIMIT).contains(&rank.get()) {
        Ok(rank)
    } else {
        Err(FieldError::new("rank", "out_of_range", format!("must be between -{RANK_LIMIT} and {RANK_LIMIT}")))
    }
}

/// `checked` (a write's other checks) with `rank`'s [`check_rank`] added: every field error
/// together, as one `Validation`; any other error as it is. Both stores call it inside the write.
pub fn with_rank_check(checked: DomainResult<()>, rank: Option<Rank>) -> DomainResult<()> {
    match (checked, rank.map(check_rank).transpose()) {
        (Ok(()), Ok(_)) => Ok(()),
        (Ok(()), Err(error)) => Err(DomainError::Validation(error.into())),
        (Err(DomainError::Validation(mut errors)), Err(error)) => {
            errors.push(error);
            Err(DomainError::Validation(errors))
        }
        (Err(other), _) => Err(other),
    }
}

/// A stored work item.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkItem {
    pub id: WorkItemId,
    pub fields: WorkItemFields,
    /// Backlog position: lower first. Unique order is (rank, id).
    pub rank: Rank,
    pub meta: Meta,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_complete_is_a_whole_percent_from_0_to_100() {
        for percent in [0, 1, 99, 100] {
            assert_eq!(i64::from(PercentComplete::parse("percent_complete", percent).unwrap().get()), percent);
        }
        for percent in [-1, 101, i64::MIN, i64::MAX] {
            let error = PercentComplete::parse("percent_complete", percent).unwrap_err();
            assert_eq!(
                (error.field.as_str(), error.code, error.message.as_str()),
                ("percent_complete", "out_of_range", "must be between 0 and 100")
            );
        }
    }

    #[test]
    fn a_done_item_is_all_done() {
        let input = |status, percent| WorkItemInput {
            kind: WorkItemKind::Task,
            project_id: Some(ProjectId::generate()),
            product_id: None,
            parent_id: None,
            title: "Task".into(),
            description: String::new(),
            status,
            optimistic: 1.0,
            most_likely: 2.0,
            pessimistic: 3.0,
            story_points: None,
            team_id: None,
            people_needed: None,
            released_on: None,
            percent_complete: percent,
        };
        let stored = |status, percent| WorkItemFields::parse(input(status, percent)).map(|f| f.percent_complete.get());
        assert_eq!(stored(WorkItemStatus::Done, None), Ok(100));
        assert_eq!(stored(WorkItemStatus::Done, Some(30)), Ok(100));
        assert_eq!(stored(WorkItemStatus::InProgress, Some(30)), Ok(30));
        assert_eq!(stored(WorkItemStatus::Cancelled, Some(30)), Ok(30));
        let refused = WorkItemFields::parse(input(WorkItemStatus::Done, Some(101))).unwrap_err();
        assert_eq!(refused.errors()[0].field, "percent_complete");
    }

    #[test]
    fn the_remaining_estimate_scales_every_point_by_the_share_left() {
        let estimate = Estimate::new(2.0, 4.0, 10.0).unwrap();
        let at = |percent| estimate.remaining(PercentComplete::parse("p", percent).unwrap());
        assert_eq!(at(0), estimate);
        assert_eq!(at(25), Estimate::new(1.5, 3.0, 7.5).unwrap());
        assert_eq!(at(100), Estimate::exact(0.0).unwrap());
        assert_eq!(at(25).pert_mean(), 0.75 * estimate.pert_mean());
    }

    #[test]
    fn ranks_are_checked_against_the_limit() {
        for rank in [-RANK_LIMIT, -1, 0, 1024, RANK_LIMIT] {
            assert_eq!(check_rank(Rank::new(rank)), Ok(Rank::new(rank)));
        }
        for rank in [i64::MIN, -RANK_LIMIT - 1, RANK_LIMIT + 1, i64::MAX] {
            let error = check_rank(Rank::new(rank)).unwrap_err();
            assert_eq!((error.field.as_str(), error.code), ("rank", "out_of_range"));
            assert_eq!(error.message, "must be between -1000000000000000 and 1000000000000000");
        }
    }
}
