//! Server-side SVG charts of a program forecast: the finish histogram, the S-curve, the tornado
//! chart of drivers and the criticality-coloured Gantt chart. The histogram and the S-curve share
//! one horizontal scale in working days (labelled with dates) and mark the deterministic plan,
//! P50 and P80, so the merge bias is visible at a glance. Those three charts have a date axis and
//! mark today's date, passed in by the page, with the schedule's "Today" line (see
//! [`today_period`]); the tornado's axis is a correlation, so it has none.
//!
//! Markup is written by [`Svg`], which escapes every attribute value and text (titles are typed
//! by users).

use chrono::NaiveDate;
use tandem_domain::forecasting::{ActivityForecast, Driver, ProgramForecast, criticality_band};
use tandem_domain::{NodeRef, ProjectId};

use super::gantt::{Svg, num, short, today_mark};

const LEFT: f64 = 56.0;
const RIGHT: f64 = 48.0;
const PLOT_WIDTH: f64 = 720.0;
const TOP: f64 = 36.0;
const AXIS: f64 = 36.0;
const TICKS: i64 = 6;

/// Where today falls on a working-day axis whose columns are the periods `first..last` (period
/// `p`'s column runs from boundary `p` to boundary `p + 1` and is the working day
/// `forecast.date(p)`): the boundary today's work starts at, and whether today is a working day.
/// The schedule's Gantt chart's rule: on a working day, the left edge of its own column (the day
/// is still ahead, so on a finish axis the line sits where "finished by the end of yesterday"
/// is); on a day off, the left edge of the next working day's column, where its work starts.
/// `None` when today is before the first column's day or after the last column's day.
fn today_period(forecast: &ProgramForecast, first: i64, last: i64, today: NaiveDate) -> Option<(i64, bool)> {
    let calendar = &forecast.calendar;
    let index = calendar.partition_point(|&day| day < today);
    let next_working = *calendar.get(index)?;
    let period = i64::try_from(index).ok()?;
    (today >= forecast.date(first) && period < last).then_some((period, next_working == today))
}

/// The working-day scale the histogram and S-curve share: from the earliest figure to the latest.
#[derive(Debug, Clone, Copy)]
struct DayScale {
    first: i64,
    last: i64,
}

impl DayScale {
    fn of(forecast: &ProgramForecast) -> DayScale {
        let h = &forecast.histogram;
        let histogram_end = h.start + h.bin_width * h.counts.len() as i64;
        let first = h.start.min(forecast.plan.periods).min(forecast.s_curve.first().map_or(h.start, |p| p.finish));
        let last = histogram_end
            .max(forecast.plan.periods)
            .max(forecast.s_curve.last().map_or(histogram_end, |p| p.finish))
            .max(first + 1);
        DayScale { first, last }
    }

    fn x(&self, day: i64) -> f64 {
        LEFT + (day - self.first) as f64 / (self.last - self.first) as f64 * PLOT_WIDTH
    }

    /// Date ticks along the bottom: about [`TICKS`] evenly spaced working days.
    fn axis(&self, svg: &mut Svg, forecast: &ProgramForecast, bottom: f64) {
        svg.open("g", &[("class", "axis".into())]);
        svg.empty(
            "line",
            &[
                ("x1", num(LEFT)),
                ("x2", num(LEFT + PLOT_WIDTH)),
                ("y1", num(bottom)),
                ("y2", num(bottom)),
                ("class", "baseline".into()),
            ],
        );
        let step = ((self.last - self.first) as f64 / TICKS as f64).ceil().max(1.0) as i64;
        let mut day = self.first;
        while day <= self.last {
            let x = self.x(day);
            svg.empty(
                "line",
                &[
                    ("x1", num(x)),
                    ("x2", num(x)),
                    ("y1", num(bottom)),
                    ("y2", num(bottom + 4.0)),
                    ("class", "tick".into()),
                ],
            );
            // A finish period's date is its last working day (period - 1).
            let label = forecast.date(day - 1).format("%d %b %Y").to_string();
            svg.text("text", &[("x", num(x)), ("y", num(bottom + 18.0)), ("text-anchor", "middle".into())], &label);
            day += step;
        }
        svg.close("g");
    }

    /// The "Today" line across the plot, labelled above the markers' labels, when today falls
    /// within the scale ([`today_period`]); nothing otherwise.
    fn today(&self, svg: &mut Svg, forecast: &ProgramForecast, today: NaiveDate, bottom: f64) {
        if let Some((period, working)) = today_period(forecast, self.first, self.last, today) {
            today_mark(svg, today, working, self.x(period), (TOP - 32.0, bottom), TOP - 26.0);
        }
    }

