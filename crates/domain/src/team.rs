//! Teams: the people several projects share; the resources the scheduler levels.

use chrono::NaiveDate;

use crate::error::ValidationErrors;
use crate::ids::TeamId;
use crate::record::Record;
use crate::values::{Headcount, Name, WorkingCalendar, WorkingWeek};

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
        let calendar = week.and_then(|week| errors.check(WorkingCalendar::new(week, input.holidays)));
        match (name, capacity, calendar) {
            (Some(name), Some(capacity), Some(calendar)) if errors.is_empty() => {
                Ok(TeamFields { name, capacity, calendar })
            }
            _ => Err(errors),
        }
    }
}

pub type Team = Record<TeamId, TeamFields>;
