//! The demo's program, projects, products, teams, milestones and dependencies, as tables.
//! Work items are in `backlog`; dependencies name their ends by work item title or
//! milestone name.

use chrono::NaiveDate;

use crate::dependency::DependencyKind;
use crate::program::ProgramPhase;

/// A date in a table; an impossible date fails the build, as these are only used in constants.
const fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("impossible date in the demo tables"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum ProjectKey {
    MobileApp,
    Portal,
    Platform,
    Compliance,
    Sales,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum ProductKey {
    App,
    Portal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum TeamKey {
    Mobile,
    Web,
    Platform,
    Data,
    Security,
    SalesOps,
}

pub(super) struct ProgramRow {
    pub goal: &'static str,
    pub sponsor: &'static str,
    pub phase: ProgramPhase,
    pub start: NaiveDate,
    pub target_end: NaiveDate,
    pub budget: i64,
    pub currency: &'static str,
}

pub(super) const PROGRAM: ProgramRow = ProgramRow {
    goal: "Move our retail customers to digital self-service: launch a new mobile banking app and a customer \
           self-service portal on a modernised core platform, stay compliant with PSD2 and DORA throughout, and \
           give sales a digital-first process. Targets for the end of 2027: 60% of retail customers active \
           digitally every month, 35% fewer service requests handled in branches, 20% lower run cost of the \
           core platform.",
    sponsor: "Martina Keller (Chief Digital Officer)",
    phase: ProgramPhase::Delivery,
    start: ymd(2026, 2, 2),
    target_end: ymd(2027, 12, 17),
    budget: 12_500_000,
    currency: "EUR",
};

pub(super) struct ProjectRow {
    pub key: ProjectKey,
    pub name: &'static str,
    pub description: &'static str,
    pub manager: &'static str,
    pub start: NaiveDate,
    pub budget: i64,
}

/// Budgets add up to 11.9 million; the program keeps 0.6 million as contingency.
pub(super) const PROJECTS: &[ProjectRow] = &[
    ProjectRow {
        key: ProjectKey::MobileApp,
        name: "Mobile Banking App",
        description: "Build and launch the new iOS and Android banking app: digital onboarding, accounts, \
                      payments, cards and notifications, replacing the ten-year-old app.",
        manager: "Priya Raman",
        start: ymd(2026, 3, 2),
        budget: 3_200_000,
    },
    ProjectRow {
        key: ProjectKey::Portal,
        name: "Customer Self-Service Portal",
        description: "Replace the legacy online banking with a self-service portal where customers handle \
                      documents, service requests and advisor contact without visiting a branch.",
        manager: "Tomás Herrera",
        start: ymd(2026, 4, 1),
        budget: 2_400_000,
    },
    ProjectRow {
        key: ProjectKey::Platform,
        name: "Core Platform Migration",
        description: "Move the core banking services from the mainframe to a cloud landing zone behind \
                      versioned APIs, migrate the customer and account data, and decommission the legacy core.",
        manager: "Anja Becker",
        start: ymd(2026, 2, 2),
        budget: 4_100_000,
    },
    ProjectRow {
        key: ProjectKey::Compliance,
        name: "Compliance Workstream (PSD2 / DORA)",
        description: "Keep every release compliant: strong customer authentication and the open banking \
                      interface under PSD2, ICT risk management and resilience testing under DORA, and the \
                      security and data protection sign-offs that gate the app and portal releases.",
        manager: "Ravi Menon",
        start: ymd(2026, 3, 16),
        budget: 1_300_000,
    },
    ProjectRow {
        key: ProjectKey::Sales,
        name: "New Sales Process",
        description: "Introduce a CRM and a digital-first sales process: leads from the app and portal, \
                      online product sales, advisor tools and training for 120 branch advisors.",
        manager: "Claire Dubois",
        start: ymd(2026, 6, 1),
        budget: 900_000,
    },
];

pub(super) struct ProductRow {
    pub key: ProductKey,
    pub name: &'static str,
    pub vision: &'static str,
    pub owner: &'static str,
}

pub(super) const PRODUCTS: &[ProductRow] = &[
    ProductRow {
        key: ProductKey::App,
        name: "MyBank Mobile App",
        vision: "The bank in your pocket: everything a retail customer does with us, from opening an account to \
                 disputing a card payment, done in under a minute on the phone. Prioritised by Cost of Delay; \
                 success is monthly active users, app store rating above 4.5 and fewer branch visits.",
        owner: "Sofia Lindqvist",
    },
    ProductRow {
        key: ProductKey::Portal,
        name: "MyBank Customer Portal",
        vision: "Self-service for everything that needs a bigger screen: documents, service requests, secure \
                 messages and appointments, so customers never need a branch for paperwork. Prioritised by Cost \
                 of Delay; success is the share of service requests raised online and customer satisfaction.",
        owner: "Daniel Okafor",
    },
];

pub(super) struct TeamRow {
    pub key: TeamKey,
    pub name: &'static str,
    pub capacity: i64,
    /// Holiday sets that apply to the team's location, merged.
    pub holidays: &'static [&'static [NaiveDate]],
}

/// Public holidays everywhere in Germany in 2026 and 2027 (those falling on a weekend included).
const GERMANY: &[NaiveDate] = &[
    ymd(2026, 1, 1),   // New Year's Day
    ymd(2026, 4, 3),   // Good Friday
    ymd(2026, 4, 6),   // Easter Monday
    ymd(2026, 5, 1),   // Labour Day
    ymd(2026, 5, 14),  // Ascension Day
    ymd(2026, 5, 25),  // Whit Monday
    ymd(2026, 10, 3),  // Day of German Unity
    ymd(2026, 12, 25), // Christmas Day
    ymd(2026, 12, 26), // Boxing Day
    ymd(2027, 1, 1),
    ymd(2027, 3, 26),
    ymd(2027, 3, 29),
    ymd(2027, 5, 1),
    ymd(2027, 5, 6),
    ymd(2027, 5, 17),
    ymd(2027, 10, 3),
    ymd(2027, 12, 25),
    ymd(2027, 12, 26),
];

/// Bavaria's extra holidays, for the teams in the Munich office.
const BAVARIA: &[NaiveDate] = &[
    ymd(2026, 1, 6),  // Epiphany
    ymd(2026, 6, 4),  // Corpus Christi
    ymd(2026, 11, 1), // All Saints' Day
    ymd(2027, 1, 6),
    ymd(2027, 5, 27),
    ymd(2027, 11, 1),
];

/// Berlin's extra holiday, for the team in the Berlin office.
const BERLIN: &[NaiveDate] = &[
    ymd(2026, 3, 8), // International Women's Day
    ymd(2027, 3, 8),
];

pub(super) const TEAMS: &[TeamRow] = &[
    TeamRow { key: TeamKey::Mobile, name: "Mobile", capacity: 6, holidays: &[GERMANY, BAVARIA] },
    TeamRow { key: TeamKey::Web, name: "Web", capacity: 5, holidays: &[GERMANY] },
    TeamRow { key: TeamKey::Platform, name: "Platform", capacity: 8, holidays: &[GERMANY, BERLIN] },
    TeamRow { key: TeamKey::Data, name: "Data", capacity: 4, holidays: &[GERMANY, BAVARIA] },
    TeamRow { key: TeamKey::Security, name: "Security & Compliance", capacity: 3, holidays: &[GERMANY] },
    TeamRow { key: TeamKey::SalesOps, name: "Sales Ops", capacity: 4, holidays: &[GERMANY] },
];

pub(super) struct MilestoneRow {
    pub project: ProjectKey,
    pub name: &'static str,
    pub target_date: NaiveDate,
    pub deliverable: &'static str,
}

/// Target dates are fixed, like every date of the demo, and chosen against the demo's own
/// forecast (made as of the program's fixed status date, its start, so it does not move as time
/// passes) so that the forecast view has something to say. With the program page's default
/// forecast (through the teams' capacities, 1,000 iterations, seed 1, PERT):
/// - **likely late** (even the P50 is after the target): "Core APIs v2 available" (target 27
///   February, P50 16 March) and "App 1.0 in the app stores" (target 30 April, P50 18 May: the
///   merge bias at work);
/// - **at risk** (the P50 meets the target, the P80 does not): "Legacy core decommissioned"
///   (target 11 September, P50 26 August, P80 21 September);
/// - **on track** (the P80 meets the target) for the other ten, most of them with the P95 too
///   ("CRM live for advisors": target 10 July, P80 26 June).
///
/// Links only (`tandem forecast --program --network-only`) gives the same mix, a little earlier.
/// (While the teams' own holidays blocked work instead of pausing it, capacities made "CRM live
/// for advisors" at risk and the decommissioning likely late.) The domain's demo tests compute
/// both forecasts and check this mix.
pub(super) const MILESTONES: &[MilestoneRow] = &[
    MilestoneRow {
        project: ProjectKey::MobileApp,
        name: "App beta for employees",
        target_date: ymd(2026, 4, 17),
        deliverable: "Beta build on TestFlight and Google Play internal testing for 500 employees, with login, \
                      accounts and transfers.",
    },
    MilestoneRow {
        project: ProjectKey::MobileApp,
        name: "App 1.0 in the app stores",
        target_date: ymd(2026, 4, 30),
        deliverable: "Version 1.0 released to all customers on the App Store and Google Play; the old app shows \
                      a migration notice.",
    },
    MilestoneRow {
        project: ProjectKey::Portal,
        name: "Portal pilot",
        target_date: ymd(2026, 4, 30),
        deliverable: "Portal open to 2,000 pilot customers with sign-in, documents and service requests.",
    },
    MilestoneRow {
        project: ProjectKey::Portal,
        name: "Portal go-live",
        target_date: ymd(2026, 5, 29),
        deliverable: "Portal live for all customers; the legacy online banking redirects to it.",
    },
    MilestoneRow {
        project: ProjectKey::Platform,
        name: "Landing zone ready",
        target_date: ymd(2026, 3, 31),
        deliverable: "Production landing zone with network, identity and access management, pipelines and \
                      monitoring, accepted by the architecture board.",
    },
    MilestoneRow {
        project: ProjectKey::Platform,
        name: "Core APIs v2 available",
        target_date: ymd(2026, 2, 27),
        deliverable: "Accounts, transactions and payments APIs v2 in production with published contracts.",
    },
    MilestoneRow {
        project: ProjectKey::Platform,
        name: "Legacy core decommissioned",
        target_date: ymd(2026, 9, 11),
        deliverable: "All customers and accounts served by the new platform; mainframe contract ended.",
    },
    MilestoneRow {
        project: ProjectKey::Compliance,
        name: "PSD2 XS2A interface certified",
        target_date: ymd(2026, 5, 29),
        deliverable: "Dedicated interface for third-party providers live, with the sandbox and the supervisor's \
                      exemption from the fallback mechanism.",
    },
    MilestoneRow {
        project: ProjectKey::Compliance,
        name: "DORA register of information submitted",
        target_date: ymd(2026, 6, 30),
        deliverable: "Register of ICT third-party arrangements submitted to the supervisor.",
    },
    MilestoneRow {
        project: ProjectKey::Compliance,
        name: "Compliance sign-off for the app release",
        target_date: ymd(2026, 4, 24),
        deliverable: "Signed security, data protection and PSD2 approval for the app's public release.",
    },
    MilestoneRow {
        project: ProjectKey::Compliance,
        name: "Compliance sign-off for the portal go-live",
        target_date: ymd(2026, 5, 15),
        deliverable: "Signed security, data protection and PSD2 approval for the portal's go-live.",
    },
    MilestoneRow {
        project: ProjectKey::Sales,
        name: "CRM live for advisors",
        target_date: ymd(2026, 7, 10),
        deliverable: "CRM in production with the lead pipeline and all existing leads imported.",
    },
    MilestoneRow {
        project: ProjectKey::Sales,
        name: "Digital sales process rolled out",
        target_date: ymd(2026, 9, 30),
        deliverable: "All branches work leads in the CRM and sell current accounts online; advisors trained.",
    },
];

/// One end of a dependency: a work item by title or a milestone by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Node {
    Item(&'static str),
    Milestone(&'static str),
}

impl Node {
    pub fn label(self) -> &'static str {
        match self {
            Node::Item(title) | Node::Milestone(title) => title,
        }
    }
}

pub(super) struct DependencyRow {
    pub predecessor: Node,
    pub successor: Node,
    pub kind: DependencyKind,
    pub lag_days: i64,
}

impl DependencyRow {
    const fn lag(self, lag_days: i64) -> DependencyRow {
        DependencyRow { lag_days, ..self }
    }
}

const fn item(title: &'static str) -> Node {
    Node::Item(title)
}

const fn milestone(name: &'static str) -> Node {
    Node::Milestone(name)
}

const fn link(kind: DependencyKind, predecessor: Node, successor: Node) -> DependencyRow {
    DependencyRow { predecessor, successor, kind, lag_days: 0 }
}

/// Finish to start: `successor` starts once `predecessor` has finished.
const fn fs(predecessor: Node, successor: Node) -> DependencyRow {
    link(DependencyKind::FinishToStart, predecessor, successor)
}

const fn ss(predecessor: Node, successor: Node) -> DependencyRow {
    link(DependencyKind::StartToStart, predecessor, successor)
}

const fn ff(predecessor: Node, successor: Node) -> DependencyRow {
    link(DependencyKind::FinishToFinish, predecessor, successor)
}

/// Read each row "predecessor, then successor". Grouped by the project of the successor.
pub(super) const DEPENDENCIES: &[DependencyRow] = &[
    // Core Platform Migration
    ss(item("Provision the landing zone (accounts, network, IAM)"), item("CI/CD pipelines and infrastructure as code"))
        .lag(5),
    fs(item("CI/CD pipelines and infrastructure as code"), milestone("Landing zone ready")),
    fs(milestone("Landing zone ready"), item("Customer identity service (OpenID Connect)")),
    fs(item("Customer identity service (OpenID Connect)"), item("Device binding API")),
    fs(item("Customer identity service (OpenID Connect)"), item("Migrate credentials from the legacy login")),
    fs(item("Accounts and balances endpoint"), item("Transactions endpoint with paging")),
    ss(item("Accounts and balances endpoint"), item("Contract tests for Accounts API v2")),
    ff(item("Transactions endpoint with paging"), item("Contract tests for Accounts API v2")).lag(2),
    fs(item("SEPA credit transfer endpoint"), item("SEPA Instant endpoint")),
    fs(item("Event bus for account events"), item("Notification service (push, email, SMS)")),
    fs(item("Transactions endpoint with paging"), milestone("Core APIs v2 available")),
    fs(item("SEPA Instant endpoint"), milestone("Core APIs v2 available")),
    fs(item("Map legacy customer data to the new model"), item("Trial migration 1 (10% sample)")),
    fs(item("Trial migration 1 (10% sample)"), item("Trial migration 2 (full volume)")).lag(10),
    // Reconciliation may start three days before the full-volume trial ends.
    fs(item("Trial migration 2 (full volume)"), item("Reconciliation reports")).lag(-3),
    fs(item("Trial migration 2 (full volume)"), item("Cut-over runbook and rehearsal")),
    fs(item("Cut-over runbook and rehearsal"), item("Production cut-over weekend")),
    // DORA: the supervisor is told about the cloud outsourcing before production moves there.
    fs(item("Regulator notification of the outsourcing to the cloud"), item("Production cut-over weekend")).lag(20),
    fs(item("Production cut-over weekend"), item("Decommission the legacy core")).lag(20),
    fs(item("Decommission the legacy core"), milestone("Legacy core decommissioned")),
    fs(item("Multi-zone failover"), item("Disaster recovery exercise")),
    fs(item("Backup and restore tests"), item("Disaster recovery exercise")),
    // Mobile Banking App: its screens wait for the platform's APIs.
    fs(item("Integrate the KYC provider SDK"), item("Video identification hand-off to the KYC provider")),
    fs(item("Capture the ID document with the camera"), item("Pre-fill the onboarding form from ID data")),
    fs(item("Set and reset the app PIN"), item("Lock the app after five failed attempts")),
    fs(item("Device binding API"), item("Device binding with the platform identity service")),
    fs(item("Device binding with the platform identity service"), item("Approve payments in the app (push-based SCA)")),
    ss(
        item("Approve payments in the app (push-based SCA)"),
        item("Dynamic linking of amount and payee in the SCA challenge"),
    )
    .lag(2),
    fs(item("Accounts and balances endpoint"), item("Show all accounts with balances")),
    fs(item("Show all accounts with balances"), item("Transaction list with search and filters")),
    fs(item("Transactions endpoint with paging"), item("Transaction list with search and filters")),
    fs(item("SEPA credit transfer endpoint"), item("SEPA transfer to a saved payee")),
    fs(item("Payment limits service"), item("Payment limits from the core platform")),
    fs(item("SEPA transfer to a saved payee"), item("SEPA Instant transfer")),
    fs(item("SEPA Instant endpoint"), item("SEPA Instant transfer")),
    fs(item("Standing orders endpoint"), item("Standing orders: create, edit, cancel")),
    fs(item("Card status endpoint (freeze, unfreeze, block)"), item("Freeze and unfreeze a card")),
    fs(item("Card limits endpoint"), item("Change card limits")),
    fs(item("Notification service (push, email, SMS)"), item("Push notification service integration (APNs and FCM)")),
    fs(item("Push notification service integration (APNs and FCM)"), item("Notify on incoming payments")),
    fs(item("Categorise transactions (merchant category model)"), item("Monthly spending by category")),
    fs(item("Monthly spending by category"), item("Budget alerts")),
    fs(item("Transaction list with search and filters"), milestone("App beta for employees")),
    fs(item("SEPA transfer to a saved payee"), milestone("App beta for employees")),
    // The compliance sign-off gates the public rollout.
    fs(milestone("Compliance sign-off for the app release"), item("Staged rollout to 10% of customers")),
    ff(item("Accessibility audit against WCAG 2.1 AA"), item("App store listings and screenshots")),
    fs(item("Staged rollout to 10% of customers"), item("Release 1.0 to the app stores")).lag(10),
    fs(item("Release 1.0 to the app stores"), milestone("App 1.0 in the app stores")),
    // Customer Self-Service Portal
    fs(
        item("Customer identity service (OpenID Connect)"),
        item("OpenID Connect login against the platform identity service"),
    ),
    fs(
        item("OpenID Connect login against the platform identity service"),
        item("Log in with the app as second factor"),
    ),
    fs(item("Approve payments in the app (push-based SCA)"), item("Log in with the app as second factor")),
    fs(item("Transactions endpoint with paging"), item("Download account statements as PDF")),
    fs(item("Card status endpoint (freeze, unfreeze, block)"), item("Order a replacement card")),
    fs(item("Route requests into the back-office case system"), item("Track the status of my requests")),
    ss(item("Shared design tokens for app and portal"), item("Accessible component library")).lag(3),
    fs(item("Accessible component library"), item("Dark mode")),
    fs(item("Download account statements as PDF"), milestone("Portal pilot")),
    fs(item("Order a replacement card"), milestone("Portal pilot")),
    fs(item("Load test the portal at 5,000 concurrent users"), item("Go-live of the portal")),
    fs(milestone("Compliance sign-off for the portal go-live"), item("Go-live of the portal")),
    fs(item("Go-live of the portal"), milestone("Portal go-live")),
    fs(item("Go-live of the portal"), item("Migrate customers from the legacy online banking")).lag(5),
    // Compliance Workstream
    fs(item("Accounts and balances endpoint"), item("Dedicated XS2A interface for third-party providers")),
    ss(item("Dedicated XS2A interface for third-party providers"), item("TPP certificate (eIDAS) validation")).lag(5),
    fs(item("Dedicated XS2A interface for third-party providers"), item("Publish the XS2A sandbox")),
    fs(item("Publish the XS2A sandbox"), milestone("PSD2 XS2A interface certified")),
    fs(item("ICT asset and third-party register"), item("ICT risk assessment of the new platform")),
    fs(item("ICT asset and third-party register"), milestone("DORA register of information submitted")),
    fs(item("Disaster recovery exercise"), item("Digital operational resilience test report")),
    fs(
        item("Dynamic linking of amount and payee in the SCA challenge"),
        item("Review the SCA flows of app and portal"),
    ),
    fs(item("Review the SCA flows of app and portal"), item("Security sign-off for the app release")),
    fs(item("Penetration test of the app"), item("Security sign-off for the app release")),
    fs(item("Data protection impact assessment (app)"), item("Security sign-off for the app release")),
    fs(item("Security sign-off for the app release"), milestone("Compliance sign-off for the app release")),
    fs(item("Data protection impact assessment (portal)"), item("Security sign-off for the portal go-live")),
    fs(item("Load test the portal at 5,000 concurrent users"), item("Security sign-off for the portal go-live")),
    fs(item("Security sign-off for the portal go-live"), milestone("Compliance sign-off for the portal go-live")),
    // New Sales Process
    fs(item("Select the CRM and sign the contract"), item("Configure lead stages and pipeline")),
    fs(item("Configure lead stages and pipeline"), item("Import existing leads from spreadsheets")),
    fs(item("Import existing leads from spreadsheets"), milestone("CRM live for advisors")),
    fs(item("Configure lead stages and pipeline"), item("Leads from the portal's contact form")),
    fs(item("Book appointments from the CRM"), item("Book an appointment with an advisor")),
    fs(item("Pricing and conditions catalogue"), item("Open a current account from the portal")),
    fs(item("Go-live of the portal"), item("Open a current account from the portal")),
    fs(item("Release 1.0 to the app stores"), item("Cross-sell a credit card in the app")),
    ss(item("Sales playbook for the digital-first process"), item("Train 120 branch advisors on the new process"))
        .lag(10),
    fs(item("Train 120 branch advisors on the new process"), milestone("Digital sales process rolled out")),
    fs(item("Open a current account from the portal"), milestone("Digital sales process rolled out")),
];
