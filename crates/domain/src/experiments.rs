//! A/B test statistics: two-proportion z-test for conversions, Welch's t-test for a numeric
//! metric, the sample size to plan for, and a plain-language verdict that never names a winner
//! before the planned sample size is reached.
//!
//! Methods, stated once here so every surface can cite them:
//! - **Conversions** ([`two_proportion_test`]): the test statistic uses the *pooled* standard
//!   error `sqrt(p(1-p)(1/n_c + 1/n_v))` with `p = (x_c + x_v) / (n_c + n_v)`; the p-value is
//!   two-sided, `2·P(Z > |z|)`. The relative lift is `p_v / p_c - 1`; its 95 % interval uses
//!   the *unpooled* variances and the **delta method on the ratio** `R = p_v / p_c`:
//!   `Var(R) ≈ Var(p_v)/p_c² + p_v²·Var(p_c)/p_c⁴` with `Var(p) = p(1-p)/n`, giving
//!   `(R - 1) ± z₀.₉₇₅·sqrt(Var(R))`. So the uncertainty of both arms counts.
//! - **Means** ([`welch_t_test`]): `t = (m_v - m_c) / sqrt(s_c²/n_c + s_v²/n_v)` with the
//!   Welch–Satterthwaite degrees of freedom and a two-sided p-value from Student's t. The
//!   deviations are *sample* standard deviations (n - 1 in the denominator). The 95 % interval of
//!   the absolute difference uses the t quantile at those degrees of freedom; the lift interval
//!   uses the same delta method as above with the normal quantile (a large-sample interval).
//! - **Sample size** ([`sample_size_per_variant`]): for a two-sided test of two proportions at
//!   level α with power 1 - β, `p₁` the baseline rate and `p₂ = p₁·(1 + MDE)`,
//!   `n = (z₁₋α/₂·sqrt(2·p̄(1-p̄)) + z₁₋β·sqrt(p₁(1-p₁) + p₂(1-p₂)))² / (p₂ - p₁)²`, `p̄ = (p₁+p₂)/2`
//!   (Fleiss, without continuity correction), rounded up, per variant.
//! - **One variant's own interval** ([`wilson_interval_95`], [`mean_interval_95`]): a conversion
//!   rate gets the **Wilson score interval** `(p̂ + z²/2n ± z·sqrt(p̂(1-p̂)/n + z²/4n²)) / (1 + z²/n)`
//!   with `z = z₀.₉₇₅`, which never collapses at 0 % or 100 % and stays within [0, 1] (the Wald
//!   interval `p̂ ± z·sqrt(p̂(1-p̂)/n)` gives [0, 0] and [1, 1] there); a mean gets
//!   `m ± z₀.₉₇₅·s/√n` and only from 2 observations on (one has no spread to estimate). The
//!   two-sample tests and lift intervals above are unchanged: they are about differences.
//!
//! "Better" means a higher conversion rate or a higher mean; a metric where lower is better
//! (load time) must be compared with its arms swapped or its sign flipped by the caller.
//!
//! Field names: `control.visitors`, `variant.conversions`, `control.mean`, `variant.std_dev`,
//! `control.count`, `baseline_rate`, `minimum_detectable_effect`, `alpha`, `power`; codes
//! `out_of_range`, `too_many` (conversions above visitors), `no_variation`, `too_small`.

use std::fmt;

use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

use crate::error::{FieldError, ValidationErrors};

/// z such that P(Z ≤ z) = `probability`. Callers pass probabilities strictly between 0 and 1.
fn normal_quantile(probability: f64) -> f64 {
    Normal::standard().inverse_cdf(probability)
}

/// Two-sided p-value of a standard normal statistic; the survival function keeps tiny values exact.
fn normal_two_sided_p(z: f64) -> f64 {
    (2.0 * Normal::standard().sf(z.abs())).min(1.0)
}

/// The 97.5 % normal quantile, for 95 % intervals.
fn z_975() -> f64 {
    normal_quantile(0.975)
}

/// A two-sided interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConfidenceInterval {
    pub low: f64,
    pub high: f64,
}

impl ConfidenceInterval {
    fn around(centre: f64, half_width: f64) -> ConfidenceInterval {
        ConfidenceInterval { low: centre - half_width, high: centre + half_width }
    }

    pub fn contains(&self, value: f64) -> bool {
        self.low <= value && value <= self.high
    }
}

/// `estimate ± z₀.₉₇₅ √variance`: the normal-approximation 95 % interval of one estimate.
pub fn interval_95(estimate: f64, variance: f64) -> ConfidenceInterval {
    ConfidenceInterval::around(estimate, z_975() * variance.max(0.0).sqrt())
}

/// Wilson score 95 % interval of a proportion, `successes` of `trials`:
/// `(p̂ + z²/2n ± z·sqrt(p̂(1-p̂)/n + z²/4n²)) / (1 + z²/n)` with `p̂ = successes / trials` and
/// `z = z₀.₉₇₅`. Within [0, 1] (clamped against rounding), never of zero width. `None` without
/// trials or with more successes than trials.
pub fn wilson_interval_95(successes: u64, trials: u64) -> Option<ConfidenceInterval> {
    if trials == 0 || successes > trials {
        return None;
    }
    let n = trials as f64;
    let p = successes as f64 / n;
    let z = z_975();
    let z2 = z * z;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half_width = z / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some(ConfidenceInterval { low: (centre - half_width).max(0.0), high: (centre + half_width).min(1.0) })
}

/// The fewest observations a mean's own interval needs: one observation has no spread.
pub const MIN_OBSERVATIONS_FOR_MEAN_INTERVAL: u64 = 2;

/// `mean ± z₀.₉₇₅·std_dev/√count`, the 95 % interval of one sample mean (`std_dev` the sample
/// standard deviation). `None` with fewer than [`MIN_OBSERVATIONS_FOR_MEAN_INTERVAL`]
/// observations: with one there is no spread to estimate, so no interval rather than a
/// degenerate one.
pub fn mean_interval_95(mean: f64, std_dev: f64, count: u64) -> Option<ConfidenceInterval> {
    if count < MIN_OBSERVATIONS_FOR_MEAN_INTERVAL {
        return None;
    }
    Some(interval_95(mean, std_dev * std_dev / count as f64))
}

