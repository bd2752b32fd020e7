//! Backlog prioritization frameworks: RICE, WSJF, CD3, MoSCoW and the impact-effort matrix, each
//! as a validated input type with its score and an `explain()` that shows the formula with the
//! item's own numbers; and [`compare_rankings`], the side-by-side view that ranks a backlog by
//! every framework and flags the items the frameworks disagree on.
//!
//! Constructors blame the field (`reach`, `impact`, `confidence`, `effort`, `business_value`,
//! `time_criticality`, `risk_reduction`, `job_size`, `cost_of_delay_per_week`, `duration_weeks`,
//! `moscow`) with a stable code:
//! - `out_of_range`: a number outside its bounds (confidence above 100 %, an effort or a duration
//!   below its least value, [`Rice::MIN_EFFORT`] and [`Cd3::MIN_DURATION_WEEKS`], ...);
//! - `not_on_scale`: a value that is not one of the points of its scale (RICE impact, Fibonacci);
//! - `invalid`: an unknown MoSCoW class.
//!
//! Every score is finite and non-negative, so rankings never meet a NaN: each divisor has a
//! least value above 0 (RICE effort and CD3 duration a thousandth of their unit; WSJF job size a
//! point of its scale, at least 1) and each factor a most, so the largest score (RICE
//! 1e9 × 3 × 100 % / 0.001 = 3e12, CD3 1e15 / 0.001 = 1e18) is far from overflowing.

use std::collections::BTreeMap;
use std::fmt;

use crate::error::{FieldError, ValidationErrors};
use crate::values::Money;

/// Numbers as people write them in a formula: whole numbers without decimals, others with at
/// most two decimals and no trailing zeros (`800`, `0.25`, `333.33`); a number between 0 and 1
/// keeps three significant digits (`0.004`, `0.0125`, `0.333`), so a small divisor never reads
/// as 0 and the printed numbers give the printed result; below a millionth it is written with an
/// exponent (`2.5e-7`). Large numbers keep every digit, without separators (`1234.57`,
/// `3000000000000`).
///
/// The one way a score is shown: in the formulas here and in the score columns of the pages, so
/// a table and the formula beside it print the same number.
pub fn format_number(value: f64) -> String {
    /// `text` without the zeros ending its decimals (and without a bare point).
    fn trimmed(text: &str) -> &str {
        if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.') } else { text }
    }
    let magnitude = value.abs();
    let text = if !value.is_finite() || magnitude == 0.0 || magnitude >= 1.0 {
        let rounded = (value * 100.0).round() / 100.0;
        if rounded.fract() == 0.0 { format!("{rounded:.0}") } else { trimmed(&format!("{rounded:.2}")).to_owned() }
    } else if magnitude < 1e-6 {
        let scientific = format!("{value:.2e}");
        match scientific.split_once('e') {
            Some((mantissa, exponent)) => format!("{}e{exponent}", trimmed(mantissa)),
            None => scientific,
        }
    } else {
        // Three significant digits: 2 decimals at 0.1 or more, 3 at 0.01 or more, ... 8 at most.
        // The place of the first significant decimal: 1 for 0.5, 3 for 0.004.
        let first_digit = -magnitude.log10().floor();
        let decimals = if first_digit.is_finite() { (first_digit as usize).clamp(1, 6) + 2 } else { 2 };
        trimmed(&format!("{value:.decimals$}")).to_owned()
    };
    if text == "-0" { "0".to_owned() } else { text }
}

/// Checks that `value` is a finite number in `min..=max`.
fn bounded(field: &str, value: f64, min: f64, max: f64, noun: &str) -> Result<f64, FieldError> {
    if value.is_finite() && value >= min && value <= max {
        return Ok(value);
    }
    let range = format!("from {} to {}", format_number(min), format_number(max));
    Err(FieldError::new(field, "out_of_range", format!("must be {noun} {range}")))
}

// ---------------------------------------------------------------------------------------------
// RICE

/// RICE impact on Intercom's scale: 3 massive, 2 high, 1 medium, 0.5 low, 0.25 minimal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RiceImpact {
    Minimal,
    Low,
    Medium,
    High,
    Massive,
}

impl RiceImpact {
    pub const ALL: [RiceImpact; 5] =
        [RiceImpact::Minimal, RiceImpact::Low, RiceImpact::Medium, RiceImpact::High, RiceImpact::Massive];

    /// Accepts exactly one of 0.25, 0.5, 1, 2, 3.
    pub fn parse(field: &str, value: f64) -> Result<RiceImpact, FieldError> {
        RiceImpact::ALL
            .into_iter()
            .find(|impact| impact.value() == value)
            .ok_or_else(|| FieldError::new(field, "not_on_scale", "must be one of 0.25, 0.5, 1, 2, 3"))
    }

    pub fn value(self) -> f64 {
        match self {
            RiceImpact::Minimal => 0.25,
            RiceImpact::Low => 0.5,
            RiceImpact::Medium => 1.0,
            RiceImpact::High => 2.0,
            RiceImpact::Massive => 3.0,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RiceImpact::Minimal => "minimal",
            RiceImpact::Low => "low",
            RiceImpact::Medium => "medium",
            RiceImpact::High => "high",
            RiceImpact::Massive => "massive",
        }
    }
}

/// What a caller supplies for a RICE score.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RiceInput {
    /// People or events per period (say, customers per quarter); 0 or more.
    pub reach: f64,
    /// On the [`RiceImpact`] scale.
    pub impact: f64,
    /// A percentage, 0 to 100.
    pub confidence: f64,
    /// Person-months, from [`Rice::MIN_EFFORT`] (0.001) to [`Rice::MAX_EFFORT`].
    pub effort: f64,
}

