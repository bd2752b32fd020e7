//! Risks: uncertain events that would hurt a program if they happened, kept in the program's risk
//! register. A risk belongs to a program, or to one project of it (`project_id`); it says what
//! could happen (cause, effect, trigger), how likely it is, what it would cost in extra working
//! days on the work items it hits and in money, how the program responds, and what is being done.
//!
//! **Score.** `score = probability band x impact band`, each band 1 to 5, so 1 to 25:
//!
//! | band | probability (percent) | impact: most-likely extra working days |
//! |------|-----------------------|----------------------------------------|
//! | 1    | 0 to 10               | up to 2                                |
//! | 2    | 11 to 30              | more than 2, up to 5 (a week)          |
//! | 3    | 31 to 50              | more than 5, up to 10 (two weeks)      |
//! | 4    | 51 to 70              | more than 10, up to 20 (a month)       |
//! | 5    | 71 to 100             | more than 20                           |
//!
//! The impact band reads the schedule impact's most-likely value only: the register ranks the
//! typical outcome, and the forecast (which samples the whole three-point range) shows the tails.
//! A score's rating colours the heat map: low 1 to 4, medium 5 to 9, high 10 to 16, critical 20
//! and 25.
//!
//! **Forecast.** [`risk_events`] turns open and occurring risks into the engine's
//! [`RiskEvent`]s on the activities of a planned program.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use tandem_engine::{ActivityIdx, RiskEvent, ThreePoint};

use crate::access::Access;
use crate::dependency::NodeRef;
use crate::error::{DomainResult, FieldError, ValidationErrors};
use crate::ids::{ProgramId, ProjectId, RiskId, WorkItemId};
use crate::record::Record;
use crate::store::{PageRequest, RiskFilter};
use crate::values::{Estimate, LongText, Money, Name, check_date, optional_name};
use crate::work_item::WorkItem;

macro_rules! word_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }

            pub fn parse(field: &str, raw: &str) -> Result<$name, FieldError> {
                $name::ALL.iter().copied().find(|v| v.as_str() == raw.trim()).ok_or_else(|| {
                    let words: Vec<&str> = $name::ALL.iter().map(|v| v.as_str()).collect();
                    FieldError::new(field, "invalid", format!("must be one of {}", words.join(", ")))
                })
            }
        }
    };
}

word_enum!(
    /// What kind of trouble a risk is.
    RiskCategory {
        Schedule => "schedule",
        Cost => "cost",
        Scope => "scope",
        Quality => "quality",
        Resource => "resource",
        Technical => "technical",
        External => "external",
        Compliance => "compliance",
    }
);

word_enum!(
    /// How the program answers a risk (the PMBOK's strategies for threats).
    RiskResponse {
        Avoid => "avoid",
        Mitigate => "mitigate",
        Transfer => "transfer",
        Accept => "accept",
        Escalate => "escalate",
    }
);

word_enum!(
    /// Where a risk stands: it may still happen, it is happening, or it is over.
    RiskStatus {
        Open => "open",
        Occurring => "occurring",
        Closed => "closed",
    }
);

impl RiskStatus {
    /// Open and occurring risks are the live ones: the heat map and the forecast count them.
    pub fn is_active(self) -> bool {
        self != RiskStatus::Closed
    }
}

/// A chance in whole percent, 0 to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Probability(u8);

impl Probability {
    pub fn parse(field: &str, percent: i64) -> Result<Probability, FieldError> {
        u8::try_from(percent)
            .ok()
            .filter(|p| *p <= 100)
            .map(Probability)
            .ok_or_else(|| FieldError::new(field, "out_of_range", "must be a percentage between 0 and 100"))
    }

    pub fn percent(self) -> u8 {
        self.0
    }

    /// As a fraction in `0..=1`.
    pub fn fraction(self) -> f64 {
        f64::from(self.0) / 100.0
    }

    /// The probability band, 1 to 5 (see the module docs).
    pub fn band(self) -> u8 {
        let above = PROBABILITY_BAND_TOPS.iter().take_while(|top| self.0 > **top).count();
        // At most 4 thresholds are passed, so the band is 1 to 5.
        u8::try_from(above).map_or(5, |above| above + 1)
    }
}

