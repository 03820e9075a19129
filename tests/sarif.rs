//! `steg check --format sarif`: a SARIF 2.1.0 log with every check as a rule and one result per
//! diagnostic, at the same file, line and column as `--format json` (snapshotted in
//! `tests/snapshots/sarif/`).

use crate::support::{fixtures, snapshot, steg, Run};
use serde_json::Value;

/// A diagnostic with a related location, one naming a step, and a warning.
const INPUTS: [&str; 3] = [
    "duplicate_id/invalid_step",
    "dead_end/invalid_task",
    "missing_else/invalid_only_conditions",
];

fn sarif(args: &[&str]) -> (Run, Value) {
    let mut all = vec!["check", "--format", "sarif"];
    all.extend_from_slice(args);
    let run = steg(&fixtures(), &all);
    let log: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", run.stdout));
    (run, log)
}

#[test]
fn sarif_output() {
    let (mut run, _) = sarif(&INPUTS);
    assert_eq!(run.code, 1);
    run.stdout = stable(&run.stdout);
    snapshot("sarif", "check_sarif", &run);
}

/// The output without what changes with every release (the version) and every new check (the
/// rules and rule indices; `sarif_rules_are_every_check` compares those with `steg explain`).
fn stable(out: &str) -> String {
    let mut lines = Vec::new();
    let mut skipping: Option<String> = None;
    for line in out.lines() {
        let indent = &line[..line.len() - line.trim_start().len()];
        if let Some(end) = &skipping {
            if line.trim_end_matches(',') == end {
                skipping = None;
            }
            continue;
        }
        let t = line.trim_start();
        if t == "\"rules\": [" {
            lines.push(format!(
                "{indent}\"rules\": \"[every check of `steg explain`]\","
            ));
            skipping = Some(format!("{indent}]"));
        } else if t.starts_with("\"version\": ") && t != "\"version\": \"2.1.0\"," {
            lines.push(format!("{indent}\"version\": \"[steg version]\","));
        } else if t.starts_with("\"ruleIndex\": ") {
            lines.push(format!("{indent}\"ruleIndex\": \"[index of the rule]\","));
        } else {
            lines.push(line.to_string());
        }
    }
    lines.join("\n") + "\n"
}

#[test]
fn sarif_is_version_2_1_0_with_one_result_per_diagnostic() {
    let (run, log) = sarif(&INPUTS);
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"]
        .as_str()
        .is_some_and(|s| s.contains("sarif-schema-2.1.0")));
    let runs = log["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "steg");
    let rules = driver["rules"].as_array().expect("rules");
    let results = runs[0]["results"].as_array().expect("results");

    let mut json_args = vec!["check", "--format", "json"];
    json_args.extend_from_slice(&INPUTS);
    let diags = steg(&fixtures(), &json_args).json();
    assert_eq!(
        results.len(),
        diags.len(),
        "one result per diagnostic:\n{}",
        run.stdout
    );
    assert!(
        diags.iter().any(|d| !d.related.is_empty()),
        "the inputs have a related location"
    );
    assert!(
        diags.iter().any(|d| d.severity == "warning"),
        "the inputs have a warning"
    );

    for (r, d) in results.iter().zip(&diags) {
        assert_eq!(r["ruleId"], d.code.as_str());
        let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(
            rules[index]["id"],
            d.code.as_str(),
            "ruleIndex points at its rule"
        );
        assert_eq!(r["level"], d.severity.as_str());
        let text = r["message"]["text"].as_str().expect("message");
        assert!(text.starts_with(&d.message), "{text}");
        let location = &r["locations"][0]["physicalLocation"];
        assert_eq!(
            location["artifactLocation"]["uri"],
            d.file.as_deref().expect("a file")
        );
        assert_eq!(location["region"]["startLine"], d.line.expect("a line"));
        assert_eq!(
            location["region"]["startColumn"],
            d.column.expect("a column")
        );
        if let Some(step) = &d.step {
            assert_eq!(
                r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
                step.as_str()
            );
        }
        let related = r["relatedLocations"]
            .as_array()
            .map_or(&[][..], |v| v.as_slice());
        assert_eq!(related.len(), d.related.len());
        for (rl, dl) in related.iter().zip(&d.related) {
            assert_eq!(rl["message"]["text"], dl.message.as_str());
            assert_eq!(
                rl["physicalLocation"]["artifactLocation"]["uri"],
                dl.file.as_str()
            );
            assert_eq!(rl["physicalLocation"]["region"]["startLine"], dl.line);
        }
    }
}

#[test]
fn sarif_rules_are_every_check() {
    let (_, log) = sarif(&["dead_end/valid"]);
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    assert_eq!(rules.len(), steg_engine::codes::ALL.len());
    for (rule, check) in rules.iter().zip(steg_engine::codes::ALL) {
        assert_eq!(rule["id"], check.code);
        assert_eq!(rule["name"], check.name);
        assert_eq!(
            rule["defaultConfiguration"]["level"],
            check.severity.to_string()
        );
        let short = rule["shortDescription"]["text"]
            .as_str()
            .expect("shortDescription");
        assert!(
            !short.is_empty() && !short.contains('\n'),
            "{}: {short:?}",
            check.code
        );
        let full = rule["fullDescription"]["text"]
            .as_str()
            .expect("fullDescription");
        assert!(full.starts_with(short), "{}", check.code);
        let help = rule["help"]["markdown"].as_str().expect("help");
        assert!(
            help.starts_with("## What it does") && help.contains("## Use instead"),
            "{}",
            check.code
        );
    }
}

#[test]
fn sarif_of_a_clean_municipality_has_no_results() {
    let (run, log) = sarif(&["dead_end/valid"]);
    assert_eq!(run.code, 0);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn sarif_is_for_check_only() {
    let run = steg(
        &crate::support::root(),
        &[
            "simulate",
            "lindesberg",
            "--cases",
            "1",
            "--format",
            "sarif",
        ],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("--format sarif is for `steg check`"),
        "{}",
        run.stderr
    );
}
