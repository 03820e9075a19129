//! Every mistake at once, root causes first, one column everywhere: what a designer writing a
//! new municipality from docs/language.md sees.
//!
//! Each test writes a small municipality into a temporary folder and runs `steg check` on it.

use crate::support::{listing, steg, Diag};
use std::path::Path;

/// A municipality with two roles, two events and the given workflow file.
fn municipality(workflow: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::Builder::new()
        .prefix("steg-mistakes-")
        .tempdir()
        .expect("create a temporary folder");
    let dir = tmp.path().join("kommun");
    std::fs::create_dir_all(&dir).expect("create the municipality folder");
    std::fs::write(
        dir.join("municipality.yaml"),
        "municipality: Exempelkommun\nrules: []\nunits:\n  forsorjningsstod: { title: Försörjningsstödsenheten }\nroles:\n  socialsekreterare: { title: Socialsekreterare, unit: forsorjningsstod, staff: 9 }\n  enskild: { title: Den enskilde }\nevents:\n  komplettering_inkommen: { description: De begärda handlingarna har kommit in }\n",
    )
    .expect("write municipality.yaml");
    std::fs::write(dir.join("ekonomiskt_bistand.yaml"), workflow).expect("write the workflow");
    (tmp, dir)
}

fn check_json(dir: &Path) -> (i32, Vec<Diag>) {
    let run = steg(
        dir.parent().expect("a parent"),
        &["check", "--format", "json", "kommun"],
    );
    assert_eq!(run.stderr, "");
    (run.code, run.json())
}

/// Four different mistakes in one file took three runs to see: a misspelt field, an unknown
/// kind, an unknown role and an unknown event; and of two bad durations only the first was
/// reported. Now one run reports all six, each where it is written.
#[test]
fn a_file_with_four_kinds_of_mistake_gives_every_diagnostic_in_one_run() {
    let (_tmp, dir) = municipality(
        "workflow: ekonomiskt_bistand
start: ansokan
steps:
  ansokan: { actor: enskild, next: utredning }
  utredning: { acter: socialsekreterare, within: 1 week, next: komplettering }
  komplettering:
    kind: wait
    actor: socialsekreteare
    on:
      - { event: komplettering_inkomen, to: beslut }
      - { every: 3 months, to: beslut }
  beslut: { kind: decision, actor: socialsekreterare, legal_basis: SoL 4 kap. 1 §, next: avslut }
  avslut: { kind: ende, outcome: beslut_fattat }
",
    );
    let (code, diags) = check_json(&dir);
    assert_eq!(code, 1);
    let mut found: Vec<String> = diags
        .iter()
        .map(|d| format!("{} {} {}", d.code, d.at(), d.help.as_deref().unwrap_or("")))
        .collect();
    found.sort();
    let file = "kommun/ekonomiskt_bistand.yaml";
    let mut want = vec![
        format!("S002 {file}:5:16 did you mean `actor`?"),
        format!("S003 {file}:5:50 did you mean `1w`?"),
        format!("G001 {file}:8:12 did you mean `socialsekreterare`?"),
        format!("G001 {file}:10:18 did you mean `komplettering_inkommen`?"),
        format!("S003 {file}:11:18 did you mean `3mo`?"),
        format!("S003 {file}:13:19 did you mean `end`?"),
    ];
    want.sort();
    assert_eq!(found, want, "\n{}", listing(&diags));
}

/// The structural checks still run on what could be read: a dead end in a file that also has a
/// misspelt field is found in the same run.
#[test]
fn structural_checks_run_on_a_file_with_load_mistakes() {
    let (_tmp, dir) = municipality(
        "workflow: ekonomiskt_bistand
start: ansokan
steps:
  ansokan: { actor: enskild, next: utredning, titel: Ansökan }
  utredning: { actor: socialsekreterare }
  avslut: { kind: end, outcome: beslut_fattat }
",
    );
    let (_, diags) = check_json(&dir);
    let codes: Vec<&str> = diags.iter().map(|d| d.code.as_str()).collect();
    assert!(codes.contains(&"S002"), "{}", listing(&diags));
    assert!(
        diags
            .iter()
            .any(|d| d.code == "G005" && d.step.as_deref() == Some("ekonomiskt_bistand.utredning")),
        "{}",
        listing(&diags)
    );
}

/// A start that can only run into a dead end cannot finish; that is the dead end's doing, so the
/// G006 is listed under the G005, not beside it.
#[test]
fn a_workflow_that_cannot_end_because_of_a_dead_end_is_a_note_of_the_dead_end() {
    let (_tmp, dir) = municipality(
        "workflow: ekonomiskt_bistand
start: ansokan
steps:
  ansokan: { actor: enskild, next: utredning }
  utredning: { actor: socialsekreterare, next: kartlaggning }
  kartlaggning: { actor: socialsekreterare }
  avslut: { kind: end, outcome: beslut_fattat }
",
    );
    let (_, diags) = check_json(&dir);
    let errors: Vec<&Diag> = diags.iter().filter(|d| d.severity == "error").collect();
    assert!(
        errors.iter().all(|d| d.code != "G006"),
        "G006 shown beside its cause:\n{}",
        listing(&diags)
    );
    let dead = errors
        .iter()
        .find(|d| d.code == "G005")
        .unwrap_or_else(|| panic!("no dead end:\n{}", listing(&diags)));
    assert!(
        dead.follow_on
            .iter()
            .any(|f| f.code == "G006" && f.step.as_deref() == Some("ekonomiskt_bistand.ansokan")),
        "{:?}",
        dead.follow_on
    );
    assert!(
        dead.notes
            .iter()
            .any(|n| n.contains("cannot reach an end because of this") && n.contains("`ansokan`")),
        "{:?}",
        dead.notes
    );
}

