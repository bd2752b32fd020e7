//! Monte Carlo schedule forecast: every iteration samples each activity's duration from its
//! three-point estimate and each risk event's occurrence and impact, then schedules, either on
//! the network alone (critical path per iteration) or under the team capacities (the serial
//! SGS re-decodes a fixed priority order, typically [`crate::Solution::order`]).
//!
//! # Sampling and rounding
//!
//! A sampled duration is rounded **up** to whole periods: `ceil(x)`. An estimate whose three
//! values are the same integer therefore reproduces the deterministic plan exactly. Rather
//! than drawing a continuous Beta and rounding it, each estimate is turned once into the exact
//! distribution of its rounded-up value (`P(D = k) = F(k) - F(k - 1)` from the PERT-Beta or
//! triangular CDF) and sampled with Walker's alias method: one 64-bit draw per activity, no
//! rejection loop, the same law as `ceil` of the continuous draw.
//!
//! PERT-Beta on `[a, b]` with mode `m`: `alpha = 1 + 4 (m - a) / (b - a)`,
//! `beta = 1 + 4 (b - m) / (b - a)`; `a == b` is a fixed duration.
//!
//! A risk that occurs adds its rounded-up sampled impact to the duration of every activity it
//! hits. Its "sampled value" (for sensitivity) is that impact, or 0 when it does not occur.
//!
//! # Determinism
//!
//! Iteration `i` draws from its own wyrand stream, started from the `i + 1`-th output of
//! SplitMix64 keyed by the seed, so its samples depend on `(seed, i)` only, not on which
//! thread ran it. Iterations run in chunks on rayon; every aggregate is either stored per
//! iteration (in iteration order) or an integer count or sum, so the result is identical
//! whatever the thread count.
//!
//! # Speed
//!
//! Activities are renumbered by topological position: one iteration draws every duration
//! (one word and one alias-table load each), runs a forward pass over flat predecessor
//! arrays (links in fixed-width groups with their lags), and finds the zero-float activities
//! by searching back from the last finishers along tight links only. In network mode, when
//! every date fits (almost always), iterations run 16 at a time instead, one lane each, so
//! that the passes work on rows of 16 dates with vector instructions (`forecast/lanes.rs`);
//! each lane draws the same words, so the results are the same. Sensitivity sums finish
//! ranks per sampled value from the stored samples (or redraws them when there are too many
//! to keep).
//!
//! # Statistics
//!
//! Percentiles are nearest-rank on the sorted sample: `Pq` is the `ceil(q N / 100)`-th
//! smallest value. Sensitivity is Spearman's rho with average ranks for ties (0 when either
//! side is constant). Criticality is the share of iterations in which an activity has zero
//! total float (network mode) or lies on the schedule's driving path into the last-finishing
//! activity (resource mode, [`crate::schedule_driving_path`]).

mod lanes;
mod sampling;

use std::sync::Mutex;

use rayon::prelude::*;

use crate::cpm::{calendar_passes, driving_path_for};
use crate::error::EngineError;
use crate::model::{ActivityIdx, Problem};
use crate::sgs::{Decoder, check_order};
use lanes::{LANES, LaneNetwork};
use sampling::{Stream, Tables, rounded_law, seed_key, unit};

/// Largest spread (pessimistic rounded up minus optimistic rounded up) accepted for one
/// estimate, in periods; bounds the size of the sampling tables.
pub const MAX_SPREAD: f64 = 65_535.0;
/// Most iterations accepted (below 2^20: the packed sensitivity tallies stay exact).
pub const MAX_ITERATIONS: u32 = 1_000_000;
/// Sampled values kept in memory for the sensitivity pass at most; beyond, they are redrawn.
const MAX_STORED_SAMPLES: usize = 1 << 26;
/// Largest value accepted in an estimate (keeps every sum of durations far from overflow).
pub const MAX_ESTIMATE: f64 = 1.0e9;
/// Most sampling-table entries (each estimate's number of possible rounded values) plus
/// risk impact counters (largest impact + 1 per risk) accepted; bounds the memory used.
pub const MAX_TABLE_ENTRIES: usize = 1 << 22;
/// One iteration in a packed sensitivity tally (see [`Simulation::sensitivity`]).
const TALLY_COUNT: u64 = 1 << 44;
/// Iterations per chunk at most (chunk counters are `u16`).
const MAX_CHUNK: u32 = 4096;
/// Bins of [`Forecast::histogram`] at most.
pub const HISTOGRAM_BINS: i64 = 50;

/// Optimistic / most likely / pessimistic estimate in (fractional) working periods.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThreePoint {
    /// Best case (a).
    pub optimistic: f64,
    /// Mode (m).
    pub most_likely: f64,
    /// Worst case (b).
    pub pessimistic: f64,
}

impl ThreePoint {
    /// An estimate from its three values.
    pub fn new(optimistic: f64, most_likely: f64, pessimistic: f64) -> ThreePoint {
        ThreePoint { optimistic, most_likely, pessimistic }
    }
    /// A certain value.
    pub fn fixed(value: f64) -> ThreePoint {
        ThreePoint::new(value, value, value)
    }
}

/// Shape of the distribution behind a three-point estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Distribution {
    /// PERT-Beta (the classic weights 1-4-1).
    #[default]
    Pert,
    /// Triangular.
    Triangular,
}

/// An uncertain event that, when it occurs, lengthens some activities.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskEvent {
    /// External label.
    pub key: String,
    /// Probability of occurring in one iteration, in `0..=1`.
    pub probability: f64,
    /// Extra working periods added to every hit activity when it occurs.
    pub impact: ThreePoint,
    /// Activities lengthened (duplicates are ignored).
    pub hits: Vec<ActivityIdx>,
}

/// How each iteration is scheduled.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ForecastMode {
    /// Links and release dates only: the critical-path date per iteration.
    #[default]
    NetworkOnly,
    /// Serial SGS on this precedence-feasible priority order under the resource capacities.
    ResourceAware {
        /// Activity list, e.g. the best order found by [`crate::solve()`].
        order: Vec<ActivityIdx>,
    },
}

