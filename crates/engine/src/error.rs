//! Errors raised when a problem or an input is invalid. Each variant names the offending items.

/// Why a problem, an order or a benchmark file was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// The precedence links contain a cycle; the activities are listed in link order.
    #[error("precedence cycle: {}", cycle_text(.activities))]
    Cycle {
        /// Keys of the activities on the cycle, in link direction.
        activities: Vec<String>,
    },
    /// A link refers to an activity that does not exist.
    #[error("link #{link} ({from} -> {to}) refers to an activity that does not exist")]
    DanglingLink {
        /// Position of the link in the spec.
        link: usize,
        /// Predecessor as given.
        from: String,
        /// Successor as given.
        to: String,
    },
    /// An activity demands more of a resource than its capacity.
    #[error("activity {activity} demands {demand} of resource {resource}, whose capacity is {capacity}")]
    DemandAboveCapacity {
        /// Activity key.
        activity: String,
        /// Resource key.
        resource: String,
        /// Demand per period.
        demand: i64,
        /// Base capacity.
        capacity: i64,
    },
    /// An activity has a negative duration.
    #[error("activity {activity} has negative duration {duration}")]
    NegativeDuration {
        /// Activity key.
        activity: String,
        /// The duration given.
        duration: i64,
    },
    /// An activity has a negative demand.
    #[error("activity {activity} has negative demand {demand} on resource {resource}")]
    NegativeDemand {
        /// Activity key.
        activity: String,
        /// Resource key.
        resource: String,
        /// The demand given.
        demand: i64,
    },
    /// A demand refers to a resource that does not exist.
    #[error("activity {activity} refers to resource #{resource}, which does not exist")]
    UnknownResource {
        /// Activity key.
        activity: String,
        /// Resource index given.
        resource: u32,
    },
    /// An activity refers to a project that does not exist.
    #[error("activity {activity} refers to project #{project}, which does not exist")]
    UnknownProject {
        /// Activity key.
        activity: String,
        /// Project index given.
        project: u32,
    },
    /// A resource has a negative capacity.
    #[error("resource {resource} has a negative capacity")]
    NegativeCapacity {
        /// Resource key.
        resource: String,
    },
    /// A capacity window is malformed.
    #[error("resource {resource} has an invalid capacity window [{start}, {end})")]
    BadCapacityWindow {
        /// Resource key.
        resource: String,
        /// Window start.
        start: i64,
        /// Window end.
        end: i64,
    },
    /// A project has a negative release date or weight.
    #[error("project {project} has a negative release date or weight")]
    BadProject {
        /// Project key.
        project: String,
    },
    /// More than `u32::MAX` activities or links.
    #[error("problem too large for 32-bit indices")]
    TooLarge,
    /// An activity order given for decoding is not a permutation respecting precedence.
    #[error("invalid activity order: {reason}")]
    InvalidOrder {
        /// What is wrong with it.
        reason: String,
    },
    /// A duration vector has the wrong length or a negative entry.
    #[error("invalid durations: {reason}")]
    InvalidDurations {
        /// What is wrong with it.
        reason: String,
    },
    /// A benchmark file could not be parsed.
    #[error("parse error: {0}")]
    Parse(String),
}

fn cycle_text(a: &[String]) -> String {
    let mut s = a.join(" -> ");
    if let Some(first) = a.first() {
        s.push_str(" -> ");
        s.push_str(first);
    }
    s
}
