//! The command line as a person meets it: help texts, `explain`, `schema`, exit codes, paths
//! that cannot be used, and inputs that must give a diagnostic instead of a crash.
//!
//! Full outputs are snapshotted in `tests/snapshots/cli/`.

use crate::support::{fixtures, snapshot, steg, temp_municipality, Run};

fn cli_snapshot(name: &str, run: &Run) {
    snapshot("cli", name, run);
}

// ----- help and explain -----

#[test]
fn help() {
    let run = steg(&fixtures(), &["--help"]);
    assert_eq!(run.code, 0);
    cli_snapshot("help", &run);
}

#[test]
fn check_help() {
    let run = steg(&fixtures(), &["check", "--help"]);
    assert_eq!(run.code, 0);
    cli_snapshot("check_help", &run);
}

#[test]
fn explain_lists_every_check() {
    let run = steg(&fixtures(), &["explain"]);
    assert_eq!(run.code, 0);
    for c in steg_engine::codes::ALL {
        assert!(
            run.stdout.contains(c.code) && run.stdout.contains(c.name),
            "{} missing",
            c.code
        );
    }
    cli_snapshot("explain", &run);
}

#[test]
fn explain_one_check() {
    let run = steg(&fixtures(), &["explain", "G005"]);
    assert_eq!(run.code, 0);
    cli_snapshot("explain_g005", &run);
}

#[test]
fn explain_finds_a_check_by_its_name_too() {
    let by_code = steg(&fixtures(), &["explain", "G005"]);
    for name in ["dead-end", "DeadEnd", "dead_end", "g005"] {
        let by_name = steg(&fixtures(), &["explain", name]);
        assert_eq!(by_name.code, 0, "{name}");
        assert_eq!(by_name.stdout, by_code.stdout, "{name}");
    }
}

#[test]
fn explain_every_check_prints_its_documentation() {
    for c in steg_engine::codes::ALL {
        let run = steg(&fixtures(), &["explain", c.code]);
        assert_eq!(run.code, 0, "{}", c.code);
        assert!(run
            .stdout
            .starts_with(&format!("{} {} ({})\n", c.code, c.name, c.severity)));
        for heading in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## Use instead",
        ] {
            assert!(run.stdout.contains(heading), "{} lacks {heading}", c.code);
        }
    }
}