/// The highest percentage of probability bands 1 to 4 (band 5 is everything above).
pub const PROBABILITY_BAND_TOPS: [u8; 4] = [10, 30, 50, 70];

/// The most most-likely extra working days of impact bands 1 to 4 (band 5 is everything above).
pub const IMPACT_BAND_TOPS: [f64; 4] = [2.0, 5.0, 10.0, 20.0];

/// The impact band, 1 to 5, of a most-likely schedule impact in working days (see the module docs).
pub fn impact_band(most_likely_days: f64) -> u8 {
    let above = IMPACT_BAND_TOPS.iter().take_while(|top| most_likely_days > **top).count();
    u8::try_from(above).map_or(5, |above| above + 1)
}

/// The bands in words, for axis labels: `0-10%`, ..., `71-100%`.
pub fn probability_band_label(band: u8) -> String {
    let i = usize::from(band.clamp(1, 5)) - 1;
    let from = if i == 0 { 0 } else { PROBABILITY_BAND_TOPS[i - 1] + 1 };
    let to = PROBABILITY_BAND_TOPS.get(i).copied().unwrap_or(100);
    format!("{from}-{to}%")
}

/// `up to 2 days`, `2-5 days`, ..., `over 20 days`.
pub fn impact_band_label(band: u8) -> String {
    let i = usize::from(band.clamp(1, 5)) - 1;
    match (i.checked_sub(1).map(|j| IMPACT_BAND_TOPS[j]), IMPACT_BAND_TOPS.get(i)) {
        (None, Some(top)) => format!("up to {top} days"),
        (Some(bottom), Some(top)) => format!("{bottom}-{top} days"),
        (Some(bottom), None) => format!("over {bottom} days"),
        (None, None) => String::new(),
    }
}

/// How bad a score is, for colours and words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RiskRating {
    Low,
    Medium,
    High,
    Critical,
}

impl RiskRating {
    pub fn of(score: u8) -> RiskRating {
        match score {
            0..=4 => RiskRating::Low,
            5..=9 => RiskRating::Medium,
            10..=16 => RiskRating::High,
            _ => RiskRating::Critical,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RiskRating::Low => "low",
            RiskRating::Medium => "medium",
            RiskRating::High => "high",
            RiskRating::Critical => "critical",
        }
    }
}

/// A risk's place on the 5 x 5 probability-impact grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RiskScore {
    /// 1 to 5.
    pub probability_band: u8,
    /// 1 to 5.
    pub impact_band: u8,
}

impl RiskScore {
    /// `probability_band x impact_band`, 1 to 25.
    pub fn value(self) -> u8 {
        self.probability_band * self.impact_band
    }

    pub fn rating(self) -> RiskRating {
        RiskRating::of(self.value())
    }

    /// The formula with its numbers, for people: `4 x 3 = 12`.
    pub fn formula(self) -> String {
        format!("{} x {} = {}", self.probability_band, self.impact_band, self.value())
    }
}

/// One action taken against a risk, unvalidated.
#[derive(Debug, Clone, PartialEq)]
pub struct MitigationInput {
    pub description: String,
    pub due_date: Option<NaiveDate>,
    pub done: bool,
}

/// One action taken against a risk: what, by when, and whether it is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mitigation {
    pub description: Name,
    pub due_date: NaiveDate,
    pub done: bool,
}

/// What a caller supplies for a risk.
#[derive(Debug, Clone)]
pub struct RiskInput {
    pub program_id: ProgramId,
    pub project_id: Option<ProjectId>,
    pub title: String,
    pub cause: String,
    pub effect: String,
    pub owner: Option<String>,
    pub category: RiskCategory,
    /// Percent, 0 to 100.
    pub probability: i64,
    /// Extra working days on each hit work item: optimistic, most likely, pessimistic.
    pub impact_optimistic: f64,
    pub impact_most_likely: f64,
    pub impact_pessimistic: f64,
    pub work_item_ids: Vec<WorkItemId>,
    /// In the program's currency.
    pub cost_impact: Option<i64>,
    pub response: RiskResponse,
    pub mitigations: Vec<MitigationInput>,
    pub trigger: String,
    pub status: RiskStatus,
}

