//! Activity calendars: the periods in which an activity pauses because a resource it needs is
//! off (a team's own holidays inside the program's working days).
//!
//! An activity of duration `d > 0` under a calendar starts on one of its working periods, works
//! `d` working periods and finishes the period after the last of them; the off periods in
//! between only stretch it. A zero-duration activity never pauses. Without a calendar every
//! period is a working one and `finish = start + d`, so every formula below reduces to the
//! plain one.

use crate::model::OffPeriod;

/// Off periods of one calendar, sorted, merged (no two touch) and non-negative, with the number
/// of off periods before each range, so that counting working periods is a binary search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Calendar {
    /// `[start, end)` ranges.
    off: Vec<(i64, i64)>,
    /// `off_before[k]`: off periods in ranges `0..k` (one more entry than `off`).
    off_before: Vec<i64>,
    /// `worked_before_range[k]`: working periods before range `k` starts.
    worked_before_range: Vec<i64>,
}

impl Calendar {
    /// The union of `ranges` (empty ones ignored); `None` when no period is off.
    pub(crate) fn new(ranges: impl IntoIterator<Item = OffPeriod>) -> Option<Calendar> {
        let mut sorted: Vec<(i64, i64)> =
            ranges.into_iter().filter(|r| r.end > r.start).map(|r| (r.start, r.end)).collect();
        sorted.sort_unstable();
        let mut off: Vec<(i64, i64)> = Vec::with_capacity(sorted.len());
        for (start, end) in sorted {
            match off.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => off.push((start, end)),
            }
        }
        if off.is_empty() {
            return None;
        }
        let mut off_before = Vec::with_capacity(off.len() + 1);
        let mut total = 0;
        off_before.push(0);
        for &(start, end) in &off {
            total += end - start;
            off_before.push(total);
        }
        let worked_before_range = off.iter().zip(&off_before).map(|(&(start, _), before)| start - before).collect();
        Some(Calendar { off, off_before, worked_before_range })
    }

    /// The off ranges, sorted and merged.
    #[cfg(test)]
    pub(crate) fn ranges(&self) -> &[(i64, i64)] {
        &self.off
    }

    /// Index of the first range ending after `t` (the one holding `t`, or the next one).
    fn range_after(&self, t: i64) -> usize {
        self.off.partition_point(|&(_, end)| end <= t)
    }

    /// The first working period at or after `t`.
    pub(crate) fn next_working(&self, t: i64) -> i64 {
        match self.off.get(self.range_after(t)) {
            Some(&(start, end)) if start <= t => end,
            _ => t,
        }
    }

    /// The last working period at or before `t`.
    pub(crate) fn prev_working(&self, t: i64) -> i64 {
        match self.off.get(self.range_after(t)) {
            Some(&(start, _)) if start <= t => start - 1,
            _ => t,
        }
    }

    /// Working periods before `t`, counted from period 0 (negative below 0: no range is).
    pub(crate) fn worked_before(&self, t: i64) -> i64 {
        let k = self.range_after(t);
        let inside = match self.off.get(k) {
            Some(&(start, _)) if start < t => t - start,
            _ => 0,
        };
        t - self.off_before[k] - inside
    }

    /// Working periods in `[start, finish)`.
    pub(crate) fn working_between(&self, start: i64, finish: i64) -> i64 {
        self.worked_before(finish) - self.worked_before(start)
    }

    /// The working period with `k` working periods before it.
    fn nth_working(&self, k: i64) -> i64 {
        // Every range that starts after at most `k` working periods lies before the answer.
        let m = self.worked_before_range.partition_point(|&worked| worked <= k);
        k + self.off_before[m]
    }

    /// Start and finish of `d` working periods begun at the earliest at `t`.
    pub(crate) fn place(&self, t: i64, d: i64) -> (i64, i64) {
        if d == 0 {
            return (t, t);
        }
        let start = self.next_working(t);
        (start, self.nth_working(self.worked_before(start) + d - 1) + 1)
    }

    /// The latest start of `d` working periods that finish by `f`.
    pub(crate) fn latest_start(&self, f: i64, d: i64) -> i64 {
        if d == 0 {
            return f;
        }
        self.nth_working(self.worked_before(f) - d)
    }

    /// The finish of `d` working periods begun at `start` (a working period, or `d == 0`).
    pub(crate) fn finish(&self, start: i64, d: i64) -> i64 {
        self.place(start, d).1
    }

    /// The working segments `[a, b)` of `[start, finish)`, in order.
    pub(crate) fn segments(&self, start: i64, finish: i64) -> Segments<'_> {
        Segments { off: &self.off[self.range_after(start)..], at: start, finish }
    }
}