/// Delta-method 95 % interval of `variant / control - 1`, from the two estimates and the squared
/// standard errors of each. `None` when the control estimate is 0 (the lift is undefined).
fn lift_interval(control: f64, control_var: f64, variant: f64, variant_var: f64) -> Option<(f64, ConfidenceInterval)> {
    if control == 0.0 {
        return None;
    }
    let ratio = variant / control;
    let ratio_var = variant_var / control.powi(2) + variant.powi(2) * control_var / control.powi(4);
    Some((ratio - 1.0, ConfidenceInterval::around(ratio - 1.0, z_975() * ratio_var.sqrt())))
}

// ---------------------------------------------------------------------------------------------
// Inputs

/// One arm of a conversion test: visitors (> 0) and conversions (0 ..= visitors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConversionArm {
    visitors: u64,
    conversions: u64,
}

impl ConversionArm {
    /// A trillion: beyond any real experiment, far from overflow in sums.
    pub const MAX_VISITORS: i64 = 1_000_000_000_000;

    /// `arm` prefixes the field names (`control` gives `control.visitors`, `control.conversions`).
    pub fn new(arm: &str, visitors: i64, conversions: i64) -> Result<ConversionArm, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if !(1..=Self::MAX_VISITORS).contains(&visitors) {
            errors.add(
                format!("{arm}.visitors"),
                "out_of_range",
                format!("must be a whole number from 1 to {}", Self::MAX_VISITORS),
            );
        }
        if conversions < 0 {
            errors.add(format!("{arm}.conversions"), "out_of_range", "must not be negative");
        } else if errors.is_empty() && conversions > visitors {
            errors.add(format!("{arm}.conversions"), "too_many", format!("must not exceed the visitors ({visitors})"));
        }
        match (u64::try_from(visitors), u64::try_from(conversions)) {
            (Ok(visitors), Ok(conversions)) if errors.is_empty() => Ok(ConversionArm { visitors, conversions }),
            _ => Err(errors),
        }
    }

    pub fn visitors(&self) -> u64 {
        self.visitors
    }

    pub fn conversions(&self) -> u64 {
        self.conversions
    }

    pub fn rate(&self) -> f64 {
        self.conversions as f64 / self.visitors as f64
    }

    /// Squared standard error of the rate, p(1-p)/n.
    fn rate_variance(&self) -> f64 {
        let p = self.rate();
        p * (1.0 - p) / self.visitors as f64
    }
}

/// One arm of a numeric-metric test: the sample mean, the sample standard deviation (n - 1
/// denominator, ≥ 0) and the number of observations (≥ 2).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricArm {
    mean: f64,
    std_dev: f64,
    count: u64,
}

impl MetricArm {
    pub const MAX_COUNT: i64 = 1_000_000_000_000;
    /// Keeps squares and fourth powers of means and deviations finite.
    pub const MAX_MAGNITUDE: f64 = 1e15;

    /// `arm` prefixes the field names (`variant.mean`, `variant.std_dev`, `variant.count`).
    pub fn new(arm: &str, mean: f64, std_dev: f64, count: i64) -> Result<MetricArm, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if !mean.is_finite() || mean.abs() > Self::MAX_MAGNITUDE {
            errors.add(
                format!("{arm}.mean"),
                "out_of_range",
                format!("must be a number of at most {:e} in size", Self::MAX_MAGNITUDE),
            );
        }
        if !std_dev.is_finite() || !(0.0..=Self::MAX_MAGNITUDE).contains(&std_dev) {
            errors.add(
                format!("{arm}.std_dev"),
                "out_of_range",
                format!("must be a number from 0 to {:e}", Self::MAX_MAGNITUDE),
            );
        }
        if !(2..=Self::MAX_COUNT).contains(&count) {
            errors.add(
                format!("{arm}.count"),
                "out_of_range",
                format!("must be a whole number from 2 to {}", Self::MAX_COUNT),
            );
        }
        match u64::try_from(count) {
            Ok(count) if errors.is_empty() => Ok(MetricArm { mean, std_dev, count }),
            _ => Err(errors),
        }
    }

    pub fn mean(&self) -> f64 {
        self.mean
    }

    pub fn std_dev(&self) -> f64 {
        self.std_dev
    }

    pub fn count(&self) -> u64 {
        self.count
    }

    /// Squared standard error of the mean, s²/n.
    fn mean_variance(&self) -> f64 {
        self.std_dev.powi(2) / self.count as f64
    }
}

/// Significance level α: more than 0, at most 0.5.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Alpha(f64);

impl Alpha {
    pub const FIVE_PERCENT: Alpha = Alpha(0.05);

    pub fn parse(field: &str, value: f64) -> Result<Alpha, FieldError> {
        if value.is_finite() && value > 0.0 && value <= 0.5 {
            Ok(Alpha(value))
        } else {
            Err(FieldError::new(field, "out_of_range", "must be greater than 0 and at most 0.5"))
        }
    }

    pub fn get(self) -> f64 {
        self.0
    }
}

/// Statistical power 1 - β: at least 0.5, less than 1.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Power(f64);

impl Power {
    pub const EIGHTY_PERCENT: Power = Power(0.8);

    pub fn parse(field: &str, value: f64) -> Result<Power, FieldError> {
        if value.is_finite() && (0.5..1.0).contains(&value) {
            Ok(Power(value))
        } else {
            Err(FieldError::new(field, "out_of_range", "must be at least 0.5 and less than 1"))
        }
    }

    pub fn get(self) -> f64 {
        self.0
    }
}

// ---------------------------------------------------------------------------------------------
// Tests

/// What [`verdict`] needs from either test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evidence {
    /// Visitors (or observations) in the smaller arm.
    pub smallest_arm: u64,
    /// Variant minus control: its sign says which arm did better.
    pub difference: f64,
    pub p_value: f64,
}