/// A risk's validated fields. The store checks what needs other records: the program and project
/// exist, the project is in the program, and every hit work item exists in one of its projects.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskFields {
    pub program_id: ProgramId,
    /// `None`: a risk of the whole program.
    pub project_id: Option<ProjectId>,
    pub title: Name,
    pub cause: LongText,
    pub effect: LongText,
    /// Who watches the risk and acts on it.
    pub owner: Option<Name>,
    pub category: RiskCategory,
    pub probability: Probability,
    /// Extra working days added to each hit work item should the risk occur.
    pub schedule_impact: Estimate,
    /// The work items the schedule impact lands on, in the order given, without repeats.
    pub work_item_ids: Vec<WorkItemId>,
    pub cost_impact: Option<Money>,
    pub response: RiskResponse,
    /// In the order given.
    pub mitigations: Vec<Mitigation>,
    /// The warning sign that the risk is about to occur.
    pub trigger: LongText,
    pub status: RiskStatus,
}

impl RiskFields {
    /// At most this many work items per risk: a risk hitting more is a program-wide risk.
    pub const MAX_WORK_ITEMS: usize = 100;
    pub const MAX_MITIGATIONS: usize = 50;

    pub fn parse(input: RiskInput) -> Result<RiskFields, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let title = errors.check(Name::parse("title", &input.title));
        let cause = errors.check(LongText::parse("cause", &input.cause));
        let effect = errors.check(LongText::parse("effect", &input.effect));
        let owner = errors.check(optional_name("owner", input.owner.as_deref()));
        let probability = errors.check(Probability::parse("probability", input.probability));
        let schedule_impact = errors.check_all(Estimate::parse(
            "schedule_impact",
            input.impact_optimistic,
            input.impact_most_likely,
            input.impact_pessimistic,
        ));
        if input.work_item_ids.len() > Self::MAX_WORK_ITEMS {
            errors.add("work_item_ids", "too_long", format!("at most {} work items", Self::MAX_WORK_ITEMS));
        }
        let mut seen = HashSet::new();
        for (i, id) in input.work_item_ids.iter().enumerate() {
            if !seen.insert(*id) {
                errors.add(format!("work_item_ids[{i}]"), "duplicate", format!("work item {id} is listed twice"));
            }
        }
        let cost_impact = errors.check(input.cost_impact.map(|c| Money::parse("cost_impact", c)).transpose());
        if input.mitigations.len() > Self::MAX_MITIGATIONS {
            errors.add("mitigations", "too_long", format!("at most {} mitigation actions", Self::MAX_MITIGATIONS));
        }
        let mut mitigations = Vec::with_capacity(input.mitigations.len());
        for (i, action) in input.mitigations.into_iter().enumerate() {
            let description = errors.check(Name::parse(&format!("mitigations[{i}].description"), &action.description));
            let due_field = format!("mitigations[{i}].due_date");
            let due_date = match action.due_date {
                Some(date) => errors.check(check_date(&due_field, date)),
                None => {
                    errors.add(due_field, "required", "must not be blank");
                    None
                }
            };
            if let (Some(description), Some(due_date)) = (description, due_date) {
                mitigations.push(Mitigation { description, due_date, done: action.done });
            }
        }
        let trigger = errors.check(LongText::parse("trigger", &input.trigger));
        match (title, cause, effect, owner, probability, schedule_impact, cost_impact, trigger) {
            (
                Some(title),
                Some(cause),
                Some(effect),
                Some(owner),
                Some(probability),
                Some(schedule_impact),
                Some(cost_impact),
                Some(trigger),
            ) if errors.is_empty() => Ok(RiskFields {
                program_id: input.program_id,
                project_id: input.project_id,
                title,
                cause,
                effect,
                owner,
                category: input.category,
                probability,
                schedule_impact,
                work_item_ids: input.work_item_ids,
                cost_impact,
                response: input.response,
                mitigations,
                trigger,
                status: input.status,
            }),
            _ => Err(errors),
        }
    }

    pub fn score(&self) -> RiskScore {
        RiskScore {
            probability_band: self.probability.band(),
            impact_band: impact_band(self.schedule_impact.most_likely()),
        }
    }
}

