//! Benchmark of `steg import` + check on folders of generated BPMN and PNML models of growing
//! size (no timing assertions).
//!
//! ```text
//! cargo bench -p steg-engine --bench import                  # the default set of sizes
//! cargo bench -p steg-engine --bench import -- 10 100 1000   # only models of these block counts
//! STEG_BENCH_DIR=/tmp/models cargo bench -p steg-engine --bench import   # keep the files
//! ```
//!
//! A model of `b` blocks is one process (BPMN) or one net (PNML) of `b` repeated blocks: a
//! task, an exclusive choice without conditions between two tasks (a free choice), a merge, a
//! parallel split into two tasks and their join; about 8 BPMN elements and 9 flows a block, or
//! 7 transitions and 7 places. Every model is sound. For each size the folder holds 8 BPMN and
//! 8 PNML models; [`steg_engine::check_models`] imports and checks a folder in parallel (one
//! rayon task per file, as `steg check FOLDER` and `steg import FOLDER` do), the largest BPMN
//! and PNML model are also imported and checked alone, and the largest BPMN model imported
//! without the checks (`import only`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Models of each format per size.
const PER_SIZE: usize = 8;

fn bpmn(blocks: usize) -> String {
    let mut x = String::with_capacity(blocks * 1600);
    x.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" id=\"D\" targetNamespace=\"urn:bench\">\n  <bpmn:process id=\"P\" isExecutable=\"false\">\n    <bpmn:startEvent id=\"S\" />\n",
    );
    let mut flows = String::with_capacity(blocks * 900);
    let mut f = 0;
    let mut flow = |from: &str, to: &str| {
        f += 1;
        let _ = writeln!(
            flows,
            "    <bpmn:sequenceFlow id=\"F{f}\" sourceRef=\"{from}\" targetRef=\"{to}\" />"
        );
    };
    let mut prev = "S".to_string();
    for b in 0..blocks {
        for (tag, id) in [
            ("task", "A"),
            ("exclusiveGateway", "X"),
            ("task", "B"),
            ("task", "C"),
            ("exclusiveGateway", "M"),
            ("parallelGateway", "F"),
            ("task", "D"),
            ("task", "E"),
            ("parallelGateway", "J"),
        ] {
            let _ = writeln!(x, "    <bpmn:{tag} id=\"{id}{b}\" name=\"{id} {b}\" />");
        }
        flow(&prev, &format!("A{b}"));
        flow(&format!("A{b}"), &format!("X{b}"));
        flow(&format!("X{b}"), &format!("B{b}"));
        flow(&format!("X{b}"), &format!("C{b}"));
        flow(&format!("B{b}"), &format!("M{b}"));
        flow(&format!("C{b}"), &format!("M{b}"));
        flow(&format!("M{b}"), &format!("F{b}"));
        flow(&format!("F{b}"), &format!("D{b}"));
        flow(&format!("F{b}"), &format!("E{b}"));
        flow(&format!("D{b}"), &format!("J{b}"));
        flow(&format!("E{b}"), &format!("J{b}"));
        prev = format!("J{b}");
    }
    x.push_str("    <bpmn:endEvent id=\"End\" name=\"klar\" />\n");
    flow(&prev, "End");
    x.push_str(&flows);
    x.push_str("  </bpmn:process>\n</bpmn:definitions>\n");
    x
}

