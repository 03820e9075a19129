//! `extends`: the merge rules (docs/language.md), source locations that stay in the file each
//! node was written in, diagnostics about inherited steps that name both files, and the bundled
//! Lindesberg and Hedemora built on `workflows/common`.
//!
//! Each test writes a small base and a municipality extending it into a temporary folder.

use crate::support::{listing, root, steg, Diag};
use std::path::Path;
use steg_engine::{load_municipality, Municipality, SourceMap, Value};

const BASE_MUNICIPALITY: &str = "\
municipality: Gemensam grund
base: true
rules: []
entry: [ekonomiskt_bistand]
units:
  ame: { title: Arbetsmarknadsenheten }
roles:
  socialsekreterare: { title: Socialsekreterare, staff: 4, source: base }
  enskild: { title: Den enskilde }
parameters:
  plan_inom: { value: 3mo, source: seed 004 }
events:
  manadsansokan_inkommen: { reported_by: enskild }
simulation:
  start: \"2022-01-01\"
  arrivals_per_month: { value: 10, source: assumption }
";

const BASE_WORKFLOW: &str = "\
workflow: ekonomiskt_bistand
title: Ekonomiskt bistånd
start: ansokan
steps:
  ansokan: { actor: enskild, next: utredning }
  utredning: { actor: socialsekreterare, next: beslut }
  beslut:
    kind: decision
    actor: socialsekreterare
    legal_basis: SoL 4 kap. 1 §
    next:
      - { when: arende.behov, to: plan }
      - { else: avslag }
  plan: { actor: socialsekreterare, next: klar }
  klar: { kind: end, outcome: klar }
  avslag: { kind: end, outcome: avslag }
";

/// Write `files` (path relative to the folder, text) into a new temporary folder.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::Builder::new()
        .prefix("steg-extends-")
        .tempdir()
        .expect("create a temporary folder");
    for (path, text) in files {
        let path = tmp.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a file has a folder"))
            .expect("create a folder");
        std::fs::write(path, text).expect("write a file");
    }
    tmp
}

/// A base in `common/` and the municipality `kommun/` extending it, with its own files.
fn with_base(own: &[(&str, &str)]) -> tempfile::TempDir {
    let mut files = vec![
        ("common/municipality.yaml", BASE_MUNICIPALITY),
        ("common/ekonomiskt_bistand.yaml", BASE_WORKFLOW),
    ];
    files.extend_from_slice(own);
    tree(&files)
}

fn load(dir: &Path) -> (Municipality, SourceMap, Vec<steg_engine::Diagnostic>) {
    let mut sources = SourceMap::default();
    let mut diags = Vec::new();
    let m = load_municipality(dir, &mut sources, &mut diags);
    (m, sources, diags)
}

/// The file a node was read from, as `folder/file.yaml`.
fn file_of(sources: &SourceMap, loc: &steg_engine::Loc) -> String {
    let path = &sources
        .get(loc.file.expect("a YAML node knows its file"))
        .path;
    let parent = path
        .parent()
        .and_then(Path::file_name)
        .expect("a folder")
        .to_string_lossy();
    let name = path.file_name().expect("a name").to_string_lossy();
    format!("{parent}/{name}")
}

fn check(dir: &Path, args: &[&str]) -> (i32, Vec<Diag>) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let run = steg(dir, &all);
    assert_eq!(run.stderr, "", "steg wrote to stderr");
    (run.code, run.json())
}

const KOMMUN: &str = "\
municipality: Kommun
extends: ../common
rules: []
roles:
  socialsekreterare: { title: Socialsekreterare i kommunen }
  arbetscoach: { title: Arbetscoach, unit: ame, staff: 2 }
";

