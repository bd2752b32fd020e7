//! Server-side SVG charts of a program schedule: the Gantt chart (one row per activity grouped by
//! project, critical bars hatched, milestones as diamonds, dependency arrows, month ticks) and one
//! load histogram per team (people busy per working day against a capacity line). Both mark
//! today's date with the "Today" line ([`today_mark`], which the forecast's charts draw too).
//!
//! Markup is written by [`Svg`], which escapes every attribute value and every text it is given,
//! so titles typed by users can never become markup. Element and attribute names are literals.

use std::collections::HashMap;
use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};
use tandem_domain::forecasting::DateRule;
use tandem_domain::planning::{ProgramSchedule, ScheduleEntry, TeamLoad};
use tandem_domain::{DependencyKind, NodeRef, ProjectId};

/// A tiny SVG writer: elements with escaped attributes and text.
#[derive(Debug, Default)]
pub struct Svg {
    out: String,
}

/// Escapes text for an XML attribute value or text node.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

impl Svg {
    fn start_tag(&mut self, name: &'static str, attrs: &[(&'static str, String)]) {
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attrs {
            let _ = write!(self.out, " {key}=\"{}\"", escape(value));
        }
    }

    /// `<name attrs>`; close it with [`Svg::close`].
    pub fn open(&mut self, name: &'static str, attrs: &[(&'static str, String)]) {
        self.start_tag(name, attrs);
        self.out.push('>');
    }

    pub fn close(&mut self, name: &'static str) {
        let _ = write!(self.out, "</{name}>");
    }

    /// `<name attrs/>`.
    pub fn empty(&mut self, name: &'static str, attrs: &[(&'static str, String)]) {
        self.start_tag(name, attrs);
        self.out.push_str("/>");
    }

    /// `<name attrs>text</name>`.
    pub fn text(&mut self, name: &'static str, attrs: &[(&'static str, String)], text: &str) {
        self.open(name, attrs);
        self.out.push_str(&escape(text));
        self.close(name);
    }

    /// An element holding only a `<title>` tooltip.
    pub fn with_title(&mut self, name: &'static str, attrs: &[(&'static str, String)], title: &str) {
        self.open(name, attrs);
        self.text("title", &[], title);
        self.close(name);
    }

    pub fn finish(self) -> String {
        self.out
    }
}

