//! Network mode, [`LANES`] iterations at a time in structure-of-arrays form: per position one
//! row of durations and one of start and finish dates, a lane per iteration. The forward pass
//! then takes the `max` over a predecessor's row for all lanes at once (the compiler turns
//! each row operation into a few vector instructions), and the search for zero-float
//! activities becomes one backward pass of row masks. Each lane draws from its iteration's
//! own stream exactly as [`Simulation::draw`] does, so the results are the same as one
//! iteration at a time.
//!
//! Dates are whole periods held in `f32`: the baseline x86-64 target (SSE2) has a packed
//! `max` for `f32` but none for `i32` (SSE4.1), which would cost four instructions instead of
//! one. `f32` holds every integer below 2^24 exactly; the network runs here only when every
//! date, and every sum the passes form, stays below that (see [`LaneNetwork::new`]), so every
//! sum and comparison is exact.

use super::sampling::{Stream, StreamsInStep};
use super::{ChunkResult, GrowingHistogram, SampleValue, Simulation};
use crate::model::Problem;

/// Iterations scheduled together (one 64-byte row).
pub(super) const LANES: usize = 16;
/// One date or duration per iteration of a batch (whole periods).
type Lanes = [f32; LANES];
/// One mask or small integer per iteration of a batch.
type IntLanes = [i32; LANES];

/// Below any date: the bound of a position with no link of one kind, and the horizon of the
/// lanes past a chunk's end.
const NO_DATE: f32 = f32::NEG_INFINITY;
/// A network whose dates may reach this many periods in absolute value runs one iteration
/// at a time in 64 bits instead. A pass forms at most `date + lag - duration`, each term
/// below it, so below `3 * LANE_SPAN < 2^24`.
const LANE_SPAN: i64 = 1 << 22;

/// One link into a position: the date it reads (`2 pos + b0` in the interleaved dates, as in
/// [`super::Network`]) and its lag.
#[derive(Debug, Clone, Copy)]
struct LaneLink {
    src: u32,
    lag: f32,
}

/// The precedence graph by topological position with 32-bit lags and release dates.
#[derive(Debug)]
pub(super) struct LaneNetwork {
    release: Vec<f32>,
    /// Links into `pos`: `start[pos]..own[pos]` bound its start (the successor's duration
    /// does not enter), `own[pos]..start[pos + 1]` its finish.
    start: Vec<u32>,
    own: Vec<u32>,
    links: Vec<LaneLink>,
}

impl LaneNetwork {
    /// The network with `f32` dates, or `None` when some date could leave `-LANE_SPAN..LANE_SPAN`:
    /// every date is at most the largest release plus, along some path, durations and lags,
    /// and at least the smallest release. `longest` is each position's largest duration.
    pub(super) fn new(p: &Problem, longest: &[i64]) -> Option<LaneNetwork> {
        let release_span = p.release.iter().map(|r| i128::from(r.unsigned_abs())).max().unwrap_or(0);
        let span = release_span
            + longest.iter().map(|&d| i128::from(d)).sum::<i128>()
            + p.pred_lag.iter().map(|l| i128::from(l.unsigned_abs())).sum::<i128>();
        if span >= i128::from(LANE_SPAN) {
            return None;
        }
        let n = p.len();
        let rank = &p.topo_rank;
        let mut net = LaneNetwork {
            release: p.topo.iter().map(|&a| p.release[a as usize] as f32).collect(),
            start: Vec::with_capacity(n + 1),
            own: Vec::with_capacity(n),
            links: Vec::with_capacity(p.pred_from.len()),
        };
        for &j in &p.topo {
            let j = j as usize;
            net.start.push(net.links.len() as u32);
            for own in [0, 1] {
                if own == 1 {
                    net.own.push(net.links.len() as u32);
                }
                for k in p.pred_start[j] as usize..p.pred_start[j + 1] as usize {
                    if p.pred_kind[k] as u32 >> 1 == own {
                        let src = 2 * rank[p.pred_from[k] as usize] + (p.pred_kind[k] as u32 & 1);
                        net.links.push(LaneLink { src, lag: p.pred_lag[k] as f32 });
                    }
                }
            }
        }
        net.start.push(net.links.len() as u32);
        Some(net)
    }

    /// Early start and finish of every position (interleaved rows in `dates`) for the
    /// durations `dur`; returns the latest finish per lane (>= 0).
    fn forward(&self, dur: &[Lanes], dates: &mut [Lanes]) -> Lanes {
        for (pos, d) in dur.iter().enumerate() {
            let (lo, mid, hi) = (self.start[pos] as usize, self.own[pos] as usize, self.start[pos + 1] as usize);
            let mut s = [self.release[pos]; LANES];
            for link in &self.links[lo..mid] {
                max_into(&mut s, &dates[link.src as usize], link.lag);
            }
            if mid < hi {
                let mut f = [NO_DATE; LANES];
                for link in &self.links[mid..hi] {
                    max_into(&mut f, &dates[link.src as usize], link.lag);
                }
                for k in 0..LANES {
                    s[k] = max(s[k], f[k] - d[k]);
                }
            }
            dates[2 * pos] = s;
            let f = &mut dates[2 * pos + 1];
            for k in 0..LANES {
                f[k] = s[k] + d[k];
            }
        }
        // Apart: folded into the loop above, it keeps the compiler from vectorizing that.
        let mut horizon = [0.0; LANES];
        for f in dates.iter().skip(1).step_by(2) {
            for k in 0..LANES {
                horizon[k] = max(horizon[k], f[k]);
            }
        }
        horizon
    }

