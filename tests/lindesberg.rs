//! The bundled configuration `workflows/lindesberg`: it must check clean, and each kind of
//! mistake made in a copy of it must be found at the right place.
//!
//! Each test copies `workflows/lindesberg`, the base it extends (`workflows/common`) and `rules/`
//! into a temporary folder (keeping the layout `workflows/<name>` + `rules/`, so the default rule
//! folders and `extends: ../common` resolve), edits a file with plain text operations, and runs
//! `steg check --format json workflows/lindesberg` there. The edits find steps by text; the
//! engine's own loader only says which steps exist and in which file (the base's or
//! Lindesberg's) each is written.

use crate::support::{copy_dir, listing, root, steg, Diag, Run};
use std::path::PathBuf;
use steg_engine::{load_municipality, SourceMap, StepKind};

const MUNICIPALITY: &str = "workflows/lindesberg";
/// The base Lindesberg extends.
const BASE: &str = "workflows/common";

/// A copy of the configuration in a temporary folder.
struct Copy {
    tmp: tempfile::TempDir,
}

impl Copy {
    fn new() -> Copy {
        let tmp = tempfile::Builder::new()
            .prefix("steg-lindesberg-")
            .tempdir()
            .expect("create a temporary folder");
        copy_dir(&root().join(MUNICIPALITY), &tmp.path().join(MUNICIPALITY));
        copy_dir(&root().join(BASE), &tmp.path().join(BASE));
        copy_dir(&root().join("rules"), &tmp.path().join("rules"));
        Copy { tmp }
    }

    /// Path in the copy of a file given relative to the workspace root.
    fn path(&self, file: &str) -> PathBuf {
        self.tmp.path().join(file)
    }

    fn read(&self, file: &str) -> String {
        std::fs::read_to_string(self.path(file)).expect("read a file of the copy")
    }

    fn write(&self, file: &str, text: &str) {
        std::fs::write(self.path(file), text).expect("write a file of the copy");
    }

    fn check(&self) -> (Run, Vec<Diag>) {
        let run = steg(
            self.tmp.path(),
            &["check", "--format", "json", MUNICIPALITY],
        );
        assert_eq!(run.stderr, "", "steg wrote to stderr");
        let diags = run.json();
        (run, diags)
    }
}

/// The steps of a workflow of the bundled configuration written in one file, as the engine
/// loads it: a workflow Lindesberg extends from the base has steps in both files.
struct WorkflowInfo {
    /// The file, relative to the workspace root (`workflows/common/ame.yaml`).
    file: String,
    /// Workflow id.
    name: String,
    /// The workflow's steps written in this file, in file order: name, kind, actor.
    steps: Vec<(String, StepKind, Option<String>)>,
    /// Every step of the merged workflow, wherever it is written.
    all_steps: Vec<String>,
}

fn workflows() -> Vec<WorkflowInfo> {
    let dir = root().join(MUNICIPALITY);
    assert!(
        dir.join("municipality.yaml").is_file(),
        "the bundled configuration {MUNICIPALITY}/municipality.yaml is missing"
    );
    let mut sources = SourceMap::default();
    let mut diags = Vec::new();
    let m = load_municipality(&dir, &mut sources, &mut diags);
    assert!(m.complete, "{MUNICIPALITY} does not load: {diags:?}");
    let relative = |f: steg_engine::FileId| {
        let path = &sources.get(f).path;
        path.strip_prefix(root())
            .unwrap_or(path)
            .display()
            .to_string()
    };
    let mut out: Vec<WorkflowInfo> = Vec::new();
    for w in &m.workflows {
        let all_steps: Vec<String> = w.def.steps.keys().map(str::to_string).collect();
        for (k, s) in w.def.steps.iter() {
            let file = relative(k.loc.file.unwrap_or(w.file));
            let step = (
                k.value.clone(),
                s.kind(),
                s.actor.as_ref().map(|a| a.value.clone()),
            );
            match out
                .iter_mut()
                .find(|i| i.file == file && i.name == w.name())
            {
                Some(info) => info.steps.push(step),
                None => out.push(WorkflowInfo {
                    file,
                    name: w.name().to_string(),
                    steps: vec![step],
                    all_steps: all_steps.clone(),
                }),
            }
        }
    }
    assert!(!out.is_empty(), "{MUNICIPALITY} has no workflows");
    out
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_content(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && !t.starts_with('#')
}

/// 0-based index of the top-level `steps:` line and the indentation of the steps under it.
fn steps_block(text: &str) -> (usize, usize) {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim_end() == "steps:")
        .expect("a block-style top-level `steps:`");
    let first = lines[at + 1..]
        .iter()
        .find(|l| is_content(l))
        .expect("a step after `steps:`");
    (at, indent(first))
}