#[test]
fn steps_are_replaced_in_place_added_after_and_removed() {
    let tmp = with_base(&[
        ("kommun/municipality.yaml", KOMMUN),
        (
            "kommun/ekonomiskt_bistand.yaml",
            "\
workflow: ekonomiskt_bistand
remove: [plan]
steps:
  utredning: { actor: socialsekreterare, next: kartlaggning }
  kartlaggning: { actor: arbetscoach, next: beslut }
  beslut:
    kind: decision
    actor: socialsekreterare
    legal_basis: SoL 4 kap. 1 §
    next:
      - { when: arende.behov, to: klar }
      - { else: avslag }
",
        ),
    ]);
    let (m, sources, diags) = load(&tmp.path().join("kommun"));
    assert!(m.complete && diags.is_empty(), "{diags:?}");
    assert_eq!(m.workflows.len(), 1);
    let w = &m.workflows[0];
    let steps: Vec<&str> = w.def.steps.keys().collect();
    assert_eq!(
        steps,
        [
            "ansokan",
            "utredning",
            "beslut",
            "klar",
            "avslag",
            "kartlaggning"
        ],
        "base order, replacements in place, removed gone, additions last"
    );
    // Inherited fields of the workflow: its title and start.
    assert_eq!(w.def.title.as_deref(), Some("Ekonomiskt bistånd"));
    assert_eq!(w.def.start.as_ref().map(|s| s.as_str()), Some("ansokan"));
    // Every step points into the file it is written in.
    for (k, _) in w.def.steps.iter() {
        let want = if ["utredning", "kartlaggning", "beslut"].contains(&k.as_str()) {
            "kommun/ekonomiskt_bistand.yaml"
        } else {
            "common/ekonomiskt_bistand.yaml"
        };
        assert_eq!(file_of(&sources, &k.loc), want, "step {}", k.value);
    }
    let (code, diags) = check(tmp.path(), &["kommun"]);
    assert_eq!(code, 0, "{}", listing(&diags));
}

#[test]
fn municipality_entries_are_inherited_and_replaced_whole() {
    let tmp = with_base(&[("kommun/municipality.yaml", KOMMUN)]);
    let (m, sources, diags) = load(&tmp.path().join("kommun"));
    assert!(m.complete, "{diags:?}");
    let (_, def) = m.def.as_ref().expect("municipality.yaml loads");
    assert_eq!(def.municipality.as_str(), "Kommun");
    let roles: Vec<&str> = def.roles.keys().collect();
    assert_eq!(roles, ["socialsekreterare", "enskild", "arbetscoach"]);
    // Replaced whole: the base's staff count and source do not survive the override.
    let s = def.roles.get("socialsekreterare").expect("the role");
    assert_eq!(s.title.as_deref(), Some("Socialsekreterare i kommunen"));
    assert!(s.staff.is_none() && s.source.is_none());
    // Inherited as they are, still located in the base.
    let (k, p) = def
        .parameters
        .iter()
        .find(|(k, _)| k.as_str() == "plan_inom")
        .expect("the base's parameter");
    assert_eq!(p.value.value, Value::Text("3mo".to_string()));
    assert_eq!(file_of(&sources, &k.loc), "common/municipality.yaml");
    assert!(def.units.contains("ame") && def.events.contains("manadsansokan_inkommen"));
    assert!(def.simulation.is_some(), "simulation is inherited");
    assert_eq!(def.entry.len(), 1, "entry is inherited");
    assert!(!def.base, "`base: true` is not inherited");
    // The base's workflow, untouched.
    assert_eq!(m.workflows.len(), 1);
    assert_eq!(
        file_of(&sources, &m.workflows[0].def.workflow.loc),
        "common/ekonomiskt_bistand.yaml"
    );
}

#[test]
fn a_dead_end_in_an_inherited_step_names_the_base_and_the_override() {
    let tmp = with_base(&[
        ("kommun/municipality.yaml", KOMMUN),
        (
            "kommun/ekonomiskt_bistand.yaml",
            "workflow: ekonomiskt_bistand\nsteps:\n  kartlaggning: { actor: arbetscoach, next: beslut }\n  utredning: { actor: socialsekreterare, next: kartlaggning }\n",
        ),
    ]);
    // The base's `plan` loses its way out.
    let base = tmp.path().join("common/ekonomiskt_bistand.yaml");
    std::fs::write(
        &base,
        BASE_WORKFLOW.replace(
            "plan: { actor: socialsekreterare, next: klar }",
            "plan: { actor: socialsekreterare }",
        ),
    )
    .expect("edit the base");
    let (code, diags) = check(tmp.path(), &["kommun"]);
    assert_eq!(code, 1);
    let d = diags
        .iter()
        .find(|d| d.code == "G005")
        .unwrap_or_else(|| panic!("no dead end:\n{}", listing(&diags)));
    assert_eq!(
        d.at(),
        "common/ekonomiskt_bistand.yaml:14:3",
        "where the step is written"
    );
    assert_eq!(d.step.as_deref(), Some("ekonomiskt_bistand.plan"));
    assert!(
        d.related
            .iter()
            .any(|r| r.file == "kommun/ekonomiskt_bistand.yaml"
                && r.line == 1
                && r.message.contains("extends the base's workflow here")),
        "the override is named: {:?}",
        d.related
    );

    // A step of a workflow the municipality does not override: the `extends:` is named.
    let tmp = with_base(&[("kommun/municipality.yaml", KOMMUN)]);
    std::fs::write(
        tmp.path().join("common/ekonomiskt_bistand.yaml"),
        BASE_WORKFLOW.replace(
            "plan: { actor: socialsekreterare, next: klar }",
            "plan: { actor: socialsekreterare }",
        ),
    )
    .expect("edit the base");
    let (_, diags) = check(tmp.path(), &["kommun"]);
    let d = diags.iter().find(|d| d.code == "G005").expect("a dead end");
    assert_eq!(d.at(), "common/ekonomiskt_bistand.yaml:14:3");
    let r = &d.related[0];
    assert_eq!(
        (r.file.as_str(), r.line, r.column),
        ("kommun/municipality.yaml", 2, 10),
        "{:?}",
        d.related
    );
}

