//! The `tandem` binary as users run it: real processes, a real SQLite file, real HTTP.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use assert_cmd::cargo::CommandCargoExt;

fn tandem() -> Command {
    let mut command = Command::cargo_bin("tandem").expect("the tandem binary is built");
    command.env_remove("TANDEM_DATABASE_URL").env_remove("TANDEM_ADDR").env("TANDEM_LOG", "warn");
    command
}

fn run(command: &mut Command) -> (bool, String, String) {
    let output = command.output().expect("tandem runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Kills the server when the test ends, even when it fails.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn help_lists_every_command() {
    let (ok, stdout, _) = run(tandem().arg("--help"));
    assert!(ok);
    for command in ["serve", "demo", "migrate", "load-test", "plan", "schedule", "forecast", "bench", "okr", "backlog"]
    {
        assert!(stdout.contains(command), "--help does not mention {command}:\n{stdout}");
    }
    let (ok, stdout, _) = run(tandem().args(["serve", "--help"]));
    assert!(ok);
    assert!(stdout.contains("--addr") && stdout.contains("--database") && stdout.contains("--demo"));
}

#[test]
fn unsupported_database_url_is_a_clear_error() {
    let (ok, stdout, stderr) = run(tandem().args(["migrate", "--database", "mysql://localhost/tandem"]));
    assert!(!ok);
    assert_eq!(stdout, "");
    assert_eq!(
        stderr.trim(),
        "error: unsupported database URL mysql://localhost/tandem: use sqlite://PATH or postgres://USER@HOST/DB"
    );
}

#[test]
fn bad_flag_values_exit_non_zero() {
    let (ok, _, stderr) = run(tandem().args(["serve", "--addr", "not-an-address"]));
    assert!(!ok);
    assert!(stderr.contains("invalid value 'not-an-address' for '--addr <HOST:PORT>'"), "{stderr}");
}

#[test]
fn migrate_creates_the_database_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fresh.db");
    let url = format!("sqlite://{}", path.display());
    let (ok, stdout, stderr) = run(tandem().args(["migrate", "--database", &url]));
    assert!(ok, "{stderr}");
    assert!(path.exists());
    assert!(stdout.starts_with(&format!("Database {url} (sqlite) is at the latest schema")), "{stdout}");
}

#[test]
fn config_file_names_the_database_and_flags_override_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tandem.toml"), "database = \"sqlite://from-file.db\"\n").unwrap();
    let (ok, _, stderr) = run(tandem().current_dir(dir.path()).arg("migrate"));
    assert!(ok, "{stderr}");
    assert!(dir.path().join("from-file.db").exists());
    let (ok, _, stderr) =
        run(tandem().current_dir(dir.path()).args(["migrate", "--database", "sqlite://from-flag.db"]));
    assert!(ok, "{stderr}");
    assert!(dir.path().join("from-flag.db").exists());
    let (ok, _, stderr) =
        run(tandem().current_dir(dir.path()).env("TANDEM_DATABASE_URL", "sqlite://from-env.db").arg("migrate"));
    assert!(ok, "{stderr}");
    assert!(dir.path().join("from-env.db").exists());

    std::fs::write(dir.path().join("bad.toml"), "databse = 1\n").unwrap();
    let (ok, _, stderr) = run(tandem().current_dir(dir.path()).args(["--config", "bad.toml", "migrate"]));
    assert!(!ok);
    assert!(stderr.starts_with("error: invalid config file bad.toml"), "{stderr}");
}

#[test]
fn serve_prints_its_url_and_answers_there() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("serve.db").display());
    let child = tandem()
        .args(["serve", "--addr", "127.0.0.1:0", "--database", &url])
        .stdout(Stdio::piped())
        .spawn()
        .expect("tandem serve starts");
    let mut server = KillOnDrop(child);
    let stdout = server.0.stdout.take().expect("stdout is piped");
    let mut first_line = String::new();
    let mut lines = BufReader::new(stdout);
    lines.read_line(&mut first_line).expect("serve prints a line");
    let address = first_line
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no URL in {first_line:?}"))
        .to_owned();
    assert!(first_line.starts_with("Tandem is serving sqlite on http://127.0.0.1:"), "{first_line}");

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let body: serde_json::Value = runtime.block_on(async {
        reqwest::get(format!("http://{address}/api/v1/health")).await.unwrap().json().await.unwrap()
    });
    assert_eq!(body, serde_json::json!({"status": "ok", "backend": "sqlite"}));

    // Closing the server's output must not bring it down.
    drop(lines);
    let body: serde_json::Value = runtime.block_on(async {
        reqwest::get(format!("http://{address}/api/v1/health")).await.unwrap().json().await.unwrap()
    });
    assert_eq!(body["status"], "ok");
}

