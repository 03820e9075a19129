//! The wide workflows of the hostile-input issue, decided on their compiled nets with
//! [`steg_engine::net::decide`]: a `kind: fork` of 100 independent branches, and a BPMN parallel
//! gateway of 4,000 branches. Both are sound; full exploration would need (n + 1)^k markings,
//! the reductions leave almost nothing to explore. Speed is measured in the `net_soundness`
//! benchmark; here, the verdict and that the states explored stay few.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use steg_engine::net::space::Budget;
use steg_engine::net::verdict::Sink;
use steg_engine::net::{decide, Answer, Decision};
use steg_engine::semantics::PlaceKind;
use steg_engine::{Graph, Municipality, Semantics, SourceMap};

/// Decide every entry workflow of `m` on its compiled net: pending events do not count for
/// completion (they are the net's ignored places), as in the workflow checks.
fn decide_all(m: &Municipality) -> Vec<Decision> {
    let graph = Graph::build(m);
    let mut sem = Semantics::new(m, &graph);
    let roots: Vec<u32> = (0..m.workflows.len() as u32).collect();
    let mut out = Vec::new();
    for w in roots {
        let wn = sem.net(w).clone();
        let ignored: Vec<bool> = wn
            .places
            .iter()
            .map(|k| matches!(k, PlaceKind::Event(_)))
            .collect();
        let sink = Sink {
            place: wn.end,
            ignored: &ignored,
        };
        out.push(decide(&wn.net, &sink, Budget::CHECK));
    }
    out
}

fn fork_workflow(k: usize) -> String {
    let mut y = String::from(
        "workflow: parallellt\nstart: ansokan\nsteps:\n  ansokan: { actor: handlaggare, next: delning }\n",
    );
    let branches: Vec<String> = (0..k).map(|i| format!("b{i}_utredning")).collect();
    y.push_str(&format!(
        "  delning: {{ kind: fork, next: [{}] }}\n",
        branches.join(", ")
    ));
    for i in 0..k {
        y.push_str(&format!(
            "  b{i}_utredning: {{ actor: handlaggare, next: b{i}_beslut }}\n  b{i}_beslut: {{ actor: handlaggare, next: samman }}\n"
        ));
    }
    y.push_str("  samman: { kind: join, next: klar }\n  klar: { kind: end, outcome: klar }\n");
    y
}

fn gateway_bpmn(n: usize) -> String {
    let mut b = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="D" targetNamespace="http://example.org/w">
  <bpmn:process id="P" isExecutable="false">
    <bpmn:startEvent id="Start" />
    <bpmn:parallelGateway id="Split" />
    <bpmn:parallelGateway id="Join" />
    <bpmn:endEvent id="End" />
    <bpmn:sequenceFlow id="F0" sourceRef="Start" targetRef="Split" />
    <bpmn:sequenceFlow id="F1" sourceRef="Join" targetRef="End" />
"#,
    );
    for i in 0..n {
        b.push_str(&format!(
            "    <bpmn:task id=\"T{i}\" />\n    <bpmn:sequenceFlow id=\"A{i}\" sourceRef=\"Split\" targetRef=\"T{i}\" />\n    <bpmn:sequenceFlow id=\"B{i}\" sourceRef=\"T{i}\" targetRef=\"Join\" />\n"
        ));
    }
    b.push_str("  </bpmn:process>\n</bpmn:definitions>\n");
    b
}

fn temp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("steg-wide-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn load(dir: &Path) -> Municipality {
    let mut sources = SourceMap::default();
    let mut diags = Vec::new();
    steg_engine::load_municipality(dir, &mut sources, &mut diags)
}

#[test]
fn a_fork_of_100_branches_is_decided_sound() {
    let dir = temp("fork");
    std::fs::write(
        dir.join("municipality.yaml"),
        "municipality: Fork\nroles: { handlaggare: { title: Handläggare } }\n",
    )
    .unwrap();
    std::fs::write(dir.join("parallellt.yaml"), fork_workflow(100)).unwrap();
    let m = load(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    let ds = decide_all(&m);
    assert_eq!(ds.len(), 1);
    assert_eq!(ds[0].answer, Answer::Sound, "{:?}", ds[0]);
    assert!(ds[0].states < 1_000, "{} states", ds[0].states);
}

#[test]
fn a_bpmn_gateway_of_4000_branches_is_decided_sound() {
    let dir = temp("gateway");
    let path = dir.join("gateway.bpmn");
    std::fs::write(&path, gateway_bpmn(4000)).unwrap();
    let mut sources = SourceMap::default();
    let imp = steg_engine::import_file(&path, &mut sources);
    let _ = std::fs::remove_dir_all(&dir);
    let m = imp.municipality(&sources);
    let ds = decide_all(&m);
    assert!(!ds.is_empty());
    for d in &ds {
        assert_eq!(d.answer, Answer::Sound, "{d:?}");
        assert!(d.states < 1_000, "{} states", d.states);
    }
}
