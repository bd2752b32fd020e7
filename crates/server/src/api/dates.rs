//! Dates and timestamps on the wire: dates as `YYYY-MM-DD`, timestamps as RFC 3339 in UTC.

use std::fmt;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The message for a date that does not parse (also how the JSON extractor recognises it).
pub const DATE_MESSAGE: &str = "must be a date in the form YYYY-MM-DD";

/// A calendar date as `YYYY-MM-DD` (the domain has no serde; this is its wire form).
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
        NaiveDate::parse_from_str(value, "%Y-%m-%d").map(ApiDate).map_err(|_| E::custom(DATE_MESSAGE))
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
