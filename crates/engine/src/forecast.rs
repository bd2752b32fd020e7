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
//! Iteration `i` draws from a ChaCha8 stream keyed by the seed with stream number `i`, so its
//! samples do not depend on which thread ran it. Iterations run in chunks on rayon; every
//! aggregate is either stored per iteration (in iteration order) or an integer count or sum,
//! so the result is identical whatever the thread count.
//!
//! # Statistics
//!
//! Percentiles are nearest-rank on the sorted sample: `Pq` is the `ceil(q N / 100)`-th
//! smallest value. Sensitivity is Spearman's rho with average ranks for ties (0 when either
//! side is constant). Criticality is the share of iterations in which an activity has zero
//! total float (network mode) or lies on the schedule's driving path into the last-finishing
//! activity (resource mode, [`crate::schedule_driving_path`]).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::error::EngineError;
use crate::model::{ActivityIdx, Problem};
use crate::sgs::{Schedule, check_order, decode_serial};
use crate::solve::schedule_driving_path;

/// Largest spread (pessimistic rounded up minus optimistic rounded up) accepted for one
/// estimate, in periods; bounds the size of the sampling tables.
pub const MAX_SPREAD: f64 = 65_535.0;
/// Most iterations accepted (keeps the exact rank sums within 64 bits per chunk).
pub const MAX_ITERATIONS: u32 = 1_000_000;
/// Sampled values kept in memory for the sensitivity pass at most; beyond, they are redrawn.
const MAX_STORED_SAMPLES: usize = 1 << 26;
/// Largest value accepted in an estimate (keeps every sum of durations far from overflow).
pub const MAX_ESTIMATE: f64 = 1.0e9;
/// Most sampling-table entries (each estimate's number of possible rounded values) plus
/// risk impact counters (largest impact + 1 per risk) accepted; bounds the memory used.
pub const MAX_TABLE_ENTRIES: usize = 1 << 22;
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
    /// The resource-aware order is invalid.
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// Runs the simulation. See the module documentation for the sampling, rounding and
/// statistics definitions.
pub fn forecast(input: &ForecastInput<'_>) -> Result<Forecast, ForecastError> {
    let sim = Simulation::new(input)?;
    sim.run()
}

/// Exact law of the rounded-up values of every random variable (activities first, then risk
/// impacts), as flattened alias tables.
#[derive(Debug)]
struct Tables {
    /// Smallest value per variable.
    lo: Vec<i64>,
    /// Variable `v` owns entries `start[v]..start[v + 1]`.
    start: Vec<u32>,
    /// Per entry: acceptance threshold (compared with the low 32 bits of the draw) in the
    /// high half, alias in the low half; one load per draw.
    entry: Vec<u64>,
}

impl Tables {
    fn push(&mut self, lo: i64, probs: &[f64]) {
        self.lo.push(lo);
        let base = *self.start.last().unwrap_or(&0);
        let len = probs.len();
        let total: f64 = probs.iter().sum();
        // Vose's alias method; probabilities scaled so they average 1.
        let mut scaled: Vec<f64> = probs.iter().map(|p| p / total * len as f64).collect();
        let mut small: Vec<usize> = (0..len).filter(|&k| scaled[k] < 1.0).collect();
        let mut large: Vec<usize> = (0..len).filter(|&k| scaled[k] >= 1.0).collect();
        let mut accept = vec![u32::MAX; len];
        let mut alias: Vec<u32> = (0..len as u32).collect();
        while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
            small.pop();
            accept[s] = (scaled[s] * 4_294_967_296.0).min(u32::MAX as f64) as u32;
            alias[s] = l as u32;
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // Leftovers (rounding) keep themselves: alias == self whatever the threshold says.
        self.entry.extend(accept.iter().zip(&alias).map(|(&t, &a)| (u64::from(t) << 32) | u64::from(a)));
        self.start.push(base + len as u32);
    }

    fn len(&self, v: usize) -> usize {
        (self.start[v + 1] - self.start[v]) as usize
    }