#[test]
fn explain_an_unknown_code_exits_2() {
    let run = steg(&fixtures(), &["explain", "nonsense"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    cli_snapshot("explain_nonsense", &run);
}

// ----- paths -----

#[test]
fn check_a_missing_path_exits_2() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let run = steg(tmp.path(), &["check", "missing/path"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    cli_snapshot("check_missing_path", &run);
}

#[test]
fn check_without_arguments_and_without_workflows_folder_exits_2() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let run = steg(tmp.path(), &["check"]);
    assert_eq!(run.code, 2);
    cli_snapshot("check_no_workflows_folder", &run);
}

#[test]
fn check_a_folder_without_municipality_exits_2() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    std::fs::create_dir(tmp.path().join("tom")).expect("create folder");
    let run = steg(tmp.path(), &["check", "tom"]);
    assert_eq!(run.code, 2);
    cli_snapshot("check_not_a_municipality", &run);
}

#[test]
fn check_an_unknown_format_exits_2() {
    let run = steg(
        &fixtures(),
        &["check", "--format", "xml", "missing_else/valid"],
    );
    assert_eq!(run.code, 2);
    cli_snapshot("check_unknown_format", &run);
}

#[test]
fn check_a_folder_of_municipalities_checks_each() {
    // missing_else/ holds two municipalities: valid/ and invalid_only_conditions/.
    let run = steg(&fixtures(), &["check", "missing_else"]);
    assert_eq!(run.code, 0, "G011 is a warning");
    assert!(run.stdout.ends_with(
        "checked 2 municipalities (missing_else/invalid_only_conditions, missing_else/valid): 0 errors, 1 warning\n"
    ));
    cli_snapshot("check_folder_of_two", &run);
}

#[test]
fn check_two_municipalities_with_errors_in_both() {
    let run = steg(
        &fixtures(),
        &[
            "check",
            "dead_end/invalid_task",
            "unreachable_step/invalid_orphan_step",
        ],
    );
    assert_eq!(run.code, 1);
    let json = steg(
        &fixtures(),
        &[
            "check",
            "--format",
            "json",
            "dead_end/invalid_task",
            "unreachable_step/invalid_orphan_step",
        ],
    )
    .json();
    let codes: Vec<&str> = json.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(
        codes,
        ["G005", "G004"],
        "one diagnostic from each, in argument order"
    );
    cli_snapshot("check_two_municipalities", &run);
}

#[test]
fn check_a_file_checks_its_municipality() {
    let run = steg(
        &fixtures(),
        &["check", "dead_end/invalid_task/ekonomiskt_bistand.yaml"],
    );
    assert_eq!(run.code, 1);
    assert!(run
        .stdout
        .ends_with("checked 1 municipality (dead_end/invalid_task): 1 error, 0 warnings\n"));
}

#[test]
fn check_without_arguments_checks_every_municipality_under_workflows() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let workflows = tmp.path().join("workflows");
    crate::support::copy_dir(
        &fixtures().join("dead_end").join("valid"),
        &workflows.join("storstad"),
    );
    crate::support::copy_dir(
        &fixtures().join("dead_end").join("invalid_wait"),
        &workflows.join("lillby"),
    );
    let run = steg(tmp.path(), &["check"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("╭─[workflows/lillby/ekonomiskt_bistand.yaml:11:3]"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.ends_with(
        "checked 2 municipalities (workflows/lillby, workflows/storstad): 1 error, 0 warnings\n"
    ));
    // A bare name is looked up under workflows/.
    let by_name = steg(tmp.path(), &["check", "lillby"]);
    assert_eq!(by_name.code, 1);
    assert!(by_name
        .stdout
        .ends_with("checked 1 municipality (workflows/lillby): 1 error, 0 warnings\n"));
}

#[test]
fn test_runs_the_rule_tests() {
    let run = steg(
        &fixtures().join("rule_test_failed"),
        &["test", "invalid_wrong_expectation"],
    );
    assert_eq!(run.code, 1);
    cli_snapshot("test_failing", &run);
    let run = steg(&fixtures().join("rule_test_failed"), &["test", "valid"]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "valid: 2 passed, 0 failed\n2 passed, 0 failed\n")
    );
}

// ----- output formats -----

#[test]
fn check_json_output() {
    // A diagnostic with a related location and one naming a step.
    let run = steg(
        &fixtures().join("duplicate_id"),
        &["check", "--format", "json", "invalid_step"],
    );
    assert_eq!(run.code, 1);
    cli_snapshot("check_json_related", &run);
    let run = steg(
        &fixtures().join("dead_end"),
        &["check", "--format", "json", "invalid_task"],
    );
    cli_snapshot("check_json_step", &run);
}

#[test]
fn clean_json_output_is_an_empty_array() {
    let run = steg(
        &fixtures().join("dead_end"),
        &["check", "--format", "json", "valid"],
    );
    assert_eq!((run.code, run.stdout.as_str()), (0, "[]\n"));
}

#[test]
fn no_colour_when_output_is_not_a_terminal() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_steg"))
        .args(["check", "dead_end/invalid_task"])
        .current_dir(fixtures())
        .env_remove("NO_COLOR")
        .output()
        .expect("steg runs");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(
        !stdout.contains('\u{1b}'),
        "escape codes in piped output:\n{stdout}"
    );
}

// ----- schema -----

