//! Readers for the PSPLIB `.sm` format and MPSPLIB XML, from `&str` (the engine does no I/O:
//! the MPSPLIB reader asks a caller-supplied closure for the `.sm` texts it references).

use crate::error::EngineError;
use crate::model::ActivityIdx;
use crate::model::{ActivitySpec, Link, ProblemSpec, ProjectIdx, ProjectSpec, ResourceIdx, ResourceSpec};

/// A parsed PSPLIB single-mode instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PsplibInstance {
    /// Job numbers as in the file (1-based; job 1 and the last are dummies).
    pub jobs: Vec<u32>,
    /// Duration per job.
    pub durations: Vec<i64>,
    /// Successor job numbers per job.
    pub successors: Vec<Vec<u32>>,
    /// Demand per job and resource.
    pub demands: Vec<Vec<i64>>,
    /// Capacity per renewable resource.
    pub capacities: Vec<i64>,
    /// `MPM-Time` from PROJECT INFORMATION (critical-path length), if present.
    pub mpm_time: Option<i64>,
    /// Release date from PROJECT INFORMATION (0 if absent).
    pub release: i64,
    /// Due date from PROJECT INFORMATION, if present.
    pub due: Option<i64>,
}

fn perr(msg: impl Into<String>) -> EngineError {
    EngineError::Parse(msg.into())
}

fn ints(line: &str) -> Result<Vec<i64>, EngineError> {
    line.split_whitespace()
        .map(|t| t.parse::<i64>().map_err(|_| perr(format!("expected integers in line {line:?}"))))
        .collect()
}

/// Lines of the section whose title line starts with `title`, up to the next `***` line,
/// keeping only those that start with an integer (skips header lines).
fn section<'a>(text: &'a str, title: &str) -> Result<Vec<&'a str>, EngineError> {
    let mut lines = text.lines();
    lines
        .by_ref()
        .find(|l| l.trim_start().starts_with(title))
        .ok_or_else(|| perr(format!("section {title} not found")))?;
    Ok(lines
        .take_while(|l| !l.trim_start().starts_with("***"))
        .filter(|l| l.split_whitespace().next().is_some_and(|t| t.parse::<i64>().is_ok()))
        .collect())
}

/// Parses a PSPLIB `.sm` file (single mode, renewable resources).
pub fn parse_psplib(text: &str) -> Result<PsplibInstance, EngineError> {
    let prec = section(text, "PRECEDENCE RELATIONS")?;
    let mut jobs = Vec::new();
    let mut successors = Vec::new();
    for l in prec {
        let v = ints(l)?;
        if v.len() < 3 || usize::try_from(v[2]).ok() != Some(v.len() - 3) {
            return Err(perr(format!("bad precedence line {l:?}")));
        }
        if v[1] != 1 {
            return Err(perr(format!("job {} has {} modes; only single mode is supported", v[0], v[1])));
        }
        // Job numbers must fit the 32-bit ids the results are keyed by.
        let job_number = |x: i64| u32::try_from(x).map_err(|_| perr(format!("bad job number {x} in line {l:?}")));
        jobs.push(job_number(v[0])?);
        successors.push(v[3..].iter().map(|&s| job_number(s)).collect::<Result<Vec<_>, _>>()?);
    }
    let req = section(text, "REQUESTS/DURATIONS")?;
    let n = jobs.len();
    let mut durations = vec![-1i64; n];
    let mut demands = vec![Vec::new(); n];
    for l in req {
        let v = ints(l)?;
        if v.len() < 3 {
            return Err(perr(format!("bad request line {l:?}")));
        }
        let k = jobs
            .iter()
            .position(|&j| j as i64 == v[0])
            .ok_or_else(|| perr(format!("request for unknown job {}", v[0])))?;
        if v[2] < 0 {
            return Err(perr(format!("job {} has negative duration {}", v[0], v[2])));
        }
        durations[k] = v[2];
        demands[k] = v[3..].to_vec();
    }
    if let Some(k) = durations.iter().position(|&d| d < 0) {
        return Err(perr(format!("job {} has no duration", jobs[k])));
    }
    let avail = section(text, "RESOURCEAVAILABILITIES")?;
    let capacities = ints(avail.first().ok_or_else(|| perr("no resource availabilities"))?)?;
    if demands.iter().any(|d| d.len() != capacities.len()) {
        return Err(perr("demand columns do not match the resource count"));
    }
    let (mut mpm_time, mut release, mut due) = (None, 0, None);
    let info = section(text, "PROJECT INFORMATION").unwrap_or_default();
    if let Some(v) = info.first().map(|l| ints(l)).transpose()?
        && v.len() >= 6
    {
        release = v[2];
        due = Some(v[3]);
        mpm_time = Some(v[5]);
    }
    Ok(PsplibInstance { jobs, durations, successors, demands, capacities, mpm_time, release, due })
}

impl PsplibInstance {
    /// The instance as a problem spec: activity keys are the job numbers, resources `R1..`,
    /// one project `P1` (release from the file, weight 1).
    pub fn to_spec(&self) -> Result<ProblemSpec, EngineError> {
        let mut spec = ProblemSpec {
            resources: self
                .capacities
                .iter()
                .enumerate()
                .map(|(r, &c)| ResourceSpec {
                    key: format!("R{}", r + 1),
                    capacity: c,
                    windows: Vec::new(),
                    off_periods: Vec::new(),
                })
                .collect(),
            projects: vec![ProjectSpec { key: "P1".into(), release: self.release, due: self.due, weight: 1 }],
            ..ProblemSpec::default()
        };
        add_project(&mut spec, self, ProjectIdx(0), "", &|r| ResourceIdx(r as u32))?;
        Ok(spec)
    }
}

