//! The problem model: what callers describe ([`ProblemSpec`]) and the validated, dense form the
//! algorithms read ([`Problem`]).
//!
//! Validation happens once, in [`Problem::new`]; everything downstream can index without checks.

use crate::calendar::Calendar;
use crate::error::EngineError;

/// Most periods a problem may span: every duration and lag magnitude, the latest release date
/// and the latest capacity window end added up (about 5.9 million years of working days).
/// Keeps every start time within 32 bits and every sum of times far from overflow.
pub const MAX_SPAN: i64 = i32::MAX as i64;
/// Largest capacity (per period, base or window) accepted: demands summed over activities
/// then stay far from overflow.
pub const MAX_CAPACITY: i64 = i32::MAX as i64;
/// Largest project weight accepted: weight x delay summed over projects stays far from
/// overflow.
pub const MAX_WEIGHT: i64 = 1_000_000;

/// Checks that activities of `durations`, with `links`, the latest release date `release` and
/// the latest capacity window end `window_end`, span at most [`MAX_SPAN`] periods. Returns the
/// span.
pub(crate) fn check_span(durations: &[i64], links: &[Link], release: i64, window_end: i64) -> Result<i64, EngineError> {
    // Two periods of margin: the decoders' grids hold one past the last possible finish.
    let mut span = Some(release.max(0)).and_then(|s| s.checked_add(window_end.max(0))).and_then(|s| s.checked_add(2));
    for &d in durations {
        span = span.and_then(|s| s.checked_add(d.max(0)));
    }
    for l in links {
        span = span.and_then(|s| s.checked_add(l.lag.checked_abs().unwrap_or(i64::MAX)));
    }
    span.filter(|&s| s <= MAX_SPAN).ok_or(EngineError::SpanTooLong { periods: span, limit: MAX_SPAN })
}

/// Dense index of an activity inside a [`Problem`] (its position in `ProblemSpec::activities`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ActivityIdx(pub u32);

/// Dense index of a renewable resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResourceIdx(pub u32);

/// Dense index of a project (a group of activities sharing a release date, due date and weight).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProjectIdx(pub u32);

impl ActivityIdx {
    /// The index as a `usize`, for slicing.
    pub fn ix(self) -> usize {
        self.0 as usize
    }
}
impl ResourceIdx {
    /// The index as a `usize`, for slicing.
    pub fn ix(self) -> usize {
        self.0 as usize
    }
}
impl ProjectIdx {
    /// The index as a `usize`, for slicing.
    pub fn ix(self) -> usize {
        self.0 as usize
    }
}

/// The four precedence link types. `lag` may be negative (a lead).
///
/// The discriminants encode which durations enter [`LinkKind::delta`] (bit 0: the
/// predecessor's, bit 1: the successor's), which keeps the CPM inner loop branch-free.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum LinkKind {
    /// successor starts at least `lag` after the predecessor finishes.
    FinishStart = 1,
    /// successor starts at least `lag` after the predecessor starts.
    StartStart = 0,
    /// successor finishes at least `lag` after the predecessor finishes.
    FinishFinish = 3,
    /// successor finishes at least `lag` after the predecessor starts.
    StartFinish = 2,
}

impl LinkKind {
    /// Minimum distance between the two *start* times implied by the link:
    /// `start(to) >= start(from) + delta`. Every link type reduces to this form, which is
    /// what lets CPM and the SGS treat all four uniformly.
    #[inline]
    pub fn delta(self, lag: i64, d_from: i64, d_to: i64) -> i64 {
        let bits = self as i64;
        lag + d_from * (bits & 1) - d_to * (bits >> 1)
    }

    /// Short code used in reports: FS, SS, FF, SF.
    pub fn code(self) -> &'static str {
        match self {
            LinkKind::FinishStart => "FS",
            LinkKind::StartStart => "SS",
            LinkKind::FinishFinish => "FF",
            LinkKind::StartFinish => "SF",
        }
    }

    /// Whether the link reads its predecessor's finish (FS, FF) rather than its start.
    #[inline]
    pub fn reads_finish(self) -> bool {
        self as u8 & 1 != 0
    }

    /// Whether the link bounds its successor's finish (FF, SF) rather than its start.
    #[inline]
    pub fn bounds_finish(self) -> bool {
        self as u8 & 2 != 0
    }
}

