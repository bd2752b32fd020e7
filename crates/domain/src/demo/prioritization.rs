//! The demo products' prioritization: every feature of the App and Portal backlogs scored with
//! RICE and WSJF (some also with CD3, MoSCoW and impact-effort), and a few stories written as user
//! stories with acceptance criteria. The numbers are a product manager's judgement, chosen so the
//! frameworks mostly agree and visibly disagree on a few features (the side-by-side view shows
//! them).

use std::collections::HashMap;

use crate::backlog::{self, BacklogDetails, PrioritizationInput, UserStory, UserStoryInput};
use crate::error::DomainResult;
use crate::ids::WorkItemId;
use crate::prioritization::{Cd3Input, FrameworkScores, RiceInput, WsjfInput};
use crate::store::Store;

use super::{demo_actor, demo_table_error};

/// One feature's inputs: RICE (reach per quarter, impact, confidence %, person-months), WSJF
/// (business value, time criticality, risk reduction, job size), and optional CD3 (cost of delay
/// per week, weeks), MoSCoW and impact-effort (impact, effort).
pub(super) struct FeatureScores {
    pub title: &'static str,
    pub rice: (f64, f64, f64, f64),
    pub wsjf: (i64, i64, i64, i64),
    pub cd3: Option<(i64, f64)>,
    pub moscow: Option<&'static str>,
    pub impact_effort: Option<(i64, i64)>,
}

const fn scores(title: &'static str, rice: (f64, f64, f64, f64), wsjf: (i64, i64, i64, i64)) -> FeatureScores {
    FeatureScores { title, rice, wsjf, cd3: None, moscow: None, impact_effort: None }
}

const fn full(
    title: &'static str,
    rice: (f64, f64, f64, f64),
    wsjf: (i64, i64, i64, i64),
    cd3: (i64, f64),
    moscow: &'static str,
    impact_effort: (i64, i64),
) -> FeatureScores {
    FeatureScores { title, rice, wsjf, cd3: Some(cd3), moscow: Some(moscow), impact_effort: Some(impact_effort) }
}

pub(super) const FEATURE_SCORES: &[FeatureScores] = &[
    // The App.
    full("Digital account opening", (12000.0, 3.0, 80.0, 6.0), (20, 13, 8, 13), (45000, 8.0), "must", (9, 7)),
    full("Biometric and PIN login", (40000.0, 1.0, 100.0, 2.0), (13, 8, 5, 5), (20000, 3.0), "must", (7, 3)),
    full(
        "Strong customer authentication in the app",
        (40000.0, 2.0, 100.0, 4.0),
        (13, 20, 13, 8),
        (60000, 6.0),
        "must",
        (8, 6),
    ),
    full("Account overview", (50000.0, 2.0, 100.0, 3.0), (13, 8, 3, 5), (15000, 4.0), "must", (8, 4)),
    full("Transfers", (35000.0, 2.0, 80.0, 4.0), (13, 8, 5, 8), (25000, 6.0), "must", (9, 6)),
    full("Card controls", (15000.0, 1.0, 80.0, 2.0), (8, 5, 8, 3), (8000, 2.0), "should", (6, 2)),
    full("Push notifications", (30000.0, 0.5, 80.0, 1.0), (5, 3, 2, 3), (3000, 2.0), "should", (4, 2)),
    full("Spending insights", (20000.0, 1.0, 50.0, 3.0), (8, 2, 1, 8), (4000, 5.0), "could", (5, 8)),
    full("Quality and accessibility", (50000.0, 0.5, 80.0, 2.0), (5, 8, 13, 5), (10000, 3.0), "must", (5, 5)),
    full("App store launch", (45000.0, 3.0, 50.0, 1.0), (20, 20, 3, 2), (50000, 2.0), "must", (10, 2)),
    full("Savings pots", (8000.0, 1.0, 50.0, 3.0), (5, 1, 1, 5), (2000, 4.0), "wont", (3, 7)),
    // The Portal.
    full(
        "Single sign-on with the app identity",
        (25000.0, 2.0, 80.0, 2.0),
        (13, 8, 8, 5),
        (12000, 3.0),
        "must",
        (8, 4),
    ),
    scores("Profile and contact details", (20000.0, 1.0, 100.0, 1.0), (5, 3, 2, 3)),
    scores("Documents", (30000.0, 1.0, 80.0, 2.0), (8, 5, 3, 5)),
    full("Service requests", (15000.0, 2.0, 80.0, 3.0), (8, 5, 5, 8), (9000, 5.0), "should", (7, 7)),
    scores("Advisor contact", (6000.0, 1.0, 50.0, 2.0), (3, 2, 1, 3)),
    full("Design system", (25000.0, 0.25, 100.0, 3.0), (3, 2, 13, 8), (2000, 6.0), "could", (3, 8)),
    full("Portal launch", (25000.0, 3.0, 80.0, 1.0), (13, 13, 5, 2), (30000, 2.0), "must", (9, 3)),
    full("Mortgage documents and balance", (4000.0, 2.0, 50.0, 2.0), (5, 2, 1, 5), (3000, 3.0), "could", (4, 3)),
];

