//! The demo's work items: per project a tree of epics, features and their stories, tasks and
//! bugs, in the order their owners prioritised them. Estimates are in working days
//! (optimistic, most likely, pessimistic). An epic's or a feature's own estimate and status are
//! rolled up from what it contains, so the tables only state them for the leaves.

use crate::work_item::{WorkItemKind, WorkItemStatus};

use super::catalog::{ProductKey, ProjectKey, TeamKey};

use WorkItemStatus::{Backlog, Done, InProgress, Ready};

/// A story, task or bug, or (through [`Feature::summary`] and [`Epic::summary`]) a parent as it
/// is stored.
#[derive(Debug, Clone, Copy)]
pub(super) struct Leaf {
    pub kind: WorkItemKind,
    pub title: &'static str,
    pub description: &'static str,
    pub estimate: [f64; 3],
    pub story_points: Option<i64>,
    pub people_needed: i64,
    pub status: WorkItemStatus,
    /// `None`: the feature's team.
    pub team: Option<TeamKey>,
}

impl Leaf {
    /// Done by another team than the feature's.
    const fn by(self, team: TeamKey) -> Leaf {
        Leaf { team: Some(team), ..self }
    }
}

const fn story(
    title: &'static str,
    description: &'static str,
    estimate: [f64; 3],
    points: i64,
    people_needed: i64,
    status: WorkItemStatus,
) -> Leaf {
    Leaf {
        kind: WorkItemKind::Story,
        title,
        description,
        estimate,
        story_points: Some(points),
        people_needed,
        status,
        team: None,
    }
}

const fn task(
    title: &'static str,
    description: &'static str,
    estimate: [f64; 3],
    people_needed: i64,
    status: WorkItemStatus,
) -> Leaf {
    Leaf {
        kind: WorkItemKind::Task,
        title,
        description,
        estimate,
        story_points: None,
        people_needed,
        status,
        team: None,
    }
}

const fn bug(
    title: &'static str,
    description: &'static str,
    estimate: [f64; 3],
    people_needed: i64,
    status: WorkItemStatus,
) -> Leaf {
    Leaf {
        kind: WorkItemKind::Bug,
        title,
        description,
        estimate,
        story_points: None,
        people_needed,
        status,
        team: None,
    }
}

#[derive(Debug)]
pub(super) struct Feature {
    pub team: TeamKey,
    pub title: &'static str,
    pub description: &'static str,
    pub items: &'static [Leaf],
}

impl Feature {
    /// The feature as stored: its team, the summed estimate and the rolled-up status of its items.
    pub fn summary(&self) -> Leaf {
        Leaf {
            kind: WorkItemKind::Feature,
            title: self.title,
            description: self.description,
            estimate: sum_estimates(self.items.iter()),
            story_points: None,
            people_needed: 1,
            status: rolled_up_status(self.items.iter()),
            team: Some(self.team),
        }
    }
}

/// An epic and everything below it share its placement: project, product, or both.
#[derive(Debug)]
pub(super) struct Epic {
    pub project: Option<ProjectKey>,
    pub product: Option<ProductKey>,
    pub title: &'static str,
    pub description: &'static str,
    pub features: &'static [Feature],
}

impl Epic {
    /// The epic as stored: no team of its own (its features have teams), the summed estimate and
    /// the rolled-up status of all its items.
    pub fn summary(&self) -> Leaf {
        Leaf {
            kind: WorkItemKind::Epic,
            title: self.title,
            description: self.description,
            estimate: sum_estimates(self.leaves()),
            story_points: None,
            people_needed: 1,
            status: rolled_up_status(self.leaves()),
            team: None,
        }
    }

    pub fn leaves(&self) -> impl Iterator<Item = &'static Leaf> + use<> {
        self.features.iter().flat_map(|feature| feature.items.iter())
    }
}

fn sum_estimates<'a>(leaves: impl Iterator<Item = &'a Leaf>) -> [f64; 3] {
    leaves.fold([0.0; 3], |[o, m, p], leaf| [o + leaf.estimate[0], m + leaf.estimate[1], p + leaf.estimate[2]])
}

/// Done when everything is; in progress once anything started; ready when everything is ready.
fn rolled_up_status<'a>(leaves: impl Iterator<Item = &'a Leaf>) -> WorkItemStatus {
    let statuses: Vec<WorkItemStatus> = leaves.map(|leaf| leaf.status).collect();
    if statuses.iter().all(|status| *status == Done) {
        Done
    } else if statuses.iter().any(|status| matches!(status, InProgress | Done)) {
        InProgress
    } else if statuses.iter().all(|status| *status == Ready) {
        Ready
    } else {
        Backlog
    }
}

/// Every epic, project by project, each project's in priority order.
pub(super) fn epics() -> impl Iterator<Item = &'static Epic> {
    [MOBILE_APP, PORTAL, PLATFORM, COMPLIANCE, SALES].into_iter().flatten()
}

