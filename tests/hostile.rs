//! Hostile and careless input: one test per kind of fault found by trying to break `steg`,
//! named after what broke. Each shows a clear located error (or the right result) and no panic.

use crate::support::{steg, temp_municipality};
use std::path::Path;

/// A small workflow whose decision divides by zero in floating point.
const FLODE: &str = "workflow: flode
start: ansokan
steps:
  ansokan: { actor: socialsekreterare, next: beslut }
  beslut:
    kind: decision
    legal_basis: \"SoL 4 kap. 1 §\"
    next:
      - { when: \"(arende.x * 1.0) / 0.0 > 1.0\", to: bifall }
      - { else: avslag }
  bifall: { kind: end, outcome: bifall }
  avslag: { kind: end, outcome: avslag }
";

fn write(path: &Path, text: &str) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("create the folder");
    }
    std::fs::write(path, text).expect("write the file");
}

/// The rendered diagnostics never carry a terminal control character from a file, and no
/// line of them is longer than a snippet window allows.
fn assert_tame(out: &str) {
    assert!(
        !out.contains(['\u{1b}', '\u{7}', '\u{8}', '\u{9b}']),
        "a control character reached the terminal:\n{out}"
    );
    for line in out.lines() {
        assert!(
            line.chars().count() < 400,
            "a line of {} characters was echoed",
            line.chars().count()
        );
    }
}