fn pnml(blocks: usize) -> String {
    let mut x = String::with_capacity(blocks * 1400);
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<pnml xmlns=\"http://www.pnml.org/version-2009/grammar/pnml\">\n  <net id=\"n\" type=\"http://www.pnml.org/version-2009/grammar/ptnet\">\n    <page id=\"pg\">\n      <place id=\"i\"><initialMarking><text>1</text></initialMarking></place>\n");
    let mut arcs = String::with_capacity(blocks * 800);
    let mut a = 0;
    let mut arc = |from: &str, to: &str| {
        a += 1;
        let _ = writeln!(
            arcs,
            "      <arc id=\"a{a}\" source=\"{from}\" target=\"{to}\" />"
        );
    };
    let mut prev = "i".to_string();
    for b in 0..blocks {
        for p in ["q", "r", "s", "u", "v", "w"] {
            let _ = writeln!(x, "      <place id=\"{p}{b}\" />");
        }
        for t in ["ta", "tb", "tc", "td", "te", "tf", "tj"] {
            let _ = writeln!(
                x,
                "      <transition id=\"{t}{b}\"><name><text>{t} {b}</text></name></transition>"
            );
        }
        // prev → ta → q; q → tb | tc → r; r → td (split) → s, u; s → te → v; u → tf → w;
        // v, w → tj (join) → next.
        arc(&prev, &format!("ta{b}"));
        arc(&format!("ta{b}"), &format!("q{b}"));
        for t in ["tb", "tc"] {
            arc(&format!("q{b}"), &format!("{t}{b}"));
            arc(&format!("{t}{b}"), &format!("r{b}"));
        }
        arc(&format!("r{b}"), &format!("td{b}"));
        arc(&format!("td{b}"), &format!("s{b}"));
        arc(&format!("td{b}"), &format!("u{b}"));
        arc(&format!("s{b}"), &format!("te{b}"));
        arc(&format!("u{b}"), &format!("tf{b}"));
        arc(&format!("te{b}"), &format!("v{b}"));
        arc(&format!("tf{b}"), &format!("w{b}"));
        arc(&format!("v{b}"), &format!("tj{b}"));
        arc(&format!("w{b}"), &format!("tj{b}"));
        prev = format!("p_next{b}");
        let _ = writeln!(x, "      <place id=\"{prev}\" />");
        arc(&format!("tj{b}"), &prev);
    }
    let _ = writeln!(x, "      <transition id=\"t_end\"><name><text>avsluta</text></name></transition>\n      <place id=\"o\"><name><text>klar</text></name></place>");
    arc(&prev, "t_end");
    arc("t_end", "o");
    x.push_str(&arcs);
    x.push_str("    </page>\n  </net>\n</pnml>\n");
    x
}

fn write_folder(root: &Path, blocks: usize) -> (PathBuf, Vec<PathBuf>, u64) {
    let dir = root.join(format!("models_{blocks}"));
    std::fs::create_dir_all(&dir).expect("create the models folder");
    let mut files = Vec::new();
    let mut bytes = 0;
    for i in 0..PER_SIZE {
        for (ext, text) in [("bpmn", bpmn(blocks)), ("pnml", pnml(blocks))] {
            let p = dir.join(format!("model_{i}.{ext}"));
            bytes += text.len() as u64;
            std::fs::write(&p, text).expect("write a model");
            files.push(p);
        }
    }
    (dir, files, bytes)
}

fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..runs {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed());
        out = Some(r);
    }
    (best, out.expect("at least one run"))
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if args.is_empty() {
        vec![10, 100, 500, 2000]
    } else {
        args
    };
    let keep = std::env::var_os("STEG_BENCH_DIR").map(PathBuf::from);
    let root = keep.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("steg-bench-import-{}", std::process::id()))
    });
    println!(
        "import + check of {} models per size ({PER_SIZE} BPMN, {PER_SIZE} PNML), {} rayon threads",
        2 * PER_SIZE,
        rayon::current_num_threads()
    );
    println!(
        "{:>7} {:>8} {:>10} {:>12} {:>14} {:>16} {:>16} {:>14}",
        "blocks",
        "steps",
        "MB",
        "folder",
        "models/s",
        "largest bpmn",
        "largest pnml",
        "import only"
    );
    for blocks in sizes {
        let (_dir, files, bytes) = write_folder(&root, blocks);
        let runs = if blocks >= 1000 { 2 } else { 4 };
        let (folder_time, checked) = best(runs, || steg_engine::check_models(&files, false));
        let errors = checked.report.count(steg_engine::Severity::Error);
        assert_eq!(errors, 0, "generated models are sound");
        let steps: usize = checked.summaries.iter().map(|s| s.steps).max().unwrap_or(0);
        let one = |ext: &str| {
            let f: Vec<PathBuf> = files
                .iter()
                .filter(|p| p.extension().is_some_and(|x| x == ext))
                .take(1)
                .cloned()
                .collect();
            best(runs, || steg_engine::check_models(&f, false)).0
        };
        let (tb, tp) = (one("bpmn"), one("pnml"));
        // The import alone (parse + conversion, no checks) of the largest BPMN model.
        let largest = files
            .iter()
            .find(|p| p.extension().is_some_and(|x| x == "bpmn"))
            .expect("a BPMN model");
        let text = std::fs::read_to_string(largest).expect("read the model");
        let (ti, _) = best(runs, || {
            steg_engine::import_text(largest, &text, steg_engine::FileId(0))
        });
        println!(
            "{:>7} {:>8} {:>10.2} {:>10.3} s {:>14.1} {:>14.3} s {:>14.3} s {:>12.3} s",
            blocks,
            steps,
            bytes as f64 / 1e6,
            folder_time.as_secs_f64(),
            files.len() as f64 / folder_time.as_secs_f64(),
            tb.as_secs_f64(),
            tp.as_secs_f64(),
            ti.as_secs_f64(),
        );
    }
    if keep.is_none() {
        let _ = std::fs::remove_dir_all(&root);
    }
}