#[test]
fn demo_loads_once_and_scale_generates_work_items() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("demo.db").display());
    let (ok, stdout, stderr) = run(tandem().args(["demo", "--database", &url]));
    assert!(ok, "{stderr}");
    // Then the demo accounts, so that `tandem serve` on this database has someone to sign in as.
    let (loaded, accounts) = stdout.split_once("\nDemo accounts").expect("the demo accounts are listed");
    let usernames: Vec<&str> = accounts.lines().skip(1).filter_map(|line| line.split_whitespace().next()).collect();
    assert_eq!(accounts.lines().next(), Some(" (password \"tandem-demo\" for each):"));
    assert_eq!(usernames, ["ada", "paula", "pete", "priya", "omar", "sam", "vera"]);
    assert_eq!(
        loaded.trim(),
        "Loaded the demo: 1 program, 5 projects, 2 products, 6 teams, 178 work items, 13 milestones, 88 dependencies, \
         7 risks, 5 objectives, 8 key results, 16 key-result measurements, 14 objective links, 10 roadmap entries, \
         19 prioritized items, 4 user stories, 5 segments, 20 insights, 2 experiments, 112 metric points.\n\
         Computed the program's schedule (finish 2026-07-21, 117 working days with the teams' capacities) and a \
         forecast of 1000 iterations through them (P50 2026-08-26, P80 2026-09-21)."
    );
    // Both are stored as the program's latest: its page, the roadmaps and the API show them.
    let (schedule, forecast) = tokio::runtime::Runtime::new().unwrap().block_on(async {
        use tandem_domain::{PageRequest, ProgramFilter, Store};
        let store = tandem_store_sqlite::SqliteStore::connect(&url).await.unwrap();
        let programs = store.list_programs(&ProgramFilter::default(), &PageRequest::first(10)).await.unwrap();
        let program = programs.items[0].id;
        (
            store.latest_program_schedule(program).await.unwrap().expect("a stored schedule"),
            store.latest_program_forecast(program).await.unwrap().expect("a stored forecast"),
        )
    });
    assert_eq!((schedule.makespan, schedule.finish.to_string()), (117, "2026-07-21".to_owned()));
    assert_eq!(schedule.entries.len(), 119);
    assert_eq!(forecast.finish.p80.to_string(), "2026-09-21");
    assert_eq!((forecast.options.iterations(), forecast.options.resource_aware()), (1000, true));
    assert_eq!(forecast.computed_by, "tandem (demo)");
    let (ok, stdout, _) = run(tandem().args(["demo", "--database", &url]));
    assert!(ok);
    // No accounts with a known password on a database that already held data.
    assert_eq!(stdout.trim(), "The database already holds data: the demo was not loaded again.");

    let (ok, stdout, stderr) = run(tandem().args(["demo", "--scale", "1500", "--database", &url]));
    assert!(ok, "{stderr}");
    assert!(stdout.trim().starts_with("Generated program "), "{stdout}");
    assert!(
        stdout.trim().ends_with(": 10 projects, 1 products, 4 teams, 1500 work items, 150 dependencies."),
        "{stdout}"
    );
}

#[test]
fn plan_schedules_a_program_by_name_and_refuses_unknown_ones() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("plan.db").display());
    let (ok, _, stderr) = run(tandem().args(["demo", "--database", &url]));
    assert!(ok, "{stderr}");

    let (ok, stdout, stderr) =
        run(tandem().args(["plan", "--database", &url, "--program", "Digital Transformation", "--schedules", "200"]));
    assert!(ok, "{stderr}");
    let first = stdout.lines().next().unwrap_or_default();
    assert!(first.starts_with("Digital Transformation: 119 activities, finish 2026-"), "{stdout}");
    assert!(stdout.contains("\nFinish per project:\n"), "{stdout}");
    assert!(stdout.contains("Mobile Banking App"), "{stdout}");
    assert!(stdout.contains("\nCritical path:\n"), "{stdout}");

    let (ok, stdout, stderr) = run(tandem().args([
        "plan",
        "--database",
        &url,
        "--program",
        "Digital Transformation",
        "--schedules",
        "200",
        "--json",
    ]));
    assert!(ok, "{stderr}");
    let document: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON document");
    assert_eq!(document["activities"].as_array().map(Vec::len), Some(119));
    assert_eq!(document["options"]["schedules"], 200);

    let (ok, _, stderr) = run(tandem().args(["plan", "--database", &url, "--program", "Moonshot"]));
    assert!(!ok);
    assert_eq!(stderr.trim(), "error: no program is named \"Moonshot\"");

    let (ok, _, stderr) =
        run(tandem().args(["plan", "--database", &url, "--program", "Digital Transformation", "--schedules", "0"]));
    assert!(!ok);
    assert_eq!(stderr.trim(), "error: invalid options: schedules: must be between 1 and 100000");
}

