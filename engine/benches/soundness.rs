//! Benchmark of the parallel soundness check: a generated workflow with k parallel branches,
//! and a BPMN parallel gateway of n branches imported and checked (no timing assertions).
//!
//! ```text
//! cargo bench -p steg-engine --bench soundness                  # k = 2..12, 25, 50, 100; n = 4,000
//! cargo bench -p steg-engine --bench soundness -- 4 8           # only these k
//! STEG_BOUND=1000000 cargo bench -p steg-engine --bench soundness -- 12
//! ```
//!
//! The workflow: `ansokan`, a fork into k branches of two tasks each (`b{i}_utredning`,
//! `b{i}_beslut`), a join and an end. Each branch token is at one of three places (its two
//! steps or the join), so there are 3^k + 4 markings: 12 branches give 531 445, past the bound
//! of `steg check`. Up to `soundness::EXACT` (20,000) markings the space is explored whole;
//! beyond, the verdict comes from `net::decide`, whose reductions leave next to nothing of this
//! net. For each k: the verdict, markings explored (the whole space's, or the reduced net's),
//! the best of three runs of the soundness analysis, the best of three runs of the whole check
//! (`check_folder`: load, every check, obligations and soundness), the bytes the explored states
//! hold (as counted by the explorer), and the peak resident memory of the process so far
//! (Linux `VmHWM`). The last line imports and checks a BPMN model of a parallel gateway of
//! 4,000 branches (`check_models`, as `steg check FILE.bpmn` does).

use std::fmt::Write as _;
use std::time::{Duration, Instant};

fn workflow(k: usize) -> String {
    let mut y = String::from("workflow: parallellt\nstart: ansokan\nsteps:\n  ansokan: { actor: handlaggare, next: delning }\n");
    let branches: Vec<String> = (0..k).map(|i| format!("b{i}_utredning")).collect();
    let _ = writeln!(
        y,
        "  delning: {{ kind: fork, next: [{}] }}",
        branches.join(", ")
    );
    for i in 0..k {
        let _ = writeln!(
            y,
            "  b{i}_utredning: {{ actor: handlaggare, next: b{i}_beslut }}"
        );
        let _ = writeln!(y, "  b{i}_beslut: {{ actor: handlaggare, next: samman }}");
    }
    y.push_str("  samman: { kind: join, next: klar }\n  klar: { kind: end, outcome: klar }\n");
    y
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let ks: Vec<usize> = if args.is_empty() {
        (2..=12).chain([25, 50, 100]).collect()
    } else {
        args.clone()
    };
    let bound: usize = std::env::var("STEG_BOUND")
        .ok()
        .and_then(|b| b.parse().ok())
        .unwrap_or(steg_engine::net::space::Budget::CHECK.states);
    println!("bound {bound} markings");
    println!(
        "{:>4} {:>12} {:>10} {:>10} {:>10} {:>12} {:>10}",
        "k", "verdict", "markings", "analysis", "check", "state bytes", "peak RSS"
    );
    for k in ks {
        let dir =
            std::env::temp_dir().join(format!("steg-bench-soundness-{}-{k}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        if std::fs::create_dir_all(&dir).is_err()
            || std::fs::write(
                dir.join("municipality.yaml"),
                "municipality: Bänk\nrules: []\nroles:\n  handlaggare: { title: Handläggare }\n",
            )
            .is_err()
            || std::fs::write(dir.join("parallellt.yaml"), workflow(k)).is_err()
        {
            eprintln!("cannot write {}", dir.display());
            return;
        }
        let mut sources = steg_engine::SourceMap::default();
        let mut diags = Vec::new();
        let m = steg_engine::load_municipality(&dir, &mut sources, &mut diags);
        let mut best = Duration::MAX;
        let mut last = None;
        for _ in 0..3 {
            let t = Instant::now();
            let r = steg_engine::soundness::analyse(
                &m,
                steg_engine::net::space::Budget {
                    states: bound,
                    bytes: 8 << 30,
                },
            );
            best = best.min(t.elapsed());
            last = r.into_iter().next();
        }
        let mut check = Duration::MAX;
        for _ in 0..3 {
            let t = Instant::now();
            let report = steg_engine::check_folder(&dir);
            check = check.min(t.elapsed());
            std::hint::black_box(report);
        }
        let _ = std::fs::remove_dir_all(&dir);
        let Some(s) = last else {
            eprintln!("k = {k}: nothing explored");
            continue;
        };
        assert!(
            s.undecided().is_some() || s.verdict() == "sound",
            "the generated workflow is sound: {s:?}"
        );
        println!(
            "{k:>4} {:>12} {:>10} {:>8.1}ms {:>8.1}ms {:>10.1}MB {:>10}",
            s.verdict(),
            s.states,
            best.as_secs_f64() * 1000.0,
            check.as_secs_f64() * 1000.0,
            s.bytes as f64 / 1e6,
            peak(),
        );
    }
    if args.is_empty() {
        gateway(4000);
    }
}

fn peak() -> String {
    peak_rss_kib().map_or("-".to_string(), |kib| {
        format!("{:.1}MB", kib as f64 / 1024.0)
    })
}

/// A BPMN start, parallel split into `n` tasks, parallel join and end, imported and checked.
fn gateway(n: usize) {
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
        let _ = writeln!(
            b,
            "    <bpmn:task id=\"T{i}\" />\n    <bpmn:sequenceFlow id=\"A{i}\" sourceRef=\"Split\" targetRef=\"T{i}\" />\n    <bpmn:sequenceFlow id=\"B{i}\" sourceRef=\"T{i}\" targetRef=\"Join\" />"
        );
    }
    b.push_str("  </bpmn:process>\n</bpmn:definitions>\n");
    let dir = std::env::temp_dir().join(format!("steg-bench-gateway-{}", std::process::id()));
    let path = dir.join("gateway.bpmn");
    if std::fs::create_dir_all(&dir).is_err() || std::fs::write(&path, b).is_err() {
        eprintln!("cannot write {}", path.display());
        return;
    }
    let mut best = Duration::MAX;
    let mut line = String::new();
    for _ in 0..3 {
        let t = Instant::now();
        let c = steg_engine::check_models(std::slice::from_ref(&path), false);
        best = best.min(t.elapsed());
        line = c
            .summaries
            .first()
            .map(|s| s.verdict.to_string())
            .unwrap_or_default();
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "BPMN parallel gateway of {n} branches, imported and checked: {line}, {:.1}ms, peak RSS {}",
        best.as_secs_f64() * 1000.0,
        peak()
    );
}