/// A diagnostic past column 65,535 (a long single-line YAML file) panicked inside miette's
/// renderer ("Formatting argument out of range"), and a diagnostic echoed a whole 4.8 MB line.
#[test]
fn a_diagnostic_past_column_65535_renders_cut_around_its_span() {
    let (tmp, dir) = temp_municipality();
    let filler: String = (0..20_000)
        .map(|i| format!("s{i}: {{next: s{}}}, ", i + 1))
        .collect();
    let text = format!(
        "{{workflow: lang, start: s0, steps: {{{filler}s20000: {{next: saknas}}, slut: {{kind: end, outcome: klar}}}}}}\n"
    );
    assert!(text.len() > 400_000);
    write(&dir.join("lang.yaml"), &text);
    let run = steg(tmp.path(), &["check", "kommun"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_tame(&run.stdout);
    // The unknown step is found at its place on the one line, and shown cut around it.
    let col = text.find("saknas").expect("the name") + 1;
    assert!(
        run.stdout.contains(&format!("kommun/lang.yaml:1:{col}]")),
        "{}",
        &run.stdout[..run.stdout.len().min(3000)]
    );
    assert!(
        run.stdout.contains(" │ …"),
        "the line is cut before the span:\n{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("s20000: {next: saknas}, slut"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.len() < 40_000,
        "{} bytes of output",
        run.stdout.len()
    );
}

/// A minified BPMN file (all on one line) panicked the same way in `steg check MODEL`.
#[test]
fn a_minified_bpmn_file_renders_without_panic() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let tasks: String = (0..3_000)
        .map(|i| {
            format!(
                "<task id=\"t{i}\"/><sequenceFlow id=\"f{i}\" sourceRef=\"t{i}\" targetRef=\"t{}\"/>",
                i + 1
            )
        })
        .collect();
    let model = format!(
        "<?xml version=\"1.0\"?><definitions xmlns=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" id=\"d\"><process id=\"p\"><startEvent id=\"s\"/><sequenceFlow id=\"f\" sourceRef=\"s\" targetRef=\"t0\"/>{tasks}<task id=\"t3000\"/><complexGateway id=\"cg\"/></process></definitions>"
    );
    assert!(!model.contains('\n') && model.len() > 70_000);
    write(&tmp.path().join("min.bpmn"), &model);
    let run = steg(tmp.path(), &["check", "min.bpmn"]);
    assert_tame(&run.stdout);
    assert!(run.stdout.contains("min.bpmn:1:"), "{}", run.stdout);
}

/// An escape sequence in a step id reached the terminal raw: it could retitle or clear it.
#[test]
fn an_escape_sequence_in_a_step_id_is_shown_escaped() {
    let (tmp, dir) = temp_municipality();
    write(
        &dir.join("flode.yaml"),
        "workflow: flode\nstart: a\nsteps:\n  a: { next: \"b\\e]0;pwned\\a\\e[2J\" }\n  b: { kind: end, outcome: klar }\n",
    );
    let run = steg(tmp.path(), &["check", "kommun"]);
    assert_eq!(run.code, 1);
    assert_tame(&run.stdout);
    assert!(
        run.stdout.contains("b\\u{1b}]0;pwned\\u{7}"),
        "{}",
        run.stdout
    );
    // JSON keeps the text as it is (its serialiser escapes it).
    let json = steg(tmp.path(), &["check", "--format", "json", "kommun"]);
    assert!(json.stdout.contains("\\u001b]0;pwned"), "{}", json.stdout);
}

/// `rules: [/]` walked the whole file system and ran every rule test it found.
#[test]
fn a_rule_folder_outside_the_project_is_refused() {
    for (written, words) in [
        ("/", "absolute path"),
        ("/etc", "absolute path"),
        ("../../..", "not a folder inside the project"),
        ("../..", "not a folder inside the project"),
    ] {
        let (tmp, dir) = temp_municipality();
        write(
            &dir.join("municipality.yaml"),
            &format!("municipality: Exempelkommun\nrules: [\"{written}\"]\n"),
        );
        write(
            &dir.join("flode.yaml"),
            "workflow: flode\nstart: a\nsteps:\n  a: { kind: end, outcome: klar }\n",
        );
        let d = steg(tmp.path(), &["check", "--format", "json", "kommun"]).json();
        let found = d
            .iter()
            .find(|d| d.code == "S003")
            .unwrap_or_else(|| panic!("{written}: no S003 in {d:?}"));
        assert!(
            found.message.contains(words),
            "{written}: {}",
            found.message
        );
        assert_eq!(found.at(), "kommun/municipality.yaml:2:9", "{written}");
    }
}

/// A rule folder inside the project that is a symbolic link to elsewhere is outside it.
#[cfg(unix)]
#[test]
fn a_rule_folder_linked_to_outside_the_project_is_refused() {
    let (tmp, dir) = temp_municipality();
    // The project is the temporary folder's parent; /etc is outside it.
    std::os::unix::fs::symlink("/etc", dir.join("regler")).expect("link");
    write(
        &dir.join("municipality.yaml"),
        "municipality: Exempelkommun\nrules: [regler]\n",
    );
    write(
        &dir.join("flode.yaml"),
        "workflow: flode\nstart: a\nsteps:\n  a: { kind: end, outcome: klar }\n",
    );
    let d = steg(tmp.path(), &["check", "--format", "json", "kommun"]).json();
    let found = d.iter().find(|d| d.code == "S003").expect("S003");
    assert!(
        found.message.contains("not a folder inside the project"),
        "{}",
        found.message
    );
}

/// `sleep(1e300)` in a rule panicked ("cannot convert float seconds to Duration") in check,
/// test, run and simulate; `sleep(30)` slept past every limit. Rules have no clock.
#[test]
fn sleep_in_a_rule_is_an_error_in_every_command() {
    let (tmp, dir) = temp_municipality();
    write(
        &dir.join("municipality.yaml"),
        "municipality: Exempelkommun\nrules: [regler]\nroles:\n  socialsekreterare: { title: Socialsekreterare, staff: 1 }\n",
    );
    write(
        &dir.join("regler/sov.rhai"),
        "fn sover(arende, params) { sleep(1e300); true }\nfn vaknar(arende, params) { sleep(30); true }\n",
    );
    write(
        &dir.join("regler/sov.test.yaml"),
        "tests:\n  - { name: sover, rule: sover, arende: {}, expect: true }\n  - { name: vaknar, rule: vaknar, arende: {}, expect: true }\n",
    );
    write(
        &dir.join("flode.yaml"),
        "workflow: flode\nstart: a\nsteps:\n  a: { actor: socialsekreterare, next: [ { when: rule.sover, to: b }, { else: b } ] }\n  b: { kind: end, outcome: klar }\n",
    );
    write(
        &tmp.path().join("s.yaml"),
        "scenario: s\nstart: 2022-01-10\n",
    );
    let check = steg(tmp.path(), &["check", "kommun"]);
    assert!(
        check.stdout.contains("`sleep` is not available in rules"),
        "{}",
        check.stdout
    );
    let test = steg(tmp.path(), &["test", "kommun"]);
    assert_eq!(test.code, 1);
    assert!(
        test.stdout.contains("0 passed, 2 failed"),
        "{}",
        test.stdout
    );
    // Without the failing tests the configuration runs, and the case's condition fails.
    std::fs::remove_file(dir.join("regler/sov.test.yaml")).expect("remove the tests");
    let run = steg(tmp.path(), &["run", "kommun", "--scenario", "s.yaml"]);
    assert!(
        run.stdout.contains("RULE FAILED"),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    assert!(
        run.stdout.contains("not available in rules"),
        "{}",
        run.stdout
    );
}

/// `(x * 1.0) / 0.0 > 1.0` was false, so the case silently took `else`; division by zero is
/// an error, also for floats.
#[test]
fn float_division_by_zero_in_a_condition_is_an_error_not_else() {
    let (tmp, dir) = temp_municipality();
    write(&dir.join("flode.yaml"), FLODE);
    write(
        &tmp.path().join("s.yaml"),
        "scenario: s\nstart: 2022-01-10\narende: { x: 3 }\n",
    );
    let run = steg(tmp.path(), &["run", "kommun", "--scenario", "s.yaml"]);
    assert!(run.stdout.contains("division by zero"), "{}", run.stdout);
    assert!(!run.stdout.contains("outcome avslag"), "{}", run.stdout);
}

/// The same table in two files: which one `tabell` read depended on the file names.
#[test]
fn a_table_in_two_files_is_an_error() {
    let (tmp, dir) = temp_municipality();
    write(
        &dir.join("municipality.yaml"),
        "municipality: Exempelkommun\nrules: [regler]\n",
    );
    write(
        &dir.join("flode.yaml"),
        "workflow: flode\nstart: a\nsteps:\n  a: { kind: end, outcome: klar }\n",
    );
    let table = |v: u32| {
        format!("table: riksnorm\nversions:\n  - valid_from: 2021-01-01\n    values: {{ vuxen: {v} }}\n")
    };
    write(&dir.join("regler/a.table.yaml"), &table(3160));
    write(&dir.join("regler/b.table.yaml"), &table(9999));
    let d = steg(tmp.path(), &["check", "--format", "json", "kommun"]).json();
    let dup = d.iter().find(|d| d.code == "G002").expect("G002");
    assert_eq!(dup.at(), "kommun/regler/b.table.yaml:1:8");
    assert!(dup
        .message
        .contains("table `riksnorm` is defined in two files"));
    assert_eq!(dup.related[0].file, "kommun/regler/a.table.yaml");
}

/// A workflow file named `*.YAML` was silently ignored: file-name extensions are matched
/// without regard to case.
#[test]
fn a_workflow_file_named_upper_case_yaml_is_loaded() {
    let (tmp, dir) = temp_municipality();
    write(
        &dir.join("FLODE.YAML"),
        "workflow: flode\nstart: a\nsteps:\n  a: { next: saknas }\n",
    );
    let d = steg(tmp.path(), &["check", "--format", "json", "kommun"]).json();
    assert!(
        d.iter()
            .any(|d| d.code == "G001" && d.at() == "kommun/FLODE.YAML:4:14"),
        "{d:?}"
    );
}

/// A municipality folder with no workflow at all was reported clean.
#[test]
fn a_municipality_without_workflows_is_an_error() {
    let (tmp, _) = temp_municipality();
    let d = steg(tmp.path(), &["check", "--format", "json", "kommun"]).json();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].code, "G003");
    assert_eq!(d[0].at(), "kommun/municipality.yaml:1:15");
    assert!(d[0].message.contains("has no workflow"));
}