#[test]
fn forecast_of_a_stored_program_feeds_its_risks_and_saves_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("forecast.db").display());
    let (ok, _, stderr) = run(tandem().args(["demo", "--database", &url]));
    assert!(ok, "{stderr}");
    let program = "Digital Transformation";

    let args =
        ["forecast", "--database", &url, "--program", program, "--iterations", "200", "--seed", "5", "--network-only"];
    let (ok, stdout, stderr) = run(tandem().args(args).args(["--json", "--save"]));
    assert!(ok, "{stderr}");
    let document: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON document");
    assert_eq!(document["options"]["iterations"], 200);
    assert_eq!(document["options"]["mode"], "network");
    assert_eq!(document["computed_by"], "command line");
    assert_eq!(document["activities"].as_array().map(Vec::len), Some(119));
    // Six of the demo's seven risks are live and hit open work; they are simulated.
    assert_eq!(document["risks"].as_array().map(Vec::len), Some(6));
    let p = &document["finish"]["working_days"];
    assert!(p["p10"].as_i64() <= p["p50"].as_i64() && p["p50"].as_i64() <= p["p80"].as_i64(), "{p}");
    assert_eq!(
        document["plan"]["merge_bias_days"].as_i64(),
        Some(p["p50"].as_i64().unwrap() - document["plan"]["working_days"].as_i64().unwrap())
    );
    // Every record read is listed with its version: the program, its 5 projects, its 169 work
    // items (the other 9 are in a product only), 13 milestones, 88 dependencies, 7 risks (the
    // closed one too: reopening it changes the forecast), and the 6 teams its items use.
    let versions = document["inputs"]["versions"].as_array().expect("versions");
    let count = |entity: &str| versions.iter().filter(|v| v["entity"] == entity).count();
    assert_eq!(
        ["program", "project", "work_item", "milestone", "dependency", "risk", "team"].map(count),
        [1, 5, 169, 13, 88, 7, 6]
    );
    assert_eq!(versions.len(), 289);
    assert_eq!(document["inputs"]["current"], true);

    // The same seed gives the same text report; --save said so.
    let (ok, stdout, stderr) = run(tandem().args(args).arg("--save"));
    assert!(ok, "{stderr}");
    assert!(stdout.starts_with("Digital Transformation: 119 activities, 200 iterations, network only"), "{stdout}");
    assert!(stdout.contains("working days later (merge bias, and the open risks)"), "{stdout}");
    assert!(stdout.contains("risks by effect on the P80:"), "{stdout}");
    assert!(stdout.trim_end().ends_with("saved as the latest forecast of Digital Transformation"), "{stdout}");

    let (ok, _, stderr) = run(tandem().args(["forecast", "fixture.json", "--save"]));
    assert!(!ok);
    assert_eq!(
        stderr.trim(),
        "error: --save stores a program's forecast: use it with --program, not with a problem file"
    );
}

#[test]
fn user_add_creates_the_first_admin_and_refuses_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("users.db").display());
    let add = |name: &str, password: &str, admin: bool| {
        let mut command = tandem();
        command.args(["user", "add", name, "--password-stdin", "--database", &url]);
        if admin {
            command.arg("--admin");
        }
        let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), format!("{password}\n").as_bytes()).unwrap();
        let output = child.wait_with_output().unwrap();
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (ok, stdout, stderr) = add("Alice", "correct horse battery", true);
    assert!(ok, "{stderr}");
    assert!(stdout.starts_with("Created organisation admin alice ("), "{stdout}");

    let (ok, _, stderr) = add("alice", "another long password", false);
    assert!(!ok);
    assert_eq!(stderr.trim(), "error: username: is already taken");
    let (ok, _, stderr) = add("bob", "short", false);
    assert!(!ok);
    assert_eq!(stderr.trim(), "error: password must be at least 10 characters");
    let (ok, _, stderr) = add("b", "long enough password", false);
    assert!(!ok);
    assert_eq!(stderr.trim(), "error: username: must be 3 to 64 characters");

    let (ok, stdout, stderr) = run(tandem().args(["user", "list", "--database", &url]));
    assert!(ok, "{stderr}");
    let rows: Vec<Vec<&str>> = stdout.lines().map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(rows, vec![vec!["alice", "Alice", "admin"]]);
}

