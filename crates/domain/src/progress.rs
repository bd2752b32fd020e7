//! How much of a program's estimated work is done: the "% work complete" of status reports,
//! per project and for the program.
//!
//! The rule, which both stores compute in one query ([`crate::Store::program_progress`]) and
//! [`WorkTotals::add`] states for one item:
//! - **What counts.** The program's projects' *leaf* work items (no item names them as its
//!   parent), as the plan schedules them; a summary's own estimate would count its children
//!   twice. Cancelled items do not count.
//! - **Weight.** An item weighs its estimate's PERT mean in working days, the whole estimate
//!   (not what is left): the plan's durations come from the same mean.
//! - **Done.** A done item counts its whole weight; any other one its weight times its percent
//!   complete.

use crate::ids::ProjectId;
use crate::work_item::{WorkItem, WorkItemStatus};

/// The work of a set of leaf items, by count and by estimated days.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct WorkTotals {
    /// Leaf items counted (cancelled ones are not).
    pub items: u64,
    pub done_items: u64,
    pub in_progress_items: u64,
    /// The sum of the items' PERT means, in working days.
    pub estimated_days: f64,
    /// The part of `estimated_days` done: whole for done items, by percent complete for others.
    pub done_days: f64,
}

impl WorkTotals {
    /// Counts `item`, a leaf work item, by the module's rule (a cancelled one is skipped).
    pub fn add(&mut self, item: &WorkItem) {
        let fields = &item.fields;
        if fields.status == WorkItemStatus::Cancelled {
            return;
        }
        let weight = fields.estimate.pert_mean();
        self.items += 1;
        self.estimated_days += weight;
        match fields.status {
            WorkItemStatus::Done => {
                self.done_items += 1;
                self.done_days += weight;
            }
            status => {
                if status == WorkItemStatus::InProgress {
                    self.in_progress_items += 1;
                }
                self.done_days += weight * f64::from(fields.percent_complete.get()) / 100.0;
            }
        }
    }

    /// Both sets of work together.
    pub fn plus(self, other: WorkTotals) -> WorkTotals {
        WorkTotals {
            items: self.items + other.items,
            done_items: self.done_items + other.done_items,
            in_progress_items: self.in_progress_items + other.in_progress_items,
            estimated_days: self.estimated_days + other.estimated_days,
            done_days: self.done_days + other.done_days,
        }
    }

    /// The share of the estimated days done, in percent; `None` when nothing is estimated.
    pub fn percent_done(&self) -> Option<f64> {
        (self.estimated_days > 0.0).then(|| (100.0 * self.done_days / self.estimated_days).clamp(0.0, 100.0))
    }
}

/// One project's totals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProjectProgress {
    pub project_id: ProjectId,
    pub totals: WorkTotals,
}

/// A program's progress: every project of it (those without work at zero), ordered by project
/// id, and the program's total.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgramProgress {
    pub projects: Vec<ProjectProgress>,
}

impl ProgramProgress {
    pub fn total(&self) -> WorkTotals {
        self.projects.iter().fold(WorkTotals::default(), |sum, project| sum.plus(project.totals))
    }

    /// The totals of `project`, zero when it is not one of the program's.
    pub fn of(&self, project: ProjectId) -> WorkTotals {
        self.projects.iter().find(|p| p.project_id == project).map(|p| p.totals).unwrap_or_default()
    }

