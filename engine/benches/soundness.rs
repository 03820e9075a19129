//! Benchmark of the parallel soundness check: the state space of a generated workflow with k
//! parallel branches (no timing assertions).
//!
//! ```text
//! cargo bench -p steg-engine --bench soundness                  # k = 2..12, bound 100 000
//! cargo bench -p steg-engine --bench soundness -- 4 8           # only these k
//! STEG_BOUND=1000000 cargo bench -p steg-engine --bench soundness -- 12
//! ```
//!
//! The workflow: `ansokan`, a fork into k branches of two tasks each (`b{i}_utredning`,
//! `b{i}_beslut`), a join and an end. Each branch token is at one of three places (its two
//! steps or the join), so there are 3^k + 4 markings: 12 branches give 531 445, past the bound
//! of `steg check`, which then reports G019. For each k: markings explored, whether the bound
//! was hit, the best of three runs, the bytes the explored states hold (tokens, index, edges,
//! first moves, as counted by the explorer), and the peak resident memory of the process so far
//! (Linux `VmHWM`).

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
        (2..=12).collect()
    } else {
        args
    };
    let bound: usize = std::env::var("STEG_BOUND")
        .ok()
        .and_then(|b| b.parse().ok())
        .unwrap_or(steg_engine::net::space::Budget::CHECK.states);
    println!("bound {bound} markings");
    println!(
        "{:>3} {:>10} {:>10} {:>10} {:>12} {:>14}",
        "k", "markings", "bound hit", "time", "state bytes", "peak RSS"
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
        let _ = std::fs::remove_dir_all(&dir);
        let Some(s) = last else {
            eprintln!("k = {k}: nothing explored");
            continue;
        };
        assert!(
            s.truncated.is_some() || s.verdict() == "sound",
            "the generated workflow is sound: {s:?}"
        );
        println!(
            "{k:>3} {:>10} {:>10} {:>8.1}ms {:>10.1}MB {:>12}",
            s.states,
            if s.truncated.is_some() { "yes" } else { "no" },
            best.as_secs_f64() * 1000.0,
            s.bytes as f64 / 1e6,
            peak_rss_kib().map_or("-".to_string(), |kib| format!(
                "{:.1}MB",
                kib as f64 / 1024.0
            )),
        );
    }
}