/// A story's text and acceptance criteria.
pub(super) struct StoryRow {
    pub title: &'static str,
    pub as_a: &'static str,
    pub i_want: &'static str,
    pub so_that: &'static str,
    pub criteria: &'static [&'static str],
}

pub(super) const STORIES: &[StoryRow] = &[
    StoryRow {
        title: "Capture the ID document with the camera",
        as_a: "new customer",
        i_want: "to photograph my ID card or passport",
        so_that: "I do not have to type my personal data",
        criteria: &[
            "Both sides of an ID card and the photo page of a passport are captured",
            "Blurred or cut-off captures are refused with a hint before upload",
            "Works on the oldest supported iOS and Android devices",
        ],
    },
    StoryRow {
        title: "Pre-fill the onboarding form from ID data",
        as_a: "new customer",
        i_want: "my name, date of birth and address filled in from my ID",
        so_that: "I only check them",
        criteria: &["Every pre-filled field can be corrected", "A changed field is flagged for the KYC review"],
    },
    StoryRow {
        title: "Log in with fingerprint or face recognition",
        as_a: "customer",
        i_want: "to log in with Face ID or my fingerprint",
        so_that: "logging in takes a second",
        criteria: &[
            "Offered only on a device bound to the customer",
            "Three failed attempts fall back to the app PIN",
            "Turning biometrics off in the device settings turns it off in the app",
        ],
    },
    StoryRow {
        title: "Log in with the app as second factor",
        as_a: "customer",
        i_want: "to confirm my portal login in the app",
        so_that: "I do not have to type a code",
        criteria: &["The app shows the browser and place of the login", "An unconfirmed login expires after 2 minutes"],
    },
];

/// What [`prioritize`] stored, read back from the store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct BacklogCounts {
    /// Items with prioritization inputs.
    pub prioritized: u64,
    /// Items with a user story.
    pub stories: u64,
}

/// Stores the scores and stories on the items created from the demo tables (ids by title).
/// Returns how many of those items hold scores and stories afterwards.
pub(super) async fn prioritize(
    store: &dyn Store,
    work_items: &HashMap<&'static str, WorkItemId>,
) -> DomainResult<BacklogCounts> {
    let id_of = |title: &str| {
        work_items
            .get(title)
            .copied()
            .ok_or_else(|| demo_table_error(format!("prioritized item '{title}' is not in the demo tables")))
    };
    let mut details: Vec<(WorkItemId, BacklogDetails)> = Vec::new();
    for row in FEATURE_SCORES {
        let (reach, impact, confidence, effort) = row.rice;
        let (business_value, time_criticality, risk_reduction, job_size) = row.wsjf;
        let scores = backlog::parse_prioritization(&PrioritizationInput {
            rice: Some(RiceInput { reach, impact, confidence, effort }),
            wsjf: Some(WsjfInput { business_value, time_criticality, risk_reduction, job_size }),
            cd3: row
                .cd3
                .map(|(cost_of_delay_per_week, duration_weeks)| Cd3Input { cost_of_delay_per_week, duration_weeks }),
            moscow: row.moscow.map(str::to_owned),
            impact_effort: row.impact_effort,
        })?;
        details.push((id_of(row.title)?, BacklogDetails { story: None, scores }));
    }
    for row in STORIES {
        let story = UserStory::parse(&UserStoryInput {
            as_a: row.as_a.to_owned(),
            i_want: row.i_want.to_owned(),
            so_that: row.so_that.to_owned(),
            acceptance_criteria: row.criteria.iter().map(|c| (*c).to_owned()).collect(),
        })?;
        details.push((id_of(row.title)?, BacklogDetails { story: Some(story), ..BacklogDetails::default() }));
    }
    for (id, item_details) in &details {
        let item = store.get_work_item(*id).await?;
        store.set_backlog_details(&demo_actor(), *id, item.meta.version, item_details.clone()).await?;
    }
    let mut ids: Vec<WorkItemId> = details.iter().map(|(id, _)| *id).collect();
    ids.sort();
    ids.dedup();
    let stored = store.backlog_details(&ids).await?;
    let mut counts = BacklogCounts::default();
    for (_, details) in &stored {
        counts.prioritized += u64::from(details.scores != FrameworkScores::default());
        counts.stories += u64::from(details.story.is_some());
    }
    Ok(counts)
}