pub(crate) fn num(value: f64) -> String {
    // One decimal is plenty at screen resolution and keeps the markup small.
    let rounded = (value * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 { format!("{}", rounded as i64) } else { format!("{rounded:.1}") }
}

const LABEL_WIDTH: f64 = 280.0;
const ROW_HEIGHT: f64 = 22.0;
const BAR_HEIGHT: f64 = 14.0;
const AXIS_HEIGHT: f64 = 28.0;
const HISTOGRAM_HEIGHT: f64 = 90.0;
/// Width the timeline aims for; each calendar day gets 3 to 24 pixels.
const TARGET_TIMELINE_WIDTH: f64 = 1100.0;
/// Labels longer than this are cut (the full title is in the tooltip).
const LABEL_CHARS: usize = 40;
/// Most ticks on a time axis.
const MAX_TICKS: i64 = 48;
/// Months between ticks, the first that keeps a range under [`MAX_TICKS`].
const TICK_STEPS: [i64; 14] = [1, 2, 3, 6, 12, 24, 60, 120, 240, 600, 1200, 2400, 6000, 12000];
/// Working days up to which the load histogram breaks its bars at days off (about ten years);
/// longer schedules draw a bar per run of equal load across them, to stay small.
const DAILY_DETAIL_PERIODS: usize = 2_600;

/// The calendar-day scale shared by the Gantt chart and the histograms, so they line up.
#[derive(Debug, Clone, Copy)]
pub struct TimeScale {
    first: NaiveDate,
    days: i64,
    day_width: f64,
}

impl TimeScale {
    pub fn new(schedule: &ProgramSchedule) -> TimeScale {
        let first = schedule.periods.first().copied().unwrap_or(schedule.finish);
        let last = schedule.entries.iter().map(|e| e.finish).chain([schedule.finish]).max().unwrap_or(first);
        let days = (last - first).num_days().max(0) + 1;
        let day_width = (TARGET_TIMELINE_WIDTH / days as f64).clamp(3.0, 24.0);
        TimeScale { first, days, day_width }
    }

    /// Left edge of `date`'s column.
    fn x(&self, date: NaiveDate) -> f64 {
        LABEL_WIDTH + (date - self.first).num_days() as f64 * self.day_width
    }

    /// Where the "today" line goes, or `None` when `today` lies outside the chart's range.
    /// `periods` are the working days of the chart's calendar, in order. On a working day the
    /// line is at the left edge of today's column: the day is still ahead, so work dated today
    /// starts right of it. On a day off (a weekend, a holiday) no work happens until the next
    /// working day, so the line sits at the boundary before that day, where its work starts;
    /// when no working day follows within the periods, at today's own left edge.
    fn today_x(&self, periods: &[NaiveDate], today: NaiveDate) -> Option<f64> {
        let offset = (today - self.first).num_days();
        if offset < 0 || offset >= self.days {
            return None;
        }
        let next_working = periods
            .get(periods.partition_point(|&p| p < today))
            .copied()
            .filter(|&p| (p - self.first).num_days() < self.days);
        Some(self.x(next_working.unwrap_or(today)))
    }

    fn width(&self) -> f64 {
        LABEL_WIDTH + self.days as f64 * self.day_width + 8.0
    }

    /// Month boundaries inside the range, with their labels: every month, or on a long range
    /// every few months or years, so that there are at most [`MAX_TICKS`] whatever the range.
    fn months(&self) -> Vec<(NaiveDate, String)> {
        let last =
            self.first.checked_add_days(chrono::Days::new((self.days - 1).max(0) as u64)).unwrap_or(NaiveDate::MAX);
        // Months counted from year 0, so a step of years lands on Januaries.
        let index = |date: NaiveDate| i64::from(date.year()) * 12 + i64::from(date.month0());
        let (from, to) = (index(self.first), index(last));
        let span = to - from + 1;
        let step = TICK_STEPS.iter().copied().find(|step| span / step < MAX_TICKS).unwrap_or(span.max(1));
        let format = if step < 12 { "%b %Y" } else { "%Y" };
        let mut ticks = Vec::new();
        // The first month of the range, then every step's month after it.
        let mut month = from;
        while month <= to {
            let date = i32::try_from(month.div_euclid(12))
                .ok()
                .and_then(|year| NaiveDate::from_ymd_opt(year, month.rem_euclid(12) as u32 + 1, 1));
            if let Some(date) = date {
                ticks.push((date.max(self.first), date.format(format).to_string()));
            }
            month = month - month.rem_euclid(step) + step;
        }
        ticks
    }

    fn axis(&self, svg: &mut Svg, height: f64) {
        svg.open("g", &[("class", "axis".into())]);
        for (date, label) in self.months() {
            let x = num(self.x(date));
            svg.empty(
                "line",
                &[
                    ("x1", x.clone()),
                    ("x2", x.clone()),
                    ("y1", "0".into()),
                    ("y2", num(height)),
                    ("class", "tick".into()),
                ],
            );
            svg.text("text", &[("x", num(self.x(date) + 3.0)), ("y", "16".into())], &label);
        }
        svg.close("g");
    }
}

/// A row of the Gantt chart.
enum Row<'a> {
    Project(String),
    Activity(usize, &'a ScheduleEntry),
}

/// `days`: the days its team works in its span and the days off it pauses over, when known
/// ([`ProgramSchedule::working_days`], [`ProgramSchedule::days_off`]).
fn tooltip(entry: &ScheduleEntry, days: Option<(i64, i64)>) -> String {
    let what = match entry.node {
        NodeRef::WorkItem(_) => "work item",
        NodeRef::Milestone(_) => "milestone",
    };
    let span = entry.duration();
    let (worked, off) = days.unwrap_or((span, 0));
    let when = if span == 0 {
        format!("{}", entry.start)
    } else if off > 0 {
        let days_off = if off == 1 { "1 day off".to_owned() } else { format!("{off} days off") };
        format!("{} to {}, {worked} working days and {days_off}", entry.start, entry.finish)
    } else {
        format!("{} to {}, {worked} working days", entry.start, entry.finish)
    };
    let critical = if entry.critical { ", critical" } else { "" };
    format!("{} ({what}): {when}{critical}, total float {} days", entry.title, entry.total_float)
}

pub(crate) fn short(text: &str) -> String {
    if text.chars().count() <= LABEL_CHARS {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(LABEL_CHARS - 1).collect();
        format!("{cut}…")
    }
}

/// The Gantt chart. `projects` gives the project order and names; activities of other or no
/// projects come last under "Other". `today` (the caller's clock, passed in so the drawing stays
/// pure) is marked with a vertical line when it falls inside the chart's range. `days` per
/// entry, working days and days off ([`ProgramSchedule::working_days`],
/// [`ProgramSchedule::days_off`]; missing ones count the span), go in the bars' tooltips.
pub fn gantt_svg(
    schedule: &ProgramSchedule,
    projects: &[(ProjectId, String)],
    scale: &TimeScale,
    today: NaiveDate,
    days: &[(i64, i64)],
) -> String {
    let mut rows: Vec<Row<'_>> = Vec::new();
    let mut groups: Vec<(Option<ProjectId>, String)> =
        projects.iter().map(|(id, name)| (Some(*id), name.clone())).collect();
    groups.push((None, "Other".to_owned()));
    for (project, name) in &groups {
        let mut members: Vec<(usize, &ScheduleEntry)> = schedule
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| match project {
                Some(p) => e.project_id == Some(*p),
                None => e.project_id.is_none_or(|p| !projects.iter().any(|(id, _)| *id == p)),
            })
            .collect();
        if members.is_empty() {
            continue;
        }
        members.sort_by(|a, b| {
            (a.1.start_period, a.1.finish_period, &a.1.title).cmp(&(b.1.start_period, b.1.finish_period, &b.1.title))
        });
        rows.push(Row::Project(name.clone()));
        rows.extend(members.into_iter().map(|(i, e)| Row::Activity(i, e)));
    }

    let height = AXIS_HEIGHT + rows.len() as f64 * ROW_HEIGHT + 4.0;
    let width = scale.width();
    let mut svg = Svg::default();
    svg.open(
        "svg",
        &[
            ("xmlns", "http://www.w3.org/2000/svg".into()),
            ("class", "gantt".into()),
            ("width", num(width)),
            ("height", num(height)),
            ("viewBox", format!("0 0 {} {}", num(width), num(height))),
            ("role", "img".into()),
            ("aria-labelledby", "gantt-title".into()),
        ],
    );
    svg.text("title", &[("id", "gantt-title".into())], "Gantt chart of the program schedule");
    svg.open("defs", &[]);
    svg.open(
        "pattern",
        &[
            ("id", "critical-hatch".into()),
            ("width", "6".into()),
            ("height", "6".into()),
            ("patternUnits", "userSpaceOnUse".into()),
            ("patternTransform", "rotate(45)".into()),
        ],
    );
    svg.empty("rect", &[("width", "6".into()), ("height", "6".into()), ("class", "hatch-ground".into())]);
    svg.empty(
        "line",
        &[
            ("x1", "0".into()),
            ("y1", "0".into()),
            ("x2", "0".into()),
            ("y2", "6".into()),
            ("class", "hatch-line".into()),
        ],
    );
    svg.close("pattern");
    svg.open(
        "marker",
        &[
            ("id", "arrow-head".into()),
            ("viewBox", "0 0 8 8".into()),
            ("refX", "7".into()),
            ("refY", "4".into()),
            ("markerWidth", "6".into()),
            ("markerHeight", "6".into()),
            ("orient", "auto".into()),
        ],
    );
    svg.empty("path", &[("d", "M0,0 L8,4 L0,8 z".into()), ("class", "arrow-head".into())]);
    svg.close("marker");
    svg.close("defs");

    scale.axis(&mut svg, height);

    // Where each activity's row is, for the arrows.
    let mut row_of: HashMap<usize, f64> = HashMap::new();
    svg.open("g", &[("class", "rows".into())]);
    for (r, row) in rows.iter().enumerate() {
        let top = AXIS_HEIGHT + r as f64 * ROW_HEIGHT;
        let baseline = num(top + ROW_HEIGHT / 2.0 + 4.0);
        match row {
            Row::Project(name) => {
                svg.empty(
                    "rect",
                    &[
                        ("x", "0".into()),
                        ("y", num(top)),
                        ("width", num(width)),
                        ("height", num(ROW_HEIGHT)),
                        ("class", "project-row".into()),
                    ],
                );
                svg.text("text", &[("x", "4".into()), ("y", baseline), ("class", "project-label".into())], name);
            }
            Row::Activity(i, entry) => {
                row_of.insert(*i, top + ROW_HEIGHT / 2.0);
                svg.open("g", &[("class", "row-label".into())]);
                svg.text("title", &[], &entry.title);
                svg.text("text", &[("x", "12".into()), ("y", baseline)], &short(&entry.title));
                svg.close("g");
            }
        }
    }
    svg.close("g");

    // Where each diamond sits (activities that take no time), for the arrows and the diamonds.
    let rules = schedule.date_rules();
    let diamond_x = |i: usize, entry: &ScheduleEntry| -> Option<f64> {
        (entry.duration() == 0)
            .then(|| milestone_x(scale, schedule, rules.get(i).copied().unwrap_or(DateRule::OnThePeriod), entry))
    };

    // Arrows under the bars, so bars stay readable where they cross.
    svg.open("g", &[("class", "links".into())]);
    for link in &schedule.links {
        let (Some(from), Some(to)) = (schedule.entries.get(link.predecessor), schedule.entries.get(link.successor))
        else {
            continue;
        };
        let (Some(&y1), Some(&y2)) = (row_of.get(&link.predecessor), row_of.get(&link.successor)) else {
            continue;
        };
        let from_x = diamond_x(link.predecessor, from).unwrap_or_else(|| match link.kind {
            DependencyKind::FinishToStart | DependencyKind::FinishToFinish => bar_end(scale, from),
            DependencyKind::StartToStart | DependencyKind::StartToFinish => scale.x(from.start),
        });
        let to_x = diamond_x(link.successor, to).unwrap_or_else(|| match link.kind {
            DependencyKind::FinishToStart | DependencyKind::StartToStart => scale.x(to.start),
            DependencyKind::FinishToFinish | DependencyKind::StartToFinish => bar_end(scale, to),
        });
        let elbow = from_x + 4.0;
        let d = format!("M{},{} H{} V{} H{}", num(from_x), num(y1), num(elbow), num(y2), num(to_x));
        let class = if from.critical && to.critical { "link link-critical" } else { "link" };
        svg.open("path", &[("d", d), ("class", class.into()), ("marker-end", "url(#arrow-head)".into())]);
        svg.text("title", &[], &format!("{} {} {}", from.title, link.kind.abbreviation(), to.title));
        svg.close("path");
    }
    svg.close("g");

    svg.open("g", &[("class", "bars".into())]);
    for (i, entry) in schedule.entries.iter().enumerate() {
        let Some(&mid) = row_of.get(&i) else { continue };
        let critical = if entry.critical { " critical" } else { "" };
        if let Some(x) = diamond_x(i, entry) {
            let r = BAR_HEIGHT / 2.0;
            let points = format!(
                "{},{} {},{} {},{} {},{}",
                num(x),
                num(mid - r),
                num(x + r),
                num(mid),
                num(x),
                num(mid + r),
                num(x - r),
                num(mid)
            );
            svg.with_title(
                "polygon",
                &[("points", points), ("class", format!("milestone{critical}"))],
                &tooltip(entry, days.get(i).copied()),
            );
        } else {
            let x = scale.x(entry.start);
            svg.with_title(
                "rect",
                &[
                    ("x", num(x)),
                    ("y", num(mid - BAR_HEIGHT / 2.0)),
                    ("width", num((bar_end(scale, entry) - x).max(2.0))),
                    ("height", num(BAR_HEIGHT)),
                    ("rx", "2".into()),
                    ("class", format!("bar{critical}")),
                ],
                &tooltip(entry, days.get(i).copied()),
            );
        }
    }
    svg.close("g");
    today_line(&mut svg, scale, &schedule.periods, today, height);
    svg.close("svg");
    svg.finish()
}

