//! Experiments as records: an A/B test of a product (optionally of one of its features) with its
//! hypothesis, the metric it moves, the plan (baseline, minimum detectable effect, power,
//! significance) and its variants' numbers. The statistics are [`crate::experiments`]'s; this
//! module stores what they need and turns it into [`ExperimentResults`].
//!
//! **Variants**: 2 to 10, the first is the control. For a `conversion` metric each has visitors
//! and conversions; for a `mean` metric its sample mean, sample standard deviation and count. A
//! variant without enough data (no visitors, fewer than 2 observations) has no result yet.
//!
//! **Plan**: `baseline` is the control's expected conversion rate (0 to 1) or mean; a mean metric
//! also needs `baseline_std_dev`. The required sample size per variant comes from
//! [`crate::experiments::sample_size_per_variant`] (conversion) or
//! [`crate::experiments::mean_sample_size_per_variant`] (mean), and the verdict
//! ([`crate::experiments::verdict`]) refuses to name a winner before both arms reached it.

use std::collections::HashSet;

use crate::error::{FieldError, ValidationErrors};
use crate::experiments::{
    Alpha, ConfidenceInterval, ConversionArm, MetricArm, Power, SampleSize, Verdict, mean_interval_95,
    mean_sample_size_per_variant, sample_size_per_variant, two_proportion_test, verdict, welch_t_test,
    wilson_interval_95,
};
use crate::ids::{ExperimentId, ProductId, WorkItemId};
use crate::record::Record;
use crate::values::{LongText, Name};

/// What an experiment measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetricKind {
    /// Visitors and conversions: a rate.
    Conversion,
    /// A numeric metric's mean (revenue per visitor, time on task).
    Mean,
}

impl MetricKind {
    pub const ALL: [MetricKind; 2] = [MetricKind::Conversion, MetricKind::Mean];

    pub fn as_str(self) -> &'static str {
        match self {
            MetricKind::Conversion => "conversion",
            MetricKind::Mean => "mean",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<MetricKind, FieldError> {
        MetricKind::ALL
            .into_iter()
            .find(|k| k.as_str() == raw.trim())
            .ok_or_else(|| FieldError::new(field, "invalid", "must be one of conversion, mean"))
    }
}

/// Where an experiment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExperimentStatus {
    Draft,
    Running,
    Finished,
}

impl ExperimentStatus {
    pub const ALL: [ExperimentStatus; 3] =
        [ExperimentStatus::Draft, ExperimentStatus::Running, ExperimentStatus::Finished];

    pub fn as_str(self) -> &'static str {
        match self {
            ExperimentStatus::Draft => "draft",
            ExperimentStatus::Running => "running",
            ExperimentStatus::Finished => "finished",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<ExperimentStatus, FieldError> {
        ExperimentStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim())
            .ok_or_else(|| FieldError::new(field, "invalid", "must be one of draft, running, finished"))
    }
}

/// A variant's numbers so far, of the experiment's metric kind.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum VariantNumbers {
    Conversion { visitors: i64, conversions: i64 },
    Mean { mean: f64, std_dev: f64, count: i64 },
}

impl VariantNumbers {
    pub fn kind(&self) -> MetricKind {
        match self {
            VariantNumbers::Conversion { .. } => MetricKind::Conversion,
            VariantNumbers::Mean { .. } => MetricKind::Mean,
        }
    }

