//! The demo products' strategy: objectives with key results and a few months of measurements, the
//! features serving each, and the product managers' roadmap lanes and planned dates.
//!
//! Progress a reader of the demo sees (latest measurement): app activation (41 - 28) / (45 - 28)
//! = 76.5 %, onboarding drop-off (22 - 38) / (20 - 38) = 88.9 %, app rating (4.3 - 3.9) / (4.6 -
//! 3.9) = 57.1 %; portal requests online (34 - 18) / (60 - 18) = 38.1 %, branch visits
//! (3400 - 4200) / (2500 - 4200) = 47.1 %.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::catalog::ProductKey;
use super::{count, demo_actor};
use crate::error::DomainResult;
use crate::ids::{ProductId, WorkItemId};
use crate::store::Store;
use crate::strategy::{
    KeyResultInput, Lane, Measurement, ObjectiveFields, ObjectiveInput, ObjectiveStatus, PeriodInput,
    RoadmapEntryFields, RoadmapEntryInput,
};

const fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("impossible date in the demo tables"),
    }
}

pub(super) struct KeyResultRow {
    pub metric: &'static str,
    pub unit: &'static str,
    pub baseline: f64,
    pub target: f64,
    /// (date, value), oldest first.
    pub measurements: &'static [(NaiveDate, f64)],
}

pub(super) struct ObjectiveRow {
    pub product: ProductKey,
    pub title: &'static str,
    pub description: &'static str,
    pub quarter: &'static str,
    pub status: ObjectiveStatus,
    pub key_results: &'static [KeyResultRow],
    /// Titles of the epics and features serving it.
    pub features: &'static [&'static str],
}

pub(super) const OBJECTIVES: &[ObjectiveRow] = &[
    ObjectiveRow {
        product: ProductKey::App,
        title: "New customers open an account without a branch",
        description: "Digital onboarding is the app's biggest Cost of Delay: every week without it sends new \
                      customers to a branch.",
        quarter: "2026-Q2",
        status: ObjectiveStatus::OnTrack,
        key_results: &[
            KeyResultRow {
                metric: "Accounts opened in the app",
                unit: "%",
                baseline: 28.0,
                target: 45.0,
                measurements: &[(ymd(2026, 4, 30), 31.0), (ymd(2026, 5, 31), 36.0), (ymd(2026, 6, 30), 41.0)],
            },
            KeyResultRow {
                metric: "Onboarding drop-off",
                unit: "%",
                baseline: 38.0,
                target: 20.0,
                measurements: &[(ymd(2026, 4, 30), 33.0), (ymd(2026, 5, 31), 27.0), (ymd(2026, 6, 30), 22.0)],
            },
        ],
        features: &["Secure onboarding and login", "Digital account opening", "Biometric and PIN login"],
    },
    ObjectiveRow {
        product: ProductKey::App,
        title: "Customers love the everyday app",
        description: "Account overview, transfers and card controls good enough that customers rate the app highly.",
        quarter: "2026-Q3",
        status: ObjectiveStatus::AtRisk,
        key_results: &[
            KeyResultRow {
                metric: "App store rating",
                unit: "stars",
                baseline: 3.9,
                target: 4.6,
                measurements: &[(ymd(2026, 7, 31), 4.1), (ymd(2026, 8, 31), 4.3)],
            },
            KeyResultRow {
                metric: "Monthly active users",
                unit: "users",
                baseline: 120_000.0,
                target: 180_000.0,
                measurements: &[],
            },
        ],
        features: &["Account overview", "Transfers", "Card controls", "Quality and accessibility"],
    },
    ObjectiveRow {
        product: ProductKey::App,
        title: "Learn whether savings pots make customers save more",
        description: "Discovery before commitment: interviews and a prototype.",
        quarter: "2026-Q4",
        status: ObjectiveStatus::Draft,
        key_results: &[KeyResultRow {
            metric: "Interviewed customers who would use pots",
            unit: "%",
            baseline: 0.0,
            target: 60.0,
            measurements: &[(ymd(2026, 10, 15), 25.0)],
        }],
        features: &["Savings goals (discovery)", "Savings pots"],
    },
    ObjectiveRow {
        product: ProductKey::Portal,
        title: "Service requests move online",
        description: "Documents and service requests in the portal, so paperwork no longer needs a branch.",
        quarter: "2026-Q3",
        status: ObjectiveStatus::OnTrack,
        key_results: &[
            KeyResultRow {
                metric: "Service requests raised online",
                unit: "%",
                baseline: 18.0,
                target: 60.0,
                measurements: &[(ymd(2026, 7, 31), 22.0), (ymd(2026, 8, 31), 29.0), (ymd(2026, 9, 30), 34.0)],
            },
            KeyResultRow {
                metric: "Branch visits for paperwork per month",
                unit: "visits",
                baseline: 4200.0,
                target: 2500.0,
                measurements: &[(ymd(2026, 8, 31), 3900.0), (ymd(2026, 9, 30), 3400.0)],
            },
        ],
        features: &["Self-service requests", "Documents", "Service requests"],
    },
    ObjectiveRow {
        product: ProductKey::Portal,
        title: "One identity for app and portal",
        description: "Customers sign in to the portal with the app identity and keep their details in one place.",
        quarter: "2026-Q2",
        status: ObjectiveStatus::OffTrack,
        key_results: &[KeyResultRow {
            metric: "Portal sign-ins through single sign-on",
            unit: "%",
            baseline: 0.0,
            target: 80.0,
            measurements: &[(ymd(2026, 5, 31), 5.0), (ymd(2026, 6, 30), 12.0)],
        }],
        features: &["Single sign-on with the app identity", "Profile and contact details"],
    },
];

