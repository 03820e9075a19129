//! Process mining both ways: simulated event logs that other tools read and replay on steg's
//! PNML export (pm4py, and IEEE 1849-2016's schema with xmllint), and real logs replayed
//! against the model by `steg conform`.
//!
//! Under `CI=true` a missing tool (python3 with pm4py, xmllint) fails the test; elsewhere it
//! skips with a note.

use crate::support::{root, steg};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether `program args` runs; under CI a missing tool is a failure.
fn tool(program: &str, args: &[&str], install: &str) -> bool {
    let ok = Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("CI").is_err(),
            "{program} is missing under CI: .ci/run must install it ({install})"
        );
        eprintln!("note: {program} not available; skipping ({install})");
    }
    ok
}

fn simulate_log(dir: &Path, file: &str, cases: &str) -> PathBuf {
    let path = dir.join(file);
    let run = steg(
        &root(),
        &[
            "simulate",
            "lindesberg",
            "--cases",
            cases,
            "--seed",
            "11",
            "--log",
            path.to_str().expect("utf-8 path"),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    path
}

fn xmllint_schema(xes: &Path) -> (bool, String) {
    let schema = root().join("tests/mining/xes-namespace.xsd");
    let out = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&schema)
        .arg(xes)
        .output()
        .expect("xmllint runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The XES of a simulation is valid against IEEE 1849-2016's schema (`xes.version` a decimal,
/// extensions, globals and classifiers in that order, typed attributes), read strictly by
/// libxml2; the log steg wrote before (`xes.version="1849-2016"`) is not.
#[test]
fn simulated_xes_is_valid_against_the_ieee_1849_2016_schema() {
    if !tool("xmllint", &["--version"], "apt-get install libxml2-utils") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let xes = simulate_log(dir.path(), "log.xes", "60");
    let (ok, why) = xmllint_schema(&xes);
    assert!(ok, "{why}");
    // The schema check can fail: the version steg used to write is not a decimal.
    let text = std::fs::read_to_string(&xes).expect("log");
    let old = dir.path().join("old.xes");
    std::fs::write(&old, text.replacen("xes.version=\"1.0\"", "xes.version=\"1849-2016\"", 1))
        .expect("write");
    let (ok, why) = xmllint_schema(&old);
    assert!(!ok && why.contains("xs:decimal"), "{why}");
}

/// pm4py replays a simulated Lindesberg log (1 000 cases, complete events) with token-based
/// replay on `steg graph --format pnml`: log fitness 1.0 and every completed trace fitting;
/// every censored trace (still open when its follow-up ended) replays as a prefix: no event
/// needed a token the net did not have.
#[test]
fn pm4py_replays_a_simulated_log_on_the_pnml_export() {
    if !tool("python3", &["-c", "import pm4py"], "pip install pm4py") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let xes = simulate_log(dir.path(), "log.xes", "1000");
    let pnml = dir.path().join("net.pnml");
    let run = steg(
        &root(),
        &[
            "graph",
            "lindesberg",
            "--format",
            "pnml",
            "--entry",
            "ekonomiskt_bistand",
            "--out",
            pnml.to_str().expect("utf-8 path"),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = Command::new("python3")
        .arg(root().join("tests/mining/pm4py_replay.py"))
        .args([&xes, &pnml])
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last = stdout.lines().last().unwrap_or_default();
    let r: serde_json::Value = serde_json::from_str(last).expect("the script's JSON line");
    eprintln!("pm4py: {r}");
    let completed = r["completed"].as_u64().unwrap_or(0);
    let censored = r["censored"].as_u64().unwrap_or(0);
    assert_eq!(
        completed + censored + r["stuck"].as_u64().unwrap_or(0),
        1000,
        "{r}"
    );
    assert!(completed > 300, "most cases close within 24 months: {r}");
    assert_eq!(r["completed_log_fitness"].as_f64(), Some(1.0), "{r}");
    assert_eq!(r["completed_fitting_share"].as_f64(), Some(1.0), "{r}");
    assert_eq!(r["censored_prefixes"].as_u64(), Some(censored), "{r}");
}

/// Each executed step is two events, `start` and `complete`, at times inside the working day
/// (08:00-16:00), the start not after the completion; staff steps name a member of their role
/// (`socialsekreterare_3`), the applicant's steps no one; a join is written once per firing.
#[test]
fn the_log_is_the_moves_at_working_hours_with_staff_members() {
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = simulate_log(dir.path(), "log.csv", "150");
    let text = std::fs::read_to_string(csv).expect("log");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("case_id,activity,timestamp,lifecycle,resource,role")
    );
    let mut open: std::collections::HashMap<(String, String), Vec<String>> = Default::default();
    let mut joins = 0;
    let mut members = std::collections::BTreeSet::new();
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), 6, "{line}");
        let (case, activity, time, lifecycle, resource, role) = (f[0], f[1], f[2], f[3], f[4], f[5]);
        let clock = &time[11..16];
        assert!(("08:00"..="16:00").contains(&clock), "outside working hours: {line}");
        match role {
            "enskild" | "" => assert!(resource.is_empty(), "{line}"),
            r => {
                let n = resource
                    .strip_prefix(&format!("{r}_"))
                    .and_then(|n| n.parse::<u32>().ok());
                assert!(n.is_some_and(|n| n >= 1), "a member of {r}: {line}");
                members.insert(resource.to_string());
            }
        }
        let key = (case.to_string(), activity.to_string());
        match lifecycle {
            "start" => open.entry(key).or_default().push(time.to_string()),
            "complete" => {
                let started = open
                    .get_mut(&key)
                    .and_then(|v| (!v.is_empty()).then(|| v.remove(0)))
                    .unwrap_or_else(|| panic!("completed without a start: {line}"));
                assert!(started.as_str() <= time, "started after it completed: {line}");
                if activity == "ekonomiskt_bistand.avslut" {
                    joins += 1;
                }
            }
            other => panic!("lifecycle {other}: {line}"),
        }
    }
    assert!(open.values().all(Vec::is_empty), "a start without completion");
    assert!(joins > 0, "some cases reach the join");
    assert!(
        members.len() >= 5,
        "work is spread over the staff: {members:?}"
    );
    let avslut_per_case = text
        .lines()
        .filter(|l| l.contains(",ekonomiskt_bistand.avslut,") && l.contains(",complete,"))
        .map(|l| l.split(',').next().unwrap_or_default())
        .collect::<Vec<_>>();
    let mut seen = std::collections::HashSet::new();
    assert!(
        avslut_per_case.iter().all(|c| seen.insert(*c)),
        "the join is written once per case, when it fires"
    );
}