    /// Vertical markers for the plan, P50 and P80, labelled at the top: the plan's label to the
    /// left of its line, the others to the right, P80 a line higher so close markers stay legible.
    fn markers(&self, svg: &mut Svg, forecast: &ProgramForecast, bottom: f64) {
        let marks = [
            (forecast.plan.periods, "plan", "marker plan", "end", -3.0, TOP - 8.0),
            (forecast.finish.periods.p50, "P50", "marker p50", "start", 3.0, TOP - 8.0),
            (forecast.finish.periods.p80, "P80", "marker p80", "start", 3.0, TOP - 20.0),
        ];
        for (day, label, class, anchor, dx, y) in marks {
            let x = self.x(day);
            svg.empty(
                "line",
                &[("x1", num(x)), ("x2", num(x)), ("y1", num(y - 8.0)), ("y2", num(bottom)), ("class", class.into())],
            );
            svg.text(
                "text",
                &[("x", num(x + dx)), ("y", num(y)), ("text-anchor", anchor.into()), ("class", class.into())],
                label,
            );
        }
    }
}

fn chart_open(svg: &mut Svg, class: &str, height: f64, label: &str) {
    let width = LEFT + PLOT_WIDTH + RIGHT;
    svg.open(
        "svg",
        &[
            ("xmlns", "http://www.w3.org/2000/svg".into()),
            ("class", class.into()),
            ("width", num(width)),
            ("height", num(height)),
            ("viewBox", format!("0 0 {} {}", num(width), num(height))),
            ("role", "img".into()),
            ("aria-label", label.into()),
        ],
    );
}

/// How often the program finished in each range of days: bars, with the plan, P50 and P80, and
/// today's line when today falls within the range.
pub fn finish_histogram_svg(forecast: &ProgramForecast, today: NaiveDate) -> String {
    let scale = DayScale::of(forecast);
    let plot_height = 160.0;
    let bottom = TOP + plot_height;
    let mut svg = Svg::default();
    chart_open(&mut svg, "forecast-chart finish-histogram", bottom + AXIS, "Histogram of the program's finish date");
    let h = &forecast.histogram;
    let peak = h.counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let total: u64 = h.counts.iter().sum();
    svg.open("g", &[("class", "bars".into())]);
    for (k, &count) in h.counts.iter().enumerate() {
        if count == 0 {
            continue;
        }
        let from = h.start + k as i64 * h.bin_width;
        let to = from + h.bin_width;
        let x0 = scale.x(from);
        let width = (scale.x(to) - x0 - 1.0).max(1.0);
        let height = count as f64 / peak * plot_height;
        let share = count as f64 / total.max(1) as f64 * 100.0;
        let tooltip = if h.bin_width == 1 {
            format!("finish on {}: {count} iterations ({share:.1} %)", forecast.date(from - 1))
        } else {
            format!(
                "finish {} to {}: {count} iterations ({share:.1} %)",
                forecast.date(from - 1),
                forecast.date(to - 2)
            )
        };
        svg.with_title(
            "rect",
            &[
                ("x", num(x0)),
                ("y", num(bottom - height)),
                ("width", num(width)),
                ("height", num(height)),
                ("class", "bar".into()),
            ],
            &tooltip,
        );
    }
    svg.close("g");
    scale.markers(&mut svg, forecast, bottom);
    scale.today(&mut svg, forecast, today, bottom);
    scale.axis(&mut svg, forecast, bottom);
    svg.close("svg");
    svg.finish()
}

