//! Benchmark of the soundness decision of PNML models (`steg check MODELS`): generated workflow
//! nets of industrial shapes and sizes, decided by steg and, side by side on the same files, by
//! pm4py's Woflan.
//!
//! ```text
//! cargo bench -p steg-engine --bench net_soundness                 # both sets, then Woflan
//! cargo bench -p steg-engine --bench net_soundness -- --no-woflan  # steg only
//! STEG_BENCH_DIR=/tmp/nets cargo bench -p steg-engine --bench net_soundness   # keep the files
//! ```
//!
//! Woflan runs through `engine/benches/woflan.py` (`python3` with `pip install pm4py`), two
//! processes at a time like steg's two threads, 60 s per model at most; without pm4py the bench
//! says so and reports steg alone. It is never run by `cargo test`.
//!
//! The nets (a fixed seed, so every run decides the same files):
//!
//! - **sizes**: 20 nets of each of 50, 100, 200, 500 and 1,000 nodes (places and transitions),
//!   each a random nesting of sequences, parallel blocks (2–4 branches), exclusive blocks, loops
//!   and a non-free-choice pattern (two choices whose four combinations meet in four joins),
//!   with one source and one sink (workflow nets: nothing leads back into the source) and the
//!   final marking written in the file (ProM's `<finalmarkings>`, which Woflan needs). Seven in ten are sound by construction; three in
//!   ten get one random change (an arc added or removed), which mostly makes them unsound.
//! - **library**: 1,386 nets with the sizes of the IBM process library (Fahland et al. 2009:
//!   82 nodes on average, at most 548), half of them ending in parallel branches at sinks of
//!   their own (the several-sinks reading), written as pnapi writes them (`<module>`, an empty
//!   final marking). Woflan needs one sink, so it is run on the sizes set only.
//!
//! Reported: models per second, the largest model and its time, the verdict counts, peak
//! resident memory (Linux `VmHWM`), and for Woflan its total time, the models it answered, and
//! every model where the two disagree.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// splitmix64: a small seeded generator, so the nets are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A block of a workflow net.
enum Block {
    Task,
    Seq(Vec<Block>),
    And(Vec<Block>),
    Xor(Vec<Block>),
    Loop(Box<Block>, Box<Block>),
    /// Two choices after a split whose four combinations meet in four joins (not free-choice).
    Cross,
}

/// A block of about `budget` nodes.
fn block(rng: &mut Rng, budget: usize) -> Block {
    if budget < 4 {
        return Block::Task;
    }
    let split = |rng: &mut Rng, k: usize, total: usize| -> Vec<usize> {
        let mut parts = vec![1usize; k];
        for _ in 0..total.saturating_sub(k) {
            parts[rng.below(k)] += 1;
        }
        parts
    };
    match rng.below(12) {
        0..=4 => {
            let k = 2 + rng.below(3);
            let parts = split(rng, k, budget.saturating_sub(k));
            Block::Seq(parts.into_iter().map(|b| block(rng, b)).collect())
        }
        5..=7 => {
            let k = 2 + rng.below(3);
            let parts = split(rng, k, budget.saturating_sub(4 + k));
            Block::And(parts.into_iter().map(|b| block(rng, b)).collect())
        }
        8..=9 => {
            let k = 2 + rng.below(2);
            let parts = split(rng, k, budget);
            Block::Xor(parts.into_iter().map(|b| block(rng, b)).collect())
        }
        10 => {
            let body = budget * 2 / 3;
            Block::Loop(
                Box::new(block(rng, body)),
                Box::new(block(rng, budget - body - 2)),
            )
        }
        _ if budget >= 16 => {
            let rest = budget - 16;
            Block::Seq(vec![Block::Cross, block(rng, rest)])
        }
        _ => Block::Task,
    }
}

#[derive(Default)]
struct NetText {
    places: usize,
    /// (pre places, post places) per transition.
    trans: Vec<(Vec<usize>, Vec<usize>)>,
}