/// 1-based line of the key `<step>:` of a step, found by text search under `steps:`.
fn key_line(text: &str, step: &str) -> usize {
    let (at, ind) = steps_block(text);
    let key = format!("{}{step}:", " ".repeat(ind));
    let found: Vec<usize> = text
        .lines()
        .enumerate()
        .skip(at + 1)
        .filter(|(_, l)| l.starts_with(&key))
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "step `{step}` should have one key line, found {found:?}"
    );
    found[0]
}

/// Replace the value of the step whose key is on `line` (1-based) by `value`, keeping the key
/// line: the rest of the key line and every deeper-indented or blank/comment line after it go.
fn replace_step_value(text: &str, line: usize, value: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let key = lines[line - 1];
    let ind = indent(key);
    let name = key.trim_start().split(':').next().expect("a key");
    let mut end = line;
    while end < lines.len() && (!is_content(lines[end]) || indent(lines[end]) > ind) {
        end += 1;
    }
    // Keep trailing blank and comment lines: they belong to whatever follows.
    while end > line && !is_content(lines[end - 1]) {
        end -= 1;
    }
    let mut out: Vec<String> = lines[..line - 1].iter().map(|l| l.to_string()).collect();
    out.push(format!("{}{name}: {value}", " ".repeat(ind)));
    out.extend(lines[end..].iter().map(|l| l.to_string()));
    out.join("\n") + "\n"
}

/// The step whose block (under `steps:`) holds the 1-based `line`.
fn step_at(text: &str, line: usize) -> Option<String> {
    let (at, ind) = steps_block(text);
    text.lines()
        .enumerate()
        .take(line)
        .skip(at + 1)
        .filter(|(_, l)| is_content(l) && indent(l) == ind)
        .last()
        .and_then(|(_, l)| l.trim_start().split(':').next())
        .map(str::to_string)
}

fn find<'a>(diags: &'a [Diag], code: &str, at: &str) -> Option<&'a Diag> {
    diags.iter().find(|d| d.code == code && d.at() == at)
}

#[test]
fn lindesberg_checks_clean() {
    let copy = Copy::new();
    let (run, diags) = copy.check();
    let errors: Vec<&Diag> = diags.iter().filter(|d| d.severity == "error").collect();
    assert!(
        errors.is_empty(),
        "errors in the bundled configuration:\n{}",
        listing(&diags)
    );
    assert_eq!(run.code, 0);
    // And from the repository itself, the way the README runs it.
    let run = steg(&root(), &["check", MUNICIPALITY]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run
        .stdout
        .contains("checked 1 municipality (workflows/lindesberg): 0 errors"));
}

