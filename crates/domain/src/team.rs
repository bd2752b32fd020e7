//! Teams: the people several projects share; the resources the scheduler levels.

use chrono::NaiveDate;

use crate::error::ValidationErrors;
use crate::ids::TeamId;
use crate::record::Record;
use crate::values::{Headcount, Name, WorkingCalendar, WorkingWeek, check_date};

#[derive(Debug, Clone)]
pub struct TeamInput {
    pub name: String,
    pub capacity: i64,
    /// Weekday names (`mon` ... `sun`); `None` means Monday to Friday.
    pub working_days: Option<Vec<String>>,
    pub holidays: Vec<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TeamFields {
    pub name: Name,
    /// People available at once.
    pub capacity: Headcount,
    pub calendar: WorkingCalendar,
}

impl TeamFields {
    pub fn parse(input: TeamInput) -> Result<TeamFields, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let name = errors.check(Name::parse("name", &input.name));
        let capacity = errors.check(Headcount::parse("capacity", input.capacity));
        let week = errors.check(match &input.working_days {
            Some(days) => WorkingWeek::parse("working_days", days),
            None => Ok(WorkingWeek::MONDAY_TO_FRIDAY),
        });
        // Each date is checked once the count is known to be within bounds (else the count alone
        // is reported, by the calendar).
        let holidays = if input.holidays.len() <= WorkingCalendar::MAX_HOLIDAYS {
            let checked: Vec<Option<NaiveDate>> = input
                .holidays
                .iter()
                .enumerate()
                .map(|(i, day)| errors.check(check_date(&format!("holidays[{i}]"), *day)))
                .collect();
            checked.into_iter().collect()
        } else {
            Some(input.holidays)
        };
        let calendar = match (week, holidays) {
            (Some(week), Some(holidays)) => errors.check(WorkingCalendar::new(week, holidays)),
            _ => None,
        };
        match (name, capacity, calendar) {
            (Some(name), Some(capacity), Some(calendar)) if errors.is_empty() => {
                Ok(TeamFields { name, capacity, calendar })
            }
            _ => Err(errors),
        }
    }
}

pub type Team = Record<TeamId, TeamFields>;