/// The "today" line, over the bars, when `today` lies within the chart's range; nothing else.
fn today_line(svg: &mut Svg, scale: &TimeScale, periods: &[NaiveDate], today: NaiveDate, height: f64) {
    let Some(x) = scale.today_x(periods, today) else { return };
    let working = periods.binary_search(&today).is_ok();
    today_mark(svg, today, working, x, (AXIS_HEIGHT - 8.0, height), AXIS_HEIGHT - 2.0);
}

/// The "today" mark every chart with a date axis draws (the schedule's Gantt chart and load
/// histograms, the forecast's S-curve, finish histogram and criticality Gantt chart), alike on
/// each: a group of class `today` titled "Today: 2026-03-04" (with "(not a working day)" on a
/// weekend or holiday), holding a vertical `today-line` at `x` from `top` down to `bottom` and
/// the label "Today" just right of it at `label_y`. Where `x` is, and whether to draw it at all,
/// is the chart's own scale's business.
pub(crate) fn today_mark(
    svg: &mut Svg,
    today: NaiveDate,
    working: bool,
    x: f64,
    (top, bottom): (f64, f64),
    label_y: f64,
) {
    let title = if working { format!("Today: {today}") } else { format!("Today: {today} (not a working day)") };
    svg.open("g", &[("class", "today".into())]);
    svg.text("title", &[], &title);
    svg.empty(
        "line",
        &[("x1", num(x)), ("x2", num(x)), ("y1", num(top)), ("y2", num(bottom)), ("class", "today-line".into())],
    );
    svg.text("text", &[("x", num(x + 3.0)), ("y", num(label_y)), ("class", "today-label".into())], "Today");
    svg.close("g");
}