/// Errors come before warnings in every output, each sorted by file and line.
#[test]
fn errors_come_before_warnings_sorted_by_file_and_line() {
    let (_tmp, dir) = municipality(
        "workflow: ekonomiskt_bistand
start: ansokan
steps:
  ansokan: { actor: enskild, next: beslut }
  beslut:
    kind: decision
    actor: socialsekreterare
    next:
      - { when: \"arende.inkomst < 100\", to: avslut }
  avslut: { kind: end, outcome: beslut_fattat }
  orphan: { actor: socialsekreterare, next: avslut }
",
    );
    let (_, diags) = check_json(&dir);
    let severities: Vec<&str> = diags.iter().map(|d| d.severity.as_str()).collect();
    let first_warning = severities.iter().position(|s| *s == "warning");
    let last_error = severities.iter().rposition(|s| *s == "error");
    assert!(
        first_warning.is_some() && last_error.is_some(),
        "{}",
        listing(&diags)
    );
    assert!(last_error < first_warning, "{}", listing(&diags));
    // The warnings (a decision without legal basis, a choice without `else`) sit on earlier
    // lines than the error (the orphan) but still come after it.
    assert!(diags
        .iter()
        .any(|d| d.severity == "warning" && d.line < Some(11)));
    for run in [
        &diags[..last_error.unwrap_or(0) + 1],
        &diags[first_warning.unwrap_or(0)..],
    ] {
        let lines: Vec<Option<u32>> = run.iter().map(|d| d.line).collect();
        let mut sorted = lines.clone();
        sorted.sort();
        assert_eq!(lines, sorted, "{}", listing(&diags));
    }
    // The human output has the same order.
    let human = steg(dir.parent().expect("a parent"), &["check", "kommun"]);
    let codes: Vec<&str> = human
        .stdout
        .lines()
        .filter(|l| l.starts_with(['G', 'S', 'R']) && l.contains('('))
        .map(|l| &l[..4])
        .collect();
    let json_codes: Vec<&str> = diags.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, json_codes);
}

/// G002 pointed at the first definition for steps but the second for events. Both point at the
/// second, with the first as a related place, in one file and across a base.
#[test]
fn a_duplicate_id_is_reported_at_its_second_definition() {
    let (tmp, dir) = municipality(
        "workflow: ekonomiskt_bistand
start: ansokan
steps:
  ansokan: { actor: enskild, next: avslut }
  ansokan: { actor: enskild, next: avslut }
  avslut: { kind: end, outcome: beslut_fattat }
",
    );
    let m = std::fs::read_to_string(dir.join("municipality.yaml")).expect("read");
    std::fs::write(
        dir.join("municipality.yaml"),
        m + "  komplettering_inkommen: { description: igen }\n",
    )
    .expect("write");
    let (_, diags) = check_json(&dir);
    let g002: Vec<String> = diags
        .iter()
        .filter(|d| d.code == "G002")
        .map(|d| {
            format!(
                "{} {} first {}:{}",
                d.at(),
                d.message,
                d.related[0].line,
                d.related[0].column
            )
        })
        .collect();
    assert_eq!(
        g002,
        [
            "kommun/municipality.yaml:10:3 event `komplettering_inkommen` is defined twice first 9:3",
            "kommun/ekonomiskt_bistand.yaml:5:3 step `ansokan` is defined twice in workflow `ekonomiskt_bistand` first 4:3",
        ],
        "\n{}",
        listing(&diags)
    );
    drop(tmp);
}

/// Two lines of an `extends` mistake gave 14 errors: a variant's workflow id misspelt (so it
/// extends nothing and the base's workflow is inherited beside it), or the base's folder
/// misspelt. Each is now one error with a fix, the rest folded into it.
#[test]
fn the_follow_ons_of_an_extends_mistake_are_folded_into_it() {
    for (file, from, to, meant) in [
        (
            "workflows/lindesberg/ame.yaml",
            "\nworkflow: ame\n",
            "\nworkflow: amee\n",
            "did you mean `workflow: ame`?",
        ),
        (
            "workflows/hedemora/municipality.yaml",
            "\nextends: ../common",
            "\nextends: ../comon",
            "did you mean `../common`?",
        ),
    ] {
        let tmp = tempfile::Builder::new()
            .prefix("steg-mistakes-")
            .tempdir()
            .expect("create a temporary folder");
        let root = crate::support::root();
        for d in [
            "workflows/lindesberg",
            "workflows/hedemora",
            "workflows/common",
            "rules",
        ] {
            crate::support::copy_dir(&root.join(d), &tmp.path().join(d));
        }
        let path = tmp.path().join(file);
        let text = std::fs::read_to_string(&path).expect("read");
        let edited = text.replacen(from, to, 1);
        assert_ne!(edited, text, "{file} has no {from:?}");
        std::fs::write(&path, edited).expect("write");
        let folder = Path::new(file)
            .parent()
            .expect("a folder")
            .display()
            .to_string();
        let run = steg(tmp.path(), &["check", "--format", "json", &folder]);
        let diags = run.json();
        let errors: Vec<&Diag> = diags.iter().filter(|d| d.severity == "error").collect();
        assert_eq!(errors.len(), 1, "{file}: {to:?}\n{}", listing(&diags));
        assert!(
            errors[0]
                .help
                .as_deref()
                .is_some_and(|h| h.starts_with(meant)),
            "{:?}",
            errors[0].help
        );
    }
}