/// What to simulate.
#[derive(Debug, Clone)]
pub struct ForecastInput<'a> {
    /// The network and resources; its durations are used for activities without estimate.
    pub problem: &'a Problem,
    /// One entry per activity (`None`: the problem's duration, certain).
    pub estimates: Vec<Option<ThreePoint>>,
    /// Shape used for every estimate.
    pub distribution: Distribution,
    /// Risk events.
    pub risks: Vec<RiskEvent>,
    /// Network-only or resource-aware.
    pub mode: ForecastMode,
    /// Number of iterations (>= 1).
    pub iterations: u32,
    /// Seed of all randomness.
    pub seed: u64,
}

/// Nearest-rank percentiles and mean of a finish date, in periods.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Percentiles {
    /// 10th percentile.
    pub p10: i64,
    /// Median.
    pub p50: i64,
    /// 80th percentile.
    pub p80: i64,
    /// 95th percentile.
    pub p95: i64,
    /// Arithmetic mean.
    pub mean: f64,
}

/// Equal-width bins of the project finish (makespan) distribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Histogram {
    /// First period of the first bin.
    pub start: i64,
    /// Periods per bin (>= 1); bin `k` covers `start + k * width ..start + (k + 1) * width`.
    pub bin_width: i64,
    /// Iterations per bin.
    pub counts: Vec<u64>,
}

/// One point of the S-curve: probability of finishing by `finish`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CurvePoint {
    /// Finish period (end of the last activity).
    pub finish: i64,
    /// Share of iterations finishing at or before it.
    pub probability: f64,
}

/// Spearman rank correlation of sampled values with the overall finish.
#[derive(Debug, Clone, PartialEq)]
pub struct Sensitivity {
    /// Per activity: its sampled duration (before risk impacts) vs the finish.
    pub activities: Vec<f64>,
    /// Per risk: its applied impact (0 when it did not occur) vs the finish.
    pub risks: Vec<f64>,
}

/// How much a risk moves the P80 finish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskContribution {
    /// Index in [`ForecastInput::risks`].
    pub risk: usize,
    /// Its key.
    pub key: String,
    /// P80 with every risk minus P80 with this one disabled (same samples otherwise).
    pub p80_days: i64,
}

/// How settled the P80 is: P80 over growing prefixes of the iterations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Convergence {
    /// P80 over the first half of the iterations (rounded up).
    pub p80_first_half: i64,
    /// P80 over the first 90 % of the iterations (rounded up).
    pub p80_first_90_percent: i64,
    /// P80 over all iterations.
    pub p80: i64,
    /// `|p80 - p80_first_90_percent|`: how much the last tenth still moved it.
    pub p80_shift_last_tenth: i64,
}

/// The forecast.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    /// Iterations run.
    pub iterations: u32,
    /// Overall finish (latest finish of any activity).
    pub finish: Percentiles,
    /// Per project (its release date when it has no activities).
    pub project_finish: Vec<Percentiles>,
    /// Per activity (work items and milestones alike).
    pub activity_finish: Vec<Percentiles>,
    /// Distribution of the overall finish.
    pub histogram: Histogram,
    /// Cumulative distribution of the overall finish, one point per distinct value.
    pub s_curve: Vec<CurvePoint>,
    /// Per activity, share of iterations in which it was critical (see module doc).
    pub criticality: Vec<f64>,
    /// Rank correlations with the overall finish.
    pub sensitivity: Sensitivity,
    /// One entry per risk, in input order.
    pub risk_p80_contribution: Vec<RiskContribution>,
    /// Stability of the P80.
    pub convergence: Convergence,
}

/// Why a forecast input was rejected.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ForecastError {
    /// `estimates` does not have one entry per activity.
    #[error("{given} estimates for {activities} activities")]
    EstimateCount {
        /// Entries given.
        given: usize,
        /// Activities in the problem.
        activities: usize,
    },
    /// An estimate is not finite, negative, unordered or too wide.
    #[error("estimate of activity {activity}: {reason}")]
    BadEstimate {
        /// Activity key.
        activity: String,
        /// What is wrong.
        reason: String,
    },
    /// A risk has a bad probability, impact or hit.
    #[error("risk {risk}: {reason}")]
    BadRisk {
        /// Risk key.
        risk: String,
        /// What is wrong.
        reason: String,
    },
    /// The estimates span too many possible values in total (see [`MAX_TABLE_ENTRIES`]).
    #[error("the estimates span {entries} possible values in total, more than {max}")]
    TooWide {
        /// Entries needed.
        entries: usize,
        /// The limit.
        max: usize,
    },
    /// Zero iterations asked.
    #[error("at least one iteration is needed")]
    NoIterations,
    /// More than [`MAX_ITERATIONS`] asked.
    #[error("at most {max} iterations are supported")]
    TooManyIterations {
        /// The limit.
        max: u32,
    },
    /// The resource-aware order is invalid, or the longest possible schedule spans more
    /// periods than the engine plans over.
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// Runs the simulation. See the module documentation for the sampling, rounding and
/// statistics definitions.
pub fn forecast(input: &ForecastInput<'_>) -> Result<Forecast, ForecastError> {
    forecast_with_progress(input, &|_, _| {})
}

/// [`forecast`], calling `progress(done, total)` with the number of iterations finished so
/// far each time a chunk of iterations completes (from the worker threads, one call at a
/// time; `done` grows with every call and ends at `total`). The result does not depend on it.
pub fn forecast_with_progress(
    input: &ForecastInput<'_>,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Forecast, ForecastError> {
    let sim = Simulation::new(input)?;
    sim.run(progress)
}

/// Validated input in flat form. Activities are numbered by topological position (see
/// [`Network`]) everywhere inside: sampling variables, stored samples, counters.
#[derive(Debug)]
struct Simulation<'a> {
    p: &'a Problem,
    n: usize,
    /// Variables `0..n` are the activities by position, then one impact per risk.
    tables: Tables,
    /// Occurrence probability per risk.
    probability: Vec<f64>,
    /// Risk hits CSR by position (deduplicated).
    hit_start: Vec<u32>,
    hit: Vec<u32>,
    /// Resource-aware mode: the priority order and a decoder sized for the longest durations.
    resources: Option<(Vec<u32>, Decoder<'a>)>,
    /// Network mode when every date fits 32 bits: the network for batches of iterations.
    lanes: Option<LaneNetwork>,
    /// Positions per project CSR.
    member_start: Vec<u32>,
    member: Vec<u32>,
    /// Per variable, where its value counters start (activities: one per table entry; risks:
    /// one per applied impact `0..=max`); one more entry for the end.
    value_start: Vec<u32>,
    iterations: u32,
    key: u64,
    risk_keys: Vec<String>,
    net: Network,
}