#[test]
fn removing_the_transitions_of_any_step_gives_a_dead_end_at_its_key() {
    let copy = Copy::new();
    let mut failures = Vec::new();
    let mut tried = 0;
    for w in workflows() {
        let original = copy.read(&w.file);
        for (step, kind, actor) in &w.steps {
            if *kind == StepKind::End {
                continue;
            }
            tried += 1;
            let line = key_line(&original, step);
            let value = actor
                .as_ref()
                .map_or("{}".to_string(), |a| format!("{{ actor: {a} }}"));
            copy.write(&w.file, &replace_step_value(&original, line, &value));
            let (run, diags) = copy.check();
            let col = indent(original.lines().nth(line - 1).expect("key line")) + 1;
            let at = format!("{}:{line}:{col}", w.file);
            let want_step = format!("{}.{step}", w.name);
            let ok = run.code == 1
                && diags.iter().any(|d| {
                    d.code == "G005" && d.at() == at && d.step.as_deref() == Some(&want_step)
                });
            if !ok {
                failures.push(format!(
                    "{}: `{step}` without transitions: expected G005 at {at} naming {want_step}, exit 1; got exit {}\n{}",
                    w.file,
                    run.code,
                    listing(&diags)
                ));
            }
        }
        copy.write(&w.file, &original);
    }
    assert!(
        tried >= 10,
        "only {tried} non-end steps found; is the configuration complete?"
    );
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

/// Every `next: X`, `to: X` and `else: X` naming a step, as (1-based line, 1-based column, X).
fn transition_targets(text: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let code = line.split(" #").next().unwrap_or("");
        if code.trim_start().starts_with('#') {
            continue;
        }
        for key in ["next: ", "to: ", "else: "] {
            for (at, _) in code.match_indices(key) {
                let before = code[..at].chars().next_back();
                if !matches!(before, Some(' ' | '{' | ',') | None) {
                    continue; // e.g. `refer_to:`
                }
                let start = at + key.len();
                let name: String = code[start..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.push((i + 1, code[..start].chars().count() + 1, name));
                }
            }
        }
    }
    out
}