/// The probability of having finished by each date (a step line), with 50 % and 80 % guides, and
/// today's line when today falls within the range.
pub fn s_curve_svg(forecast: &ProgramForecast, today: NaiveDate) -> String {
    let scale = DayScale::of(forecast);
    let plot_height = 180.0;
    let bottom = TOP + plot_height;
    let y = |p: f64| bottom - p * plot_height;
    let mut svg = Svg::default();
    chart_open(&mut svg, "forecast-chart s-curve", bottom + AXIS, "S-curve: probability of finishing by each date");
    svg.open("g", &[("class", "grid".into())]);
    for p in [0.0, 0.5, 0.8, 1.0] {
        svg.empty(
            "line",
            &[
                ("x1", num(LEFT)),
                ("x2", num(LEFT + PLOT_WIDTH)),
                ("y1", num(y(p))),
                ("y2", num(y(p))),
                ("class", "guide".into()),
            ],
        );
        svg.text(
            "text",
            &[("x", num(LEFT - 6.0)), ("y", num(y(p) + 4.0)), ("text-anchor", "end".into())],
            &format!("{} %", (p * 100.0) as i64),
        );
    }
    svg.close("g");
    // A step line: the probability holds until the next distinct finish.
    let mut path = format!("M{},{}", num(scale.x(scale.first)), num(y(0.0)));
    let mut previous = 0.0;
    for point in &forecast.s_curve {
        let x = scale.x(point.finish);
        path.push_str(&format!(" L{},{} L{},{}", num(x), num(y(previous)), num(x), num(y(point.probability))));
        previous = point.probability;
    }
    path.push_str(&format!(" L{},{}", num(scale.x(scale.last)), num(y(previous))));
    svg.empty("path", &[("d", path), ("class", "curve".into())]);
    svg.open("g", &[("class", "points".into())]);
    for point in &forecast.s_curve {
        let tooltip = format!("{:.1} % finished by {}", point.probability * 100.0, forecast.date(point.finish - 1));
        svg.with_title(
            "circle",
            &[("cx", num(scale.x(point.finish))), ("cy", num(y(point.probability))), ("r", "3".into())],
            &tooltip,
        );
    }
    svg.close("g");
    scale.markers(&mut svg, forecast, bottom);
    scale.today(&mut svg, forecast, today, bottom);
    scale.axis(&mut svg, forecast, bottom);
    svg.close("svg");
    svg.finish()
}

const TORNADO_LABEL: f64 = 300.0;
const TORNADO_HALF: f64 = 200.0;
const TORNADO_ROW: f64 = 24.0;

