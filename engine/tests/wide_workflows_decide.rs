//! The wide workflows of the hostile-input issue, decided on their compiled nets with
//! [`steg_engine::net::decide`]: a `kind: fork` of 100 independent branches, and a BPMN parallel
//! gateway of 4,000 branches. Both are sound; full exploration would need (n + 1)^k markings,
//! the reductions leave almost nothing to explore. The same through `steg check`'s analysis
//! (`soundness::analyse`) and whole check, with faults in one branch of a wide fork, events
//! between branches, and a sound net where two branches meet outside a join. Speed is measured
//! in the `soundness` and `net_soundness` benchmarks; here, the verdict and that the states
//! explored stay few.

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

// The same workflows through `steg check`'s soundness analysis (`soundness::analyse`, which
// takes its verdict from `net::decide` once the whole state space exceeds `soundness::EXACT`)
// and through the whole check.

const MUNICIPALITY: &str = "municipality: Fork\nrules: []\nroles: { handlaggare: { title: Handläggare } }\nevents:\n  e: { description: inifrån, reported_by: handlaggare }\n  g: { description: inifrån, reported_by: handlaggare }\n";

fn folder(name: &str, workflow: &str) -> std::path::PathBuf {
    let dir = temp(name);
    std::fs::write(dir.join("municipality.yaml"), MUNICIPALITY).unwrap();
    std::fs::write(dir.join("parallellt.yaml"), workflow).unwrap();
    dir
}

fn analysed(name: &str, workflow: &str) -> Vec<steg_engine::soundness::Soundness> {
    let dir = folder(name, workflow);
    let m = load(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(m.complete);
    steg_engine::soundness::analyse(&m, Budget::CHECK)
}

fn codes(name: &str, workflow: &str) -> Vec<String> {
    let dir = folder(name, workflow);
    let report = steg_engine::check_folder(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    report
        .diagnostics
        .iter()
        .map(|d| d.check.code.to_string())
        .collect()
}

#[test]
fn a_fork_of_100_branches_is_checked_sound_in_few_states() {
    let s = analysed("check-fork", &fork_workflow(100));
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].verdict(), "sound", "{:?}", s[0]);
    assert!(s[0].undecided().is_none());
    // The whole space has 3^100 markings; the reduced net has next to none.
    assert!(s[0].states < 1_000, "{} states", s[0].states);
    let codes = codes("check-fork-codes", &fork_workflow(100));
    assert!(
        !codes
            .iter()
            .any(|c| ["G016", "G017", "G018", "G019", "G022", "G023"].contains(&c.as_str())),
        "{codes:?}"
    );
}

#[test]
fn a_bpmn_gateway_of_4000_branches_is_checked_sound_in_few_states() {
    let dir = temp("check-gateway");
    let path = dir.join("gateway.bpmn");
    std::fs::write(&path, gateway_bpmn(4000)).unwrap();
    let mut sources = SourceMap::default();
    let imp = steg_engine::import_file(&path, &mut sources);
    let _ = std::fs::remove_dir_all(&dir);
    let m = imp.municipality(&sources);
    let s = steg_engine::soundness::analyse(&m, Budget::CHECK);
    assert!(!s.is_empty());
    for s in &s {
        assert_eq!(s.verdict(), "sound", "{s:?}");
        assert!(s.states < 1_000, "{} states", s.states);
    }
}

/// Branch 0 ends the case while the 99 others still work: improper completion at `klar`, found
/// without exploring the 3^100 interleavings.
#[test]
fn a_wide_fork_with_a_branch_ending_early_is_not_sound_at_its_end() {
    let w = fork_workflow(100).replace(
        "b0_beslut: { actor: handlaggare, next: samman }",
        "b0_beslut: { actor: handlaggare, next: klar }",
    );
    let s = analysed("check-fork-early", &w);
    assert_eq!(s[0].verdict(), "not sound", "{:?}", s[0]);
    assert_eq!(s[0].improper.len(), 1, "{:?}", s[0]);
    assert!(
        s[0].improper[0].2.contains("b0_beslut → klar"),
        "{}",
        s[0].improper[0].2
    );
    assert!(s[0].states < 1_000, "{} states", s[0].states);
    assert!(codes("check-fork-early-codes", &w).contains(&"G017".to_string()));
}

/// Branch 1 can leave for the end before the join: the join then waits for ever (or the end
/// comes while the others work); either way not sound, with a located finding.
#[test]
fn a_wide_fork_with_a_branch_that_can_skip_the_join_is_not_sound() {
    let w = fork_workflow(100).replace(
        "b1_beslut: { actor: handlaggare, next: samman }",
        "b1_beslut: { actor: handlaggare, next: [samman, avbrott] }\n  avbrott: { kind: end, outcome: avbrutet }",
    );
    let s = analysed("check-fork-skip", &w);
    assert_eq!(s[0].verdict(), "not sound", "{:?}", s[0]);
    assert!(!s[0].deadlocks.is_empty() || !s[0].improper.is_empty());
    assert!(s[0].states < 10_000, "{} states", s[0].states);
}