#[test]
fn renaming_a_transition_target_gives_an_unknown_step_at_its_line_and_column() {
    let copy = Copy::new();
    let mut failures = Vec::new();
    let mut tried = 0;
    for w in workflows() {
        let original = copy.read(&w.file);
        // Steps of this file that the merged workflow has (a base step Lindesberg replaces is
        // not part of it), and the names a transition may lead to (any step of the workflow).
        let own: Vec<&str> = w.steps.iter().map(|(s, _, _)| s.as_str()).collect();
        for (line, col, target) in transition_targets(&original) {
            if !w.all_steps.contains(&target)
                || !step_at(&original, line).is_some_and(|s| own.contains(&s.as_str()))
            {
                continue;
            }
            tried += 1;
            let typo = format!("{target}x");
            let mut lines: Vec<String> = original.lines().map(str::to_string).collect();
            let l = &mut lines[line - 1];
            let byte = l
                .char_indices()
                .nth(col - 1)
                .map(|(b, _)| b)
                .expect("column inside the line");
            l.insert(byte + target.len(), 'x');
            copy.write(&w.file, &(lines.join("\n") + "\n"));
            let (run, diags) = copy.check();
            let at = format!("{}:{line}:{col}", w.file);
            let d = find(&diags, "G001", &at);
            // Root cause first: whatever the typo cuts off is in the G001's follow-ons, so it
            // is the only error.
            let errors = diags.iter().filter(|d| d.severity == "error").count();
            let ok = run.code == 1
                && errors == 1
                && d.is_some_and(|d| {
                    d.message == format!("unknown step `{typo}`")
                        && d.help.as_deref() == Some(&format!("did you mean `{target}`?"))
                });
            if !ok {
                failures.push(format!(
                    "{}:{line}:{col}: `{target}` renamed `{typo}`: expected G001 there with a suggestion, and no other error; got exit {}\n{}",
                    w.file,
                    run.code,
                    listing(&diags)
                ));
            }
        }
        copy.write(&w.file, &original);
    }
    assert!(tried >= 10, "only {tried} transition targets found");
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

/// Changing one `next` to `kartlagning` once gave 11 errors and 2 warnings, the cause second:
/// nine steps unreachable (G004), a workflow that cannot end (G006), a referral never answered
/// (G009). Now it is one error, the G001 with its suggestion, naming what it cuts off.
#[test]
fn one_misspelt_next_is_one_error_naming_the_steps_it_cuts_off() {
    let copy = Copy::new();
    let file = "workflows/lindesberg/ame.yaml";
    let original = copy.read(file);
    let edited = original.replace("to: kartlaggning }", "to: kartlagning }");
    assert_ne!(
        edited, original,
        "the transition to `kartlaggning` is gone from {file}"
    );
    copy.write(file, &edited);
    let (run, diags) = copy.check();
    assert_eq!(run.code, 1);
    let errors: Vec<&Diag> = diags.iter().filter(|d| d.severity == "error").collect();
    assert_eq!(errors.len(), 1, "{}", listing(&diags));
    let d = errors[0];
    assert_eq!(d.code, "G001");
    assert_eq!(d.message, "unknown step `kartlagning`");
    assert_eq!(d.help.as_deref(), Some("did you mean `kartlaggning`?"));
    // Errors come first: the one error is the first diagnostic.
    assert_eq!(diags[0].code, "G001", "{}", listing(&diags));
    let unreachable: Vec<&str> = d
        .follow_on
        .iter()
        .filter(|f| f.code == "G004")
        .filter_map(|f| f.step.as_deref())
        .collect();
    assert!(
        unreachable.contains(&"ame.kartlaggning") && unreachable.len() >= 5,
        "{unreachable:?}"
    );
    let note = d
        .notes
        .iter()
        .find(|n| n.contains("unreachable because of this"))
        .unwrap_or_else(|| panic!("no note about unreachable steps: {:?}", d.notes));
    assert!(
        note.starts_with(&format!("{} steps are unreachable", unreachable.len())),
        "{note}"
    );
    // Each is named, or counted in the note's "and N more".
    let named = unreachable
        .iter()
        .filter(|step| note.contains(&format!("`{}`", step.trim_start_matches("ame."))))
        .count();
    let more = note
        .split(" and ")
        .last()
        .and_then(|t| t.strip_suffix(" more"))
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(0);
    assert_eq!(named + more, unreachable.len(), "{note}");
    // The human output shows the same: one error, the steps in its note.
    let human = steg(copy.tmp.path(), &["check", MUNICIPALITY]);
    assert!(human.stdout.contains("note: "), "{}", human.stdout);
    assert!(
        human.stdout.contains(": 1 error, "),
        "{}",
        human.stdout.lines().last().unwrap_or_default()
    );
    assert!(
        human
            .stdout
            .trim_start()
            .starts_with("G001(UnknownReference)"),
        "the cause is shown first:\n{}",
        human.stdout
    );
}

#[test]
fn an_added_orphan_step_is_unreachable() {
    let copy = Copy::new();
    for w in workflows() {
        let original = copy.read(&w.file);
        let (at, ind) = steps_block(&original);
        let (first, _, _) = &w.steps[0];
        let mut lines: Vec<String> = original.lines().map(str::to_string).collect();
        lines.insert(
            at + 1,
            format!("{}foraldrad_rutin: {{ next: {first} }}", " ".repeat(ind)),
        );
        copy.write(&w.file, &(lines.join("\n") + "\n"));
        let (run, diags) = copy.check();
        let want = format!("{}:{}:{}", w.file, at + 2, ind + 1);
        let d = find(&diags, "G004", &want);
        assert!(
            run.code == 1
                && d.is_some_and(
                    |d| d.step.as_deref() == Some(&format!("{}.foraldrad_rutin", w.name))
                ),
            "{}: expected G004 at {want} for `foraldrad_rutin`; got exit {}\n{}",
            w.file,
            run.code,
            listing(&diags)
        );
        let others: Vec<&Diag> = diags
            .iter()
            .filter(|d| d.severity == "error" && d.code != "G004")
            .collect();
        assert!(
            others.is_empty(),
            "{}: only the orphan should be reported:\n{}",
            w.file,
            listing(&diags)
        );
        copy.write(&w.file, &original);
    }
}

/// The only diagnostic of a run, which must be in `file` on `line`.
fn single_diagnostic_on<'a>(diags: &'a [Diag], file: &str, line: usize) -> &'a Diag {
    assert_eq!(
        diags.len(),
        1,
        "expected one diagnostic:\n{}",
        listing(diags)
    );
    let d = &diags[0];
    assert_eq!(d.file.as_deref(), Some(file), "{}", listing(diags));
    assert_eq!(d.line, Some(line as u32), "{}", listing(diags));
    d
}

