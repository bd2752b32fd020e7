//! Dates and timestamps on the wire: dates as `YYYY-MM-DD`, timestamps as RFC 3339 in UTC.

use std::fmt;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The message for a date that does not parse (also how the JSON extractor recognises it).
pub const DATE_MESSAGE: &str = tandem_domain::values::DATE_FORMAT_MESSAGE;

/// A calendar date as `YYYY-MM-DD` (the domain has no serde; this is its wire form), read by
/// [`tandem_domain::values::read_iso_date`]: exactly four year digits, two month and two day
/// digits. An expanded year (`+10000-01-01`) is read so that the domain reports it out of range
/// on its field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiDate(pub NaiveDate);

impl Serialize for ApiDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&self.0.format("%Y-%m-%d"))
    }
}

impl<'de> Deserialize<'de> for ApiDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(DateVisitor)
    }
}

struct DateVisitor;

impl Visitor<'_> for DateVisitor {
    type Value = ApiDate;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("a date in the form YYYY-MM-DD")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<ApiDate, E> {
        tandem_domain::values::read_iso_date(value).map(ApiDate).ok_or_else(|| E::custom(DATE_MESSAGE))
    }
}

impl From<NaiveDate> for ApiDate {
    fn from(date: NaiveDate) -> Self {
        ApiDate(date)
    }
}

/// RFC 3339 in UTC with microseconds, the precision both stores keep.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_on_the_wire_need_four_year_digits() {
        let read = |text: &str| serde_json::from_value::<ApiDate>(serde_json::Value::String(text.to_owned()));
        assert_eq!(read("2026-02-03").unwrap(), ApiDate(NaiveDate::from_ymd_opt(2026, 2, 3).unwrap()));
        for bad in ["26-02-03", "026-02-03", "2026-2-3", "+2026-02-03", " 2026-02-03", "2026-02-30"] {
            assert_eq!(read(bad).unwrap_err().to_string(), DATE_MESSAGE, "{bad:?}");
        }
        // Left for the domain to call out of range on the field.
        assert_eq!(read("+10000-01-01").unwrap().0, NaiveDate::from_ymd_opt(10_000, 1, 1).unwrap());
        let shown = serde_json::to_string(&ApiDate(NaiveDate::from_ymd_opt(26, 2, 3).unwrap())).unwrap();
        assert_eq!(shown, "\"0026-02-03\"");
    }
}