/// An event raised in one branch of a wide fork and taken by a wait in another: sound, and the
/// event is never lost. With a timer beside the event, the wait can leave first and the event
/// is lost (G022), which is found on the reduced net too.
#[test]
fn events_between_branches_of_a_wide_fork_are_decided() {
    let with = |wait: &str| {
        fork_workflow(100)
            .replace(
                "b0_utredning: { actor: handlaggare, next: b0_beslut }",
                "b0_utredning: { actor: handlaggare, emits: e, next: b0_beslut }",
            )
            .replace(
                "b1_utredning: { actor: handlaggare, next: b1_beslut }",
                &format!("b1_utredning:\n    kind: wait\n    on:\n{wait}"),
            )
    };
    let taken = with("      - { event: e, to: b1_beslut }\n");
    let s = analysed("check-fork-event", &taken);
    assert_eq!(s[0].verdict(), "sound", "{:?}", s[0]);
    assert!(s[0].undecided().is_none(), "{:?}", s[0]);
    assert!(s[0].lost_events.is_empty(), "{:?}", s[0].lost_events);
    assert!(s[0].unsafe_steps.is_empty(), "{:?}", s[0].unsafe_steps);
    let lost = with("      - { event: e, to: b1_beslut }\n      - { after: 30d, to: b1_beslut }\n");
    let s = analysed("check-fork-event-lost", &lost);
    assert_eq!(s[0].verdict(), "sound", "{:?}", s[0]);
    assert!(s[0].undecided().is_none(), "{:?}", s[0]);
    assert_eq!(s[0].lost_events.len(), 1, "{:?}", s[0]);
    assert!(codes("check-fork-event-lost-codes", &lost).contains(&"G022".to_string()));
}

/// Two branches meet at `x` (not a join) and go on to a wait that events from a third branch
/// send apart: sound (every execution ends properly), but `x` runs twice at once (G023). A
/// sound net that is not free-choice need not be safe, so the reduced net is decided again
/// with two tokens on a step counted as a violation; the verdict from `decide` is the same as
/// the whole state space's.
#[test]
fn two_branches_on_one_step_of_a_sound_net_are_found_by_decide_too() {
    let w = "workflow: parallellt\nstart: delning\nsteps:
  delning: { kind: fork, next: [a, b, c] }
  a: { actor: handlaggare, next: x }
  b: { actor: handlaggare, next: x }
  x: { actor: handlaggare, next: w }
  w:
    kind: wait
    on:
      - { event: e, to: p }
      - { event: g, to: q }
  c: { actor: handlaggare, emits: e, next: c2 }
  c2: { actor: handlaggare, emits: g, next: c3 }
  c3: { actor: handlaggare, next: samman }
  p: { actor: handlaggare, next: samman }
  q: { actor: handlaggare, next: samman }
  samman: { kind: join, next: klar }
  klar: { kind: end, outcome: klar }
";
    let dir = folder("unsafe-sound", w);
    let m = load(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    let whole = steg_engine::soundness::analyse(&m, Budget::CHECK);
    let graph = Graph::build(&m);
    let sem = Semantics::new(&m, &graph);
    let wn = sem.nets.iter().flatten().next().unwrap();
    let one = Budget {
        states: 1,
        bytes: usize::MAX,
    };
    let decided = steg_engine::soundness::analyse_net_within(&sem.prog, wn, one, Budget::CHECK);
    let x = |s: &steg_engine::soundness::Soundness| -> Vec<String> {
        s.unsafe_steps
            .iter()
            .map(|u| sem.prog.qualified(u.0, Some(u.0.w)))
            .collect()
    };
    assert!(
        whole[0].deadlocks.is_empty() && whole[0].improper.is_empty(),
        "{:?}",
        whole[0]
    );
    // Two first meetings: at `x` (a and b arrive before x ran), and at `w` on the runs where
    // x ran once for each arriving branch and both went on to the wait.
    assert_eq!(
        x(&whole[0]),
        vec!["x".to_string(), "w".to_string()],
        "{:?}",
        whole[0]
    );
    // decide stops at its first certain finding: one of the whole space's.
    let found = x(&decided);
    assert!(
        !found.is_empty() && found.iter().all(|f| x(&whole[0]).contains(f)),
        "{decided:?}"
    );
    assert_eq!(decided.verdict(), whole[0].verdict());
}