/// A precedence link between two activities (indices into `ProblemSpec::activities`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link {
    /// Predecessor.
    pub from: ActivityIdx,
    /// Successor.
    pub to: ActivityIdx,
    /// Link type.
    pub kind: LinkKind,
    /// Lag in periods (negative = lead).
    pub lag: i64,
}

impl Link {
    /// A finish-to-start link without lag, the PSPLIB kind.
    pub fn fs(from: ActivityIdx, to: ActivityIdx) -> Link {
        Link { from, to, kind: LinkKind::FinishStart, lag: 0 }
    }
}

/// A period range `[start, end)` in which a resource has `capacity` instead of its base
/// capacity (holidays, a team growing or shrinking).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapacityWindow {
    /// First period of the window.
    pub start: i64,
    /// First period after the window.
    pub end: i64,
    /// Capacity during the window.
    pub capacity: i64,
}

/// A period range `[start, end)` in which a resource does not work (a team's own holidays).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffPeriod {
    /// First period off.
    pub start: i64,
    /// First period after it.
    pub end: i64,
}

/// A renewable resource: a base capacity per period, overridden by windows. Where windows
/// overlap, the later one in the list wins.
///
/// Off periods differ from windows of capacity 0 in what they do to the activities that need
/// the resource: those *pause* over an off period (their duration counts working periods only:
/// a task of 5 periods over 2 off ones spans 7), where a window of capacity 0 only keeps an
/// activity from running through it, so the activity waits for a stretch long enough.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceSpec {
    /// External label, for messages and mapping back.
    pub key: String,
    /// Capacity per period outside windows (and after the last one).
    pub capacity: i64,
    /// Capacity changes over time.
    pub windows: Vec<CapacityWindow>,
    /// Periods in which the resource does not work: its capacity is 0 and every activity
    /// demanding it pauses.
    pub off_periods: Vec<OffPeriod>,
}

/// A project: a group of activities with a release date, an optional due date and a weight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectSpec {
    /// External label.
    pub key: String,
    /// No activity of the project starts before this period.
    pub release: i64,
    /// Due date (period by which the project should finish), for tardiness.
    pub due: Option<i64>,
    /// Weight in the weighted objectives (>= 0).
    pub weight: i64,
}

/// An activity as described by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivitySpec {
    /// External label, so callers can map back (e.g. "P2/17").
    pub key: String,
    /// Duration in working periods.
    pub duration: i64,
    /// Owning project, if any.
    pub project: Option<ProjectIdx>,
    /// Demand per period on resources while the activity runs.
    pub demands: Vec<(ResourceIdx, i64)>,
    /// Already under way (its duration is what is left): it resumes ahead of work not yet
    /// started. Every serial decode places the started activities first, in the list's order,
    /// so work not yet started never takes their resources before them (MS Project's leveling
    /// does not delay started work either). Only an activity whose predecessors are all
    /// started counts: one waiting for new work waits in line with it.
    pub started: bool,
}

impl ActivitySpec {
    /// An activity with no demands and no project, not started.
    pub fn new(key: impl Into<String>, duration: i64) -> ActivitySpec {
        ActivitySpec { key: key.into(), duration, project: None, demands: Vec::new(), started: false }
    }
}

/// Everything needed to build a [`Problem`]; plain data, filled by readers and callers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProblemSpec {
    /// Activities; their positions become [`ActivityIdx`].
    pub activities: Vec<ActivitySpec>,
    /// Precedence links.
    pub links: Vec<Link>,
    /// Renewable resources; positions become [`ResourceIdx`].
    pub resources: Vec<ResourceSpec>,
    /// Projects; positions become [`ProjectIdx`].
    pub projects: Vec<ProjectSpec>,
}

