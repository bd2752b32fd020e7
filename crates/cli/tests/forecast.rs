//! `tandem forecast` as users run it: the built binary on fixture files.

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use serde_json::{Value, json};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/forecast").join(name)
}

fn tandem(args: &[&str]) -> (bool, String, String) {
    let output = Command::cargo_bin("tandem")
        .expect("the tandem binary is built")
        .env("TANDEM_LOG", "warn")
        .args(args)
        .output()
        .expect("tandem runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// `tandem forecast FILE --json` plus `extra` arguments, parsed.
fn forecast_json(file: &Path, extra: &[&str]) -> Value {
    let path = file.to_str().expect("UTF-8 path");
    let mut args = vec!["forecast", path, "--json"];
    args.extend_from_slice(extra);
    let (ok, stdout, stderr) = tandem(&args);
    assert!(ok, "{stderr}");
    serde_json::from_str(&stdout).expect("one JSON document")
}

fn exactly(v: i64) -> Value {
    json!({"p10": v, "p50": v, "p80": v, "p95": v, "mean": v as f64})
}

#[test]
fn equal_integer_estimates_reproduce_the_critical_path_finish() {
    let file = fixture("equal_estimates.json");
    let (ok, stdout, stderr) = tandem(&["schedule", file.to_str().unwrap(), "--json"]);
    assert!(ok, "{stderr}");
    let schedule: Value = serde_json::from_str(&stdout).unwrap();
    let finish = schedule["objective"]["critical_path_bound"].as_i64().unwrap();
    assert_eq!(finish, 9);
    assert_eq!(schedule["objective"]["makespan"], 9);

    let doc = forecast_json(&file, &["--iterations", "300", "--seed", "7"]);
    assert_eq!(doc["iterations"], 300);
    assert_eq!(doc["mode"], "network");
    assert_eq!(doc["finish"], exactly(finish));
    assert_eq!(doc["projects"], json!({"web": exactly(9), "app": exactly(6)}));
    let activities = &doc["activities"];
    for (id, finish) in [("spec", 3), ("build", 8), ("test", 9), ("mobile", 6), ("launch", 9)] {
        assert_eq!(activities[id]["finish"], exactly(finish), "{id}");
        // Nothing varies, so nothing correlates with the finish.
        assert_eq!(activities[id]["sensitivity"], 0.0, "{id}");
    }
    for id in ["spec", "build", "test", "launch"] {
        assert_eq!(activities[id]["criticality"], 1.0, "{id}");
    }
    assert_eq!(activities["mobile"]["criticality"], 0.0);
    assert_eq!(doc["risks"], json!({}));
    assert_eq!(doc["histogram"], json!({"start": 9, "bin_width": 1, "counts": [300]}));
    assert_eq!(doc["s_curve"], json!([{"finish": 9, "probability": 1.0}]));
    assert_eq!(
        doc["convergence"],
        json!({"p80_first_half": 9, "p80_first_90_percent": 9, "p80": 9, "p80_shift_last_tenth": 0})
    );
}

/// A resource's off periods pause the activities that need it: "api" works periods 0-3 and 5
/// (the developers are off in period 4), "ui" then 6-8; "docs" needs nobody and does not pause.
#[test]
fn activities_pause_over_their_resources_off_periods() {
    let file = fixture("days_off.json");
    let (ok, stdout, stderr) = tandem(&["schedule", file.to_str().unwrap(), "--json"]);
    assert!(ok, "{stderr}");
    let schedule: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        schedule["activities"],
        json!([
            {"id": "api", "start": 0, "finish": 6},
            {"id": "ui", "start": 6, "finish": 9},
            {"id": "docs", "start": 0, "finish": 2}
        ])
    );
    assert_eq!(schedule["objective"]["makespan"], 9);
    assert_eq!(schedule["objective"]["critical_path_bound"], 9);
    let doc = forecast_json(&file, &["--iterations", "50"]);
    assert_eq!(doc["finish"], exactly(9));
    assert_eq!(doc["activities"]["api"]["finish"], exactly(6));

    // A malformed off period is refused, naming the resource.
    let bad = std::env::temp_dir().join(format!("tandem-bad-off-{}.json", std::process::id()));
    std::fs::write(
        &bad,
        r#"{"resources": [{"id": "dev", "capacity": 1, "off_periods": [{"start": 5, "end": 2}]}],
            "activities": [{"id": "a", "duration": 1}]}"#,
    )
    .unwrap();
    let (ok, _, stderr) = tandem(&["schedule", bad.to_str().unwrap()]);
    std::fs::remove_file(&bad).ok();
    assert!(!ok);
    assert!(stderr.contains("resource dev has an invalid off period [5, 2)"), "{stderr}");
}