#[test]
fn a_stray_colon_and_bracket_gives_a_located_syntax_error() {
    let copy = Copy::new();
    let mut files: Vec<String> = workflows().into_iter().map(|w| w.file).collect();
    files.dedup();
    files.push(format!("{MUNICIPALITY}/municipality.yaml"));
    files.push(format!("{BASE}/municipality.yaml"));
    for file in files {
        let original = copy.read(&file);
        // After the first top-level `key: value` line.
        let (i, line) = original
            .lines()
            .enumerate()
            .find(|(_, l)| {
                indent(l) == 0 && is_content(l) && !l.contains('#') && !l.trim_end().ends_with(':')
            })
            .expect("a top-level `key: value` line");
        let mut lines: Vec<String> = original.lines().map(str::to_string).collect();
        lines[i] = format!("{line} : [");
        copy.write(&file, &(lines.join("\n") + "\n"));
        let (run, diags) = copy.check();
        assert_eq!(run.code, 1, "{file}");
        let d = single_diagnostic_on(&diags, &file, i + 1);
        assert_eq!(d.code, "S001", "{file}: {}", listing(&diags));
        assert_eq!(
            d.column,
            Some(line.chars().count() as u32 + 2),
            "{file}: points at the stray `:`"
        );
        copy.write(&file, &original);
    }
}

#[test]
fn a_file_truncated_inside_a_flow_mapping_gives_a_located_error() {
    let copy = Copy::new();
    for w in workflows() {
        let original = copy.read(&w.file);
        // Cut just after the first `{` in the second half of the file that is not in a comment.
        let half = original.len() / 2;
        let Some(brace) = original[half..]
            .match_indices('{')
            .map(|(i, _)| half + i)
            .find(|&i| {
                // Not in a comment, not in a quoted string.
                let line_start = original[..i].rfind('\n').map_or(0, |n| n + 1);
                let before = &original[line_start..i];
                !before.contains('#')
                    && before.matches('"').count().is_multiple_of(2)
                    && !before.contains('\'')
            })
        else {
            continue;
        };
        let cut = &original[..=brace];
        copy.write(&w.file, cut);
        let (run, diags) = copy.check();
        assert_eq!(run.code, 1, "{}", w.file);
        let line = cut.lines().count();
        let d = single_diagnostic_on(&diags, &w.file, line);
        // The column is that of the unclosed `{`.
        let col = cut.lines().last().expect("a last line").chars().count();
        assert_eq!(d.column, Some(col as u32), "{}", listing(&diags));
        // Known bug (see the `yaml_syntax/invalid_truncated` fixture): reported as S003
        // `unclosed bracket` instead of S001.
        assert!(
            d.code == "S001" || (d.code == "S003" && d.message.starts_with("unclosed bracket")),
            "{}: {}",
            w.file,
            listing(&diags)
        );
        copy.write(&w.file, &original);
    }
}

#[test]
fn the_text_helpers_find_and_replace_steps() {
    let text = "workflow: w\nstart: a\nsteps:\n  # the first\n  a:\n    actor: x\n    next:\n      - { to: b }\n\n  # the second\n  b: { kind: end, outcome: klar }\n";
    assert_eq!(steps_block(text), (2, 2));
    assert_eq!(key_line(text, "a"), 5);
    assert_eq!(key_line(text, "b"), 11);
    assert_eq!(
        replace_step_value(text, 5, "{ actor: x }"),
        "workflow: w\nstart: a\nsteps:\n  # the first\n  a: { actor: x }\n\n  # the second\n  b: { kind: end, outcome: klar }\n"
    );
    assert_eq!(transition_targets(text), [(8, 15, "b".to_string())]);
    assert_eq!(step_at(text, 8).as_deref(), Some("a"));
    assert_eq!(step_at(text, 11).as_deref(), Some("b"));
    assert_eq!(step_at(text, 3), None);
    assert_eq!(
        transition_targets("    refer_to: { workflow: ame }\n    next: c # to: d\n"),
        [(2, 11, "c".to_string())]
    );
}