    /// Offset of the sampled value above `lo[v]`.
    #[inline]
    fn sample(&self, v: usize, u: u64) -> u32 {
        let s = self.start[v] as usize;
        let len = self.start[v + 1] as usize - s;
        let k = (((u >> 32) * len as u64) >> 32) as usize;
        let e = self.entry[s + k];
        // Branch-free select: the comparison is a coin flip the predictor cannot learn.
        let keep = u32::from((u as u32) < (e >> 32) as u32);
        keep * k as u32 + (1 - keep) * e as u32
    }
}

/// Validated input in flat form.
#[derive(Debug)]
struct Simulation<'a> {
    p: &'a Problem,
    n: usize,
    tables: Tables,
    /// Occurrence probability per risk.
    probability: Vec<f64>,
    /// Risk hits CSR (deduplicated).
    hit_start: Vec<u32>,
    hit: Vec<u32>,
    order: Option<Vec<ActivityIdx>>,
    /// Activities per project CSR.
    member_start: Vec<u32>,
    member: Vec<u32>,
    iterations: u32,
    key: [u8; 32],
    risk_keys: Vec<String>,
    net: Network,
}

/// The precedence graph relabelled by topological position for the per-iteration passes.
/// Every link reduces to `start(to) >= start(from) + lag + b0 d(from) - b1 d(to)` with `b0`,
/// `b1` the [`crate::LinkKind`] bits, so a link reads the predecessor's start or finish
/// (`src = 2 pos + b0` in the interleaved dates) and the links whose successor duration
/// enters are grouped after `*_mid`. Mirror image for successors.
#[derive(Debug)]
struct Network {
    /// Activity at each position.
    order: Vec<u32>,
    release: Vec<i64>,
    pred_start: Vec<u32>,
    pred_mid: Vec<u32>,
    pred_src: Vec<u32>,
    pred_lag: Vec<i64>,
    succ_start: Vec<u32>,
    succ_mid: Vec<u32>,
    succ_src: Vec<u32>,
    succ_lag: Vec<i64>,
}

impl Network {
    fn new(p: &Problem) -> Network {
        let n = p.len();
        let order = p.topo.clone();
        let rank = &p.topo_rank;
        let bits = |k: crate::model::LinkKind| (k as u32 & 1, k as u32 >> 1);
        let mut g = Network {
            release: order.iter().map(|&a| p.release[a as usize]).collect(),
            order,
            pred_start: vec![0],
            pred_mid: Vec::with_capacity(n),
            pred_src: Vec::with_capacity(p.links.len()),
            pred_lag: Vec::with_capacity(p.links.len()),
            succ_start: vec![0],
            succ_mid: Vec::with_capacity(n),
            succ_src: Vec::with_capacity(p.links.len()),
            succ_lag: Vec::with_capacity(p.links.len()),
        };
        for pos in 0..n {
            let j = g.order[pos] as usize;
            for group in 0..2 {
                for k in p.pred_start[j] as usize..p.pred_start[j + 1] as usize {
                    let (b0, b1) = bits(p.pred_kind[k]);
                    if b1 == group {
                        g.pred_src.push(2 * rank[p.pred_from[k] as usize] + b0);
                        g.pred_lag.push(p.pred_lag[k]);
                    }
                }
                if group == 0 {
                    g.pred_mid.push(g.pred_src.len() as u32);
                }
            }
            g.pred_start.push(g.pred_src.len() as u32);
            for group in 0..2 {
                for k in p.succ_start[j] as usize..p.succ_start[j + 1] as usize {
                    let (b0, b1) = bits(p.succ_kind[k]);
                    if b0 == group {
                        g.succ_src.push(2 * rank[p.succ_to[k] as usize] + b1);
                        g.succ_lag.push(p.succ_lag[k]);
                    }
                }
                if group == 0 {
                    g.succ_mid.push(g.succ_src.len() as u32);
                }
            }
            g.succ_start.push(g.succ_src.len() as u32);
        }
        g
    }
}