// Product strategy: objectives and key results.
#[test]
fn okr_prints_a_products_objectives_with_exact_progress() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("okr.db").display());
    let (ok, _, stderr) = run(tandem().args(["demo", "--database", &url]));
    assert!(ok, "{stderr}");
    let (ok, stdout, stderr) = run(tandem().args(["okr", "--database", &url, "--product", "MyBank Customer Portal"]));
    assert!(ok, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "MyBank Customer Portal: 2 objectives");
    assert!(
        stdout.contains("\nOne identity for app and portal (2026-04-01 to 2026-06-30, off track): 15 %\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "  - Branch visits for paperwork per month: (3400 - 4200) / (2500 - 4200) = 47.1 % (latest 3400 on 2026-09-30)"
        ),
        "{stdout}"
    );
    let (ok, _, stderr) = run(tandem().args(["okr", "--database", &url, "--product", "Moonshot"]));
    assert!(!ok);
    assert_eq!(stderr.trim(), "error: no product is named \"Moonshot\"");
}

// Product backlog: `tandem backlog`.
#[test]
fn backlog_prints_a_product_ranked_by_a_framework() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("backlog.db").display());
    let (ok, _, stderr) = run(tandem().args(["demo", "--database", &url]));
    assert!(ok, "{stderr}");

    let (ok, stdout, stderr) =
        run(tandem().args(["backlog", "--database", &url, "--product", "MyBank Mobile App", "--by", "wsjf"]));
    assert!(ok, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("MyBank Mobile App: ") && lines[0].ends_with(" items, ranked by WSJF"), "{stdout}");
    assert_eq!(lines[1], "   #       score  kind     status       title");
    assert!(
        lines[2].starts_with("   1       21.50  feature  ") && lines[2].ends_with("  App store launch"),
        "{stdout}"
    );
    assert_eq!(lines[3].trim(), "WSJF = (20 + 20 + 3) / 2 = 43 / 2 = 21.5");
    assert!(lines[4].starts_with("   2           7  feature  ") && lines[4].ends_with("  Card controls"), "{stdout}");

    let (ok, stdout, stderr) =
        run(tandem().args(["backlog", "--database", &url, "--product", "MyBank Mobile App", "--by", "impact-effort"]));
    assert!(ok, "{stderr}");
    assert!(stdout.lines().nth(2).unwrap_or_default().ends_with("  App store launch"), "{stdout}");
    assert!(stdout.contains("Impact 10, effort 2: quick win"), "{stdout}");

    let (ok, stdout, stderr) =
        run(tandem().args(["backlog", "--database", &url, "--product", "MyBank Customer Portal"]));
    assert!(ok, "{stderr}");
    assert!(stdout.lines().next().unwrap_or_default().ends_with(" items, in rank order"), "{stdout}");
    assert_eq!(stdout.lines().nth(1), Some("   #        rank  kind     status       title"));

    let (ok, _, stderr) = run(tandem().args(["backlog", "--database", &url, "--product", "Moonshot"]));
    assert!(!ok);
    assert_eq!(stderr.trim(), "error: no product is named \"Moonshot\"");
}

// Feedback and research.
#[test]
fn import_insights_reads_a_csv_into_a_product_by_name_all_rows_or_none() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("import.db").display());
    let (ok, _, stderr) = run(tandem().args(["demo", "--database", &url]));
    assert!(ok, "{stderr}");
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "date,source,customer,quote,importance,segment\n\
         2026-04-01,survey,Ada,Faster transfers,critical,Students\n\
         2026-04-02,survey,Bo,Dark mode,urgent,Nobody\n",
    )
    .unwrap();
    let bad = bad.display().to_string();
    let (ok, _, stderr) =
        run(tandem().args(["import", "insights", &bad, "--product", "MyBank Mobile App", "--database", &url]));
    assert!(!ok);
    assert_eq!(
        stderr.trim(),
        "error: nothing was imported: rows[2].importance: must be one of nice_to_have, important, critical (or 1, 2, 3); \
         rows[2].segment: the product has no segment named \"Nobody\""
    );
    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        "date,source,customer,quote,importance,segment\n\
         2026-04-01,survey,Ada,Faster transfers,critical,Students\n\
         2026-04-02,interview,Bo,\"Dark mode, please\",1,\n",
    )
    .unwrap();
    let good = good.display().to_string();
    let (ok, stdout, stderr) =
        run(tandem().args(["import", "insights", &good, "--product", "MyBank Mobile App", "--database", &url]));
    assert!(ok, "{stderr}");
    assert_eq!(stdout.trim(), "Imported 2 insights into MyBank Mobile App.");
    let (ok, _, stderr) = run(tandem().args(["import", "insights", &good, "--product", "Nope", "--database", &url]));
    assert!(!ok);
    assert_eq!(stderr.trim(), "error: no product is named \"Nope\"");
}