/// A validated RICE estimate: score = reach × impact × confidence / effort.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rice {
    reach: f64,
    impact: RiceImpact,
    confidence_percent: f64,
    effort_person_months: f64,
}

impl Rice {
    /// A billion a period: more than any real reach, small enough that scores stay exact-ish.
    pub const MAX_REACH: f64 = 1e9;
    /// A thousand person-months: more than any single backlog item.
    pub const MAX_EFFORT: f64 = 1_000.0;
    /// A thousandth of a person-month (about ten minutes of work): the least effort, so that the
    /// score, divided by it, stays finite (at most 3e12) however small the typed effort.
    pub const MIN_EFFORT: f64 = 0.001;

    /// Collects every bad field: `reach`, `impact`, `confidence`, `effort`.
    pub fn new(input: &RiceInput) -> Result<Rice, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let reach = errors.check(bounded("reach", input.reach, 0.0, Self::MAX_REACH, "a number"));
        let impact = errors.check(RiceImpact::parse("impact", input.impact));
        let confidence = errors.check(bounded("confidence", input.confidence, 0.0, 100.0, "a percentage"));
        let effort = errors.check(bounded(
            "effort",
            input.effort,
            Self::MIN_EFFORT,
            Self::MAX_EFFORT,
            "a number of person-months",
        ));
        match (reach, impact, confidence, effort) {
            (Some(reach), Some(impact), Some(confidence_percent), Some(effort_person_months)) => {
                Ok(Rice { reach, impact, confidence_percent, effort_person_months })
            }
            _ => Err(errors),
        }
    }

    pub fn reach(&self) -> f64 {
        self.reach
    }

    pub fn impact(&self) -> RiceImpact {
        self.impact
    }

    pub fn confidence_percent(&self) -> f64 {
        self.confidence_percent
    }

    pub fn effort_person_months(&self) -> f64 {
        self.effort_person_months
    }

    pub fn score(&self) -> f64 {
        self.reach * self.impact.value() * (self.confidence_percent / 100.0) / self.effort_person_months
    }

    /// `RICE = 2000 × 2 × 80 % / 4 = 800`.
    pub fn explain(&self) -> String {
        format!(
            "RICE = {} × {} × {} % / {} = {}",
            format_number(self.reach),
            format_number(self.impact.value()),
            format_number(self.confidence_percent),
            format_number(self.effort_person_months),
            format_number(self.score())
        )
    }
}

// ---------------------------------------------------------------------------------------------
// WSJF

/// A point on SAFe's modified Fibonacci scale: 1, 2, 3, 5, 8, 13, 20.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FibonacciPoints(u8);

impl FibonacciPoints {
    pub const SCALE: [u8; 7] = [1, 2, 3, 5, 8, 13, 20];

    pub fn parse(field: &str, value: i64) -> Result<FibonacciPoints, FieldError> {
        FibonacciPoints::SCALE
            .into_iter()
            .find(|point| i64::from(*point) == value)
            .map(FibonacciPoints)
            .ok_or_else(|| FieldError::new(field, "not_on_scale", "must be one of 1, 2, 3, 5, 8, 13, 20"))
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

/// What a caller supplies for a WSJF score; every number on the [`FibonacciPoints`] scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WsjfInput {
    pub business_value: i64,
    pub time_criticality: i64,
    /// Risk reduction and/or opportunity enablement.
    pub risk_reduction: i64,
    pub job_size: i64,
}

/// A validated WSJF estimate: cost of delay (business value + time criticality + risk
/// reduction/opportunity enablement) divided by job size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Wsjf {
    business_value: FibonacciPoints,
    time_criticality: FibonacciPoints,
    risk_reduction: FibonacciPoints,
    job_size: FibonacciPoints,
}

impl Wsjf {
    /// Collects every bad field: `business_value`, `time_criticality`, `risk_reduction`, `job_size`.
    pub fn new(input: &WsjfInput) -> Result<Wsjf, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let business_value = errors.check(FibonacciPoints::parse("business_value", input.business_value));
        let time_criticality = errors.check(FibonacciPoints::parse("time_criticality", input.time_criticality));
        let risk_reduction = errors.check(FibonacciPoints::parse("risk_reduction", input.risk_reduction));
        let job_size = errors.check(FibonacciPoints::parse("job_size", input.job_size));
        match (business_value, time_criticality, risk_reduction, job_size) {
            (Some(business_value), Some(time_criticality), Some(risk_reduction), Some(job_size)) => {
                Ok(Wsjf { business_value, time_criticality, risk_reduction, job_size })
            }
            _ => Err(errors),
        }
    }

    pub fn business_value(&self) -> FibonacciPoints {
        self.business_value
    }

    pub fn time_criticality(&self) -> FibonacciPoints {
        self.time_criticality
    }

    pub fn risk_reduction(&self) -> FibonacciPoints {
        self.risk_reduction
    }

    pub fn job_size(&self) -> FibonacciPoints {
        self.job_size
    }

    pub fn cost_of_delay(&self) -> u32 {
        u32::from(self.business_value.0) + u32::from(self.time_criticality.0) + u32::from(self.risk_reduction.0)
    }

    pub fn score(&self) -> f64 {
        f64::from(self.cost_of_delay()) / f64::from(self.job_size.0)
    }

    /// `WSJF = (8 + 5 + 3) / 5 = 16 / 5 = 3.2`.
    pub fn explain(&self) -> String {
        format!(
            "WSJF = ({} + {} + {}) / {} = {} / {} = {}",
            self.business_value.0,
            self.time_criticality.0,
            self.risk_reduction.0,
            self.job_size.0,
            self.cost_of_delay(),
            self.job_size.0,
            format_number(self.score())
        )
    }
}