    /// Counts, per position, the lanes in which it has zero total float (see
    /// [`super::Network::count_critical`] for why tight links find them): one pass back over
    /// the positions carries per lane whether a zero-float successor holds a link into this
    /// position with equality. `tight` is all zeros on entry and left so.
    fn count_critical(
        &self,
        dur: &[Lanes],
        dates: &[Lanes],
        horizon: &Lanes,
        tight: &mut [IntLanes],
        critical: &mut [u64],
    ) {
        for pos in (0..dur.len()).rev() {
            let (finish, mark) = (&dates[2 * pos + 1], &mut tight[pos]);
            let mut zero_float = [0; LANES];
            for k in 0..LANES {
                zero_float[k] = mark[k] | -i32::from(finish[k] == horizon[k]);
            }
            *mark = [0; LANES];
            if zero_float == [0; LANES] {
                continue;
            }
            critical[pos] += zero_float.iter().map(|&m| u64::from(m as u32 & 1)).sum::<u64>();
            let s = &dates[2 * pos];
            let (lo, mid, hi) = (self.start[pos] as usize, self.own[pos] as usize, self.start[pos + 1] as usize);
            for link in &self.links[lo..mid] {
                mark_tight(&mut tight[link.src as usize / 2], &zero_float, &dates[link.src as usize], link.lag, s);
            }
            if mid < hi {
                // These links bound the finish: compare with it.
                let f = &dates[2 * pos + 1];
                for link in &self.links[mid..hi] {
                    mark_tight(&mut tight[link.src as usize / 2], &zero_float, &dates[link.src as usize], link.lag, f);
                }
            }
        }
    }
}

/// Marks the lanes of a zero-float successor in which the link holds with equality.
#[inline(always)]
fn mark_tight(mark: &mut IntLanes, zero_float: &IntLanes, row: &Lanes, lag: f32, bound: &Lanes) {
    for k in 0..LANES {
        mark[k] |= zero_float[k] & -i32::from(row[k] + lag == bound[k]);
    }
}

/// 1.5 * 2^23: adding it to an `f32` whole number `v` with `|v| < 2^22` leaves exactly
/// `v` in the low mantissa bits.
const ROUNDING: f32 = 12_582_912.0;

/// The date `v` (a whole number, `|v| < LANE_SPAN`) as an integer. `as` would saturate,
/// which costs a compare and fix-up per value; this is one add and one subtract, and packs.
#[inline(always)]
fn whole(v: f32) -> i32 {
    (v + ROUNDING).to_bits() as i32 - ROUNDING.to_bits() as i32
}

/// The larger of `a` and `b`, written so that it compiles to one `maxps` lane (`f32::max`
/// adds a NaN fix-up; no date is NaN).
#[inline(always)]
fn max(a: f32, b: f32) -> f32 {
    if a > b { a } else { b }
}

/// `acc = max(acc, row + lag)` lane by lane.
#[inline(always)]
fn max_into(acc: &mut Lanes, row: &Lanes, lag: f32) {
    for k in 0..LANES {
        acc[k] = max(acc[k], row[k] + lag);
    }
}

/// Buffers reused by every batch of a chunk.
#[derive(Debug)]
struct LaneWork {
    dur: Vec<Lanes>,
    alt: Vec<Lanes>,
    dates: Vec<Lanes>,
    alt_dates: Vec<Lanes>,
    tight: Vec<IntLanes>,
    /// Per risk, its applied impact per lane.
    risk_value: Vec<IntLanes>,
    /// Per project, its finish per lane.
    project: Vec<Lanes>,
    /// Per risk, the finish without it per lane.
    without: Vec<Lanes>,
}