const MOBILE_APP: &[Epic] = &[
    Epic {
        project: Some(ProjectKey::MobileApp),
        product: Some(ProductKey::App),
        title: "Secure onboarding and login",
        description: "New customers open an account in the app in ten minutes; existing customers log in safely \
                      without typing passwords. Highest Cost of Delay: every week without it sends new customers \
                      to a branch.",
        features: &[
            Feature {
                team: TeamKey::Mobile,
                title: "Digital account opening",
                description: "Open a current account entirely in the app, with identification by video.",
                items: &[
                    story(
                        "Capture the ID document with the camera",
                        "As a new customer I want to photograph my ID card or passport so that I do not have to \
                         type my personal data.",
                        [3.0, 5.0, 8.0],
                        5,
                        2,
                        Done,
                    ),
                    task(
                        "Integrate the KYC provider SDK",
                        "Embed the identification provider's SDK on iOS and Android, behind our own interface so \
                         the provider can be replaced.",
                        [4.0, 6.0, 10.0],
                        1,
                        Done,
                    ),
                    story(
                        "Video identification hand-off to the KYC provider",
                        "As a new customer I want to start the video call for identification from the app and \
                         return to my application when it ends.",
                        [3.0, 5.0, 9.0],
                        5,
                        1,
                        InProgress,
                    ),
                    story(
                        "Pre-fill the onboarding form from ID data",
                        "As a new customer I want my name, date of birth and address filled in from my ID so that \
                         I only check them.",
                        [2.0, 3.0, 5.0],
                        3,
                        1,
                        Ready,
                    ),
                    bug(
                        "Camera preview freezes on older Android devices",
                        "On Android 10 devices with 3 GB of memory the camera preview stops after the first \
                         capture; seen on 4% of test devices.",
                        [1.0, 2.0, 4.0],
                        1,
                        InProgress,
                    ),
                ],
            },
            Feature {
                team: TeamKey::Mobile,
                title: "Biometric and PIN login",
                description: "Log in with a fingerprint, the face or a six-digit app PIN on a bound device.",
                items: &[
                    story(
                        "Log in with fingerprint or face recognition",
                        "As a customer I want to log in with Face ID or my fingerprint so that logging in takes \
                         a second.",
                        [3.0, 4.0, 7.0],
                        5,
                        1,
                        InProgress,
                    ),
                    story(
                        "Set and reset the app PIN",
                        "As a customer I want to choose a six-digit PIN and reset it after identifying myself \
                         again.",
                        [2.0, 3.0, 5.0],
                        3,
                        1,
                        Done,
                    ),
                    story(
                        "Lock the app after five failed attempts",
                        "As the bank we lock the app after five wrong PINs and explain how to unlock it.",
                        [1.0, 2.0, 3.0],
                        2,
                        1,
                        Ready,
                    ),
                    task(
                        "Device binding with the platform identity service",
                        "Register the device key with the platform's device binding API at first login and \
                         present it on every later login.",
                        [3.0, 5.0, 8.0],
                        1,
                        Backlog,
                    ),
                ],
            },
            Feature {
                team: TeamKey::Mobile,
                title: "Strong customer authentication in the app",
                description: "The app becomes the customer's PSD2 authentication device for payments and logins.",
                items: &[
                    story(
                        "Approve payments in the app (push-based SCA)",
                        "As a customer I want to approve a payment with a push message and my fingerprint instead \
                         of a TAN generator.",
                        [5.0, 8.0, 13.0],
                        8,
                        2,
                        Backlog,
                    ),
                    task(
                        "Dynamic linking of amount and payee in the SCA challenge",
                        "Show amount and payee in the approval screen and sign both, as PSD2's regulatory \
                         technical standards require.",
                        [3.0, 4.0, 6.0],
                        1,
                        Backlog,
                    ),
                    story(
                        "Fall back to an SMS one-time passcode",
                        "As a customer without a bound device I want to approve with an SMS code so that I am \
                         never locked out.",
                        [2.0, 3.0, 5.0],
                        3,
                        1,
                        Backlog,
                    ),
                ],
            },
        ],
    },
    Epic {
        project: Some(ProjectKey::MobileApp),
        product: Some(ProductKey::App),
        title: "Accounts and payments in the app",
        description: "The daily jobs: check balances, find a transaction, pay someone, manage cards.",
        features: &[
            Feature {
                team: TeamKey::Mobile,
                title: "Account overview",
                description: "All accounts, balances and transactions at a glance.",
                items: &[
                    story(
                        "Show all accounts with balances",
                        "As a customer I want to see my current, savings and card accounts with their balances on \
                         the start screen.",
                        [2.0, 3.0, 5.0],
                        3,
                        1,
                        Ready,
                    ),
                    story(
                        "Transaction list with search and filters",
                        "As a customer I want to search my transactions by text, amount and date so that I find a \
                         payment in seconds.",
                        [4.0, 6.0, 10.0],
                        5,
                        2,
                        Ready,
                    ),
                    story(
                        "Transaction details with merchant logo",
                        "As a customer I want to see the merchant's name and logo so that I recognise card \
                         payments.",
                        [1.0, 2.0, 4.0],
                        2,
                        1,
                        Backlog,
                    ),
                    bug(
                        "Balance widget shows stale values after pull-to-refresh",
                        "In the prototype build the widget keeps the cached balance when the refresh request \
                         times out, without saying so.",
                        [0.5, 1.0, 2.0],
                        1,
                        Backlog,
                    ),
                ],
            },
            Feature {
                team: TeamKey::Mobile,
                title: "Transfers",
                description: "SEPA and SEPA Instant transfers, standing orders and invoice payments.",
                items: &[
                    story(
                        "SEPA transfer to a saved payee",
                        "As a customer I want to send money to a saved payee in three taps.",
                        [4.0, 6.0, 9.0],
                        5,
                        2,
                        Ready,
                    ),
                    story(
                        "SEPA Instant transfer",
                        "As a customer I want the money to arrive within ten seconds when the receiving bank \
                         supports it.",
                        [2.0, 3.0, 6.0],
                        3,
                        1,
                        Backlog,
                    ),
                    story(
                        "Standing orders: create, edit, cancel",
                        "As a customer I want to manage my standing orders in the app instead of calling the \
                         branch.",
                        [3.0, 5.0, 8.0],
                        5,
                        1,
                        Backlog,
                    ),
                    story(
                        "Pay an invoice by scanning its QR code (GiroCode)",
                        "As a customer I want to scan the QR code on an invoice so that IBAN, amount and reference \
                         are filled in.",
                        [2.0, 3.0, 6.0],
                        3,
                        1,
                        Backlog,
                    ),
                    task(
                        "Payment limits from the core platform",
                        "Read the customer's daily and per-transfer limits from the platform instead of the app's \
                         hard-coded values.",
                        [1.0, 2.0, 3.0],
                        1,
                        Backlog,
                    ),
                ],
            },
            Feature {
                team: TeamKey::Mobile,
                title: "Card controls",
                description: "Customers manage their debit and credit cards themselves.",
                items: &[
                    story(
                        "Freeze and unfreeze a card",
                        "As a customer I want to freeze my card when I cannot find it and unfreeze it when I do.",
                        [1.0, 2.0, 4.0],
                        2,
                        1,
                        Ready,
                    ),
                    story(
                        "Change card limits",
                        "As a customer I want to raise my card's daily limit for a large purchase.",
                        [2.0, 3.0, 5.0],
                        3,
                        1,
                        Backlog,
                    ),
                    story(
                        "Report a card lost or stolen",
                        "As a customer I want to block a lost card and order a replacement in one step.",
                        [2.0, 3.0, 4.0],
                        3,
                        1,
                        Backlog,
                    ),
                ],
            },
        ],
    },
    Epic {
        project: Some(ProjectKey::MobileApp),
        product: Some(ProductKey::App),
        title: "Insights and notifications",
        description: "Reasons to open the app every week: timely notifications and a clear view of spending.",
        features: &[
            Feature {
                team: TeamKey::Mobile,
                title: "Push notifications",
                description: "Real-time notifications about money coming in and going out.",
                items: &[
                    task(
                        "Push notification service integration (APNs and FCM)",
                        "Register devices with the platform's notification service and handle Apple and Google \
                         push tokens.",
                        [2.0, 3.0, 5.0],
                        1,
                        Backlog,
                    ),
                    story(
                        "Notify on incoming payments",
                        "As a customer I want a notification when my salary or any payment arrives.",
                        [1.0, 2.0, 3.0],
                        2,
                        1,
                        Backlog,
                    ),
                    story(
                        "Notification preferences",
                        "As a customer I want to choose which notifications I get and at which amount.",
                        [1.0, 2.0, 4.0],
                        2,
                        1,
                        Backlog,
                    ),
                ],
            },
            Feature {
                team: TeamKey::Mobile,
                title: "Spending insights",
                description: "Transactions sorted into categories, with monthly totals and budget alerts.",
                items: &[
                    task(
                        "Categorise transactions (merchant category model)",
                        "Train and deploy the model that maps merchant codes and texts to 14 spending categories; \
                         target 90% precision.",
                        [8.0, 12.0, 20.0],
                        2,
                        Ready,
                    )
                    .by(TeamKey::Data),
                    story(
                        "Monthly spending by category",
                        "As a customer I want to see how much I spent per category this month compared with the \
                         last three.",
                        [3.0, 4.0, 7.0],
                        5,
                        1,
                        Backlog,
                    ),
                    story(
                        "Budget alerts",
                        "As a customer I want an alert when I reach 80% of the budget I set for a category.",
                        [2.0, 3.0, 5.0],
                        3,
                        1,
                        Backlog,
                    ),
                ],
            },
        ],
    },
    Epic {
        project: Some(ProjectKey::MobileApp),
        product: Some(ProductKey::App),
        title: "App release readiness",
        description: "Everything between a feature-complete build and a public release in both app stores.",
        features: &[
            Feature {
                team: TeamKey::Mobile,
                title: "Quality and accessibility",
                description: "Accessible, fast and tested against attacks before it reaches customers.",
                items: &[
                    task(
                        "Accessibility audit against WCAG 2.1 AA",
                        "External audit of all screens with VoiceOver and TalkBack; fix list prioritised with the \
                         product owner.",
                        [3.0, 5.0, 8.0],
                        1,
                        Backlog,
                    ),
                    task(
                        "Cold start under two seconds",
                        "Measure and cut the cold start time on a mid-range Android phone to under two seconds.",
                        [3.0, 5.0, 10.0],
                        1,
                        Backlog,
                    ),
                    task(
                        "Penetration test of the app",
                        "Commission and follow the external penetration test of the app and its APIs; retest the \
                         findings rated high.",
                        [5.0, 5.0, 10.0],
                        2,
                        Backlog,
                    )
                    .by(TeamKey::Security),
                    bug(
                        "VoiceOver reads amounts digit by digit",
                        "Amounts are rendered as separate text runs, so VoiceOver reads 1,250.00 as single digits.",
                        [0.5, 1.0, 2.0],
                        1,
                        Ready,
                    ),
                ],
            },
            Feature {
                team: TeamKey::Mobile,
                title: "App store launch",
                description: "Store presence, a staged rollout and the 1.0 release.",
                items: &[
                    task(
                        "App store listings and screenshots",
                        "Texts, screenshots and privacy labels for the App Store and Google Play, in German and \
                         English.",
                        [2.0, 3.0, 4.0],
                        1,
                        Backlog,
                    ),
                    task(
                        "Staged rollout to 10% of customers",
                        "Release to 10% of customers, watch crash rate and support tickets for two weeks.",
                        [5.0, 5.0, 10.0],
                        1,
                        Backlog,
                    ),
                    task(
                        "Release 1.0 to the app stores",
                        "Release to everyone and switch the old app to the migration notice.",
                        [1.0, 1.0, 2.0],
                        2,
                        Backlog,
                    ),
                ],
            },
        ],
    },
    Epic {
        project: None,
        product: Some(ProductKey::App),
        title: "Savings goals (discovery)",
        description: "Product discovery, not yet planned into a project: do customers save more with named \
                      savings pots and round-ups?",
        features: &[Feature {
            team: TeamKey::Mobile,
            title: "Savings pots",
            description: "Named pots with a target amount, filled by hand or by rounding up card payments.",
            items: &[
                task(
                    "Interview 12 customers about saving habits",
                    "Twelve 45-minute interviews across age groups; synthesis shared with the program in the \
                     quarterly planning.",
                    [3.0, 4.0, 6.0],
                    1,
                    InProgress,
                ),
                story(
                    "Create a savings pot with a target",
                    "As a customer I want a pot called 'Holiday' with a target of 2,000 EUR and see my progress.",
                    [3.0, 5.0, 8.0],
                    5,
                    1,
                    Backlog,
                ),
                story(
                    "Round up card payments into a pot",
                    "As a customer I want each card payment rounded up to the next euro and the difference saved.",
                    [3.0, 5.0, 9.0],
                    5,
                    1,
                    Backlog,
                ),
            ],
        }],
    },
];