/// Where an activity that takes no time is drawn: at its period's boundary. A milestone reached
/// by finishing work is dated on that work's last day, the day before its period: it sits at
/// that day's right edge, where the work's bar ends. Any other (and one raised to its project's
/// start) is dated by its period: the left edge of its date's column.
fn milestone_x(scale: &TimeScale, schedule: &ProgramSchedule, rule: DateRule, entry: &ScheduleEntry) -> f64 {
    // Dated on the period before its own (not raised to its project's start).
    let before_its_period = usize::try_from(entry.start_period - 1).ok().and_then(|p| schedule.periods.get(p));
    let after_work = matches!(entry.node, NodeRef::Milestone(_))
        && rule == DateRule::LastWorkingDay
        && before_its_period == Some(&entry.start);
    if after_work { scale.x(entry.start) + scale.day_width } else { scale.x(entry.start) }
}

/// Right edge of an activity's last day.
fn bar_end(scale: &TimeScale, entry: &ScheduleEntry) -> f64 {
    scale.x(entry.finish) + scale.day_width
}

/// One team's histogram: a bar per working day (load), overloads marked, and a capacity line.
/// `today` is marked as on the Gantt chart (same scale, same rule): a line over the bars when it
/// falls inside the range, nothing otherwise.
pub fn histogram_svg(schedule: &ProgramSchedule, load: &TeamLoad, scale: &TimeScale, today: NaiveDate) -> String {
    let peak = load.peak().max(1) as f64;
    let plot = HISTOGRAM_HEIGHT - AXIS_HEIGHT - 4.0;
    let y = |people: i64| AXIS_HEIGHT + plot - people as f64 / peak * plot;
    let width = scale.width();
    let mut svg = Svg::default();
    svg.open(
        "svg",
        &[
            ("xmlns", "http://www.w3.org/2000/svg".into()),
            ("class", "histogram".into()),
            ("width", num(width)),
            ("height", num(HISTOGRAM_HEIGHT)),
            ("viewBox", format!("0 0 {} {}", num(width), num(HISTOGRAM_HEIGHT))),
            ("role", "img".into()),
        ],
    );
    svg.text("title", &[], &format!("Load of {} per working day against its capacity", load.name));
    scale.axis(&mut svg, HISTOGRAM_HEIGHT);
    svg.text(
        "text",
        &[("x", "4".into()), ("y", num(AXIS_HEIGHT + 12.0)), ("class", "project-label".into())],
        &short(&load.name),
    );
    svg.text(
        "text",
        &[("x", "4".into()), ("y", num(AXIS_HEIGHT + 28.0))],
        &format!(
            "peak {} of {} people",
            load.load.iter().max().copied().unwrap_or(0),
            load.capacity.iter().max().copied().unwrap_or(0)
        ),
    );
    // One bar per run of working days with the same load and capacity, and one step of the line
    // per run of the same capacity: the markup grows with the changes, not with the days (a
    // schedule may span thousands of years).
    svg.open("g", &[("class", "load".into())]);
    let busy = load.load.iter().zip(&load.capacity).map(|(&people, &capacity)| (people, capacity));
    let split_at_gaps = schedule.periods.len() <= DAILY_DETAIL_PERIODS;
    for ((people, capacity), first, last, days) in runs(busy, &schedule.periods, split_at_gaps) {
        if people == 0 {
            continue;
        }
        let over = if people > capacity { " over" } else { "" };
        let (x0, x1) = (scale.x(first), scale.x(last) + scale.day_width);
        let when = if days == 1 { first.to_string() } else { format!("{first} to {last} ({days} working days)") };
        svg.with_title(
            "rect",
            &[
                ("x", num(x0)),
                ("y", num(y(people))),
                ("width", num((x1 - x0 - 0.5).max(1.0))),
                ("height", num(y(0) - y(people))),
                ("class", format!("load-bar{over}")),
            ],
            &format!("{when}: {people} of {capacity} people busy"),
        );
    }
    svg.close("g");
    // The capacity as a step line over the working days.
    let mut d = String::new();
    for (i, (capacity, first, last, _)) in
        runs(load.capacity.iter().copied(), &schedule.periods, false).into_iter().enumerate()
    {
        let (x0, x1) = (scale.x(first), scale.x(last) + scale.day_width);
        // Steps only: across the days off between two runs the line keeps the earlier level,
        // then rises or falls where the next run begins.
        let _ = if i == 0 {
            write!(d, "M{},{} H{} ", num(x0), num(y(capacity)), num(x1))
        } else {
            write!(d, "H{} V{} H{} ", num(x0), num(y(capacity)), num(x1))
        };
    }
    if !d.is_empty() {
        svg.with_title("path", &[("d", d.trim_end().to_owned()), ("class", "capacity".into())], "capacity");
    }
    today_line(&mut svg, scale, &schedule.periods, today, HISTOGRAM_HEIGHT);
    svg.close("svg");
    svg.finish()
}

