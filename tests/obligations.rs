//! Follow-up obligations and parallel soundness on the bundled configurations: the mistakes the
//! checks exist for, made in copies of Lindesberg, and a fork whose join one branch can skip;
//! and the audit view of all five municipalities.

use crate::support::{copy_dir, listing, root, snapshot, steg, temp_municipality, Diag, Run};

const LINDESBERG: &str = "workflows/lindesberg";

/// A copy of Lindesberg (and the rules) in a temporary folder, edited by text.
struct Copy {
    tmp: tempfile::TempDir,
}

impl Copy {
    fn new() -> Copy {
        let tmp = tempfile::Builder::new()
            .prefix("steg-obligations-")
            .tempdir()
            .expect("create a temporary folder");
        copy_dir(&root().join(LINDESBERG), &tmp.path().join(LINDESBERG));
        // The shared base the municipalities extend, when there is one.
        let common = root().join("workflows").join("common");
        if common.is_dir() {
            copy_dir(&common, &tmp.path().join("workflows").join("common"));
        }
        copy_dir(&root().join("rules"), &tmp.path().join("rules"));
        Copy { tmp }
    }

    /// Replace the `nth` (0-based) occurrence of a line that contains `needle` with `by` (no
    /// line at all when `by` is empty).
    fn edit_line(&self, file: &str, needle: &str, nth: usize, by: &str) {
        let path = self.tmp.path().join(LINDESBERG).join(file);
        let text = std::fs::read_to_string(&path).expect("read a file of the copy");
        let mut seen = 0;
        let mut found = false;
        let mut out = String::new();
        for line in text.split_inclusive('\n') {
            if line.contains(needle) {
                if seen == nth {
                    found = true;
                    if !by.is_empty() {
                        out.push_str(by);
                        out.push('\n');
                    }
                    seen += 1;
                    continue;
                }
                seen += 1;
            }
            out.push_str(line);
        }
        assert!(found, "{file} has no occurrence {nth} of `{needle}`");
        std::fs::write(&path, out).expect("write a file of the copy");
    }

    fn check(&self, args: &[&str]) -> Run {
        let mut all = vec!["check"];
        all.extend_from_slice(args);
        all.push(LINDESBERG);
        steg(self.tmp.path(), &all)
    }

    fn json(&self) -> Vec<Diag> {
        let run = self.check(&["--format", "json"]);
        assert_eq!(run.stderr, "", "steg wrote to stderr");
        run.json()
    }
}

