//! Projects: one temporary endeavour inside a program, run by a project manager.

use chrono::NaiveDate;

use crate::error::ValidationErrors;
use crate::ids::{ProgramId, ProjectId};
use crate::record::Record;
use crate::values::{LongText, Money, Name, check_date, optional_name};

#[derive(Debug, Clone)]
pub struct ProjectInput {
    pub program_id: ProgramId,
    pub name: String,
    pub description: String,
    pub manager: Option<String>,
    pub start: NaiveDate,
    pub budget: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ProjectFields {
    pub program_id: ProgramId,
    pub name: Name,
    pub description: LongText,
    pub manager: Option<Name>,
    pub start: NaiveDate,
    /// In the program's currency.
    pub budget: Option<Money>,
}

impl ProjectFields {
    pub fn parse(input: ProjectInput) -> Result<ProjectFields, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let name = errors.check(Name::parse("name", &input.name));
        let description = errors.check(LongText::parse("description", &input.description));
        let manager = errors.check(optional_name("manager", input.manager.as_deref()));
        let start = errors.check(check_date("start", input.start));
        let budget = errors.check(input.budget.map(|b| Money::parse("budget", b)).transpose());
        match (name, description, manager, start, budget) {
            (Some(name), Some(description), Some(manager), Some(start), Some(budget)) if errors.is_empty() => {
                Ok(ProjectFields { program_id: input.program_id, name, description, manager, start, budget })
            }
            _ => Err(errors),
        }
    }
}

pub type Project = Record<ProjectId, ProjectFields>;
