//! `tandem forecast`'s mode: a stored program is forecast as the API and the program page do
//! (under the teams' capacities) unless `--network-only` is given; `--resources` is still
//! accepted; giving both is refused. A FILE keeps the links-only default.

use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;
use serde_json::Value;

fn tandem(args: &[&str]) -> (Option<i32>, String, String) {
    let output = Command::cargo_bin("tandem")
        .expect("the tandem binary is built")
        .env("TANDEM_LOG", "warn")
        .args(args)
        .output()
        .expect("tandem runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn json_of(args: &[&str]) -> Value {
    let (code, stdout, stderr) = tandem(args);
    assert_eq!(code, Some(0), "{stderr}");
    serde_json::from_str(&stdout).expect("one JSON document")
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/forecast").join(name)
}

const BOTH: &str = "the argument '--resources' cannot be used with '--network-only'";

#[test]
fn a_program_forecast_defaults_to_the_pages_mode() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = format!("sqlite://{}", dir.path().join("demo.db").display());
    let (code, _, stderr) = tandem(&["demo", "--database", &url]);
    assert_eq!(code, Some(0), "{stderr}");
    let base = ["forecast", "--program", "Digital Transformation", "--database", &url, "--iterations", "20"];
    let with = |extra: &[&str]| -> Vec<String> { base.iter().chain(extra).map(|s| (*s).to_owned()).collect() };
    let run_json = |extra: &[&str]| -> Value {
        let args = with(extra);
        json_of(&args.iter().map(String::as_str).collect::<Vec<_>>())
    };

    // The default is the API's (`mode` left out of the POST body): resource-aware, after the
    // scheduler's search for a priority order.
    let default = run_json(&["--json"]);
    assert_eq!(default["options"]["mode"], "resources");
    assert_eq!(default["schedules_used"], 2_000);
    let explicit = run_json(&["--json", "--resources"]);
    assert_eq!(explicit["options"]["mode"], "resources");
    let without_time = |mut doc: Value| {
        doc["computed_at"] = Value::Null;
        doc
    };
    assert_eq!(without_time(default.clone()), without_time(explicit), "--resources is the default spelled out");

    let network = run_json(&["--json", "--network-only"]);
    assert_eq!(network["options"]["mode"], "network");
    assert_eq!(network["schedules_used"], Value::Null);

    // What --save stores is the default too: the same kind of forecast the page computes.
    let saved = run_json(&["--json", "--save"]);
    assert_eq!(saved["options"]["mode"], "resources");
    let (code, stdout, stderr) = tandem(&with(&["--save"]).iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, Some(0), "{stderr}");
    let header = stdout.lines().next().unwrap_or_default();
    assert!(
        header.ends_with(
            " activities, 20 iterations, resource-aware (order from 2000 schedules), pert estimates, seed 1"
        ),
        "{stdout}"
    );
    assert!(stdout.ends_with("saved as the latest forecast of Digital Transformation\n"), "{stdout}");
    let (code, stdout, stderr) = tandem(&with(&["--network-only"]).iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, Some(0), "{stderr}");
    let header = stdout.lines().next().unwrap_or_default();
    assert!(header.ends_with(" activities, 20 iterations, network only, pert estimates, seed 1"), "{stdout}");

    // Both at once: a usage error naming both, nothing printed, nothing stored.
    let (code, stdout, stderr) =
        tandem(&with(&["--resources", "--network-only", "--save"]).iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(code, Some(2));
    assert_eq!(stdout, "");
    assert!(stderr.contains(BOTH), "{stderr}");
}

#[test]
fn a_file_forecast_keeps_the_links_only_default() {
    let file = fixture("shared_resource.json");
    let path = file.to_str().expect("UTF-8 path");
    let default = json_of(&["forecast", path, "--iterations", "50", "--json"]);
    assert_eq!(default["mode"], "network");
    assert_eq!(default["schedules_used"], Value::Null);
    let network = json_of(&["forecast", path, "--iterations", "50", "--json", "--network-only"]);
    assert_eq!(network, default);
    let resources = json_of(&["forecast", path, "--iterations", "50", "--json", "--resources"]);
    assert_eq!(resources["mode"], "resources");
    assert!(resources["schedules_used"].as_u64().unwrap_or(0) >= 1);

    let (code, stdout, stderr) = tandem(&["forecast", path, "--resources", "--network-only"]);
    assert_eq!(code, Some(2));
    assert_eq!(stdout, "");
    assert!(stderr.contains(BOTH), "{stderr}");
}

#[test]
fn the_help_names_both_modes() {
    let (code, stdout, stderr) = tandem(&["forecast", "--help"]);
    assert_eq!(code, Some(0), "{stderr}");
    let flat = stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("--network-only Schedule every iteration on the links alone (critical path), ignoring team capacities. The default with a FILE; with --program, instead of the default resource-aware mode"), "{stdout}");
    assert!(
        flat.contains("The default with --program (as the API and the program page); with a FILE, only when given"),
        "{stdout}"
    );
}