/// A validated problem in dense form: flat arrays and CSR adjacency.
///
/// Invariants (established by [`Problem::new`]): the precedence graph is acyclic, every link,
/// demand and project reference is in range, durations and demands are non-negative, and every
/// demand fits the resource's base capacity (so every activity can eventually be scheduled).
/// A resource's off periods are also folded into its windows (capacity 0, after the given
/// windows, so they win), so capacity profiles read windows only; an activity demanding a
/// resource with off periods gets a calendar (the union over its resources) and pauses on it.
#[derive(Debug, Clone)]
pub struct Problem {
    pub(crate) keys: Vec<String>,
    pub(crate) durations: Vec<i64>,
    pub(crate) project_of: Vec<Option<ProjectIdx>>,
    /// Earliest start per activity from its project's release date (and 0).
    pub(crate) release: Vec<i64>,
    // Successor CSR: succ_start[i]..succ_start[i+1] index succ_to/succ_kind/succ_lag.
    pub(crate) succ_start: Vec<u32>,
    pub(crate) succ_to: Vec<u32>,
    pub(crate) succ_kind: Vec<LinkKind>,
    pub(crate) succ_lag: Vec<i64>,
    // Predecessor CSR, same layout.
    pub(crate) pred_start: Vec<u32>,
    pub(crate) pred_from: Vec<u32>,
    pub(crate) pred_kind: Vec<LinkKind>,
    pub(crate) pred_lag: Vec<i64>,
    // Demand CSR.
    pub(crate) dem_start: Vec<u32>,
    pub(crate) dem_res: Vec<u32>,
    pub(crate) dem_amt: Vec<i64>,
    /// A topological order of the precedence graph.
    pub(crate) topo: Vec<u32>,
    /// Position of each activity in `topo`.
    pub(crate) topo_rank: Vec<u32>,
    pub(crate) resources: Vec<ResourceSpec>,
    pub(crate) projects: Vec<ProjectSpec>,
    pub(crate) links: Vec<Link>,
    /// Distinct activity calendars.
    pub(crate) calendars: Vec<Calendar>,
    /// Index into `calendars` per activity, [`NO_CALENDAR`] for none.
    pub(crate) calendar_of: Vec<u32>,
    /// Per activity: started, with every predecessor started too ([`ActivitySpec::started`]);
    /// empty when no activity is. Serial decodes place these first.
    pub(crate) resumes_first: Vec<bool>,
}

/// `Problem::calendar_of` of an activity that never pauses.
pub(crate) const NO_CALENDAR: u32 = u32::MAX;

/// A bound far below every date, for "no bound" (sums with lags and durations stay far from
/// overflow).
pub(crate) const NO_LOWER_BOUND: i64 = i64::MIN / 4;
/// A bound far above every date.
pub(crate) const NO_UPPER_BOUND: i64 = i64::MAX / 4;