/// The precedence graph relabelled by topological position for the per-iteration passes.
/// Every link reduces to `start(to) >= start(from) + lag + b0 d(from) - b1 d(to)` with `b0`,
/// `b1` the [`crate::LinkKind`] bits, so a link reads the predecessor's start or finish
/// (`2 pos + b0` in the interleaved dates) and subtracts the successor's duration or not:
/// one loop without branches on the link kind.
#[derive(Debug)]
struct Network {
    /// Activity at each position.
    order: Vec<u32>,
    release: Vec<i64>,
    /// Links into position `pos`: groups `group_start[pos]..group_start[pos + 1]`.
    group_start: Vec<u32>,
    groups: Vec<LinkGroup>,
}

/// Links into one position, a fixed number at a time, all of one kind as to whether the
/// successor's duration enters: the forward pass then runs a fixed-width step without
/// branches and its loop branch is taken about once per activity (padding links read the
/// padding date, [`NO_BOUND`]).
#[derive(Debug, Clone, Copy)]
struct LinkGroup {
    /// Dates read (`2 pos + b0`).
    src: [u32; LINK_GROUP],
    lag: [i64; LINK_GROUP],
    /// All ones when the successor's duration enters (`b1`), else zero.
    own: i64,
}

const LINK_GROUP: usize = 4;
/// Value of the padding date (after the real dates) that padding links read.
const NO_BOUND: i64 = i64::MIN / 4;

impl LinkGroup {
    /// The start-time bounds links `k` put on a successor of duration `d`, maximized.
    #[inline(always)]
    fn bound(&self, d: i64, early: &[i64]) -> i64 {
        let at = |k: usize| early[self.src[k] as usize] + self.lag[k];
        at(0).max(at(1)).max(at(2).max(at(3))) - (d & self.own)
    }
}

impl Network {
    fn new(p: &Problem) -> Network {
        let n = p.len();
        let order = p.topo.clone();
        let rank = &p.topo_rank;
        let mut g = Network {
            release: order.iter().map(|&a| p.release[a as usize]).collect(),
            order,
            group_start: Vec::with_capacity(n + 1),
            groups: Vec::with_capacity(p.links.len().div_ceil(LINK_GROUP) + n),
        };
        g.group_start.push(0);
        let padding = LinkGroup { src: [2 * n as u32; LINK_GROUP], lag: [0; LINK_GROUP], own: 0 };
        for pos in 0..n {
            let j = g.order[pos] as usize;
            for own in [0, 1] {
                let links = (p.pred_start[j] as usize..p.pred_start[j + 1] as usize)
                    .filter(|&k| p.pred_kind[k] as u32 >> 1 == own);
                for (i, k) in links.enumerate() {
                    if i % LINK_GROUP == 0 {
                        g.groups.push(LinkGroup { own: -i64::from(own), ..padding });
                    }
                    if let Some(group) = g.groups.last_mut() {
                        group.src[i % LINK_GROUP] = 2 * rank[p.pred_from[k] as usize] + (p.pred_kind[k] as u32 & 1);
                        group.lag[i % LINK_GROUP] = p.pred_lag[k];
                    }
                }
            }
            g.group_start.push(g.groups.len() as u32);
        }
        g
    }

    /// A dates buffer: start and finish per position, then the padding date.
    fn dates(&self) -> Vec<i64> {
        let n = self.order.len();
        let mut dates = vec![0; 2 * n + 2];
        dates[2 * n] = NO_BOUND;
        dates[2 * n + 1] = NO_BOUND;
        dates
    }

    fn links_into(&self, pos: usize) -> &[LinkGroup] {
        &self.groups[self.group_start[pos] as usize..self.group_start[pos + 1] as usize]
    }

    /// Early start of position `pos` with duration `d`, its predecessors' dates being set.
    #[inline]
    fn early_start(&self, pos: usize, d: i64, early: &[i64]) -> i64 {
        let mut s = self.release[pos];
        for g in self.links_into(pos) {
            s = s.max(g.bound(d, early));
        }
        s
    }

    /// Early start and finish of every position (interleaved into `early`) for the
    /// durations `dur` by position; returns the latest finish (>= 0).
    fn forward(&self, dur: &[i64], early: &mut [i64]) -> i64 {
        let mut horizon = 0;
        for (pos, &d) in dur.iter().enumerate() {
            let s = self.early_start(pos, d, early);
            early[2 * pos] = s;
            early[2 * pos + 1] = s + d;
            horizon = horizon.max(s + d);
        }
        horizon
    }

    /// Counts the positions with zero total float after [`Network::forward`]. An activity has
    /// zero total float exactly when it finishes at the horizon or a link into a zero-float
    /// successor holds with equality (its late start can then be no later than its early
    /// start), so a search back from the last finishers along tight links finds them all
    /// and reads only the links of critical activities, not the whole graph.
    fn count_critical(&self, dur: &[i64], early: &[i64], horizon: i64, scratch: &mut Marks, critical: &mut [u64]) {
        let stamp = scratch.next_stamp();
        let Marks { mark, stack, .. } = scratch;
        stack.clear();
        for pos in 0..dur.len() {
            if early[2 * pos + 1] == horizon {
                mark[pos] = stamp;
                stack.push(pos as u32);
            }
        }
        while let Some(pos) = stack.pop() {
            let pos = pos as usize;
            critical[pos] += 1;
            let (s, d) = (early[2 * pos], dur[pos]);
            for g in self.links_into(pos) {
                for k in 0..LINK_GROUP {
                    let from = g.src[k] as usize / 2;
                    if early[g.src[k] as usize] + g.lag[k] - (d & g.own) == s && mark[from] != stamp {
                        mark[from] = stamp;
                        stack.push(from as u32);
                    }
                }
            }
        }
    }
}

/// Visit marks for the criticality search, reset by bumping the stamp.
#[derive(Debug)]
struct Marks {
    mark: Vec<u32>,
    stack: Vec<u32>,
    stamp: u32,
}

impl Marks {
    fn new(n: usize) -> Marks {
        Marks { mark: vec![0; n], stack: Vec::with_capacity(n), stamp: 0 }
    }

    fn next_stamp(&mut self) -> u32 {
        if self.stamp == u32::MAX {
            self.mark.fill(0);
            self.stamp = 0;
        }
        self.stamp += 1;
        self.stamp
    }
}

