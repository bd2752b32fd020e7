//! The demo products' A/B tests: one running on the app (a conversion test that has not reached
//! its plan, so no winner is called yet) and one finished on the portal (a mean metric past its
//! plan, with a winner).
//!
//! For a reader checking the pages: "One-tap card freeze" plans 31,234 visitors per variant
//! (Fleiss, 5 % to 5.5 %, α 0.05, power 0.8) and has 12,480 each, so its verdict is "not enough
//! data" whatever the p-value; "Documents first" plans 393 visits per variant (mean 1.2
//! statements, deviation 0.6, +10 %) and has 420 and 415, a difference of 0.13 with p ≈ 0.002:
//! the variant wins.

use super::catalog::ProductKey;
use crate::experiment::{ExperimentStatus, MetricKind, VariantNumbers};

use ProductKey::{App, Portal};

pub(super) struct ExperimentRow {
    pub product: ProductKey,
    /// The feature tested, by title.
    pub feature: Option<&'static str>,
    pub name: &'static str,
    pub hypothesis: &'static str,
    pub metric: MetricKind,
    pub baseline: f64,
    pub baseline_std_dev: Option<f64>,
    pub minimum_detectable_effect: f64,
    pub status: ExperimentStatus,
    pub variants: &'static [(&'static str, VariantNumbers)],
}

pub(super) const EXPERIMENTS: &[ExperimentRow] = &[
    ExperimentRow {
        product: App,
        feature: Some("Card controls"),
        name: "One-tap card freeze",
        hypothesis: "A freeze toggle on the card screen, instead of in the settings, gets more customers to \
                     set up card controls in their first week.",
        metric: MetricKind::Conversion,
        baseline: 0.05,
        baseline_std_dev: None,
        minimum_detectable_effect: 0.1,
        status: ExperimentStatus::Running,
        variants: &[
            ("Settings menu", VariantNumbers::Conversion { visitors: 12_480, conversions: 618 }),
            ("Card screen toggle", VariantNumbers::Conversion { visitors: 12_480, conversions: 702 }),
        ],
    },
    ExperimentRow {
        product: Portal,
        feature: Some("Documents"),
        name: "Documents first",
        hypothesis: "Putting the documents list first on the portal's home page gets customers to download \
                     more statements per visit.",
        metric: MetricKind::Mean,
        baseline: 1.2,
        baseline_std_dev: Some(0.6),
        minimum_detectable_effect: 0.1,
        status: ExperimentStatus::Finished,
        variants: &[
            ("Current home page", VariantNumbers::Mean { mean: 1.21, std_dev: 0.62, count: 420 }),
            ("Documents first", VariantNumbers::Mean { mean: 1.34, std_dev: 0.6, count: 415 }),
        ],
    },
];