impl NetText {
    fn place(&mut self) -> usize {
        self.places += 1;
        self.places - 1
    }
    fn t(&mut self, pre: Vec<usize>, post: Vec<usize>) {
        self.trans.push((pre, post));
    }
    fn build(&mut self, b: &Block, from: usize, to: usize) {
        match b {
            Block::Task => self.t(vec![from], vec![to]),
            Block::Seq(bs) => {
                let mut at = from;
                for (k, x) in bs.iter().enumerate() {
                    let next = if k + 1 == bs.len() { to } else { self.place() };
                    self.build(x, at, next);
                    at = next;
                }
            }
            Block::And(bs) => {
                let starts: Vec<usize> = bs.iter().map(|_| self.place()).collect();
                let ends: Vec<usize> = bs.iter().map(|_| self.place()).collect();
                self.t(vec![from], starts.clone());
                for (k, x) in bs.iter().enumerate() {
                    self.build(x, starts[k], ends[k]);
                }
                self.t(ends, vec![to]);
            }
            Block::Xor(bs) => {
                for x in bs {
                    self.build(x, from, to);
                }
            }
            Block::Loop(body, redo) => {
                let mid = self.place();
                self.build(body, from, mid);
                self.build(redo, mid, from);
                self.t(vec![mid], vec![to]);
            }
            Block::Cross => {
                let [x, y, c1, c2, d1, d2] = [(); 6].map(|_| self.place());
                self.t(vec![from], vec![x, y]);
                self.t(vec![x], vec![c1]);
                self.t(vec![x], vec![c2]);
                self.t(vec![y], vec![d1]);
                self.t(vec![y], vec![d2]);
                for c in [c1, c2] {
                    for d in [d1, d2] {
                        self.t(vec![c, d], vec![to]);
                    }
                }
            }
        }
    }
    fn nodes(&self) -> usize {
        self.places + self.trans.len()
    }
    /// One random change: an output arc added, or an input or output arc removed.
    fn mutate(&mut self, rng: &mut Rng) {
        let t = rng.below(self.trans.len());
        match rng.below(3) {
            0 => {
                let p = rng.below(self.places);
                if !self.trans[t].1.contains(&p) {
                    self.trans[t].1.push(p);
                }
            }
            1 if self.trans[t].0.len() > 1 => {
                let k = rng.below(self.trans[t].0.len());
                self.trans[t].0.remove(k);
            }
            _ if self.trans[t].1.len() > 1 => {
                let k = rng.below(self.trans[t].1.len());
                self.trans[t].1.remove(k);
            }
            _ => {
                let p = rng.below(self.places);
                self.trans[t].1.push(p);
                self.trans[t].1.dedup();
            }
        }
    }
    /// ProM's PNML (with `<finalmarkings>`), or pnapi's (`<module>`, an empty final marking).
    fn pnml(&self, id: &str, finals: Option<usize>, pnapi: bool) -> String {
        let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<pnml>\n");
        if pnapi {
            s.push_str("<module>\n");
        }
        let _ = writeln!(
            s,
            "<net id=\"{id}\" type=\"http://www.pnml.org/version-2009/grammar/pnmlcoremodel\">\n<name><text>{id}</text></name>\n<page id=\"page\">"
        );
        for p in 0..self.places {
            if p == 0 {
                let _ = writeln!(
                    s,
                    "<place id=\"p0\"><name><text>p0</text></name><initialMarking><text>1</text></initialMarking></place>"
                );
            } else {
                let _ = writeln!(
                    s,
                    "<place id=\"p{p}\"><name><text>p{p}</text></name></place>"
                );
            }
        }
        for (t, _) in self.trans.iter().enumerate() {
            let _ = writeln!(
                s,
                "<transition id=\"t{t}\"><name><text>t{t}</text></name></transition>"
            );
        }
        let mut a = 0;
        for (t, (pre, post)) in self.trans.iter().enumerate() {
            for p in pre {
                a += 1;
                let _ = writeln!(s, "<arc id=\"a{a}\" source=\"p{p}\" target=\"t{t}\"/>");
            }
            for p in post {
                a += 1;
                let _ = writeln!(s, "<arc id=\"a{a}\" source=\"t{t}\" target=\"p{p}\"/>");
            }
        }
        s.push_str("</page>\n");
        if !pnapi {
            if let Some(o) = finals {
                let _ = writeln!(
                    s,
                    "<finalmarkings><marking><place idref=\"p{o}\"><text>1</text></place></marking></finalmarkings>"
                );
            }
        }
        s.push_str("</net>\n");
        if pnapi {
            s.push_str("<finalmarkings><marking></marking></finalmarkings>\n</module>\n");
        }
        s.push_str("</pnml>\n");
        s
    }
}

/// A workflow net of about `size` nodes; `sinks` > 1 ends it in that many parallel branches,
/// each at a sink of its own.
fn workflow(rng: &mut Rng, size: usize, sinks: usize, mutate: bool) -> NetText {
    let mut n = NetText::default();
    let i = n.place();
    let o = n.place();
    // A start transition, so that no loop leads back into the source place (a workflow net's
    // source has no incoming arc, which Woflan requires).
    let first = n.place();
    n.t(vec![i], vec![first]);
    let b = block(rng, size.saturating_sub(4 + 3 * sinks));
    if sinks <= 1 {
        n.build(&b, first, o);
    } else {
        let mid = n.place();
        n.build(&b, first, mid);
        let ends: Vec<usize> = std::iter::once(o)
            .chain((1..sinks).map(|_| n.place()))
            .collect();
        let starts: Vec<usize> = ends.iter().map(|_| n.place()).collect();
        n.t(vec![mid], starts.clone());
        for (s, e) in starts.into_iter().zip(ends) {
            n.t(vec![s], vec![e]);
        }
    }
    if mutate {
        n.mutate(rng);
    }
    n
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Write `nets` as PNML files into `dir`; the files.
fn write(dir: &Path, nets: &[(String, NetText, Option<usize>, bool)]) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).expect("bench folder");
    let mut files = Vec::new();
    for (name, n, finals, pnapi) in nets {
        let f = dir.join(format!("{name}.pnml"));
        std::fs::write(&f, n.pnml(name, *finals, *pnapi)).expect("write a net");
        files.push(f);
    }
    files
}