pub type Risk = Record<RiskId, RiskFields>;

/// Orders a register as people read it: highest score first, then the likelier, then the larger
/// most-likely impact, then by title and id (so the order is total and stable).
pub fn rank_risks(risks: &mut [Risk]) {
    risks.sort_by(|a, b| {
        let (fa, fb) = (&a.fields, &b.fields);
        fb.score()
            .value()
            .cmp(&fa.score().value())
            .then(fb.probability.cmp(&fa.probability))
            .then(fb.schedule_impact.most_likely().total_cmp(&fa.schedule_impact.most_likely()))
            .then_with(|| fa.title.cmp(&fb.title))
            .then(a.id.cmp(&b.id))
    });
}

/// Which risks of a register to show: the live ones (open and occurring, the default), all of
/// them, or those of one status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatusChoice {
    #[default]
    Active,
    All,
    Only(RiskStatus),
}

impl StatusChoice {
    pub fn parse(field: &str, raw: &str) -> Result<StatusChoice, FieldError> {
        match raw.trim() {
            "" | "active" => Ok(StatusChoice::Active),
            "all" => Ok(StatusChoice::All),
            other => RiskStatus::parse(field, other)
                .map(StatusChoice::Only)
                .map_err(|_| FieldError::new(field, "invalid", "must be one of active, all, open, occurring, closed")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            StatusChoice::Active => "active",
            StatusChoice::All => "all",
            StatusChoice::Only(status) => status.as_str(),
        }
    }

    pub fn admits(self, status: RiskStatus) -> bool {
        match self {
            StatusChoice::Active => status.is_active(),
            StatusChoice::All => true,
            StatusChoice::Only(only) => only == status,
        }
    }
}

/// A program's risk register as `access`'s user may read it: the risks `status` and `category`
/// admit, ranked ([`rank_risks`]). `NotFound` when the user may not read the program.
pub async fn load_register(
    access: Access<'_>,
    program: ProgramId,
    status: StatusChoice,
    category: Option<RiskCategory>,
) -> DomainResult<Vec<Risk>> {
    access.get_program(program).await?;
    let filter = RiskFilter {
        program: Some(program),
        status: match status {
            StatusChoice::Only(only) => Some(only),
            StatusChoice::Active | StatusChoice::All => None,
        },
        category,
        ..RiskFilter::default()
    };
    let mut risks = Vec::new();
    let mut request = PageRequest::first(PageRequest::MAX_LIMIT);
    loop {
        let page = access.list_risks(&filter, &request).await?;
        risks.extend(page.items.into_iter().filter(|risk| status.admits(risk.fields.status)));
        match page.next_cursor {
            Some(cursor) => request.after = Some(cursor),
            None => break,
        }
    }
    rank_risks(&mut risks);
    Ok(risks)
}

/// How many risks lie in each cell of the 5 x 5 probability-impact grid.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RiskMatrix {
    /// `counts[probability_band - 1][impact_band - 1]`.
    counts: [[u32; 5]; 5],
}

impl RiskMatrix {
    /// Counts every risk given (the caller chooses which: the register counts the live ones).
    pub fn of<'a>(risks: impl IntoIterator<Item = &'a Risk>) -> RiskMatrix {
        let mut matrix = RiskMatrix::default();
        for risk in risks {
            let score = risk.fields.score();
            matrix.counts[usize::from(score.probability_band - 1)][usize::from(score.impact_band - 1)] += 1;
        }
        matrix
    }

    /// Risks in the cell of the two bands (1 to 5 each; 0 outside).
    pub fn count(&self, probability_band: u8, impact_band: u8) -> u32 {
        let (p, i) = (usize::from(probability_band), usize::from(impact_band));
        if (1..=5).contains(&p) && (1..=5).contains(&i) { self.counts[p - 1][i - 1] } else { 0 }
    }

    pub fn total(&self) -> u32 {
        self.counts.iter().flatten().sum()
    }
}