/// The result of [`two_proportion_test`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProportionTest {
    pub control_rate: f64,
    pub variant_rate: f64,
    /// Variant rate minus control rate.
    pub difference: f64,
    /// `variant_rate / control_rate - 1`; `None` when the control rate is 0.
    pub lift: Option<f64>,
    /// Delta-method 95 % interval of the lift; `None` when the control rate is 0.
    pub lift_ci_95: Option<ConfidenceInterval>,
    /// Pooled z statistic; 0 when both arms converted all or none of their visitors.
    pub z: f64,
    /// Two-sided; 1 when both arms converted all or none of their visitors.
    pub p_value: f64,
    pub smallest_arm: u64,
}

impl ProportionTest {
    pub fn evidence(&self) -> Evidence {
        Evidence { smallest_arm: self.smallest_arm, difference: self.difference, p_value: self.p_value }
    }
}

/// Two-proportion z-test of `variant` against `control` (methods in the module documentation).
pub fn two_proportion_test(control: &ConversionArm, variant: &ConversionArm) -> ProportionTest {
    let (control_rate, variant_rate) = (control.rate(), variant.rate());
    let difference = variant_rate - control_rate;
    let pooled = (control.conversions + variant.conversions) as f64 / (control.visitors + variant.visitors) as f64;
    let pooled_se = (pooled * (1.0 - pooled) * (1.0 / control.visitors as f64 + 1.0 / variant.visitors as f64)).sqrt();
    // A pooled rate of 0 or 1 means both arms behaved identically: no evidence of a difference.
    let (z, p_value) = if pooled_se > 0.0 {
        let z = difference / pooled_se;
        (z, normal_two_sided_p(z))
    } else {
        (0.0, 1.0)
    };
    let lift = lift_interval(control_rate, control.rate_variance(), variant_rate, variant.rate_variance());
    ProportionTest {
        control_rate,
        variant_rate,
        difference,
        lift: lift.map(|(lift, _)| lift),
        lift_ci_95: lift.map(|(_, ci)| ci),
        z,
        p_value,
        smallest_arm: control.visitors.min(variant.visitors),
    }
}

/// The result of [`welch_t_test`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WelchTest {
    /// Variant mean minus control mean.
    pub difference: f64,
    /// 95 % interval of the difference (t quantile at `df`).
    pub difference_ci_95: ConfidenceInterval,
    /// `variant_mean / control_mean - 1`; `None` when the control mean is 0.
    pub lift: Option<f64>,
    /// Delta-method 95 % interval of the lift; `None` when the control mean is 0.
    pub lift_ci_95: Option<ConfidenceInterval>,
    pub t: f64,
    /// Welch–Satterthwaite degrees of freedom.
    pub df: f64,
    /// Two-sided.
    pub p_value: f64,
    pub smallest_arm: u64,
}

impl WelchTest {
    pub fn evidence(&self) -> Evidence {
        Evidence { smallest_arm: self.smallest_arm, difference: self.difference, p_value: self.p_value }
    }
}

/// Welch's unequal-variances t-test of `variant` against `control`. Fails (blaming
/// `variant.std_dev`, code `no_variation`) when both deviations are 0: there is no spread to
/// test against.
pub fn welch_t_test(control: &MetricArm, variant: &MetricArm) -> Result<WelchTest, ValidationErrors> {
    let (control_var, variant_var) = (control.mean_variance(), variant.mean_variance());
    let se_squared = control_var + variant_var;
    if se_squared <= 0.0 {
        return Err(ValidationErrors::single(
            "variant.std_dev",
            "no_variation",
            "both arms have a deviation of 0; a t-test needs some spread",
        ));
    }
    let se = se_squared.sqrt();
    let difference = variant.mean - control.mean;
    let t = difference / se;
    let df = se_squared.powi(2)
        / (control_var.powi(2) / (control.count - 1) as f64 + variant_var.powi(2) / (variant.count - 1) as f64);
    // df > 0 here (one variance is positive, counts are at least 2); the normal limit is only a
    // guard so that no input can panic.
    let (p_value, t_975) = match StudentsT::new(0.0, 1.0, df) {
        Ok(student) => ((2.0 * student.sf(t.abs())).min(1.0), student.inverse_cdf(0.975)),
        Err(_) => (normal_two_sided_p(t), z_975()),
    };
    let lift = lift_interval(control.mean, control_var, variant.mean, variant_var);
    Ok(WelchTest {
        difference,
        difference_ci_95: ConfidenceInterval::around(difference, t_975 * se),
        lift: lift.map(|(lift, _)| lift),
        lift_ci_95: lift.map(|(_, ci)| ci),
        t,
        df,
        p_value,
        smallest_arm: control.count.min(variant.count),
    })
}

// ---------------------------------------------------------------------------------------------
// Sample size

/// The visitors each variant needs; `exact` is the formula's value before rounding up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SampleSize {
    pub per_variant: u64,
    pub exact: f64,
    /// The rate the variant must reach: baseline × (1 + minimum detectable effect).
    pub variant_rate: f64,
}

/// Beyond a trillion visitors per variant the effect is too small to test.
const MAX_SAMPLE_SIZE: f64 = 1e12;

/// Visitors per variant for a two-sided two-proportion test (formula in the module
/// documentation). `baseline_rate` is strictly between 0 and 1; `minimum_detectable_effect` is
/// relative (0.1 = +10 %), not 0, more than -1, and must keep the variant rate below 1.
pub fn sample_size_per_variant(
    baseline_rate: f64,
    minimum_detectable_effect: f64,
    alpha: f64,
    power: f64,
) -> Result<SampleSize, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let baseline_ok = baseline_rate.is_finite() && baseline_rate > 0.0 && baseline_rate < 1.0;
    if !baseline_ok {
        errors.add("baseline_rate", "out_of_range", "must be greater than 0 and less than 1");
    }
    let mde_ok =
        minimum_detectable_effect.is_finite() && minimum_detectable_effect > -1.0 && minimum_detectable_effect != 0.0;
    if !mde_ok {
        errors.add("minimum_detectable_effect", "out_of_range", "must be a relative change other than 0 and above -1");
    }
    let alpha = errors.check(Alpha::parse("alpha", alpha));
    let power = errors.check(Power::parse("power", power));
    let variant_rate = baseline_rate * (1.0 + minimum_detectable_effect);
    if baseline_ok && mde_ok && variant_rate >= 1.0 {
        errors.add(
            "minimum_detectable_effect",
            "out_of_range",
            format!("would take the rate to {variant_rate} or more; the rate must stay below 1"),
        );
    }
    let (Some(alpha), Some(power)) = (alpha, power) else {
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }

    let (p1, p2) = (baseline_rate, variant_rate);
    let p_bar = (p1 + p2) / 2.0;
    let z_alpha = normal_quantile(1.0 - alpha.get() / 2.0);
    let z_beta = normal_quantile(power.get());
    let numerator =
        z_alpha * (2.0 * p_bar * (1.0 - p_bar)).sqrt() + z_beta * (p1 * (1.0 - p1) + p2 * (1.0 - p2)).sqrt();
    let exact = numerator.powi(2) / (p2 - p1).powi(2);
    if !exact.is_finite() || exact > MAX_SAMPLE_SIZE {
        return Err(ValidationErrors::single(
            "minimum_detectable_effect",
            "too_small",
            "is too small to detect: it would need more than a trillion visitors per variant",
        ));
    }
    // Bounded above, so the cast is exact for the integer part.
    Ok(SampleSize { per_variant: exact.ceil() as u64, exact, variant_rate })
}