impl Problem {
    /// Validates `spec` and builds the dense form. Errors name the offending items by key.
    pub fn new(spec: ProblemSpec) -> Result<Problem, EngineError> {
        let ProblemSpec { activities, links, resources, projects } = spec;
        let n = activities.len();
        if n >= u32::MAX as usize || links.len() >= u32::MAX as usize {
            return Err(EngineError::TooLarge);
        }
        for r in &resources {
            if r.capacity < 0 || r.windows.iter().any(|w| w.capacity < 0) {
                return Err(EngineError::NegativeCapacity { resource: r.key.clone() });
            }
            if let Some(c) =
                std::iter::once(r.capacity).chain(r.windows.iter().map(|w| w.capacity)).find(|&c| c > MAX_CAPACITY)
            {
                return Err(EngineError::OutOfRange {
                    item: format!("resource {} capacity", r.key),
                    value: c,
                    limit: MAX_CAPACITY,
                });
            }
            if let Some(w) = r.windows.iter().find(|w| w.end < w.start || w.start < 0) {
                return Err(EngineError::BadCapacityWindow { resource: r.key.clone(), start: w.start, end: w.end });
            }
            if let Some(o) = r.off_periods.iter().find(|o| o.end < o.start || o.start < 0) {
                return Err(EngineError::BadOffPeriod { resource: r.key.clone(), start: o.start, end: o.end });
            }
        }
        let mut resources = resources;
        for r in &mut resources {
            let off: Vec<CapacityWindow> = r
                .off_periods
                .iter()
                .filter(|o| o.end > o.start)
                .map(|o| CapacityWindow { start: o.start, end: o.end, capacity: 0 })
                .collect();
            r.windows.extend(off);
        }
        // Calendars: one per distinct set of resources with off periods an activity demands.
        let mut calendars: Vec<Calendar> = Vec::new();
        let mut calendar_keys: std::collections::HashMap<Vec<u32>, u32> = std::collections::HashMap::new();
        let mut calendar_of = Vec::with_capacity(n);
        let mut started = Vec::with_capacity(n);
        for p in &projects {
            if p.release < 0 || p.weight < 0 {
                return Err(EngineError::BadProject { project: p.key.clone() });
            }
            if p.weight > MAX_WEIGHT {
                return Err(EngineError::OutOfRange {
                    item: format!("project {} weight", p.key),
                    value: p.weight,
                    limit: MAX_WEIGHT,
                });
            }
            if let Some(due) = p.due.filter(|d| d.checked_abs().is_none_or(|m| m > MAX_SPAN)) {
                return Err(EngineError::OutOfRange {
                    item: format!("project {} due date", p.key),
                    value: due,
                    limit: MAX_SPAN,
                });
            }
        }
        let mut durations = Vec::with_capacity(n);
        let mut project_of = Vec::with_capacity(n);
        let mut release = Vec::with_capacity(n);
        let mut dem_start = Vec::with_capacity(n + 1);
        let mut dem_res = Vec::new();
        let mut dem_amt = Vec::new();
        let mut keys = Vec::with_capacity(n);
        dem_start.push(0u32);
        for a in activities {
            if a.duration < 0 {
                return Err(EngineError::NegativeDuration { activity: a.key, duration: a.duration });
            }
            let rel = match a.project {
                Some(p) => match projects.get(p.ix()) {
                    Some(ps) => ps.release,
                    None => {
                        return Err(EngineError::UnknownProject { activity: a.key, project: p.0 });
                    }
                },
                None => 0,
            };
            for &(r, q) in &a.demands {
                let Some(res) = resources.get(r.ix()) else {
                    return Err(EngineError::UnknownResource { activity: a.key, resource: r.0 });
                };
                if q < 0 {
                    return Err(EngineError::NegativeDemand { activity: a.key, resource: res.key.clone(), demand: q });
                }
            }
            // One entry per resource: demands listed twice on one resource add up (every
            // decoder and the checker read one amount per resource and activity).
            let mut merged = a.demands;
            merged.sort_by_key(|&(r, _)| r.0);
            merged.dedup_by(|later, kept| {
                let same = later.0 == kept.0;
                if same {
                    kept.1 = kept.1.saturating_add(later.1);
                }
                same
            });
            for &(r, q) in &merged {
                let res = &resources[r.ix()];
                // The base capacity holds forever after the last window, so a demand within it
                // can always be placed; above it, never once the windows are over.
                if q > res.capacity {
                    return Err(EngineError::DemandAboveCapacity {
                        activity: a.key,
                        resource: res.key.clone(),
                        demand: q,
                        capacity: res.capacity,
                    });
                }
                if q > 0 {
                    dem_res.push(r.0);
                    dem_amt.push(q);
                }
            }
            dem_start.push(dem_res.len() as u32);
            let pausing: Vec<u32> = merged
                .iter()
                .filter(|&&(r, q)| q > 0 && !resources[r.ix()].off_periods.is_empty())
                .map(|&(r, _)| r.0)
                .collect();
            let calendar = if pausing.is_empty() {
                NO_CALENDAR
            } else if let Some(&c) = calendar_keys.get(&pausing) {
                c
            } else {
                let ranges = pausing.iter().flat_map(|&r| resources[r as usize].off_periods.iter().copied());
                let c = match Calendar::new(ranges) {
                    Some(calendar) => {
                        calendars.push(calendar);
                        (calendars.len() - 1) as u32
                    }
                    None => NO_CALENDAR,
                };
                calendar_keys.insert(pausing, c);
                c
            };
            calendar_of.push(calendar);
            started.push(a.started);
            durations.push(a.duration);
            project_of.push(a.project);
            release.push(rel);
            keys.push(a.key);
        }
        for (i, l) in links.iter().enumerate() {
            for end in [l.from, l.to] {
                if end.ix() >= n {
                    return Err(EngineError::DanglingLink {
                        link: i,
                        from: describe(&keys, l.from),
                        to: describe(&keys, l.to),
                    });
                }
            }
        }
        let (succ_start, succ_pos) = csr(n, links.iter().map(|l| l.from.0));
        let (pred_start, pred_pos) = csr(n, links.iter().map(|l| l.to.0));
        let succ_to = succ_pos.iter().map(|&k| links[k as usize].to.0).collect();
        let succ_kind = succ_pos.iter().map(|&k| links[k as usize].kind).collect();
        let succ_lag = succ_pos.iter().map(|&k| links[k as usize].lag).collect();
        let pred_from = pred_pos.iter().map(|&k| links[k as usize].from.0).collect();
        let pred_kind = pred_pos.iter().map(|&k| links[k as usize].kind).collect();
        let pred_lag = pred_pos.iter().map(|&k| links[k as usize].lag).collect();
        let mut p = Problem {
            keys,
            durations,
            project_of,
            release,
            succ_start,
            succ_to,
            succ_kind,
            succ_lag,
            pred_start,
            pred_from,
            pred_kind,
            pred_lag,
            dem_start,
            dem_res,
            dem_amt,
            topo: Vec::new(),
            topo_rank: Vec::new(),
            resources,
            projects,
            links,
            calendars,
            calendar_of,
            resumes_first: Vec::new(),
        };
        p.check_span_with(&p.durations)?;
        p.topo = p.topological_order()?;
        let mut rank = vec![0u32; n];
        for (k, &a) in p.topo.iter().enumerate() {
            rank[a as usize] = k as u32;
        }
        p.topo_rank = rank;
        if started.iter().any(|&s| s) {
            // Closed under predecessors, so a list with these moved to its front (in order)
            // stays precedence-feasible.
            let mut first = started;
            for &a in &p.topo {
                let a = a as usize;
                if first[a] && p.pred_slice(a).iter().any(|&i| !first[i as usize]) {
                    first[a] = false;
                }
            }
            // Kept only when some activity does resume first, so `has_started_work` is a
            // length check on the decoders' hot path.
            if first.iter().any(|&f| f) {
                p.resumes_first = first;
            }
        }
        Ok(p)
    }