#[test]
fn text_report_lists_percentiles_drivers_and_convergence() {
    let file = fixture("equal_estimates.json");
    let path = file.to_str().unwrap();
    let (ok, stdout, stderr) = tandem(&["forecast", path, "--iterations", "100"]);
    assert!(ok, "{stderr}");
    // The spinner draws nothing when stderr is not a terminal.
    assert_eq!(stderr, "");
    let expected = format!(
        "{path}: 100 iterations, network only, pert estimates, seed 1
finish                      P10    P50    P80    P95     mean
overall                       9      9      9      9     9.00
project web                   9      9      9      9     9.00
project app                   6      6      6      6     6.00
top activities by criticality index:
  spec                    1.000
  build                   1.000
  test                    1.000
  launch                  1.000
  mobile                  0.000
top activities by sensitivity (Spearman rho with the finish):
  spec                    0.000
  build                   0.000
  test                    0.000
  mobile                  0.000
  launch                  0.000
convergence: P80 9 after half the iterations, 9 after 90 %, 9 after all: the last tenth moved it by 0
"
    );
    assert_eq!(stdout, expected);
}

#[test]
fn a_certain_risk_shifts_every_percentile_by_its_impact() {
    let without = forecast_json(&fixture("one_activity.json"), &["--iterations", "50"]);
    assert_eq!(without["finish"], exactly(4));
    let with = forecast_json(&fixture("one_activity_risk.json"), &["--iterations", "50"]);
    assert_eq!(with["finish"], exactly(7));
    assert_eq!(with["activities"]["only"]["finish"], exactly(7));
    assert_eq!(with["risks"], json!({"vendor-late": {"probability": 1.0, "p80_contribution": 3, "sensitivity": 0.0}}));
}

#[test]
fn the_same_seed_gives_byte_identical_json() {
    let file = fixture("uncertain.json");
    let path = file.to_str().unwrap();
    let args = ["forecast", path, "--iterations", "2000", "--seed", "11", "--json"];
    let (ok, first, stderr) = tandem(&args);
    assert!(ok, "{stderr}");
    let (ok, second, stderr) = tandem(&args);
    assert!(ok, "{stderr}");
    assert_eq!(first, second);

    let doc: Value = serde_json::from_str(&first).unwrap();
    let finish = &doc["finish"];
    let p = |k: &str| finish[k].as_i64().unwrap();
    assert!(p("p10") <= p("p50") && p("p50") <= p("p80") && p("p80") <= p("p95"), "{finish}");
    // The critical-path chain design -> api -> release is at least 2 + 4 periods long.
    assert!(p("p10") >= 6, "{finish}");
    let counts: u64 = doc["histogram"]["counts"].as_array().unwrap().iter().map(|c| c.as_u64().unwrap()).sum();
    assert_eq!(counts, 2000);
    assert_eq!(doc["s_curve"].as_array().unwrap().last().unwrap()["probability"], 1.0);
    let risks = doc["risks"].as_object().unwrap();
    assert_eq!(risks.keys().collect::<Vec<_>>(), ["key-person-leaves", "vendor-late"]);
    assert_eq!(doc["activities"].as_object().unwrap().len(), 5);

    // Another seed draws other samples.
    let (ok, other, _) = tandem(&["forecast", path, "--iterations", "2000", "--seed", "12", "--json"]);
    assert!(ok);
    assert_ne!(first, other);
}

#[test]
fn resource_aware_forecast_serializes_a_shared_resource() {
    let file = fixture("shared_resource.json");
    let network = forecast_json(&file, &["--iterations", "100"]);
    assert_eq!(network["finish"], exactly(4));
    assert_eq!(network["schedules_used"], Value::Null);
    let resources = forecast_json(&file, &["--iterations", "100", "--resources"]);
    assert_eq!(resources["mode"], "resources");
    assert_eq!(resources["finish"], exactly(7));
    assert!(resources["schedules_used"].as_u64().unwrap() >= 1);

    let file = fixture("uncertain.json");
    let network = forecast_json(&file, &["--iterations", "1000", "--seed", "3"]);
    let resources = forecast_json(&file, &["--iterations", "1000", "--seed", "3", "--resources"]);
    let p50 = |doc: &Value| doc["finish"]["p50"].as_i64().unwrap();
    assert!(p50(&resources) >= p50(&network), "resources {} network {}", resources["finish"], network["finish"]);
}