    /// Visitors or observations.
    pub fn sample(&self) -> i64 {
        match *self {
            VariantNumbers::Conversion { visitors, .. } => visitors,
            VariantNumbers::Mean { count, .. } => count,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct VariantInput {
    pub name: String,
    pub numbers: VariantNumbers,
}

/// A variant: its name (unique in the experiment) and numbers (checked: none negative,
/// conversions at most the visitors, finite means).
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub name: Name,
    pub numbers: VariantNumbers,
}

#[derive(Debug, Clone)]
pub struct ExperimentInput {
    pub product_id: ProductId,
    pub feature_id: Option<WorkItemId>,
    pub name: String,
    pub hypothesis: String,
    pub metric: MetricKind,
    pub baseline: f64,
    pub baseline_std_dev: Option<f64>,
    pub minimum_detectable_effect: f64,
    pub power: f64,
    pub alpha: f64,
    pub status: ExperimentStatus,
    pub variants: Vec<VariantInput>,
}

/// An experiment's validated fields. The store checks the feature is a work item of the product
/// (`feature_id`, codes `not_found`, `other_product`).
#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentFields {
    pub product_id: ProductId,
    pub feature_id: Option<WorkItemId>,
    pub name: Name,
    pub hypothesis: LongText,
    pub metric: MetricKind,
    /// The control's expected rate (conversion) or mean.
    pub baseline: f64,
    /// For a mean metric: the expected standard deviation.
    pub baseline_std_dev: Option<f64>,
    /// Relative: 0.1 = +10 %.
    pub minimum_detectable_effect: f64,
    pub power: Power,
    pub alpha: Alpha,
    pub status: ExperimentStatus,
    /// The first is the control.
    pub variants: Vec<Variant>,
    /// The planned observations per variant (from the plan's fields).
    pub planned: SampleSize,
}

impl ExperimentFields {
    pub const MIN_VARIANTS: usize = 2;
    pub const MAX_VARIANTS: usize = 10;

    pub fn parse(input: ExperimentInput) -> Result<ExperimentFields, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let name = errors.check(Name::parse("name", &input.name));
        let hypothesis = errors.check(LongText::parse("hypothesis", &input.hypothesis));
        let planned = match input.metric {
            MetricKind::Conversion => {
                if input.baseline_std_dev.is_some() {
                    errors.add("baseline_std_dev", "not_allowed", "only a mean metric has a deviation");
                }
                sample_size_per_variant(input.baseline, input.minimum_detectable_effect, input.alpha, input.power)
                    .map_err(|e| rename(e, "baseline_rate", "baseline"))
            }
            MetricKind::Mean => match input.baseline_std_dev {
                Some(std_dev) => mean_sample_size_per_variant(
                    input.baseline,
                    std_dev,
                    input.minimum_detectable_effect,
                    input.alpha,
                    input.power,
                ),
                None => Err(ValidationErrors::single("baseline_std_dev", "required", "a mean metric needs it")),
            },
        };
        let planned = errors.check_all(planned);
        let count = input.variants.len();
        if !(Self::MIN_VARIANTS..=Self::MAX_VARIANTS).contains(&count) {
            errors.add(
                "variants",
                "out_of_range",
                format!("must be {} to {} (the first is the control)", Self::MIN_VARIANTS, Self::MAX_VARIANTS),
            );
        }
        let mut names = HashSet::new();
        let mut variants = Vec::with_capacity(count);
        for (i, variant) in input.variants.into_iter().enumerate() {
            let name = errors.check(Name::parse(&format!("variants[{i}].name"), &variant.name));
            if let Some(name) = &name
                && !names.insert(name.as_str().to_lowercase())
            {
                errors.add(format!("variants[{i}].name"), "duplicate", format!("{name} is named twice"));
            }
            let numbers_ok = check_numbers(&mut errors, i, input.metric, &variant.numbers);
            if let (Some(name), true) = (name, numbers_ok) {
                variants.push(Variant { name, numbers: variant.numbers });
            }
        }
        match (name, hypothesis, planned, Power::parse("power", input.power), Alpha::parse("alpha", input.alpha)) {
            (Some(name), Some(hypothesis), Some(planned), Ok(power), Ok(alpha)) if errors.is_empty() => {
                Ok(ExperimentFields {
                    product_id: input.product_id,
                    feature_id: input.feature_id,
                    name,
                    hypothesis,
                    metric: input.metric,
                    baseline: input.baseline,
                    baseline_std_dev: input.baseline_std_dev,
                    minimum_detectable_effect: input.minimum_detectable_effect,
                    power,
                    alpha,
                    status: input.status,
                    variants,
                    planned,
                })
            }
            _ => Err(errors),
        }
    }
}

