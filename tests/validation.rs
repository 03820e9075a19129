//! `steg validate` and `steg check --audit` on each bundled municipality: a small run (two
//! replications, the default seed) must still put every figure of the seed within its
//! tolerance, carry the figures the seed gives, and print the audit report snapshotted here.
//!
//! The full runs (`steg validate NAME`, ten replications) are what the figures in
//! docs/validation.md are measured with; these runs are small enough for CI and fixed by the
//! seed, so a change of model or engine that moves a figure out of tolerance, or changes what
//! the audit says, fails here.

use crate::support::{root, snapshot, steg, Run};

/// Replications and seed of the small runs.
const SMALL: [&str; 4] = ["--replications", "2", "--seed", "1"];

/// `steg validate workflows/NAME --format json` on the small run: exit code and figures.
fn validate(name: &str) -> (Run, serde_json::Value) {
    let folder = format!("workflows/{name}");
    let mut args = vec!["validate", folder.as_str()];
    args.extend(SMALL);
    args.extend(["--format", "json"]);
    let run = steg(&root(), &args);
    let json: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{name}: not JSON ({e}):\n{}\n{}", run.stdout, run.stderr));
    (run, json)
}

/// Every figure within its tolerance (exit code 0), and the ids of those the seed must give.
fn assert_reproduces(name: &str, required: &[&str]) {
    let (run, json) = validate(name);
    let figures = json["figures"].as_array().expect("`figures` is an array");
    let outside: Vec<String> = figures
        .iter()
        .filter(|f| f["verdict"] != "within")
        .map(|f| {
            format!(
                "{} ({}): source {}, simulated {}",
                f["id"], f["verdict"], f["value"], f["simulated"]
            )
        })
        .collect();
    assert!(
        outside.is_empty(),
        "{name}: figures out of tolerance: {outside:#?}"
    );
    assert_eq!(run.code, 0, "{name}: {}", run.stderr);
    let ids: Vec<&str> = figures.iter().filter_map(|f| f["id"].as_str()).collect();
    for id in required {
        assert!(
            ids.contains(id),
            "{name}: figure `{id}` missing; it has {ids:?}"
        );
    }
}

/// `steg check --audit workflows/NAME` on the small run, snapshotted.
fn audit_snapshot(name: &str) -> Run {
    let folder = format!("workflows/{name}");
    let mut args = vec!["check", "--audit", folder.as_str()];
    args.extend(SMALL);
    let run = steg(&root(), &args);
    assert_eq!(run.code, 0, "{name}: {}", run.stderr);
    snapshot("validation", &format!("audit_{name}"), &run);
    run
}

#[test]
fn lindesberg_reproduces_the_figures_of_seed_000() {
    assert_reproduces(
        "lindesberg",
        &[
            "aktuella_arenden_2021",
            "andel_med_handlingsplan_2021",
            "aterremitteringar_2020",
            "aterremitterade_som_aterkommer_2020",
            "revidering_i_tid_2021",
            "till_arbete_eller_studier_2021",
            "franvarorapporter_nar_socialsekreteraren_2021",
        ],
    );
}

#[test]
fn hedemora_reproduces_the_figures_of_seed_001() {
    assert_reproduces(
        "hedemora",
        &["vantetid_till_beslut", "i_arbetsmarknadsatgarder"],
    );
}

#[test]
fn lekeberg_reproduces_the_practices_of_seed_002() {
    assert_reproduces(
        "lekeberg",
        &["narvarorapporter_nar_ifo", "narvaro_per_telefon"],
    );
}

#[test]
fn nykoping_reproduces_the_findings_of_seed_003() {
    assert_reproduces(
        "nykoping",
        &[
            "anvisade_till_projektet_2024",
            "insatser_dokumenterade_fore_granskningen",
            "insatser_dokumenterade_2022",
        ],
    );
}

#[test]
fn kommun_004_reproduces_the_figures_of_seed_004() {
    assert_reproduces(
        "kommun_004",
        &[
            "anvisade_2021",
            "anvisade_2022",
            "mote_inom_en_manad_2022",
            "plan_inom_tre_manader_2022",
        ],
    );
}

#[test]
fn audit_of_lindesberg() {
    audit_snapshot("lindesberg");
}

#[test]
fn audit_of_hedemora() {
    audit_snapshot("hedemora");
}

#[test]
fn audit_of_lekeberg() {
    audit_snapshot("lekeberg");
}

/// Seed 003 states five recommendations and no weakness of the anvisning's return: the audit
/// lists those five questions, and the only failing obligation is the documentation of
/// insatser (l.34), which the model breaks before the answer's change.
#[test]
fn audit_of_nykoping_lists_only_what_seed_003_states() {
    let run = audit_snapshot("nykoping");
    assert!(
        !run.stdout.contains("återgår inte"),
        "a weakness seed 003 does not state:\n{}",
        run.stdout
    );
    for q in [
        "relationen mellan Jobbtorg och Vägen till självförsörjning",
        "rapporteringen till nämnderna",
        "anvisningsförfarandet",
        "dokumentera deltagarnas insatser",
    ] {
        assert!(
            run.stdout.contains(q),
            "question on `{q}` missing:\n{}",
            run.stdout
        );
    }
    assert!(
        run.stdout
            .contains("Varje deltagares insats på Jobbtorg dokumenteras (`insats_dokumenteras`): uppfylls inte i modellen"),
        "{}",
        run.stdout
    );
}

/// Seed 004 l.14-15: not everyone has a plan within three months nor a meeting within a
/// month. The audit says so for both deadlines, with the share of simulated cases that miss
/// them, and the share lies between none and all.
#[test]
fn audit_of_kommun_004_shows_both_deadlines_missed_with_the_simulated_share() {
    let run = audit_snapshot("kommun_004");
    for id in ["plan_inom_tre_manader", "mote_inom_en_manad"] {
        let at = run
            .stdout
            .find(&format!("(`{id}`): uppfylls inte för alla i modellen"))
            .unwrap_or_else(|| {
                panic!(
                    "`{id}` is not listed as not met for everyone:\n{}",
                    run.stdout
                )
            });
        let rest = &run.stdout[at..];
        let line = rest
            .lines()
            .find(|l| l.trim_start().starts_with("simulerat:"))
            .unwrap_or_else(|| panic!("no simulated share for `{id}`"));
        let pct: f64 = line
            .split('(')
            .nth(1)
            .map(|s| {
                s.chars()
                    .take_while(|c| c.is_ascii_digit() || *c == ',')
                    .collect::<String>()
                    .replace(',', ".")
            })
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no share in `{line}`"));
        assert!(
            pct > 10.0 && pct < 60.0,
            "`{id}`: {pct} % of cases miss it: {line}"
        );
    }
}