/// Buffers reused by every iteration of a chunk.
#[derive(Debug)]
struct Work<'a, S> {
    /// Sampled values of one iteration when they are not stored (see [`ChunkResult::samples`]).
    row: Vec<S>,
    /// Effective durations (with risk impacts) by position.
    dur: Vec<i64>,
    /// Durations with one risk taken out, by position.
    alt: Vec<i64>,
    risk_value: Vec<i64>,
    /// Early start and finish interleaved by position (network mode), or start and finish
    /// (resource mode).
    dates: Vec<i64>,
    alt_dates: Vec<i64>,
    marks: Marks,
    /// Resource mode: durations by activity and the chunk's own decoder.
    by_activity: Vec<i64>,
    decoder: Option<Decoder<'a>>,
    /// Network mode with calendars: early start, early finish, late start and late finish by
    /// activity, one block of `n` each.
    calendar_dates: Vec<i64>,
}

/// Per-iteration results of a chunk, in iteration order, and its order-free counts.
#[derive(Debug)]
struct ChunkResult<S> {
    makespan: Vec<i64>,
    /// Iteration-major, one per project.
    project: Vec<i64>,
    /// Iteration-major, one per risk: makespan with that risk disabled.
    without: Vec<i64>,
    /// By position.
    critical: Vec<u64>,
    /// Finish counts by position.
    finish: Vec<GrowingHistogram<u16>>,
    /// Sampled values (per activity its offset above the smallest value, per risk its
    /// applied impact), when small enough to keep: blocks of [`LANES`] iterations (the last
    /// one padded), each one row per variable with one value per iteration, the layout in
    /// which the batched draw writes and the sensitivity pass reads them.
    samples: Vec<S>,
}

impl<'a> Simulation<'a> {
    fn new(input: &ForecastInput<'a>) -> Result<Simulation<'a>, ForecastError> {
        let p = input.problem;
        let n = p.len();
        if input.estimates.len() != n {
            return Err(ForecastError::EstimateCount { given: input.estimates.len(), activities: n });
        }
        if input.iterations == 0 {
            return Err(ForecastError::NoIterations);
        }
        if input.iterations > MAX_ITERATIONS {
            return Err(ForecastError::TooManyIterations { max: MAX_ITERATIONS });
        }
        let estimate = |i: usize| input.estimates[i].unwrap_or(ThreePoint::fixed(p.durations[i] as f64));
        // Checked in activity order before any table is built: building is the slow part.
        let mut entries = EntryBudget(0);
        for i in 0..n {
            let e = estimate(i);
            check_estimate(e).map_err(|reason| ForecastError::BadEstimate {
                activity: p.key(ActivityIdx(i as u32)).to_string(),
                reason,
            })?;
            entries.add(e.pessimistic.ceil() - e.optimistic.ceil() + 1.0)?;
        }
        let net = Network::new(p);
        let mut tables = Tables::default();
        for &a in &net.order {
            let (lo, probs) = rounded_law(estimate(a as usize), input.distribution);
            tables.push(lo, &probs);
        }
        let mut probability = Vec::with_capacity(input.risks.len());
        let mut hit_start = vec![0u32];
        let mut hit = Vec::new();
        for r in &input.risks {
            let bad = |reason: String| ForecastError::BadRisk { risk: r.key.clone(), reason };
            if !(0.0..=1.0).contains(&r.probability) {
                return Err(bad(format!("probability {} is outside 0..=1", r.probability)));
            }
            check_estimate(r.impact).map_err(|e| bad(format!("impact: {e}")))?;
            if r.impact.pessimistic.ceil() > MAX_SPREAD {
                return Err(bad(format!("impact above {MAX_SPREAD} periods")));
            }
            let mut hits: Vec<u32> = Vec::with_capacity(r.hits.len());
            for a in &r.hits {
                if a.ix() >= n {
                    return Err(bad(format!("hits activity #{}, which does not exist", a.0)));
                }
                hits.push(p.topo_rank[a.ix()]);
            }
            hits.sort_unstable();
            hits.dedup();
            hit.extend_from_slice(&hits);
            hit_start.push(hit.len() as u32);
            probability.push(r.probability);
            let i = r.impact;
            entries.add(i.pessimistic.ceil() - i.optimistic.ceil() + 1.0 + i.pessimistic.ceil() + 1.0)?;
            let (lo, probs) = rounded_law(r.impact, input.distribution);
            tables.push(lo, &probs);
        }
        // The longest duration of each position: its largest value plus every risk that hits it.
        let mut longest: Vec<i64> = (0..n).map(|pos| tables.lo(pos) + tables.len(pos) as i64 - 1).collect();
        for r in 0..probability.len() {
            let most = tables.lo(n + r) + tables.len(n + r) as i64 - 1;
            for &pos in &hit[hit_start[r] as usize..hit_start[r + 1] as usize] {
                longest[pos as usize] += most;
            }
        }
        let (resources, lanes) = match &input.mode {
            // Lanes run the plain passes only; calendars take `cpm::calendar_passes`.
            ForecastMode::NetworkOnly => (None, if p.has_calendars() { None } else { LaneNetwork::new(p, &longest) }),
            ForecastMode::ResourceAware { order } => {
                check_order(p, order)?;
                // The decoder's time grid must hold the longest possible schedule.
                let mut by_activity = vec![0; n];
                for (pos, &a) in net.order.iter().enumerate() {
                    by_activity[a as usize] = longest[pos];
                }
                p.check_span_with(&by_activity)?;
                (Some((order.iter().map(|a| a.0).collect(), Decoder::new(p, &by_activity))), None)
            }
        };
        let np = p.project_count();
        let mut member_start = vec![0u32; np + 1];
        for i in 0..n {
            if let Some(pr) = p.project_of[i] {
                member_start[pr.ix() + 1] += 1;
            }
        }
        for k in 0..np {
            member_start[k + 1] += member_start[k];
        }
        let mut fill = member_start.clone();
        let mut member = vec![0u32; member_start[np] as usize];
        for (pos, &a) in net.order.iter().enumerate() {
            if let Some(pr) = p.project_of[a as usize] {
                member[fill[pr.ix()] as usize] = pos as u32;
                fill[pr.ix()] += 1;
            }
        }
        let mut value_start = Vec::with_capacity(n + probability.len() + 1);
        // At most MAX_TABLE_ENTRIES counters in all (checked above), so u32 offsets.
        let mut at = 0u32;
        for v in 0..n + probability.len() {
            value_start.push(at);
            // Activities count offsets above their smallest value; risks applied impacts 0..=max.
            at += if v < n { tables.len(v) as u32 } else { (tables.lo(v) + tables.len(v) as i64) as u32 };
        }
        value_start.push(at);
        Ok(Simulation {
            p,
            n,
            tables,
            probability,
            hit_start,
            hit,
            resources,
            lanes,
            member_start,
            member,
            value_start,
            iterations: input.iterations,
            key: seed_key(input.seed),
            risk_keys: input.risks.iter().map(|r| r.key.clone()).collect(),
            net,
        })
    }

    fn stores_samples(&self) -> bool {
        (self.iterations as usize).saturating_mul(self.variables()) <= MAX_STORED_SAMPLES
    }

    fn risk_count(&self) -> usize {
        self.probability.len()
    }

    fn variables(&self) -> usize {
        self.n + self.risk_count()
    }

    fn hits(&self, r: usize) -> &[u32] {
        &self.hit[self.hit_start[r] as usize..self.hit_start[r + 1] as usize]
    }

    fn work<S: SampleValue>(&self) -> Work<'a, S> {
        let (n, nr) = (self.n, self.risk_count());
        Work {
            row: vec![S::default(); n + nr],
            dur: vec![0; n],
            alt: vec![0; n],
            risk_value: vec![0; nr],
            dates: self.net.dates(),
            alt_dates: self.net.dates(),
            // Padding links never bind, so the padding position is never marked.
            marks: Marks::new(n + 1),
            by_activity: vec![0; n],
            decoder: self.resources.as_ref().map(|(_, d)| d.clone()),
            calendar_dates: if self.calendar_network() { vec![0; 4 * n] } else { Vec::new() },
        }
    }

