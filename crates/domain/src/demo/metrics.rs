//! The demo products' metrics: twelve month-ends of 2026 for each product (adoption, retention,
//! revenue, satisfaction as NPS), generated from a start, a monthly step and a small fixed wobble
//! so the lines look lived-in and the data is the same every time; and the adoption of two
//! released work items (one per product) in the weeks after their release.
//!
//! A reader checking the charts: the app's revenue runs from 182,000 in January by 6,500 a month
//! (plus 1,500 times the month's wobble of -1, 0 or 1) to 255,000 in December; its NPS from 18 to
//! 31.
//!
//! **Adoption since release.** Each released item ([`RELEASED`]) carries a fixed release date
//! (`released_on`, set when the demo creates the item), which the metrics use instead of the
//! audit trail's move to done (that one is stamped the day the demo loads and cannot be
//! backdated). Its adoption is one point a week from that day on, the first on the release day
//! itself: the app's PIN from 9 June 2026 (last point 28 July), the portal's change of address
//! from 14 July 2026 (last point 1 September), all before November, so the curves sit among the
//! products' own 2026 series whenever the demo is loaded.

use chrono::{Days, NaiveDate};

use super::catalog::ProductKey::{self, App, Portal};
use crate::metrics::MetricKind::{self, Adoption, Retention, Revenue, Satisfaction};

/// A product's own series of one kind, on the month-ends of 2026.
pub(super) struct SeriesRow {
    pub product: ProductKey,
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
    SeriesRow { product: App, kind: Adoption, start: 41.0, step: 1.5, wobble: 1.0 },
    SeriesRow { product: App, kind: Retention, start: 82.0, step: 0.5, wobble: 1.0 },
    SeriesRow { product: App, kind: Revenue, start: 182_000.0, step: 6_500.0, wobble: 1_500.0 },
    SeriesRow { product: App, kind: Satisfaction, start: 18.0, step: 1.0, wobble: 2.0 },
    SeriesRow { product: Portal, kind: Adoption, start: 27.0, step: 1.0, wobble: 1.0 },
    SeriesRow { product: Portal, kind: Retention, start: 74.0, step: 0.75, wobble: 1.5 },
    SeriesRow { product: Portal, kind: Revenue, start: 96_000.0, step: 2_500.0, wobble: 1_000.0 },
    SeriesRow { product: Portal, kind: Satisfaction, start: -6.0, step: 1.5, wobble: 2.0 },
];

/// A released work item's adoption (% of active accounts), one value a week from its release day.
pub(super) struct ReleasedRow {
    pub product: ProductKey,
    /// The work item, by title; the demo creates it done, with [`ReleasedRow::released_on`].
    pub item: &'static str,
    /// The item's release date, stored as its `released_on`.
    pub released_on: NaiveDate,
    /// Week 0 (the release day), week 1, ...
    pub weekly: &'static [f64],
}

const fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("impossible date in the demo tables"),
    }
}

/// Days between two points of a [`ReleasedRow`].
pub(super) const DAYS_PER_POINT: u64 = 7;

pub(super) const RELEASED: &[ReleasedRow] = &[
    ReleasedRow {
        product: App,
        item: "Set and reset the app PIN",
        released_on: ymd(2026, 6, 9),
        weekly: &[2.0, 9.5, 17.0, 23.5, 28.5, 32.0, 34.5, 36.0],
    },
    ReleasedRow {
        product: Portal,
        item: "Change address with proof upload",
        released_on: ymd(2026, 7, 14),
        weekly: &[0.5, 2.5, 5.0, 7.5, 9.5, 11.0, 12.0, 12.5],
    },
];

/// The release date the demo stores on the item titled `title`, if it is one of [`RELEASED`].
pub(super) fn released_on(title: &str) -> Option<NaiveDate> {
    RELEASED.iter().find(|row| row.item == title).map(|row| row.released_on)
}

impl ReleasedRow {
    /// The points, dated from `release_day` on; `None` past the end of the calendar.
    pub(super) fn points(&self, release_day: NaiveDate) -> Option<Vec<(NaiveDate, f64)>> {
        (0..)
            .zip(self.weekly)
            .map(|(week, value)| {
                release_day.checked_add_days(Days::new(week * DAYS_PER_POINT)).map(|day| (day, *value))
            })
            .collect()
    }
}

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
        let revenue = SERIES.iter().find(|s| s.product == App && s.kind == Revenue).unwrap();
        assert_eq!((revenue.value(0), revenue.value(11)), (182_000.0, 255_000.0));
        assert_eq!(
            (month_end(2), month_end(12)),
            (NaiveDate::from_ymd_opt(2026, 2, 28), NaiveDate::from_ymd_opt(2026, 12, 31))
        );
    }

    #[test]
    fn released_items_adoption_rises_weekly_from_the_release_day() {
        let release = NaiveDate::from_ymd_opt(2031, 12, 19).unwrap();
        for row in RELEASED {
            let points = row.points(release).unwrap();
            assert_eq!(points.len(), 8, "{}", row.item);
            assert_eq!(points[0].0, release, "the first point is on the release day");
            for pair in points.windows(2) {
                assert_eq!((pair[1].0 - pair[0].0).num_days(), 7, "{}", row.item);
                assert!(pair[1].1 > pair[0].1, "{} keeps rising", row.item);
            }
            for (_, value) in &points {
                assert!(Adoption.check_value("value", *value).is_ok(), "{} {value}", row.item);
            }
        }
        let app = RELEASED[0].points(release).unwrap();
        assert_eq!(app.last().copied(), Some((NaiveDate::from_ymd_opt(2032, 2, 6).unwrap(), 36.0)));
        let last: Vec<_> =
            RELEASED.iter().map(|row| row.points(row.released_on).unwrap().last().unwrap().0.to_string()).collect();
        assert_eq!(last, ["2026-07-28", "2026-09-01"], "every demo point lies before November 2026");
        assert_eq!(released_on("Change address with proof upload"), NaiveDate::from_ymd_opt(2026, 7, 14));
        assert_eq!(released_on("Lock the app after five failed attempts"), None);
        assert_eq!(RELEASED[0].points(NaiveDate::MAX), None, "past the end of the calendar");
    }
}