/// Buffers reused by every iteration of a chunk.
#[derive(Debug)]
struct Work {
    /// Raw draws of one iteration: one per activity, then two per risk.
    uniform: Vec<u64>,
    /// Sampled values: per activity its offset above the smallest value, per risk its
    /// applied impact (what the sensitivity ranks).
    sample: Vec<u16>,
    dur: Vec<i64>,
    alt: Vec<i64>,
    risk_value: Vec<i64>,
    start: Vec<i64>,
    /// Durations by topological position.
    pdur: Vec<i64>,
    /// Early start and finish interleaved by topological position.
    early: Vec<i64>,
    /// Late start and finish interleaved by topological position.
    late: Vec<i64>,
}

/// Per-iteration results of a chunk, in iteration order, and its order-free counts.
#[derive(Debug)]
struct ChunkResult {
    makespan: Vec<i64>,
    /// Iteration-major, one per project.
    project: Vec<i64>,
    /// Iteration-major, one per risk: makespan with that risk disabled.
    without: Vec<i64>,
    critical: Vec<u64>,
    finish: Vec<GrowingHistogram>,
    /// Per variable, counts of each sampled value (activities: offset above lo; risks:
    /// applied impact).
    value_counts: Vec<u64>,
    /// Iteration-major rows of `Work::sample`, when small enough to keep.
    samples: Vec<u16>,
}

/// Counts of integer values over a range that grows as needed.
#[derive(Debug, Clone, Default)]
struct GrowingHistogram {
    lo: i64,
    // u32 halves the cache footprint; MAX_ITERATIONS keeps every count below 2^32.
    counts: Vec<u32>,
}

impl GrowingHistogram {
    #[inline]
    fn add(&mut self, v: i64, c: u32) {
        if self.counts.is_empty() {
            // Room on both sides: values scatter around the first one.
            self.lo = v - 8;
            self.counts.resize(32, 0);
        }
        if v < self.lo {
            let extra = ((self.lo - v) as usize).max(self.counts.len() / 2);
            self.counts.splice(0..0, std::iter::repeat_n(0, extra));
            self.lo -= extra as i64;
        }
        let k = (v - self.lo) as usize;
        if k >= self.counts.len() {
            self.counts.resize(k + 1, 0);
        }
        self.counts[k] += c;
    }

    fn merge(&mut self, other: &GrowingHistogram) {
        let Some(last) = other.counts.iter().rposition(|&c| c > 0) else {
            return;
        };
        let first = other.counts.iter().position(|&c| c > 0).unwrap_or(last);
        // Two adds make room for the whole range; then a plain slice sum.
        self.add(other.lo + first as i64, 0);
        self.add(other.lo + last as i64, 0);
        let off = (other.lo + first as i64 - self.lo) as usize;
        for (t, c) in self.counts[off..].iter_mut().zip(&other.counts[first..=last]) {
            *t += c;
        }
    }

