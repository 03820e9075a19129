//! `steg graph`: the pictures of a small fixture municipality (DOT, Mermaid, BPMN; snapshotted
//! in `tests/snapshots/graph/`), the refusal of a municipality with errors, `--out`, and every
//! bundled municipality: well-formed BPMN with a shape for every element, bpmnlint's
//! recommended rules, and Graphviz accepting the DOT.
//!
//! bpmnlint comes from npm (`.ci/run` installs it into `.ci/node/`) and Graphviz from apt. When
//! `CI=true` and either is missing, its test fails; elsewhere it prints a note and passes.

use crate::support::{root, snapshot, steg, Run};

fn graph_dir() -> std::path::PathBuf {
    root().join("tests/graph_fixture")
}
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;

/// The fixture every snapshot draws: tests/graph_fixture/kommun (not a check fixture).
const FIXTURE: &str = "kommun";

fn graph_snapshot(name: &str, run: &Run) {
    snapshot("graph", name, run);
}

#[test]
fn graph_help() {
    let run = steg(&graph_dir(), &["graph", "--help"]);
    assert_eq!(run.code, 0);
    graph_snapshot("graph_help", &run);
}

#[test]
fn graph_dot_of_the_fixture() {
    let run = steg(&graph_dir(), &["graph", FIXTURE, "--format", "dot"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("digraph \"kommun\" {"));
    graph_snapshot("fixture_dot", &run);
}

#[test]
fn graph_mermaid_of_the_fixture() {
    let run = steg(&graph_dir(), &["graph", FIXTURE, "--format", "mermaid"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("flowchart LR\n"));
    graph_snapshot("fixture_mermaid", &run);
}

#[test]
fn graph_bpmn_of_the_fixture() {
    let run = steg(&graph_dir(), &["graph", FIXTURE, "--format", "bpmn"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let facts = Bpmn::parse(&run.stdout);
    // The kinds the fixture has one of each of, at least.
    for kind in [
        "startEvent",
        "userTask",
        "sendTask",
        "callActivity",
        "exclusiveGateway",
        "parallelGateway",
        "eventBasedGateway",
        "intermediateCatchEvent",
        "endEvent",
        "messageFlow",
        "timerEventDefinition",
        "messageEventDefinition",
    ] {
        assert!(facts.kinds.contains_key(kind), "no {kind}");
    }
    assert_eq!(
        facts.kinds["participant"], 3,
        "two workflows and Försäkringskassan"
    );
    assert!(
        facts.ids.contains("ekonomiskt_bistand.beslut"),
        "the step's id is the element's"
    );
    assert!(run.stdout.contains(r#"calledElement="insats""#));
    assert!(run.stdout.contains(">R/P1M</bpmn:timeCycle>"));
    assert!(run.stdout.contains(">P6M</bpmn:timeDuration>"));
    graph_snapshot("fixture_bpmn", &run);
}

#[test]
fn graph_is_the_same_every_time() {
    for format in ["dot", "mermaid", "bpmn"] {
        let a = steg(&graph_dir(), &["graph", FIXTURE, "--format", format]);
        let b = steg(&graph_dir(), &["graph", FIXTURE, "--format", format]);
        assert_eq!(a.stdout, b.stdout, "{format}");
    }
}

#[test]
fn graph_refuses_a_municipality_with_errors() {
    let run = steg(
        &crate::support::fixtures(),
        &["graph", "dead_end/invalid_task", "--format", "bpmn"],
    );
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout, "", "nothing drawn");
    assert!(run.stderr.contains("G005"), "{}", run.stderr);
    assert!(
        run.stderr.contains("has errors, so it is not drawn"),
        "{}",
        run.stderr
    );
}

#[test]
fn graph_of_a_missing_path_exits_2() {
    let run = steg(&graph_dir(), &["graph", "no/such/kommun"]);
    assert_eq!(run.code, 2);
}

#[test]
fn graph_out_writes_the_file_in_the_format_of_its_extension() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let out = tmp.path().join("kommun.bpmn");
    let out_arg = out.to_str().expect("UTF-8 path");
    let run = steg(&graph_dir(), &["graph", FIXTURE, "--out", out_arg]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    let written = std::fs::read_to_string(&out).expect("the file is written");
    let printed = steg(&graph_dir(), &["graph", FIXTURE, "--format", "bpmn"]).stdout;
    assert_eq!(written, printed);
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .expect("read the folder")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name() != "kommun.bpmn")
        .collect();
    assert!(
        leftovers.is_empty(),
        "no temporary file left: {leftovers:?}"
    );
}

/// `steg graph --out tk.svg` wrote DOT text into a file named `.svg`. An extension that names
/// no format steg writes is refused, as is one that contradicts `--format`; nothing is written.
#[test]
fn graph_out_with_an_extension_it_does_not_write_is_refused() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    for (name, format) in [
        ("tk.png", None),
        ("tk.svg", Some("dot")),
        ("tk.bpmn", Some("mermaid")),
    ] {
        let out = tmp.path().join(name);
        let out_arg = out.to_str().expect("UTF-8 path");
        let mut args = vec!["graph", FIXTURE, "--out", out_arg];
        if let Some(f) = format {
            args.extend(["--format", f]);
        }
        let run = steg(&graph_dir(), &args);
        assert_eq!(run.code, 2, "{name}: {}", run.stderr);
        assert!(
            run.stderr.contains(".dot") || run.stderr.contains("make them agree"),
            "{name}: {}",
            run.stderr
        );
        assert!(!out.exists(), "{name} was written");
    }
    // Known extensions pick their format.
    for (name, start) in [("tk.mmd", "flowchart"), ("tk.gv", "digraph")] {
        let out = tmp.path().join(name);
        let run = steg(
            &graph_dir(),
            &["graph", FIXTURE, "--out", out.to_str().expect("UTF-8")],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        let text = std::fs::read_to_string(&out).expect("written");
        assert!(
            text.contains(start),
            "{name}: {}",
            &text[..text.len().min(200)]
        );
    }
}

#[test]
fn graph_out_to_a_missing_folder_exits_2() {
    let run = steg(
        &graph_dir(),
        &["graph", FIXTURE, "--out", "no/such/folder/x.dot"],
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("cannot write"), "{}", run.stderr);
}

// ----- every bundled municipality -----

/// The municipality folders under workflows/ (not bases that others extend: `base: true`).
fn bundled() -> Vec<String> {
    let is_base = |dir: &std::path::Path| {
        std::fs::read_to_string(dir.join("municipality.yaml"))
            .is_ok_and(|t| t.lines().any(|l| l.trim() == "base: true"))
    };
    let mut names: Vec<String> = std::fs::read_dir(root().join("workflows"))
        .expect("read workflows/")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("municipality.yaml").is_file() && !is_base(&e.path()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 5, "the bundled municipalities: {names:?}");
    names
}

/// Export every bundled municipality in `format` into a temporary folder, as NAME.EXT.
fn export_bundled(format: &str, ext: &str) -> (tempfile::TempDir, Vec<PathBuf>) {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let mut files = Vec::new();
    for name in bundled() {
        let file = tmp.path().join(format!("{name}.{ext}"));
        let run = steg(
            &root(),
            &[
                "graph",
                &name,
                "--format",
                format,
                "--out",
                file.to_str().expect("UTF-8 path"),
            ],
        );
        assert_eq!(run.code, 0, "steg graph {name}: {}", run.stderr);
        files.push(file);
    }
    (tmp, files)
}

#[test]
fn every_bundled_municipality_exports_complete_bpmn() {
    let (_tmp, files) = export_bundled("bpmn", "bpmn");
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read the export");
        let facts = Bpmn::parse(&text);
        let missing: Vec<&String> = facts.needs_shape.difference(&facts.shapes).collect();
        assert!(
            missing.is_empty(),
            "{}: no BPMNShape for {missing:?}",
            file.display()
        );
        let missing: Vec<&String> = facts.needs_edge.difference(&facts.edges).collect();
        assert!(
            missing.is_empty(),
            "{}: no BPMNEdge for {missing:?}",
            file.display()
        );
        let dangling: Vec<&String> = facts.refs.difference(&facts.ids).collect();
        assert!(
            dangling.is_empty(),
            "{}: references to no element: {dangling:?}",
            file.display()
        );
    }
}

/// `CI=true` (as CI services set it): a missing tool fails the test instead of skipping it.
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.as_str(), "" | "0" | "false"))
}