impl ExperimentFields {
    /// The input these fields were parsed from: a store re-parses what it read (the plan's sample
    /// size is derived, never stored), and an edit starts from it.
    pub fn to_input(&self) -> ExperimentInput {
        ExperimentInput {
            product_id: self.product_id,
            feature_id: self.feature_id,
            name: self.name.as_str().to_owned(),
            hypothesis: self.hypothesis.as_str().to_owned(),
            metric: self.metric,
            baseline: self.baseline,
            baseline_std_dev: self.baseline_std_dev,
            minimum_detectable_effect: self.minimum_detectable_effect,
            power: self.power.get(),
            alpha: self.alpha.get(),
            status: self.status,
            variants: self
                .variants
                .iter()
                .map(|v| VariantInput { name: v.name.as_str().to_owned(), numbers: v.numbers })
                .collect(),
        }
    }
}

fn rename(errors: ValidationErrors, from: &str, to: &str) -> ValidationErrors {
    let mut renamed = ValidationErrors::new();
    for e in errors.errors() {
        let field = if e.field == from { to.to_owned() } else { e.field.clone() };
        renamed.add(field, e.code, e.message.clone());
    }
    renamed
}

/// Records the problems of variant `i`'s numbers; true when there are none.
fn check_numbers(errors: &mut ValidationErrors, i: usize, metric: MetricKind, numbers: &VariantNumbers) -> bool {
    let before = errors.errors().len();
    let field = |name: &str| format!("variants[{i}].{name}");
    match (metric, *numbers) {
        (MetricKind::Conversion, VariantNumbers::Conversion { visitors, conversions }) => {
            if !(0..=ConversionArm::MAX_VISITORS).contains(&visitors) {
                errors.add(field("visitors"), "out_of_range", "must be a whole number from 0");
            }
            if conversions < 0 {
                errors.add(field("conversions"), "out_of_range", "must not be negative");
            } else if conversions > visitors {
                errors.add(field("conversions"), "too_many", format!("must not exceed the visitors ({visitors})"));
            }
        }
        (MetricKind::Mean, VariantNumbers::Mean { mean, std_dev, count }) => {
            if !mean.is_finite() || mean.abs() > MetricArm::MAX_MAGNITUDE {
                errors.add(field("mean"), "out_of_range", "must be a finite number");
            }
            if !std_dev.is_finite() || !(0.0..=MetricArm::MAX_MAGNITUDE).contains(&std_dev) {
                errors.add(field("std_dev"), "out_of_range", "must be a number from 0");
            }
            if !(0..=MetricArm::MAX_COUNT).contains(&count) {
                errors.add(field("count"), "out_of_range", "must be a whole number from 0");
            }
        }
        (metric, _) => errors.add(
            field("numbers"),
            "wrong_kind",
            format!("a {} experiment's variants need {} numbers", metric.as_str(), metric.as_str()),
        ),
    }
    errors.errors().len() == before
}

pub type Experiment = Record<ExperimentId, ExperimentFields>;

// ---------------------------------------------------------------------------------------------
// Results

/// One treatment against the control.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub variant: String,
    /// `variant / control - 1`; `None` when the control's rate or mean is 0.
    pub lift: Option<f64>,
    pub lift_ci_95: Option<ConfidenceInterval>,
    pub p_value: f64,
    pub verdict: Verdict,
}

/// What an experiment's numbers say so far.
#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentResults {
    /// Observations each variant needs (the plan).
    pub planned_per_variant: u64,
    /// One per treatment, in order; `None` where there is not yet enough data to test (no
    /// visitors, fewer than 2 observations, or no spread in either arm).
    pub comparisons: Vec<(String, Option<Comparison>)>,
}