    /// [`check_span`] of this problem with other `durations` (e.g. sampled or worst-case ones).
    pub(crate) fn check_span_with(&self, durations: &[i64]) -> Result<i64, EngineError> {
        let latest_release = self.release.iter().copied().max().unwrap_or(0);
        let latest_window_end = self.resources.iter().flat_map(|r| &r.windows).map(|w| w.end).max().unwrap_or(0);
        check_span(durations, &self.links, latest_release, latest_window_end)
    }

    /// Kahn's algorithm; on failure, extracts one cycle to name it.
    fn topological_order(&self) -> Result<Vec<u32>, EngineError> {
        let n = self.len();
        let mut indeg: Vec<u32> = (0..n).map(|i| self.pred_start[i + 1] - self.pred_start[i]).collect();
        let mut order: Vec<u32> = (0..n as u32).filter(|&i| indeg[i as usize] == 0).collect();
        let mut head = 0;
        while head < order.len() {
            let i = order[head] as usize;
            head += 1;
            for &j in self.succ_slice(i) {
                indeg[j as usize] -= 1;
                if indeg[j as usize] == 0 {
                    order.push(j);
                }
            }
        }
        if order.len() == n {
            return Ok(order);
        }
        // Every node left with indeg > 0 has a predecessor also left; walking predecessors
        // from any of them must revisit a node, which closes a cycle.
        let start = (0..n).find(|&i| indeg[i] > 0).unwrap_or(0);
        let mut seen = vec![u32::MAX; n];
        let mut walk = Vec::new();
        let mut cur = start;
        while seen[cur] == u32::MAX {
            seen[cur] = walk.len() as u32;
            walk.push(cur);
            let preds = &self.pred_from[self.pred_start[cur] as usize..self.pred_start[cur + 1] as usize];
            cur = preds.iter().map(|&p| p as usize).find(|&p| indeg[p] > 0).unwrap_or(cur);
        }
        let mut cycle: Vec<String> = walk[seen[cur] as usize..].iter().map(|&i| self.keys[i].clone()).collect();
        // The walk followed predecessors; report in successor direction.
        cycle.reverse();
        Err(EngineError::Cycle { activities: cycle })
    }

