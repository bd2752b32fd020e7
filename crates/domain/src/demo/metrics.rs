//! The demo products' metrics: twelve month-ends of 2026 for each product (adoption, retention,
//! revenue, satisfaction as NPS), and the adoption of two finished work items (one per product),
//! generated from a start, a monthly step and a small fixed wobble so the lines look lived-in and
//! the data is the same every time.
//!
//! A reader checking the charts: the app's revenue runs from 182,000 in January by 6,500 a month
//! (plus 1,500 times the month's wobble of -1, 0 or 1) to 255,000 in December; its NPS from 18 to
//! 31.

use chrono::NaiveDate;

use super::catalog::ProductKey::{self, App, Portal};
use crate::metrics::MetricKind::{self, Adoption, Retention, Revenue, Satisfaction};

/// The series of one product (or of one of its work items, by title).
pub(super) struct SeriesRow {
    pub product: ProductKey,
    pub feature: Option<&'static str>,
    pub kind: MetricKind,
    /// January's value.
    pub start: f64,
    /// Added each month.
    pub step: f64,
    /// Times the month's wobble (-1, 0 or 1), so the line is not straight.
    pub wobble: f64,
}

pub(super) const MONTHS: u32 = 12;

/// -1, 0 or 1 by month, fixed.
const WOBBLE: [f64; MONTHS as usize] = [0.0, 1.0, -1.0, 0.0, 1.0, 0.0, -1.0, 1.0, 0.0, -1.0, 0.0, 1.0];

pub(super) const SERIES: &[SeriesRow] = &[
    SeriesRow { product: App, feature: None, kind: Adoption, start: 41.0, step: 1.5, wobble: 1.0 },
    SeriesRow { product: App, feature: None, kind: Retention, start: 82.0, step: 0.5, wobble: 1.0 },
    SeriesRow { product: App, feature: None, kind: Revenue, start: 182_000.0, step: 6_500.0, wobble: 1_500.0 },
    SeriesRow { product: App, feature: None, kind: Satisfaction, start: 18.0, step: 1.0, wobble: 2.0 },
    SeriesRow {
        product: App,
        feature: Some("Set and reset the app PIN"),
        kind: Adoption,
        start: 3.0,
        step: 5.5,
        wobble: 1.0,
    },
    SeriesRow { product: Portal, feature: None, kind: Adoption, start: 27.0, step: 1.0, wobble: 1.0 },
    SeriesRow { product: Portal, feature: None, kind: Retention, start: 74.0, step: 0.75, wobble: 1.5 },
    SeriesRow { product: Portal, feature: None, kind: Revenue, start: 96_000.0, step: 2_500.0, wobble: 1_000.0 },
    SeriesRow { product: Portal, feature: None, kind: Satisfaction, start: -6.0, step: 1.5, wobble: 2.0 },
    SeriesRow {
        product: Portal,
        feature: Some("Change address with proof upload"),
        kind: Adoption,
        start: 1.0,
        step: 3.0,
        wobble: 0.5,
    },
];

/// The last day of `month` (1 to 12) of 2026.
pub(super) fn month_end(month: u32) -> Option<NaiveDate> {
    let next =
        if month == 12 { NaiveDate::from_ymd_opt(2027, 1, 1) } else { NaiveDate::from_ymd_opt(2026, month + 1, 1) };
    next.and_then(|d| d.pred_opt())
}

impl SeriesRow {
    /// The value at month `index` (0 = January).
    pub(super) fn value(&self, index: u32) -> f64 {
        let wobble = WOBBLE.get(index as usize).copied().unwrap_or(0.0);
        self.start + self.step * f64::from(index) + self.wobble * wobble
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_value_lies_in_its_kinds_range_and_the_app_revenue_ends_at_255000() {
        for series in SERIES {
            for index in 0..MONTHS {
                let value = series.value(index);
                assert!(series.kind.check_value("value", value).is_ok(), "{:?} {value}", series.kind);
            }
        }
        let revenue = SERIES.iter().find(|s| s.product == App && s.kind == Revenue && s.feature.is_none()).unwrap();
        assert_eq!((revenue.value(0), revenue.value(11)), (182_000.0, 255_000.0));
        assert_eq!(
            (month_end(2), month_end(12)),
            (NaiveDate::from_ymd_opt(2026, 2, 28), NaiveDate::from_ymd_opt(2026, 12, 31))
        );
    }
}