#[test]
fn schema_prints_json_schemas() {
    for (args, title) in [
        (&["schema", "workflow"][..], "steg workflow"),
        (&["schema", "municipality"][..], "steg municipality"),
        (&["schema"][..], "steg workflow"),
    ] {
        let run = steg(&fixtures(), args);
        assert_eq!(run.code, 0, "{args:?}");
        let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("valid JSON");
        assert!(v["$schema"].is_string(), "{args:?}: no `$schema`");
        assert_eq!(v["title"], title, "{args:?}");
    }
}

#[test]
fn schema_out_writes_every_file_kind() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let run = steg(tmp.path(), &["schema", "--out", "scheman"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "", "")
    );
    for (file, kind) in [
        ("workflow.schema.json", "workflow"),
        ("municipality.schema.json", "municipality"),
        ("scenario.schema.json", "scenario"),
    ] {
        let written = std::fs::read_to_string(tmp.path().join("scheman").join(file)).expect(file);
        let printed = steg(tmp.path(), &["schema", kind]).stdout;
        assert_eq!(written, printed, "{file} differs from `steg schema {kind}`");
    }
    let mut names: Vec<_> = std::fs::read_dir(tmp.path().join("scheman"))
        .expect("read output folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "municipality.schema.json",
            "scenario.schema.json",
            "workflow.schema.json"
        ],
        "no temporary files left"
    );
}

// ----- inputs that must give a diagnostic, never a crash -----

/// Write `bytes` as the only workflow file of a fresh municipality and check it.
fn check_workflow_bytes(bytes: &[u8]) -> (tempfile::TempDir, Run, Run) {
    let (tmp, dir) = temp_municipality();
    std::fs::write(dir.join("ekonomiskt_bistand.yaml"), bytes).expect("write workflow");
    let human = steg(tmp.path(), &["check", "kommun"]);
    let json = steg(tmp.path(), &["check", "--format", "json", "kommun"]);
    (tmp, human, json)
}

#[test]
fn malformed_yaml_gives_a_located_s001() {
    let run = steg(
        &fixtures().join("yaml_syntax"),
        &["check", "--format", "json", "invalid_stray_colon"],
    );
    assert_eq!(run.code, 1);
    let d = run.json();
    assert_eq!(d.len(), 1);
    assert_eq!(
        (d[0].code.as_str(), d[0].at().as_str()),
        ("S001", "invalid_stray_colon/ekonomiskt_bistand.yaml:5:57")
    );
}

#[test]
fn a_file_that_is_not_utf8_gives_s001() {
    let (_tmp, human, json) =
        check_workflow_bytes(b"workflow: ekonomiskt_bistand\ntitle: Socialn\xe4mnden\n");
    assert_eq!(human.code, 1);
    let d = json.json();
    assert_eq!(d.len(), 1, "{:?}", d);
    assert_eq!(d[0].code, "S001");
    assert!(d[0].message.contains("not UTF-8"), "{}", d[0].message);
    assert_eq!(
        d[0].at(),
        "kommun/ekonomiskt_bistand.yaml:2:15",
        "the first byte that is not UTF-8"
    );
    cli_snapshot("not_utf8", &human);
}

#[test]
fn an_empty_workflow_file_gives_a_diagnostic() {
    let (_tmp, human, json) = check_workflow_bytes(b"");
    assert_eq!(human.code, 1);
    let d = json.json();
    assert_eq!(d.len(), 1, "{:?}", d);
    assert_eq!(d[0].at(), "kommun/ekonomiskt_bistand.yaml:1:1");
    cli_snapshot("empty_workflow_file", &human);
}

#[test]
fn a_workflow_file_that_is_a_list_gives_a_diagnostic() {
    let (_tmp, human, json) = check_workflow_bytes(b"- ansokan\n- utredning\n- beslut_4_1\n");
    assert_eq!(human.code, 1);
    let d = json.json();
    assert_eq!(d.len(), 1, "{:?}", d);
    assert_eq!(d[0].at(), "kommun/ekonomiskt_bistand.yaml:1:1");
    cli_snapshot("workflow_file_is_a_list", &human);
}