#[test]
fn a_workflow_extends_a_base_workflow_by_id_or_by_path() {
    // By id, under another id: the base's `ekonomiskt_bistand` is not also inherited.
    let tmp = with_base(&[
        ("kommun/municipality.yaml", &KOMMUN.replace("rules: []", "rules: []\nentry: [forsorjningsstod]")),
        (
            "kommun/forsorjningsstod.yaml",
            "workflow: forsorjningsstod\nextends: ekonomiskt_bistand\nremove: [plan]\nsteps:\n  beslut:\n    kind: decision\n    actor: socialsekreterare\n    legal_basis: SoL 4 kap. 1 §\n    next:\n      - { when: arende.behov, to: klar }\n      - { else: avslag }\n",
        ),
    ]);
    let (m, _, diags) = load(&tmp.path().join("kommun"));
    assert!(m.complete, "{diags:?}");
    let names: Vec<&str> = m.workflows.iter().map(|w| w.name()).collect();
    assert_eq!(names, ["forsorjningsstod"]);
    let (code, diags) = check(tmp.path(), &["kommun"]);
    assert_eq!(code, 0, "{}", listing(&diags));

    // By path, from a folder without a base of its own.
    let tmp = tree(&[
        ("common/municipality.yaml", BASE_MUNICIPALITY),
        ("common/ekonomiskt_bistand.yaml", BASE_WORKFLOW),
        (
            "kommun/municipality.yaml",
            "municipality: Kommun\nrules: []\nroles:\n  socialsekreterare: {}\n  enskild: {}\n",
        ),
        (
            "kommun/ekonomiskt_bistand.yaml",
            "workflow: ekonomiskt_bistand\nextends: ../common/ekonomiskt_bistand.yaml\nstart: utredning\nremove: [ansokan]\n",
        ),
    ]);
    let (m, sources, diags) = load(&tmp.path().join("kommun"));
    assert!(m.complete, "{diags:?}");
    let w = &m.workflows[0];
    assert_eq!(w.def.start.as_ref().map(|s| s.as_str()), Some("utredning"));
    assert!(!w.def.steps.contains("ansokan"));
    assert_eq!(
        file_of(&sources, &w.def.steps.0[0].0.loc),
        "common/ekonomiskt_bistand.yaml"
    );
    let (code, diags) = check(tmp.path(), &["kommun"]);
    assert_eq!(code, 0, "{}", listing(&diags));
}