// ---------------------------------------------------------------------------------------------
// CD3

/// What a caller supplies for a CD3 score.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Cd3Input {
    /// Money lost per week the item is not delivered, in whole currency units; 0 or more.
    pub cost_of_delay_per_week: i64,
    /// Weeks of work, from [`Cd3::MIN_DURATION_WEEKS`] (0.001) to [`Cd3::MAX_DURATION_WEEKS`].
    pub duration_weeks: f64,
}

/// A validated CD3 estimate (Cost of Delay Divided by Duration): cost of delay per week / weeks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cd3 {
    cost_of_delay_per_week: Money,
    duration_weeks: f64,
}

impl Cd3 {
    /// Ten years: longer is not a backlog item.
    pub const MAX_DURATION_WEEKS: f64 = 520.0;
    /// A thousandth of a week: the least duration, so that the score, divided by it, stays
    /// finite (at most 1e18 with the largest cost of delay) however small the typed duration.
    pub const MIN_DURATION_WEEKS: f64 = 0.001;

    /// Collects every bad field: `cost_of_delay_per_week`, `duration_weeks`.
    pub fn new(input: &Cd3Input) -> Result<Cd3, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let cost = errors.check(Money::parse("cost_of_delay_per_week", input.cost_of_delay_per_week));
        let duration = errors.check(bounded(
            "duration_weeks",
            input.duration_weeks,
            Self::MIN_DURATION_WEEKS,
            Self::MAX_DURATION_WEEKS,
            "a number of weeks",
        ));
        match (cost, duration) {
            (Some(cost_of_delay_per_week), Some(duration_weeks)) => Ok(Cd3 { cost_of_delay_per_week, duration_weeks }),
            _ => Err(errors),
        }
    }

    pub fn cost_of_delay_per_week(&self) -> Money {
        self.cost_of_delay_per_week
    }

    pub fn duration_weeks(&self) -> f64 {
        self.duration_weeks
    }

    pub fn score(&self) -> f64 {
        self.cost_of_delay_per_week.amount() as f64 / self.duration_weeks
    }

    /// `CD3 = 10000 per week / 4 weeks = 2500`.
    pub fn explain(&self) -> String {
        let unit = if self.duration_weeks == 1.0 { "week" } else { "weeks" };
        format!(
            "CD3 = {} per week / {} {unit} = {}",
            self.cost_of_delay_per_week.amount(),
            format_number(self.duration_weeks),
            format_number(self.score())
        )
    }
}

// ---------------------------------------------------------------------------------------------
// MoSCoW

/// MoSCoW classes, in priority order (`Must` first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Moscow {
    Must,
    Should,
    Could,
    Wont,
}

impl Moscow {
    pub const ALL: [Moscow; 4] = [Moscow::Must, Moscow::Should, Moscow::Could, Moscow::Wont];

    /// Accepts `must`, `should`, `could`, `wont` (also `won't`), any case, surrounding spaces.
    pub fn parse(field: &str, raw: &str) -> Result<Moscow, FieldError> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "must" => Ok(Moscow::Must),
            "should" => Ok(Moscow::Should),
            "could" => Ok(Moscow::Could),
            "wont" | "won't" => Ok(Moscow::Wont),
            _ => Err(FieldError::new(field, "invalid", "must be one of must, should, could, wont")),
        }
    }

    /// The stable machine name: `must`, `should`, `could`, `wont`.
    pub fn as_str(self) -> &'static str {
        match self {
            Moscow::Must => "must",
            Moscow::Should => "should",
            Moscow::Could => "could",
            Moscow::Wont => "wont",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Moscow::Must => "Must have",
            Moscow::Should => "Should have",
            Moscow::Could => "Could have",
            Moscow::Wont => "Won't have (this time)",
        }
    }

    /// For ranking: Must 3, Should 2, Could 1, Won't 0.
    pub fn score(self) -> f64 {
        match self {
            Moscow::Must => 3.0,
            Moscow::Should => 2.0,
            Moscow::Could => 1.0,
            Moscow::Wont => 0.0,
        }
    }

    /// `MoSCoW = Must have`.
    pub fn explain(self) -> String {
        format!("MoSCoW = {}", self.label())
    }
}

impl fmt::Display for Moscow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// ---------------------------------------------------------------------------------------------
// Impact-effort matrix

/// The four quadrants of the impact-effort matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Quadrant {
    /// High impact, low effort: do first.
    QuickWin,
    /// High impact, high effort: plan.
    MajorProject,
    /// Low impact, low effort: when there is slack.
    FillIn,
    /// Low impact, high effort: avoid.
    ThanklessTask,
}

impl Quadrant {
    pub const ALL: [Quadrant; 4] =
        [Quadrant::QuickWin, Quadrant::MajorProject, Quadrant::FillIn, Quadrant::ThanklessTask];