const PORTAL: &[Epic] = &[
    Epic {
        project: Some(ProjectKey::Portal),
        product: Some(ProductKey::Portal),
        title: "Portal sign-in and profile",
        description: "One identity for app and portal, and customers keep their own data up to date.",
        features: &[
            Feature {
                team: TeamKey::Web,
                title: "Single sign-on with the app identity",
                description: "The portal uses the platform identity service and the app as second factor.",
                items: &[
                    task(
                        "OpenID Connect login against the platform identity service",
                        "Replace the legacy login with the authorisation code flow (PKCE) against the new identity \
                         service.",
                        [3.0, 4.0, 6.0],
                        1,
                        InProgress,
                    ),
                    story(
                        "Log in with the app as second factor",
                        "As a customer I want to confirm my portal login in the app instead of typing a code.",
                        [3.0, 5.0, 8.0],
                        5,
                        1,
                        Backlog,
                    ),
                    story(
                        "Session timeout with a warning",
                        "As a customer I want a warning two minutes before my session ends so that I do not lose a \
                         half-filled form.",
                        [1.0, 2.0, 3.0],
                        2,
                        1,
                        Ready,
                    ),
                ],
            },
            Feature {
                team: TeamKey::Web,
                title: "Profile and contact details",
                description: "Address, email, phone and consents maintained by the customer.",
                items: &[
                    story(
                        "Change address with proof upload",
                        "As a customer I want to change my address and upload a proof so that no branch visit is \
                         needed.",
                        [3.0, 4.0, 7.0],
                        5,
                        1,
                        Done,
                    ),
                    bug(
                        "Proof upload fails silently above 5 MB",
                        "Files above 5 MB are rejected by the gateway but the form shows success; 7% of uploads in \
                         the first week.",
                        [0.5, 1.0, 3.0],
                        1,
                        Ready,
                    ),
                    story(
                        "Change email and phone with verification",
                        "As a customer I want to change my email and mobile number, confirmed by a code sent to \
                         the new address.",
                        [2.0, 3.0, 5.0],
                        3,
                        1,
                        Ready,
                    ),
                    story(
                        "Consent and marketing preferences",
                        "As a customer I want to see and change what I agreed to, as GDPR requires.",
                        [1.0, 2.0, 4.0],
                        2,
                        1,
                        Backlog,
                    ),
                ],
            },
        ],
    },
    Epic {
        project: Some(ProjectKey::Portal),
        product: Some(ProductKey::Portal),
        title: "Self-service requests",
        description: "The paperwork customers bring to branches today: documents, card orders, disputes, \
                      advisor contact. Cost of Delay: 38,000 branch requests a month.",
        features: &[
            Feature {
                team: TeamKey::Web,
                title: "Documents",
                description: "Statements, certificates and letters in one inbox.",
                items: &[
                    story(
                        "Download account statements as PDF",
                        "As a customer I want to download my monthly statements of the last ten years as PDF.",
                        [3.0, 4.0, 7.0],
                        5,
                        1,
                        Backlog,
                    ),
                    story(
                        "Annual tax certificates",
                        "As a customer I want my annual tax certificate for capital income in the portal.",
                        [2.0, 3.0, 5.0],
                        3,
                        1,
                        Backlog,
                    ),
                    story(
                        "Document inbox with read receipts",
                        "As the bank we deliver letters to the inbox and know legally when the customer read them.",
                        [3.0, 5.0, 8.0],
                        5,
                        1,
                        Backlog,
                    ),
                ],
            },
            Feature {
                team: TeamKey::Web,
                title: "Service requests",
                description: "Card orders and disputes raised online and tracked to the end.",
                items: &[
                    story(
                        "Order a replacement card",
                        "As a customer I want to order a new card when mine is damaged, delivered to my address.",
                        [2.0, 3.0, 5.0],
                        3,
                        1,
                        Backlog,
                    ),
                    story(
                        "Raise a dispute on a card payment",
                        "As a customer I want to dispute a card payment I do not recognise and attach evidence.",
                        [3.0, 5.0, 8.0],
                        5,
                        2,
                        Ready,
                    ),
                    story(
                        "Track the status of my requests",
                        "As a customer I want to see where each of my requests stands and what happens next.",
                        [2.0, 3.0, 5.0],
                        3,
                        1,
                        Backlog,
                    ),
                    task(
                        "Route requests into the back-office case system",
                        "Create a case in the back office for each request and feed status changes back to the \
                         portal.",
                        [5.0, 8.0, 13.0],
                        2,
                        InProgress,
                    ),
                ],
            },
            Feature {
                team: TeamKey::Web,
                title: "Advisor contact",
                description: "Reach the personal advisor without phoning the branch.",
                items: &[
                    story(
                        "Send a secure message to my advisor",
                        "As a customer I want to write to my advisor and get an answer within one working day.",
                        [3.0, 5.0, 8.0],
                        5,
                        1,
                        Backlog,
                    ),
                    story(
                        "Book an appointment with an advisor",
                        "As a customer I want to book a video or branch appointment in a free slot of my advisor.",
                        [2.0, 3.0, 5.0],
                        3,
                        1,
                        Backlog,
                    ),
                ],
            },
        ],
    },
    Epic {
        project: Some(ProjectKey::Portal),
        product: Some(ProductKey::Portal),
        title: "Portal design system and launch",
        description: "A design system shared with the app, then the pilot and the go-live.",
        features: &[
            Feature {
                team: TeamKey::Web,
                title: "Design system",
                description: "One look and one set of accessible components for app and portal.",
                items: &[
                    task(
                        "Shared design tokens for app and portal",
                        "Colours, typography and spacing as tokens generated for the web and both mobile \
                         platforms.",
                        [3.0, 4.0, 6.0],
                        1,
                        Done,
                    ),
                    task(
                        "Accessible component library",
                        "Forms, tables, dialogs and navigation built to WCAG 2.1 AA, documented with examples.",
                        [8.0, 12.0, 18.0],
                        2,
                        InProgress,
                    ),
                    story(
                        "Dark mode",
                        "As a customer I want the portal to follow my system's dark mode.",
                        [2.0, 3.0, 5.0],
                        3,
                        1,
                        Backlog,
                    ),
                ],
            },
            Feature {
                team: TeamKey::Web,
                title: "Portal launch",
                description: "Proven under load, then live for everyone with the customers moved over.",
                items: &[
                    task(
                        "Load test the portal at 5,000 concurrent users",
                        "Run the month-end peak scenario (statements and transfers) against production-sized \
                         infrastructure.",
                        [3.0, 4.0, 7.0],
                        2,
                        Backlog,
                    )
                    .by(TeamKey::Platform),
                    task(
                        "Go-live of the portal",
                        "Switch DNS, open the portal to all customers, hypercare for two weeks.",
                        [1.0, 2.0, 3.0],
                        3,
                        Backlog,
                    ),
                    task(
                        "Migrate customers from the legacy online banking",
                        "Move saved payees, standing order views and document history; redirect old bookmarks.",
                        [10.0, 15.0, 25.0],
                        2,
                        Backlog,
                    ),
                ],
            },
        ],
    },
    Epic {
        project: None,
        product: Some(ProductKey::Portal),
        title: "Mortgage self-service (discovery)",
        description: "Product discovery, not yet planned into a project: which mortgage questions can the portal \
                      answer so customers stop calling?",
        features: &[Feature {
            team: TeamKey::Web,
            title: "Mortgage documents and balance",
            description: "Mortgage paperwork and figures online.",
            items: &[
                story(
                    "Upload mortgage documents",
                    "As a mortgage applicant I want to upload payslips and the purchase contract instead of posting \
                     them.",
                    [3.0, 5.0, 8.0],
                    5,
                    1,
                    Backlog,
                ),
                story(
                    "See the mortgage balance and repayment plan",
                    "As a mortgage customer I want to see what I still owe and my repayment plan until the end of \
                     the fixed-rate period.",
                    [3.0, 4.0, 6.0],
                    3,
                    1,
                    Backlog,
                ),
            ],
        }],
    },
];