/// The control (the first variant) against each treatment.
pub fn results(fields: &ExperimentFields) -> ExperimentResults {
    let planned = fields.planned.per_variant;
    let mut comparisons = Vec::new();
    if let Some((control, treatments)) = fields.variants.split_first() {
        for variant in treatments {
            let name = variant.name.as_str().to_owned();
            comparisons.push((name.clone(), compare(control, variant, planned, fields.alpha)));
        }
    }
    ExperimentResults { planned_per_variant: planned, comparisons }
}

fn compare(control: &Variant, variant: &Variant, planned: u64, alpha: Alpha) -> Option<Comparison> {
    let name = variant.name.as_str().to_owned();
    match (control.numbers, variant.numbers) {
        (
            VariantNumbers::Conversion { visitors: nc, conversions: xc },
            VariantNumbers::Conversion { visitors: nv, conversions: xv },
        ) => {
            let (control, variant) =
                (ConversionArm::new("control", nc, xc).ok()?, ConversionArm::new("variant", nv, xv).ok()?);
            let test = two_proportion_test(&control, &variant);
            Some(Comparison {
                variant: name,
                lift: test.lift,
                lift_ci_95: test.lift_ci_95,
                p_value: test.p_value,
                verdict: verdict(&test.evidence(), planned, alpha),
            })
        }
        (
            VariantNumbers::Mean { mean: mc, std_dev: sc, count: nc },
            VariantNumbers::Mean { mean: mv, std_dev: sv, count: nv },
        ) => {
            let control = MetricArm::new("control", mc, sc, nc).ok()?;
            let variant = MetricArm::new("variant", mv, sv, nv).ok()?;
            let test = welch_t_test(&control, &variant).ok()?;
            Some(Comparison {
                variant: name,
                lift: test.lift,
                lift_ci_95: test.lift_ci_95,
                p_value: test.p_value,
                verdict: verdict(&test.evidence(), planned, alpha),
            })
        }
        _ => None,
    }
}

/// One variant's own rate or mean with its 95 % interval, to show the arms side by side. A rate's
/// interval is the Wilson score interval ([`wilson_interval_95`]: never [0, 0] or [1, 1], always
/// within [0, 1]); a mean's is m ± z s/√n ([`mean_interval_95`]) and needs at least 2
/// observations. `estimate` is `None` before any visitors or observations; `ci_95` is also
/// `None` for a mean from a single observation (see [`VariantEstimate::missing_interval`]).
#[derive(Debug, Clone, PartialEq)]
pub struct VariantEstimate {
    pub variant: String,
    pub sample: i64,
    pub estimate: Option<f64>,
    pub ci_95: Option<ConfidenceInterval>,
}

/// Why a mean from one observation has no interval, in words for views.
pub const NEEDS_TWO_OBSERVATIONS: &str = "needs at least 2 observations";

impl VariantEstimate {
    /// Why there is an estimate but no interval (a mean from a single observation), in words;
    /// `None` when there is an interval or no estimate at all.
    pub fn missing_interval(&self) -> Option<&'static str> {
        match (self.estimate, self.ci_95) {
            (Some(_), None) => Some(NEEDS_TWO_OBSERVATIONS),
            _ => None,
        }
    }
}