    /// Number of activities.
    pub fn len(&self) -> usize {
        self.durations.len()
    }
    /// True when there are no activities.
    pub fn is_empty(&self) -> bool {
        self.durations.is_empty()
    }
    /// Number of resources.
    pub fn resource_count(&self) -> usize {
        self.resources.len()
    }
    /// Number of projects.
    pub fn project_count(&self) -> usize {
        self.projects.len()
    }
    /// External label of an activity.
    pub fn key(&self, a: ActivityIdx) -> &str {
        &self.keys[a.ix()]
    }
    /// Looks an activity up by its key (linear scan; for tools and tests).
    pub fn find(&self, key: &str) -> Option<ActivityIdx> {
        self.keys.iter().position(|k| k == key).map(|i| ActivityIdx(i as u32))
    }
    /// Durations of all activities.
    pub fn durations(&self) -> &[i64] {
        &self.durations
    }
    /// Project of an activity.
    pub fn project_of(&self, a: ActivityIdx) -> Option<ProjectIdx> {
        self.project_of[a.ix()]
    }
    /// Earliest start allowed by the activity's project release date (0 without project).
    pub fn release_of(&self, a: ActivityIdx) -> i64 {
        self.release[a.ix()]
    }
    /// Project descriptions.
    pub fn projects(&self) -> &[ProjectSpec] {
        &self.projects
    }
    /// Resource descriptions, with each resource's off periods also among its windows (at
    /// capacity 0, last).
    pub fn resources(&self) -> &[ResourceSpec] {
        &self.resources
    }
    /// Whether any activity pauses over off periods (then `finish != start + duration` for
    /// some schedules: use [`Problem::finish_of`]).
    pub fn has_calendars(&self) -> bool {
        !self.calendars.is_empty()
    }
    /// Whether some activity resumes ahead of the rest ([`ActivitySpec::started`]).
    pub fn has_started_work(&self) -> bool {
        !self.resumes_first.is_empty()
    }
    /// The calendar activity `j` pauses on, if any.
    #[inline]
    pub(crate) fn calendar(&self, j: usize) -> Option<&Calendar> {
        match self.calendar_of[j] {
            NO_CALENDAR => None,
            c => Some(&self.calendars[c as usize]),
        }
    }
    /// Finish of activity `a` started at `start` (one of its working periods) with duration
    /// `d`: `start + d`, plus the off periods it pauses over.
    pub fn finish_of(&self, a: ActivityIdx, start: i64, d: i64) -> i64 {
        match self.calendar(a.ix()) {
            None => start + d,
            Some(c) => c.finish(start, d),
        }
    }
    /// The least start and finish of activity `j` its release date and its predecessors, dated
    /// `start`/`finish`, allow: each link bounds one of the two (see [`LinkKind::bounds_finish`]).
    #[inline]
    pub(crate) fn bounds_after_predecessors(&self, j: usize, start: &[i64], finish: &[i64]) -> (i64, i64) {
        let (mut start_from, mut finish_from) = (self.release[j], NO_LOWER_BOUND);
        for k in self.pred_start[j] as usize..self.pred_start[j + 1] as usize {
            let (i, kind) = (self.pred_from[k] as usize, self.pred_kind[k]);
            let v = if kind.reads_finish() { finish[i] } else { start[i] } + self.pred_lag[k];
            if kind.bounds_finish() {
                finish_from = finish_from.max(v);
            } else {
                start_from = start_from.max(v);
            }
        }
        (start_from, finish_from)
    }

    /// The greatest start and finish of activity `i` its successors, dated `start`/`finish`,
    /// allow, the finish also by `finish_by`.
    #[inline]
    pub(crate) fn bounds_before_successors(
        &self,
        i: usize,
        start: &[i64],
        finish: &[i64],
        finish_by: i64,
    ) -> (i64, i64) {
        let (mut start_by, mut finish_by) = (NO_UPPER_BOUND, finish_by);
        for k in self.succ_start[i] as usize..self.succ_start[i + 1] as usize {
            let (j, kind) = (self.succ_to[k] as usize, self.succ_kind[k]);
            let v = if kind.bounds_finish() { finish[j] } else { start[j] } - self.succ_lag[k];
            if kind.reads_finish() {
                finish_by = finish_by.min(v);
            } else {
                start_by = start_by.min(v);
            }
        }
        (start_by, finish_by)
    }

