//! Milestones: a dated point in a project that marks a deliverable.

use chrono::NaiveDate;

use crate::error::ValidationErrors;
use crate::ids::{MilestoneId, ProjectId};
use crate::record::Record;
use crate::values::{LongText, Name, check_date};

#[derive(Debug, Clone)]
pub struct MilestoneInput {
    pub project_id: ProjectId,
    pub name: String,
    pub target_date: NaiveDate,
    pub deliverable: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MilestoneFields {
    pub project_id: ProjectId,
    pub name: Name,
    pub target_date: NaiveDate,
    /// What is handed over when the milestone is reached.
    pub deliverable: LongText,
}

impl MilestoneFields {
    pub fn parse(input: MilestoneInput) -> Result<MilestoneFields, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let name = errors.check(Name::parse("name", &input.name));
        let target_date = errors.check(check_date("target_date", input.target_date));
        let deliverable = errors.check(LongText::parse("deliverable", &input.deliverable));
        match (name, target_date, deliverable) {
            (Some(name), Some(target_date), Some(deliverable)) if errors.is_empty() => {
                Ok(MilestoneFields { project_id: input.project_id, name, target_date, deliverable })
            }
            _ => Err(errors),
        }
    }
}

pub type Milestone = Record<MilestoneId, MilestoneFields>;