pub fn variant_estimates(fields: &ExperimentFields) -> Vec<VariantEstimate> {
    fields
        .variants
        .iter()
        .map(|v| {
            let (estimate, ci_95) = match v.numbers {
                VariantNumbers::Conversion { visitors, conversions } if visitors > 0 => {
                    let interval = match (u64::try_from(conversions), u64::try_from(visitors)) {
                        (Ok(x), Ok(n)) => wilson_interval_95(x, n),
                        _ => None,
                    };
                    (Some(conversions as f64 / visitors as f64), interval)
                }
                VariantNumbers::Mean { mean, std_dev, count } if count > 0 => {
                    (Some(mean), u64::try_from(count).ok().and_then(|n| mean_interval_95(mean, std_dev, n)))
                }
                _ => (None, None),
            };
            VariantEstimate { variant: v.name.as_str().to_owned(), sample: v.numbers.sample(), estimate, ci_95 }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(metric: MetricKind, variants: Vec<VariantInput>) -> ExperimentInput {
        ExperimentInput {
            product_id: ProductId::generate(),
            feature_id: None,
            name: "Green button".into(),
            hypothesis: "A green button converts better".into(),
            metric,
            baseline: 0.05,
            baseline_std_dev: None,
            minimum_detectable_effect: 0.1,
            power: 0.8,
            alpha: 0.05,
            status: ExperimentStatus::Running,
            variants,
        }
    }

    /// Relative closeness, as experiments.rs checks its SciPy references.
    fn close(actual: f64, expected: f64) -> bool {
        (actual - expected).abs() / expected.abs() <= 1e-9
    }

    fn conv(name: &str, visitors: i64, conversions: i64) -> VariantInput {
        VariantInput { name: name.into(), numbers: VariantNumbers::Conversion { visitors, conversions } }
    }

    #[test]
    fn conversion_results_reuse_the_statistics_and_refuse_a_winner_before_the_plan() {
        // The domain's reference (experiments.rs, SciPy): ref(10000, 500, 10000, 563) gives
        // p = 0.04705664351245293 and the lift 0.126 in (-0.005976715609029626, 0.2579767156090294).
        let fields = ExperimentFields::parse(input(
            MetricKind::Conversion,
            vec![conv("Control", 10_000, 500), conv("Green", 10_000, 563)],
        ))
        .unwrap();
        // The plan: Fleiss for 5 % -> 5.5 % at alpha 0.05, power 0.8.
        let planned = fields.planned.per_variant;
        assert_eq!(planned, sample_size_per_variant(0.05, 0.1, 0.05, 0.8).unwrap().per_variant);
        let result = results(&fields);
        let (name, comparison) = &result.comparisons[0];
        let comparison = comparison.as_ref().unwrap();
        assert_eq!(name, "Green");
        assert!(close(comparison.p_value, 0.04705664351245293));
        assert!(close(comparison.lift.unwrap(), 0.1259999999999999));
        let ci = comparison.lift_ci_95.unwrap();
        assert!(close(ci.low, -0.005976715609029626) && close(ci.high, 0.2579767156090294));
        assert_eq!(comparison.verdict, Verdict::NotEnoughData { planned, observed: 10_000 });

        // With the plan met, the same rates call the variant.
        let fields = ExperimentFields::parse(input(
            MetricKind::Conversion,
            vec![conv("Control", 40_000, 2_000), conv("Green", 40_000, 2_252)],
        ))
        .unwrap();
        let result = results(&fields);
        assert_eq!(result.comparisons[0].1.as_ref().unwrap().verdict.as_str(), "variant_wins");
        // No visitors yet: no result.
        let fields =
            ExperimentFields::parse(input(MetricKind::Conversion, vec![conv("Control", 0, 0), conv("Green", 0, 0)]))
                .unwrap();
        assert_eq!(results(&fields).comparisons, vec![("Green".to_owned(), None)]);
    }

    #[test]
    fn mean_results_use_welch_against_its_reference() {
        let mut mean = input(
            MetricKind::Mean,
            vec![
                VariantInput {
                    name: "Control".into(),
                    numbers: VariantNumbers::Mean { mean: 100.0, std_dev: 20.0, count: 50 },
                },
                VariantInput {
                    name: "Bigger".into(),
                    numbers: VariantNumbers::Mean { mean: 108.0, std_dev: 20.0, count: 50 },
                },
            ],
        );
        mean.baseline = 100.0;
        mean.baseline_std_dev = Some(20.0);
        mean.minimum_detectable_effect = 0.2;
        let fields = ExperimentFields::parse(mean).unwrap();
        // 2 (z.975 + z.8)^2 20^2 / 20^2 = 15.70 -> 16 per variant; 50 observed.
        assert_eq!(fields.planned.per_variant, 16);
        let comparison = results(&fields).comparisons[0].1.clone().unwrap();
        // experiments.rs: ref(100, 20, 50, 108, 20, 50) -> p 0.04826777194936759, lift 0.08.
        assert!(close(comparison.p_value, 0.04826777194936759));
        assert_eq!(comparison.verdict.as_str(), "variant_wins");
    }

    #[test]
    fn each_variant_has_its_own_interval() {
        let fields = ExperimentFields::parse(input(
            MetricKind::Conversion,
            vec![conv("Control", 10_000, 500), conv("Green", 10_000, 563), conv("Empty", 0, 0), conv("All", 20, 20)],
        ))
        .unwrap();
        let estimates = variant_estimates(&fields);
        // The Wilson score interval (was Wald), Python 3:
        //   z = NormalDist().inv_cdf(0.975); d = 1 + z*z/n; c = (p + z*z/(2*n)) / d
        //   h = z / d * math.sqrt(p*(1-p)/n + z*z/(4*n*n)); (max(0, c - h), min(1, c + h))
        let ci = estimates[0].ci_95.unwrap();
        assert_eq!(estimates[0].estimate, Some(0.05));
        assert!(close(ci.low, 0.045898482690584774) && close(ci.high, 0.054447115843024155), "{ci:?}");
        let ci = estimates[1].ci_95.unwrap();
        assert!(close(ci.low, 0.051950315714230484) && close(ci.high, 0.060990444439907913), "{ci:?}");
        assert_eq!(estimates[2], VariantEstimate { variant: "Empty".into(), sample: 0, estimate: None, ci_95: None });
        assert_eq!(estimates[2].missing_interval(), None);
        // 20 of 20: not the collapsed [1, 1].
        let ci = estimates[3].ci_95.unwrap();
        assert!(close(ci.low, 0.8388748419471808) && ci.high == 1.0, "{ci:?}");
        assert_eq!(estimates[3].missing_interval(), None);
    }

    #[test]
    fn a_mean_variant_from_one_observation_has_no_interval() {
        let mean = |name: &str, count| VariantInput {
            name: name.into(),
            numbers: VariantNumbers::Mean { mean: 10.0, std_dev: 2.0, count },
        };
        let mut plan = input(MetricKind::Mean, vec![mean("One", 1), mean("Two", 2), mean("None", 0)]);
        plan.baseline = 10.0;
        plan.baseline_std_dev = Some(2.0);
        let estimates = variant_estimates(&ExperimentFields::parse(plan).unwrap());
        assert_eq!((estimates[0].estimate, estimates[0].ci_95), (Some(10.0), None));
        assert_eq!(estimates[0].missing_interval(), Some("needs at least 2 observations"));
        // Python 3: 10 ± NormalDist().inv_cdf(0.975) * 2 / math.sqrt(2).
        let ci = estimates[1].ci_95.unwrap();
        assert!(close(ci.low, 7.228192351300645) && close(ci.high, 12.771807648699355), "{ci:?}");
        assert_eq!(estimates[1].missing_interval(), None);
        assert_eq!((estimates[2].estimate, estimates[2].ci_95, estimates[2].missing_interval()), (None, None, None));
    }

    #[test]
    fn bad_plans_and_numbers_name_their_fields() {
        let mut bad = input(
            MetricKind::Conversion,
            vec![
                conv("Control", 100, 120),
                VariantInput {
                    name: "control".into(),
                    numbers: VariantNumbers::Mean { mean: 1.0, std_dev: 1.0, count: 5 },
                },
            ],
        );
        bad.baseline = 1.5;
        let errors = ExperimentFields::parse(bad).unwrap_err();
        let fields: Vec<(&str, &str)> = errors.errors().iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            fields,
            [
                ("baseline", "out_of_range"),
                ("variants[0].conversions", "too_many"),
                ("variants[1].name", "duplicate"),
                ("variants[1].numbers", "wrong_kind"),
            ]
        );
        let errors = ExperimentFields::parse(input(MetricKind::Mean, vec![conv("Only", 1, 0)])).unwrap_err();
        let fields: Vec<&str> = errors.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["baseline_std_dev", "variants", "variants[0].numbers"]);
    }
}
