//! Random numbers and exact rounded-duration laws for the forecast: a counter-keyed
//! SplitMix64 stream per iteration, Walker alias tables, and the PERT-Beta / triangular CDFs.

use super::{Distribution, ThreePoint};

/// Weyl increment of SplitMix64 (the golden ratio in 64 bits).
const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;
/// Weyl increment of wyrand.
const WY_INCREMENT: u64 = 0xa076_1d64_78bd_642f;
/// Keeps forecast streams apart from any other SplitMix64 use of the same seed.
const DOMAIN: u64 = u64::from_le_bytes(*b"forecast");

/// SplitMix64's output function (Steele, Lea and Flood 2014): a bijection on 64 bits.
#[inline]
fn mix64(z: u64) -> u64 {
    let z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    let z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The key of every stream of one seed.
pub(super) fn seed_key(seed: u64) -> u64 {
    mix64(seed ^ DOMAIN)
}

/// Random 64-bit words of one iteration: wyrand (Wang Yi's generator, the one behind the
/// `fastrand` crate; one multiply per word, passes BigCrush and PractRand), started from the
/// `i + 1`-th SplitMix64 output of the seed's key for iteration `i`. Its words therefore
/// depend on `(seed, i)` only, never on which thread or chunk runs the iteration.
#[derive(Debug, Clone)]
pub(super) struct Stream(u64);

impl Stream {
    pub(super) fn new(key: u64, iteration: u32) -> Stream {
        Stream(mix64(key.wrapping_add(GOLDEN.wrapping_mul(u64::from(iteration) + 1))))
    }

    /// The stream from `words` words ahead (the state is a Weyl sequence: a jump is one
    /// multiply).
    pub(super) fn ahead(&self, words: u64) -> Stream {
        Stream(self.0.wrapping_add(WY_INCREMENT.wrapping_mul(words)))
    }

    #[inline(always)]
    pub(super) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(WY_INCREMENT);
        wy_output(self.0)
    }
}

/// wyrand's output for the state `s`.
#[inline(always)]
fn wy_output(s: u64) -> u64 {
    let t = u128::from(s) * u128::from(s ^ 0xe703_7ed1_a0b4_28db);
    (t >> 64) as u64 ^ t as u64
}

/// `L` streams drawn in step, word `k` of each at once. Their states all advance by the same
/// increment, so one shared offset advances them all: the words are those of
/// [`Stream::next_u64`], without a store per stream and word.
#[derive(Debug, Clone)]
pub(super) struct StreamsInStep<const L: usize> {
    start: [u64; L],
    offset: u64,
}

impl<const L: usize> StreamsInStep<L> {
    pub(super) fn new(streams: [Stream; L]) -> StreamsInStep<L> {
        StreamsInStep { start: streams.map(|s| s.0), offset: 0 }
    }

    /// The next word of every stream.
    #[inline(always)]
    pub(super) fn next(&mut self) -> impl Iterator<Item = u64> + '_ {
        self.offset = self.offset.wrapping_add(WY_INCREMENT);
        let offset = self.offset;
        self.start.iter().map(move |&s| wy_output(s.wrapping_add(offset)))
    }
}

/// A uniform value in `[0, 1)` from the top 53 bits of a word.
#[inline]
pub(super) fn unit(u: u64) -> f64 {
    (u >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Where one variable's alias table lives.
#[derive(Debug, Clone, Copy)]
pub(super) struct Variable {
    /// Smallest value.
    pub(super) lo: i64,
    /// First entry.
    start: u32,
    /// Entries (possible values).
    len: u32,
}

/// Exact laws of rounded-up random variables as flattened alias tables.
#[derive(Debug, Default)]
pub(super) struct Tables {
    vars: Vec<Variable>,
    /// Per entry: acceptance threshold (compared with the low 32 bits of the draw) in the
    /// high half, alias in the low half; one load per draw.
    entry: Vec<u64>,
}

impl Tables {
    /// Adds a variable taking `lo + k` with probability proportional to `probs[k]`.
    pub(super) fn push(&mut self, lo: i64, probs: &[f64]) {
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
        self.vars.push(Variable { lo, start: self.entry.len() as u32, len: len as u32 });
        // Leftovers (rounding) keep themselves: alias == self whatever the threshold says.
        self.entry.extend(accept.iter().zip(&alias).map(|(&t, &a)| (u64::from(t) << 32) | u64::from(a)));
    }

    /// Smallest value of variable `v`.
    #[inline]
    pub(super) fn lo(&self, v: usize) -> i64 {
        self.vars[v].lo
    }

    /// Number of possible values of variable `v`.
    pub(super) fn len(&self, v: usize) -> usize {
        self.vars[v].len as usize
    }

    /// Where variable `v` lives (to draw it several times with [`Tables::sample_of`]).
    #[inline]
    pub(super) fn variable(&self, v: usize) -> Variable {
        self.vars[v]
    }

    /// Offset of the value drawn with the word `u` above `lo(v)`.
    #[inline(always)]
    pub(super) fn sample(&self, v: usize, u: u64) -> u32 {
        self.sample_of(self.vars[v], u)
    }

    /// [`Tables::sample`] of the variable `var`.
    #[inline(always)]
    pub(super) fn sample_of(&self, var: Variable, u: u64) -> u32 {
        let k = (((u >> 32) * u64::from(var.len)) >> 32) as u32;
        let e = self.entry[(var.start + k) as usize];
        // Branch-free select: the comparison is a coin flip the predictor cannot learn.
        let keep = u32::from((u as u32) < (e >> 32) as u32);
        keep * k + (1 - keep) * e as u32
    }
}

/// Probabilities of `ceil(X)` taking each value from `ceil(a)` to `ceil(b)`.
pub(super) fn rounded_law(e: ThreePoint, distribution: Distribution) -> (i64, Vec<f64>) {
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