struct Run {
    verdicts: Vec<(String, String)>,
    seconds: f64,
    /// (states explored, peak bytes of one exploration, file) of the model that explored most.
    most: Option<(usize, usize, String)>,
}

/// `steg check` of `files` (import and decide, in parallel): the verdict per file.
fn steg(files: &[PathBuf]) -> Run {
    let start = Instant::now();
    let checked = steg_engine::check_models(files, false);
    let seconds = start.elapsed().as_secs_f64();
    let most = checked
        .summaries
        .iter()
        .map(|s| {
            (
                s.effort.states,
                s.effort.peak_bytes,
                s.path
                    .file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
            )
        })
        .max();
    let verdicts = checked
        .summaries
        .iter()
        .map(|s| {
            (
                s.path
                    .file_name()
                    .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
                s.verdict.word().to_string(),
            )
        })
        .collect();
    Run {
        verdicts,
        seconds,
        most,
    }
}

fn counts(v: &[(String, String)]) -> String {
    let c = |w: &str| v.iter().filter(|(_, x)| x == w).count();
    format!(
        "{} sound, {} not sound, {} not decided",
        c("sound"),
        c("not sound"),
        c("not decided")
    )
}

fn main() {
    let no_woflan = std::env::args().any(|a| a == "--no-woflan");
    let base = std::env::var("STEG_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            std::env::temp_dir().join(format!("steg-bench-nets-{}", std::process::id()))
        });
    let keep = std::env::var("STEG_BENCH_DIR").is_ok();
    let mut rng = Rng(2009);

    // The sizes set.
    let mut sizes = Vec::new();
    for &size in &[50usize, 100, 200, 500, 1000] {
        for k in 0..20 {
            let mutate = k % 10 >= 7;
            let n = workflow(&mut rng, size, 1, mutate);
            sizes.push((format!("s{size:04}_{k:02}"), n, Some(1), false));
        }
    }
    let sizes_dir = base.join("sizes");
    let size_files = write(&sizes_dir, &sizes);
    let largest = sizes
        .iter()
        .map(|(_, n, _, _)| n.nodes())
        .max()
        .unwrap_or(0);

    // The library set: IBM-like sizes (a long tail: most small, a few up to 550 nodes).
    let mut library = Vec::new();
    for k in 0..1386 {
        let u = (rng.below(1_000_000) as f64 + 0.5) / 1_000_000.0;
        let size = (20.0 + 60.0 * (-u.ln()).powf(1.3)).min(550.0) as usize;
        let sinks = if k % 2 == 0 { 1 } else { 2 + rng.below(3) };
        let mutate = rng.below(2) == 0;
        let n = workflow(&mut rng, size, sinks, mutate);
        library.push((format!("l{k:04}"), n, None, true));
    }
    let lib_dir = base.join("library");
    let lib_files = write(&lib_dir, &library);
    let lib_nodes: usize = library.iter().map(|(_, n, _, _)| n.nodes()).sum();
    let lib_max = library
        .iter()
        .map(|(_, n, _, _)| n.nodes())
        .max()
        .unwrap_or(0);

    println!(
        "threads: {} (rayon); budget per net: {} states, {} MiB",
        rayon::current_num_threads(),
        steg_engine::NET_BUDGET.states,
        steg_engine::NET_BUDGET.bytes >> 20
    );
    // steg on the sizes set, per size and in all.
    let run = steg(&size_files);
    println!(
        "sizes: {} nets of 50–1,000 nodes (largest {largest} nodes): {:.3} s, {:.0} models/s; {}",
        size_files.len(),
        run.seconds,
        size_files.len() as f64 / run.seconds,
        counts(&run.verdicts)
    );
    for &size in &[50usize, 100, 200, 500, 1000] {
        let files: Vec<PathBuf> = size_files
            .iter()
            .filter(|f| f.to_string_lossy().contains(&format!("s{size:04}_")))
            .cloned()
            .collect();
        let r = steg(&files);
        println!(
            "  {size:>5} nodes: {:>3} nets in {:.4} s ({:.1} ms per net); {}",
            files.len(),
            r.seconds,
            1000.0 * r.seconds / files.len() as f64,
            counts(&r.verdicts)
        );
    }
    // The largest model alone.
    if let Some((name, n, _, _)) = sizes.iter().max_by_key(|(_, n, _, _)| n.nodes()) {
        let f = sizes_dir.join(format!("{name}.pnml"));
        let r = steg(std::slice::from_ref(&f));
        println!(
            "  largest: {name} ({} nodes): {:.4} s, {}",
            n.nodes(),
            r.seconds,
            r.verdicts.first().map_or("", |v| v.1.as_str())
        );
    }
    let lib = steg(&lib_files);
    println!(
        "library: {} nets, {lib_nodes} nodes in all (largest {lib_max}), half with several sinks: {:.3} s, {:.0} models/s; {}",
        lib_files.len(),
        lib.seconds,
        lib_files.len() as f64 / lib.seconds,
        counts(&lib.verdicts)
    );
    for (what, r) in [("sizes", &run), ("library", &lib)] {
        if let Some((states, bytes, file)) = &r.most {
            println!(
                "  {what}: most states explored by one model: {states} ({file}, {:.1} MiB at its peak)",
                *bytes as f64 / (1 << 20) as f64
            );
        }
    }
    if let Some(kib) = peak_rss_kib() {
        println!(
            "peak resident memory of the bench process: {:.1} MiB",
            kib as f64 / 1024.0
        );
    }

    if !no_woflan {
        woflan(&sizes_dir, &run);
    }
    if keep {
        println!("files kept in {}", base.display());
    } else {
        let _ = std::fs::remove_dir_all(&base);
    }
}

