//! The demo products' customer research, as tables: target segments and insights from every
//! kind of source, most linked to the features they support (by title), some still in the
//! inbox.
//!
//! Demand, for a reader checking the evidence page: on the app, "Card controls" has Jonas Weber
//! (critical, Young professionals 1.5 = 4.5), Priya Nair (important, Families 1 = 2) and Tom
//! Becker (critical, Students 0.5 = 1.5): 8 from 3 customers.

use chrono::NaiveDate;

use super::catalog::ProductKey;
use crate::evidence::{Importance, InsightSource};

const fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("impossible date in the demo tables"),
    }
}

pub(super) struct SegmentRow {
    pub product: ProductKey,
    pub name: &'static str,
    pub description: &'static str,
    pub weight: f64,
}

pub(super) const SEGMENTS: &[SegmentRow] = &[
    SegmentRow {
        product: App,
        name: "Young professionals",
        description: "25 to 35, salaried, phone first; the growth market.",
        weight: 1.5,
    },
    SegmentRow {
        product: App,
        name: "Families",
        description: "Joint accounts, children's savings, shared budgets.",
        weight: 1.0,
    },
    SegmentRow {
        product: App,
        name: "Students",
        description: "Free accounts today, customers for life tomorrow.",
        weight: 0.5,
    },
    SegmentRow {
        product: Portal,
        name: "Homeowners",
        description: "Mortgage customers: the most valuable relationships.",
        weight: 2.0,
    },
    SegmentRow {
        product: Portal,
        name: "Small business owners",
        description: "Sole traders using a personal account for their business.",
        weight: 1.5,
    },
];

pub(super) struct InsightRow {
    pub product: ProductKey,
    pub source: InsightSource,
    pub reference: &'static str,
    pub customer: &'static str,
    /// A segment's name, of the same product.
    pub segment: Option<&'static str>,
    pub date: NaiveDate,
    pub quote: &'static str,
    pub importance: Importance,
    /// Work item titles; empty: the insight waits in the inbox.
    pub features: &'static [&'static str],
}

use Importance::{Critical, Important, NiceToHave};
use InsightSource::{Interview, SalesCall, SupportTicket, Survey, Usability};
use ProductKey::{App, Portal};

