//! Rule evaluation throughput on the bundled Lindesberg configuration, for a threshold rule
//! (`arbetsformaga_minst_25`) and the riksnorm household computation (`riksnorm`), with inputs
//! that vary as a simulation's do (a pool of cases drawn once, called in turn):
//!
//! - `native`: the same decision written in Rust (the threshold only): the floor.
//! - `rhai`: the rule's compiled script called with Rhai's `Engine::call_fn` on the sandboxed
//!   engine, no bridge.
//! - `bridge`: [`RuleSet::call`] (date set for table lookups, the rule's limits, errors located):
//!   `bridge - rhai` is the bridge's own overhead.
//! - `memo`: [`RuleSet::call_memo`] with a [`Memo`] shared by all calls, as the simulator uses
//!   it; the hit rate is printed beside it (the speed of a hit is the memo's, of a miss the
//!   bridge's).
//!
//! Run: `cargo bench -p steg-engine --bench rules` (optional argument: evaluations per run).

use rhai::{CallFnOptions, Dynamic, Scope};
use std::path::Path;
use std::time::Instant;
use steg_engine::{load_municipality, sandbox, Arende, Memo, SourceMap};

/// A small deterministic generator (SplitMix64), so every run calls the same cases.
struct Draw(u64);
impl Draw {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The best of three timed runs of `n` calls of `f` on the pool, in seconds.
fn best_of_three(n: usize, mut f: impl FnMut(usize)) -> f64 {
    for i in 0..1000 {
        f(i);
    }
    let mut best = f64::MAX;
    for _ in 0..3 {
        let start = Instant::now();
        for i in 0..n {
            f(i);
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    best
}

fn row(label: &str, how: &str, n: usize, secs: f64, note: &str) {
    println!(
        "{:<24} {:<8} {:>10} {:>14.0} {:>10.3}  {}",
        label,
        how,
        n,
        n as f64 / secs,
        secs * 1e6 / n as f64,
        note
    );
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(200_000);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../workflows/lindesberg");
    let mut sources = SourceMap::default();
    let mut diags = Vec::new();
    let m = load_municipality(&dir, &mut sources, &mut diags);
    assert!(diags.is_empty(), "Lindesberg does not load: {diags:?}");
    let date = chrono::NaiveDate::from_ymd_opt(2021, 6, 1);

    // Threshold inputs: arbetsförmåga in steps of 5 %, as an assessment records it.
    let mut draw = Draw(7);
    let threshold: Vec<Arende> = (0..4096)
        .map(|i| {
            let v = draw.below(21) as f64 * 0.05;
            Arende::from_json(
                format!("t{i}"),
                serde_json::json!({ "arbetsformaga": v })
                    .as_object()
                    .expect("an object"),
            )
        })
        .collect();
    // Households: one or two adults (sammanboende), 0-4 children of 0-20, adults of 18-70.
    let households: Vec<Arende> = (0..4096)
        .map(|i| {
            let together = draw.below(2) == 0;
            let mut members =
                vec![serde_json::json!({ "alder": 18 + draw.below(53), "barn": false })];
            if together {
                members.push(serde_json::json!({ "alder": 18 + draw.below(53), "barn": false }));
            }
            for _ in 0..draw.below(5) {
                members.push(serde_json::json!({ "alder": draw.below(21), "barn": true }));
            }
            Arende::from_json(
                format!("h{i}"),
                serde_json::json!({ "sammanboende": together, "hushall": members })
                    .as_object()
                    .expect("an object"),
            )
        })
        .collect();

    println!(
        "{:<24} {:<8} {:>10} {:>14} {:>10}",
        "rule", "how", "calls", "calls/s", "µs/call"
    );
    // params.min_arbetsformaga of Lindesberg (trosklar.rhai compares with it).
    let limit = 0.25;
    let secs = best_of_three(n, |i| {
        let a = &threshold[i % threshold.len()];
        let v = a.get("arbetsformaga").and_then(|v| v.as_float().ok());
        std::hint::black_box(v.is_some_and(|v| v >= limit));
    });
    row("threshold (4096 cases)", "native", n, secs, "");

    // The rule's own script, called with Rhai directly (no bridge).
    let engine = sandbox();
    for (label, rule, pool) in [
        (
            "threshold (4096 cases)",
            "arbetsformaga_minst_25",
            &threshold,
        ),
        ("riksnorm (4096 hushåll)", "riksnorm", &households),
    ] {
        assert!(m.rules.get(rule).is_some(), "the rule exists");
        // Every rule file the municipality reads, as one script.
        let mut text = String::new();
        for folder in ["../rules/common", "../rules/lindesberg"] {
            let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
            let mut files: Vec<_> = std::fs::read_dir(folder)
                .expect("the rule folder")
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "rhai"))
                .collect();
            files.sort();
            for f in files {
                text.push_str(&std::fs::read_to_string(f).expect("a rule file"));
                text.push('\n');
            }
        }
        if let Ok(ast) = engine.compile(&text) {
            // Rules that read tables or dates need the bridge's date: only the ones that do
            // not are timed raw.
            let mut scope = Scope::new();
            let options = || CallFnOptions::new().eval_ast(false).rewind_scope(true);
            let probe = engine.call_fn_with_options::<Dynamic>(
                options(),
                &mut scope,
                &ast,
                rule,
                (pool[0].clone(), m.params.clone()),
            );
            if probe.is_ok() {
                let secs = best_of_three(n, |i| {
                    let _ = std::hint::black_box(engine.call_fn_with_options::<Dynamic>(
                        options(),
                        &mut scope,
                        &ast,
                        rule,
                        (pool[i % pool.len()].clone(), m.params.clone()),
                    ));
                });
                row(label, "rhai", n, secs, "");
            } else {
                println!("{label:<24} rhai     (reads a table or date: only through the bridge)");
            }
        }
        let secs = best_of_three(n, |i| {
            let _ = std::hint::black_box(
                m.rules
                    .call(&sources, rule, &pool[i % pool.len()], &m.params, date)
                    .expect("rule evaluates"),
            );
        });
        row(label, "bridge", n, secs, "");
        let mut memo = Memo::new();
        let secs = best_of_three(n, |i| {
            let _ = std::hint::black_box(
                m.rules
                    .call_memo(
                        Some(&mut memo),
                        &sources,
                        rule,
                        &pool[i % pool.len()],
                        &m.params,
                        date,
                    )
                    .expect("rule evaluates"),
            );
        });
        let rate = memo.hits as f64 * 100.0 / (memo.hits + memo.misses).max(1) as f64;
        row(
            label,
            "memo",
            n,
            secs,
            &format!("{rate:.1} % hits, {} nodes", memo.len()),
        );
    }
}