    /// `quick_win`, `major_project`, `fill_in`, `thankless_task`.
    pub fn as_str(self) -> &'static str {
        match self {
            Quadrant::QuickWin => "quick_win",
            Quadrant::MajorProject => "major_project",
            Quadrant::FillIn => "fill_in",
            Quadrant::ThanklessTask => "thankless_task",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Quadrant::QuickWin => "quick win",
            Quadrant::MajorProject => "major project",
            Quadrant::FillIn => "fill-in",
            Quadrant::ThanklessTask => "thankless task",
        }
    }
}

/// Impact and effort, each rated 1 to 10.
///
/// Thresholds: the scale splits at its midpoint 5.5, so 6 to 10 is *high* and 1 to 5 is *low*,
/// for impact and effort alike ([`ImpactEffort::HIGH_FROM`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ImpactEffort {
    impact: u8,
    effort: u8,
}

impl ImpactEffort {
    /// The lowest rating that counts as high.
    pub const HIGH_FROM: u8 = 6;

    /// Collects every bad field: `impact`, `effort`.
    pub fn new(impact: i64, effort: i64) -> Result<ImpactEffort, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let rating = |field: &str, value: i64| {
            u8::try_from(value)
                .ok()
                .filter(|v| (1..=10).contains(v))
                .ok_or_else(|| FieldError::new(field, "out_of_range", "must be a whole number from 1 to 10"))
        };
        let impact = errors.check(rating("impact", impact));
        let effort = errors.check(rating("effort", effort));
        match (impact, effort) {
            (Some(impact), Some(effort)) => Ok(ImpactEffort { impact, effort }),
            _ => Err(errors),
        }
    }

    pub fn impact(&self) -> u8 {
        self.impact
    }

    pub fn effort(&self) -> u8 {
        self.effort
    }

    pub fn quadrant(&self) -> Quadrant {
        match (self.impact >= Self::HIGH_FROM, self.effort >= Self::HIGH_FROM) {
            (true, false) => Quadrant::QuickWin,
            (true, true) => Quadrant::MajorProject,
            (false, false) => Quadrant::FillIn,
            (false, true) => Quadrant::ThanklessTask,
        }
    }

    /// For ranking: impact per unit of effort.
    pub fn score(&self) -> f64 {
        f64::from(self.impact) / f64::from(self.effort)
    }

    /// `Impact 8, effort 3: quick win (high impact, low effort; 6 to 10 is high)`.
    pub fn explain(&self) -> String {
        let level = |value: u8| if value >= Self::HIGH_FROM { "high" } else { "low" };
        format!(
            "Impact {}, effort {}: {} ({} impact, {} effort; {} to 10 is high)",
            self.impact,
            self.effort,
            self.quadrant().label(),
            level(self.impact),
            level(self.effort),
            Self::HIGH_FROM
        )
    }
}

/// Items placed in the four quadrants; within a quadrant, highest impact first, then lowest
/// effort, then key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImpactEffortMatrix<K> {
    pub quick_wins: Vec<K>,
    pub major_projects: Vec<K>,
    pub fill_ins: Vec<K>,
    pub thankless_tasks: Vec<K>,
}

impl<K> ImpactEffortMatrix<K> {
    pub fn quadrant(&self, quadrant: Quadrant) -> &[K] {
        match quadrant {
            Quadrant::QuickWin => &self.quick_wins,
            Quadrant::MajorProject => &self.major_projects,
            Quadrant::FillIn => &self.fill_ins,
            Quadrant::ThanklessTask => &self.thankless_tasks,
        }
    }
}

pub fn impact_effort_matrix<K: Ord + Clone>(items: &[(K, ImpactEffort)]) -> ImpactEffortMatrix<K> {
    let mut sorted: Vec<&(K, ImpactEffort)> = items.iter().collect();
    sorted.sort_by(|(ka, a), (kb, b)| b.impact.cmp(&a.impact).then(a.effort.cmp(&b.effort)).then(ka.cmp(kb)));
    let mut matrix = ImpactEffortMatrix {
        quick_wins: Vec::new(),
        major_projects: Vec::new(),
        fill_ins: Vec::new(),
        thankless_tasks: Vec::new(),
    };
    for (key, rating) in sorted {
        let target = match rating.quadrant() {
            Quadrant::QuickWin => &mut matrix.quick_wins,
            Quadrant::MajorProject => &mut matrix.major_projects,
            Quadrant::FillIn => &mut matrix.fill_ins,
            Quadrant::ThanklessTask => &mut matrix.thankless_tasks,
        };
        target.push(key.clone());
    }
    matrix
}

// ---------------------------------------------------------------------------------------------
// Side-by-side rankings

/// The frameworks [`compare_rankings`] ranks by, in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Framework {
    Rice,
    Wsjf,
    Cd3,
    Moscow,
    ImpactEffort,
}

impl Framework {
    pub const ALL: [Framework; 5] =
        [Framework::Rice, Framework::Wsjf, Framework::Cd3, Framework::Moscow, Framework::ImpactEffort];

    /// `rice`, `wsjf`, `cd3`, `moscow`, `impact_effort`.
    pub fn as_str(self) -> &'static str {
        match self {
            Framework::Rice => "rice",
            Framework::Wsjf => "wsjf",
            Framework::Cd3 => "cd3",
            Framework::Moscow => "moscow",
            Framework::ImpactEffort => "impact_effort",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Framework::Rice => "RICE",
            Framework::Wsjf => "WSJF",
            Framework::Cd3 => "CD3",
            Framework::Moscow => "MoSCoW",
            Framework::ImpactEffort => "Impact/effort",
        }
    }
}

