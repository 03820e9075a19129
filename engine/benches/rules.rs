//! Rule evaluation throughput: evaluations per second of a threshold rule and of the riksnorm
//! household computation, on the bundled Lindesberg configuration.
//!
//! Run: `cargo bench -p steg-engine --bench rules` (optional argument: evaluations per run).

use std::path::Path;
use std::time::Instant;
use steg_engine::{load_municipality, Arende, SourceMap};

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

    let threshold = Arende::from_json(
        "p1",
        serde_json::json!({ "arbetsformaga": 0.3 })
            .as_object()
            .expect("an object"),
    );
    let household = Arende::from_json(
        "p2",
        serde_json::json!({
            "sammanboende": true,
            "hushall": [
                { "alder": 38, "barn": false }, { "alder": 36, "barn": false },
                { "alder": 4, "barn": true }, { "alder": 12, "barn": true }
            ]
        })
        .as_object()
        .expect("an object"),
    );
    println!(
        "{:<34} {:>12} {:>14} {:>12}",
        "rule", "evaluations", "evals/s", "µs/eval"
    );
    for (label, rule, arende) in [
        (
            "arbetsformaga_minst_25 (threshold)",
            "arbetsformaga_minst_25",
            &threshold,
        ),
        ("riksnorm (4-person household)", "riksnorm", &household),
    ] {
        // Warm up, then the best of three runs.
        for _ in 0..1000 {
            let _ = m
                .rules
                .call(&sources, rule, arende, &m.params, date)
                .expect("rule evaluates");
        }
        let mut best = f64::MAX;
        for _ in 0..3 {
            let start = Instant::now();
            for _ in 0..n {
                let _ = std::hint::black_box(
                    m.rules
                        .call(&sources, rule, arende, &m.params, date)
                        .expect("rule evaluates"),
                );
            }
            best = best.min(start.elapsed().as_secs_f64());
        }
        println!(
            "{:<34} {:>12} {:>14.0} {:>12.2}",
            label,
            n,
            n as f64 / best,
            best * 1e6 / n as f64
        );
    }
}