impl Simulation<'_> {
    /// Draws the iterations `first..first + LANES`: their sampled values into `block` (one
    /// block of [`ChunkResult::samples`]; empty when they are not kept), the risks' applied
    /// impacts into `risk_value` and the effective durations into `dur`. Each lane draws the
    /// words [`Simulation::draw`] draws for its iteration.
    fn draw_lanes<S: SampleValue>(&self, first: u32, block: &mut [S], dur: &mut [Lanes], risk_value: &mut [IntLanes]) {
        let n = self.n;
        let t = &self.tables;
        let keep = !block.is_empty();
        let rng: [Stream; LANES] = std::array::from_fn(|l| Stream::new(self.key, first + l as u32));
        let risky = self.risk_count() > 0;
        if risky {
            dur.fill([0.0; LANES]);
            for (l, rng) in rng.iter().enumerate() {
                let mut risk_rng = rng.ahead(n as u64);
                for r in 0..self.risk_count() {
                    let occur = risk_rng.next_u64();
                    let v = n + r;
                    let impact = t.lo(v) + i64::from(t.sample(v, risk_rng.next_u64()));
                    let occurs = self.probability[r] >= 1.0 || super::sampling::unit(occur) < self.probability[r];
                    let value = if occurs { impact } else { 0 };
                    // Impacts are at most MAX_SPREAD (checked in `Simulation::new`).
                    risk_value[r][l] = value as i32;
                    if keep {
                        block[v * LANES + l] = S::truncate(value as u32);
                    }
                    if value != 0 {
                        for &pos in self.hits(r) {
                            dur[pos as usize][l] += value as f32;
                        }
                    }
                }
            }
        }
        let mut words = StreamsInStep::new(rng);
        for (pos, d) in dur.iter_mut().enumerate() {
            let var = t.variable(pos);
            // Smallest values fit: `LaneNetwork::new` bounded every duration.
            let lo = var.lo as i32;
            let mut k = [0u32; LANES];
            for (k, u) in k.iter_mut().zip(words.next()) {
                *k = t.sample_of(var, u);
            }
            if keep {
                for (x, &k) in block[pos * LANES..(pos + 1) * LANES].iter_mut().zip(&k) {
                    *x = S::truncate(k);
                }
            }
            for (d, &k) in d.iter_mut().zip(&k) {
                // From i32: a packed conversion, which u32 has not.
                *d = (lo + k as i32) as f32 + if risky { *d } else { 0.0 };
            }
        }
    }

    /// [`Simulation::run_chunk`] in network mode on `net`, [`LANES`] iterations at a time.
    pub(super) fn run_chunk_lanes<S: SampleValue>(
        &self,
        net: &LaneNetwork,
        iters: std::ops::Range<u32>,
    ) -> ChunkResult<S> {
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
        // Schedules without a risk need their own buffers only when there are risks.
        let alt_len = if nr > 0 { n } else { 0 };
        let mut w = LaneWork {
            dur: vec![[0.0; LANES]; n],
            alt: vec![[0.0; LANES]; alt_len],
            dates: vec![[0.0; LANES]; 2 * n],
            alt_dates: vec![[0.0; LANES]; 2 * alt_len],
            tight: vec![[0; LANES]; n],
            risk_value: vec![[0; LANES]; nr],
            project: vec![[0.0; LANES]; np],
            without: vec![[0.0; LANES]; nr],
        };
        for batch in (0..len).step_by(LANES) {
            let live = (len - batch).min(LANES);
            let block = if keep { &mut out.samples[batch * vars..(batch + LANES) * vars] } else { &mut [][..] };
            self.draw_lanes(iters.start + batch as u32, block, &mut w.dur, &mut w.risk_value);
            let mut horizon = net.forward(&w.dur, &mut w.dates);
            // Lanes past the chunk count for nothing: no date equals NO_DATE.
            horizon[live..].fill(NO_DATE);
            net.count_critical(&w.dur, &w.dates, &horizon, &mut w.tight, &mut out.critical);
            out.makespan.extend(horizon[..live].iter().map(|&h| i64::from(whole(h))));
            for (h, f) in out.finish.iter_mut().zip(w.dates.iter().skip(1).step_by(2)) {
                for &v in &f.map(whole)[..live] {
                    h.add(i64::from(v));
                }
            }
            for (pr, finish) in w.project.iter_mut().enumerate() {
                let members = &self.member[self.member_start[pr] as usize..self.member_start[pr + 1] as usize];
                if members.is_empty() {
                    continue;
                }
                *finish = [NO_DATE; LANES];
                for &pos in members {
                    let f = &w.dates[2 * pos as usize + 1];
                    for k in 0..LANES {
                        finish[k] = max(finish[k], f[k]);
                    }
                }
            }
            for (r, alone) in w.without.iter_mut().enumerate() {
                let value = &w.risk_value[r];
                *alone = horizon;
                if self.hits(r).is_empty() || value[..live].iter().all(|&v| v == 0) {
                    continue;
                }
                w.alt.copy_from_slice(&w.dur);
                for &pos in self.hits(r) {
                    for k in 0..LANES {
                        w.alt[pos as usize][k] -= value[k] as f32;
                    }
                }
                let h = net.forward(&w.alt, &mut w.alt_dates);
                for k in 0..LANES {
                    if value[k] != 0 {
                        alone[k] = h[k];
                    }
                }
            }
            for l in 0..live {
                for (pr, finish) in w.project.iter().enumerate() {
                    let members = self.member_start[pr + 1] - self.member_start[pr];
                    out.project.push(if members == 0 {
                        self.p.projects[pr].release
                    } else {
                        i64::from(whole(finish[l]))
                    });
                }
                out.without.extend(w.without.iter().map(|alone| i64::from(whole(alone[l]))));
            }
        }
        out
    }
}