    /// Network mode on a problem whose activities pause over off periods.
    fn calendar_network(&self) -> bool {
        self.resources.is_none() && self.p.has_calendars()
    }

    /// Draws iteration `it`: its sampled values into `row` (variable `v` at `v * stride`),
    /// the risks' applied impacts into
    /// `risk_value` and the effective durations by position into `dur`. The stream gives one
    /// word per activity in position order, then two per risk (occurrence, impact), so
    /// adding risks leaves the activities' samples alone; both risk words are always drawn,
    /// so disabling a risk leaves every other sample alone. Risks are drawn first (from the
    /// stream jumped ahead) because their impacts enter the durations.
    fn draw<S: SampleValue>(&self, it: u32, row: &mut [S], stride: usize, dur: &mut [i64], risk_value: &mut [i64]) {
        let mut rng = Stream::new(self.key, it);
        let t = &self.tables;
        let n = self.n;
        let risky = self.risk_count() > 0;
        if risky {
            // Impacts first, into `dur`; the activity loop adds the sampled durations.
            dur.fill(0);
        }
        let mut risk_rng = rng.ahead(n as u64);
        for r in 0..self.risk_count() {
            let occur = risk_rng.next_u64();
            let v = n + r;
            let impact = t.lo(v) + i64::from(t.sample(v, risk_rng.next_u64()));
            let occurs = self.probability[r] >= 1.0 || unit(occur) < self.probability[r];
            let value = if occurs { impact } else { 0 };
            risk_value[r] = value;
            row[v * stride] = S::truncate(value as u32);
            if value != 0 {
                for &pos in self.hits(r) {
                    dur[pos as usize] += value;
                }
            }
        }
        // `S` holds every value of every table (see `Simulation::run`).
        let dur = &mut dur[..n];
        // A loop of its own: the draws depend on nothing but the stream, so their table loads
        // overlap (a draw fused into the forward pass waits for its load).
        for pos in 0..n {
            let k = t.sample(pos, rng.next_u64());
            row[pos * stride] = S::truncate(k);
            dur[pos] = t.lo(pos) + i64::from(k) + if risky { dur[pos] } else { 0 };
        }
    }

    /// Schedules `dur` (by position) into `dates` (start and finish interleaved by position);
    /// returns the overall finish (>= 0).
    fn schedule(
        &self,
        dur: &[i64],
        dates: &mut [i64],
        by_activity: &mut [i64],
        decoder: &mut Option<Decoder<'a>>,
        calendar_dates: &mut [i64],
    ) -> i64 {
        match (&self.resources, decoder) {
            (Some((order, _)), Some(dec)) => {
                for (pos, &a) in self.net.order.iter().enumerate() {
                    by_activity[a as usize] = dur[pos];
                }
                dec.dur.copy_from_slice(by_activity);
                dec.forward(order);
                let mut horizon = 0;
                for (pos, &a) in self.net.order.iter().enumerate() {
                    let f = dec.finish_at(a as usize);
                    dates[2 * pos] = dec.start[a as usize];
                    dates[2 * pos + 1] = f;
                    horizon = horizon.max(f);
                }
                horizon
            }
            _ if self.calendar_network() => {
                for (pos, &a) in self.net.order.iter().enumerate() {
                    by_activity[a as usize] = dur[pos];
                }
                let n = self.n;
                let (es, rest) = calendar_dates.split_at_mut(n);
                let (ef, rest) = rest.split_at_mut(n);
                let (ls, lf) = rest.split_at_mut(n);
                let horizon = calendar_passes(self.p, by_activity, es, ef, ls, lf);
                for (pos, &a) in self.net.order.iter().enumerate() {
                    dates[2 * pos] = es[a as usize];
                    dates[2 * pos + 1] = ef[a as usize];
                }
                horizon
            }
            _ => self.net.forward(dur, dates),
        }
    }

