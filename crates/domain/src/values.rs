//! Validated value types: each one can only hold a valid value, and its constructor says which
//! field was wrong and why ("parse, don't validate").

use std::fmt;

use chrono::{Datelike, NaiveDate, Weekday};

use crate::error::FieldError;

/// A short, non-blank, trimmed name or title (at most [`Name::MAX_CHARS`] characters).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name(String);

impl Name {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(field: &str, raw: &str) -> Result<Name, FieldError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(FieldError::new(field, "required", "must not be blank"));
        }
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::new(field, "too_long", format!("must be at most {} characters", Self::MAX_CHARS)));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(FieldError::new(field, "invalid", "must not contain control characters"));
        }
        Ok(Name(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Free text such as a goal, a vision or a description; may be empty; at most
/// [`LongText::MAX_CHARS`] characters. Surrounding whitespace is trimmed. It holds no NUL
/// character: PostgreSQL cannot store one, and SQLite's text functions stop at it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LongText(String);

impl LongText {
    pub const MAX_CHARS: usize = 20_000;

    pub fn parse(field: &str, raw: &str) -> Result<LongText, FieldError> {
        let trimmed = raw.trim();
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(FieldError::new(field, "too_long", format!("must be at most {} characters", Self::MAX_CHARS)));
        }
        if trimmed.contains('\0') {
            return Err(FieldError::new(field, "invalid", "must not contain a NUL character"));
        }
        Ok(LongText(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for LongText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An optional short text such as a person's name: blank input means "none".
pub fn optional_name(field: &str, raw: Option<&str>) -> Result<Option<Name>, FieldError> {
    match raw {
        Some(text) if !text.trim().is_empty() => Name::parse(field, text).map(Some),
        _ => Ok(None),
    }
}

/// An amount of money in whole currency units, never negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i64);

impl Money {
    /// A thousand trillion: far above any real budget, far below i64 overflow in sums.
    pub const MAX: i64 = 1_000_000_000_000_000;

    pub fn parse(field: &str, amount: i64) -> Result<Money, FieldError> {
        if amount < 0 {
            return Err(FieldError::new(field, "negative", "must not be negative"));
        }
        if amount > Self::MAX {
            return Err(FieldError::new(field, "too_large", format!("must be at most {}", Self::MAX)));
        }
        Ok(Money(amount))
    }

    pub fn amount(self) -> i64 {
        self.0
    }

    /// The amount with thousands separators, as people read budgets: `12,500,000`.
    pub fn grouped(self) -> String {
        let digits = self.0.to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, digit) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(digit);
        }
        grouped
    }
}

/// An ISO 4217 style currency code: three upper-case ASCII letters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CurrencyCode(String);

impl CurrencyCode {
    pub fn parse(field: &str, raw: &str) -> Result<CurrencyCode, FieldError> {
        let code = raw.trim().to_ascii_uppercase();
        if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(CurrencyCode(code))
        } else {
            Err(FieldError::new(field, "invalid", "must be a three-letter currency code such as EUR"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for CurrencyCode {
    fn default() -> Self {
        CurrencyCode("USD".to_owned())
    }
}

impl fmt::Display for CurrencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A start date and an end date that is not before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    start: NaiveDate,
    end: NaiveDate,
}

impl DateRange {
    /// `end_field` names the field blamed when the end lies before the start.
    pub fn new(end_field: &str, start: NaiveDate, end: NaiveDate) -> Result<DateRange, FieldError> {
        if end < start {
            return Err(FieldError::new(
                end_field,
                "before_start",
                format!("must not be before the start date ({start})"),
            ));
        }
        Ok(DateRange { start, end })
    }

    pub fn start(&self) -> NaiveDate {
        self.start
    }

    pub fn end(&self) -> NaiveDate {
        self.end
    }
}

/// The first date Tandem keeps or computes: 0001-01-01.
pub const FIRST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(1, 1, 1) {
    Some(date) => date,
    None => NaiveDate::MIN,
};

/// The last date Tandem keeps or computes: 9999-12-31. Every date between [`FIRST_DATE`] and it
/// has the four-digit `YYYY-MM-DD` form both stores keep and every client reads; a later one
/// would need a sign and a fifth digit.
pub const LAST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(9999, 12, 31) {
    Some(date) => date,
    None => NaiveDate::MAX,
};

/// The message of a date outside [`FIRST_DATE`]..=[`LAST_DATE`].
pub const DATE_RANGE_MESSAGE: &str = "must be a date between 0001-01-01 and 9999-12-31";

/// `date` when it lies between [`FIRST_DATE`] and [`LAST_DATE`]; else `out_of_range` on `field`.
pub fn check_date(field: &str, date: NaiveDate) -> Result<NaiveDate, FieldError> {
    if (FIRST_DATE..=LAST_DATE).contains(&date) {
        Ok(date)
    } else {
        Err(FieldError::new(field, "out_of_range", DATE_RANGE_MESSAGE))
    }
}

/// [`check_date`] for an optional date.
pub fn check_optional_date(field: &str, date: Option<NaiveDate>) -> Result<Option<NaiveDate>, FieldError> {
    date.map(|date| check_date(field, date)).transpose()
}

/// The message of a date not written `YYYY-MM-DD` (or not a day of the calendar).
pub const DATE_FORMAT_MESSAGE: &str = "must be a date in the form YYYY-MM-DD";

/// The one reader of dates people and clients type: the day `raw` names when it is exactly
/// `YYYY-MM-DD` (a four-digit year, a two-digit month and a two-digit day, nothing around them)
/// and that day exists; `None` for anything else, such as `26-02-03`, `026-02-03`, `2026-2-3`
/// or `02026-02-03` (chrono's `%Y` alone reads a year of any digit count).
///
/// ISO 8601's expanded years (a sign, then four or more digits: `+10000-01-01`, `-0001-01-01`)
/// are read too, although they lie outside [`FIRST_DATE`]..=[`LAST_DATE`], so that callers can
/// say the date is out of range ([`check_date`]) rather than malformed. `+2026-01-01` is not
/// expanded (its year has four digits) and is refused. The range is not checked here: use
/// [`parse_date`] for a field.
pub fn read_iso_date(raw: &str) -> Option<NaiveDate> {
    fn digits(text: &str) -> bool {
        !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
    }
    let (sign, unsigned) = match raw.as_bytes().first() {
        Some(b'+') => (Some(1), &raw[1..]),
        Some(b'-') => (Some(-1), &raw[1..]),
        _ => (None, raw),
    };
    let (year, month_day) = unsigned.split_once('-')?;
    let (month, day) = month_day.split_once('-')?;
    let year_shape = match sign {
        None => year.len() == 4,
        Some(_) => year.len() >= 4,
    };
    if !year_shape || !digits(year) || month.len() != 2 || !digits(month) || day.len() != 2 || !digits(day) {
        return None;
    }
    let year: i32 = year.parse().ok()?;
    let year = match sign {
        // An expanded year is only needed beyond 9999; `+2026` is a four-digit year in disguise.
        Some(1) if year <= 9999 => return None,
        Some(-1) => -year,
        _ => year,
    };
    NaiveDate::from_ymd_opt(year, month.parse().ok()?, day.parse().ok()?)
}

/// Parses an ISO date (YYYY-MM-DD, read by [`read_iso_date`] after trimming), as forms, query
/// parameters and CSV files deliver them, between [`FIRST_DATE`] and [`LAST_DATE`]: `invalid_date`
/// when it is not such a date, `out_of_range` when it lies outside.
pub fn parse_date(field: &str, raw: &str) -> Result<NaiveDate, FieldError> {
    let date = read_iso_date(raw.trim()).ok_or_else(|| FieldError::new(field, "invalid_date", DATE_FORMAT_MESSAGE))?;
    check_date(field, date)
}

/// A three-point estimate in working days: optimistic <= most likely <= pessimistic, each finite,
/// non-negative and at most [`Estimate::MAX_DAYS`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    optimistic: f64,
    most_likely: f64,
    pessimistic: f64,
}

impl Estimate {
    /// About forty working years: anything longer is a typo, not a plan.
    pub const MAX_DAYS: f64 = 10_000.0;

    /// Field names are `estimate.optimistic`, `estimate.most_likely`, `estimate.pessimistic`.
    pub fn new(optimistic: f64, most_likely: f64, pessimistic: f64) -> Result<Estimate, Vec<FieldError>> {
        Estimate::parse("estimate", optimistic, most_likely, pessimistic)
    }

    /// As [`Estimate::new`], blaming `{prefix}.optimistic`, `{prefix}.most_likely` and
    /// `{prefix}.pessimistic` (a risk's `schedule_impact` is a three-point range of days too).
    pub fn parse(
        prefix: &str,
        optimistic: f64,
        most_likely: f64,
        pessimistic: f64,
    ) -> Result<Estimate, Vec<FieldError>> {
        let field = |part: &str| format!("{prefix}.{part}");
        let mut errors = Vec::new();
        for (name, value) in [
            (field("optimistic"), optimistic),
            (field("most_likely"), most_likely),
            (field("pessimistic"), pessimistic),
        ] {
            if !value.is_finite() || value < 0.0 {
                errors.push(FieldError::new(name, "out_of_range", "must be a number of working days, 0 or more"));
            } else if value > Self::MAX_DAYS {
                errors.push(FieldError::new(
                    name,
                    "out_of_range",
                    format!("must be at most {} working days", Self::MAX_DAYS),
                ));
            }
        }
        if errors.is_empty() {
            if optimistic > pessimistic {
                errors.push(FieldError::new(
                    field("optimistic"),
                    "out_of_order",
                    format!("optimistic ({optimistic}) must not exceed pessimistic ({pessimistic})"),
                ));
            } else if optimistic > most_likely {
                errors.push(FieldError::new(
                    field("optimistic"),
                    "out_of_order",
                    format!("optimistic ({optimistic}) must not exceed most likely ({most_likely})"),
                ));
            } else if most_likely > pessimistic {
                errors.push(FieldError::new(
                    field("most_likely"),
                    "out_of_order",
                    format!("most likely ({most_likely}) must not exceed pessimistic ({pessimistic})"),
                ));
            }
        }
        if errors.is_empty() { Ok(Estimate { optimistic, most_likely, pessimistic }) } else { Err(errors) }
    }

    /// A point estimate (all three the same).
    pub fn exact(days: f64) -> Result<Estimate, Vec<FieldError>> {
        Estimate::new(days, days, days)
    }

    pub fn optimistic(&self) -> f64 {
        self.optimistic
    }

    pub fn most_likely(&self) -> f64 {
        self.most_likely
    }

    pub fn pessimistic(&self) -> f64 {
        self.pessimistic
    }

    /// The PERT mean (o + 4m + p) / 6.
    pub fn pert_mean(&self) -> f64 {
        (self.optimistic + 4.0 * self.most_likely + self.pessimistic) / 6.0
    }

    /// What is left of this estimate when `done` of the work is: each point scaled by the
    /// share not done (MS Project's remaining duration from % complete). The order of the three
    /// points is kept, and 100 % leaves nothing.
    pub fn remaining(&self, done: PercentComplete) -> Estimate {
        let left = f64::from(100 - done.get()) / 100.0;
        Estimate {
            optimistic: self.optimistic * left,
            most_likely: self.most_likely * left,
            pessimistic: self.pessimistic * left,
        }
    }
}

/// Story points, 0 to 1,000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct StoryPoints(u32);

impl StoryPoints {
    pub const MAX: i64 = 1_000;

    pub fn parse(field: &str, points: i64) -> Result<StoryPoints, FieldError> {
        if !(0..=Self::MAX).contains(&points) {
            return Err(FieldError::new(field, "out_of_range", format!("must be between 0 and {}", Self::MAX)));
        }
        Ok(StoryPoints(points as u32))
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

/// A count of people: at least 1, at most [`Headcount::MAX`]. Used for a team's capacity and for
/// how many of a team's people a work item needs at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Headcount(u32);

impl Headcount {
    pub const MAX: i64 = 10_000;
    pub const ONE: Headcount = Headcount(1);

    pub fn parse(field: &str, people: i64) -> Result<Headcount, FieldError> {
        if !(1..=Self::MAX).contains(&people) {
            return Err(FieldError::new(field, "out_of_range", format!("must be between 1 and {}", Self::MAX)));
        }
        Ok(Headcount(people as u32))
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

/// How much of a work item's estimated work is done, in whole percent: 0 to 100. Plans and
/// forecasts schedule only the rest of an open item's estimate ([`Estimate::remaining`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct PercentComplete(u8);

impl PercentComplete {
    pub const ZERO: PercentComplete = PercentComplete(0);
    pub const ALL: PercentComplete = PercentComplete(100);

    pub fn parse(field: &str, percent: i64) -> Result<PercentComplete, FieldError> {
        if !(0..=100).contains(&percent) {
            return Err(FieldError::new(field, "out_of_range", "must be between 0 and 100"));
        }
        Ok(PercentComplete(percent as u8))
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

/// A lag in working days on a dependency; negative means overlap (a lead).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Lag(i32);

impl Lag {
    pub const LIMIT: i64 = 1_000;

    pub fn parse(field: &str, days: i64) -> Result<Lag, FieldError> {
        if !(-Self::LIMIT..=Self::LIMIT).contains(&days) {
            return Err(FieldError::new(
                field,
                "out_of_range",
                format!("must be between -{0} and {0} working days", Self::LIMIT),
            ));
        }
        Ok(Lag(days as i32))
    }

    pub fn days(self) -> i32 {
        self.0
    }
}

/// Manual order in a backlog: lower ranks come first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Rank(i64);

impl Rank {
    pub fn new(rank: i64) -> Rank {
        Rank(rank)
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

/// The days of the week a team works: never empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WorkingWeek(u8);

impl WorkingWeek {
    /// Monday to Friday.
    pub const MONDAY_TO_FRIDAY: WorkingWeek = WorkingWeek(0b0001_1111);

    pub fn from_days(field: &str, days: &[Weekday]) -> Result<WorkingWeek, FieldError> {
        let mask = days.iter().fold(0u8, |mask, day| mask | (1 << day.num_days_from_monday()));
        if mask == 0 {
            return Err(FieldError::new(field, "required", "at least one working weekday is needed"));
        }
        Ok(WorkingWeek(mask))
    }

    /// Parses names like `mon`, `Tuesday`, `WED`.
    pub fn parse(field: &str, names: &[String]) -> Result<WorkingWeek, FieldError> {
        let mut days = Vec::with_capacity(names.len());
        for name in names {
            let day: Weekday = name.trim().parse().map_err(|_| {
                FieldError::new(field, "invalid", format!("'{name}' is not a weekday (use mon, tue, ... sun)"))
            })?;
            days.push(day);
        }
        WorkingWeek::from_days(field, &days)
    }

    pub fn from_bits(field: &str, bits: u8) -> Result<WorkingWeek, FieldError> {
        if bits == 0 || bits > 0b0111_1111 {
            return Err(FieldError::new(field, "invalid", "must name between one and seven weekdays"));
        }
        Ok(WorkingWeek(bits))
    }

    pub fn bits(self) -> u8 {
        self.0
    }

    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }

    /// The working weekdays, Monday first.
    pub fn days(self) -> Vec<Weekday> {
        [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun]
            .into_iter()
            .filter(|d| self.contains(*d))
            .collect()
    }

    /// Three-letter lower-case names, Monday first (`mon`, `tue`, ...).
    pub fn day_names(self) -> Vec<&'static str> {
        self.days().into_iter().map(weekday_name).collect()
    }
}

impl Default for WorkingWeek {
    fn default() -> Self {
        WorkingWeek::MONDAY_TO_FRIDAY
    }
}

pub fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "mon",
        Weekday::Tue => "tue",
        Weekday::Wed => "wed",
        Weekday::Thu => "thu",
        Weekday::Fri => "fri",
        Weekday::Sat => "sat",
        Weekday::Sun => "sun",
    }
}

/// A team's working calendar: its working weekdays and its holidays (sorted, no duplicates,
/// at most [`WorkingCalendar::MAX_HOLIDAYS`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WorkingCalendar {
    week: WorkingWeek,
    holidays: Vec<NaiveDate>,
}

impl WorkingCalendar {
    pub const MAX_HOLIDAYS: usize = 2_000;

    pub fn new(week: WorkingWeek, mut holidays: Vec<NaiveDate>) -> Result<WorkingCalendar, FieldError> {
        if holidays.len() > Self::MAX_HOLIDAYS {
            return Err(FieldError::new("holidays", "too_long", format!("at most {} holidays", Self::MAX_HOLIDAYS)));
        }
        holidays.sort_unstable();
        holidays.dedup();
        Ok(WorkingCalendar { week, holidays })
    }

    pub fn week(&self) -> WorkingWeek {
        self.week
    }

    pub fn holidays(&self) -> &[NaiveDate] {
        &self.holidays
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.week.contains(date.weekday()) && self.holidays.binary_search(&date).is_err()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_is_trimmed_and_bounded() {
        assert_eq!(Name::parse("name", "  Core  ").unwrap().as_str(), "Core");
        assert_eq!(Name::parse("name", "   ").unwrap_err().code, "required");
        let long = "x".repeat(201);
        let err = Name::parse("title", &long).unwrap_err();
        assert_eq!((err.field.as_str(), err.code), ("title", "too_long"));
    }

    #[test]
    fn estimate_order_is_enforced_and_blames_the_right_field() {
        let err = Estimate::new(5.0, 4.0, 3.0).unwrap_err();
        assert_eq!(err.len(), 1);
        assert_eq!(err[0].field, "estimate.optimistic");
        assert_eq!(err[0].message, "optimistic (5) must not exceed pessimistic (3)");
        let err = Estimate::new(1.0, 4.0, 3.0).unwrap_err();
        assert_eq!(err[0].field, "estimate.most_likely");
        let err = Estimate::new(f64::NAN, 1.0, 2.0).unwrap_err();
        assert_eq!(err[0].field, "estimate.optimistic");
        let e = Estimate::new(1.0, 2.0, 9.0).unwrap();
        assert!((e.pert_mean() - 3.0).abs() < 1e-12);
    }

    #[test]
    fn dates_lie_between_years_1_and_9999() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(check_date("start", day(1, 1, 1)), Ok(day(1, 1, 1)));
        assert_eq!(check_date("start", day(9999, 12, 31)), Ok(day(9999, 12, 31)));
        for outside in [day(0, 12, 31), day(10_000, 1, 1), NaiveDate::MIN, NaiveDate::MAX] {
            let err = check_date("holidays[2]", outside).unwrap_err();
            assert_eq!((err.field.as_str(), err.code), ("holidays[2]", "out_of_range"));
            assert_eq!(err.message, "must be a date between 0001-01-01 and 9999-12-31");
        }
        assert_eq!(check_optional_date("released_on", None), Ok(None));
        // chrono reads a signed or five-digit year; the range refuses it.
        assert_eq!(parse_date("date", "+10000-01-01").unwrap_err().code, "out_of_range");
        assert_eq!(parse_date("date", "-0001-01-01").unwrap_err().code, "out_of_range");
        assert_eq!(parse_date("date", "2026-02-30").unwrap_err().code, "invalid_date");
        assert_eq!(parse_date("date", " 9999-12-31 "), Ok(day(9999, 12, 31)));
    }

    #[test]
    fn dates_need_a_four_digit_year_and_two_digit_month_and_day() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(read_iso_date("2026-02-03"), Some(day(2026, 2, 3)));
        assert_eq!(read_iso_date("0001-01-01"), Some(day(1, 1, 1)));
        assert_eq!(read_iso_date("2024-02-29"), Some(day(2024, 2, 29)));
        // Expanded years are read so that they are reported out of range, not malformed.
        assert_eq!(read_iso_date("+10000-01-01"), Some(day(10_000, 1, 1)));
        assert_eq!(read_iso_date("-0001-01-01"), Some(day(-1, 1, 1)));
        assert_eq!(read_iso_date("0000-12-31"), Some(day(0, 12, 31)));
        for bad in [
            "26-02-03",
            "026-02-03",
            "6-02-03",
            "02026-02-03",
            "10000-01-01",
            "+2026-02-03",
            "+0026-02-03",
            "2026-2-03",
            "2026-02-3",
            "2026-002-03",
            "2026-02-003",
            "2026/02/03",
            "2026-02-03T00:00:00Z",
            " 2026-02-03",
            "2026-02-03 ",
            "２０２６-02-03",
            "2026-+2-03",
            "2026-02-+3",
            "2026-02-30",
            "2025-02-29",
            "+99999999999-01-01",
            "-",
            "--",
            "",
        ] {
            assert_eq!(read_iso_date(bad), None, "{bad:?}");
        }
        for bad in ["26-02-03", "026-02-03", "2026-2-3", "+2026-01-01", "02026-02-03"] {
            let err = parse_date("target_date", bad).unwrap_err();
            assert_eq!(
                (err.field.as_str(), err.code, err.message.as_str()),
                ("target_date", "invalid_date", "must be a date in the form YYYY-MM-DD"),
                "{bad:?}"
            );
        }
        assert_eq!(parse_date("date", "0000-12-31").unwrap_err().code, "out_of_range");
        assert_eq!(parse_date("date", "\t2026-02-03\n"), Ok(day(2026, 2, 3)));
    }

    #[test]
    fn long_text_holds_no_nul_character() {
        assert_eq!(LongText::parse("goal", " a\r\n\tb\u{7} ").unwrap().as_str(), "a\r\n\tb\u{7}");
        for bad in ["a\u{0}b", "\u{0}", "x\u{0}"] {
            let err = LongText::parse("goal", bad).unwrap_err();
            assert_eq!((err.field.as_str(), err.code), ("goal", "invalid"));
            assert_eq!(err.message, "must not contain a NUL character");
        }
    }

    #[test]
    fn date_range_rejects_end_before_start() {
        let start = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let end = NaiveDate::from_ymd_opt(2026, 2, 1).unwrap();
        let err = DateRange::new("target_end", start, end).unwrap_err();
        assert_eq!(err.field, "target_end");
        assert_eq!(err.message, "must not be before the start date (2026-03-01)");
        assert!(DateRange::new("target_end", start, start).is_ok());
    }

    #[test]
    fn working_calendar_knows_weekends_and_holidays() {
        let week = WorkingWeek::parse("working_days", &["mon".into(), "Tuesday".into(), "fri".into()]).unwrap();
        assert_eq!(week.day_names(), vec!["mon", "tue", "fri"]);
        let holiday = NaiveDate::from_ymd_opt(2026, 12, 25).unwrap(); // a Friday
        let cal = WorkingCalendar::new(week, vec![holiday, holiday]).unwrap();
        assert_eq!(cal.holidays().len(), 1);
        assert!(!cal.is_working_day(holiday));
        assert!(cal.is_working_day(NaiveDate::from_ymd_opt(2026, 12, 22).unwrap())); // Tuesday
        assert!(!cal.is_working_day(NaiveDate::from_ymd_opt(2026, 12, 23).unwrap())); // Wednesday
        assert_eq!(WorkingWeek::parse("working_days", &[]).unwrap_err().code, "required");
        assert_eq!(WorkingWeek::parse("working_days", &["funday".into()]).unwrap_err().code, "invalid");
    }

    #[test]
    fn numbers_are_bounded() {
        assert_eq!(Money::parse("budget", -1).unwrap_err().code, "negative");
        assert_eq!(Money::parse("budget", 12_500_000).unwrap().grouped(), "12,500,000");
        assert_eq!(Money::parse("budget", 999).unwrap().grouped(), "999");
        assert_eq!(Money::parse("budget", 1000).unwrap().grouped(), "1,000");
        assert_eq!(Money::parse("budget", 0).unwrap().grouped(), "0");
        assert_eq!(Headcount::parse("capacity", 0).unwrap_err().code, "out_of_range");
        assert_eq!(Lag::parse("lag_days", -5).unwrap().days(), -5);
        assert_eq!(Lag::parse("lag_days", 1001).unwrap_err().code, "out_of_range");
        assert_eq!(CurrencyCode::parse("currency", "eur").unwrap().as_str(), "EUR");
        assert!(CurrencyCode::parse("currency", "EURO").is_err());
    }
}