pub(super) const INSIGHTS: &[InsightRow] = &[
    InsightRow {
        product: App,
        source: Interview,
        reference: "INT-2026-03",
        customer: "Jonas Weber",
        segment: Some("Young professionals"),
        date: ymd(2026, 1, 14),
        quote: "When my card was stolen I had to call for 40 minutes. I want to freeze it myself, now.",
        importance: Critical,
        features: &["Card controls"],
    },
    InsightRow {
        product: App,
        source: SupportTicket,
        reference: "ZD-48213",
        customer: "Priya Nair",
        segment: Some("Families"),
        date: ymd(2026, 1, 20),
        quote: "Please let me set a spending limit on my son's card from the app.",
        importance: Important,
        features: &["Card controls"],
    },
    InsightRow {
        product: App,
        source: Survey,
        reference: "NPS Q4 2025",
        customer: "Tom Becker",
        segment: Some("Students"),
        date: ymd(2026, 1, 22),
        quote: "Lost my card at a festival, could not block it without calling. Critical for me.",
        importance: Critical,
        features: &["Card controls", "Push notifications"],
    },
    InsightRow {
        product: App,
        source: Usability,
        reference: "UX session 7",
        customer: "Lena Fischer",
        segment: Some("Young professionals"),
        date: ymd(2026, 2, 3),
        quote: "Typing the IBAN on the phone is painful; I gave up twice.",
        importance: Important,
        features: &["Transfers"],
    },
    InsightRow {
        product: App,
        source: Interview,
        reference: "INT-2026-07",
        customer: "Marco Rossi",
        segment: Some("Families"),
        date: ymd(2026, 2, 9),
        quote: "I want to see where the money goes each month, by category, without a spreadsheet.",
        importance: Important,
        features: &["Spending insights"],
    },
    InsightRow {
        product: App,
        source: SalesCall,
        reference: "Branch Hamburg",
        customer: "Aylin Kaya",
        segment: Some("Young professionals"),
        date: ymd(2026, 2, 12),
        quote: "She would switch from her neobank if we opened accounts without a branch visit.",
        importance: Critical,
        features: &["Digital account opening"],
    },
    InsightRow {
        product: App,
        source: Survey,
        reference: "App store reviews",
        customer: "Jonas Weber",
        segment: Some("Young professionals"),
        date: ymd(2026, 2, 18),
        quote: "Face ID instead of the six-digit PIN, please.",
        importance: NiceToHave,
        features: &["Biometric and PIN login"],
    },
    InsightRow {
        product: App,
        source: Interview,
        reference: "INT-2026-11",
        customer: "Sara Lind",
        segment: Some("Students"),
        date: ymd(2026, 2, 25),
        quote: "Saving for a trip with separate pots would keep me from spending it.",
        importance: NiceToHave,
        features: &["Savings pots"],
    },
    InsightRow {
        product: App,
        source: SupportTicket,
        reference: "ZD-50122",
        customer: "Priya Nair",
        segment: Some("Families"),
        date: ymd(2026, 3, 2),
        quote: "I only notice a card payment days later; tell me right away.",
        importance: Important,
        features: &["Push notifications"],
    },
    InsightRow {
        product: App,
        source: Usability,
        reference: "UX session 9",
        customer: "Ben Okoro",
        segment: None,
        date: ymd(2026, 3, 5),
        quote: "The font is too small for me on the account overview.",
        importance: Important,
        features: &[],
    },
    InsightRow {
        product: App,
        source: Survey,
        reference: "NPS Q1 2026",
        customer: "Hannah Schulz",
        segment: Some("Families"),
        date: ymd(2026, 3, 9),
        quote: "A dark mode would be nice for checking the balance at night.",
        importance: NiceToHave,
        features: &[],
    },
    InsightRow {
        product: App,
        source: SalesCall,
        reference: "Campus fair",
        customer: "Tom Becker",
        segment: Some("Students"),
        date: ymd(2026, 3, 11),
        quote: "Splitting a restaurant bill with friends in the app would win my whole flat.",
        importance: Important,
        features: &[],
    },
    InsightRow {
        product: Portal,
        source: Interview,
        reference: "INT-2026-04",
        customer: "Elena Petrova",
        segment: Some("Homeowners"),
        date: ymd(2026, 1, 16),
        quote: "I need my annual mortgage statement for taxes and can only get it by post.",
        importance: Critical,
        features: &["Documents", "Mortgage documents and balance"],
    },
    InsightRow {
        product: Portal,
        source: SupportTicket,
        reference: "ZD-47310",
        customer: "Karim Haddad",
        segment: Some("Small business owners"),
        date: ymd(2026, 1, 27),
        quote: "Changing my address took three forms and a branch visit.",
        importance: Important,
        features: &["Service requests", "Profile and contact details"],
    },
    InsightRow {
        product: Portal,
        source: Survey,
        reference: "Portal beta survey",
        customer: "Julia Wagner",
        segment: Some("Homeowners"),
        date: ymd(2026, 2, 6),
        quote: "Booking a call with my adviser online would save me a morning.",
        importance: Important,
        features: &["Advisor contact"],
    },
    InsightRow {
        product: Portal,
        source: SalesCall,
        reference: "Mortgage desk",
        customer: "Peter Novak",
        segment: Some("Homeowners"),
        date: ymd(2026, 2, 19),
        quote: "Wants to see the remaining balance and the fixed-rate end date before he renews.",
        importance: Critical,
        features: &["Mortgage documents and balance"],
    },
    InsightRow {
        product: Portal,
        source: Usability,
        reference: "UX session 4",
        customer: "Karim Haddad",
        segment: Some("Small business owners"),
        date: ymd(2026, 2, 24),
        quote: "I could not find where to download statements as PDF.",
        importance: Important,
        features: &["Documents"],
    },
    InsightRow {
        product: Portal,
        source: Interview,
        reference: "INT-2026-09",
        customer: "Ines Duarte",
        segment: Some("Small business owners"),
        date: ymd(2026, 3, 4),
        quote: "An export of all transactions for my accountant every quarter.",
        importance: Important,
        features: &[],
    },
    InsightRow {
        product: Portal,
        source: SupportTicket,
        reference: "ZD-51004",
        customer: "Walter Brandt",
        segment: None,
        date: ymd(2026, 3, 10),
        quote: "The portal logs me out while I am still typing a message.",
        importance: Critical,
        features: &[],
    },
    InsightRow {
        product: Portal,
        source: Survey,
        reference: "Portal beta survey",
        customer: "Julia Wagner",
        segment: Some("Homeowners"),
        date: ymd(2026, 3, 12),
        quote: "Uploading documents from my phone's camera would be handy.",
        importance: NiceToHave,
        features: &["Documents"],
    },
];