    /// Resource mode: counts the activities on the driving path into the last-finishing
    /// activity (latest start among those finishing at the horizon, then lowest index).
    fn count_driving_path<S>(&self, w: &mut Work<'a, S>, horizon: i64, critical: &mut [u64]) {
        // The durations by activity are spent once decoded: their buffer takes the finishes.
        let Work { decoder: Some(dec), by_activity: finish, .. } = w else { return };
        let n = self.n;
        for (i, f) in finish.iter_mut().enumerate() {
            *f = dec.finish_at(i);
        }
        let finish = &*finish;
        let last = (0..n).filter(|&i| finish[i] == horizon).max_by_key(|&i| (dec.start[i], std::cmp::Reverse(i)));
        if let Some(last) = last {
            let path = driving_path_for(self.p, &dec.dur, &dec.start, finish, ActivityIdx(last as u32), true);
            // A path can reach an activity along two drivers (a link and a resource); it is
            // critical once per iteration.
            let mut on_path: Vec<usize> = path.activities.iter().map(|a| self.p.topo_rank[a.ix()] as usize).collect();
            on_path.sort_unstable();
            on_path.dedup();
            for pos in on_path {
                critical[pos] += 1;
            }
        }
    }

    fn run_chunk<S: SampleValue>(&self, iters: std::ops::Range<u32>) -> ChunkResult<S> {
        let (n, nr, np) = (self.n, self.risk_count(), self.p.project_count());
        let vars = self.variables();
        let len = iters.len();
        let keep = self.stores_samples();
        let mut out = ChunkResult {
            makespan: Vec::with_capacity(len),
            project: Vec::with_capacity(len * np),
            without: Vec::with_capacity(len * nr),
            critical: vec![0; n],
            finish: vec![GrowingHistogram::default(); n],
            samples: if keep { vec![S::default(); len.next_multiple_of(LANES) * vars] } else { Vec::new() },
        };
        let mut w = self.work();
        for (i, it) in iters.enumerate() {
            let (row, stride) = if keep {
                (&mut out.samples[(i / LANES) * LANES * vars + i % LANES..], LANES)
            } else {
                (&mut w.row[..], 1)
            };
            self.draw(it, row, stride, &mut w.dur, &mut w.risk_value);
            let horizon =
                self.schedule(&w.dur, &mut w.dates, &mut w.by_activity, &mut w.decoder, &mut w.calendar_dates);
            if self.resources.is_some() {
                self.count_driving_path(&mut w, horizon, &mut out.critical);
            } else if self.calendar_network() {
                let (es, late) = w.calendar_dates.split_at(2 * n);
                for (pos, &a) in self.net.order.iter().enumerate() {
                    if late[a as usize] <= es[a as usize] {
                        out.critical[pos] += 1;
                    }
                }
            } else {
                self.net.count_critical(&w.dur, &w.dates, horizon, &mut w.marks, &mut out.critical);
            }
            out.makespan.push(horizon);
            for (h, f) in out.finish.iter_mut().zip(w.dates.chunks_exact(2)) {
                h.add(f[1]);
            }
            for pr in 0..np {
                let members = &self.member[self.member_start[pr] as usize..self.member_start[pr + 1] as usize];
                let f = members.iter().map(|&pos| w.dates[2 * pos as usize + 1]).max();
                out.project.push(f.unwrap_or(self.p.projects[pr].release));
            }
            for r in 0..nr {
                let value = w.risk_value[r];
                if value == 0 || self.hits(r).is_empty() {
                    out.without.push(horizon);
                    continue;
                }
                w.alt.copy_from_slice(&w.dur);
                for &pos in self.hits(r) {
                    w.alt[pos as usize] -= value;
                }
                let h =
                    self.schedule(&w.alt, &mut w.alt_dates, &mut w.by_activity, &mut w.decoder, &mut w.calendar_dates);
                out.without.push(h);
            }
        }
        out
    }

    fn chunks(&self) -> Vec<std::ops::Range<u32>> {
        // The chunking only balances load and paces the progress reports: every aggregate is
        // an integer count or sum, or stored per iteration in order, so it may follow the
        // thread count.
        let total = self.iterations;
        // Whole batches of lanes but the last.
        let size = total
            .div_ceil(16 * rayon::current_num_threads() as u32)
            .clamp(16, MAX_CHUNK)
            .next_multiple_of(LANES as u32);
        (0..total.div_ceil(size)).map(|c| c * size..((c + 1) * size).min(total)).collect()
    }

    fn run(&self, progress: &(dyn Fn(u64, u64) + Sync)) -> Result<Forecast, ForecastError> {
        // Tables hold at most MAX_SPREAD + 1 values and risk impacts at most MAX_SPREAD, so
        // samples fit 16 bits; most estimates span far fewer days, and one byte per sample
        // halves the memory the stored samples take and the sensitivity pass reads.
        let widest = self.value_start.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
        if widest <= 256 { self.run_with::<u8>(progress) } else { self.run_with::<u16>(progress) }
    }

    fn run_with<S: SampleValue>(&self, progress: &(dyn Fn(u64, u64) + Sync)) -> Result<Forecast, ForecastError> {
        let n = self.n;
        let nr = self.risk_count();
        let np = self.p.project_count();
        let chunks = self.chunks();
        let total = u64::from(self.iterations);
        // Reports go through the lock so that they never overlap and `done` only grows.
        let done = Mutex::new(0u64);
        let results: Vec<ChunkResult<S>> = chunks
            .par_iter()
            .map(|r| {
                let result = match &self.lanes {
                    Some(net) => self.run_chunk_lanes(net, r.clone()),
                    None => self.run_chunk(r.clone()),
                };
                if let Ok(mut done) = done.lock() {
                    *done += r.len() as u64;
                    progress(*done, total);
                }
                result
            })
            .collect();
        let iterations = self.iterations as usize;
        let mut makespan = Vec::with_capacity(iterations);
        let mut project = Vec::with_capacity(iterations * np);
        let mut without = Vec::with_capacity(iterations * nr);
        let mut critical = vec![0u64; n];
        let mut finish = vec![GrowingHistogram::<u32>::default(); n];
        for c in &results {
            makespan.extend_from_slice(&c.makespan);
            project.extend_from_slice(&c.project);
            without.extend_from_slice(&c.without);
            for pos in 0..n {
                critical[pos] += c.critical[pos];
                finish[pos].merge(&c.finish[pos]);
            }
        }

        // Back from positions to activities.
        let mut activity_finish = vec![Percentiles { p10: 0, p50: 0, p80: 0, p95: 0, mean: 0.0 }; n];
        let mut criticality = vec![0.0; n];
        for (pos, &a) in self.net.order.iter().enumerate() {
            activity_finish[a as usize] = finish[pos].percentiles(total);
            criticality[a as usize] = critical[pos] as f64 / total as f64;
        }
        let finish_percentiles = percentiles_of(&makespan);
        let project_finish = (0..np)
            .map(|pr| percentiles_of(&project.iter().skip(pr).step_by(np).copied().collect::<Vec<_>>()))
            .collect();

        let mut sorted = makespan.clone();
        sorted.sort_unstable();
        let histogram = histogram_of(&sorted);
        let mut s_curve: Vec<CurvePoint> = Vec::new();
        for (k, &v) in sorted.iter().enumerate() {
            let probability = (k + 1) as f64 / total as f64;
            match s_curve.last_mut() {
                Some(last) if last.finish == v => last.probability = probability,
                _ => s_curve.push(CurvePoint { finish: v, probability }),
            }
        }

        let p80 = percentile_of_sorted(&sorted, 80);
        let risk_p80_contribution = (0..nr)
            .map(|r| {
                let alone: Vec<i64> = without.iter().skip(r).step_by(nr).copied().collect();
                RiskContribution { risk: r, key: self.risk_keys[r].clone(), p80_days: p80 - p80_of(&alone) }
            })
            .collect();
        let half = iterations.div_ceil(2);
        let ninety = (iterations * 9).div_ceil(10);
        let p80_first_90_percent = p80_of(&makespan[..ninety]);
        let convergence = Convergence {
            p80_first_half: p80_of(&makespan[..half]),
            p80_first_90_percent,
            p80,
            p80_shift_last_tenth: (p80 - p80_first_90_percent).abs(),
        };
        let sensitivity = self.sensitivity(&chunks, &results, &makespan);
        Ok(Forecast {
            iterations: self.iterations,
            finish: finish_percentiles,
            project_finish,
            activity_finish,
            histogram,
            s_curve,
            criticality,
            sensitivity,
            risk_p80_contribution,
            convergence,
        })
    }

