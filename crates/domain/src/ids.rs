//! Typed record ids. Each entity has its own id type so a project id can never be passed where a
//! team id is expected. Ids are UUID v7: globally unique (several servers may share one
//! PostgreSQL) and ordered by creation time, which is what list cursors page over.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

macro_rules! record_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn generate() -> Self {
                $name(Uuid::now_v7())
            }

            pub fn from_uuid(uuid: Uuid) -> Self {
                $name(uuid)
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map($name)
            }
        }
    };
}

record_id!(
    /// Id of a [`crate::Program`].
    ProgramId
);
record_id!(
    /// Id of a [`crate::Project`].
    ProjectId
);
record_id!(
    /// Id of a [`crate::Product`].
    ProductId
);
record_id!(
    /// Id of a [`crate::WorkItem`].
    WorkItemId
);
record_id!(
    /// Id of a [`crate::Milestone`].
    MilestoneId
);
record_id!(
    /// Id of a [`crate::Dependency`].
    DependencyId
);
record_id!(
    /// Id of a [`crate::Risk`].
    RiskId
);
record_id!(
    /// Id of a [`crate::Team`].
    TeamId
);
record_id!(
    /// Id of a [`crate::accounts::User`].
    UserId
);
record_id!(
    /// Id of a [`crate::access::Grant`].
    GrantId
);
record_id!(
    /// Id of a [`crate::accounts::ApiToken`].
    ApiTokenId
);
record_id!(
    /// Id of a [`crate::audit::AuditEvent`].
    AuditEventId
);

// Product strategy: objectives and key results.
record_id!(
    /// Id of a [`crate::strategy::Objective`].
    ObjectiveId
);
record_id!(
    /// Id of a [`crate::strategy::KeyResult`].
    KeyResultId
);
// Feedback and research: segments and insights.
record_id!(
    /// Id of a [`crate::evidence::Segment`].
    SegmentId
);
record_id!(
    /// Id of a [`crate::evidence::Insight`].
    InsightId
);
// Experiments.
record_id!(
    /// Id of a [`crate::experiment::Experiment`].
    ExperimentId
);
// Product metrics.
record_id!(
    /// Id of a [`crate::metrics::MetricPoint`].
    MetricPointId
);