/// `every: 0d` was accepted: a timer that fires for ever on one day.
#[test]
fn a_zero_period_is_an_error() {
    let (tmp, dir) = temp_municipality();
    write(
        &dir.join("flode.yaml"),
        "workflow: flode\nstart: a\nsteps:\n  a:\n    kind: wait\n    on:\n      - { every: 0d, to: b }\n  b: { kind: end, outcome: klar }\n",
    );
    let d = steg(tmp.path(), &["check", "--format", "json", "kommun"]).json();
    let zero = d.iter().find(|d| d.code == "S003").expect("S003");
    assert_eq!(zero.at(), "kommun/flode.yaml:7:18");
    assert!(zero.message.contains("period of zero"), "{}", zero.message);
}

/// Scenario dates that mean nothing were run: events before the case starts ("closed
/// 2020-02-01" for a case started 2022-01-10), `until` before `start`, and `until:
/// 9999-12-31` ended in a wrong "loop of steps that take no time".
#[test]
fn scenario_dates_outside_the_case_are_located_errors() {
    let (tmp, dir) = temp_municipality();
    write(
        &dir.join("flode.yaml"),
        "workflow: flode\nstart: a\nsteps:\n  a: { kind: end, outcome: klar }\n",
    );
    for (scenario, at, words) in [
        (
            "scenario: s\nstart: 2022-01-10\nevents:\n  - { date: 2020-02-01, set: { x: 1 } }\n",
            "s.yaml:4:13",
            "before the case starts",
        ),
        (
            "scenario: s\nstart: 2022-01-10\nuntil: 2021-01-01\n",
            "s.yaml:3:8",
            "is before `start`",
        ),
        (
            "scenario: s\nstart: 2022-01-10\nuntil: 9999-12-31\n",
            "s.yaml:3:8",
            "outside the dates steg computes with",
        ),
        (
            "scenario: s\nstart: 2022-01-10\nuntil: 2022-06-01\nevents:\n  - { date: 2023-01-01, set: { x: 1 } }\n",
            "s.yaml:5:13",
            "after the last day",
        ),
    ] {
        write(&tmp.path().join("s.yaml"), scenario);
        let run = steg(tmp.path(), &["run", "kommun", "--scenario", "s.yaml"]);
        assert_eq!(run.code, 1, "{scenario}: {}", run.stdout);
        assert!(run.stdout.contains(&format!("[{at}]")), "{scenario}: {}", run.stdout);
        assert!(run.stdout.contains(words), "{scenario}: {}", run.stdout);
    }
}