/// One backlog item's estimates; a framework the item has no estimate for is left out of that
/// framework's ranking.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FrameworkScores {
    pub rice: Option<Rice>,
    pub wsjf: Option<Wsjf>,
    pub cd3: Option<Cd3>,
    pub moscow: Option<Moscow>,
    pub impact_effort: Option<ImpactEffort>,
}

impl FrameworkScores {
    /// The number ranked by (higher first): the framework's score; MoSCoW Must 3 ... Won't 0;
    /// impact-effort impact / effort.
    pub fn score(&self, framework: Framework) -> Option<f64> {
        match framework {
            Framework::Rice => self.rice.map(|r| r.score()),
            Framework::Wsjf => self.wsjf.map(|w| w.score()),
            Framework::Cd3 => self.cd3.map(|c| c.score()),
            Framework::Moscow => self.moscow.map(Moscow::score),
            Framework::ImpactEffort => self.impact_effort.map(|i| i.score()),
        }
    }

    pub fn explain(&self, framework: Framework) -> Option<String> {
        match framework {
            Framework::Rice => self.rice.map(|r| r.explain()),
            Framework::Wsjf => self.wsjf.map(|w| w.explain()),
            Framework::Cd3 => self.cd3.map(|c| c.explain()),
            Framework::Moscow => self.moscow.map(Moscow::explain),
            Framework::ImpactEffort => self.impact_effort.map(|i| i.explain()),
        }
    }
}

/// One item's place in the side-by-side view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRanks<K> {
    pub key: K,
    /// 1-based rank under each framework the item has an estimate for.
    pub ranks: BTreeMap<Framework, usize>,
    /// Highest rank minus lowest rank over its frameworks (0 with fewer than two).
    pub spread: usize,
    /// `spread` is above the comparison's threshold.
    pub disagreement: bool,
}

/// The backlog ranked by each framework, side by side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankingComparison<K> {
    /// Per framework (in [`Framework::ALL`] order), the keys best first; frameworks no item has
    /// an estimate for are left out.
    pub orders: Vec<(Framework, Vec<K>)>,
    /// Per item, in input order.
    pub items: Vec<ItemRanks<K>>,
    pub disagreement_threshold: usize,
}

impl<K> RankingComparison<K> {
    /// The items the frameworks disagree on, in input order.
    pub fn disagreements(&self) -> impl Iterator<Item = &ItemRanks<K>> {
        self.items.iter().filter(|item| item.disagreement)
    }
}

/// A spread of more than two places is worth a conversation.
pub const DEFAULT_DISAGREEMENT_THRESHOLD: usize = 2;

