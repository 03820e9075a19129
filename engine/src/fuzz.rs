//! Entry points for fuzzing the readers of untrusted input: the YAML loader with every check,
//! the rule compiler and evaluator, the scenario reader with the case machine, and the
//! BPMN/PNML importer with its checks and the YAML it writes. Each takes any bytes and must
//! return without panicking, whatever they are; a panic is a finding.
//!
//! The targets in `fuzz/` (libFuzzer, `fuzz/run`) call these; the unit tests below run every
//! target over its seeds (the bundled files) and the inputs that once crashed
//! (`fuzz/regressions/<target>/`), so CI replays them on every build. Compiled for tests and
//! with the `fuzz` feature only.

use crate::{check_folder, import_file, run_scenario, Arende, Municipality, SourceMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Separates `municipality.yaml` from a workflow file in a `load` input.
pub const SPLIT: &[u8] = b"\n#---\n";

/// The default `municipality.yaml` of the scratch municipality.
const MUNICIPALITY: &str = "municipality: Fuzz
rules: []
roles:
  socialsekreterare: { title: Socialsekreterare, staff: 2 }
  arbetsmarknadshandlaggare: { title: Handlaggare, staff: 1 }
events:
  franvaro_rapporterad: { description: Franvaro }
";

/// The default workflow of the scratch municipality.
const WORKFLOW: &str = "workflow: flode
start: ansokan
steps:
  ansokan: { actor: socialsekreterare, next: beslut }
  beslut:
    kind: decision
    legal_basis: SoL
    next: [ { when: rule.r, to: slut }, { else: slut } ]
  slut: { kind: end, outcome: klar }
";

/// A folder of this thread's own for the files an input becomes: a project with
/// `workflows/kommun/` (the municipality).
fn scratch() -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static DIR: PathBuf = {
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let dir = std::env::temp_dir()
                .join(format!("steg-fuzz-{}-{n}", std::process::id()));
            let _ = std::fs::create_dir_all(dir.join("workflows").join("kommun").join("regler"));
            dir
        };
    }
    DIR.with(Clone::clone)
}

/// Remove this thread's scratch folder.
pub fn clean_up() {
    let _ = std::fs::remove_dir_all(scratch());
}

fn municipality_dir() -> PathBuf {
    scratch().join("workflows").join("kommun")
}

/// Write the municipality folder: `municipality.yaml`, one workflow file, one rule file.
fn write_municipality(municipality: &[u8], workflow: &[u8], rules: &[u8]) -> PathBuf {
    let dir = municipality_dir();
    let _ = std::fs::write(dir.join("municipality.yaml"), municipality);
    let _ = std::fs::write(dir.join("flode.yaml"), workflow);
    let _ = std::fs::write(dir.join("regler").join("r.rhai"), rules);
    dir
}

/// The YAML loader and every check: the input is `municipality.yaml`, a workflow file, or
/// both separated by [`SPLIT`].
pub fn load(data: &[u8]) {
    let (municipality, workflow) = match find(data, SPLIT) {
        Some(i) => (&data[..i], &data[i + SPLIT.len()..]),
        None if data.starts_with(b"municipality:") => (data, WORKFLOW.as_bytes()),
        None => (MUNICIPALITY.as_bytes(), data),
    };
    let dir = write_municipality(municipality, workflow, b"fn r(arende, params) { true }");
    let _ = check_folder(&dir);
}

/// The rule compiler and the sandbox: the input is a rule file, loaded and checked with a
/// municipality whose decision uses rule `r` and whose first line is also an inline condition;
/// then every rule is called with a small case, on a date.
pub fn rules(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let condition = text.lines().next().unwrap_or("true");
    let condition = serde_json::to_string(condition).unwrap_or_default();
    let workflow = WORKFLOW.replace("rule.r", &condition);
    let municipality = MUNICIPALITY.replace("rules: []", "rules: [regler]");
    let dir = write_municipality(municipality.as_bytes(), workflow.as_bytes(), data);
    let report = check_folder(&dir);
    let Some(m) = report.municipalities.first() else {
        return;
    };
    let data =
        serde_json::json!({ "arbetsformaga": 0.5, "alder": 30, "namn": "x", "lista": [1, 2.5] });
    let arende = Arende::from_json("fuzz", data.as_object().unwrap_or(&serde_json::Map::new()));
    let date = chrono::NaiveDate::from_ymd_opt(2022, 1, 10);
    for rule in &m.rules.rules {
        let _ = m
            .rules
            .call(&report.sources, &rule.name, &arende, &m.params, date);
    }
}

