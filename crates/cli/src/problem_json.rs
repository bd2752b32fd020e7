//! Tandem's JSON problem format (documented in crates/engine/PROBLEM_FORMAT.md): serde types
//! and the mapping to the engine's `ProblemSpec`. The engine has no serde, so this lives here.

use std::collections::{BTreeMap, HashMap};

use anyhow::{Context, bail};
use serde::Deserialize;
use tandem_engine::{
    ActivityIdx, ActivitySpec, CapacityWindow, Link, LinkKind, OffPeriod, ProblemSpec, ProjectIdx, ProjectSpec,
    ResourceIdx, ResourceSpec, RiskEvent, ThreePoint,
};

/// A whole problem file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProblemFile {
    /// Optional objective: "makespan" (default), "weighted_delay" or "weighted_tardiness".
    #[serde(default)]
    pub objective: Option<String>,
    #[serde(default)]
    pub resources: Vec<ResourceJson>,
    #[serde(default)]
    pub projects: Vec<ProjectJson>,
    pub activities: Vec<ActivityJson>,
    #[serde(default)]
    pub links: Vec<LinkJson>,
    /// Uncertain events for `tandem forecast` (ignored by `tandem schedule`).
    #[serde(default)]
    pub risks: Vec<RiskJson>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceJson {
    pub id: String,
    pub capacity: i64,
    #[serde(default)]
    pub windows: Vec<WindowJson>,
    /// Periods the resource does not work: the activities needing it pause over them.
    #[serde(default)]
    pub off_periods: Vec<OffPeriodJson>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OffPeriodJson {
    pub start: i64,
    pub end: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowJson {
    pub start: i64,
    pub end: i64,
    pub capacity: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectJson {
    pub id: String,
    #[serde(default)]
    pub release: i64,
    #[serde(default)]
    pub due: Option<i64>,
    #[serde(default = "one")]
    pub weight: i64,
}

fn one() -> i64 {
    1
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityJson {
    pub id: String,
    pub duration: i64,
    #[serde(default)]
    pub project: Option<String>,
    /// Resource id -> units per period.
    #[serde(default)]
    pub demands: BTreeMap<String, i64>,
    /// Three-point duration estimate for `tandem forecast` (absent: `duration` is certain).
    #[serde(default)]
    pub estimate: Option<EstimateJson>,
    /// Already under way: it resumes ahead of work not yet started (default false).
    #[serde(default)]
    pub started: bool,
}

/// Optimistic / most likely / pessimistic working periods.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EstimateJson {
    pub optimistic: f64,
    pub most_likely: f64,
    pub pessimistic: f64,
}

/// An uncertain event that lengthens the activities it hits when it occurs.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskJson {
    pub id: String,
    /// Chance of occurring, in 0..1.
    pub probability: f64,
    /// Extra working periods added to each hit activity when it occurs.
    pub impact: EstimateJson,
    /// Activity ids.
    #[serde(default)]
    pub hits: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkJson {
    pub from: String,
    pub to: String,
    /// "FS" (default), "SS", "FF" or "SF".
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub lag: i64,
}

/// Parses the JSON text and maps ids to dense indices. Unknown ids are reported by name.
pub fn parse(text: &str) -> anyhow::Result<(ProblemFile, ProblemSpec)> {
    // The path names the field at fault ("activities[1].started: invalid type ...").
    let mut reader = serde_json::Deserializer::from_str(text);
    let file: ProblemFile = serde_path_to_error::deserialize(&mut reader)
        .map_err(|error| anyhow::anyhow!("{}: {}", error.path(), error.inner()))
        .context("invalid problem JSON")?;
    let spec = to_spec(&file)?;
    uncertainty(&file)?;
    Ok((file, spec))
}

fn to_spec(f: &ProblemFile) -> anyhow::Result<ProblemSpec> {
    let res: HashMap<&str, usize> = f.resources.iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();
    let proj: HashMap<&str, usize> = f.projects.iter().enumerate().map(|(i, p)| (p.id.as_str(), i)).collect();
    let mut act: HashMap<&str, usize> = HashMap::new();
    for (i, a) in f.activities.iter().enumerate() {
        if act.insert(a.id.as_str(), i).is_some() {
            bail!("duplicate activity id {:?}", a.id);
        }
    }
    let mut spec = ProblemSpec {
        resources: f
            .resources
            .iter()
            .map(|r| ResourceSpec {
                key: r.id.clone(),
                capacity: r.capacity,
                windows: r
                    .windows
                    .iter()
                    .map(|w| CapacityWindow { start: w.start, end: w.end, capacity: w.capacity })
                    .collect(),
                off_periods: r.off_periods.iter().map(|o| OffPeriod { start: o.start, end: o.end }).collect(),
            })
            .collect(),
        projects: f
            .projects
            .iter()
            .map(|p| ProjectSpec { key: p.id.clone(), release: p.release, due: p.due, weight: p.weight })
            .collect(),
        ..ProblemSpec::default()
    };
    for a in &f.activities {
        let project = match &a.project {
            Some(p) => Some(ProjectIdx(
                *proj.get(p.as_str()).with_context(|| format!("activity {:?}: unknown project {p:?}", a.id))? as u32,
            )),
            None => None,
        };
        let mut demands = Vec::new();
        for (r, &q) in &a.demands {
            let ri = res.get(r.as_str()).with_context(|| format!("activity {:?}: unknown resource {r:?}", a.id))?;
            demands.push((ResourceIdx(*ri as u32), q));
        }
        spec.activities.push(ActivitySpec {
            key: a.id.clone(),
            duration: a.duration,
            project,
            demands,
            started: a.started,
        });
    }
    for (k, l) in f.links.iter().enumerate() {
        let from = act.get(l.from.as_str()).with_context(|| format!("link #{k}: unknown activity {:?}", l.from))?;
        let to = act.get(l.to.as_str()).with_context(|| format!("link #{k}: unknown activity {:?}", l.to))?;
        let kind = match l.kind.as_deref().unwrap_or("FS") {
            "FS" => LinkKind::FinishStart,
            "SS" => LinkKind::StartStart,
            "FF" => LinkKind::FinishFinish,
            "SF" => LinkKind::StartFinish,
            other => bail!("link #{k}: unknown type {other:?} (FS, SS, FF or SF)"),
        };
        spec.links.push(Link { from: ActivityIdx(*from as u32), to: ActivityIdx(*to as u32), kind, lag: l.lag });
    }
    Ok(spec)
}

/// Three-point estimate after checking its order; names the item and field when wrong.
fn three_point(item: &str, field: &str, e: &EstimateJson) -> anyhow::Result<ThreePoint> {
    if e.optimistic > e.pessimistic {
        bail!("{item}: {field} optimistic {} is greater than pessimistic {}", e.optimistic, e.pessimistic);
    }
    if !(e.optimistic..=e.pessimistic).contains(&e.most_likely) {
        bail!(
            "{item}: {field} most_likely {} is outside optimistic..pessimistic ({}..{})",
            e.most_likely,
            e.optimistic,
            e.pessimistic
        );
    }
    Ok(ThreePoint::new(e.optimistic, e.most_likely, e.pessimistic))
}

/// The per-activity estimates and the risks of the file, in the problem's activity order.
/// [`parse`] already checks them, so every command rejects the same files.
pub fn uncertainty(file: &ProblemFile) -> anyhow::Result<(Vec<Option<ThreePoint>>, Vec<RiskEvent>)> {
    let estimates = file
        .activities
        .iter()
        .map(|a| a.estimate.as_ref().map(|e| three_point(&format!("activity {:?}", a.id), "estimate", e)).transpose())
        .collect::<anyhow::Result<Vec<_>>>()?;
    let activity: HashMap<&str, u32> =
        file.activities.iter().enumerate().map(|(i, a)| (a.id.as_str(), i as u32)).collect();
    let mut seen = HashMap::new();
    let mut risks = Vec::with_capacity(file.risks.len());
    for r in &file.risks {
        let item = format!("risk {:?}", r.id);
        if seen.insert(r.id.as_str(), ()).is_some() {
            bail!("duplicate risk id {:?}", r.id);
        }
        if !(0.0..=1.0).contains(&r.probability) {
            bail!("{item}: probability {} is outside 0..1", r.probability);
        }
        let impact = three_point(&item, "impact", &r.impact)?;
        let hits = r
            .hits
            .iter()
            .map(|h| {
                activity
                    .get(h.as_str())
                    .map(|&i| ActivityIdx(i))
                    .with_context(|| format!("{item}: hits unknown activity {h:?}"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        risks.push(RiskEvent { key: r.id.clone(), probability: r.probability, impact, hits });
    }
    Ok((estimates, risks))
}