#[test]
fn lindesberg_checks_clean_of_errors_and_fails_only_the_obligation_its_auditors_found() {
    let run = steg(&root(), &["check", "--format", "json", LINDESBERG]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let diags = run.json();
    let codes: Vec<(&str, &str)> = diags
        .iter()
        .map(|d| (d.code.as_str(), d.severity.as_str()))
        .collect();
    // Seed 000 l.223, l.241: handlingsplaner are lacking in about 30 % of the cases; the
    // revision, the absence reports and the returns were found in order (l.287, l.289, l.329).
    // The plan is a practice drawn per case, so two paths show it: one without a plan, one
    // where it comes later than the routine says.
    assert!(
        !codes.is_empty() && codes.iter().all(|c| *c == ("G012", "warning")),
        "\n{}",
        listing(&diags)
    );
    for d in &diags {
        assert!(
            d.message.contains("handlingsplan_vid_andra_ansokan"),
            "{}",
            d.message
        );
    }
}

#[test]
fn deleting_a_return_of_a_referral_is_a_missing_return_to_the_referrer() {
    let copy = Copy::new();
    // `anvisning_ame` maps AME's `aterremitterad`; the second mapping is the coaching team's.
    copy.edit_line(
        "ekonomiskt_bistand.yaml",
        "aterremitterad: ny_planering",
        0,
        "",
    );
    let diags = copy.json();
    let returns: Vec<&Diag> = diags.iter().filter(|d| d.code == "G014").collect();
    assert_eq!(returns.len(), 1, "\n{}", listing(&diags));
    let d = returns[0];
    assert_eq!(d.step.as_deref(), Some("ekonomiskt_bistand.anvisning_ame"));
    assert!(
        d.message
            .contains("never gets back the answer `aterremitterad`")
            && d.message
                .contains("ame.ame_inskrivning → fordelning → aterremittering (end)"),
        "{}",
        d.message
    );
    assert!(d
        .help
        .as_deref()
        .is_some_and(|h| h.starts_with("add `aterremitterad: STEP` under `returns:`")));
    let run = copy.check(&[]);
    snapshot(
        "obligations",
        "lindesberg_without_return_of_aterremitterad",
        &run,
    );
}

#[test]
fn deleting_the_plan_review_route_is_a_missing_review() {
    let copy = Copy::new();
    copy.edit_line(
        "ekonomiskt_bistand.yaml",
        "rule.plan_revideras_nu, to: uppfoljning",
        0,
        "",
    );
    let diags = copy.json();
    let reviews: Vec<&Diag> = diags.iter().filter(|d| d.code == "G013").collect();
    assert_eq!(reviews.len(), 1, "\n{}", listing(&diags));
    let d = reviews[0];
    assert_eq!(d.step.as_deref(), Some("ekonomiskt_bistand.uppfoljning"));
    assert!(
        d.message.contains("`ekonomiskt_bistand.plan` can no longer be reviewed by `ekonomiskt_bistand.uppfoljning`, yet the case goes on"),
        "{}",
        d.message
    );
    // The review step is now unreachable, and its rule unused: the same mistake, seen by G004
    // and R002. The two G012 are the plan routine the auditors found lacking (l.223, l.241).
    let mut codes: Vec<&str> = diags.iter().map(|d| d.code.as_str()).collect();
    codes.sort_unstable();
    assert_eq!(
        codes,
        vec!["G004", "G012", "G012", "G013", "R002"],
        "\n{}",
        listing(&diags)
    );
    let run = copy.check(&[]);
    snapshot("obligations", "lindesberg_without_plan_review_route", &run);
}

#[test]
fn a_fork_whose_join_one_branch_can_skip_is_a_deadlock_with_its_path() {
    let (tmp, dir) = temp_municipality();
    std::fs::write(
        dir.join("ekonomiskt_bistand.yaml"),
        "\
workflow: ekonomiskt_bistand
start: beslut
steps:
  beslut: { actor: socialsekreterare, next: delning }
  delning: { kind: fork, next: [manadscykel, arbetsmarknad] }
  manadscykel: { actor: socialsekreterare, next: avslut }
  arbetsmarknad:
    actor: socialsekreterare
    next:
      - { when: \"arende.redo_for_insats\", to: insats }
      - { else: inget_spar }
  insats: { actor: socialsekreterare, next: avslut }
  inget_spar: { kind: end, outcome: ingen_insats }
  avslut: { kind: join, next: klar }
  klar: { kind: end, outcome: klar }
",
    )
    .expect("write the workflow");
    let run = steg(tmp.path(), &["check", "--format", "json", "kommun"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let diags = run.json();
    let d = diags
        .iter()
        .find(|d| d.code == "G016")
        .unwrap_or_else(|| panic!("no G016:\n{}", listing(&diags)));
    assert_eq!(d.step.as_deref(), Some("ekonomiskt_bistand.avslut"));
    assert_eq!(
        d.message,
        "join `avslut` can wait for ever: after ekonomiskt_bistand.beslut → delning ⇒ {manadscykel, arbetsmarknad}; \
         manadscykel → avslut (join); arbetsmarknad → inget_spar (end), it holds 1 of 2 inputs and the others can \
         no longer arrive"
    );
    let run = steg(tmp.path(), &["check", "kommun"]);
    snapshot(
        "obligations",
        "fork_with_a_branch_that_skips_the_join",
        &run,
    );
}

/// The audit of every bundled municipality judged on the graph alone (the simulated shares are
/// in the per-municipality snapshots of `validation`): the obligations each one fails are the
/// weaknesses its seed states, and no others.
#[test]
fn the_audit_lists_per_municipality_the_obligations_that_fail() {
    let run = steg(
        &root(),
        &["check", "--audit", "--no-simulation", "workflows"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    snapshot("obligations", "audit_of_the_bundled_municipalities", &run);
    let json = steg(
        &root(),
        &[
            "check",
            "--audit",
            "--no-simulation",
            "--format",
            "json",
            "workflows",
        ],
    );
    let items: Vec<serde_json::Value> = serde_json::from_str(&json.stdout).expect("a JSON array");
    let mut failing = Vec::new();
    for m in &items {
        let folder = m["folder"].as_str().unwrap_or("");
        let questions = m["questions"].as_array().into_iter().flatten();
        let asked = questions.flat_map(|q| q["obligations"].as_array().into_iter().flatten());
        let other = m["other_obligations"].as_array().into_iter().flatten();
        for o in asked.chain(other) {
            let status = o["status"].as_str().unwrap_or("");
            if status.starts_with("uppfylls inte") {
                failing.push(format!(
                    "{folder}/{} ({status})",
                    o["id"].as_str().unwrap_or("")
                ));
            }
        }
    }
    assert_eq!(
        failing,
        vec![
            "workflows/hedemora/maluppfyllelse_bedoms (uppfylls inte)",
            "workflows/kommun_004/plan_inom_tre_manader (uppfylls inte för alla)",
            "workflows/kommun_004/mote_inom_en_manad (uppfylls inte för alla)",
            "workflows/kommun_004/franvaro_overlamnas (uppfylls inte)",
            "workflows/lekeberg/narvaro_nar_ifo (uppfylls inte)",
            "workflows/lekeberg/narvaro_grund_for_utbetalning (uppfylls inte)",
            "workflows/lindesberg/handlingsplan_vid_andra_ansokan (uppfylls inte)",
            "workflows/nykoping/insats_dokumenteras (uppfylls inte)",
        ]
    );
}

#[test]
fn every_bundled_municipality_is_sound() {
    for name in [
        "hedemora",
        "kommun_004",
        "lekeberg",
        "lindesberg",
        "nykoping",
    ] {
        let mut sources = steg_engine::SourceMap::default();
        let mut diags = Vec::new();
        let m = steg_engine::load_municipality(
            &root().join("workflows").join(name),
            &mut sources,
            &mut diags,
        );
        let results = steg_engine::soundness::analyse(&m, steg_engine::net::space::Budget::CHECK);
        // Every entry workflow is explored, with its referrals inlined.
        assert!(!results.is_empty(), "{name}");
        for s in &results {
            assert_eq!(s.verdict(), "sound", "{name}: {s:?}");
        }
    }
}