    fn percentiles(&self, n: u64) -> Percentiles {
        let at = |q: u64| {
            let rank = nearest_rank(q, n);
            let mut cum = 0u64;
            for (k, &c) in self.counts.iter().enumerate() {
                cum += u64::from(c);
                if cum >= rank {
                    return self.lo + k as i64;
                }
            }
            self.lo + self.counts.len() as i64 - 1
        };
        let sum: i128 = self.counts.iter().enumerate().map(|(k, &c)| (self.lo + k as i64) as i128 * c as i128).sum();
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

/// Probabilities of `ceil(X)` taking each value from `ceil(a)` to `ceil(b)`.
fn rounded_law(e: ThreePoint, distribution: Distribution) -> (i64, Vec<f64>) {
    let ThreePoint { optimistic: a, most_likely: m, pessimistic: b } = e;
    let lo = a.ceil() as i64;
    let hi = b.ceil() as i64;
    if b <= a || lo == hi {
        return (lo, vec![1.0]);
    }
    let cdf = |x: f64| -> f64 {
        if x <= a {
            return 0.0;
        }
        if x >= b {
            return 1.0;
        }
        match distribution {
            Distribution::Triangular => {
                if x <= m {
                    (x - a) * (x - a) / ((b - a) * (m - a))
                } else {
                    1.0 - (b - x) * (b - x) / ((b - a) * (b - m))
                }
            }
            Distribution::Pert => {
                let alpha = 1.0 + 4.0 * (m - a) / (b - a);
                let beta = 1.0 + 4.0 * (b - m) / (b - a);
                regularized_incomplete_beta(alpha, beta, (x - a) / (b - a))
            }
        }
    };
    let mut probs = Vec::with_capacity((hi - lo + 1) as usize);
    let mut prev = 0.0;
    for k in lo..=hi {
        let c = cdf(k as f64);
        probs.push((c - prev).max(0.0));
        prev = c;
    }
    (lo, probs)
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7).
fn ln_gamma(x: f64) -> f64 {
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    let x = x - 1.0;
    let mut s = C[0];
    for (i, c) in C.iter().enumerate().skip(1) {
        s += c / (x + i as f64);
    }
    let t = x + 7.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + s.ln()
}

/// I_x(a, b), the Beta(a, b) CDF (continued fraction, Numerical Recipes `betai`).
fn regularized_incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front = (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_continued_fraction(a, b, x) / a
    } else {
        1.0 - front * beta_continued_fraction(b, a, 1.0 - x) / b
    }
}

fn beta_continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let guard = |v: f64| if v.abs() < TINY { TINY } else { v };
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 / guard(1.0 - qab * x / qap);
    let mut h = d;
    for m in 1..300 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 / guard(1.0 + aa * d);
        c = guard(1.0 + aa / c);
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 / guard(1.0 + aa * d);
        c = guard(1.0 + aa / c);
        let step = d * c;
        h *= step;
        if (step - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
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
        // Checked before each table is built: building is the slow part.
        let mut entries = EntryBudget(0);
        let mut tables = Tables { lo: Vec::new(), start: vec![0], entry: Vec::new() };
        for (i, e) in input.estimates.iter().enumerate() {
            let e = e.unwrap_or(ThreePoint::fixed(p.durations[i] as f64));
            check_estimate(e).map_err(|reason| ForecastError::BadEstimate {
                activity: p.key(ActivityIdx(i as u32)).to_string(),
                reason,
            })?;
            entries.add(e.pessimistic.ceil() - e.optimistic.ceil() + 1.0)?;
            let (lo, probs) = rounded_law(e, input.distribution);
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
                hits.push(a.0);
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
        let order = match &input.mode {
            ForecastMode::NetworkOnly => None,
            ForecastMode::ResourceAware { order } => {
                check_order(p, order)?;
                Some(order.clone())
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
        for i in 0..n {
            if let Some(pr) = p.project_of[i] {
                member[fill[pr.ix()] as usize] = i as u32;
                fill[pr.ix()] += 1;
            }
        }
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&input.seed.to_le_bytes());
        key[8..16].copy_from_slice(b"forecast");
        Ok(Simulation {
            p,
            n,
            tables,
            probability,
            hit_start,
            hit,
            order,
            member_start,
            member,
            iterations: input.iterations,
            key,
            risk_keys: input.risks.iter().map(|r| r.key.clone()).collect(),
            net: Network::new(p),
        })
    }

    fn stores_samples(&self) -> bool {
        (self.iterations as usize).saturating_mul(self.n + self.risk_count()) <= MAX_STORED_SAMPLES
    }

    fn risk_count(&self) -> usize {
        self.probability.len()
    }

    fn work(&self) -> Work {
        Work {
            uniform: vec![0; self.n + 2 * self.risk_count()],
            sample: vec![0; self.n + self.risk_count()],
            dur: vec![0; self.n],
            alt: vec![0; self.n],
            risk_value: vec![0; self.risk_count()],
            start: vec![0; self.n],
            pdur: vec![0; self.n],
            early: vec![0; 2 * self.n],
            late: vec![0; 2 * self.n],
        }
    }

    /// Draws iteration `it`: fills `offset`, `risk_value` and the effective `dur`.
    fn draw(&self, it: u32, w: &mut Work) {
        let mut rng = ChaCha8Rng::from_seed(self.key);
        rng.set_stream(u64::from(it));
        rng.fill(&mut w.uniform[..]);
        let t = &self.tables;
        let n = self.n;
        for j in 0..n {
            let k = t.sample(j, w.uniform[j]);
            // Tables hold at most MAX_SPREAD + 1 values, so offsets fit 16 bits.
            w.sample[j] = k as u16;
            w.dur[j] = t.lo[j] + i64::from(k);
        }
        for r in 0..self.risk_count() {
            // Both draws always happen, so disabling a risk leaves every other sample alone.
            let occur = w.uniform[n + 2 * r];
            let v = n + r;
            let impact = t.lo[v] + i64::from(t.sample(v, w.uniform[n + 2 * r + 1]));
            let occurs = self.probability[r] >= 1.0
                || ((occur >> 11) as f64 * (1.0 / (1u64 << 53) as f64)) < self.probability[r];
            let value = if occurs { impact } else { 0 };
            w.risk_value[r] = value;
            w.sample[v] = value as u16;
            if value != 0 {
                for &a in &self.hit[self.hit_start[r] as usize..self.hit_start[r + 1] as usize] {
                    w.dur[a as usize] += value;
                }
            }
        }
    }

    /// Forward pass on `dur` (by activity): early start/finish by topological position into
    /// `early`; returns the latest finish (>= 0).
    #[inline]
    fn forward(&self, dur: &[i64], pdur: &mut [i64], early: &mut [i64]) -> i64 {
        let g = &self.net;
        for (pos, &a) in g.order.iter().enumerate() {
            pdur[pos] = dur[a as usize];
        }
        let mut horizon = 0;
        for pos in 0..pdur.len() {
            let d = pdur[pos];
            let mut s = g.release[pos];
            let (a, m, b) = (g.pred_start[pos] as usize, g.pred_mid[pos] as usize, g.pred_start[pos + 1] as usize);
            for k in a..m {
                s = s.max(early[g.pred_src[k] as usize] + g.pred_lag[k]);
            }
            for k in m..b {
                s = s.max(early[g.pred_src[k] as usize] + g.pred_lag[k] - d);
            }
            early[2 * pos] = s;
            early[2 * pos + 1] = s + d;
            horizon = horizon.max(s + d);
        }
        horizon
    }

    /// Backward pass against `horizon` after [`Simulation::forward`]; counts activities with
    /// zero total float.
    fn count_critical(&self, w: &mut Work, horizon: i64, critical: &mut [u64]) {
        let g = &self.net;
        for pos in (0..w.pdur.len()).rev() {
            let d = w.pdur[pos];
            let mut l = horizon - d;
            let (a, m, b) = (g.succ_start[pos] as usize, g.succ_mid[pos] as usize, g.succ_start[pos + 1] as usize);
            for k in a..m {
                l = l.min(w.late[g.succ_src[k] as usize] - g.succ_lag[k]);
            }
            for k in m..b {
                l = l.min(w.late[g.succ_src[k] as usize] - g.succ_lag[k] - d);
            }
            w.late[2 * pos] = l;
            w.late[2 * pos + 1] = l + d;
            if l <= w.early[2 * pos] {
                critical[g.order[pos] as usize] += 1;
            }
        }
    }

    fn decode(&self, order: &[ActivityIdx], dur: &[i64]) -> Result<Schedule, ForecastError> {
        Ok(decode_serial(self.p, order, dur)?)
    }

    /// Overall finish with the durations in `w.alt`.
    fn makespan_of_alt(&self, w: &mut Work) -> Result<i64, ForecastError> {
        match &self.order {
            None => Ok(self.forward(&w.alt, &mut w.pdur, &mut w.late)),
            Some(order) => Ok(self.decode(order, &w.alt)?.makespan().max(0)),
        }
    }

    fn run_chunk(&self, iters: std::ops::Range<u32>) -> Result<ChunkResult, ForecastError> {
        let n = self.n;
        let np = self.p.project_count();
        let nr = self.risk_count();
        let len = iters.len();
        let mut out = ChunkResult {
            makespan: Vec::with_capacity(len),
            project: Vec::with_capacity(len * np),
            without: Vec::with_capacity(len * nr),
            critical: vec![0; n],
            finish: vec![GrowingHistogram::default(); n],
            value_counts: vec![0; self.value_slots()],
            samples: Vec::new(),
        };
        let keep = self.stores_samples();
        let slots = self.value_starts();
        let mut w = self.work();
        for it in iters {
            self.draw(it, &mut w);
            let horizon = match &self.order {
                None => {
                    let h = self.forward(&w.dur, &mut w.pdur, &mut w.early);
                    for (pos, &a) in self.net.order.iter().enumerate() {
                        w.start[a as usize] = w.early[2 * pos];
                    }
                    self.count_critical(&mut w, h, &mut out.critical);
                    h
                }
                Some(order) => {
                    let s = self.decode(order, &w.dur)?;
                    let h = s.makespan().max(0);
                    w.start.copy_from_slice(&s.start);
                    let last = (0..n).filter(|&i| s.finish[i] == h).max_by_key(|&i| (s.start[i], std::cmp::Reverse(i)));
                    if let Some(last) = last {
                        for a in schedule_driving_path(self.p, &s, ActivityIdx(last as u32)).activities {
                            out.critical[a.ix()] += 1;
                        }
                    }
                    h
                }
            };
            out.makespan.push(horizon);
            for j in 0..n {
                out.finish[j].add(w.start[j] + w.dur[j], 1);
            }
            for (v, &x) in w.sample.iter().enumerate() {
                out.value_counts[slots[v] + x as usize] += 1;
            }
            if keep {
                out.samples.extend_from_slice(&w.sample);
            }
            for pr in 0..np {
                let members = &self.member[self.member_start[pr] as usize..self.member_start[pr + 1] as usize];
                let f = members.iter().map(|&a| w.start[a as usize] + w.dur[a as usize]).max();
                out.project.push(f.unwrap_or(self.p.projects[pr].release));
            }
            for r in 0..nr {
                let value = w.risk_value[r];
                let hits = &self.hit[self.hit_start[r] as usize..self.hit_start[r + 1] as usize];
                if value == 0 || hits.is_empty() {
                    out.without.push(horizon);
                    continue;
                }
                w.alt.copy_from_slice(&w.dur);
                for &a in hits {
                    w.alt[a as usize] -= value;
                }
                let h = self.makespan_of_alt(&mut w)?;
                out.without.push(h);
            }
        }
        Ok(out)
    }

    /// Slots of the value histograms: activities count offsets above their smallest value,
    /// risks count applied impacts `0..=max`.
    fn value_starts(&self) -> Vec<usize> {
        let mut starts = Vec::with_capacity(self.n + self.risk_count() + 1);
        let mut at = 0;
        for v in 0..self.n + self.risk_count() {
            starts.push(at);
            at += if v < self.n { self.tables.len(v) } else { self.risk_max(v - self.n) as usize + 1 };
        }
        starts.push(at);
        starts
    }

    fn value_slots(&self) -> usize {
        *self.value_starts().last().unwrap_or(&0)
    }

    fn risk_max(&self, r: usize) -> i64 {
        let v = self.n + r;
        self.tables.lo[v] + self.tables.len(v) as i64 - 1
    }

    fn chunks(&self) -> Vec<std::ops::Range<u32>> {
        // The chunking only balances load: every aggregate is an integer count or sum, or
        // stored per iteration in order, so it may follow the thread count.
        let total = self.iterations;
        let chunks = 4 * rayon::current_num_threads() as u32;
        let size = total.div_ceil(chunks).max(16);
        (0..total.div_ceil(size)).map(|c| c * size..((c + 1) * size).min(total)).collect()
    }

    fn run(&self) -> Result<Forecast, ForecastError> {
        let n = self.n;
        let nr = self.risk_count();
        let np = self.p.project_count();
        let chunks = self.chunks();
        let results: Vec<ChunkResult> =
            chunks.par_iter().map(|r| self.run_chunk(r.clone())).collect::<Result<_, _>>()?;
        let iterations = self.iterations as usize;
        let mut makespan = Vec::with_capacity(iterations);
        let mut project = Vec::with_capacity(iterations * np);
        let mut without = Vec::with_capacity(iterations * nr);
        let mut critical = vec![0u64; n];
        let mut finish = vec![GrowingHistogram::default(); n];
        let mut value_counts = vec![0u64; self.value_slots()];
        for c in &results {
            makespan.extend_from_slice(&c.makespan);
            project.extend_from_slice(&c.project);
            without.extend_from_slice(&c.without);
            for j in 0..n {
                critical[j] += c.critical[j];
                finish[j].merge(&c.finish[j]);
            }
            for (t, v) in value_counts.iter_mut().zip(&c.value_counts) {
                *t += v;
            }
        }
        let total = iterations as u64;

        let finish_percentiles = percentiles_of(&makespan);
        let project_finish = (0..np)
            .map(|pr| percentiles_of(&project.iter().skip(pr).step_by(np).copied().collect::<Vec<_>>()))
            .collect();
        let activity_finish = finish.iter().map(|h| h.percentiles(total)).collect();
        let criticality = critical.iter().map(|&c| c as f64 / total as f64).collect();

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
        let sensitivity = self.sensitivity(&chunks, &results, &makespan, &value_counts);
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
    /// ranks of ties stay integers and every sum is exact (hence thread-independent); the
    /// samples are redrawn from their per-iteration streams rather than stored.
    fn sensitivity(
        &self,
        chunks: &[std::ops::Range<u32>],
        results: &[ChunkResult],
        makespan: &[i64],
        value_counts: &[u64],
    ) -> Sensitivity {
        let n = self.n;
        let nr = self.risk_count();
        let total = makespan.len() as u64;
        // Doubled average rank of each value: 2 * (below + (count + 1) / 2).
        let doubled_ranks = |counts: &[u64]| -> Vec<u64> {
            let mut below = 0;
            counts
                .iter()
                .map(|&c| {
                    let r = 2 * below + c + 1;
                    below += c;
                    r
                })
                .collect()
        };
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
        let starts = self.value_starts();
        let x_rank: Vec<u64> =
            (0..n + nr).flat_map(|v| doubled_ranks(&value_counts[starts[v]..starts[v + 1]])).collect();
        let vars = n + nr;
        let sum_xy: Vec<u128> = chunks
            .par_iter()
            .zip(results)
            .map(|(range, result)| {
                let mut w = self.work();
                // Doubled ranks are at most 2 N and a chunk holds at most N <= MAX_ITERATIONS
                // iterations, so a chunk's sum stays below 4 N^3 < 2^64.
                let mut acc = vec![0u64; vars];
                for (row, it) in range.clone().enumerate() {
                    let sample = if result.samples.is_empty() {
                        self.draw(it, &mut w);
                        &w.sample[..]
                    } else {
                        &result.samples[row * vars..(row + 1) * vars]
                    };
                    let ry = y_rank[it as usize];
                    for (v, &x) in sample.iter().enumerate() {
                        acc[v] += x_rank[starts[v] + x as usize] * ry;
                    }
                }
                acc.into_iter().map(u128::from).collect::<Vec<u128>>()
            })
            .reduce(
                || vec![0u128; n + nr],
                |mut a, b| {
                    for (x, y) in a.iter_mut().zip(&b) {
                        *x += y;
                    }
                    a
                },
            );
        let sum_sq = |counts: &[u64], ranks: &[u64]| -> u128 {
            counts.iter().zip(ranks).map(|(&c, &r)| u128::from(c) * u128::from(r) * u128::from(r)).sum()
        };
        // With doubled ranks the mean is N + 1, so each centred sum is the raw sum minus N (N+1)^2.
        let centre = u128::from(total) * u128::from(total + 1) * u128::from(total + 1);
        let syy = y_rank.iter().map(|&r| u128::from(r) * u128::from(r)).sum::<u128>().saturating_sub(centre);
        let rho: Vec<f64> = (0..n + nr)
            .map(|v| {
                let range = starts[v]..starts[v + 1];
                let sxx = sum_sq(&value_counts[range.clone()], &x_rank[range]).saturating_sub(centre);
                if sxx == 0 || syy == 0 {
                    return 0.0;
                }
                let sxy = sum_xy[v] as i128 - centre as i128;
                sxy as f64 / (sxx as f64 * syy as f64).sqrt()
            })
            .collect();
        Sensitivity { activities: rho[..n].to_vec(), risks: rho[n..].to_vec() }
    }
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