#[test]
fn triangular_distribution_is_accepted() {
    let doc = forecast_json(&fixture("uncertain.json"), &["--iterations", "500", "--distribution", "triangular"]);
    assert_eq!(doc["distribution"], "triangular");
    let (ok, _, stderr) =
        tandem(&["forecast", fixture("uncertain.json").to_str().unwrap(), "--distribution", "normal"]);
    assert!(!ok);
    assert!(stderr.contains("invalid value 'normal' for '--distribution <DISTRIBUTION>'"), "{stderr}");
}

/// Runs `tandem forecast` on `problem` written to a temporary file; returns stderr.
fn rejected(problem: &Value, extra: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    std::fs::write(&path, problem.to_string()).unwrap();
    let mut args = vec!["forecast", path.to_str().unwrap()];
    args.extend_from_slice(extra);
    let (ok, stdout, stderr) = tandem(&args);
    assert!(!ok, "accepted: {stdout}");
    assert_eq!(stdout, "");
    stderr.trim_end().to_owned()
}

fn with_risk(risk: Value) -> Value {
    json!({"activities": [{"id": "A", "duration": 2}], "risks": [risk]})
}

#[test]
fn bad_inputs_are_rejected_with_the_item_and_field() {
    let impact = json!({"optimistic": 1, "most_likely": 2, "pessimistic": 3});
    assert_eq!(
        rejected(&with_risk(json!({"id": "r1", "probability": 0.5, "impact": impact, "hits": ["A", "Z"]})), &[]),
        r#"error: risk "r1": hits unknown activity "Z""#
    );
    assert_eq!(
        rejected(&with_risk(json!({"id": "r1", "probability": 1.5, "impact": impact, "hits": ["A"]})), &[]),
        r#"error: risk "r1": probability 1.5 is outside 0..1"#
    );
    assert_eq!(
        rejected(&with_risk(json!({"id": "r1", "probability": -0.1, "impact": impact, "hits": ["A"]})), &[]),
        r#"error: risk "r1": probability -0.1 is outside 0..1"#
    );
    let reversed = json!({"optimistic": 4, "most_likely": 3, "pessimistic": 2});
    assert_eq!(
        rejected(&with_risk(json!({"id": "r1", "probability": 0.5, "impact": reversed, "hits": ["A"]})), &[]),
        r#"error: risk "r1": impact optimistic 4 is greater than pessimistic 2"#
    );
    let estimate = json!({"activities": [{"id": "A", "duration": 2, "estimate": reversed}]});
    assert_eq!(rejected(&estimate, &[]), r#"error: activity "A": estimate optimistic 4 is greater than pessimistic 2"#);
    let mode_outside = json!({"optimistic": 1, "most_likely": 5, "pessimistic": 3});
    let estimate = json!({"activities": [{"id": "A", "duration": 2, "estimate": mode_outside}]});
    assert_eq!(
        rejected(&estimate, &[]),
        r#"error: activity "A": estimate most_likely 5 is outside optimistic..pessimistic (1..3)"#
    );
    let negative = json!({"optimistic": -1, "most_likely": 1, "pessimistic": 3});
    let estimate = json!({"activities": [{"id": "A", "duration": 2, "estimate": negative}]});
    assert_eq!(rejected(&estimate, &[]), "error: estimate of activity A: optimistic value -1 is negative");
    let twice = json!({"id": "r1", "probability": 0.5, "impact": impact, "hits": ["A"]});
    let problem = json!({"activities": [{"id": "A", "duration": 2}], "risks": [twice, twice]});
    assert_eq!(rejected(&problem, &[]), r#"error: duplicate risk id "r1""#);
    let ok = json!({"activities": [{"id": "A", "duration": 2}]});
    let stderr = rejected(&ok, &["--iterations", "0"]);
    assert!(stderr.contains("invalid value '0' for '--iterations <N>': 0 is not in 1..=1000000"), "{stderr}");
}

#[test]
fn schedule_reads_files_with_estimates_and_risks() {
    let (ok, stdout, stderr) = tandem(&["schedule", fixture("uncertain.json").to_str().unwrap(), "--json"]);
    assert!(ok, "{stderr}");
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["activities"].as_array().unwrap().len(), 5);
}

/// A fresh SQLite database holding the demo; its URL (the directory lives as long as the guard).
fn demo_database() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("demo.db").display());
    let (ok, _, stderr) = tandem(&["demo", "--database", &url]);
    assert!(ok, "{stderr}");
    (dir, url)
}