/// Observations per variant for a two-sided test of two means at level α with power 1 - β, the
/// baseline mean `μ`, its standard deviation `σ` (assumed in both arms) and a relative minimum
/// detectable effect: `n = 2·(z₁₋α/₂ + z₁₋β)²·σ² / (MDE·μ)²` (the normal approximation), rounded
/// up. Fields: `baseline`, `baseline_std_dev`, `minimum_detectable_effect`, `alpha`, `power`.
pub fn mean_sample_size_per_variant(
    baseline_mean: f64,
    baseline_std_dev: f64,
    minimum_detectable_effect: f64,
    alpha: f64,
    power: f64,
) -> Result<SampleSize, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    if !baseline_mean.is_finite() || baseline_mean == 0.0 || baseline_mean.abs() > MetricArm::MAX_MAGNITUDE {
        errors.add("baseline", "out_of_range", "must be a number other than 0 (the effect is relative to it)");
    }
    if !baseline_std_dev.is_finite() || baseline_std_dev <= 0.0 || baseline_std_dev > MetricArm::MAX_MAGNITUDE {
        errors.add("baseline_std_dev", "out_of_range", "must be greater than 0");
    }
    if !minimum_detectable_effect.is_finite() || minimum_detectable_effect <= -1.0 || minimum_detectable_effect == 0.0 {
        errors.add("minimum_detectable_effect", "out_of_range", "must be a relative change other than 0 and above -1");
    }
    let alpha = errors.check(Alpha::parse("alpha", alpha));
    let power = errors.check(Power::parse("power", power));
    let (Some(alpha), Some(power)) = (alpha, power) else {
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let z = normal_quantile(1.0 - alpha.get() / 2.0) + normal_quantile(power.get());
    let effect = minimum_detectable_effect * baseline_mean;
    let exact = 2.0 * z.powi(2) * baseline_std_dev.powi(2) / effect.powi(2);
    if !exact.is_finite() || exact > MAX_SAMPLE_SIZE {
        return Err(ValidationErrors::single(
            "minimum_detectable_effect",
            "too_small",
            "is too small to detect: it would need more than a trillion observations per variant",
        ));
    }
    Ok(SampleSize {
        per_variant: exact.ceil() as u64,
        exact,
        variant_rate: baseline_mean * (1.0 + minimum_detectable_effect),
    })
}

// ---------------------------------------------------------------------------------------------
// Verdict

/// What the numbers allow one to say.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// The smaller arm has not reached the planned sample size: no winner may be called yet,
    /// whatever the p-value (peeking inflates false positives).
    NotEnoughData {
        planned: u64,
        observed: u64,
    },
    NoSignificantDifference {
        p_value: f64,
        alpha: f64,
    },
    VariantWins {
        p_value: f64,
        alpha: f64,
    },
    ControlWins {
        p_value: f64,
        alpha: f64,
    },
}

/// Calls the test: not before both arms reached `planned_per_variant`; then a winner only when
/// the p-value is below `alpha`, the winner being the arm with the higher rate or mean.
pub fn verdict(evidence: &Evidence, planned_per_variant: u64, alpha: Alpha) -> Verdict {
    if evidence.smallest_arm < planned_per_variant {
        return Verdict::NotEnoughData { planned: planned_per_variant, observed: evidence.smallest_arm };
    }
    let (p_value, alpha) = (evidence.p_value, alpha.get());
    // Written so that a NaN p-value (only possible through a hand-built Evidence) is never significant.
    let significant = p_value < alpha;
    if !significant || evidence.difference == 0.0 {
        Verdict::NoSignificantDifference { p_value, alpha }
    } else if evidence.difference > 0.0 {
        Verdict::VariantWins { p_value, alpha }
    } else {
        Verdict::ControlWins { p_value, alpha }
    }
}

/// `p = 0.034`, or `p < 0.001` for smaller values.
fn format_p(p_value: f64) -> String {
    if p_value < 0.001 { "p < 0.001".to_owned() } else { format!("p = {p_value:.3}") }
}