const PLATFORM: &[Epic] = &[
    Epic {
        project: Some(ProjectKey::Platform),
        product: None,
        title: "Cloud landing zone",
        description: "The foundation every other project builds on: accounts, network, pipelines, identity.",
        features: &[
            Feature {
                team: TeamKey::Platform,
                title: "Landing zone",
                description: "Production-ready cloud accounts, network, access management, pipelines, monitoring.",
                items: &[
                    task(
                        "Provision the landing zone (accounts, network, IAM)",
                        "Account structure, private networking to the data centre and role-based access, all as \
                         code.",
                        [15.0, 20.0, 30.0],
                        3,
                        Done,
                    ),
                    task(
                        "CI/CD pipelines and infrastructure as code",
                        "Pipelines with four-eyes approval for production, as the audit requires.",
                        [10.0, 15.0, 25.0],
                        2,
                        Done,
                    ),
                    task(
                        "Observability stack: logs, metrics, traces",
                        "Central logging, metrics and tracing with 13 months of retention and alerting to the \
                         on-call rota.",
                        [8.0, 12.0, 20.0],
                        2,
                        InProgress,
                    ),
                ],
            },
            Feature {
                team: TeamKey::Platform,
                title: "Identity service",
                description: "One customer identity for app, portal and open banking.",
                items: &[
                    task(
                        "Customer identity service (OpenID Connect)",
                        "OpenID Connect provider for customers with step-up authentication, replacing three \
                         legacy logins.",
                        [15.0, 20.0, 35.0],
                        3,
                        Done,
                    ),
                    task(
                        "Device binding API",
                        "API to register, list and revoke customer devices and their public keys.",
                        [5.0, 8.0, 12.0],
                        2,
                        InProgress,
                    ),
                    task(
                        "Migrate credentials from the legacy login",
                        "Move 1.4 million customer credentials without forcing a password reset.",
                        [6.0, 10.0, 18.0],
                        2,
                        Ready,
                    ),
                ],
            },
        ],
    },
    Epic {
        project: Some(ProjectKey::Platform),
        product: None,
        title: "Core banking APIs v2",
        description: "Versioned APIs over the new core that the app, the portal and open banking consume.",
        features: &[
            Feature {
                team: TeamKey::Platform,
                title: "Accounts API v2",
                description: "Accounts, balances and transactions.",
                items: &[
                    story(
                        "Accounts and balances endpoint",
                        "As a channel team we want one call that returns a customer's accounts with booked and \
                         available balances.",
                        [6.0, 8.0, 14.0],
                        8,
                        2,
                        InProgress,
                    ),
                    story(
                        "Transactions endpoint with paging",
                        "As a channel team we want transactions with cursor paging and text search over 10 years.",
                        [5.0, 8.0, 13.0],
                        8,
                        2,
                        Ready,
                    ),
                    task(
                        "Contract tests for Accounts API v2",
                        "Consumer-driven contract tests with the app and portal teams, run in every pipeline.",
                        [3.0, 5.0, 8.0],
                        1,
                        Ready,
                    ),
                ],
            },
            Feature {
                team: TeamKey::Platform,
                title: "Payments API v2",
                description: "SEPA, SEPA Instant and standing orders, with limits.",
                items: &[
                    story(
                        "SEPA credit transfer endpoint",
                        "As a channel team we want to submit a SEPA transfer and receive its status by event.",
                        [8.0, 10.0, 16.0],
                        8,
                        2,
                        Ready,
                    ),
                    story(
                        "SEPA Instant endpoint",
                        "As a channel team we want instant transfers with a result within ten seconds.",
                        [6.0, 9.0, 15.0],
                        8,
                        2,
                        Backlog,
                    ),
                    story(
                        "Standing orders endpoint",
                        "As a channel team we want to create, change and cancel standing orders.",
                        [4.0, 6.0, 10.0],
                        5,
                        1,
                        Backlog,
                    ),
                    task(
                        "Payment limits service",
                        "Daily and per-transfer limits per customer and channel, changeable by the customer within \
                         bounds.",
                        [4.0, 6.0, 9.0],
                        1,
                        Ready,
                    ),
                ],
            },
            Feature {
                team: TeamKey::Platform,
                title: "Cards API",
                description: "Card status and limits, in front of the card processor.",
                items: &[
                    story(
                        "Card status endpoint (freeze, unfreeze, block)",
                        "As a channel team we want to freeze, unfreeze and block cards at the processor in real \
                         time.",
                        [3.0, 5.0, 8.0],
                        5,
                        1,
                        Ready,
                    ),
                    story(
                        "Card limits endpoint",
                        "As a channel team we want to read and change a card's limits within the product's bounds.",
                        [3.0, 4.0, 7.0],
                        3,
                        1,
                        Backlog,
                    ),
                ],
            },
            Feature {
                team: TeamKey::Platform,
                title: "Events and notifications",
                description: "Account events published once, notifications sent on every channel.",
                items: &[
                    task(
                        "Event bus for account events",
                        "Bookings, balance changes and payment status as events with a schema registry.",
                        [6.0, 10.0, 15.0],
                        2,
                        InProgress,
                    ),
                    task(
                        "Notification service (push, email, SMS)",
                        "One service that sends push, email and SMS by customer preference.",
                        [6.0, 8.0, 14.0],
                        2,
                        Backlog,
                    ),
                ],
            },
        ],
    },
    Epic {
        project: Some(ProjectKey::Platform),
        product: None,
        title: "Data migration and cut-over",
        description: "Customers, accounts and ten years of history moved from the mainframe, then the switch.",
        features: &[
            Feature {
                team: TeamKey::Data,
                title: "Customer and account migration",
                description: "Mapping, two trial migrations and reconciliation.",
                items: &[
                    task(
                        "Map legacy customer data to the new model",
                        "Field-by-field mapping of 212 legacy fields, signed off by the data owners.",
                        [10.0, 15.0, 22.0],
                        2,
                        InProgress,
                    ),
                    bug(
                        "Umlauts corrupted in migrated customer names",
                        "The extract reads EBCDIC code page 273 as 037, so ä, ö, ü and ß arrive as question \
                         marks in the mapping dry run.",
                        [0.5, 1.0, 3.0],
                        1,
                        Ready,
                    ),
                    task(
                        "Trial migration 1 (10% sample)",
                        "Migrate a 10% sample into a production-like environment and measure the duration.",
                        [5.0, 8.0, 12.0],
                        3,
                        Backlog,
                    ),
                    task(
                        "Trial migration 2 (full volume)",
                        "Full-volume rehearsal; it must fit into the 52-hour cut-over window.",
                        [10.0, 15.0, 25.0],
                        4,
                        Backlog,
                    ),
                    task(
                        "Reconciliation reports",
                        "Counts, balances and checksums compared per branch between the old and the new core.",
                        [5.0, 7.0, 12.0],
                        1,
                        Backlog,
                    ),
                ],
            },
            Feature {
                team: TeamKey::Platform,
                title: "Cut-over",
                description: "The weekend the bank moves, and switching off the old core.",
                items: &[
                    task(
                        "Cut-over runbook and rehearsal",
                        "Hour-by-hour runbook with go/no-go points, rehearsed end to end.",
                        [8.0, 10.0, 15.0],
                        3,
                        Backlog,
                    ),
                    task(
                        "Production cut-over weekend",
                        "Freeze, final migration, reconciliation and switch of all channels to the new core.",
                        [2.0, 3.0, 5.0],
                        6,
                        Backlog,
                    ),
                    task(
                        "Decommission the legacy core",
                        "Archive what regulation requires us to keep, then end the mainframe contract.",
                        [15.0, 20.0, 40.0],
                        2,
                        Backlog,
                    ),
                ],
            },
        ],
    },
    Epic {
        project: Some(ProjectKey::Platform),
        product: None,
        title: "Platform resilience",
        description: "The new platform survives the loss of a zone and can be restored, as DORA expects.",
        features: &[Feature {
            team: TeamKey::Platform,
            title: "Resilience and recovery",
            description: "Failover, restores and a full disaster recovery exercise.",
            items: &[
                task(
                    "Multi-zone failover",
                    "Run every service across three zones; lose one without customer impact.",
                    [8.0, 12.0, 20.0],
                    2,
                    Backlog,
                ),
                task(
                    "Backup and restore tests",
                    "Monthly automated restore of every database into an isolated account.",
                    [3.0, 5.0, 8.0],
                    1,
                    Ready,
                ),
                task(
                    "Disaster recovery exercise",
                    "Fail the whole platform over to the second region and measure recovery time and data loss.",
                    [2.0, 3.0, 5.0],
                    4,
                    Backlog,
                ),
            ],
        }],
    },
];