/// Runs of equal values over consecutive periods (as far as `periods` has dates): each value
/// with the dates of its first and last period and how many periods it lasts. With
/// `split_at_gaps`, a run also ends where the calendar skips days (a weekend, a holiday), so
/// the chart keeps showing the days off.
fn runs<T: PartialEq + Copy>(
    values: impl Iterator<Item = T>,
    periods: &[NaiveDate],
    split_at_gaps: bool,
) -> Vec<(T, NaiveDate, NaiveDate, usize)> {
    let mut runs: Vec<(T, NaiveDate, NaiveDate, usize)> = Vec::new();
    for (value, &date) in values.zip(periods) {
        match runs.last_mut() {
            Some((current, _, last, days))
                if *current == value && (!split_at_gaps || last.succ_opt() == Some(date)) =>
            {
                *last = date;
                *days += 1;
            }
            _ => runs.push((value, date, date, 1)),
        }
    }
    runs
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped() {
        let mut svg = Svg::default();
        svg.text("text", &[("class", "a\"b<c".into())], "<script>alert('x') & more</script>");
        assert_eq!(
            svg.finish(),
            "<text class=\"a&quot;b&lt;c\">&lt;script&gt;alert(&#39;x&#39;) &amp; more&lt;/script&gt;</text>"
        );
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn entry(node: NodeRef, title: &str, periods: (i64, i64), dates: (NaiveDate, NaiveDate)) -> ScheduleEntry {
        ScheduleEntry {
            node,
            title: title.into(),
            project_id: None,
            team_id: None,
            people: 0,
            start_period: periods.0,
            finish_period: periods.1,
            start: dates.0,
            finish: dates.1,
            critical: false,
            total_float: 0,
        }
    }

    #[test]
    fn a_bars_tooltip_names_the_days_off_it_pauses_over() {
        use tandem_domain::WorkItemId;
        let task =
            entry(NodeRef::WorkItem(WorkItemId::generate()), "Task", (0, 7), (day(2026, 3, 2), day(2026, 3, 10)));
        assert_eq!(
            tooltip(&task, Some((5, 2))),
            "Task (work item): 2026-03-02 to 2026-03-10, 5 working days and 2 days off, total float 0 days"
        );
        assert_eq!(
            tooltip(&task, Some((6, 1))),
            "Task (work item): 2026-03-02 to 2026-03-10, 6 working days and 1 day off, total float 0 days"
        );
        // Unknown (or no pause): the span.
        assert_eq!(
            tooltip(&task, None),
            "Task (work item): 2026-03-02 to 2026-03-10, 7 working days, total float 0 days"
        );
        assert_eq!(tooltip(&task, Some((7, 0))), tooltip(&task, None));
    }

    #[test]
    fn a_milestone_after_work_is_drawn_where_the_work_ends() {
        use tandem_domain::planning::{ScheduleLink, ScheduleOptions};
        use tandem_domain::{MilestoneId, ProgramId, WorkItemId};
        // A on Monday-Tuesday (periods 0..2); M after it (FS) at period 2, dated Tuesday; S (SS
        // from A) at period 0, dated by its own period, Monday.
        let (monday, tuesday) = (day(2026, 3, 2), day(2026, 3, 3));
        let a = entry(NodeRef::WorkItem(WorkItemId::generate()), "A", (0, 2), (monday, tuesday));
        let m = entry(NodeRef::Milestone(MilestoneId::generate()), "M", (2, 2), (tuesday, tuesday));
        let s = entry(NodeRef::Milestone(MilestoneId::generate()), "S", (0, 0), (monday, monday));
        let link = |successor, kind| ScheduleLink { predecessor: 0, successor, kind, lag: 0 };
        let schedule = ProgramSchedule {
            program_id: ProgramId::generate(),
            computed_at: chrono::DateTime::UNIX_EPOCH,
            options: ScheduleOptions::default(),
            schedules_used: 1,
            makespan: 2,
            finish: tuesday,
            critical_path_makespan: 2,
            critical_path_finish: tuesday,
            periods: vec![monday, tuesday],
            diagnostics: vec![],
            entries: vec![a, m, s],
            links: vec![link(1, DependencyKind::FinishToStart), link(2, DependencyKind::StartToStart)],
        };
        let scale = TimeScale::new(&schedule);
        let rules = schedule.date_rules();
        assert_eq!(rules, [DateRule::LastWorkingDay, DateRule::LastWorkingDay, DateRule::OnThePeriod]);
        let (a, m, s) = (&schedule.entries[0], &schedule.entries[1], &schedule.entries[2]);
        // M sits at the right edge of Tuesday, where A's bar ends: the period boundary.
        assert_eq!(milestone_x(&scale, &schedule, rules[1], m), bar_end(&scale, a));
        assert_eq!(milestone_x(&scale, &schedule, rules[2], s), scale.x(monday));
        let svg = gantt_svg(&schedule, &[], &scale, day(2000, 1, 1), &[]);
        let top = num(bar_end(&scale, a));
        assert!(svg.contains(&format!("points=\"{top},")), "{svg}");
        assert!(svg.contains("M (milestone): 2026-03-03"), "{svg}");
    }

    /// A on Monday 2 March to Tuesday 10 March 2026, across the weekend of 7-8 March.
    fn across_a_weekend() -> ProgramSchedule {
        use tandem_domain::planning::ScheduleOptions;
        use tandem_domain::{ProgramId, WorkItemId};
        let periods: Vec<NaiveDate> = [2, 3, 4, 5, 6, 9, 10].into_iter().map(|d| day(2026, 3, d)).collect();
        let a = entry(NodeRef::WorkItem(WorkItemId::generate()), "A", (0, 7), (day(2026, 3, 2), day(2026, 3, 10)));
        ProgramSchedule {
            program_id: ProgramId::generate(),
            computed_at: chrono::DateTime::UNIX_EPOCH,
            options: ScheduleOptions::default(),
            schedules_used: 1,
            makespan: 7,
            finish: day(2026, 3, 10),
            critical_path_makespan: 7,
            critical_path_finish: day(2026, 3, 10),
            periods,
            diagnostics: vec![],
            entries: vec![a],
            links: vec![],
        }
    }

    /// The one `class="today"` group of `svg`, or `None`; panics on several (the forecast's
    /// chart tests read it too).
    pub(crate) fn today_group(svg: &str) -> Option<&str> {
        let starts: Vec<usize> = svg.match_indices("<g class=\"today\">").map(|(i, _)| i).collect();
        assert!(starts.len() <= 1, "{svg}");
        let start = *starts.first()?;
        let end = start + svg[start..].find("</g>").expect("the group's end") + "</g>".len();
        Some(&svg[start..end])
    }

    #[test]
    fn today_on_a_working_day_is_a_line_at_the_left_edge_of_its_column() {
        let schedule = across_a_weekend();
        let scale = TimeScale::new(&schedule);
        for today in [day(2026, 3, 2), day(2026, 3, 4), day(2026, 3, 10)] {
            let svg = gantt_svg(&schedule, &[], &scale, today, &[]);
            let group = today_group(&svg).expect("a today line");
            let x = num(scale.x(today));
            assert!(group.contains(&format!("<line x1=\"{x}\" x2=\"{x}\"")), "{group}");
            assert!(group.contains(&format!("<title>Today: {today}</title>")), "{group}");
            assert!(group.contains(">Today</text>"), "{group}");
            // Over the bars: drawn after them.
            assert!(svg.find("class=\"bars\"") < svg.find("class=\"today\""), "{svg}");
        }
        // Wednesday 4 March is the third column: 280 + 2 days.
        let svg = gantt_svg(&schedule, &[], &scale, day(2026, 3, 4), &[]);
        let x = num(LABEL_WIDTH + 2.0 * scale.day_width);
        assert!(today_group(&svg).is_some_and(|g| g.contains(&format!("x1=\"{x}\""))), "{svg}");
    }

    #[test]
    fn today_on_a_day_off_is_a_line_before_the_next_working_day() {
        let schedule = across_a_weekend();
        let scale = TimeScale::new(&schedule);
        let monday = num(scale.x(day(2026, 3, 9)));
        for today in [day(2026, 3, 7), day(2026, 3, 8)] {
            let svg = gantt_svg(&schedule, &[], &scale, today, &[]);
            let group = today_group(&svg).expect("a today line");
            assert!(group.contains(&format!("<line x1=\"{monday}\" x2=\"{monday}\"")), "{group}");
            assert!(group.contains(&format!("<title>Today: {today} (not a working day)</title>")), "{group}");
        }
    }

    #[test]
    fn today_outside_the_range_draws_no_line() {
        let schedule = across_a_weekend();
        let scale = TimeScale::new(&schedule);
        for today in [day(2026, 3, 1), day(2026, 3, 11), day(2025, 3, 4), day(2030, 1, 1)] {
            let svg = gantt_svg(&schedule, &[], &scale, today, &[]);
            assert!(today_group(&svg).is_none(), "{today}: {svg}");
            assert!(!svg.contains("today"), "{today}: {svg}");
        }
    }

    fn team_load(days: usize) -> TeamLoad {
        TeamLoad {
            team_id: tandem_domain::TeamId::generate(),
            name: "Core".into(),
            load: vec![1; days],
            capacity: vec![2; days],
        }
    }

    #[test]
    fn the_capacity_line_steps_across_the_days_off() {
        let schedule = across_a_weekend();
        let scale = TimeScale::new(&schedule);
        // Two people Monday 2 to Friday 6 March, one from Monday 9: the level holds over the
        // weekend (x 400 to 448) and falls where Monday begins, never a slope.
        let mut load = team_load(schedule.periods.len());
        load.capacity = vec![2, 2, 2, 2, 2, 1, 1];
        assert_eq!(schedule.periods.len(), 7);
        let svg = histogram_svg(&schedule, &load, &scale, day(2030, 1, 1));
        assert!(svg.contains("<path d=\"M280,28 H400 H448 V57 H496\" class=\"capacity\">"), "{svg}");
    }

    #[test]
    fn a_load_histogram_marks_today_as_the_gantt_chart_does() {
        let schedule = across_a_weekend();
        let scale = TimeScale::new(&schedule);
        let load = team_load(schedule.periods.len());
        // 24 pixels a day from x = 280 on Monday 2 March; the histogram is 90 high.
        let cases = [
            (day(2026, 3, 2), "280", "283", "Today: 2026-03-02"),
            (day(2026, 3, 4), "328", "331", "Today: 2026-03-04"),
            (day(2026, 3, 10), "472", "475", "Today: 2026-03-10"),
            // The weekend: the line stands before Monday 9 March, where work resumes.
            (day(2026, 3, 7), "448", "451", "Today: 2026-03-07 (not a working day)"),
            (day(2026, 3, 8), "448", "451", "Today: 2026-03-08 (not a working day)"),
        ];
        for (today, x, label_x, title) in cases {
            let svg = histogram_svg(&schedule, &load, &scale, today);
            assert_eq!(
                today_group(&svg),
                Some(
                    format!(
                        "<g class=\"today\"><title>{title}</title><line x1=\"{x}\" x2=\"{x}\" y1=\"20\" y2=\"90\" \
                         class=\"today-line\"/><text x=\"{label_x}\" y=\"26\" class=\"today-label\">Today</text></g>"
                    )
                    .as_str()
                ),
                "{today}: {svg}"
            );
            // Over the bars and the capacity line: drawn last.
            assert!(svg.find("class=\"capacity\"") < svg.find("class=\"today\""), "{svg}");
            // The Gantt chart draws the same line at the same x.
            let gantt = gantt_svg(&schedule, &[], &scale, today, &[]);
            let line = format!("<line x1=\"{x}\" x2=\"{x}\" y1=\"20\"");
            assert!(today_group(&gantt).is_some_and(|g| g.contains(&line) && g.contains(title)), "{gantt}");
        }
        // Before the first working day, after the last one, or years away: no line at all.
        for today in [day(2026, 3, 1), day(2026, 3, 11), day(2025, 3, 4), day(2030, 1, 1)] {
            let svg = histogram_svg(&schedule, &load, &scale, today);
            assert!(!svg.contains("today"), "{today}: {svg}");
        }
    }

    #[test]
    fn a_short_range_ticks_every_month_and_a_long_one_at_most_48_times() {
        let short = TimeScale { first: day(2026, 3, 2), days: 70, day_width: 10.0 };
        let ticks = short.months();
        assert_eq!(
            ticks,
            vec![
                (day(2026, 3, 2), "Mar 2026".to_owned()),
                (day(2026, 4, 1), "Apr 2026".to_owned()),
                (day(2026, 5, 1), "May 2026".to_owned()),
            ]
        );
        // From 2026 to the last date Tandem plans to: every 200 years.
        let days = (day(9999, 12, 31) - day(2026, 1, 5)).num_days() + 1;
        let long = TimeScale { first: day(2026, 1, 5), days, day_width: 3.0 };
        let ticks = long.months();
        assert_eq!(ticks.len(), 40);
        assert_eq!(ticks[0], (day(2026, 1, 5), "2026".to_owned()));
        assert_eq!(ticks[1], (day(2200, 1, 1), "2200".to_owned()));
        assert_eq!(ticks[39], (day(9800, 1, 1), "9800".to_owned()));
        // Four years: every two months.
        let four = TimeScale { first: day(2026, 1, 5), days: 4 * 365, day_width: 3.0 };
        let labels: Vec<String> = four.months().into_iter().map(|(_, label)| label).take(3).collect();
        assert_eq!(labels, ["Jan 2026", "Mar 2026", "May 2026"]);
    }

    #[test]
    fn runs_group_equal_neighbours() {
        let periods = [day(2026, 3, 2), day(2026, 3, 3), day(2026, 3, 4), day(2026, 3, 5), day(2026, 3, 9)];
        let got = runs([2, 2, 0, 2, 2].into_iter(), &periods, false);
        assert_eq!(
            got,
            vec![
                (2, day(2026, 3, 2), day(2026, 3, 3), 2),
                (0, day(2026, 3, 4), day(2026, 3, 4), 1),
                (2, day(2026, 3, 5), day(2026, 3, 9), 2),
            ]
        );
        // Split at days off, the weekend of 7-8 March ends the last run.
        let got = runs([2, 2, 0, 2, 2].into_iter(), &periods, true);
        assert_eq!(got[2..], [(2, day(2026, 3, 5), day(2026, 3, 5), 1), (2, day(2026, 3, 9), day(2026, 3, 9), 1)]);
        // Values beyond the dates are left out.
        assert_eq!(runs([1, 1, 1].into_iter(), &periods[..2], true), vec![(1, day(2026, 3, 2), day(2026, 3, 3), 2)]);
    }

    #[test]
    fn numbers_keep_one_decimal() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.345), "12.3");
        assert_eq!(num(-0.04), "0");
    }
}
