//! Benchmark of `steg check` on large generated municipalities (no timing assertions).
//!
//! ```text
//! cargo bench -p steg-engine --bench check                 # 1 000, 10 000 and 100 000 steps
//! cargo bench -p steg-engine --bench check -- 1000 10k     # only these sizes
//! STEG_BENCH_DIR=/tmp/big cargo bench -p steg-engine --bench check -- 100k   # keep the files
//! ```
//!
//! Each size is one municipality of two workflows: a main workflow of repeated ten-step blocks
//! (intake, a three-way decision, an investigation, a wait for an event or a timer, a decision
//! that may refer the case to the second workflow, a rejection end) and a second workflow of
//! five-step blocks with its own choices, recurring timers and ends. Every step is reachable
//! and can finish, so the report is clean. The files are written once; then
//! [`steg_engine::check_folder`] (load + every check) is timed over a few warm runs, and the
//! load alone ([`steg_engine::load_municipality`]) and the graph alone ([`steg_engine::Graph`])
//! are timed separately. The checks themselves are not public; their time is the total minus
//! the load.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Steps per block of the main workflow and of the referred workflow.
const MAIN_BLOCK: usize = 10;
const SUB_BLOCK: usize = 5;

/// The step name of block `b`'s step `s`, with a prefix per workflow.
fn n(prefix: &str, b: usize, s: &str) -> String {
    format!("{prefix}{b}_{s}")
}

/// The referred workflow `utredning`: `blocks` five-step blocks and a final end; `5 * blocks + 1`
/// steps. Ends with `klar` (at the last step) or `avbruten` (in every block).
fn sub_workflow(blocks: usize) -> String {
    let mut y = String::with_capacity(blocks * 500);
    y.push_str(
        "workflow: utredning\ntitle: Fördjupad utredning\nunit: enheten\nstart: u0_inskrivning\nsteps:\n",
    );
    let next_block = |b: usize| {
        if b + 1 == blocks {
            "klar".to_string()
        } else {
            n("u", b + 1, "inskrivning")
        }
    };
    for b in 0..blocks {
        let nb = next_block(b);
        let _ = write!(
            y,
            "  {a}: {{ actor: utredare, duration: 1d..3d, next: {bb} }}\n  \
             {bb}:\n    kind: decision\n    actor: utredare\n    legal_basis: \"SoL 11 kap. 1 §\"\n    next:\n      \
             - {{ when: \"arende.poang > {b}\", to: {c} }}\n      - {{ else: {d} }}\n  \
             {c}:\n    kind: wait\n    on:\n      - {{ every: 1mo, to: {d} }}\n      - {{ event: avbrott, to: {e} }}\n  \
             {d}: {{ actor: utredare, within: 14d, next: {nb} }}\n  \
             {e}: {{ kind: end, outcome: avbruten }}\n",
            a = n("u", b, "inskrivning"),
            bb = n("u", b, "bedomning"),
            c = n("u", b, "uppfoljning"),
            d = n("u", b, "rapport"),
            e = n("u", b, "avbrott"),
        );
    }
    y.push_str("  klar: { kind: end, outcome: klar }\n");
    y
}