/// Run `engine/benches/woflan.py` on `dir` and print its verdicts beside steg's.
fn woflan(dir: &Path, steg: &Run) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("benches")
        .join("woflan.py");
    let out = std::process::Command::new("python3")
        .arg(&script)
        .arg(dir)
        .args(["--timeout", "60", "--jobs", "2"])
        .output();
    let out = match out {
        Ok(o) if o.status.success() => o,
        Ok(o) => {
            println!(
                "woflan: not run ({}); `pip install pm4py` to compare",
                String::from_utf8_lossy(&o.stderr)
                    .lines()
                    .last()
                    .unwrap_or("python3 failed")
            );
            return;
        }
        Err(e) => {
            println!("woflan: not run (python3: {e})");
            return;
        }
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let mut answers: Vec<(String, Option<bool>, f64, Option<String>)> = Vec::new();
    let mut wall = 0.0;
    for line in text.lines() {
        if let Some(j) = line.strip_prefix("RESULT ") {
            let v: serde_json::Value = serde_json::from_str(j).unwrap_or_default();
            answers.push((
                v["file"].as_str().unwrap_or_default().to_string(),
                v["sound"].as_bool(),
                v["seconds"].as_f64().unwrap_or(0.0),
                v["error"].as_str().map(str::to_string),
            ));
        } else if let Some(j) = line.strip_prefix("WALL ") {
            let v: serde_json::Value = serde_json::from_str(j).unwrap_or_default();
            wall = v["seconds"].as_f64().unwrap_or(0.0);
        }
    }
    let answered = answers.iter().filter(|a| a.1.is_some()).count();
    let woflan_time: f64 = answers.iter().map(|a| a.2).sum();
    println!(
        "woflan (pm4py): {} nets, {answered} answered, {:.3} s wall ({:.3} s summed over models); steg {:.3} s: {:.0}× faster",
        answers.len(),
        wall,
        woflan_time,
        steg.seconds,
        if steg.seconds > 0.0 { wall / steg.seconds } else { 0.0 }
    );
    let mut agree = 0;
    let mut disagree = Vec::new();
    let mut unanswered = Vec::new();
    for (file, sound, secs, err) in &answers {
        let ours = steg
            .verdicts
            .iter()
            .find(|(f, _)| f == file)
            .map_or("?", |(_, v)| v.as_str());
        match sound {
            Some(s) => {
                let theirs = if *s { "sound" } else { "not sound" };
                if theirs == ours {
                    agree += 1;
                } else {
                    disagree.push(format!(
                        "{file}: steg {ours}, woflan {theirs} ({secs:.3} s)"
                    ));
                }
            }
            None => unanswered.push(format!(
                "{file}: steg {ours}, woflan {}",
                err.as_deref().unwrap_or("no answer")
            )),
        }
    }
    println!(
        "  agree on {agree} of {answered} answered; disagree on {}",
        disagree.len()
    );
    for d in disagree.iter().chain(&unanswered) {
        println!("    {d}");
    }
}