/// Fail in CI, or say why the check is skipped elsewhere.
fn tool_missing(what: &str, install: &str) {
    assert!(!in_ci(), "{what} is missing and CI=true: {install}");
    eprintln!("note: {what} is not installed, so this check is skipped ({install})");
}

/// bpmnlint from `.ci/node` (where `.ci/run` installs it), `STEG_BPMNLINT`, or the PATH.
fn bpmnlint() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("STEG_BPMNLINT") {
        return Some(PathBuf::from(p));
    }
    let local = root().join(".ci/node/node_modules/.bin/bpmnlint");
    if local.is_file() {
        return Some(local);
    }
    Command::new("bpmnlint")
        .arg("--help")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| PathBuf::from("bpmnlint"))
}

#[test]
fn every_bundled_municipality_passes_bpmnlint_recommended() {
    let Some(lint) = bpmnlint() else {
        return tool_missing(
            "bpmnlint",
            "npm install --prefix .ci/node bpmnlint, as .ci/run does",
        );
    };
    let (_tmp, files) = export_bundled("bpmn", "bpmn");
    let out = Command::new(&lint)
        .arg("--config")
        .arg(root().join(".bpmnlintrc"))
        .arg("--max-warnings=0")
        .args(&files)
        .output()
        .unwrap_or_else(|e| panic!("{} does not start: {e}", lint.display()));
    assert!(
        out.status.success(),
        "bpmnlint found problems:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn bpmnlint_really_lints() {
    // The test above is only worth something if bpmnlint fails a bad diagram.
    let Some(lint) = bpmnlint() else {
        return tool_missing(
            "bpmnlint",
            "npm install --prefix .ci/node bpmnlint, as .ci/run does",
        );
    };
    let run = steg(&graph_dir(), &["graph", FIXTURE, "--format", "bpmn"]);
    let unnamed = run.stdout.replacen(r#" name="Utredning""#, "", 1);
    assert_ne!(unnamed, run.stdout);
    let tmp = tempfile::tempdir().expect("temporary folder");
    let file = tmp.path().join("unnamed.bpmn");
    std::fs::write(&file, unnamed).expect("write the file");
    let out = Command::new(&lint)
        .arg("--config")
        .arg(root().join(".bpmnlintrc"))
        .arg(&file)
        .output()
        .expect("bpmnlint starts");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        !out.status.success(),
        "bpmnlint accepted a task without a name:\n{report}"
    );
    assert!(report.contains("label-required"), "{report}");
}

#[test]
fn every_bundled_municipality_renders_with_graphviz() {
    let dot_works = Command::new("dot")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !dot_works {
        return tool_missing(
            "Graphviz (dot)",
            "apt-get install -y graphviz, as .ci/run does",
        );
    }
    let (_tmp, files) = export_bundled("dot", "dot");
    for file in files {
        let out = Command::new("dot")
            .arg("-Tsvg")
            .arg(&file)
            .output()
            .expect("dot starts");
        assert!(
            out.status.success() && out.stdout.starts_with(b"<?xml"),
            "dot -Tsvg {}: {}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn every_bundled_municipality_exports_mermaid_with_a_node_per_step() {
    let (_tmp, files) = export_bundled("mermaid", "mmd");
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read the export");
        assert!(text.starts_with("flowchart LR\n"), "{}", file.display());
        let opened = text
            .lines()
            .filter(|l| l.trim_start().starts_with("subgraph "))
            .count();
        let closed = text.lines().filter(|l| l.trim() == "end").count();
        assert_eq!(opened, closed, "{}: subgraphs are closed", file.display());
    }
}

/// What a test needs to know about a BPMN file.
#[derive(Default)]
struct Bpmn {
    /// Every `id`.
    ids: BTreeSet<String>,
    /// Element counts by local name.
    kinds: BTreeMap<String, usize>,
    /// Ids that must have a BPMNShape: flow nodes, participants, lanes.
    needs_shape: BTreeSet<String>,
    /// Ids that must have a BPMNEdge: sequence and message flows.
    needs_edge: BTreeSet<String>,
    /// `bpmnElement` of every BPMNShape and BPMNEdge.
    shapes: BTreeSet<String>,
    edges: BTreeSet<String>,
    /// Every id another element refers to.
    refs: BTreeSet<String>,
}

impl Bpmn {
    /// Parse `text` (it must be well-formed XML with unique ids) and collect its facts.
    fn parse(text: &str) -> Bpmn {
        let doc =
            roxmltree::Document::parse(text).unwrap_or_else(|e| panic!("not well-formed XML: {e}"));
        let mut facts = Bpmn::default();
        for node in doc.descendants().filter(|n| n.is_element()) {
            let kind = node.tag_name().name().to_string();
            *facts.kinds.entry(kind.clone()).or_default() += 1;
            if let Some(id) = node.attribute("id") {
                assert!(facts.ids.insert(id.to_string()), "id {id} used twice");
                let shaped = kind.ends_with("Task")
                    || kind.ends_with("Event")
                    || kind.ends_with("Gateway")
                    || matches!(
                        kind.as_str(),
                        "task" | "callActivity" | "participant" | "lane"
                    );
                if shaped {
                    facts.needs_shape.insert(id.to_string());
                }
                if kind == "sequenceFlow" || kind == "messageFlow" {
                    facts.needs_edge.insert(id.to_string());
                }
            }
            if let Some(e) = node.attribute("bpmnElement") {
                match kind.as_str() {
                    "BPMNShape" => facts.shapes.insert(e.to_string()),
                    "BPMNEdge" => facts.edges.insert(e.to_string()),
                    _ => facts.refs.insert(e.to_string()),
                };
            }
            for attr in [
                "sourceRef",
                "targetRef",
                "processRef",
                "calledElement",
                "messageRef",
                "default",
            ] {
                if let Some(r) = node.attribute(attr) {
                    facts.refs.insert(r.to_string());
                }
            }
            if matches!(kind.as_str(), "incoming" | "outgoing" | "flowNodeRef") {
                if let Some(t) = node.text() {
                    facts.refs.insert(t.to_string());
                }
            }
        }
        facts
    }
}

#[test]
fn the_bpmn_reader_of_these_tests_sees_missing_shapes() {
    let facts = Bpmn::parse(
        r#"<definitions><process id="p"><task id="a"/></process><BPMNShape id="s" bpmnElement="p"/></definitions>"#,
    );
    assert!(facts.needs_shape.contains("a") && !facts.shapes.contains("a"));
}