    /// Spearman rho of every variable with the makespan. Ranks are doubled so that average
    /// ranks of ties stay integers and every sum is exact (hence thread-independent). A
    /// variable takes few distinct values, so one pass counts the iterations and sums their
    /// finish ranks per value; the value ranks follow from the counts, and each cross
    /// product needs one multiplication per value rather than one per sample. Samples come
    /// from the chunks' stored rows, or are redrawn from their streams.
    fn sensitivity<S: SampleValue>(
        &self,
        chunks: &[std::ops::Range<u32>],
        results: &[ChunkResult<S>],
        makespan: &[i64],
    ) -> Sensitivity {
        let n = self.n;
        let vars = self.variables();
        let total = makespan.len() as u64;
        // Finish ranks by sorting (the finish range may be wide), then per iteration.
        let mut by_finish: Vec<(i64, u32)> = makespan.iter().enumerate().map(|(i, &m)| (m, i as u32)).collect();
        by_finish.sort_unstable();
        let mut y_rank = vec![0u64; makespan.len()];
        let mut below = 0usize;
        for group in by_finish.chunk_by(|x, y| x.0 == y.0) {
            let r = 2 * below as u64 + group.len() as u64 + 1;
            for &(_, i) in group {
                y_rank[i as usize] = r;
            }
            below += group.len();
        }
        let starts = &self.value_start;
        let slots = starts[vars] as usize;
        // Per value, one word: the number of iterations in the top 20 bits and the sum of
        // their doubled finish ranks in the low 44. N <= 10^6 < 2^20 iterations, and the
        // ranks sum to at most 2 N^2 <= 2 * 10^12 < 2^44, so neither field ever carries into
        // the other and one add per sample updates both.
        let tallies: Vec<u64> = chunks
            .par_iter()
            .zip(results)
            .map(|(range, result)| {
                let mut acc = vec![0u64; slots];
                if result.samples.is_empty() {
                    let (mut row, mut dur, mut risk_value) = (vec![S::default(); vars], vec![0; n], vec![0; vars - n]);
                    for it in range.clone() {
                        self.draw(it, &mut row, 1, &mut dur, &mut risk_value);
                        let tally = TALLY_COUNT | y_rank[it as usize];
                        for (&start, &x) in starts.iter().zip(&row) {
                            acc[start as usize + x.into()] += tally;
                        }
                    }
                    return acc;
                }
                let iterations = &y_rank[range.start as usize..range.end as usize];
                for (ranks, block) in iterations.chunks(LANES).zip(result.samples.chunks_exact(LANES * vars)) {
                    let tally: Vec<u64> = ranks.iter().map(|&r| TALLY_COUNT | r).collect();
                    for (&start, values) in starts.iter().zip(block.chunks_exact(LANES)) {
                        let acc = &mut acc[start as usize..];
                        for (&t, &x) in tally.iter().zip(values) {
                            acc[x.into()] += t;
                        }
                    }
                }
                acc
            })
            .reduce(
                || vec![0u64; slots],
                |mut a, b| {
                    for (x, y) in a.iter_mut().zip(&b) {
                        *x += y;
                    }
                    a
                },
            );
        // With doubled ranks the mean is N + 1, so each centred sum is the raw sum minus N (N+1)^2.
        let centre = u128::from(total) * u128::from(total + 1) * u128::from(total + 1);
        let syy = y_rank.iter().map(|&r| u128::from(r) * u128::from(r)).sum::<u128>().saturating_sub(centre);
        let rho: Vec<f64> = (0..vars)
            .map(|v| {
                let (mut sxx, mut sxy, mut below) = (0u128, 0u128, 0u64);
                for &tally in &tallies[starts[v] as usize..starts[v + 1] as usize] {
                    let (count, rank_sum) = (tally >> 44, tally & (TALLY_COUNT - 1));
                    // Doubled average rank of this value: 2 * (below + (count + 1) / 2).
                    let rank = u128::from(2 * below + count + 1);
                    below += count;
                    sxx += u128::from(count) * rank * rank;
                    sxy += rank * u128::from(rank_sum);
                }
                let sxx = sxx.saturating_sub(centre);
                if sxx == 0 || syy == 0 {
                    return 0.0;
                }
                (sxy as i128 - centre as i128) as f64 / (sxx as f64 * syy as f64).sqrt()
            })
            .collect();
        let mut activities = vec![0.0; n];
        for (pos, &a) in self.net.order.iter().enumerate() {
            activities[a as usize] = rho[pos];
        }
        Sensitivity { activities, risks: rho[n..].to_vec() }
    }
}

