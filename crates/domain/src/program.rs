//! Programs: a group of related projects run together for a shared goal (PMI's program).

use chrono::NaiveDate;

use crate::error::{FieldError, ValidationErrors};
use crate::ids::ProgramId;
use crate::record::Record;
use crate::values::{CurrencyCode, DateRange, LongText, Money, Name, check_date, optional_name};

/// The program life cycle per PMI's standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProgramPhase {
    Definition,
    Delivery,
    Closure,
}

impl ProgramPhase {
    pub const ALL: [ProgramPhase; 3] = [ProgramPhase::Definition, ProgramPhase::Delivery, ProgramPhase::Closure];

    pub fn as_str(self) -> &'static str {
        match self {
            ProgramPhase::Definition => "definition",
            ProgramPhase::Delivery => "delivery",
            ProgramPhase::Closure => "closure",
        }
    }

    pub fn parse(field: &str, raw: &str) -> Result<ProgramPhase, FieldError> {
        ProgramPhase::ALL
            .into_iter()
            .find(|p| p.as_str() == raw.trim())
            .ok_or_else(|| FieldError::new(field, "invalid", "must be one of definition, delivery, closure"))
    }
}

/// Unvalidated program input as a caller supplies it.
#[derive(Debug, Clone)]
pub struct ProgramInput {
    pub name: String,
    pub goal: String,
    pub sponsor: Option<String>,
    pub phase: ProgramPhase,
    pub start: NaiveDate,
    pub target_end: NaiveDate,
    pub budget: Option<i64>,
    pub currency: Option<String>,
    /// See [`ProgramFields::status_date`].
    pub status_date: Option<NaiveDate>,
}

/// A program's validated, user-editable fields.
#[derive(Debug, Clone, PartialEq)]
pub struct ProgramFields {
    pub name: Name,
    pub goal: LongText,
    pub sponsor: Option<Name>,
    pub phase: ProgramPhase,
    /// Start and target end.
    pub dates: DateRange,
    pub budget: Option<Money>,
    pub currency: CurrencyCode,
    /// The day plans and forecasts are made as of: open work starts no earlier (work done or
    /// cancelled is not planned). `None`: the day they are computed, so open work is never
    /// planned in the past.
    pub status_date: Option<NaiveDate>,
}

impl ProgramFields {
    /// The day a plan computed on `today` is made as of: the status date, else `today`.
    pub fn as_of(&self, today: NaiveDate) -> NaiveDate {
        self.status_date.unwrap_or(today)
    }

    pub fn parse(input: ProgramInput) -> Result<ProgramFields, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let name = errors.check(Name::parse("name", &input.name));
        let goal = errors.check(LongText::parse("goal", &input.goal));
        let sponsor = errors.check(optional_name("sponsor", input.sponsor.as_deref()));
        let start = errors.check(check_date("start", input.start));
        let target_end = errors.check(check_date("target_end", input.target_end));
        let dates = match (start, target_end) {
            (Some(start), Some(target_end)) => errors.check(DateRange::new("target_end", start, target_end)),
            _ => None,
        };
        let budget = errors.check(input.budget.map(|b| Money::parse("budget", b)).transpose());
        let currency = errors.check(match input.currency.as_deref() {
            Some(code) if !code.trim().is_empty() => CurrencyCode::parse("currency", code),
            _ => Ok(CurrencyCode::default()),
        });
        let status_date = errors.check(input.status_date.map(|d| check_date("status_date", d)).transpose());
        match (name, goal, sponsor, dates, budget, currency, status_date) {
            (Some(name), Some(goal), Some(sponsor), Some(dates), Some(budget), Some(currency), Some(status_date))
                if errors.is_empty() =>
            {
                Ok(ProgramFields { name, goal, sponsor, phase: input.phase, dates, budget, currency, status_date })
            }
            _ => Err(errors),
        }
    }
}

pub type Program = Record<ProgramId, ProgramFields>;