    /// The rule applied item by item: `projects` are the program's, `items` every work item of
    /// them (leaves and summaries; the leaves are found here). The reference the stores' query
    /// is tested against.
    pub fn from_items(projects: &[ProjectId], items: &[WorkItem]) -> ProgramProgress {
        let parents: std::collections::HashSet<_> = items.iter().filter_map(|item| item.fields.parent_id).collect();
        let mut projects: Vec<ProjectProgress> =
            projects.iter().map(|&project_id| ProjectProgress { project_id, totals: WorkTotals::default() }).collect();
        projects.sort_by_key(|p| p.project_id);
        for item in items.iter().filter(|item| !parents.contains(&item.id)) {
            let Some(project) = item.fields.placement.project_id() else { continue };
            if let Some(entry) = projects.iter_mut().find(|p| p.project_id == project) {
                entry.totals.add(item);
            }
        }
        ProgramProgress { projects }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::WorkItemId;
    use crate::record::Meta;
    use crate::values::{Estimate, PercentComplete, Rank};
    use crate::work_item::{WorkItemFields, WorkItemInput, WorkItemKind};

    fn item(project: ProjectId, status: WorkItemStatus, estimate: (f64, f64, f64), percent: i64) -> WorkItem {
        let fields = WorkItemFields::parse(WorkItemInput {
            kind: WorkItemKind::Task,
            project_id: Some(project),
            product_id: None,
            parent_id: None,
            title: "Task".into(),
            description: String::new(),
            status,
            optimistic: estimate.0,
            most_likely: estimate.1,
            pessimistic: estimate.2,
            story_points: None,
            team_id: None,
            people_needed: None,
            released_on: None,
            percent_complete: Some(percent),
        })
        .unwrap();
        let at = crate::record::now();
        WorkItem {
            id: WorkItemId::generate(),
            fields,
            rank: Rank::new(0),
            meta: Meta { created_at: at, updated_at: at, version: 1 },
        }
    }

    #[test]
    fn leaves_count_by_their_pert_mean_done_ones_whole_others_by_percent() {
        let (a, b, empty) = (ProjectId::generate(), ProjectId::generate(), ProjectId::generate());
        let mut summary = item(a, WorkItemStatus::InProgress, (100.0, 100.0, 100.0), 90);
        let mut child = item(a, WorkItemStatus::InProgress, (2.0, 5.0, 14.0), 40);
        child.fields.parent_id = Some(summary.id);
        summary.fields.estimate = Estimate::exact(100.0).unwrap();
        let items = vec![
            summary,
            child,
            item(a, WorkItemStatus::Done, (3.0, 3.0, 3.0), 0),
            item(a, WorkItemStatus::Cancelled, (50.0, 50.0, 50.0), 0),
            item(b, WorkItemStatus::Backlog, (4.0, 4.0, 4.0), 25),
            item(b, WorkItemStatus::Ready, (6.0, 6.0, 6.0), 0),
        ];
        let progress = ProgramProgress::from_items(&[a, b, empty], &items);
        // A: the child (PERT mean 6, 40 % done) and the done item (3); not the summary, not the
        // cancelled item.
        assert_eq!(
            progress.of(a),
            WorkTotals { items: 2, done_items: 1, in_progress_items: 1, estimated_days: 9.0, done_days: 3.0 + 2.4 }
        );
        assert_eq!(
            progress.of(b),
            WorkTotals { items: 2, done_items: 0, in_progress_items: 0, estimated_days: 10.0, done_days: 1.0 }
        );
        assert_eq!(progress.of(empty), WorkTotals::default());
        assert_eq!(progress.of(empty).percent_done(), None);
        let total = progress.total();
        assert_eq!((total.items, total.estimated_days, total.done_days), (4, 19.0, 6.4));
        assert_eq!(total.percent_done().map(|p| (p * 100.0).round() / 100.0), Some(33.68));
        let mut ids = vec![a, b, empty];
        ids.sort();
        assert_eq!(progress.projects.iter().map(|p| p.project_id).collect::<Vec<_>>(), ids);
        // Percent complete of a done item does not matter: it counts whole.
        let mut done = item(b, WorkItemStatus::Done, (2.0, 2.0, 2.0), 0);
        done.fields.percent_complete = PercentComplete::parse("p", 10).unwrap();
        let mut totals = WorkTotals::default();
        totals.add(&done);
        assert_eq!((totals.done_days, totals.percent_done()), (2.0, Some(100.0)));
    }
}