/// The main workflow `huvud`: `blocks` ten-step blocks, `pad` extra tasks, a final end;
/// `10 * blocks + pad + 1` steps. Every block's referral goes to `utredning`.
fn main_workflow(blocks: usize, pad: usize) -> String {
    let mut y = String::with_capacity(blocks * 1200);
    y.push_str(
        "workflow: huvud\ntitle: Ekonomiskt bistånd\nunit: enheten\nstart: b0_mottagning\nsteps:\n",
    );
    let next_block = |b: usize| {
        if b + 1 < blocks {
            n("b", b + 1, "mottagning")
        } else if pad > 0 {
            "pad0".to_string()
        } else {
            "avslut".to_string()
        }
    };
    for b in 0..blocks {
        let s = |name: &str| n("b", b, name);
        let _ = write!(
            y,
            "  {mottagning}: {{ actor: handlaggare, duration: 1d, next: {bedomning} }}\n  \
             {bedomning}:\n    kind: decision\n    actor: handlaggare\n    legal_basis: \"SoL 4 kap. 1 §\"\n    next:\n      \
             - {{ when: \"arende.belopp > {b}\", to: {utredning} }}\n      \
             - {{ when: \"arende.komplett == false\", to: {vanta} }}\n      \
             - {{ else: {beslut} }}\n  \
             {utredning}: {{ actor: handlaggare, duration: 2d..5d, within: 1mo, next: {granskning} }}\n  \
             {granskning}: {{ actor: chef, next: {beslut} }}\n  \
             {vanta}:\n    kind: wait\n    on:\n      - {{ event: komplettering, to: {komplettera} }}\n      \
             - {{ after: 30d, to: {avslag} }}\n  \
             {komplettera}: {{ actor: handlaggare, next: {bedomning} }}\n  \
             {beslut}:\n    kind: decision\n    actor: chef\n    legal_basis: \"SoL 4 kap. 1 §\"\n    next:\n      \
             - {{ when: \"arende.behov_utredning\", to: {remiss} }}\n      \
             - {{ else: {underrattelse} }}\n  \
             {remiss}:\n    kind: referral\n    actor: handlaggare\n    refer_to: {{ workflow: utredning }}\n    \
             returns: {{ klar: {underrattelse}, avbruten: {avslag} }}\n  \
             {underrattelse}: {{ actor: handlaggare, next: {nb} }}\n  \
             {avslag}: {{ kind: end, outcome: avslag }}\n",
            mottagning = s("mottagning"),
            bedomning = s("bedomning"),
            utredning = s("utredning"),
            granskning = s("granskning"),
            vanta = s("vanta"),
            komplettera = s("komplettera"),
            beslut = s("beslut"),
            remiss = s("remiss"),
            underrattelse = s("underrattelse"),
            avslag = s("avslag"),
            nb = next_block(b),
        );
    }
    for p in 0..pad {
        let to = if p + 1 < pad {
            format!("pad{}", p + 1)
        } else {
            "avslut".to_string()
        };
        let _ = writeln!(y, "  pad{p}: {{ actor: handlaggare, next: {to} }}");
    }
    y.push_str("  avslut: { kind: end, outcome: beviljat }\n");
    y
}

const MUNICIPALITY: &str = "\
municipality: Benchmark
description: Generated by engine/benches/check.rs
rules: []
units:
  enheten: { title: Enheten }
roles:
  handlaggare: { title: Handläggare, unit: enheten, staff: 10 }
  chef: { title: Chef, unit: enheten, staff: 1 }
  utredare: { title: Utredare, unit: enheten, staff: 4 }
events:
  komplettering: { description: Komplettering inkommen }
  avbrott: { description: Utredningen avbryts }
";

/// Write a municipality of exactly `steps` steps (at least 17) into `dir`; returns the bytes
/// of YAML written.
fn generate(dir: &Path, steps: usize) -> u64 {
    let sub_blocks = (steps / 10 / SUB_BLOCK).max(1);
    let sub_steps = SUB_BLOCK * sub_blocks + 1;
    let rest = steps - sub_steps - 1;
    let main_blocks = rest / MAIN_BLOCK;
    let pad = rest % MAIN_BLOCK;
    let files = [
        ("municipality.yaml", MUNICIPALITY.to_string()),
        ("huvud.yaml", main_workflow(main_blocks, pad)),
        ("utredning.yaml", sub_workflow(sub_blocks)),
    ];
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("create the benchmark folder");
    let mut bytes = 0;
    for (name, text) in files {
        bytes += text.len() as u64;
        std::fs::write(dir.join(name), text).expect("write a benchmark file");
    }
    bytes
}

/// Minimum and median of some timings.
fn stats(mut ts: Vec<Duration>) -> (Duration, Duration) {
    ts.sort();
    (ts[0], ts[ts.len() / 2])
}

