//! Tandem's domain: the records product and program managers work on, as types that cannot hold
//! invalid values, the rules between them, and the [`Store`] boundary the backends implement.
//!
//! A tour:
//! - [`values`]: validated primitives (names, money, dates ranges, three-point estimates,
//!   headcounts, lags, working calendars). Each constructor names the field it blames.
//! - [`program`], [`project`], [`product`], [`team`], [`work_item`], [`milestone`],
//!   [`dependency`]: one module per entity. `XInput` is what a caller supplies, `XFields` the
//!   validated form (`XFields::parse`), `X` the stored record with its id and [`Meta`].
//! - [`graph`]: rules needing the whole dependency graph (cycle detection and its message).
//! - [`risk`]: the risk register: risks with their probability, schedule and cost impact, score
//!   (probability band x impact band, thresholds in its docs), heat map counts, and the risks as
//!   the forecast engine's events.
//! - [`accounts`]: users, password hashing, sessions, API tokens, the login throttle.
//! - [`access`]: roles and grants, the permission policy, and [`access::Access`], the store as one
//!   user may use it (servers go through it for everything).
//! - [`audit`]: the append-only trail of changes, computed from records before and after a write.
//! - [`store`]: the [`Store`] trait, filters and cursor pages; the rules every backend enforces.
//! - [`error`]: [`DomainError`] and field-level [`ValidationErrors`].
//! - [`planning`]: a program as a scheduling problem for the engine, and the stored
//!   [`planning::ProgramSchedule`] it yields.
//! - [`forecasting`]: the Monte Carlo forecast of a program's planned problem, in dates
//!   (three-point estimates, risk events, network-only or under the teams' capacities).
//! - [`demo`]: the "Digital Transformation" example program and the load generator.
//! - [`prioritization`]: RICE, WSJF, CD3, MoSCoW and impact-effort scores with their formulas,
//!   and the side-by-side ranking that shows where the frameworks disagree.
//! - [`backlog`]: a product backlog's user stories, stored prioritization inputs, reordering
//!   (renumbered ranks) and bulk edits.
//! - [`experiments`]: A/B test statistics (z-test, Welch's t-test, sample size) and the verdict.
//! - [`strategy`]: objectives with key results and their progress, the features serving them, and
//!   the product roadmap (lanes, dates from the stored schedule or the product manager's plan).
//! - [`evidence`]: feedback and research: target segments, insights linked to features, the
//!   demand score, the CSV import of insights.
//! - [`experiment`]: experiments as records (plan, variants' numbers) and their results through
//!   [`experiments`]' statistics.
//! - [`metrics`]: product metrics: dated series of adoption, retention, revenue and satisfaction
//!   per product and feature, their CSV import, and a feature's release date from the audit trail.
//!
//! Architecture invariant: this crate knows nothing of HTTP, SQL or serialization formats.

pub mod access;
pub mod accounts;
pub mod audit;
pub mod backlog;
pub mod demo;
pub mod dependency;
pub mod error;
pub mod evidence;
pub mod experiment;
pub mod experiments;
pub mod forecasting;
pub mod graph;
pub mod ids;
pub mod metrics;
pub mod milestone;
pub mod planning;
pub mod prioritization;
pub mod product;
pub mod program;
pub mod progress;
pub mod project;
pub mod record;
pub mod risk;
pub mod store;
pub mod strategy;
pub mod team;
pub mod values;
pub mod work_item;

pub use access::{Access, Grant, GrantFilter, GrantScope, Principal, Role, Visibility};
pub use accounts::{ApiToken, NewApiToken, Password, Session, TokenScope, User, UserFields, UserInput, Username};
pub use audit::{Actor, AuditAction, AuditEvent, AuditFilter, FieldChange};
pub use dependency::{Dependency, DependencyFields, DependencyInput, DependencyKind, NodeRef, NodeSummary};
pub use error::{DomainError, DomainResult, EntityKind, FieldError, ValidationErrors};
pub use ids::{
    ApiTokenId, AuditEventId, DependencyId, GrantId, InsightId, MilestoneId, ProductId, ProgramId, ProjectId, RiskId,
    SegmentId, TeamId, UserId, WorkItemId,
};
// Product strategy: objectives and key results.
pub use ids::MetricPointId;
pub use ids::{KeyResultId, ObjectiveId};
pub use milestone::{Milestone, MilestoneFields, MilestoneInput};
pub use product::{Product, ProductFields, ProductInput};
pub use program::{Program, ProgramFields, ProgramInput, ProgramPhase};
pub use project::{Project, ProjectFields, ProjectInput};
pub use record::{Meta, Record};
pub use risk::{
    Mitigation, MitigationInput, Probability, Risk, RiskCategory, RiskFields, RiskInput, RiskMatrix, RiskRating,
    RiskResponse, RiskScore, RiskStatus,
};
pub use store::{
    Cursor, DependencyFilter, MilestoneFilter, Page, PageRequest, ProductFilter, ProgramFilter, ProjectFilter,
    RiskFilter, Store, TeamFilter, WorkItemFilter, WorkItemOrder,
};
pub use team::{Team, TeamFields, TeamInput};
pub use values::{
    CurrencyCode, DateRange, Estimate, Headcount, Lag, LongText, Money, Name, PercentComplete, Rank, StoryPoints,
    WorkingCalendar, WorkingWeek,
};
pub use work_item::{Placement, WorkItem, WorkItemFields, WorkItemInput, WorkItemKind, WorkItemStatus};
