//! `steg import` of BPMN 2.0 and PNML: the round trip of every bundled municipality through
//! `steg graph --format bpmn`, hand-made models that are sound, deadlock, have a dead task,
//! complete improperly or hold what steg cannot express, and files that must be refused.

use crate::support::{fixtures, listing, root, snapshot, steg, Diag};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use steg_engine as engine;

/// A workflow's graph as the round trip compares it: start, steps with their kinds, and every
/// way a case moves (`next`, `on`, `returns`) as a pair of step ids.
#[derive(Debug, PartialEq, Eq)]
struct Shape {
    start: Option<String>,
    steps: BTreeSet<(String, &'static str)>,
    edges: BTreeSet<(String, String)>,
    refers: BTreeSet<(String, String)>,
}

fn shapes(m: &engine::Municipality) -> Vec<(String, Shape)> {
    let mut out: Vec<(String, Shape)> = m
        .workflows
        .iter()
        .map(|w| {
            let mut steps = BTreeSet::new();
            let mut edges = BTreeSet::new();
            let mut refers = BTreeSet::new();
            for (id, s) in w.def.steps.iter() {
                steps.insert((id.value.clone(), s.kind().as_str()));
                for t in s.transitions() {
                    edges.insert((id.value.clone(), t.to.value.clone()));
                }
                for t in &s.on {
                    edges.insert((id.value.clone(), t.to.value.clone()));
                }
                for (_, to) in s.returns.iter() {
                    edges.insert((id.value.clone(), to.value.clone()));
                }
                if let Some(r) = &s.refer_to {
                    let target = r
                        .workflow
                        .as_ref()
                        .map(|w| format!("workflow {}", w.value))
                        .or_else(|| r.unit.as_ref().map(|u| format!("unit {}", u.value)))
                        .unwrap_or_default();
                    refers.insert((id.value.clone(), target));
                }
            }
            (
                w.name().to_string(),
                Shape {
                    start: w.def.start.as_ref().map(|s| s.value.clone()),
                    steps,
                    edges,
                    refers,
                },
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The bundled municipalities (not bases).
fn municipalities() -> Vec<PathBuf> {
    engine::discover(&[root().join("workflows")]).expect("workflows/ holds municipalities")
}

#[test]
fn the_bpmn_export_of_every_bundled_municipality_imports_to_the_same_graph() {
    let mut failures = Vec::new();
    let dirs = municipalities();
    assert!(dirs.len() >= 5, "{dirs:?}");
    for dir in &dirs {
        let report = engine::check_folder(dir);
        let m = &report.municipalities[0];
        let xml = engine::export(m, engine::ExportFormat::Bpmn);
        let path = PathBuf::from(format!(
            "{}.bpmn",
            dir.file_name().unwrap().to_string_lossy()
        ));
        let mut sources = engine::SourceMap::default();
        let file = sources.add(path.clone(), xml.clone());
        let imported = engine::import_text(&path, &xml, file);
        if !imported.diagnostics.is_empty() {
            failures.push(format!(
                "{}: the import reports {:?}",
                dir.display(),
                imported
                    .diagnostics
                    .iter()
                    .map(|d| format!("{} {}", d.code(), d.message))
                    .collect::<Vec<_>>()
            ));
        }
        let back = imported.municipality(&sources);
        let (want, got) = (shapes(m), shapes(&back));
        if want != got {
            let names =
                |v: &[(String, Shape)]| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
            let mut why = vec![format!("workflows {:?} → {:?}", names(&want), names(&got))];
            for (name, w) in &want {
                let Some((_, g)) = got.iter().find(|(n, _)| n == name) else {
                    continue;
                };
                if w.start != g.start {
                    why.push(format!("{name}: start {:?} → {:?}", w.start, g.start));
                }
                for s in w.steps.symmetric_difference(&g.steps) {
                    why.push(format!(
                        "{name}: step {s:?} only in {}",
                        if w.steps.contains(s) {
                            "the original"
                        } else {
                            "the import"
                        }
                    ));
                }
                for e in w.edges.symmetric_difference(&g.edges) {
                    why.push(format!(
                        "{name}: edge {e:?} only in {}",
                        if w.edges.contains(e) {
                            "the original"
                        } else {
                            "the import"
                        }
                    ));
                }
                for r in w.refers.symmetric_difference(&g.refers) {
                    why.push(format!(
                        "{name}: referral {r:?} only in {}",
                        if w.refers.contains(r) {
                            "the original"
                        } else {
                            "the import"
                        }
                    ));
                }
            }
            failures.push(format!("{}:\n  {}", dir.display(), why.join("\n  ")));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

/// `steg check --format json` of a model under `tests/fixtures/import`.
fn check_model(name: &str) -> (i32, Vec<Diag>) {
    let run = steg(
        &fixtures().join("import"),
        &["check", "--format", "json", name],
    );
    assert_eq!(run.stderr, "", "steg check {name} wrote to stderr");
    (run.code, run.json())
}

/// The codes of a run's diagnostics, with the steps they name (the model's ids).
fn codes(diags: &[Diag]) -> BTreeSet<(String, String)> {
    diags
        .iter()
        .map(|d| (d.code.clone(), d.step.clone().unwrap_or_default()))
        .collect()
}

#[test]
fn hand_made_models_check_as_expected() {
    let set = |v: &[(&str, &str)]| -> BTreeSet<(String, String)> {
        v.iter()
            .map(|(c, s)| (c.to_string(), s.to_string()))
            .collect()
    };
    // (model, exit code, (code, step) of every diagnostic)
    type Expect = (&'static str, i32, &'static [(&'static str, &'static str)]);
    let cases: &[Expect] = &[
        ("sound.bpmn", 0, &[]),
        ("sound.pnml", 0, &[]),
        (
            "deadlock.bpmn",
            1,
            &[
                ("G016", "process_1.join_fel"),
                ("G018", "process_1.task_beslut"),
                ("G018", "process_1.end_1"),
            ],
        ),
        (
            "deadlock.pnml",
            1,
            &[("G016", "anmalan.t_join"), ("G018", "anmalan.o")],
        ),
        ("dead_task.bpmn", 1, &[("G004", "process_1.task_arkivera")]),
        (
            "dead_task.pnml",
            1,
            &[("S005", ""), ("G004", "arende.t_arkivera")],
        ),
        (
            "improper_completion.bpmn",
            1,
            &[
                ("G017", "process_1.end_praktik"),
                ("G017", "process_1.end_betalt"),
            ],
        ),
        ("improper_completion.pnml", 1, &[("G017", "insats.o")]),
        ("unsupported.bpmn", 0, &[("S005", "")]),
        ("unsupported.pnml", 0, &[("S005", "")]),
    ];
    let mut failures = Vec::new();
    for (name, exit, want) in cases {
        let (code, diags) = check_model(name);
        if code != *exit || codes(&diags) != set(want) {
            failures.push(format!(
                "{name}: exit {code}, expected {exit}\n{}",
                listing(&diags)
            ));
        }
        // Every diagnostic points into the model file, at a line of it.
        for d in &diags {
            if d.file.as_deref() != Some(name) || d.line.is_none() {
                failures.push(format!(
                    "{name}: {} is not located in the model: {}",
                    d.code,
                    d.at()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

#[test]
fn unsupported_elements_are_named_with_their_ids_and_lines() {
    let (_, diags) = check_model("unsupported.bpmn");
    let found: Vec<(u32, &str)> = diags
        .iter()
        .map(|d| (d.line.unwrap_or(0), d.message.as_str()))
        .collect();
    for (line, id) in [
        (9, "Data_Akt"),
        (10, "DataObject_1"),
        (12, "Timer_Paminn"),
        (17, "Gateway_Insatser"),
        (20, "Gateway_Samla"),
    ] {
        assert!(
            found.iter().any(|(l, m)| *l == line && m.contains(id)),
            "no S005 for `{id}` at line {line}:\n{}",
            listing(&diags)
        );
    }
}

#[test]
fn human_check_of_every_hand_made_model() {
    let mut names: Vec<String> = std::fs::read_dir(fixtures().join("import"))
        .expect("tests/fixtures/import")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        let run = steg(&fixtures().join("import"), &["check", &name]);
        snapshot(
            "import",
            &format!("check__{}", name.replace('.', "_")),
            &run,
        );
    }
}

#[test]
fn a_folder_of_models_is_checked_with_one_line_per_model() {
    let run = steg(&fixtures().join("import"), &["check", "."]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let lines: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("./") && (l.contains(": sound") || l.contains(": not sound")))
        .collect();
    assert_eq!(lines.len(), 10, "{}", run.stdout);
    assert!(run
        .stdout
        .contains("./sound.bpmn: sound (1 workflow, 11 steps, 0 warnings)"));
    assert!(run
        .stdout
        .contains("./deadlock.pnml: not sound: G018 StepNeverExecuted"));
    assert!(
        run.stdout
            .ends_with("checked 10 models: 4 sound, 6 not sound\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn imported_folders_load_and_check_like_the_model() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let out = tmp.path().join("imported");
    let run = steg(
        &fixtures().join("import"),
        &["import", ".", "--out", out.to_str().expect("UTF-8 path")],
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    // The YAML written for each model gives the same codes as checking the model in memory.
    for name in [
        "sound",
        "deadlock",
        "dead_task",
        "improper_completion",
        "unsupported",
    ] {
        for ext in ["bpmn", "pnml"] {
            let model = format!("{name}.{ext}");
            let (_, in_memory) = check_model(&model);
            // Two models of one name: the second folder gets `_2`.
            let folder = if ext == "bpmn" {
                name.to_string()
            } else {
                format!("{name}_2")
            };
            let dir = out.join(&folder);
            let yaml = steg(
                tmp.path(),
                &["check", "--format", "json", dir.to_str().expect("UTF-8")],
            );
            let from_yaml = yaml.json();
            let strip = |v: &[Diag]| -> BTreeSet<(String, String)> {
                codes(v).into_iter().filter(|(c, _)| c != "S005").collect()
            };
            assert_eq!(
                strip(&in_memory),
                strip(&from_yaml),
                "{model} → {folder}:\nin memory:\n{}\nfrom YAML:\n{}",
                listing(&in_memory),
                listing(&from_yaml)
            );
        }
    }
    let sound = std::fs::read_to_string(out.join("sound").join("process_bistand.yaml"))
        .expect("the workflow file of sound.bpmn");
    insta::with_settings!({
        snapshot_path => root().join("tests").join("snapshots").join("import"),
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!("sound_bpmn_workflow", sound);
        insta::assert_snapshot!(
            "sound_bpmn_municipality",
            std::fs::read_to_string(out.join("sound").join("municipality.yaml")).expect("municipality.yaml")
        );
        insta::assert_snapshot!(
            "sound_pnml_workflow",
            std::fs::read_to_string(out.join("sound_2").join("bistand.yaml")).expect("bistand.yaml")
        );
    });
}

#[test]
fn strict_makes_unsupported_elements_errors() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let out = tmp.path().join("u");
    let out = out.to_str().expect("UTF-8 path");
    let lax = steg(
        &fixtures().join("import"),
        &["import", "unsupported.bpmn", "--out", out],
    );
    assert_eq!(lax.code, 0, "{}", lax.stdout);
    let strict = steg(
        &fixtures().join("import"),
        &[
            "import",
            "unsupported.bpmn",
            "--out",
            out,
            "--force",
            "--strict",
            "--format",
            "json",
        ],
    );
    assert_eq!(strict.code, 1, "{}", strict.stdout);
    let diags = strict.json();
    assert!(
        !diags.is_empty()
            && diags
                .iter()
                .all(|d| d.code == "S005" && d.severity == "error")
    );
}

#[test]
fn bad_files_are_refused_with_a_clear_error_and_no_panic() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let write = |name: &str, text: &[u8]| {
        let p = tmp.path().join(name);
        std::fs::write(&p, text).expect("write a test file");
        p
    };
    let huge = {
        let mut text = b"<?xml version=\"1.0\"?><!-- ".to_vec();
        text.resize(33 * 1024 * 1024, b'x');
        text.extend_from_slice(b" -->");
        write("huge.bpmn", &text)
    };
    let cases: Vec<(PathBuf, &str)> = vec![
        (huge, "larger than 32 MiB"),
        (write("latin1.bpmn", b"<a name=\"\xe5\"/>"), "not UTF-8"),
        (write("empty.pnml", b""), "no XML element"),
        (write("text.bpmn", b"just text"), "not well-formed XML"),
        (
            write(
                "external.bpmn",
                b"<!DOCTYPE d SYSTEM \"file:///etc/passwd\"><d/>",
            ),
            "entity expansion is refused",
        ),
        (
            write("other.pnml", b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            "expected BPMN 2.0",
        ),
        (
            write("deep.bpmn", "<a>".repeat(200).as_bytes()),
            "nested deeper than 128 levels",
        ),
        (
            write(
                "noprocess.bpmn",
                br#"<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"/>"#,
            ),
            "no <process>",
        ),
    ];
    for (path, want) in cases {
        let p = path.to_str().expect("UTF-8 path");
        let run = steg(tmp.path(), &["check", "--format", "json", p]);
        let diags = run.json();
        assert_eq!(run.code, 1, "{p}: {}", listing(&diags));
        assert!(
            diags
                .iter()
                .any(|d| d.code == "S006" && d.message.contains(want)),
            "{p}: no S006 saying {want:?}:\n{}",
            listing(&diags)
        );
        let import = steg(tmp.path(), &["import", p, "--out", "never"]);
        assert_eq!(import.code, 1, "{p}");
        assert!(
            !tmp.path().join("never").exists(),
            "{p}: a folder was written"
        );
    }
}

#[test]
fn a_steg_export_imports_to_a_folder_steg_checks_with_the_same_steps() {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let bpmn = tmp.path().join("lindesberg.bpmn");
    let b = bpmn.to_str().expect("UTF-8 path");
    let graph = steg(&root(), &["graph", "lindesberg", "--out", b]);
    assert_eq!(graph.code, 0, "{}", graph.stderr);
    let run = steg(tmp.path(), &["import", b, "--out", "back"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    // The imported folder has no rules: its conditions name rules it does not have (G001);
    // nothing else is wrong with it.
    let check = steg(tmp.path(), &["check", "--format", "json", "back"]);
    let diags = check.json();
    assert!(
        diags
            .iter()
            .all(|d| d.code == "G001" && d.message.contains("rule")),
        "{}",
        listing(&diags)
    );
    for w in ["ame", "coachingteam", "ekonomiskt_bistand"] {
        assert!(
            Path::new(&tmp.path().join("back").join(format!("{w}.yaml"))).is_file(),
            "{w}"
        );
    }
}
