//! Files and problems no one should write, which must still end in a clear error or a
//! feasible schedule, never in a panic or an abort.

use proptest::prelude::*;
use tandem_engine::*;

fn j301_1() -> String {
    let p = format!("{}/tests/fixtures/j30/j301_1.sm", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

/// The fixture with its first line that starts with `line_start` replaced by `with`.
fn edited(line_start: &str, with: &str) -> String {
    let text = j301_1();
    let line = text.lines().find(|l| l.starts_with(line_start)).unwrap_or_else(|| panic!("no line {line_start:?}"));
    text.replacen(line, with, 1)
}

fn parse_error(text: &str) -> String {
    match parse_psplib(text) {
        Err(EngineError::Parse(message)) => message,
        other => panic!("expected a parse error, got {other:?}"),
    }
}

#[test]
fn psplib_lines_with_impossible_numbers_are_parse_errors() {
    // A successor count of -1 (once an overflow of `3 + count as usize`).
    let text = edited("   5        1          1", "   5        1          -1          20");
    assert_eq!(parse_error(&text), "bad precedence line \"   5        1          -1          20\"");
    // A successor number beyond 32 bits (once wrapped to job 0).
    let text = edited("   9        1          1", "   9        1          1          4294967310");
    assert_eq!(
        parse_error(&text),
        "bad job number 4294967310 in line \"   9        1          1          4294967310\""
    );
    // A negative duration (once reported as a missing one).
    let text = edited("  2      1     8", "  2      1    -4       4    0    0    0");
    assert_eq!(parse_error(&text), "job 2 has negative duration -4");
}

#[test]
fn a_psplib_duration_of_i64_max_is_refused_before_scheduling() {
    let text = edited("  2      1     8", "  2      1     9223372036854775807       4    0    0    0");
    let spec = parse_psplib(&text).expect("parses").to_spec().expect("spec");
    assert_eq!(Problem::new(spec).unwrap_err(), EngineError::SpanTooLong { periods: None, limit: MAX_SPAN });
}

/// Numbers that break naive arithmetic: signs, zero, 32- and 64-bit edges.
fn hostile_number() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("0".to_owned()),
        Just("-1".to_owned()),
        Just("2147483648".to_owned()),
        Just("4294967296".to_owned()),
        Just("9223372036854775807".to_owned()),
        Just("-9223372036854775808".to_owned()),
        Just("100000000".to_owned()),
        (-50i64..200).prop_map(|v| v.to_string()),
        Just("x".to_owned()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Up to four numbers of a real instance replaced by hostile ones: the reader, the
    /// validation and the scheduler (tests build with overflow checks) either refuse the
    /// file with an error or return a schedule the independent checker accepts.
    #[test]
    fn mutated_psplib_files_end_in_an_error_or_a_feasible_schedule(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), hostile_number()), 1..5),
        seed in 0u64..100,
    ) {
        let text = j301_1();
        let mut tokens: Vec<String> = text.split(' ').map(str::to_owned).collect();
        let numeric: Vec<usize> =
            (0..tokens.len()).filter(|&i| tokens[i].trim().parse::<i64>().is_ok()).collect();
        for (at, value) in &edits {
            let i = numeric[at.index(numeric.len())];
            let newline = if tokens[i].ends_with('\n') { "\n" } else { "" };
            tokens[i] = format!("{value}{newline}");
        }
        let text = tokens.join(" ");
        let Ok(instance) = parse_psplib(&text) else { return Ok(()) };
        let Ok(spec) = instance.to_spec() else { return Ok(()) };
        let Ok(problem) = Problem::new(spec) else { return Ok(()) };
        let solution = solve(&problem, &SolveOptions { max_schedules: Some(50), seed, ..SolveOptions::default() });
        prop_assert_eq!(check_schedule(&problem, &solution.schedule), Ok(()));
        prop_assert!(solution.objective.makespan >= critical_path(&problem).horizon);
    }
}