/// The scenario reader and the case machine: the input is a scenario file run against the
/// bundled Lindesberg configuration.
pub fn scenario(data: &[u8]) {
    static LINDESBERG: OnceLock<Option<(Municipality, SourceMap)>> = OnceLock::new();
    let Some((m, sources)) = LINDESBERG.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../workflows/lindesberg");
        let mut report = check_folder(&dir);
        (!report.municipalities.is_empty())
            .then(|| (report.municipalities.remove(0), report.sources))
    }) else {
        return;
    };
    let path = scratch().join("scenario.yaml");
    if std::fs::write(&path, data).is_ok() {
        let mut sources = sources.clone();
        let _ = run_scenario(m, &mut sources, &path);
    }
}

/// The BPMN and PNML importer: the input is a model file (BPMN when its first byte is even,
/// PNML when odd, whatever it holds), imported and checked in memory, then written as YAML
/// and that folder loaded and checked again.
pub fn import(data: &[u8]) {
    let ext = if data.first().is_some_and(|b| b % 2 == 1) {
        "pnml"
    } else {
        "bpmn"
    };
    let path = scratch().join(format!("model.{ext}"));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let _ = crate::check_models(std::slice::from_ref(&path), false);
    let mut sources = SourceMap::default();
    let imported = import_file(&path, &mut sources);
    if imported.failed() {
        return;
    }
    let dir = scratch().join("workflows").join("imported");
    let _ = std::fs::remove_dir_all(&dir);
    if std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    for (name, text) in imported.files() {
        // Only plain file names: a name that is not one is a finding of its own.
        assert!(
            !name.contains(['/', '\\']) && name != ".." && name != ".",
            "the import names a file outside its folder: {name:?}"
        );
        let _ = std::fs::write(dir.join(name), text);
    }
    let _ = check_folder(&dir);
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The seeds of each target: the bundled files of its kind.
pub fn seeds(target: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut out = Vec::new();
    let mut walk = |dir: &Path, keep: &dyn Fn(&str) -> bool| collect(dir, keep, &mut out);
    match target {
        "load" => {
            walk(&root.join("workflows"), &|n| n.ends_with(".yaml"));
            walk(&root.join("tests/fixtures"), &|n| {
                n.ends_with(".yaml") && !n.ends_with(".test.yaml") && !n.ends_with(".table.yaml")
            });
        }
        "rules" => walk(&root.join("rules"), &|n| n.ends_with(".rhai")),
        "scenario" => walk(&root.join("examples"), &|n| n.ends_with(".yaml")),
        "import" => walk(&root.join("tests"), &|n| {
            n.ends_with(".bpmn") || n.ends_with(".pnml")
        }),
        _ => {}
    }
    let regressions = root.join("fuzz").join("regressions").join(target);
    collect(&regressions, &|_| true, &mut out);
    out.sort();
    out
}

fn collect(dir: &Path, keep: &dyn Fn(&str) -> bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, keep, out);
        } else if p.file_name().and_then(|n| n.to_str()).is_some_and(keep) {
            out.push(p);
        }
    }
}

/// Run `target` on one input.
pub fn run(target: &str, data: &[u8]) {
    match target {
        "load" => load(data),
        "rules" => rules(data),
        "scenario" => scenario(data),
        "import" => import(data),
        other => panic!("no fuzz target `{other}`"),
    }
}

/// The targets.
pub const TARGETS: [&str; 4] = ["load", "rules", "scenario", "import"];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every target runs over its seeds and every input that once crashed it.
    #[test]
    fn every_target_runs_its_seeds_and_regressions() {
        for target in TARGETS {
            let seeds = seeds(target);
            assert!(!seeds.is_empty(), "no seeds for {target}");
            for path in seeds {
                let data = std::fs::read(&path).expect("read a seed");
                run(target, &data);
            }
        }
        clean_up();
    }

    /// A few mutations of each seed: bytes cut, doubled and flipped, so that CI goes a little
    /// beyond the seeds on every build (the long runs are `fuzz/run`'s).
    #[test]
    fn every_target_survives_simple_mutations_of_its_seeds() {
        for target in TARGETS {
            for path in seeds(target).iter().take(12) {
                let data = std::fs::read(path).expect("read a seed");
                let n = data.len();
                let mut flipped = data.clone();
                for i in (0..n).step_by(97) {
                    flipped[i] ^= 0x20;
                }
                for input in [
                    data[..n / 2].to_vec(),
                    [&data[..], &data[..]].concat(),
                    flipped,
                    data.iter().copied().filter(|b| *b != b'\n').collect(),
                ] {
                    run(target, &input);
                }
            }
        }
        clean_up();
    }
}