// Product metrics.
#[test]
fn import_metrics_reads_a_csv_into_a_product_all_rows_or_none() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("metrics.db").display());
    let (ok, _, stderr) = run(tandem().args(["demo", "--database", &url]));
    assert!(ok, "{stderr}");
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "date,kind,value\n2030-01-31,adoption,10\n2030-02-28,satisfaction,101\n2030-03-31,nps,5\n")
        .unwrap();
    let bad = bad.display().to_string();
    let (ok, _, stderr) =
        run(tandem().args(["import", "metrics", &bad, "--product", "MyBank Mobile App", "--database", &url]));
    assert!(!ok);
    assert_eq!(
        stderr.trim(),
        "error: nothing was imported: rows[2].value: satisfaction must be from -100 to 100; \
         rows[3].kind: must be one of adoption, retention, revenue, satisfaction"
    );
    let good = dir.path().join("good.csv");
    std::fs::write(&good, "date,kind,value\n2030-01-31,adoption,10\n2030-02-28,satisfaction,-4.5\n").unwrap();
    let good = good.display().to_string();
    let (ok, stdout, stderr) =
        run(tandem().args(["import", "metrics", &good, "--product", "MyBank Mobile App", "--database", &url]));
    assert!(ok, "{stderr}");
    assert_eq!(stdout.trim(), "Imported 2 metric points into MyBank Mobile App.");
}

// A program's work done.
#[test]
fn progress_prints_a_programs_work_done_per_project_and_in_total() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("progress.db").display());
    let (ok, _, stderr) = run(tandem().args(["demo", "--database", &url]));
    assert!(ok, "{stderr}");

    // The demo's 116 leaf work items in projects (none cancelled; summaries left out), each
    // weighed by its PERT mean: done ones whole, others by their percent complete. Checked
    // against a sum over the demo's rows by hand.
    let (ok, stdout, stderr) =
        run(tandem().args(["progress", "--database", &url, "--program", "Digital Transformation"]));
    assert!(ok, "{stderr}");
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        [
            "Digital Transformation: work done",
            "  Compliance Workstream (PSD2 / DORA)    3.3 %      3.2 of 96.3 days  1 of 16 items done, 2 in progress",
            "  Core Platform Migration               21.0 %    58.3 of 278.2 days  3 of 28 items done, 5 in progress",
            "  Customer Self-Service Portal           8.1 %     8.5 of 104.9 days  2 of 22 items done, 3 in progress",
            "  Mobile Banking App                     9.9 %    14.7 of 148.7 days  3 of 37 items done, 3 in progress",
            "  New Sales Process                     16.3 %     15.8 of 97.0 days  1 of 13 items done, 1 in progress",
            "  Total                                 13.9 %   100.5 of 725.2 days  10 of 116 items done, 14 in progress",
        ]
    );

    let (ok, stdout, stderr) =
        run(tandem().args(["progress", "--database", &url, "--program", "Digital Transformation", "--json"]));
    assert!(ok, "{stderr}");
    let document: serde_json::Value = serde_json::from_str(&stdout).expect("one JSON document");
    assert_eq!(
        document["total"],
        serde_json::json!({
            "items": 116, "done_items": 10, "in_progress_items": 14,
            "estimated_days": 725.17, "done_days": 100.5, "percent_done": 13.86
        })
    );
    let projects = document["projects"].as_array().expect("projects");
    let names: Vec<&str> = projects.iter().filter_map(|p| p["name"].as_str()).collect();
    assert_eq!(
        names,
        [
            "Compliance Workstream (PSD2 / DORA)",
            "Core Platform Migration",
            "Customer Self-Service Portal",
            "Mobile Banking App",
            "New Sales Process"
        ]
    );
    assert_eq!(
        (
            projects[1]["estimated_days"].as_f64(),
            projects[1]["done_days"].as_f64(),
            projects[1]["percent_done"].as_f64()
        ),
        (Some(278.25), Some(58.33), Some(20.96))
    );
    let items: u64 = projects.iter().filter_map(|p| p["items"].as_u64()).sum();
    assert_eq!(items, 116);

    let (ok, stdout, stderr) = run(tandem().args(["progress", "--database", &url, "--program", "Moonshot"]));
    assert!(!ok);
    assert_eq!((stdout.as_str(), stderr.trim()), ("", "error: no program is named \"Moonshot\""));
}