    /// Working periods of activity `j` in `start..finish` (its duration, in a schedule).
    pub(crate) fn working_between(&self, j: usize, start: i64, finish: i64) -> i64 {
        match self.calendar(j) {
            None => finish - start,
            Some(c) => c.working_between(start, finish),
        }
    }
    /// The earliest start and finish of activity `j` with duration `d`, starting at or after
    /// `start_from` and finishing at or after `finish_from`.
    #[inline]
    pub(crate) fn earliest(&self, j: usize, d: i64, start_from: i64, finish_from: i64) -> (i64, i64) {
        let Some(c) = self.calendar(j) else {
            let s = start_from.max(finish_from - d);
            return (s, s + d);
        };
        let (s, f) = c.place(start_from, d);
        if f >= finish_from {
            return (s, f);
        }
        // Finish moves with start: the latest start finishing by `finish_from`, or the next.
        let (s, f) = c.place(c.latest_start(finish_from, d), d);
        if f >= finish_from { (s, f) } else { c.place(s + 1, d) }
    }
    /// The latest start and finish of activity `j` with duration `d`, starting at or before
    /// `start_by` and finishing at or before `finish_by`.
    #[inline]
    pub(crate) fn latest(&self, j: usize, d: i64, start_by: i64, finish_by: i64) -> (i64, i64) {
        let Some(c) = self.calendar(j) else {
            let s = start_by.min(finish_by - d);
            return (s, s + d);
        };
        if d == 0 {
            let s = start_by.min(finish_by);
            return (s, s);
        }
        let s = c.latest_start(finish_by, d).min(c.prev_working(start_by));
        (s, c.finish(s, d))
    }
    /// The links as given.
    pub fn links(&self) -> &[Link] {
        &self.links
    }
    /// A topological order of activities (every link goes forward in it).
    pub fn topological(&self) -> impl Iterator<Item = ActivityIdx> + '_ {
        self.topo.iter().map(|&i| ActivityIdx(i))
    }
    /// Demands of an activity, `(resource, amount)` with amount > 0.
    pub fn demands(&self, a: ActivityIdx) -> impl Iterator<Item = (ResourceIdx, i64)> + '_ {
        let r = self.dem_start[a.ix()] as usize..self.dem_start[a.ix() + 1] as usize;
        self.dem_res[r.clone()].iter().zip(&self.dem_amt[r]).map(|(&res, &q)| (ResourceIdx(res), q))
    }
    /// Successors of an activity with link type and lag.
    pub fn successors(&self, a: ActivityIdx) -> impl Iterator<Item = (ActivityIdx, LinkKind, i64)> + '_ {
        let r = self.succ_start[a.ix()] as usize..self.succ_start[a.ix() + 1] as usize;
        r.map(|k| (ActivityIdx(self.succ_to[k]), self.succ_kind[k], self.succ_lag[k]))
    }
    /// Predecessors of an activity with link type and lag.
    pub fn predecessors(&self, a: ActivityIdx) -> impl Iterator<Item = (ActivityIdx, LinkKind, i64)> + '_ {
        let r = self.pred_start[a.ix()] as usize..self.pred_start[a.ix() + 1] as usize;
        r.map(|k| (ActivityIdx(self.pred_from[k]), self.pred_kind[k], self.pred_lag[k]))
    }
    /// Capacity of resource `r` in period `t`.
    pub fn capacity_at(&self, r: ResourceIdx, t: i64) -> i64 {
        let res = &self.resources[r.ix()];
        res.windows.iter().rev().find(|w| w.start <= t && t < w.end).map_or(res.capacity, |w| w.capacity)
    }

    pub(crate) fn succ_slice(&self, i: usize) -> &[u32] {
        &self.succ_to[self.succ_start[i] as usize..self.succ_start[i + 1] as usize]
    }

    pub(crate) fn pred_slice(&self, i: usize) -> &[u32] {
        &self.pred_from[self.pred_start[i] as usize..self.pred_start[i + 1] as usize]
    }
}

fn describe(keys: &[String], a: ActivityIdx) -> String {
    keys.get(a.ix()).cloned().unwrap_or_else(|| format!("#{} (no such activity)", a.0))
}

/// Counting sort of items by `owner`: returns (row starts, item positions grouped by owner,
/// in input order within a row).
fn csr(n: usize, owners: impl Iterator<Item = u32> + Clone) -> (Vec<u32>, Vec<u32>) {
    let mut start = vec![0u32; n + 1];
    for o in owners.clone() {
        start[o as usize + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let mut fill = start.clone();
    let mut pos = vec![0u32; start[n] as usize];
    for (k, o) in owners.enumerate() {
        let slot = &mut fill[o as usize];
        pos[*slot as usize] = k as u32;
        *slot += 1;
    }
    (start, pos)
}