/// The forecast's view of a program's risks: one engine [`RiskEvent`] per live risk that hits at
/// least one planned activity.
///
/// - `activities`: the node of each engine activity, in activity order (the `node` of
///   [`crate::planning::PlannedProblem`]'s `entries`); position `k` is `ActivityIdx(k)`.
/// - `work_items`: the program's work items, to expand a hit summary item (one with children) to
///   its leaves, as the planner expands dependencies on summaries.
///
/// An open risk occurs with its probability, an occurring one with certainty (1); closed risks
/// are left out. The impact is the schedule impact's three points, added to every hit activity
/// when the risk occurs. Hit items without an activity (done, cancelled, or outside the plan) are
/// skipped; a risk left with no activity is left out. The event's key is the risk's id. Events
/// come in the order of `risks`, hits in activity order.
pub fn risk_events(risks: &[Risk], work_items: &[WorkItem], activities: &[NodeRef]) -> Vec<RiskEvent> {
    let activity_of: HashMap<NodeRef, u32> =
        activities.iter().enumerate().filter_map(|(k, node)| u32::try_from(k).ok().map(|k| (*node, k))).collect();
    let mut children: HashMap<WorkItemId, Vec<WorkItemId>> = HashMap::new();
    for item in work_items {
        if let Some(parent) = item.fields.parent_id {
            children.entry(parent).or_default().push(item.id);
        }
    }
    let mut events = Vec::new();
    for risk in risks {
        let fields = &risk.fields;
        let probability = match fields.status {
            RiskStatus::Open => fields.probability.fraction(),
            RiskStatus::Occurring => 1.0,
            RiskStatus::Closed => continue,
        };
        let mut hits = Vec::new();
        let mut seen = HashSet::new();
        let mut stack: Vec<WorkItemId> = fields.work_item_ids.iter().rev().copied().collect();
        while let Some(id) = stack.pop() {
            if !seen.insert(id) {
                continue;
            }
            match children.get(&id) {
                Some(kids) => stack.extend(kids.iter().copied()),
                None => {
                    if let Some(&k) = activity_of.get(&NodeRef::WorkItem(id)) {
                        hits.push(ActivityIdx(k));
                    }
                }
            }
        }
        if hits.is_empty() {
            continue;
        }
        hits.sort_unstable();
        let impact = &fields.schedule_impact;
        events.push(RiskEvent {
            key: risk.id.to_string(),
            probability,
            impact: ThreePoint::new(impact.optimistic(), impact.most_likely(), impact.pessimistic()),
            hits,
        });
    }
    events
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::record::Meta;
    use crate::work_item::{Placement, WorkItemFields, WorkItemInput, WorkItemKind, WorkItemStatus};

    fn input() -> RiskInput {
        RiskInput {
            program_id: ProgramId::generate(),
            project_id: None,
            title: "  Vendor API late ".into(),
            cause: "The card vendor has one integration team".into(),
            effect: "Card screens wait".into(),
            owner: Some("Ada".into()),
            category: RiskCategory::External,
            probability: 40,
            impact_optimistic: 2.0,
            impact_most_likely: 5.0,
            impact_pessimistic: 15.0,
            work_item_ids: vec![WorkItemId::generate()],
            cost_impact: Some(20_000),
            response: RiskResponse::Mitigate,
            mitigations: vec![MitigationInput {
                description: "Weekly call with the vendor".into(),
                due_date: NaiveDate::from_ymd_opt(2026, 3, 2),
                done: false,
            }],
            trigger: "No sandbox by March".into(),
            status: RiskStatus::Open,
        }
    }

    fn fields(errors: ValidationErrors) -> Vec<(String, &'static str)> {
        errors.errors().iter().map(|e| (e.field.clone(), e.code)).collect()
    }

    #[test]
    fn a_valid_risk_parses_trimmed_with_its_score() {
        let risk = RiskFields::parse(input()).unwrap();
        assert_eq!(risk.title.as_str(), "Vendor API late");
        assert_eq!(risk.probability.percent(), 40);
        assert_eq!(risk.mitigations.len(), 1);
        let score = risk.score();
        assert_eq!((score.probability_band, score.impact_band, score.value()), (3, 2, 6));
        assert_eq!(score.formula(), "3 x 2 = 6");
        assert_eq!(score.rating(), RiskRating::Medium);
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut bad = input();
        bad.title = " ".into();
        bad.probability = 101;
        bad.impact_optimistic = 6.0;
        bad.cost_impact = Some(-1);
        let repeated = bad.work_item_ids[0];
        bad.work_item_ids.push(repeated);
        bad.mitigations.push(MitigationInput { description: String::new(), due_date: None, done: true });
        let errors = RiskFields::parse(bad).unwrap_err();
        assert_eq!(
            fields(errors.clone()),
            vec![
                ("title".to_owned(), "required"),
                ("probability".to_owned(), "out_of_range"),
                ("schedule_impact.optimistic".to_owned(), "out_of_order"),
                ("work_item_ids[1]".to_owned(), "duplicate"),
                ("cost_impact".to_owned(), "negative"),
                ("mitigations[1].description".to_owned(), "required"),
                ("mitigations[1].due_date".to_owned(), "required"),
            ]
        );
        assert_eq!(errors.message_for("probability"), Some("must be a percentage between 0 and 100"));
        assert_eq!(
            errors.message_for("schedule_impact.optimistic"),
            Some("optimistic (6) must not exceed most likely (5)")
        );
        let mut negative = input();
        negative.probability = -1;
        negative.impact_pessimistic = f64::INFINITY;
        assert_eq!(
            fields(RiskFields::parse(negative).unwrap_err()),
            vec![
                ("probability".to_owned(), "out_of_range"),
                ("schedule_impact.pessimistic".to_owned(), "out_of_range")
            ]
        );
    }

    #[test]
    fn bands_follow_the_documented_thresholds() {
        let band = |p: i64| Probability::parse("probability", p).unwrap().band();
        assert_eq!([0, 10, 11, 30, 31, 50, 51, 70, 71, 100].map(band), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
        assert_eq!(
            [0.0, 2.0, 2.5, 5.0, 5.5, 10.0, 10.5, 20.0, 20.5, 400.0].map(impact_band),
            [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
        );
        assert_eq!(
            [1, 4, 5, 9, 10, 16, 20, 25].map(|s| RiskRating::of(s).as_str()),
            ["low", "low", "medium", "medium", "high", "high", "critical", "critical"]
        );
        assert_eq!(
            RiskStatus::parse("status", "pending").unwrap_err().message,
            "must be one of open, occurring, closed"
        );
        assert_eq!(RiskCategory::parse("category", " cost ").unwrap(), RiskCategory::Cost);
        assert_eq!([1, 2, 5].map(probability_band_label), ["0-10%", "11-30%", "71-100%"]);
        assert_eq!([1, 2, 5].map(impact_band_label), ["up to 2 days", "2-5 days", "over 20 days"]);
    }

    #[test]
    fn a_status_choice_admits_the_live_risks_by_default() {
        let admitted = |choice: StatusChoice| RiskStatus::ALL.iter().map(|s| choice.admits(*s)).collect::<Vec<_>>();
        assert_eq!(StatusChoice::parse("status", "").unwrap(), StatusChoice::Active);
        assert_eq!(admitted(StatusChoice::Active), [true, true, false]);
        assert_eq!(admitted(StatusChoice::All), [true, true, true]);
        let closed = StatusChoice::parse("status", "closed").unwrap();
        assert_eq!((admitted(closed), closed.as_str()), (vec![false, false, true], "closed"));
        assert_eq!(
            StatusChoice::parse("status", "gone").unwrap_err().message,
            "must be one of active, all, open, occurring, closed"
        );
    }

    fn stored(title: &str, probability: i64, most_likely: f64, status: RiskStatus, hits: Vec<WorkItemId>) -> Risk {
        let mut input = input();
        input.title = title.into();
        input.probability = probability;
        input.impact_optimistic = 0.0;
        input.impact_most_likely = most_likely;
        input.impact_pessimistic = most_likely * 2.0;
        input.status = status;
        input.work_item_ids = hits;
        let at = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
        Record {
            id: RiskId::generate(),
            fields: RiskFields::parse(input).unwrap(),
            meta: Meta { created_at: at, updated_at: at, version: 1 },
        }
    }

    #[test]
    fn the_register_ranks_by_score_then_probability_and_the_matrix_counts_cells() {
        let mut risks = vec![
            stored("a", 20, 3.0, RiskStatus::Open, vec![]),  // 2 x 2 = 4
            stored("b", 80, 25.0, RiskStatus::Open, vec![]), // 5 x 5 = 25
            stored("c", 45, 12.0, RiskStatus::Open, vec![]), // 3 x 4 = 12
            stored("d", 60, 8.0, RiskStatus::Open, vec![]),  // 4 x 3 = 12, likelier than c
            stored("e", 20, 4.0, RiskStatus::Open, vec![]),  // 2 x 2 = 4, larger impact than a
        ];
        rank_risks(&mut risks);
        let order: Vec<&str> = risks.iter().map(|r| r.fields.title.as_str()).collect();
        assert_eq!(order, ["b", "d", "c", "e", "a"]);
        let matrix = RiskMatrix::of(&risks);
        assert_eq!((matrix.count(2, 2), matrix.count(5, 5), matrix.count(3, 4), matrix.count(4, 3)), (2, 1, 1, 1));
        assert_eq!((matrix.count(1, 1), matrix.count(0, 1), matrix.count(6, 1), matrix.total()), (0, 0, 0, 5));
    }

    fn item(title: &str, parent: Option<WorkItemId>) -> WorkItem {
        let at = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
        WorkItem {
            id: WorkItemId::generate(),
            fields: WorkItemFields::parse(WorkItemInput {
                kind: WorkItemKind::Task,
                project_id: Some(ProjectId::generate()),
                product_id: None,
                parent_id: parent,
                title: title.into(),
                description: String::new(),
                status: WorkItemStatus::Backlog,
                optimistic: 1.0,
                most_likely: 2.0,
                pessimistic: 3.0,
                story_points: None,
                team_id: None,
                people_needed: None,
                released_on: None,
                percent_complete: None,
            })
            .unwrap(),
            rank: crate::values::Rank::new(0),
            meta: Meta { created_at: at, updated_at: at, version: 1 },
        }
    }

    #[test]
    fn live_risks_become_engine_events_on_the_leaves_they_hit() {
        let epic = item("epic", None);
        let leaf_a = item("a", Some(epic.id));
        let leaf_b = item("b", Some(epic.id));
        let lone = item("lone", None);
        let done = item("done", None); // no activity: not in the plan
        assert!(matches!(leaf_a.fields.placement, Placement::Project(_)));
        let work_items = vec![epic.clone(), leaf_a.clone(), leaf_b.clone(), lone.clone(), done.clone()];
        // Activities: b, milestone, lone, a.
        let milestone = NodeRef::Milestone(crate::ids::MilestoneId::generate());
        let activities =
            vec![NodeRef::WorkItem(leaf_b.id), milestone, NodeRef::WorkItem(lone.id), NodeRef::WorkItem(leaf_a.id)];
        let risks = vec![
            stored("epic and lone", 35, 4.0, RiskStatus::Open, vec![lone.id, epic.id]),
            stored("closed", 90, 4.0, RiskStatus::Closed, vec![lone.id]),
            stored("occurring", 35, 3.0, RiskStatus::Occurring, vec![leaf_a.id]),
            stored("nothing planned", 50, 3.0, RiskStatus::Open, vec![done.id]),
        ];
        let events = risk_events(&risks, &work_items, &activities);
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].key, risks[0].id.to_string());
        assert!((events[0].probability - 0.35).abs() < 1e-12);
        assert_eq!(events[0].impact, ThreePoint::new(0.0, 4.0, 8.0));
        assert_eq!(events[0].hits, vec![ActivityIdx(0), ActivityIdx(2), ActivityIdx(3)]);
        assert_eq!(events[1].key, risks[2].id.to_string());
        assert_eq!(events[1].probability, 1.0);
        assert_eq!(events[1].hits, vec![ActivityIdx(3)]);
    }
}