fn dates(p: &Value) -> [String; 4] {
    ["p10", "p50", "p80", "p95"].map(|k| p[k].as_str().unwrap().to_owned())
}

#[test]
fn a_program_forecast_dates_every_project_and_milestone() {
    let (_dir, url) = demo_database();
    let args = [
        "forecast",
        "--program",
        "Digital Transformation",
        "--database",
        &url,
        "--iterations",
        "300",
        "--json",
        "--network-only",
    ];
    let (ok, first, stderr) = tandem(&args);
    assert!(ok, "{stderr}");
    // The API's document (`GET /api/v1/programs/{id}/forecast`).
    let doc: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(
        doc["options"],
        serde_json::json!({"iterations": 300, "seed": 1, "mode": "network", "distribution": "pert"})
    );
    assert_eq!(doc["schedules_used"], Value::Null);
    let mut projects: Vec<&str> =
        doc["projects"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    projects.sort_unstable();
    assert_eq!(
        projects,
        [
            "Compliance Workstream (PSD2 / DORA)",
            "Core Platform Migration",
            "Customer Self-Service Portal",
            "Mobile Banking App",
            "New Sales Process"
        ]
    );
    let milestones = doc["milestones"].as_array().unwrap();
    assert_eq!(milestones.len(), 13);
    let program_p95 = doc["finish"]["working_days"]["p95"].as_i64().unwrap();
    for dated in
        doc["projects"].as_array().unwrap().iter().map(|p| &p["finish"]).chain(milestones.iter().map(|m| &m["date"]))
    {
        // ISO dates order as text.
        let [p10, p50, p80, p95] = dates(dated);
        assert!(p10 <= p50 && p50 <= p80 && p80 <= p95, "{dated}");
        // In working days (a milestone is dated by its own day, work by its last working day).
        let days = &dated["working_days"];
        assert!(days["p95"].as_i64().unwrap() <= program_p95, "{dated} after the program's P95 {program_p95}");
        assert!(days["p10"].as_i64().unwrap() <= days["p95"].as_i64().unwrap(), "{dated}");
    }
    // Deterministic for a seed (but for when it was computed); another seed samples otherwise.
    let without_time = |text: &str| {
        let mut doc: Value = serde_json::from_str(text).unwrap();
        doc["computed_at"] = Value::Null;
        doc
    };
    let (ok, second, _) = tandem(&args);
    assert!(ok);
    assert_eq!(without_time(&first), without_time(&second));
    let mut other = args.to_vec();
    other.extend_from_slice(&["--seed", "2"]);
    let (ok, third, _) = tandem(&other);
    assert!(ok);
    assert_ne!(without_time(&first)["finish"], without_time(&third)["finish"]);
}

#[test]
fn a_resource_aware_program_forecast_is_never_earlier() {
    let (_dir, url) = demo_database();
    let base = ["forecast", "--program", "Digital Transformation", "--database", &url, "--iterations", "200", "--json"];
    let run = |extra: &[&str]| -> Value {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let (ok, stdout, stderr) = tandem(&args);
        assert!(ok, "{stderr}");
        serde_json::from_str(&stdout).unwrap()
    };
    let network = run(&["--network-only"]);
    let resources = run(&["--resources"]);
    assert_eq!(resources["options"]["mode"], "resources");
    assert_eq!(resources["schedules_used"], 2_000);
    // Same samples per iteration; the teams' capacities can only delay.
    for k in ["p10", "p50", "p80", "p95"] {
        let days = |doc: &Value| doc["finish"]["working_days"][k].as_i64().unwrap();
        assert!(days(&resources) >= days(&network), "{k}: {} vs {}", resources["finish"], network["finish"]);
    }
}

#[test]
fn program_text_report_and_errors() {
    let (_dir, url) = demo_database();
    let (ok, stdout, stderr) = tandem(&[
        "forecast",
        "--program",
        "Digital Transformation",
        "--database",
        &url,
        "--iterations",
        "100",
        "--network-only",
    ]);
    assert!(ok, "{stderr}");
    // The progress bar draws nothing when stderr is not a terminal.
    assert_eq!(stderr, "");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with("Digital Transformation: ")
            && lines[0].ends_with(" activities, 100 iterations, network only, pert estimates, seed 1"),
        "{stdout}"
    );
    assert_eq!(
        lines[1].split_whitespace().collect::<Vec<_>>(),
        ["finish", "(last", "working", "day)", "P10", "P50", "P80", "P95"]
    );
    assert!(lines[2].starts_with("program "), "{stdout}");
    assert_eq!(lines.iter().filter(|l| l.starts_with("project ")).count(), 5, "{stdout}");
    assert!(lines.iter().any(|l| l.starts_with("milestone ") && l.ends_with("target")), "{stdout}");

    let (ok, stdout, stderr) = tandem(&["forecast", "--program", "Moonshot", "--database", &url]);
    assert!(!ok);
    assert_eq!(stdout, "");
    assert_eq!(stderr.trim(), r#"error: no program is named "Moonshot""#);
    let (ok, _, stderr) = tandem(&["forecast"]);
    assert!(!ok);
    assert!(stderr.contains("the following required arguments were not provided"), "{stderr}");
    let file = fixture("uncertain.json");
    let (ok, _, stderr) = tandem(&["forecast", file.to_str().unwrap(), "--program", "Digital Transformation"]);
    assert!(!ok);
    assert!(stderr.contains("cannot be used with"), "{stderr}");
}

#[test]
fn bench_forecast_times_both_modes_on_the_demo() {
    let (ok, stdout, stderr) =
        tandem(&["bench", "forecast", "--iterations", "50", "--runs", "1", "--resources", "--threads", "1"]);
    assert!(ok, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    assert!(lines[0].starts_with("demo program \"Digital Transformation\": "), "{stdout}");
    assert!(lines[0].ends_with("; 50 iterations, 1 runs, 1 threads"), "{stdout}");
    assert!(lines[1].starts_with("network only "), "{stdout}");
    assert!(
        lines[2].starts_with("priority order search ")
            && lines[2].ends_with("(2000 schedules, once before the resource-aware runs)"),
        "{stdout}"
    );
    assert!(lines[3].starts_with("resource-aware "), "{stdout}");
    let (ok, _, stderr) = tandem(&["bench", "psplib"]);
    assert!(!ok);
    assert!(stderr.contains("the following required arguments were not provided"), "{stderr}");
}

/// A started activity resumes ahead of new work on its resource: without the flag the search
/// runs "hotfix" first (it drives "deploy": makespan 4 instead of 6); with it, "review" keeps its
/// developer even at that cost, in `schedule` and in the resource-aware forecast alike.
#[test]
fn started_work_resumes_ahead_of_new_work() {
    let write = |name: &str, started: &str| {
        let path = std::env::temp_dir().join(format!("tandem-started-{name}-{}.json", std::process::id()));
        std::fs::write(
            &path,
            format!(
                r#"{{"resources": [{{"id": "dev", "capacity": 1}}],
                    "activities": [{{"id": "review", "duration": 3, "demands": {{"dev": 1}}, "started": {started}}},
                                   {{"id": "hotfix", "duration": 1, "demands": {{"dev": 1}}}},
                                   {{"id": "deploy", "duration": 2}}],
                    "links": [{{"from": "hotfix", "to": "deploy"}}]}}"#
            ),
        )
        .unwrap();
        path
    };
    let starts = |file: &PathBuf| {
        let (ok, stdout, stderr) = tandem(&["schedule", file.to_str().unwrap(), "--json"]);
        assert!(ok, "{stderr}");
        let schedule: Value = serde_json::from_str(&stdout).unwrap();
        schedule["activities"].clone()
    };
    let new = write("new", "false");
    assert_eq!(
        starts(&new),
        json!([
            {"id": "review", "start": 1, "finish": 4},
            {"id": "hotfix", "start": 0, "finish": 1},
            {"id": "deploy", "start": 1, "finish": 3}
        ])
    );
    let started = write("started", "true");
    assert_eq!(
        starts(&started),
        json!([
            {"id": "review", "start": 0, "finish": 3},
            {"id": "hotfix", "start": 3, "finish": 4},
            {"id": "deploy", "start": 4, "finish": 6}
        ])
    );
    let doc = forecast_json(&started, &["--iterations", "20", "--resources"]);
    assert_eq!(doc["activities"]["review"]["finish"], exactly(3));
    // Not a boolean: refused, naming the field.
    let bad = write("bad", "\"yes\"");
    let (ok, _, stderr) = tandem(&["schedule", bad.to_str().unwrap()]);
    assert!(!ok);
    assert!(stderr.contains("activities[0].started: invalid type: string \"yes\", expected a boolean"), "{stderr}");
    for file in [new, started, bad] {
        std::fs::remove_file(file).unwrap();
    }
}
