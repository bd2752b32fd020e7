//! The demo program's risk register, as a table. Risks name the work items they hit by title.
//!
//! Scores (probability band x impact band on the most-likely days, see [`crate::risk`]), for the
//! heat map a reader of the demo sees: KYC 3 x 3, legacy data 5 x 4, regulator 2 x 5, security
//! team 4 x 2, app store review 2 x 2, SEPA Instant 3 x 3; the CRM contract risk is closed.

use chrono::NaiveDate;

use super::catalog::ProjectKey;
use crate::risk::{RiskCategory, RiskResponse, RiskStatus};

const fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("impossible date in the demo tables"),
    }
}

pub(super) struct MitigationRow {
    pub description: &'static str,
    pub due: NaiveDate,
    pub done: bool,
}

pub(super) struct RiskRow {
    /// `None`: a risk of the whole program.
    pub project: Option<ProjectKey>,
    pub title: &'static str,
    pub cause: &'static str,
    pub effect: &'static str,
    pub owner: &'static str,
    pub category: RiskCategory,
    pub probability: i64,
    /// Extra working days: optimistic, most likely, pessimistic.
    pub impact: [f64; 3],
    /// Work item titles.
    pub hits: &'static [&'static str],
    pub cost_impact: Option<i64>,
    pub response: RiskResponse,
    pub mitigations: &'static [MitigationRow],
    pub trigger: &'static str,
    pub status: RiskStatus,
}

pub(super) const RISKS: &[RiskRow] = &[
    RiskRow {
        project: Some(ProjectKey::MobileApp),
        title: "KYC provider SDK arrives late",
        cause: "The identification provider ships its new SDK version to all its banks at once and has one \
                integration team for our region.",
        effect: "Digital account opening cannot be tested end to end; the app beta slips.",
        owner: "Priya Raman",
        category: RiskCategory::External,
        probability: 40,
        impact: [3.0, 8.0, 20.0],
        hits: &["Integrate the KYC provider SDK", "Video identification hand-off to the KYC provider"],
        cost_impact: Some(45_000),
        response: RiskResponse::Mitigate,
        mitigations: &[
            MitigationRow {
                description: "Weekly integration call with the provider",
                due: ymd(2026, 3, 16),
                done: true,
            },
            MitigationRow {
                description: "Build against the provider's mock server until the SDK arrives",
                due: ymd(2026, 4, 1),
                done: false,
            },
        ],
        trigger: "No sandbox access by 1 March 2026.",
        status: RiskStatus::Open,
    },
    RiskRow {
        project: Some(ProjectKey::Platform),
        title: "Legacy customer data is dirtier than the sample showed",
        cause: "Thirty years of branch systems wrote customer records without shared validation rules.",
        effect: "Trial migrations reject records; reconciliation and the full-volume trial take longer.",
        owner: "Anja Becker",
        category: RiskCategory::Technical,
        probability: 75,
        impact: [5.0, 15.0, 40.0],
        hits: &[
            "Map legacy customer data to the new model",
            "Trial migration 2 (full volume)",
            "Reconciliation reports",
        ],
        cost_impact: Some(180_000),
        response: RiskResponse::Mitigate,
        mitigations: &[
            MitigationRow {
                description: "Profile the full customer base, not a sample",
                due: ymd(2026, 5, 15),
                done: false,
            },
            MitigationRow {
                description: "Staff a data-cleansing squad in operations",
                due: ymd(2026, 6, 1),
                done: false,
            },
        ],
        trigger: "More than 2% of the records rejected in trial migration 1.",
        status: RiskStatus::Open,
    },
    RiskRow {
        project: Some(ProjectKey::Compliance),
        title: "Supervisor objects to the cloud outsourcing",
        cause: "DORA makes the cloud provider a critical ICT third party; the supervisor may ask for an exit plan \
                first.",
        effect: "The production cut-over waits for the supervisor's answer.",
        owner: "Ravi Menon",
        category: RiskCategory::Compliance,
        probability: 20,
        impact: [10.0, 30.0, 60.0],
        hits: &["Regulator notification of the outsourcing to the cloud", "Production cut-over weekend"],
        cost_impact: Some(250_000),
        response: RiskResponse::Escalate,
        mitigations: &[MitigationRow {
            description: "Pre-consultation meeting with the supervisor",
            due: ymd(2026, 4, 20),
            done: true,
        }],
        trigger: "The supervisor asks for the exit plan in writing.",
        status: RiskStatus::Open,
    },
    RiskRow {
        project: None,
        title: "Security team overbooked in the release months",
        cause: "Five security people review the app, the portal and the platform, and two sign-offs fall into \
                the same weeks.",
        effect: "Penetration test and sign-offs queue behind each other.",
        owner: "Martina Keller",
        category: RiskCategory::Resource,
        probability: 70,
        impact: [2.0, 5.0, 12.0],
        hits: &[
            "Penetration test of the app",
            "Security sign-off for the app release",
            "Security sign-off for the portal go-live",
        ],
        cost_impact: Some(30_000),
        response: RiskResponse::Transfer,
        mitigations: &[MitigationRow {
            description: "Book an external penetration testing firm",
            due: ymd(2026, 5, 4),
            done: false,
        }],
        trigger: "Two sign-offs due in the same fortnight.",
        status: RiskStatus::Occurring,
    },
    RiskRow {
        project: Some(ProjectKey::MobileApp),
        title: "App store review rejects release 1.0",
        cause: "Banking apps get a stricter review; a missing privacy label or a test account is enough.",
        effect: "The public release waits for a second review.",
        owner: "Priya Raman",
        category: RiskCategory::Schedule,
        probability: 15,
        impact: [2.0, 4.0, 10.0],
        hits: &["Release 1.0 to the app stores"],
        cost_impact: None,
        response: RiskResponse::Accept,
        mitigations: &[],
        trigger: "The beta's review takes more than three days.",
        status: RiskStatus::Open,
    },
    RiskRow {
        project: Some(ProjectKey::Platform),
        title: "SEPA Instant rules change before go-live",
        cause: "The payments scheme publishes a rulebook change that touches verification of payee.",
        effect: "The instant transfer endpoint and the app's instant transfer need rework.",
        owner: "Anja Becker",
        category: RiskCategory::Scope,
        probability: 35,
        impact: [3.0, 6.0, 15.0],
        hits: &["SEPA Instant endpoint", "SEPA Instant transfer"],
        cost_impact: Some(60_000),
        response: RiskResponse::Avoid,
        mitigations: &[MitigationRow {
            description: "Agree standard SEPA as the fallback for release 1.0",
            due: ymd(2026, 6, 15),
            done: false,
        }],
        trigger: "A rulebook change request is published.",
        status: RiskStatus::Open,
    },
    RiskRow {
        project: Some(ProjectKey::Sales),
        title: "CRM contract negotiation drags on",
        cause: "Procurement and the preferred vendor disagree on data residency clauses.",
        effect: "Configuring the sales pipeline cannot start.",
        owner: "Claire Dubois",
        category: RiskCategory::Cost,
        probability: 50,
        impact: [5.0, 10.0, 25.0],
        hits: &["Select the CRM and sign the contract", "Configure lead stages and pipeline"],
        cost_impact: Some(80_000),
        response: RiskResponse::Mitigate,
        mitigations: &[MitigationRow {
            description: "Keep a second vendor in the final round",
            due: ymd(2026, 4, 30),
            done: true,
        }],
        trigger: "No signed contract by the end of April.",
        status: RiskStatus::Closed,
    },
];
