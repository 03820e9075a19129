//! One test per bug found while writing these tests, named after what broke. Each asserts the
//! right behaviour; those still broken are `#[ignore]`d with the reason, so
//! `cargo test -p steg-cli -- --ignored` shows what is left. Remove the `#[ignore]` with the fix.
//!
//! Bugs in what a fixture reports are marked in the `checks` table with `.bug(...)` instead.

use crate::support::{fixtures, steg, temp_municipality};

/// The loader's "not UTF-8" diagnostic has no file, line or column (`file: null` in JSON),
/// although it knows both the file and the byte where decoding failed. `Diagnostic::span` is
/// documented as `None` "only for problems with no file".
#[test]
fn not_utf8_diagnostic_is_located() {
    let (tmp, dir) = temp_municipality();
    std::fs::write(
        dir.join("ame.yaml"),
        b"workflow: ame\ntitle: Arbetsf\xf6rmedlingen\n",
    )
    .expect("write");
    let d = steg(tmp.path(), &["check", "--format", "json", "kommun"]).json();
    assert_eq!(d.len(), 1);
    assert_eq!(
        d[0].at(),
        "kommun/ame.yaml:2:15",
        "the first byte that is not UTF-8"
    );
}

/// YAML errors carry their location twice: in the header (`╭─[file:5:50]`) and again at the end
/// of the message (`... at line 5, column 50`), and in the JSON `message` field too.
#[test]
fn yaml_error_messages_do_not_repeat_the_location() {
    for fixture in [
        "invalid_duration",
        "invalid_list_for_name",
        "invalid_missing_workflow_id",
    ] {
        let d = steg(
            &fixtures().join("invalid_value"),
            &["check", "--format", "json", fixture],
        )
        .json();
        assert!(
            !d[0].message.contains(" at line "),
            "{fixture}: {}",
            d[0].message
        );
    }
}

/// The alias-bomb message shows Rust debug output of the YAML library's budget:
/// `budget breached: RecordedAnchorEvents { recorded_anchor_events: 1000001 } at line 10, ...`.
#[test]
fn input_too_large_message_is_plain_language() {
    for fixture in ["invalid_alias_bomb", "invalid_deep_nesting"] {
        let d = steg(
            &fixtures().join("input_too_large"),
            &["check", "--format", "json", fixture],
        )
        .json();
        assert!(
            !d[0].message.contains('{') && !d[0].message.contains("budget"),
            "{fixture}: {}",
            d[0].message
        );
    }
}

/// `discover` only removes consecutive duplicates, so `steg check a b a` checks `a` twice and
/// reports each of its problems twice; `a` and `./a` are also checked twice.
#[test]
fn a_municipality_named_twice_is_checked_once() {
    let run = steg(
        &fixtures().join("dead_end"),
        &["check", "invalid_task", "valid", "invalid_task", "./valid"],
    );
    assert!(
        run.stdout
            .ends_with("checked 2 municipalities (invalid_task, valid): 1 error, 0 warnings\n"),
        "{}",
        run.stdout
    );
}

/// `steg schema --out DIR` that cannot create DIR prints `error: No such file or directory (os
/// error 2)` without saying which path.
#[test]
fn schema_out_error_names_the_folder() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    std::fs::write(tmp.path().join("fil"), "").expect("write");
    let run = steg(tmp.path(), &["schema", "--out", "fil/scheman"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("fil/scheman"), "{}", run.stderr);
}

/// G007 says an end step's `next` is "never taken", but reachability follows it, so a step
/// reached only through it is not reported as unreachable (G004).
#[test]
fn steps_after_an_end_step_are_unreachable() {
    let d = steg(
        &fixtures().join("end_has_transitions"),
        &["check", "--format", "json", "invalid_next"],
    )
    .json();
    assert!(
        d.iter()
            .any(|d| d.code == "G004" && d.step.as_deref() == Some("ame.uppfoljning")),
        "{}",
        crate::support::listing(&d)
    );
}

/// The human header `╭─[file:line:column]` was computed by miette from the byte offset and
/// counted bytes, while the JSON `column` counts characters: after `Arbetsmarknadshandläggare`
/// (one `ä`) the human output said column 73 and the JSON 72. Swedish titles put å, ä and ö
/// before many nodes. Both count characters now.
#[test]
fn human_and_json_columns_agree_after_non_ascii_text() {
    let dir = fixtures().join("unknown_reference");
    let json = steg(&dir, &["check", "--format", "json", "invalid_unit"]).json();
    assert_eq!(json[0].at(), "invalid_unit/municipality.yaml:9:72");
    let human = steg(&dir, &["check", "invalid_unit"]);
    assert!(
        human
            .stdout
            .contains("╭─[invalid_unit/municipality.yaml:9:72]"),
        "{}",
        human.stdout
    );
}
