//! Dependencies between work items and milestones, possibly across projects and programs.

use std::fmt;

use crate::error::{FieldError, ValidationErrors};
use crate::ids::{DependencyId, MilestoneId, ProjectId, WorkItemId};
use crate::record::Record;
use crate::values::Lag;

/// One end of a dependency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NodeRef {
    WorkItem(WorkItemId),
    Milestone(MilestoneId),
}

impl NodeRef {
    /// `work_item` or `milestone`, as in the API.
    pub fn type_name(self) -> &'static str {
        match self {
            NodeRef::WorkItem(_) => "work_item",
            NodeRef::Milestone(_) => "milestone",
        }
    }

    pub fn id_string(self) -> String {
        match self {
            NodeRef::WorkItem(id) => id.to_string(),
            NodeRef::Milestone(id) => id.to_string(),
        }
    }
}

impl fmt::Display for NodeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.type_name(), self.id_string())
    }
}

/// What a dependency constrains, read "predecessor X-to-Y successor".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DependencyKind {
    /// The successor starts after the predecessor finishes (plus lag).
    FinishToStart,
    StartToStart,
    FinishToFinish,
    StartToFinish,
}

impl DependencyKind {
    pub const ALL: [DependencyKind; 4] = [
        DependencyKind::FinishToStart,
        DependencyKind::StartToStart,
        DependencyKind::FinishToFinish,
        DependencyKind::StartToFinish,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DependencyKind::FinishToStart => "finish_to_start",
            DependencyKind::StartToStart => "start_to_start",
            DependencyKind::FinishToFinish => "finish_to_finish",
            DependencyKind::StartToFinish => "start_to_finish",
        }
    }

    /// The usual two-letter abbreviation (FS, SS, FF, SF).
    pub fn abbreviation(self) -> &'static str {
        match self {
            DependencyKind::FinishToStart => "FS",
            DependencyKind::StartToStart => "SS",
            DependencyKind::FinishToFinish => "FF",
            DependencyKind::StartToFinish => "SF",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<DependencyKind, FieldError> {
        let raw = raw.trim();
        DependencyKind::ALL
            .into_iter()
            .find(|k| k.as_str() == raw || k.abbreviation().eq_ignore_ascii_case(raw))
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    "invalid",
                    "must be one of finish_to_start, start_to_start, finish_to_finish, start_to_finish",
                )
            })
    }
}

#[derive(Debug, Clone)]
pub struct DependencyInput {
    pub predecessor: NodeRef,
    pub successor: NodeRef,
    pub kind: DependencyKind,
    pub lag_days: i64,
}

/// A dependency's validated fields. The ends differ; that they exist and close no cycle is
/// checked by the store inside the transaction that writes the dependency.
#[derive(Debug, Clone, PartialEq)]
pub struct DependencyFields {
    pub predecessor: NodeRef,
    pub successor: NodeRef,
    pub kind: DependencyKind,
    pub lag: Lag,
}

impl DependencyFields {
    pub fn parse(input: DependencyInput) -> Result<DependencyFields, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if input.predecessor == input.successor {
            errors.add("successor", "self_dependency", "an item cannot depend on itself");
        }
        let lag = errors.check(Lag::parse("lag_days", input.lag_days));
        match lag {
            Some(lag) if errors.is_empty() => Ok(DependencyFields {
                predecessor: input.predecessor,
                successor: input.successor,
                kind: input.kind,
                lag,
            }),
            _ => Err(errors),
        }
    }
}

pub type Dependency = Record<DependencyId, DependencyFields>;

/// A short description of a dependency end, for messages and pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeSummary {
    pub node: NodeRef,
    pub title: String,
    /// The project the node belongs to, if any (a product-only work item has none).
    pub project_id: Option<ProjectId>,
}