#[test]
fn a_40_mb_file_is_refused_with_s004() {
    let mut text = String::from("workflow: ekonomiskt_bistand\nstart: ansokan\nsteps:\n");
    let mut i = 0;
    while text.len() < 40 * 1024 * 1024 {
        text.push_str(&format!(
            "  steg_{i}: {{ actor: socialsekreterare, next: steg_{} }}\n",
            i + 1
        ));
        i += 1;
    }
    let (_tmp, human, json) = check_workflow_bytes(text.as_bytes());
    assert_eq!(human.code, 1);
    let d = json.json();
    assert_eq!(d.len(), 1, "{:?}", d);
    assert_eq!(d[0].code, "S004");
    cli_snapshot("file_of_40_mb", &human);
}

#[test]
fn a_rule_file_that_is_not_utf8_gives_s001() {
    let (tmp, dir) = temp_municipality();
    std::fs::write(
        dir.join("municipality.yaml"),
        "municipality: Exempelkommun\nrules: [regler]\n",
    )
    .expect("write");
    std::fs::create_dir(dir.join("regler")).expect("create rules folder");
    std::fs::write(
        dir.join("regler").join("ame.rhai"),
        b"// Arbetsf\xf6rm\xe5ga\nfn x(a, p) { true }\n",
    )
    .expect("write");
    std::fs::write(
        dir.join("ame.yaml"),
        "workflow: ame\nstart: a\nsteps:\n  a: { kind: end, outcome: klar }\n",
    )
    .expect("write");
    let run = steg(tmp.path(), &["check", "--format", "json", "kommun"]);
    assert_eq!(run.code, 1);
    let d = run.json();
    assert_eq!(
        d.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(),
        ["S001"]
    );
    assert!(
        d[0].at().starts_with("kommun/regler/ame.rhai:"),
        "{}",
        d[0].at()
    );
}

#[test]
fn a_rule_file_over_1_mib_is_refused_with_s004() {
    let (tmp, dir) = temp_municipality();
    std::fs::write(
        dir.join("municipality.yaml"),
        "municipality: Exempelkommun\nrules: [regler]\n",
    )
    .expect("write");
    std::fs::create_dir(dir.join("regler")).expect("create rules folder");
    let comment = "// källa: seed 000 l.199\n".repeat(50_000);
    std::fs::write(dir.join("regler").join("ame.rhai"), comment).expect("write");
    std::fs::write(
        dir.join("ame.yaml"),
        "workflow: ame\nstart: a\nsteps:\n  a: { kind: end, outcome: klar }\n",
    )
    .expect("write");
    let run = steg(tmp.path(), &["check", "--format", "json", "kommun"]);
    assert_eq!(run.code, 1);
    let d = run.json();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].code, "S004");
    assert!(
        d[0].at().starts_with("kommun/regler/ame.rhai:"),
        "{}",
        d[0].at()
    );
}

/// `steg test` on rules that never finish or blow up: every one stops with a failure naming the
/// rule, and the command exits 1 (the sandbox stops each evaluation in milliseconds).
#[test]
fn steg_test_reports_hostile_rules_and_finishes() {
    for fixture in [
        "invalid_endless_loop",
        "invalid_endless_recursion",
        "invalid_huge_string",
        "invalid_type_error",
    ] {
        let run = steg(&fixtures().join("rule_failed"), &["test", fixture]);
        assert_eq!(run.code, 1, "{fixture}: {}", run.stdout);
        assert!(
            run.stdout.contains("rule `arbetsformaga_minst_25`"),
            "{fixture}: {}",
            run.stdout
        );
        assert!(run.stdout.contains("error:"), "{fixture}: {}", run.stdout);
        assert!(
            run.stdout.contains("0 passed, 2 failed"),
            "{fixture}: {}",
            run.stdout
        );
    }
}