fn add_project(
    spec: &mut ProblemSpec,
    inst: &PsplibInstance,
    project: ProjectIdx,
    prefix: &str,
    resource: &dyn Fn(usize) -> ResourceIdx,
) -> Result<(), EngineError> {
    let base = spec.activities.len() as u32;
    for (k, &job) in inst.jobs.iter().enumerate() {
        spec.activities.push(ActivitySpec {
            key: format!("{prefix}{job}"),
            duration: inst.durations[k],
            project: Some(project),
            demands: inst.demands[k]
                .iter()
                .enumerate()
                .filter(|&(_, &q)| q != 0)
                .map(|(r, &q)| (resource(r), q))
                .collect(),
            started: false,
        });
    }
    for (k, succ) in inst.successors.iter().enumerate() {
        for &s in succ {
            let t = inst
                .jobs
                .iter()
                .position(|&j| j == s)
                .ok_or_else(|| perr(format!("job {} has unknown successor {s}", inst.jobs[k])))?;
            spec.links.push(Link::fs(ActivityIdx(base + k as u32), ActivityIdx(base + t as u32)));
        }
    }
    Ok(())
}

/// A parsed MPSPLIB multi-project instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MpsplibInstance {
    /// Instance name from `<name>`.
    pub name: String,
    /// The whole instance as one problem: activity keys `P<k>/<job>`, projects `P1..` with
    /// release = arrival and weight 1; global types are one resource `R<r>`, local types one
    /// resource per project `P<k>/R<r>` with the `.sm` capacity.
    pub spec: ProblemSpec,
    /// Per activity: (project number from 1, PSPLIB job number).
    pub jobs: Vec<(u32, u32)>,
    /// The `.sm` file of each project, as named in the XML.
    pub sources: Vec<String>,
}

/// Text of every element named `tag` (no nesting of the same tag), comments removed.
fn elements<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(a) = rest.find(&open) {
        let after = &rest[a + open.len()..];
        let Some(b) = after.find(&close) else { break };
        out.push(after[..b].trim());
        rest = &after[b + close.len()..];
    }
    out
}

fn strip_comments(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(a) = rest.find("<!--") {
        out.push_str(&rest[..a]);
        match rest[a..].find("-->") {
            Some(b) => rest = &rest[a + b + 3..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Parses an MPSPLIB XML instance. `load` returns the text of a `.sm` file named in
/// `<filename>` (or an error message).
pub fn parse_mpsplib(
    xml: &str,
    mut load: impl FnMut(&str) -> Result<String, String>,
) -> Result<MpsplibInstance, EngineError> {
    let xml = strip_comments(xml);
    let name = elements(&xml, "name").first().map(|s| s.to_string()).unwrap_or_default();
    let projects_xml = elements(&xml, "project");
    let resources: Vec<i64> = elements(&xml, "resource")
        .iter()
        .map(|t| t.parse::<i64>().map_err(|_| perr(format!("bad <resource> {t:?}"))))
        .collect::<Result<_, _>>()?;
    if projects_xml.is_empty() {
        return Err(perr("no <project> entries"));
    }
    let mut spec = ProblemSpec::default();
    // Global resources first; local ones are added per project.
    let mut global_idx = vec![None; resources.len()];
    for (r, &c) in resources.iter().enumerate() {
        if c > 0 {
            global_idx[r] = Some(ResourceIdx(spec.resources.len() as u32));
            spec.resources.push(ResourceSpec {
                key: format!("R{}", r + 1),
                capacity: c,
                windows: Vec::new(),
                off_periods: Vec::new(),
            });
        }
    }
    let mut jobs = Vec::new();
    let mut sources = Vec::new();
    for (k, px) in projects_xml.iter().enumerate() {
        let file = elements(px, "filename")
            .first()
            .map(|s| s.to_string())
            .ok_or_else(|| perr(format!("project {} has no <filename>", k + 1)))?;
        let start: i64 = elements(px, "start")
            .first()
            .map_or(Ok(0), |s| s.parse::<i64>())
            .map_err(|_| perr(format!("project {} has a bad <start>", k + 1)))?;
        let text = load(&file).map_err(|e| perr(format!("cannot load {file}: {e}")))?;
        let inst = parse_psplib(&text).map_err(|e| perr(format!("{file}: {e}")))?;
        if inst.capacities.len() != resources.len() {
            return Err(perr(format!(
                "{file} has {} resource types, the instance {}",
                inst.capacities.len(),
                resources.len()
            )));
        }
        let pidx = ProjectIdx(spec.projects.len() as u32);
        spec.projects.push(ProjectSpec { key: format!("P{}", k + 1), release: start, due: None, weight: 1 });
        let mut map = Vec::with_capacity(resources.len());
        for (r, g) in global_idx.iter().enumerate() {
            map.push(match g {
                Some(g) => *g,
                None => {
                    let idx = ResourceIdx(spec.resources.len() as u32);
                    spec.resources.push(ResourceSpec {
                        key: format!("P{}/R{}", k + 1, r + 1),
                        capacity: inst.capacities[r],
                        windows: Vec::new(),
                        off_periods: Vec::new(),
                    });
                    idx
                }
            });
        }
        add_project(&mut spec, &inst, pidx, &format!("P{}/", k + 1), &|r| map[r])?;
        jobs.extend(inst.jobs.iter().map(|&j| (k as u32 + 1, j)));
        sources.push(file);
    }
    Ok(MpsplibInstance { name, spec, jobs, sources })
}
