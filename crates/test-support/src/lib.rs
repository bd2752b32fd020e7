//! Test support shared by every crate's tests: fresh databases on both backends ([`db`]), the
//! Store conformance suite ([`conformance`]), a real server on port 0 ([`app`]), and a headless
//! Chromium driven through WebDriver ([`browser`]).

pub mod app;
pub mod browser;
pub mod conformance;
pub mod db;