/// The working segments of `[start, finish)` on `calendar`: the whole range without one.
pub(crate) fn working_segments(calendar: Option<&Calendar>, start: i64, finish: i64) -> Segments<'_> {
    match calendar {
        Some(c) => c.segments(start, finish),
        None => Segments { off: &[], at: start, finish },
    }
}

/// Iterator over the working segments of a period range (see [`Calendar::segments`]).
pub(crate) struct Segments<'c> {
    off: &'c [(i64, i64)],
    at: i64,
    finish: i64,
}

impl Iterator for Segments<'_> {
    type Item = (i64, i64);

    fn next(&mut self) -> Option<(i64, i64)> {
        while self.at < self.finish {
            match self.off.split_first() {
                Some((&(start, end), rest)) if start <= self.at => {
                    self.at = self.at.max(end);
                    self.off = rest;
                }
                Some((&(start, _), _)) => {
                    let segment = (self.at, start.min(self.finish));
                    self.at = segment.1;
                    return Some(segment);
                }
                None => {
                    let segment = (self.at, self.finish);
                    self.at = self.finish;
                    return Some(segment);
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calendar(ranges: &[(i64, i64)]) -> Calendar {
        Calendar::new(ranges.iter().map(|&(start, end)| OffPeriod { start, end })).expect("some period off")
    }

    /// Periods 0..40 one by one: whether each is a working one.
    fn working(c: &Calendar) -> Vec<bool> {
        (0..40).map(|t| !c.ranges().iter().any(|&(a, b)| a <= t && t < b)).collect()
    }

    #[test]
    fn ranges_are_merged_and_empty_ones_dropped() {
        let c = calendar(&[(5, 7), (3, 5), (10, 10), (6, 9), (20, 21)]);
        assert_eq!(c.ranges(), &[(3, 9), (20, 21)]);
        assert!(Calendar::new([OffPeriod { start: 4, end: 4 }]).is_none());
    }

    #[test]
    fn places_count_working_periods_only() {
        // Off: 2, 3 and 7.
        let c = calendar(&[(2, 4), (7, 8)]);
        assert_eq!(c.place(0, 2), (0, 2));
        assert_eq!(c.place(0, 3), (0, 5));
        assert_eq!(c.place(2, 1), (4, 5));
        assert_eq!(c.place(1, 4), (1, 7));
        assert_eq!(c.place(1, 5), (1, 9));
        assert_eq!(c.place(9, 3), (9, 12));
        assert_eq!(c.place(3, 0), (3, 3));
        assert_eq!(c.latest_start(9, 5), 1);
        assert_eq!(c.latest_start(8, 5), 0);
        assert_eq!(c.latest_start(7, 2), 5);
        assert_eq!(c.latest_start(4, 1), 1);
        assert_eq!(c.latest_start(1, 3), -2);
        assert_eq!(c.next_working(2), 4);
        assert_eq!(c.prev_working(3), 1);
        assert_eq!(c.prev_working(8), 8);
        assert_eq!(c.segments(1, 9).collect::<Vec<_>>(), vec![(1, 2), (4, 7), (8, 9)]);
        assert_eq!(c.segments(2, 4).count(), 0);
    }

    #[test]
    fn every_placement_agrees_with_counting_period_by_period() {
        let c = calendar(&[(0, 1), (4, 6), (9, 10), (11, 12), (20, 27)]);
        let work = working(&c);
        for t in 0..30i64 {
            for d in 1..6i64 {
                let (start, finish) = c.place(t, d);
                let expected_start = (t..).find(|&p| work[p as usize]).expect("a working period");
                assert_eq!(start, expected_start, "start from {t}");
                let mut left = d;
                let mut p = start;
                while left > 0 {
                    if work[p as usize] {
                        left -= 1;
                    }
                    p += 1;
                }
                assert_eq!(finish, p, "finish of {d} from {t}");
                let worked: Vec<i64> = c.segments(start, finish).flat_map(|(a, b)| a..b).collect();
                assert_eq!(worked.len() as i64, d);
                assert!(worked.iter().all(|&q| work[q as usize]));
                // The latest start finishing by `finish` is `start` again, and one period less
                // of room moves it to an earlier working period.
                assert_eq!(c.latest_start(finish, d), start, "latest start by {finish}");
                if start > d {
                    assert!(c.place(c.latest_start(finish - 1, d), d).1 < finish);
                }
            }
        }
    }
}
