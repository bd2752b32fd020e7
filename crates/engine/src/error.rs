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
    /// An off period of a resource is malformed.
    #[error("resource {resource} has an invalid off period [{start}, {end})")]
    BadOffPeriod {
        /// Resource key.
        resource: String,
        /// First off period.
        start: i64,
        /// First period after it.
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
    /// A capacity, a project weight or a due date lies beyond what the engine accepts.
    #[error("{item} is {value}; the engine accepts at most {limit}")]
    OutOfRange {
        /// What holds the value, e.g. `resource R1 capacity`.
        item: String,
        /// The value given (its magnitude, for a due date).
        value: i64,
        /// The largest accepted.
        limit: i64,
    },
    /// The durations, lags, release dates and capacity windows add up to more periods than
    /// the engine plans over.
    #[error("{}", span_text(*.periods, *.limit))]
    SpanTooLong {
        /// Periods spanned (every duration and lag magnitude, the latest release date and the
        /// latest capacity window end added up, plus 2); `None` beyond 64 bits.
        periods: Option<i64>,
        /// Most periods accepted.
        limit: i64,
    },
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

fn span_text(periods: Option<i64>, limit: i64) -> String {
    let periods = periods.map_or_else(|| "more than 2^63".to_owned(), |p| p.to_string());
    format!(
        "durations, lags, release dates and capacity windows add up to {periods} periods; the engine plans over at most {limit}"
    )
}

fn cycle_text(a: &[String]) -> String {
    let mut s = a.join(" -> ");
    if let Some(first) = a.first() {
        s.push_str(" -> ");
        s.push_str(first);
    }
    s
}