/// Ranks `items` by every framework: higher score first, equal scores by key ascending (then by
/// input position, for repeated keys), ranks 1, 2, 3, ... without gaps. An item disagrees when
/// its spread (max rank - min rank) is above `disagreement_threshold`.
pub fn compare_rankings<K: Ord + Clone>(
    items: &[(K, FrameworkScores)],
    disagreement_threshold: usize,
) -> RankingComparison<K> {
    let mut ranks: Vec<BTreeMap<Framework, usize>> = vec![BTreeMap::new(); items.len()];
    let mut orders = Vec::new();
    for framework in Framework::ALL {
        let mut scored: Vec<(usize, f64)> =
            items.iter().enumerate().filter_map(|(i, (_, scores))| scores.score(framework).map(|s| (i, s))).collect();
        if scored.is_empty() {
            continue;
        }
        // total_cmp: scores are finite by construction, and this never panics regardless.
        scored.sort_by(|(ia, sa), (ib, sb)| {
            sb.total_cmp(sa).then_with(|| items[*ia].0.cmp(&items[*ib].0)).then(ia.cmp(ib))
        });
        for (position, (index, _)) in scored.iter().enumerate() {
            ranks[*index].insert(framework, position + 1);
        }
        orders.push((framework, scored.iter().map(|(i, _)| items[*i].0.clone()).collect()));
    }
    let items = items
        .iter()
        .zip(ranks)
        .map(|((key, _), ranks)| {
            let spread = match (ranks.values().min(), ranks.values().max()) {
                (Some(min), Some(max)) => max - min,
                _ => 0,
            };
            ItemRanks { key: key.clone(), ranks, spread, disagreement: spread > disagreement_threshold }
        })
        .collect();
    RankingComparison { orders, items, disagreement_threshold }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rice(reach: f64, impact: f64, confidence: f64, effort: f64) -> Rice {
        Rice::new(&RiceInput { reach, impact, confidence, effort }).unwrap()
    }

    fn wsjf(business_value: i64, time_criticality: i64, risk_reduction: i64, job_size: i64) -> Wsjf {
        Wsjf::new(&WsjfInput { business_value, time_criticality, risk_reduction, job_size }).unwrap()
    }

    fn cd3(cost_of_delay_per_week: i64, duration_weeks: f64) -> Cd3 {
        Cd3::new(&Cd3Input { cost_of_delay_per_week, duration_weeks }).unwrap()
    }

    fn fields(errors: &ValidationErrors) -> Vec<(&str, &str, &str)> {
        errors.errors().iter().map(|e| (e.field.as_str(), e.code, e.message.as_str())).collect()
    }

    #[test]
    fn rice_scores_and_explains() {
        let r = rice(2000.0, 2.0, 80.0, 4.0);
        assert_eq!(r.score(), 800.0);
        assert_eq!(r.explain(), "RICE = 2000 × 2 × 80 % / 4 = 800");
        let r = rice(500.0, 0.25, 50.0, 1.5);
        assert_eq!(r.score(), 500.0 * 0.25 * 0.5 / 1.5);
        assert_eq!(r.explain(), "RICE = 500 × 0.25 × 50 % / 1.5 = 41.67");
        assert_eq!(rice(0.0, 3.0, 0.0, 0.5).explain(), "RICE = 0 × 3 × 0 % / 0.5 = 0");
        assert_eq!(rice(1000.0, 1.0, 100.0, 3.0).explain(), "RICE = 1000 × 1 × 100 % / 3 = 333.33");
    }

    #[test]
    fn formulas_never_show_a_small_divisor_as_zero() {
        let r = rice(500.0, 0.25, 33.3, 0.004);
        assert_eq!(r.explain(), "RICE = 500 × 0.25 × 33.3 % / 0.004 = 10406.25");
        assert_eq!(rice(100.0, 1.0, 50.0, 0.015).explain(), "RICE = 100 × 1 × 50 % / 0.015 = 3333.33");
        assert_eq!(rice(10.0, 1.0, 100.0, 0.0125).explain(), "RICE = 10 × 1 × 100 % / 0.0125 = 800");
        assert_eq!(rice(1.0, 0.25, 1.0, 1000.0).explain(), "RICE = 1 × 0.25 × 1 % / 1000 = 0.0000025");
        assert_eq!(rice(1.0, 0.25, 0.1, 1000.0).explain(), "RICE = 1 × 0.25 × 0.1 % / 1000 = 2.5e-7");
        assert_eq!(rice(3.0, 1.0, 100.0, 0.3).explain(), "RICE = 3 × 1 × 100 % / 0.3 = 10");
        assert_eq!(cd3(1_000, 0.004).explain(), "CD3 = 1000 per week / 0.004 weeks = 250000");
        assert_eq!(cd3(1_000, 0.125).explain(), "CD3 = 1000 per week / 0.125 weeks = 8000");
        assert_eq!(cd3(100, 0.0123).explain(), "CD3 = 100 per week / 0.0123 weeks = 8130.08");
        assert_eq!(cd3(7, 3.0).explain(), "CD3 = 7 per week / 3 weeks = 2.33");
        assert_eq!(cd3(1, 3.0).explain(), "CD3 = 1 per week / 3 weeks = 0.333");
        assert_eq!(format_number(0.000001), "0.000001");
        assert_eq!(format_number(-0.004), "-0.004");
        assert_eq!(format_number(0.9996), "1");
        assert_eq!(format_number(-0.0), "0");
    }

    #[test]
    fn rice_rejects_bad_fields_naming_each() {
        let err = Rice::new(&RiceInput { reach: -1.0, impact: 1.5, confidence: 120.0, effort: 0.0 }).unwrap_err();
        assert_eq!(
            fields(&err),
            vec![
                ("reach", "out_of_range", "must be a number from 0 to 1000000000"),
                ("impact", "not_on_scale", "must be one of 0.25, 0.5, 1, 2, 3"),
                ("confidence", "out_of_range", "must be a percentage from 0 to 100"),
                // Was "greater than 0 and at most 1000": effort now has a least value above 0.
                ("effort", "out_of_range", "must be a number of person-months from 0.001 to 1000"),
            ]
        );
        let err = Rice::new(&RiceInput { reach: 10.0, impact: 1.0, confidence: 100.5, effort: -2.0 }).unwrap_err();
        assert_eq!(err.errors().iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), vec!["confidence", "effort"]);
        let err = Rice::new(&RiceInput { reach: f64::NAN, impact: 1.0, confidence: 50.0, effort: 1.0 }).unwrap_err();
        assert_eq!(err.errors()[0].field, "reach");
        assert!(Rice::new(&RiceInput { reach: 10.0, impact: 1.0, confidence: 100.0, effort: 0.01 }).is_ok());
    }

    #[test]
    fn scores_print_apart_with_three_significant_digits_below_one() {
        let cases = [
            (0.0, "0"),
            (0.004123, "0.00412"),
            (0.5, "0.5"),
            (1.234, "1.23"),
            (12.5, "12.5"),
            (1234.5678, "1234.57"),
            (-0.004123, "-0.00412"),
            (-1234.5678, "-1234.57"),
            // The largest scores (see the module doc) keep every digit, no separators, as before.
            (3e12, "3000000000000"),
            (1e18, "1000000000000000000"),
            (0.0000025, "0.0000025"),
            (2.5e-7, "2.5e-7"),
        ];
        for (value, expected) in cases {
            assert_eq!(format_number(value), expected, "{value}");
        }
    }

    #[test]
    fn effort_and_duration_have_a_least_value_so_no_score_is_infinite() {
        let effort = |effort| Rice::new(&RiceInput { reach: 1e9, impact: 3.0, confidence: 100.0, effort });
        for tiny in [1e-300, f64::MIN_POSITIVE, 0.0001, 0.000999, 0.0, -0.0] {
            let err = effort(tiny).unwrap_err();
            assert_eq!(
                fields(&err),
                vec![("effort", "out_of_range", "must be a number of person-months from 0.001 to 1000")],
                "{tiny}"
            );
        }
        let duration = |duration_weeks| Cd3::new(&Cd3Input { cost_of_delay_per_week: Money::MAX, duration_weeks });
        for tiny in [1e-300, 0.0001, 0.000999] {
            let err = duration(tiny).unwrap_err();
            assert_eq!(
                fields(&err),
                vec![("duration_weeks", "out_of_range", "must be a number of weeks from 0.001 to 520")],
                "{tiny}"
            );
        }

        // The extremes every bound allows: the largest score of each framework is finite.
        let rice = effort(Rice::MIN_EFFORT).unwrap();
        assert!(rice.score().is_finite(), "{}", rice.score());
        assert!((rice.score() - 3e12).abs() < 1.0, "{}", rice.score());
        assert_eq!(rice.explain(), "RICE = 1000000000 × 3 × 100 % / 0.001 = 3000000000000");
        let largest = duration(Cd3::MIN_DURATION_WEEKS).unwrap();
        assert!(largest.score().is_finite(), "{}", largest.score());
        assert!((largest.score() / 1e18 - 1.0).abs() < 1e-12, "{}", largest.score());
        assert_eq!(largest.explain(), "CD3 = 1000000000000000 per week / 0.001 weeks = 1000000000000000000");
        // WSJF divides by a point of its scale, at least 1: 0 is not on it.
        assert_eq!(wsjf(20, 20, 20, 1).score(), 60.0);
        let err = Wsjf::new(&WsjfInput { business_value: 20, time_criticality: 20, risk_reduction: 20, job_size: 0 })
            .unwrap_err();
        assert_eq!(fields(&err), vec![("job_size", "not_on_scale", "must be one of 1, 2, 3, 5, 8, 13, 20")]);
        // And the smallest: no reach, or the least of everything, is 0 or tiny but finite.
        let least = Rice::new(&RiceInput { reach: 0.0, impact: 0.25, confidence: 0.0, effort: Rice::MAX_EFFORT });
        assert_eq!(least.map(|r| r.score()).ok(), Some(0.0));
        let least = cd3(0, Cd3::MAX_DURATION_WEEKS);
        assert_eq!(least.score(), 0.0);
    }

    #[test]
    fn wsjf_uses_the_modified_fibonacci_scale() {
        let w = wsjf(8, 5, 3, 5);
        assert_eq!(w.cost_of_delay(), 16);
        assert_eq!(w.score(), 3.2);
        assert_eq!(w.explain(), "WSJF = (8 + 5 + 3) / 5 = 16 / 5 = 3.2");
        assert_eq!(wsjf(20, 20, 20, 1).explain(), "WSJF = (20 + 20 + 20) / 1 = 60 / 1 = 60");
        assert_eq!(wsjf(1, 1, 2, 3).explain(), "WSJF = (1 + 1 + 2) / 3 = 4 / 3 = 1.33");

        let err = Wsjf::new(&WsjfInput { business_value: 4, time_criticality: 21, risk_reduction: 0, job_size: -1 })
            .unwrap_err();
        let expected = "must be one of 1, 2, 3, 5, 8, 13, 20";
        assert_eq!(
            fields(&err),
            vec![
                ("business_value", "not_on_scale", expected),
                ("time_criticality", "not_on_scale", expected),
                ("risk_reduction", "not_on_scale", expected),
                ("job_size", "not_on_scale", expected),
            ]
        );
    }

    #[test]
    fn cd3_divides_weekly_cost_of_delay_by_duration() {
        let c = cd3(10_000, 4.0);
        assert_eq!(c.score(), 2500.0);
        assert_eq!(c.explain(), "CD3 = 10000 per week / 4 weeks = 2500");
        assert_eq!(cd3(3_000, 1.0).explain(), "CD3 = 3000 per week / 1 week = 3000");
        assert_eq!(cd3(1_000, 0.5).explain(), "CD3 = 1000 per week / 0.5 weeks = 2000");

        let err = Cd3::new(&Cd3Input { cost_of_delay_per_week: -5, duration_weeks: 0.0 }).unwrap_err();
        assert_eq!(
            fields(&err),
            vec![
                ("cost_of_delay_per_week", "negative", "must not be negative"),
                // Was "greater than 0 and at most 520": duration now has a least value above 0.
                ("duration_weeks", "out_of_range", "must be a number of weeks from 0.001 to 520"),
            ]
        );
    }

    #[test]
    fn moscow_parses_its_four_classes() {
        assert_eq!(Moscow::parse("moscow", " Must ").unwrap(), Moscow::Must);
        assert_eq!(Moscow::parse("moscow", "won't").unwrap(), Moscow::Wont);
        assert_eq!(Moscow::ALL.map(Moscow::as_str), ["must", "should", "could", "wont"]);
        let err = Moscow::parse("moscow", "maybe").unwrap_err();
        assert_eq!((err.field.as_str(), err.code), ("moscow", "invalid"));
        assert_eq!(Moscow::Should.explain(), "MoSCoW = Should have");
        assert!(Moscow::Must < Moscow::Wont);
    }

    #[test]
    fn impact_effort_places_items_in_quadrants_at_the_documented_thresholds() {
        let rating = |impact, effort| ImpactEffort::new(impact, effort).unwrap();
        assert_eq!(rating(6, 5).quadrant(), Quadrant::QuickWin);
        assert_eq!(rating(6, 6).quadrant(), Quadrant::MajorProject);
        assert_eq!(rating(5, 5).quadrant(), Quadrant::FillIn);
        assert_eq!(rating(5, 6).quadrant(), Quadrant::ThanklessTask);
        assert_eq!(rating(10, 1).quadrant(), Quadrant::QuickWin);
        assert_eq!(rating(1, 10).quadrant(), Quadrant::ThanklessTask);
        assert_eq!(rating(8, 3).explain(), "Impact 8, effort 3: quick win (high impact, low effort; 6 to 10 is high)");
        assert_eq!(
            rating(2, 9).explain(),
            "Impact 2, effort 9: thankless task (low impact, high effort; 6 to 10 is high)"
        );

        let err = ImpactEffort::new(0, 11).unwrap_err();
        assert_eq!(
            fields(&err),
            vec![
                ("impact", "out_of_range", "must be a whole number from 1 to 10"),
                ("effort", "out_of_range", "must be a whole number from 1 to 10"),
            ]
        );

        let matrix = impact_effort_matrix(&[
            ("a", rating(7, 2)),
            ("b", rating(9, 4)),
            ("c", rating(9, 2)),
            ("d", rating(3, 3)),
            ("e", rating(8, 8)),
            ("f", rating(2, 7)),
            ("g", rating(9, 2)),
        ]);
        assert_eq!(matrix.quick_wins, vec!["c", "g", "b", "a"]);
        assert_eq!(matrix.major_projects, vec!["e"]);
        assert_eq!(matrix.fill_ins, vec!["d"]);
        assert_eq!(matrix.quadrant(Quadrant::ThanklessTask), ["f"]);
    }

    #[test]
    fn compare_rankings_ranks_by_each_framework_and_flags_disagreement() {
        // RICE scores: A 800, B 100, C 400, D 800 (tie with A: key order), E none.
        // WSJF: A 1, B 10, C 3.2, D 2, E 13. CD3: A 100, B 5000, C 2500, D 50, E 400.
        let items = vec![
            (
                "A",
                FrameworkScores {
                    rice: Some(rice(2000.0, 2.0, 80.0, 4.0)),
                    wsjf: Some(wsjf(1, 1, 3, 5)),
                    cd3: Some(cd3(100, 1.0)),
                    moscow: Some(Moscow::Should),
                    impact_effort: None,
                },
            ),
            (
                "B",
                FrameworkScores {
                    rice: Some(rice(100.0, 1.0, 100.0, 1.0)),
                    wsjf: Some(wsjf(5, 3, 2, 1)),
                    cd3: Some(cd3(10_000, 2.0)),
                    moscow: Some(Moscow::Must),
                    impact_effort: None,
                },
            ),
            (
                "C",
                FrameworkScores {
                    rice: Some(rice(1000.0, 1.0, 80.0, 2.0)),
                    wsjf: Some(wsjf(8, 5, 3, 5)),
                    cd3: Some(cd3(10_000, 4.0)),
                    moscow: Some(Moscow::Must),
                    impact_effort: None,
                },
            ),
            (
                "D",
                FrameworkScores {
                    rice: Some(rice(4000.0, 1.0, 40.0, 2.0)),
                    wsjf: Some(wsjf(3, 2, 5, 5)),
                    cd3: Some(cd3(100, 2.0)),
                    moscow: Some(Moscow::Could),
                    impact_effort: None,
                },
            ),
            ("E", FrameworkScores { wsjf: Some(wsjf(5, 5, 3, 1)), cd3: Some(cd3(2_000, 5.0)), ..Default::default() }),
        ];
        assert_eq!(items[3].1.rice.unwrap().score(), 800.0);
        let comparison = compare_rankings(&items, 2);
        assert_eq!(
            comparison.orders,
            vec![
                (Framework::Rice, vec!["A", "D", "C", "B"]),
                (Framework::Wsjf, vec!["E", "B", "C", "D", "A"]),
                (Framework::Cd3, vec!["B", "C", "E", "A", "D"]),
                (Framework::Moscow, vec!["B", "C", "A", "D"]),
            ]
        );
        type Summary<'a> = (&'a str, Vec<(Framework, usize)>, usize, bool);
        let summary: Vec<Summary> = comparison
            .items
            .iter()
            .map(|i| (i.key, i.ranks.iter().map(|(f, r)| (*f, *r)).collect(), i.spread, i.disagreement))
            .collect();
        use Framework::{Cd3 as C, Moscow as M, Rice as R, Wsjf as W};
        assert_eq!(
            summary,
            vec![
                ("A", vec![(R, 1), (W, 5), (C, 4), (M, 3)], 4, true),
                ("B", vec![(R, 4), (W, 2), (C, 1), (M, 1)], 3, true),
                ("C", vec![(R, 3), (W, 3), (C, 2), (M, 2)], 1, false),
                ("D", vec![(R, 2), (W, 4), (C, 5), (M, 4)], 3, true),
                ("E", vec![(W, 1), (C, 3)], 2, false),
            ]
        );
        assert_eq!(comparison.disagreements().map(|i| i.key).collect::<Vec<_>>(), vec!["A", "B", "D"]);
        assert_eq!(compare_rankings(&items, 3).disagreements().map(|i| i.key).collect::<Vec<_>>(), vec!["A"]);
        assert_eq!(items[0].1.explain(Framework::Wsjf).unwrap(), "WSJF = (1 + 1 + 3) / 5 = 5 / 5 = 1");
    }

    #[test]
    fn compare_rankings_of_an_empty_backlog_is_empty() {
        let comparison = compare_rankings::<u32>(&[], DEFAULT_DISAGREEMENT_THRESHOLD);
        assert!(comparison.orders.is_empty());
        assert!(comparison.items.is_empty());
        let single = compare_rankings(&[(7u32, FrameworkScores::default())], 0);
        assert!(single.orders.is_empty());
        assert_eq!(single.items[0].spread, 0);
        assert!(!single.items[0].disagreement);
    }
}