const COMPLIANCE: &[Epic] = &[
    Epic {
        project: Some(ProjectKey::Compliance),
        product: None,
        title: "PSD2 compliance",
        description: "Strong customer authentication everywhere and a dedicated interface for third-party \
                      providers.",
        features: &[
            Feature {
                team: TeamKey::Security,
                title: "Strong customer authentication rules",
                description: "Exemptions, audit trail and a review of every SCA flow.",
                items: &[
                    task(
                        "SCA exemption rules (low value, trusted beneficiaries)",
                        "Rules for the low-value, trusted-beneficiary and transaction-risk exemptions, with fraud \
                         rate monitoring.",
                        [4.0, 6.0, 10.0],
                        1,
                        InProgress,
                    ),
                    task(
                        "SCA audit trail",
                        "Tamper-evident log of every authentication and exemption decision, kept for five years.",
                        [3.0, 5.0, 8.0],
                        1,
                        Ready,
                    ),
                    task(
                        "Review the SCA flows of app and portal",
                        "Walk through every login and payment flow against the regulatory technical standards.",
                        [2.0, 3.0, 5.0],
                        2,
                        Backlog,
                    ),
                ],
            },
            Feature {
                team: TeamKey::Platform,
                title: "Open banking interface (XS2A)",
                description: "Account information and payment initiation for licensed third-party providers.",
                items: &[
                    task(
                        "Dedicated XS2A interface for third-party providers",
                        "Berlin Group NextGenPSD2 interface on top of the Accounts and Payments APIs v2.",
                        [15.0, 20.0, 30.0],
                        3,
                        Backlog,
                    ),
                    task(
                        "TPP certificate (eIDAS) validation",
                        "Validate qualified website certificates and the provider's roles against the registers.",
                        [3.0, 5.0, 8.0],
                        1,
                        Backlog,
                    )
                    .by(TeamKey::Security),
                    task(
                        "Publish the XS2A sandbox",
                        "Public sandbox with test data and documentation, as the supervisor requires.",
                        [3.0, 4.0, 6.0],
                        1,
                        Backlog,
                    ),
                ],
            },
        ],
    },
    Epic {
        project: Some(ProjectKey::Compliance),
        product: None,
        title: "DORA readiness",
        description: "ICT risk management, incident reporting and resilience testing under the Digital \
                      Operational Resilience Act.",
        features: &[
            Feature {
                team: TeamKey::Security,
                title: "ICT risk management",
                description: "Know the ICT assets and suppliers, assess their risks, report incidents on time.",
                items: &[
                    task(
                        "ICT asset and third-party register",
                        "Register of ICT assets and contractual arrangements, including the cloud provider.",
                        [8.0, 10.0, 15.0],
                        2,
                        InProgress,
                    ),
                    task(
                        "ICT risk assessment of the new platform",
                        "Risk assessment of the landing zone and the core APIs, with treatment plans.",
                        [5.0, 8.0, 12.0],
                        2,
                        Backlog,
                    ),
                    task(
                        "Incident classification and reporting process",
                        "Classify ICT incidents by DORA's criteria and report major ones within the deadlines.",
                        [4.0, 6.0, 10.0],
                        1,
                        Ready,
                    ),
                ],
            },
            Feature {
                team: TeamKey::Security,
                title: "Resilience testing",
                description: "A tested platform and a report the supervisor accepts.",
                items: &[
                    task(
                        "Scope the threat-led penetration test",
                        "Agree the critical functions and the scope of the threat-led penetration test.",
                        [2.0, 3.0, 5.0],
                        1,
                        Ready,
                    ),
                    task(
                        "Digital operational resilience test report",
                        "Summarise failover, restore and recovery results for the management board.",
                        [3.0, 5.0, 8.0],
                        1,
                        Backlog,
                    ),
                ],
            },
        ],
    },
    Epic {
        project: Some(ProjectKey::Compliance),
        product: None,
        title: "Release gates",
        description: "No release reaches customers without security, data protection and regulatory approval.",
        features: &[Feature {
            team: TeamKey::Security,
            title: "Sign-offs",
            description: "The assessments and approvals the app and the portal need before release.",
            items: &[
                task(
                    "Data protection impact assessment (app)",
                    "GDPR impact assessment of biometrics, location and spending insights in the app.",
                    [4.0, 5.0, 8.0],
                    1,
                    Ready,
                ),
                task(
                    "Data protection impact assessment (portal)",
                    "GDPR impact assessment of documents, messages and uploads in the portal.",
                    [4.0, 5.0, 8.0],
                    1,
                    Backlog,
                ),
                task(
                    "Security sign-off for the app release",
                    "Approve the app's release once the penetration test, SCA review and assessment are closed.",
                    [1.0, 2.0, 4.0],
                    2,
                    Backlog,
                ),
                task(
                    "Security sign-off for the portal go-live",
                    "Approve the portal's go-live once the load test and the assessment are closed.",
                    [1.0, 2.0, 4.0],
                    2,
                    Backlog,
                ),
                task(
                    "Regulator notification of the outsourcing to the cloud",
                    "Notify the supervisor of the material outsourcing of the core banking to the cloud provider.",
                    [2.0, 3.0, 5.0],
                    1,
                    Done,
                ),
            ],
        }],
    },
];