#[test]
fn mistakes_in_extends_are_located_with_suggestions() {
    // A base folder that is not there.
    let tmp = tree(&[(
        "kommun/municipality.yaml",
        "municipality: Kommun\nextends: ../gemensam\nrules: []\n",
    )]);
    let (code, diags) = check(tmp.path(), &["kommun"]);
    assert_eq!(code, 1);
    assert_eq!(diags.len(), 1, "{}", listing(&diags));
    assert_eq!(
        (diags[0].code.as_str(), diags[0].at().as_str()),
        ("G001", "kommun/municipality.yaml:2:10")
    );

    // A step to remove that the base does not have; a base workflow that does not exist.
    let tmp = with_base(&[
        ("kommun/municipality.yaml", KOMMUN),
        (
            "kommun/ekonomiskt_bistand.yaml",
            "workflow: ekonomiskt_bistand\nremove: [plann]\n",
        ),
        ("kommun/ame.yaml", "workflow: ame\nextends: arbetsmarknad\nstart: a\nsteps:\n  a: { kind: end, outcome: klar }\n"),
    ]);
    let (code, diags) = check(tmp.path(), &["kommun"]);
    assert_eq!(code, 1);
    let remove = diags
        .iter()
        .find(|d| d.at() == "kommun/ekonomiskt_bistand.yaml:2:10")
        .unwrap_or_else(|| panic!("{}", listing(&diags)));
    assert_eq!(remove.code, "G001");
    assert_eq!(remove.help.as_deref(), Some("did you mean `plan`?"));
    let base = diags
        .iter()
        .find(|d| d.at() == "kommun/ame.yaml:2:10")
        .unwrap_or_else(|| panic!("{}", listing(&diags)));
    assert_eq!(base.code, "G001");
    assert!(
        base.message.contains("no workflow `arbetsmarknad`"),
        "{}",
        base.message
    );
}

#[test]
fn an_inline_condition_that_does_not_compile_is_reported_in_the_base() {
    let tmp = with_base(&[("kommun/municipality.yaml", KOMMUN)]);
    std::fs::write(
        tmp.path().join("common/ekonomiskt_bistand.yaml"),
        BASE_WORKFLOW.replace("when: arende.behov", "when: \"arende.behov &&\""),
    )
    .expect("edit the base");
    let (_, diags) = check(tmp.path(), &["kommun"]);
    let d = diags
        .iter()
        .find(|d| d.code == "R001")
        .unwrap_or_else(|| panic!("{}", listing(&diags)));
    assert_eq!(d.file.as_deref(), Some("common/ekonomiskt_bistand.yaml"));
    assert_eq!(d.line, Some(12));
}

#[test]
fn a_folder_of_folders_skips_bases_and_a_named_base_is_checked() {
    let tmp = with_base(&[("kommun/municipality.yaml", KOMMUN)]);
    let run = steg(tmp.path(), &["check", "."]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout
            .ends_with("checked 1 municipality (./kommun): 0 errors, 0 warnings\n"),
        "{}",
        run.stdout
    );
    let run = steg(tmp.path(), &["check", "common"]);
    assert!(
        run.stdout.contains("checked 1 municipality (common)"),
        "{}",
        run.stdout
    );
}

#[test]
fn lindesberg_and_hedemora_are_built_on_the_shared_base() {
    for name in ["lindesberg", "hedemora"] {
        let (m, sources, diags) = load(&root().join("workflows").join(name));
        assert!(m.complete, "{name}: {diags:?}");
        let (_, def) = m.def.as_ref().expect("municipality.yaml");
        assert_eq!(
            def.extends.as_ref().map(|e| e.as_str()),
            Some("../common"),
            "{name}"
        );
        // The shared steps come from the base, the municipality's own from its folder.
        let eb = m
            .workflows
            .iter()
            .find(|w| w.name() == "ekonomiskt_bistand")
            .expect("ekonomiskt_bistand");
        let files: Vec<String> = eb
            .def
            .steps
            .iter()
            .map(|(k, _)| file_of(&sources, &k.loc))
            .collect();
        assert!(
            files.contains(&"common/ekonomiskt_bistand.yaml".to_string()),
            "{name}"
        );
        assert!(
            files.contains(&format!("{name}/ekonomiskt_bistand.yaml")),
            "{name}"
        );
        let enskild = def.roles.iter().find(|(k, _)| k.as_str() == "enskild");
        assert!(
            enskild.is_some_and(|(k, _)| file_of(&sources, &k.loc) == "common/municipality.yaml"),
            "{name}: `enskild` is inherited"
        );
    }
    // `steg check workflows` checks the municipalities, not the base on its own.
    let run = steg(&root(), &["check", "workflows"]);
    assert!(
        !run.stdout.contains("workflows/common,") && !run.stdout.contains("workflows/common)"),
        "{}",
        run.stdout
    );
    // The base is a valid model by itself.
    let run = steg(&root(), &["check", "workflows/common"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(
        run.stdout.contains("0 errors, 0 warnings"),
        "{}",
        run.stdout
    );
}
