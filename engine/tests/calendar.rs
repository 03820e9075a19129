//! One calendar for timers, deadlines and obligations: a review every month from 31 January is
//! due on the last day of February (28 or 29), then the 31st of March, the 30th of April: the
//! timer fires on those days, the deadline `within: 1mo` of the review is kept on each of them,
//! and the obligation "the plan is reviewed every month" holds in `steg check` and is broken by
//! no simulated case.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

const MUNICIPALITY: &str = r#"municipality: Kalender
rules: []
events:
  klar: { description: Ärendet avslutas }
obligations:
  plan_foljs_upp:
    every: a.plan
    reviewed_by: a.uppfoljning
    within: 1mo
simulation:
  start: "START"
  arrivals_per_month: { value: 1 }
"#;

const WORKFLOW: &str = r#"workflow: a
start: plan
steps:
  plan: { next: vanta }
  vanta:
    kind: wait
    on:
      - { every: 1mo, to: uppfoljning }
      - { event: klar, to: slut }
  uppfoljning:
    within: { duration: 1mo, from: plan }
    next: vanta
  slut: { kind: end, outcome: klar }
"#;

const SCENARIO: &str = r#"scenario: kalender
start: START
until: UNTIL
"#;

fn folder(start: &str, until: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("steg-calendar-{}-{start}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("municipality.yaml"),
        MUNICIPALITY.replace("START", start),
    )
    .unwrap();
    std::fs::write(dir.join("a.yaml"), WORKFLOW).unwrap();
    std::fs::write(
        dir.join("scenario.txt"),
        SCENARIO.replace("START", start).replace("UNTIL", until),
    )
    .unwrap();
    dir
}

/// The dates the timer fired, the deadlines missed, the static verdict and the simulated
/// share of cases that broke the obligation.
fn run(dir: &Path) -> (Vec<String>, usize, String, u64) {
    let report = steg_engine::check_folder(dir);
    assert_eq!(
        report.count(steg_engine::Severity::Error),
        0,
        "{:?}",
        report.diagnostics
    );
    let m = &report.municipalities[0];
    let mut sources = report.sources;
    let case = steg_engine::run_scenario(m, &mut sources, &dir.join("scenario.txt")).unwrap();
    let fired: Vec<String> = case
        .trace
        .as_deref()
        .unwrap()
        .iter()
        .filter(|e| matches!(e.what, steg_engine::What::Timer { .. }))
        .map(|e| e.date.to_string())
        .collect();
    let verdict = steg_engine::obligation::evaluate(m);
    let status = format!("{:?}", verdict.verdicts[0].status);
    let sim = steg_engine::simulate(
        m,
        &sources,
        &steg_engine::SimOptions {
            cases: 1,
            seed: 1,
            months: 5,
            set: Vec::new(),
            record: false,
            threads: 1,
            replications: 1,
            until: None,
        },
        &mut |_| {},
        &mut |_, _| Ok(()),
    )
    .unwrap();
    let _ = std::fs::remove_dir_all(dir);
    (fired, case.missed.len(), status, sim.obligations[0].broken)
}

#[test]
fn a_leap_year_february_then_the_31st_again() {
    let (fired, missed, status, broken) = run(&folder("2024-01-31", "2024-06-30"));
    assert_eq!(
        fired,
        [
            "2024-02-29",
            "2024-03-31",
            "2024-04-30",
            "2024-05-31",
            "2024-06-30"
        ]
    );
    assert_eq!(
        missed, 0,
        "the deadline counts on the same calendar as the timer"
    );
    assert_eq!(status, "Holds");
    assert_eq!(
        broken, 0,
        "the simulated case keeps the obligation on the same calendar"
    );
}

#[test]
fn a_common_year_february_then_the_31st_again() {
    let (fired, missed, status, broken) = run(&folder("2023-01-31", "2023-05-31"));
    assert_eq!(
        fired,
        ["2023-02-28", "2023-03-31", "2023-04-30", "2023-05-31"]
    );
    assert_eq!(missed, 0);
    assert_eq!(status, "Holds");
    assert_eq!(broken, 0);
}