const SALES: &[Epic] = &[
    Epic {
        project: Some(ProjectKey::Sales),
        product: None,
        title: "Digital lead management",
        description: "Every lead, from the app, the portal or a branch, worked in one CRM.",
        features: &[
            Feature {
                team: TeamKey::SalesOps,
                title: "CRM",
                description: "Choose, configure and fill the CRM.",
                items: &[
                    task(
                        "Select the CRM and sign the contract",
                        "Evaluate three vendors with branch advisors, negotiate and sign.",
                        [10.0, 15.0, 25.0],
                        2,
                        Done,
                    ),
                    task(
                        "Configure lead stages and pipeline",
                        "Lead stages, qualification rules and the pipeline view per branch.",
                        [5.0, 8.0, 12.0],
                        2,
                        InProgress,
                    ),
                    task(
                        "Import existing leads from spreadsheets",
                        "Clean and import the 9,000 open leads from 40 branch spreadsheets.",
                        [2.0, 3.0, 6.0],
                        1,
                        Backlog,
                    )
                    .by(TeamKey::Data),
                    story(
                        "Leads from the portal's contact form",
                        "As an advisor I want contact requests from the portal to arrive as leads in the CRM.",
                        [2.0, 3.0, 5.0],
                        3,
                        1,
                        Backlog,
                    )
                    .by(TeamKey::Web),
                ],
            },
            Feature {
                team: TeamKey::SalesOps,
                title: "Advisor tools",
                description: "What an advisor needs on screen during a conversation.",
                items: &[
                    story(
                        "Advisor sees the customer's products and open requests",
                        "As an advisor I want the customer's products and open service requests next to the lead.",
                        [4.0, 6.0, 10.0],
                        5,
                        2,
                        Backlog,
                    ),
                    story(
                        "Book appointments from the CRM",
                        "As an advisor I want to publish my free slots from the CRM so that customers can book them.",
                        [2.0, 3.0, 5.0],
                        3,
                        1,
                        Backlog,
                    ),
                ],
            },
        ],
    },
    Epic {
        project: Some(ProjectKey::Sales),
        product: None,
        title: "Online product sales",
        description: "Sell current accounts and credit cards online, and measure the funnel.",
        features: &[
            Feature {
                team: TeamKey::SalesOps,
                title: "Current account and card sales online",
                description: "The first two products sold without a branch visit.",
                items: &[
                    story(
                        "Open a current account from the portal",
                        "As a prospect I want to open a current account on the website and identify myself by \
                         video.",
                        [5.0, 8.0, 13.0],
                        8,
                        2,
                        Backlog,
                    )
                    .by(TeamKey::Web),
                    story(
                        "Cross-sell a credit card in the app",
                        "As a customer with a current account I want to apply for a credit card in the app.",
                        [3.0, 5.0, 8.0],
                        5,
                        1,
                        Backlog,
                    )
                    .by(TeamKey::Mobile),
                    task(
                        "Pricing and conditions catalogue",
                        "One catalogue of prices and conditions used by every channel.",
                        [3.0, 5.0, 8.0],
                        1,
                        Ready,
                    ),
                ],
            },
            Feature {
                team: TeamKey::SalesOps,
                title: "Sales reporting",
                description: "Funnel and commissions for the digital channels.",
                items: &[
                    task(
                        "Sales funnel dashboard",
                        "Leads, applications and closed sales per channel and branch, updated daily.",
                        [4.0, 6.0, 9.0],
                        1,
                        Backlog,
                    )
                    .by(TeamKey::Data),
                    task(
                        "Commission rules for digital sales",
                        "Credit the advisor who worked the lead when the customer signs online.",
                        [2.0, 3.0, 5.0],
                        1,
                        Backlog,
                    ),
                ],
            },
        ],
    },
    Epic {
        project: Some(ProjectKey::Sales),
        product: None,
        title: "Rollout to the branches",
        description: "Advisors work the new way in every branch.",
        features: &[Feature {
            team: TeamKey::SalesOps,
            title: "Training",
            description: "Playbook and training for all 120 branch advisors.",
            items: &[
                task(
                    "Sales playbook for the digital-first process",
                    "How a lead flows from app, portal or branch to a sale, with scripts and examples.",
                    [5.0, 8.0, 12.0],
                    1,
                    Ready,
                ),
                task(
                    "Train 120 branch advisors on the new process",
                    "Half-day sessions in groups of 12, plus e-learning for new joiners.",
                    [15.0, 20.0, 30.0],
                    3,
                    Backlog,
                ),
            ],
        }],
    },
];