/// A stored sample: a value offset (see [`ChunkResult::samples`]) in one or two bytes.
trait SampleValue: Copy + Default + Send + Sync + Into<usize> {
    /// The low bits of `v` (callers know it fits).
    fn truncate(v: u32) -> Self;
}

impl SampleValue for u8 {
    fn truncate(v: u32) -> u8 {
        v as u8
    }
}

impl SampleValue for u16 {
    fn truncate(v: u32) -> u16 {
        v as u16
    }
}

/// Counters of a [`GrowingHistogram`].
trait Count: Copy + Default + PartialEq + Into<u64> + From<u8> + std::ops::AddAssign {}
impl Count for u16 {}
impl Count for u32 {}

/// Counts of integer values over a range that grows as needed. A chunk counts in `u16`
/// (it holds at most [`MAX_CHUNK`] iterations), which halves the cache footprint of the
/// per-activity counters; the totals count in `u32` (`MAX_ITERATIONS` < 2^32).
#[derive(Debug, Clone, Default)]
struct GrowingHistogram<C> {
    lo: i64,
    counts: Vec<C>,
}

impl<C: Count> GrowingHistogram<C> {
    /// Counts one more `v`.
    #[inline]
    fn add(&mut self, v: i64) {
        let k = v.wrapping_sub(self.lo) as u64;
        if k >= self.counts.len() as u64 {
            self.make_room(v);
        }
        let k = (v - self.lo) as usize;
        self.counts[k] += C::from(1);
    }

    /// Extends the range to hold `v`.
    #[cold]
    fn make_room(&mut self, v: i64) {
        if self.counts.is_empty() {
            // Room on both sides: values scatter around the first one.
            self.lo = v - 24;
            self.counts.resize(64, C::default());
        }
        if v < self.lo {
            let extra = ((self.lo - v) as usize).max(self.counts.len() / 2);
            self.counts.splice(0..0, std::iter::repeat_n(C::default(), extra));
            self.lo -= extra as i64;
        }
        let k = (v - self.lo) as usize;
        if k >= self.counts.len() {
            self.counts.resize((k + 1).max(self.counts.len() * 3 / 2), C::default());
        }
    }

    fn merge<D: Count>(&mut self, other: &GrowingHistogram<D>)
    where
        C: From<D>,
    {
        let zero = D::default();
        let Some(last) = other.counts.iter().rposition(|&c| c != zero) else {
            return;
        };
        let first = other.counts.iter().position(|&c| c != zero).unwrap_or(last);
        self.make_room(other.lo + first as i64);
        self.make_room(other.lo + last as i64);
        let off = (other.lo + first as i64 - self.lo) as usize;
        for (t, &c) in self.counts[off..].iter_mut().zip(&other.counts[first..=last]) {
            *t += C::from(c);
        }
    }

    fn percentiles(&self, n: u64) -> Percentiles {
        let at = |q: u64| {
            let rank = nearest_rank(q, n);
            let mut cum = 0u64;
            for (k, &c) in self.counts.iter().enumerate() {
                cum += c.into();
                if cum >= rank {
                    return self.lo + k as i64;
                }
            }
            self.lo + self.counts.len() as i64 - 1
        };
        let sum: i128 =
            self.counts.iter().enumerate().map(|(k, &c)| i128::from(self.lo + k as i64) * i128::from(c.into())).sum();
        Percentiles { p10: at(10), p50: at(50), p80: at(80), p95: at(95), mean: sum as f64 / n.max(1) as f64 }
    }
}

/// 1-based rank of the `q`-th percentile among `n` sorted values.
fn nearest_rank(q: u64, n: u64) -> u64 {
    (q * n).div_ceil(100).max(1)
}

fn percentile_of_sorted(sorted: &[i64], q: u64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    sorted[(nearest_rank(q, sorted.len() as u64) - 1) as usize]
}

fn percentiles_of(values: &[i64]) -> Percentiles {
    let mut v = values.to_vec();
    v.sort_unstable();
    let sum: i128 = v.iter().map(|&x| x as i128).sum();
    Percentiles {
        p10: percentile_of_sorted(&v, 10),
        p50: percentile_of_sorted(&v, 50),
        p80: percentile_of_sorted(&v, 80),
        p95: percentile_of_sorted(&v, 95),
        mean: sum as f64 / v.len().max(1) as f64,
    }
}

fn p80_of(values: &[i64]) -> i64 {
    let mut v = values.to_vec();
    v.sort_unstable();
    percentile_of_sorted(&v, 80)
}

/// Running total of table entries against [`MAX_TABLE_ENTRIES`].
#[derive(Debug)]
struct EntryBudget(usize);

impl EntryBudget {
    fn add(&mut self, more: f64) -> Result<(), ForecastError> {
        // `more` is a small whole number: estimates were checked against MAX_SPREAD.
        self.0 += more as usize;
        if self.0 > MAX_TABLE_ENTRIES {
            return Err(ForecastError::TooWide { entries: self.0, max: MAX_TABLE_ENTRIES });
        }
        Ok(())
    }
}

fn check_estimate(e: ThreePoint) -> Result<(), String> {
    let ThreePoint { optimistic: a, most_likely: m, pessimistic: b } = e;
    if !(a.is_finite() && m.is_finite() && b.is_finite()) {
        return Err("values must be finite".into());
    }
    if a < 0.0 {
        return Err(format!("optimistic value {a} is negative"));
    }
    if !(a <= m && m <= b) {
        return Err(format!("expected optimistic <= most likely <= pessimistic, got {a}, {m}, {b}"));
    }
    if b > MAX_ESTIMATE {
        return Err(format!("pessimistic value {b} exceeds {MAX_ESTIMATE}"));
    }
    if b.ceil() - a.ceil() > MAX_SPREAD {
        return Err(format!("spread {} exceeds {MAX_SPREAD} periods", b - a));
    }
    Ok(())
}

fn histogram_of(sorted: &[i64]) -> Histogram {
    let (Some(&lo), Some(&hi)) = (sorted.first(), sorted.last()) else {
        return Histogram { start: 0, bin_width: 1, counts: Vec::new() };
    };
    let width = ((hi - lo + HISTOGRAM_BINS) / HISTOGRAM_BINS).max(1);
    let bins = ((hi - lo) / width + 1) as usize;
    let mut counts = vec![0u64; bins];
    for &v in sorted {
        counts[((v - lo) / width) as usize] += 1;
    }
    Histogram { start: lo, bin_width: width, counts }
}
