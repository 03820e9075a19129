//! Rule folders: every `*.rhai` (rules), `*.table.yaml` (dated tables) and `*.test.yaml` (rule
//! tests) under a municipality's rule folders, read and compiled once.
//!
//! A public `fn` in a rule file is a rule, named by the function; `private fn` is a helper.
//! Doc comments (`///`) on a rule may say `source:`, `valid_from:` and `valid_to:`; several
//! versions of one rule live in separate files with disjoint validity periods.
//! Workflows name rules in conditions as `rule.NAME`; other conditions are inline Rhai
//! expressions, compiled here too so a typo in one is reported at its line in the YAML.

use super::yaml;
use crate::codes;
use crate::diagnostic::{loc_at, offset_of, Diagnostic, FileId, Loc, SourceMap, Span};
use crate::eval::{file_source, Rule, RuleSet, Table, Tests};
use crate::model::{TableFile, TestFile};
use crate::validity::Validity;
use std::path::{Path, PathBuf};

/// Largest rule file accepted, in bytes.
pub const MAX_RULE_BYTES: u64 = 1024 * 1024;

/// Load every rule file, table and test under `dirs` (sorted, recursively). The `bool` marks
/// the municipality's own folder, whose unused rules are worth a warning.
pub fn load_rules(
    dirs: &[(PathBuf, bool)],
    overlay: &super::Overlay,
    sources: &mut SourceMap,
    out: &mut Vec<Diagnostic>,
) -> RuleSet {
    let mut set = RuleSet::default();
    for (dir, local) in dirs {
        let mut files = Vec::new();
        collect(dir, &mut files);
        files.sort();
        for path in files {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let limit = if name.ends_with(".rhai") {
                MAX_RULE_BYTES
            } else {
                yaml::MAX_FILE_BYTES
            };
            let file = match super::read_source_in(&path, limit, sources, overlay) {
                Ok(f) => f,
                Err(d) => {
                    out.push(*d);
                    continue;
                }
            };
            let text = &sources.get(file).text;
            if name.ends_with(".table.yaml") {
                if let Some(def) = yaml::read::<TableFile>(file, text, out) {
                    set.tables.push(Table { file, def });
                }
            } else if name.ends_with(".test.yaml") {
                if let Some(def) = yaml::read::<TestFile>(file, text, out) {
                    set.tests.push(Tests { file, def });
                }
            } else {
                compile_file(&mut set, file, text, *local, out);
            }
        }
    }
    link(&mut set);
    set
}

/// Build [`RuleSet::linked`] (functions of every file, then the file's own on top) and the
/// index by name.
fn link(set: &mut RuleSet) {
    set.by_name.clear();
    for (i, r) in set.rules.iter().enumerate() {
        set.by_name.entry(r.name.clone()).or_default().push(i);
    }
    let mut library = rhai::AST::empty();
    for (_, ast) in &set.files {
        library = library.merge(&ast.clone_functions_only());
    }
    set.linked = set
        .files
        .iter()
        .map(|(_, ast)| library.merge(&ast.clone_functions_only()))
        .collect();
}

fn compile_file(
    set: &mut RuleSet,
    file: FileId,
    text: &str,
    local: bool,
    out: &mut Vec<Diagnostic>,
) {
    match set.engine.compile(text) {
        Ok(mut ast) => {
            ast.set_source(file_source(file));
            let index = set.files.len();
            for f in ast.iter_functions() {
                if matches!(f.access, rhai::FnAccess::Private) {
                    continue;
                }
                let loc = fn_loc(text, f.name);
                let doc = f.comments.join("\n");
                let (validity, source) = match Validity::from_doc(&doc) {
                    Ok(v) => v,
                    Err(msg) => {
                        out.push(
                            Diagnostic::new(&codes::INVALID_VALUE, Some(Span { file, loc }), msg)
                                .label("in this rule's doc comment")
                                .help("write dates as `/// valid_from: 2021-01-01`"),
                        );
                        (Validity::ALWAYS, None)
                    }
                };
                set.rules.push(Rule {
                    name: f.name.to_string(),
                    params: f.params.iter().map(|p| p.to_string()).collect(),
                    span: Span { file, loc },
                    local,
                    ast: index,
                    validity,
                    source,
                });
            }
            set.files.push((file, ast));
        }
        Err(e) => out.push(parse_error(file, text, &e, None)),
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let Ok(ft) = e.file_type() else { continue };
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if ft.is_dir() {
            collect(&p, out);
        } else if name.ends_with(".rhai")
            || name.ends_with(".table.yaml")
            || name.ends_with(".test.yaml")
        {
            out.push(p);
        }
    }
}

/// Where `fn NAME` is written in `text` (first occurrence outside comments).
fn fn_loc(text: &str, name: &str) -> Loc {
    let needle = format!("fn {name}");
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let code = line.split("//").next().unwrap_or("");
        if let Some(i) = code.find(&needle) {
            let after = code[i + needle.len()..].chars().next();
            if after.is_none_or(|c| !(c.is_alphanumeric() || c == '_')) {
                return loc_at(text, offset + i + 3, name.len());
            }
        }
        offset += line.len();
    }
    loc_at(text, 0, 0)
}

/// A Rhai parse error as a diagnostic. `base` is where an inline expression starts in its YAML
/// file; `None` for a rule file (positions are then the file's own).
pub fn parse_error(
    file: FileId,
    text: &str,
    e: &rhai::ParseError,
    base: Option<Loc>,
) -> Diagnostic {
    let pos = e.1;
    let (line, col) = (
        pos.line().unwrap_or(1) as u32,
        pos.position().unwrap_or(1) as u32,
    );
    let loc = match base {
        None => {
            let off = offset_of(text, line, col);
            loc_at(text, off, 1)
        }
        Some(b) if line <= 1 => {
            // One-line expression: shift by its column inside the scalar (after a quote).
            let quoted = text[b.offset.min(text.len())..].starts_with(['"', '\'']);
            let off = offset_of(text, b.line, b.column + col - 1 + u32::from(quoted));
            loc_at(text, off, 1)
        }
        Some(b) => b,
    };
    Diagnostic::new(
        &codes::RULE_SYNTAX,
        Some(Span { file, loc }),
        format!("Rhai syntax error: {}", e.0),
    )
    .label("here")
}