/// The drivers as horizontal bars from the centre: rank correlation with the finish, -1 to 1.
pub fn tornado_svg(drivers: &[Driver<'_>]) -> String {
    let height = TOP + drivers.len().max(1) as f64 * TORNADO_ROW + AXIS;
    let width = TORNADO_LABEL + 2.0 * TORNADO_HALF + 60.0;
    let centre = TORNADO_LABEL + TORNADO_HALF;
    let mut svg = Svg::default();
    svg.open(
        "svg",
        &[
            ("xmlns", "http://www.w3.org/2000/svg".into()),
            ("class", "forecast-chart tornado".into()),
            ("width", num(width)),
            ("height", num(height)),
            ("viewBox", format!("0 0 {} {}", num(width), num(height))),
            ("role", "img".into()),
            ("aria-label", "Tornado chart: what drives the finish date".into()),
        ],
    );
    let bottom = TOP + drivers.len() as f64 * TORNADO_ROW;
    svg.open("g", &[("class", "axis".into())]);
    for value in [-1.0, -0.5, 0.0, 0.5, 1.0] {
        let x = centre + value * TORNADO_HALF;
        svg.empty(
            "line",
            &[("x1", num(x)), ("x2", num(x)), ("y1", num(TOP - 4.0)), ("y2", num(bottom)), ("class", "tick".into())],
        );
        svg.text(
            "text",
            &[("x", num(x)), ("y", num(bottom + 16.0)), ("text-anchor", "middle".into())],
            &format!("{value}"),
        );
    }
    svg.close("g");
    for (k, driver) in drivers.iter().enumerate() {
        let top = TOP + k as f64 * TORNADO_ROW;
        let value = driver.sensitivity().clamp(-1.0, 1.0);
        let (kind, class) = match driver {
            Driver::Activity(_) => ("work", "bar activity"),
            Driver::Risk(_) => ("risk", "bar risk"),
        };
        let x = if value < 0.0 { centre + value * TORNADO_HALF } else { centre };
        svg.text(
            "text",
            &[
                ("x", num(TORNADO_LABEL - 8.0)),
                ("y", num(top + 15.0)),
                ("text-anchor", "end".into()),
                ("class", "label".into()),
            ],
            &format!("{} ({kind})", short(driver.title())),
        );
        svg.with_title(
            "rect",
            &[
                ("x", num(x)),
                ("y", num(top + 4.0)),
                ("width", num((value.abs() * TORNADO_HALF).max(1.0))),
                ("height", num(TORNADO_ROW - 8.0)),
                ("class", class.into()),
            ],
            &format!("{} ({kind}): rank correlation {value:.2} with the finish", driver.title()),
        );
        svg.text(
            "text",
            &[("x", num(centre + TORNADO_HALF + 8.0)), ("y", num(top + 15.0)), ("class", "value".into())],
            &format!("{value:.2}"),
        );
    }
    svg.close("svg");
    svg.finish()
}

const GANTT_LABEL: f64 = 280.0;
const GANTT_ROW: f64 = 20.0;
const GANTT_WIDTH: f64 = 900.0;

/// One bar per activity over the deterministic plan, coloured by how often it was critical, with
/// a whisker from its P10 to its P95 finish (a tick at P80). Grouped by project in `projects`
/// order; others last. Today's line, over the bars, when today falls within the chart's days
/// (period 0's to the last column's).
pub fn criticality_gantt_svg(forecast: &ProgramForecast, projects: &[(ProjectId, String)], today: NaiveDate) -> String {
    let mut groups: Vec<(Option<ProjectId>, String, Vec<&ActivityForecast>)> =
        projects.iter().map(|(id, name)| (Some(*id), name.clone(), Vec::new())).collect();
    groups.push((None, "Other".to_owned(), Vec::new()));
    for activity in &forecast.activity_forecasts {
        let slot = groups.iter().position(|(id, _, _)| id.is_some() && *id == activity.project_id);
        let last = groups.len() - 1;
        groups[slot.unwrap_or(last)].2.push(activity);
    }
    groups.retain(|(_, _, members)| !members.is_empty());
    for (_, _, members) in &mut groups {
        members.sort_by_key(|a| (a.plan_start, a.plan_finish));
    }
    let last_day = forecast
        .activity_forecasts
        .iter()
        .map(|a| a.finish.periods.p95.max(a.plan_finish))
        .chain([forecast.plan.periods, forecast.finish.periods.p95])
        .max()
        .unwrap_or(1)
        .max(1);
    let day_width = GANTT_WIDTH / last_day as f64;
    let x = |day: i64| GANTT_LABEL + day as f64 * day_width;
    let rows: usize = groups.iter().map(|(_, _, m)| m.len() + 1).sum();
    let height = TOP + rows as f64 * GANTT_ROW + AXIS;
    let width = GANTT_LABEL + GANTT_WIDTH + RIGHT;
    let mut svg = Svg::default();
    svg.open(
        "svg",
        &[
            ("xmlns", "http://www.w3.org/2000/svg".into()),
            ("class", "forecast-chart criticality-gantt".into()),
            ("width", num(width)),
            ("height", num(height)),
            ("viewBox", format!("0 0 {} {}", num(width), num(height))),
            ("role", "img".into()),
            ("aria-label", "Gantt chart of the plan coloured by criticality index".into()),
        ],
    );
    // Month-less axis: a few dated ticks along the top.
    svg.open("g", &[("class", "axis".into())]);
    let step = (last_day as f64 / 8.0).ceil().max(1.0) as i64;
    let mut day = 0;
    while day <= last_day {
        svg.empty(
            "line",
            &[
                ("x1", num(x(day))),
                ("x2", num(x(day))),
                ("y1", num(TOP - 6.0)),
                ("y2", num(height - AXIS)),
                ("class", "tick".into()),
            ],
        );
        svg.text(
            "text",
            &[("x", num(x(day) + 2.0)), ("y", num(TOP - 10.0))],
            &forecast.date(day).format("%d %b").to_string(),
        );
        day += step;
    }
    svg.close("g");
    let mut row = 0usize;
    for (_, name, members) in &groups {
        let top = TOP + row as f64 * GANTT_ROW;
        svg.empty(
            "rect",
            &[
                ("x", "0".into()),
                ("y", num(top)),
                ("width", num(width)),
                ("height", num(GANTT_ROW)),
                ("class", "project-row".into()),
            ],
        );
        svg.text("text", &[("x", "6".into()), ("y", num(top + 14.0)), ("class", "project-label".into())], &short(name));
        row += 1;
        for activity in members {
            let top = TOP + row as f64 * GANTT_ROW;
            let band = criticality_band(activity.criticality);
            let percent = (activity.criticality * 100.0).round() as i64;
            let p = &activity.finish;
            let tooltip = format!(
                "{}: critical in {percent} % of iterations; finish P10 {}, P50 {}, P80 {}, P95 {}",
                activity.title, p.p10, p.p50, p.p80, p.p95
            );
            svg.text(
                "text",
                &[("x", "14".into()), ("y", num(top + 14.0)), ("class", "label".into())],
                &short(&activity.title),
            );
            svg.open("g", &[("class", format!("activity crit-{band}"))]);
            svg.text("title", &[], &tooltip);
            match activity.node {
                NodeRef::Milestone(_) => {
                    let cx = x(activity.plan_finish);
                    let cy = top + GANTT_ROW / 2.0;
                    svg.empty(
                        "polygon",
                        &[
                            (
                                "points",
                                format!(
                                    "{},{} {},{} {},{} {},{}",
                                    num(cx),
                                    num(cy - 6.0),
                                    num(cx + 6.0),
                                    num(cy),
                                    num(cx),
                                    num(cy + 6.0),
                                    num(cx - 6.0),
                                    num(cy)
                                ),
                            ),
                            ("class", "milestone".into()),
                        ],
                    );
                }
                NodeRef::WorkItem(_) => {
                    let x0 = x(activity.plan_start);
                    svg.empty(
                        "rect",
                        &[
                            ("x", num(x0)),
                            ("y", num(top + 4.0)),
                            ("width", num((x(activity.plan_finish) - x0).max(2.0))),
                            ("height", num(GANTT_ROW - 8.0)),
                            ("rx", "2".into()),
                            ("class", "bar".into()),
                        ],
                    );
                }
            }
            // The whisker: where its finish fell, P10 to P95 (finish periods are exclusive ends).
            let mid = top + GANTT_ROW / 2.0;
            let (w0, w1) = (x(p.periods.p10), x(p.periods.p95));
            svg.empty(
                "line",
                &[("x1", num(w0)), ("x2", num(w1)), ("y1", num(mid)), ("y2", num(mid)), ("class", "whisker".into())],
            );
            let p80 = x(p.periods.p80);
            svg.empty(
                "line",
                &[
                    ("x1", num(p80)),
                    ("x2", num(p80)),
                    ("y1", num(mid - 5.0)),
                    ("y2", num(mid + 5.0)),
                    ("class", "whisker-p80".into()),
                ],
            );
            svg.close("g");
            row += 1;
        }
    }
    if let Some((period, working)) = today_period(forecast, 0, last_day, today) {
        today_mark(&mut svg, today, working, x(period), (TOP - 26.0, height - AXIS), TOP - 20.0);
    }
    svg.close("svg");
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::gantt::tests::today_group;
    use tandem_domain::forecasting::{
        Convergence, CurvePoint, DateRule, DatedPercentiles, Distribution, ForecastOptions, Histogram, Percentiles,
        PlanFinish,
    };
    use tandem_domain::{ProgramId, WorkItemId};

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn percentiles(p10: i64, p50: i64, p80: i64, p95: i64) -> Percentiles {
        Percentiles { p10, p50, p80, p95, mean: p50 as f64 }
    }

    /// Periods 0 to 10 are the working days Monday 2 March 2026 to Monday 16 March, over the
    /// weekends of 7-8 and 14-15 March: 6 March (Friday) is period 4, 9 March period 5, 13 March
    /// period 9. One work item, planned over periods 0..8, finishing P10 7 to P95 10; the
    /// program finishes in periods 4 to 9 (histogram bins 4..10), so the histogram and the
    /// S-curve span periods 4 to 10 (6 to 13 March) and the criticality Gantt 0 to 10.
    fn forecast() -> ProgramForecast {
        let calendar: Vec<NaiveDate> =
            [2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 16].into_iter().map(|d| day(2026, 3, d)).collect();
        let finish = DatedPercentiles::on(&calendar, percentiles(5, 7, 9, 10), DateRule::LastWorkingDay);
        let activity = ActivityForecast {
            node: NodeRef::WorkItem(WorkItemId::generate()),
            title: "Build".into(),
            project_id: None,
            plan_start: 0,
            plan_finish: 8,
            finish: DatedPercentiles::on(&calendar, percentiles(7, 8, 9, 10), DateRule::LastWorkingDay),
            criticality: 1.0,
            sensitivity: 0.9,
        };
        ProgramForecast {
            program_id: ProgramId::generate(),
            computed_at: chrono::DateTime::UNIX_EPOCH,
            computed_by: "tester".into(),
            options: ForecastOptions::new(Some(8), Some(1), false, Distribution::Pert).unwrap(),
            schedules_used: None,
            activities: 1,
            calendar: calendar.clone(),
            finish,
            plan: PlanFinish { periods: 8, date: day(2026, 3, 11), probability: 0.5 },
            projects: vec![],
            milestones: vec![],
            activity_forecasts: vec![activity],
            histogram: Histogram { start: 4, bin_width: 1, counts: vec![1, 1, 1, 2, 2, 1] },
            s_curve: (4..10)
                .zip([0.125, 0.25, 0.375, 0.625, 0.875, 1.0])
                .map(|(finish, probability)| CurvePoint { finish, probability })
                .collect(),
            convergence: Convergence { p80_first_half: 9, p80_first_90_percent: 9, p80: 9, p80_shift_last_tenth: 0 },
            risks: vec![],
            inputs: vec![],
            diagnostics: vec![],
        }
    }

    fn group(title: &str, x: &str, label_x: &str, (top, bottom): (&str, &str), label_y: &str) -> String {
        format!(
            "<g class=\"today\"><title>{title}</title><line x1=\"{x}\" x2=\"{x}\" y1=\"{top}\" y2=\"{bottom}\" \
             class=\"today-line\"/><text x=\"{label_x}\" y=\"{label_y}\" class=\"today-label\">Today</text></g>"
        )
    }

    #[test]
    fn the_finish_histogram_and_the_s_curve_mark_today_within_their_range() {
        let forecast = forecast();
        // 120 pixels a working day from x = 56 at period 4 (6 March).
        let cases = [
            (day(2026, 3, 6), "56", "59", "Today: 2026-03-06"),
            (day(2026, 3, 9), "176", "179", "Today: 2026-03-09"),
            (day(2026, 3, 13), "656", "659", "Today: 2026-03-13"),
            // A Saturday: the line stands before Monday 9 March, where work resumes.
            (day(2026, 3, 7), "176", "179", "Today: 2026-03-07 (not a working day)"),
        ];
        for (today, x, label_x, title) in cases {
            let histogram = finish_histogram_svg(&forecast, today);
            assert_eq!(today_group(&histogram), Some(group(title, x, label_x, ("4", "196"), "10").as_str()), "{today}");
            // Over the bars and the plan, P50 and P80 markers.
            assert!(histogram.find("class=\"marker p80\"") < histogram.find("class=\"today\""), "{histogram}");
            let s_curve = s_curve_svg(&forecast, today);
            assert_eq!(today_group(&s_curve), Some(group(title, x, label_x, ("4", "216"), "10").as_str()), "{today}");
        }
        // Before 6 March (the first column), after 13 March (the last), or years away: no line.
        for today in [day(2026, 3, 5), day(2026, 3, 2), day(2026, 3, 14), day(2026, 3, 16), day(2030, 1, 1)] {
            for svg in [finish_histogram_svg(&forecast, today), s_curve_svg(&forecast, today)] {
                assert!(!svg.contains("today"), "{today}: {svg}");
            }
        }
    }

    #[test]
    fn the_criticality_gantt_marks_today_within_its_range() {
        let forecast = forecast();
        // 90 pixels a working day from x = 280 at period 0 (2 March); rows end at y = 76.
        let cases = [
            (day(2026, 3, 2), "280", "283", "Today: 2026-03-02"),
            (day(2026, 3, 4), "460", "463", "Today: 2026-03-04"),
            (day(2026, 3, 13), "1090", "1093", "Today: 2026-03-13"),
            (day(2026, 3, 8), "730", "733", "Today: 2026-03-08 (not a working day)"),
        ];
        for (today, x, label_x, title) in cases {
            let svg = criticality_gantt_svg(&forecast, &[], today);
            assert_eq!(today_group(&svg), Some(group(title, x, label_x, ("10", "76"), "16").as_str()), "{today}");
            // Over the bars and whiskers: drawn last.
            assert!(svg.rfind("class=\"whisker-p80\"") < svg.find("class=\"today\""), "{svg}");
        }
        for today in [day(2026, 3, 1), day(2026, 3, 14), day(2026, 3, 16), day(2025, 3, 4), day(2030, 1, 1)] {
            let svg = criticality_gantt_svg(&forecast, &[], today);
            assert!(!svg.contains("today"), "{today}: {svg}");
        }
    }

    #[test]
    fn a_forecast_without_a_calendar_draws_no_today_line() {
        let mut forecast = forecast();
        forecast.calendar.clear();
        let today = day(2026, 3, 4);
        assert_eq!(today_period(&forecast, 0, 10, today), None);
        assert!(!criticality_gantt_svg(&forecast, &[], today).contains("today"));
        assert!(!s_curve_svg(&forecast, today).contains("today"));
    }
}