/// A scenario with a million events on one line panicked (a diagnostic past column 65,535),
/// or would echo the whole line once per event: a few are shown, the rest counted. (A tenth of
/// a million here, for the test's time; `steg run` on a million takes seconds.)
#[test]
fn a_scenario_with_many_events_on_one_line_gives_a_short_answer() {
    let (tmp, dir) = temp_municipality();
    write(
        &dir.join("flode.yaml"),
        "workflow: flode\nstart: a\nsteps:\n  a: { kind: end, outcome: klar }\n",
    );
    let events = vec!["{date: 2022-02-01, event: x}"; 100_000].join(",");
    write(
        &tmp.path().join("s.yaml"),
        &format!("scenario: s\nstart: 2022-01-10\nevents: [{events}]\n"),
    );
    let run = steg(tmp.path(), &["run", "kommun", "--scenario", "s.yaml"]);
    assert_eq!(run.code, 1);
    assert_tame(&run.stdout);
    assert_eq!(run.stdout.matches("unknown event `x`").count(), 20);
    assert!(
        run.stdout.contains("99980 more events have problems"),
        "{}",
        run.stdout
    );
}

/// Found by fuzzing: a PNML transition whose id an earlier one already had pointed the id at a
/// transition that was never added, and the net's arcs indexed past the end (a panic in
/// `steg check` and `steg import`).
#[test]
fn a_pnml_id_used_twice_is_an_error_not_a_panic() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    write(
        &tmp.path().join("net.pnml"),
        "<pnml xmlns=\"http://www.pnml.org/version-2009/grammar/pnml\"><net id=\"n\" type=\"http://www.pnml.org/version-2009/grammar/ptnet\"><page id=\"pg\">\
         <place id=\"i\"><initialMarking><text>1</text></initialMarking></place><place id=\"o\"/>\
         <transition id=\"t1\"/><transition id=\"t1\"/>\
         <arc id=\"a1\" source=\"i\" target=\"t1\"/><arc id=\"a2\" source=\"t1\" target=\"o\"/>\
         </page></net></pnml>",
    );
    let d = steg(tmp.path(), &["check", "--format", "json", "net.pnml"]).json();
    assert!(
        d.iter()
            .any(|d| d.code == "S006" && d.message.contains("the id `t1` is used twice")),
        "{d:?}"
    );
}

/// `extends:` named any path: an absolute one (`/dev/stdin` blocks on a terminal) or one that
/// leaves the project. Like rule folders, a base lies inside the project, written relative.
#[test]
fn an_extends_outside_the_project_is_refused_before_it_is_read() {
    for (file, text, words) in [
        (
            "municipality.yaml",
            "municipality: Exempelkommun\nrules: []\nextends: /dev/stdin\n",
            "absolute path",
        ),
        (
            "municipality.yaml",
            "municipality: Exempelkommun\nrules: []\nextends: ../../..\n",
            "outside the project",
        ),
        (
            "flode.yaml",
            "workflow: flode\nextends: /dev/stdin\nstart: a\nsteps:\n  a: { kind: end, outcome: klar }\n",
            "absolute path",
        ),
    ] {
        let (tmp, dir) = temp_municipality();
        write(&dir.join(file), text);
        if file != "flode.yaml" {
            write(
                &dir.join("flode.yaml"),
                "workflow: flode\nstart: a\nsteps:\n  a: { kind: end, outcome: klar }\n",
            );
        }
        let d = steg(tmp.path(), &["check", "--format", "json", "kommun"]).json();
        assert!(
            d.iter().any(|d| d.code == "S003" && d.message.contains(words)),
            "{text}: {d:?}"
        );
    }
}