/// Time `runs` calls of `f` after one warm-up call (file cache, allocator). The result is
/// dropped outside the timed region: freeing a 100 000-step model takes tens of milliseconds,
/// which a command line that exits right after the report need not spend.
fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Vec<Duration> {
    drop(std::hint::black_box(f()));
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            let out = std::hint::black_box(f());
            let elapsed = t.elapsed();
            drop(out);
            elapsed
        })
        .collect()
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e3)
}

fn parse_size(arg: &str) -> Option<usize> {
    let a = arg.replace('_', "").to_lowercase();
    match a.strip_suffix('k') {
        Some(k) => k.parse::<usize>().ok().map(|k| k * 1000),
        None => a.parse().ok(),
    }
}

fn main() {
    // `cargo bench` passes `--bench`; other flags are ignored too.
    let mut sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .map(|a| parse_size(&a).unwrap_or_else(|| panic!("not a step count: {a}")))
        .collect();
    if sizes.is_empty() {
        sizes = vec![1_000, 10_000, 100_000];
    }
    // STEG_BENCH_DIR=DIR writes the municipalities to DIR/m<steps> and keeps them (to profile
    // `steg check` on them, for instance); by default they go to a temporary folder.
    let keep = std::env::var_os("STEG_BENCH_DIR").map(PathBuf::from);
    let root = keep
        .clone()
        .unwrap_or_else(|| std::env::temp_dir().join(format!("steg-bench-{}", std::process::id())));

    println!(
        "{:>8} {:>9} {:>4} {:>17} {:>17} {:>17} {:>17} {:>11}",
        "steps",
        "yaml",
        "runs",
        "total min/med ms",
        "load min/med ms",
        "checks* med ms",
        "graph min/med ms",
        "steps/s"
    );
    for &steps in &sizes {
        let steps = steps.max(17);
        let dir = root.join(format!("m{steps}"));
        let bytes = generate(&dir, steps);

        // The output must be clean, or the timing is of something else.
        let report = steg_engine::check_folder(&dir);
        let counted: usize = report
            .municipalities
            .iter()
            .flat_map(|m| &m.workflows)
            .map(|w| w.def.steps.len())
            .sum();
        assert_eq!(
            counted, steps,
            "generator produced {counted} steps, not {steps}"
        );
        if !report.diagnostics.is_empty() {
            eprintln!("the generated municipality is not clean:");
            for d in report.diagnostics.iter().take(10) {
                eprintln!("  {} {:?}: {}", d.code(), d.step, d.message);
            }
            std::process::exit(1);
        }

        let runs = if steps <= 10_000 { 15 } else { 5 };
        let total = time(runs, || steg_engine::check_folder(&dir));
        let load = time(runs, || {
            let mut sources = steg_engine::SourceMap::default();
            let mut diags = Vec::new();
            steg_engine::load_municipality(&dir, &mut sources, &mut diags)
        });
        let mut sources = steg_engine::SourceMap::default();
        let m = steg_engine::load_municipality(&dir, &mut sources, &mut Vec::new());
        let graph = time(runs, || {
            let g = steg_engine::Graph::build(&m);
            let reach = g.reachable();
            let finish = g.can_finish(&m);
            (g, reach, finish)
        });

        let (tmin, tmed) = stats(total);
        let (lmin, lmed) = stats(load);
        let (gmin, gmed) = stats(graph);
        let checks = tmed.saturating_sub(lmed);
        println!(
            "{:>8} {:>6.2} MB {:>4} {:>17} {:>17} {:>17} {:>17} {:>11.0}",
            steps,
            bytes as f64 / 1e6,
            runs,
            format!("{} / {}", ms(tmin), ms(tmed)),
            format!("{} / {}", ms(lmin), ms(lmed)),
            ms(checks),
            format!("{} / {}", ms(gmin), ms(gmed)),
            steps as f64 / tmed.as_secs_f64(),
        );
        if keep.is_none() {
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    if keep.is_none() {
        let _ = std::fs::remove_dir_all(&root);
    }
    println!(
        "\ntotal = check_folder (load + all checks); load = load_municipality (read, parse, compile \
         conditions);\nchecks* = median total - median load; graph = Graph::build + reachable + \
         can_finish (part of the checks);\nsteps/s from the median total."
    );
}