impl Verdict {
    /// `not_enough_data`, `no_significant_difference`, `variant_wins`, `control_wins`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Verdict::NotEnoughData { .. } => "not_enough_data",
            Verdict::NoSignificantDifference { .. } => "no_significant_difference",
            Verdict::VariantWins { .. } => "variant_wins",
            Verdict::ControlWins { .. } => "control_wins",
        }
    }

    /// One plain-language sentence (or two) for people.
    pub fn sentence(&self) -> String {
        match *self {
            Verdict::NotEnoughData { planned, observed } => format!(
                "Not enough data yet: {observed} of the planned {planned} per variant. \
                 Keep the test running; no winner is called before the planned sample size."
            ),
            Verdict::NoSignificantDifference { p_value, alpha } => format!(
                "No significant difference: {} is not below α = {alpha}. \
                 The test cannot tell the variant and the control apart.",
                format_p(p_value)
            ),
            Verdict::VariantWins { p_value, alpha } => {
                format!(
                    "The variant wins: it did better than the control, and {} is below α = {alpha}.",
                    format_p(p_value)
                )
            }
            Verdict::ControlWins { p_value, alpha } => {
                format!("The control wins: the variant did worse, and {} is below α = {alpha}.", format_p(p_value))
            }
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.sentence())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Relative closeness, for values computed independently with scipy.
    #[track_caller]
    fn assert_close(actual: f64, expected: f64, relative: f64) {
        let scale = expected.abs().max(f64::MIN_POSITIVE);
        assert!(
            (actual - expected).abs() / scale <= relative,
            "actual {actual:e} vs expected {expected:e} (relative error {:e})",
            (actual - expected).abs() / scale
        );
    }

    fn conv(arm: &str, visitors: i64, conversions: i64) -> ConversionArm {
        ConversionArm::new(arm, visitors, conversions).unwrap()
    }

    fn metric(arm: &str, mean: f64, std_dev: f64, count: i64) -> MetricArm {
        MetricArm::new(arm, mean, std_dev, count).unwrap()
    }

    // Reference values below were computed independently with Python 3 and SciPy 1.17.1; each
    // test quotes the snippet. For conversions, SciPy's chi-square test of the 2x2 table without
    // continuity correction is the pooled two-proportion z-test (chi2 = z²):
    //
    //   import math
    //   from scipy.stats import chi2_contingency, norm
    //   def ref(nc, xc, nv, xv):
    //       chi2, p, _, _ = chi2_contingency([[xc, nc-xc], [xv, nv-xv]], correction=False)
    //       pc, pv = xc/nc, xv/nv
    //       z = math.copysign(math.sqrt(chi2), pv-pc)
    //       R = pv/pc  # lift interval: delta method on the ratio
    //       var = (pv*(1-pv)/nv)/pc**2 + pv**2*(pc*(1-pc)/nc)/pc**4
    //       h = norm.ppf(0.975)*math.sqrt(var)
    //       return z, p, R-1, R-1-h, R-1+h

    #[track_caller]
    fn check_proportions(
        (nc, xc, nv, xv): (i64, i64, i64, i64),
        z: f64,
        p_value: f64,
        lift: Option<(f64, f64, f64)>,
    ) -> ProportionTest {
        let test = two_proportion_test(&conv("control", nc, xc), &conv("variant", nv, xv));
        assert_close(test.z, z, 1e-9);
        assert_close(test.p_value, p_value, 1e-9);
        match lift {
            Some((lift, low, high)) => {
                assert_close(test.lift.unwrap(), lift, 1e-9);
                let ci = test.lift_ci_95.unwrap();
                assert_close(ci.low, low, 1e-9);
                assert_close(ci.high, high, 1e-9);
            }
            None => assert_eq!((test.lift, test.lift_ci_95), (None, None)),
        }
        test
    }

    #[test]
    fn two_proportion_test_around_p_of_five_percent() {
        // ref(10000, 500, 10000, 562) -> (1.9551378024511066, 0.05056680743305328, 0.12399999999999989,
        //                                  -0.007800500041601849, 0.2558005000416016)
        let above = check_proportions(
            (10_000, 500, 10_000, 562),
            1.9551378024511066,
            0.05056680743305328,
            Some((0.12399999999999989, -0.007800500041601849, 0.2558005000416016)),
        );
        // ref(10000, 500, 10000, 563) -> (1.9857900278136607, 0.04705664351245293, 0.1259999999999999,
        //                                  -0.005976715609029626, 0.2579767156090294)
        let below = check_proportions(
            (10_000, 500, 10_000, 563),
            1.9857900278136607,
            0.04705664351245293,
            Some((0.1259999999999999, -0.005976715609029626, 0.2579767156090294)),
        );
        assert_eq!((above.control_rate, above.variant_rate, above.smallest_arm), (0.05, 0.0562, 10_000));
        let planned = 10_000;
        assert_eq!(
            verdict(&above.evidence(), planned, Alpha::FIVE_PERCENT),
            Verdict::NoSignificantDifference { p_value: above.p_value, alpha: 0.05 }
        );
        assert_eq!(
            verdict(&below.evidence(), planned, Alpha::FIVE_PERCENT),
            Verdict::VariantWins { p_value: below.p_value, alpha: 0.05 }
        );
        // The pooled test and the (unpooled) interval are different methods: here the test is
        // significant while the lift interval still touches 0.
        assert!(below.lift_ci_95.unwrap().contains(0.0));
    }

    #[test]
    fn two_proportion_test_extreme_and_negative_and_unequal_arms() {
        // ref(100000, 1000, 100000, 1500) -> (10.063092108532553, 8.043165183757435e-24, 0.5,
        //                                      0.38069951831332893, 0.6193004816866711)
        check_proportions(
            (100_000, 1_000, 100_000, 1_500),
            10.063092108532553,
            8.043165183757435e-24,
            Some((0.5, 0.38069951831332893, 0.6193004816866711)),
        );
        // ref(1000, 100, 1200, 100) -> (-1.3540064007726602, 0.17573433564422125, -0.16666666666666674,
        //                                -0.38680945793658034, 0.053476124603246855)
        let test = check_proportions(
            (1_000, 100, 1_200, 100),
            -1.3540064007726602,
            0.17573433564422125,
            Some((-0.16666666666666674, -0.38680945793658034, 0.053476124603246855)),
        );
        assert_eq!(test.smallest_arm, 1_000);
    }

    #[test]
    fn two_proportion_test_with_tiny_samples_and_zero_conversions() {
        // ref(20, 3, 25, 8) -> (1.318573609487299, 0.18731170126776403, 1.1333333333333333,
        //                        -1.404290952195633, 3.6709576188622997)
        check_proportions(
            (20, 3, 25, 8),
            1.318573609487299,
            0.18731170126776403,
            Some((1.1333333333333333, -1.404290952195633, 3.6709576188622997)),
        );
        // Control converted nobody: the lift is undefined, the test is not.
        // ref(50, 0, 50, 4)[:2] -> (2.041241452319315, 0.041226833337163815)
        check_proportions((50, 0, 50, 4), 2.041241452319315, 0.041226833337163815, None);
        // Variant converted nobody: lift -100 %; the delta method sees no variance in an arm at 0.
        // ref(50, 4, 50, 0) -> (-2.041241452319315, 0.041226833337163815, -1.0, -1.0, -1.0)
        let test =
            check_proportions((50, 4, 50, 0), -2.041241452319315, 0.041226833337163815, Some((-1.0, -1.0, -1.0)));
        assert_eq!(
            verdict(&test.evidence(), 50, Alpha::FIVE_PERCENT),
            Verdict::ControlWins { p_value: test.p_value, alpha: 0.05 }
        );
        // Nobody converted anywhere (SciPy refuses this table: zero expected counts): no evidence.
        let test = two_proportion_test(&conv("control", 30, 0), &conv("variant", 40, 0));
        assert_eq!((test.z, test.p_value, test.lift, test.difference), (0.0, 1.0, None, 0.0));
        let test = two_proportion_test(&conv("control", 30, 30), &conv("variant", 40, 40));
        assert_eq!((test.z, test.p_value, test.lift), (0.0, 1.0, Some(0.0)));
        assert_eq!(test.lift_ci_95, Some(ConfidenceInterval { low: 0.0, high: 0.0 }));
    }

    // Means: SciPy's Welch test from summary statistics (it tests control minus variant, so its
    // statistic has the opposite sign), the Welch–Satterthwaite df and intervals written out:
    //
    //   import math
    //   from scipy.stats import ttest_ind_from_stats, t as student_t, norm
    //   def ref(mc, sc, nc, mv, sv, nv):
    //       r = ttest_ind_from_stats(mc, sc, nc, mv, sv, nv, equal_var=False)
    //       a, b = sc**2/nc, sv**2/nv
    //       df = (a+b)**2/(a**2/(nc-1) + b**2/(nv-1))
    //       h = student_t.ppf(0.975, df)*math.sqrt(a+b)
    //       R = mv/mc; hh = norm.ppf(0.975)*math.sqrt(b/mc**2 + mv**2*a/mc**4)
    //       return -r.statistic, r.pvalue, df, (mv-mc)-h, (mv-mc)+h, R-1, R-1-hh, R-1+hh

    #[track_caller]
    fn check_welch(
        control: (f64, f64, i64),
        variant: (f64, f64, i64),
        (t, p_value, df, difference_low, difference_high): (f64, f64, f64, f64, f64),
        lift: Option<(f64, f64, f64)>,
    ) -> WelchTest {
        let test = welch_t_test(
            &metric("control", control.0, control.1, control.2),
            &metric("variant", variant.0, variant.1, variant.2),
        )
        .unwrap();
        assert_close(test.t, t, 1e-9);
        assert_close(test.p_value, p_value, 1e-9);
        assert_close(test.df, df, 1e-9);
        assert_close(test.difference_ci_95.low, difference_low, 1e-9);
        assert_close(test.difference_ci_95.high, difference_high, 1e-9);
        match lift {
            Some((lift, low, high)) => {
                assert_close(test.lift.unwrap(), lift, 1e-9);
                let ci = test.lift_ci_95.unwrap();
                assert_close(ci.low, low, 1e-9);
                assert_close(ci.high, high, 1e-9);
            }
            None => assert_eq!((test.lift, test.lift_ci_95), (None, None)),
        }
        test
    }

    #[test]
    fn welch_t_test_around_p_of_five_percent() {
        // ref(100, 20, 50, 108, 20, 50) -> (2.0, 0.04826777194936759, 98.00000000000001, 0.062130181966074005,
        //     15.937869818033926, 0.08000000000000007, -0.001594786054755909, 0.16159478605475605)
        let below = check_welch(
            (100.0, 20.0, 50),
            (108.0, 20.0, 50),
            (2.0, 0.04826777194936759, 98.00000000000001, 0.062130181966074005, 15.937869818033926),
            Some((0.08000000000000007, -0.001594786054755909, 0.16159478605475605)),
        );
        // ref(100, 20, 50, 107.9, 20, 50) -> (1.9750000000000014, 0.05108157760420671, 98.00000000000001,
        //     -0.03786981803392031, 15.837869818033932, 0.07899999999999996, -0.0025541178828286243, 0.16055411788282853)
        let above = check_welch(
            (100.0, 20.0, 50),
            (107.9, 20.0, 50),
            (1.9750000000000014, 0.05108157760420671, 98.00000000000001, -0.03786981803392031, 15.837869818033932),
            Some((0.07899999999999996, -0.0025541178828286243, 0.16055411788282853)),
        );
        // ref(100, 20, 50, 108.2, 25, 60) -> (1.9107696679563195, 0.05868965257472263, 107.83769204861271,
        //     -0.30657197748513987, 16.706571977485147, 0.08200000000000007, -0.005174250980483602, 0.16917425098048375)
        check_welch(
            (100.0, 20.0, 50),
            (108.2, 25.0, 60),
            (1.9107696679563195, 0.05868965257472263, 107.83769204861271, -0.30657197748513987, 16.706571977485147),
            Some((0.08200000000000007, -0.005174250980483602, 0.16917425098048375)),
        );
        assert_eq!(verdict(&below.evidence(), 50, Alpha::FIVE_PERCENT).as_str(), "variant_wins");
        assert_eq!(verdict(&above.evidence(), 50, Alpha::FIVE_PERCENT).as_str(), "no_significant_difference");
        // Planned 51 per arm, observed 50: too early, however small the p-value.
        assert_eq!(
            verdict(&below.evidence(), 51, Alpha::FIVE_PERCENT),
            Verdict::NotEnoughData { planned: 51, observed: 50 }
        );
    }

    #[test]
    fn welch_t_test_extreme_tiny_and_degenerate() {
        // ref(10, 2, 1000, 12, 3, 900) -> (16.903085094570333, 6.255259210314229e-59, 1540.266318994785,
        //     1.7679115577430204, 2.2320884422569796, 0.19999999999999996, 0.1753948397659882, 0.22460516023401172)
        check_welch(
            (10.0, 2.0, 1000),
            (12.0, 3.0, 900),
            (16.903085094570333, 6.255259210314229e-59, 1540.266318994785, 1.7679115577430204, 2.2320884422569796),
            Some((0.19999999999999996, 0.1753948397659882, 0.22460516023401172)),
        );
        // Two observations per arm.
        // ref(5, 1, 2, 9, 2, 2) -> (2.5298221281347035, 0.17033403964102312, 1.4705882352941178,
        //     -5.784268817874386, 13.784268817874386, 0.8, 0.054182839271910255, 1.54581716072809)
        check_welch(
            (5.0, 1.0, 2),
            (9.0, 2.0, 2),
            (2.5298221281347035, 0.17033403964102312, 1.4705882352941178, -5.784268817874386, 13.784268817874386),
            Some((0.8, 0.054182839271910255, 1.54581716072809)),
        );
        // Control mean 0: no lift. ref(0, 1, 30, 0.5, 1.5, 40)[:5] -> (1.6705381391691134,
        //     0.09946541117633102, 67.18775903614458, -0.0973840942532298, 1.0973840942532298)
        check_welch(
            (0.0, 1.0, 30),
            (0.5, 1.5, 40),
            (1.6705381391691134, 0.09946541117633102, 67.18775903614458, -0.0973840942532298, 1.0973840942532298),
            None,
        );
        // No spread in the control arm: df falls back to the variant's n - 1.
        // ref(3, 0, 10, 3.5, 1, 12) -> (1.7320508075688774, 0.11117295276905709, 11.0, -0.1353696873306396,
        //     1.1353696873306396, 0.16666666666666674, -0.021930955679361874, 0.35526428901269536)
        check_welch(
            (3.0, 0.0, 10),
            (3.5, 1.0, 12),
            (1.7320508075688774, 0.11117295276905709, 11.0, -0.1353696873306396, 1.1353696873306396),
            Some((0.16666666666666674, -0.021930955679361874, 0.35526428901269536)),
        );
        let err = welch_t_test(&metric("control", 3.0, 0.0, 10), &metric("variant", 4.0, 0.0, 10)).unwrap_err();
        assert_eq!(
            err.errors(),
            [FieldError::new(
                "variant.std_dev",
                "no_variation",
                "both arms have a deviation of 0; a t-test needs some spread"
            )]
        );
    }

    #[test]
    fn sample_size_matches_the_fleiss_formula() {
        //   import math
        //   from scipy.stats import norm
        //   def n(p1, mde, alpha, power):
        //       p2 = p1*(1+mde); pb = (p1+p2)/2
        //       num = norm.ppf(1-alpha/2)*math.sqrt(2*pb*(1-pb)) + norm.ppf(power)*math.sqrt(p1*(1-p1)+p2*(1-p2))
        //       return num**2/(p2-p1)**2
        //   n(0.05, 0.1, 0.05, 0.8)   -> 31233.437940129952   (ceil 31234)
        //   n(0.2, -0.05, 0.01, 0.9)  -> 46711.36423588838    (ceil 46712)
        //   n(0.5, 0.5, 0.1, 0.5)     -> 20.2915759057156     (ceil 21)
        //   n(0.01, 0.02, 0.05, 0.95) -> 6496046.073004419    (ceil 6496047)
        for (baseline, mde, alpha, power, exact, per_variant) in [
            (0.05, 0.1, 0.05, 0.8, 31233.437940129952, 31_234),
            (0.2, -0.05, 0.01, 0.9, 46711.36423588838, 46_712),
            (0.5, 0.5, 0.1, 0.5, 20.2915759057156, 21),
            (0.01, 0.02, 0.05, 0.95, 6496046.073004419, 6_496_047),
        ] {
            let size = sample_size_per_variant(baseline, mde, alpha, power).unwrap();
            assert_close(size.exact, exact, 1e-6);
            assert_eq!(size.per_variant, per_variant, "{baseline} {mde} {alpha} {power}");
        }
        assert_close(sample_size_per_variant(0.05, 0.1, 0.05, 0.8).unwrap().variant_rate, 0.055, 1e-12);
    }

    #[test]
    fn sample_size_rejects_bad_inputs_naming_each_field() {
        let err = sample_size_per_variant(0.0, 0.0, 0.6, 1.0).unwrap_err();
        let found: Vec<(&str, &str, &str)> =
            err.errors().iter().map(|e| (e.field.as_str(), e.code, e.message.as_str())).collect();
        assert_eq!(
            found,
            vec![
                ("baseline_rate", "out_of_range", "must be greater than 0 and less than 1"),
                ("minimum_detectable_effect", "out_of_range", "must be a relative change other than 0 and above -1"),
                ("alpha", "out_of_range", "must be greater than 0 and at most 0.5"),
                ("power", "out_of_range", "must be at least 0.5 and less than 1"),
            ]
        );
        let err = sample_size_per_variant(0.6, 0.8, 0.05, 0.8).unwrap_err();
        assert_eq!(
            err.errors(),
            [FieldError::new(
                "minimum_detectable_effect",
                "out_of_range",
                "would take the rate to 1.08 or more; the rate must stay below 1"
            )]
        );
        let err = sample_size_per_variant(0.05, 1e-9, 0.05, 0.8).unwrap_err();
        assert_eq!(err.errors()[0].code, "too_small");
        assert!(sample_size_per_variant(f64::NAN, 0.1, 0.05, 0.8).is_err());
    }

    #[test]
    fn arms_are_validated_naming_the_arm() {
        let err = ConversionArm::new("control", 100, 101).unwrap_err();
        assert_eq!(
            err.errors(),
            [FieldError::new("control.conversions", "too_many", "must not exceed the visitors (100)")]
        );
        let err = ConversionArm::new("variant", 0, -1).unwrap_err();
        let found: Vec<(&str, &str)> = err.errors().iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(found, vec![("variant.visitors", "out_of_range"), ("variant.conversions", "out_of_range")]);
        let err = MetricArm::new("control", f64::INFINITY, -1.0, 1).unwrap_err();
        let found: Vec<&str> = err.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(found, vec!["control.mean", "control.std_dev", "control.count"]);
        assert!(MetricArm::new("control", -5.0, 0.0, 2).is_ok());
        assert_eq!(Alpha::parse("alpha", 0.0).unwrap_err().field, "alpha");
        assert!(Alpha::parse("alpha", 0.5).is_ok());
        assert!(Power::parse("power", 0.5).is_ok());
        assert!(Power::parse("power", f64::NAN).is_err());
    }

    #[test]
    fn verdict_never_calls_a_winner_before_the_planned_sample_size() {
        let overwhelming = Evidence { smallest_arm: 999, difference: 0.2, p_value: 1e-30 };
        let early = verdict(&overwhelming, 1_000, Alpha::FIVE_PERCENT);
        assert_eq!(early, Verdict::NotEnoughData { planned: 1_000, observed: 999 });
        assert_eq!(
            early.sentence(),
            "Not enough data yet: 999 of the planned 1000 per variant. \
             Keep the test running; no winner is called before the planned sample size."
        );
        let done = Evidence { smallest_arm: 1_000, ..overwhelming };
        assert_eq!(
            verdict(&done, 1_000, Alpha::FIVE_PERCENT).sentence(),
            "The variant wins: it did better than the control, and p < 0.001 is below α = 0.05."
        );
        let worse = Evidence { smallest_arm: 1_000, difference: -0.1, p_value: 0.0123 };
        assert_eq!(
            verdict(&worse, 1_000, Alpha::FIVE_PERCENT).to_string(),
            "The control wins: the variant did worse, and p = 0.012 is below α = 0.05."
        );
        let alpha_one_percent = Alpha::parse("alpha", 0.01).unwrap();
        assert_eq!(
            verdict(&worse, 1_000, alpha_one_percent).sentence(),
            "No significant difference: p = 0.012 is not below α = 0.01. \
             The test cannot tell the variant and the control apart."
        );
        // p exactly at α is not below it.
        let at_alpha = Evidence { smallest_arm: 10, difference: 1.0, p_value: 0.05 };
        assert_eq!(verdict(&at_alpha, 10, Alpha::FIVE_PERCENT).as_str(), "no_significant_difference");
        let no_difference = Evidence { smallest_arm: 10, difference: 0.0, p_value: 0.0 };
        assert_eq!(verdict(&no_difference, 0, Alpha::FIVE_PERCENT).as_str(), "no_significant_difference");
    }

    #[test]
    fn mean_sample_size_against_scipy() {
        // from scipy.stats import norm
        // 2*(norm.ppf(1-a/2)+norm.ppf(p))**2*sd**2/(mde*mu)**2
        //   (100, 20, 0.05, 0.05, 0.8) -> 251.16415149917083; (40, 12, -0.1, 0.01, 0.9) -> 267.82896904647356
        let n = mean_sample_size_per_variant(100.0, 20.0, 0.05, 0.05, 0.8).unwrap();
        assert_close(n.exact, 251.16415149917083, 1e-9);
        assert_eq!((n.per_variant, n.variant_rate), (252, 105.0));
        let n = mean_sample_size_per_variant(40.0, 12.0, -0.1, 0.01, 0.9).unwrap();
        assert_close(n.exact, 267.82896904647356, 1e-9);
        assert_eq!(n.per_variant, 268);
        let errors = mean_sample_size_per_variant(0.0, 0.0, 0.0, 0.7, 1.0).unwrap_err();
        let fields: Vec<&str> = errors.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["baseline", "baseline_std_dev", "minimum_detectable_effect", "alpha", "power"]);
    }

    /// Absolute closeness: Wilson bounds can be exactly 0 or 1.
    fn assert_bounds(ci: ConfidenceInterval, low: f64, high: f64) {
        assert!((ci.low - low).abs() <= 1e-9 && (ci.high - high).abs() <= 1e-9, "{ci:?} vs [{low}, {high}]");
        assert!(0.0 <= ci.low && ci.low < ci.high && ci.high <= 1.0, "{ci:?} within [0, 1], never of zero width");
    }

    #[test]
    fn a_rate_gets_the_wilson_interval_which_never_collapses() {
        // Python 3, independently of this code:
        //   from statistics import NormalDist; import math
        //   z = NormalDist().inv_cdf(0.975)
        //   def wilson(x, n):
        //       p = x / n; d = 1 + z*z/n
        //       c = (p + z*z/(2*n)) / d; h = z / d * math.sqrt(p*(1-p)/n + z*z/(4*n*n))
        //       return max(0.0, c - h), min(1.0, c + h)
        // and cross-checked with 50-digit Decimal roots of (p̂ - p)² = z² p(1 - p)/n.
        let wilson = |x, n| wilson_interval_95(x, n).unwrap();
        assert_bounds(wilson(45, 1000), 0.033799512285631717, 0.05968283793622345);
        assert_bounds(wilson(0, 20), 0.0, 0.1611251580528193);
        assert_bounds(wilson(20, 20), 0.8388748419471808, 1.0);
        assert_bounds(wilson(100_000, 100_000), 0.999961586887417, 1.0);
        assert_bounds(wilson(1, 1), 0.20654931437723745, 1.0);
        assert_bounds(wilson(0, 1), 0.0, 0.7934506856227626);
        // The Wald interval collapses at 0 % and 100 %; Wilson does not.
        assert_eq!(interval_95(1.0, 0.0), ConfidenceInterval { low: 1.0, high: 1.0 });
        // For a large n, Wilson agrees with Wald to a few decimals: 500 of 10000.
        let (wald, wilson) = (interval_95(0.05, 0.05 * 0.95 / 10_000.0), wilson(500, 10_000));
        assert!((wald.low - wilson.low).abs() < 2e-4 && (wald.high - wilson.high).abs() < 2e-4, "{wald:?} {wilson:?}");
        assert_bounds(wilson, 0.045898482690584774, 0.054447115843024155);
        // No trials, or more successes than trials: no interval.
        assert_eq!((wilson_interval_95(0, 0), wilson_interval_95(3, 2)), (None, None));
    }

    #[test]
    fn a_mean_gets_an_interval_only_from_two_observations() {
        // One observation: no spread to estimate, so no interval (not "10 to 10").
        assert_eq!(mean_interval_95(10.0, 0.0, 1), None);
        assert_eq!(mean_interval_95(10.0, 0.0, 0), None);
        // Python 3: 10 ± NormalDist().inv_cdf(0.975) * 2 / math.sqrt(2).
        let ci = mean_interval_95(10.0, 2.0, 2).unwrap();
        assert_close(ci.low, 7.228192351300645, 1e-12);
        assert_close(ci.high, 12.771807648699355, 1e-12);
    }
}