pub(super) struct RoadmapRow {
    pub feature: &'static str,
    pub lane: Option<Lane>,
    pub planned: Option<(NaiveDate, NaiveDate)>,
}

pub(super) const ROADMAP: &[RoadmapRow] = &[
    RoadmapRow {
        feature: "Digital account opening",
        lane: Some(Lane::Now),
        planned: Some((ymd(2026, 3, 2), ymd(2026, 6, 26))),
    },
    RoadmapRow {
        feature: "Biometric and PIN login",
        lane: Some(Lane::Now),
        planned: Some((ymd(2026, 3, 16), ymd(2026, 5, 29))),
    },
    RoadmapRow { feature: "Account overview", lane: None, planned: Some((ymd(2026, 6, 1), ymd(2026, 8, 28))) },
    RoadmapRow { feature: "Transfers", lane: Some(Lane::Next), planned: Some((ymd(2026, 7, 1), ymd(2026, 9, 30))) },
    RoadmapRow {
        feature: "Card controls",
        lane: Some(Lane::Next),
        planned: Some((ymd(2026, 8, 3), ymd(2026, 10, 30))),
    },
    RoadmapRow {
        feature: "Savings pots",
        lane: Some(Lane::Later),
        planned: Some((ymd(2026, 10, 5), ymd(2026, 12, 18))),
    },
    RoadmapRow {
        feature: "Single sign-on with the app identity",
        lane: Some(Lane::Now),
        planned: Some((ymd(2026, 4, 1), ymd(2026, 6, 30))),
    },
    RoadmapRow { feature: "Documents", lane: Some(Lane::Next), planned: Some((ymd(2026, 7, 1), ymd(2026, 9, 11))) },
    RoadmapRow { feature: "Service requests", lane: None, planned: Some((ymd(2026, 7, 15), ymd(2026, 10, 30))) },
    RoadmapRow { feature: "Mortgage documents and balance", lane: Some(Lane::Later), planned: None },
];

/// What [`create_strategy`] stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct StrategyCounts {
    pub objectives: u64,
    pub key_results: u64,
    pub measurements: u64,
    pub links: u64,
    pub roadmap_entries: u64,
}

/// Creates the objectives, their measurements and links, and the roadmap entries. The counts are
/// of the objectives as the store returned them last, and of the links and entries the products
/// hold afterwards (linking twice, or entering a feature twice, stores one).
pub(super) async fn create_strategy(
    store: &dyn Store,
    products: &HashMap<ProductKey, ProductId>,
    work_items: &HashMap<&'static str, WorkItemId>,
) -> DomainResult<StrategyCounts> {
    let mut counts = StrategyCounts::default();
    let item = |title: &str| {
        work_items
            .get(title)
            .copied()
            .ok_or_else(|| super::demo_table_error(format!("strategy names unknown item '{title}'")))
    };
    for row in OBJECTIVES {
        let product = products
            .get(&row.product)
            .copied()
            .ok_or_else(|| super::demo_table_error(format!("product {:?} is not created", row.product)))?;
        let fields = ObjectiveFields::parse(ObjectiveInput {
            product_id: product,
            title: row.title.to_owned(),
            description: row.description.to_owned(),
            period: PeriodInput::quarter(row.quarter),
            status: row.status,
            key_results: row
                .key_results
                .iter()
                .map(|kr| KeyResultInput {
                    id: None,
                    metric: kr.metric.to_owned(),
                    unit: kr.unit.to_owned(),
                    baseline: kr.baseline,
                    target: kr.target,
                })
                .collect(),
        })?;
        let mut objective = store.create_objective(&demo_actor(), fields).await?;
        let key_results: Vec<_> = objective.fields.key_results.iter().map(|kr| kr.id).collect();
        for (kr, stored) in row.key_results.iter().zip(key_results) {
            for &(date, value) in kr.measurements {
                objective =
                    store.record_measurement(&demo_actor(), objective.id, stored, Measurement { date, value }).await?;
            }
        }
        counts.objectives += 1;
        counts.key_results += count(objective.fields.key_results.len());
        counts.measurements += count(objective.fields.key_results.iter().map(|kr| kr.measurements.len()).sum());
        for title in row.features {
            store.link_feature(&demo_actor(), objective.id, item(title)?).await?;
        }
    }
    for row in ROADMAP {
        let fields = RoadmapEntryFields::parse(RoadmapEntryInput {
            lane: row.lane.map(|l| l.as_str().to_owned()),
            planned_start: row.planned.map(|(start, _)| start),
            planned_finish: row.planned.map(|(_, finish)| finish),
        })?;
        store.put_roadmap_entry(&demo_actor(), item(row.feature)?, None, fields).await?;
    }
    for product in products.values() {
        counts.links += count(store.list_objective_links(*product).await?.len());
        counts.roadmap_entries += count(store.list_roadmap_entries(*product).await?.len());
    }
    Ok(counts)
}
