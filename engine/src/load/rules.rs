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
/// Most rule, table and test files read from a municipality's rule folders.
pub const MAX_RULE_FILES: usize = 1_000;
/// Most folder entries looked at while finding them, and the deepest folder nesting.
pub const MAX_RULE_ENTRIES: usize = 20_000;
/// Deepest subfolder nesting under a rule folder.
pub const MAX_RULE_DEPTH: usize = 8;

/// The rule folder that `rules:` names as `written`, relative to the municipality folder `dir`.
///
/// Rule folders are inside the project: the folder two levels above the municipality folder
/// (for `workflows/lindesberg`, the folder that holds `workflows/` and `rules/`), which is
/// where the default `../../rules/common` and `../../rules/<name>` point. An absolute path, or a
/// path whose real location (`..` and symbolic links resolved) is outside that folder or is
/// that folder itself, is refused: `rules: [/]` would read the whole file system.
pub(crate) fn rule_folder(dir: &Path, written: &str) -> Result<PathBuf, RuleFolderError> {
    let rel = Path::new(written);
    if rel.has_root() || rel.is_absolute() {
        return Err(RuleFolderError::Outside(format!(
            "rule folder `{written}` is an absolute path; rule folders are written relative to \
             the municipality folder and lie inside the project"
        )));
    }
    let path = dir.join(rel);
    if !path.is_dir() {
        return Err(RuleFolderError::Missing);
    }
    let root = project_root(dir);
    let real = path.canonicalize().unwrap_or_else(|_| path.clone());
    if !real.starts_with(&root) || real == root {
        return Err(RuleFolderError::Outside(format!(
            "rule folder `{written}` is {}, not a folder inside the project folder {}",
            real.display(),
            root.display()
        )));
    }
    Ok(path)
}

/// The project folder of a municipality folder: two levels up, resolved.
fn project_root(dir: &Path) -> PathBuf {
    let up = dir.join("..").join("..");
    up.canonicalize().unwrap_or(up)
}

/// Why a folder in `rules:` cannot be used.
#[derive(Debug)]
pub(crate) enum RuleFolderError {
    /// There is no such folder.
    Missing,
    /// It is outside the project (the message says where it is).
    Outside(String),
}

/// Load every rule file, table and test under `dirs` (sorted, recursively). The `bool` marks
/// the municipality's own folder, whose unused rules are worth a warning.
pub fn load_rules(
    dirs: &[(PathBuf, bool)],
    overlay: &super::Overlay,
    sources: &mut SourceMap,
    out: &mut Vec<Diagnostic>,
) -> RuleSet {
    let mut set = RuleSet::default();
    let mut walk = Walk::default();
    for (dir, local) in dirs {
        let mut files = Vec::new();
        if let Err(msg) = collect(dir, 0, &mut walk, &mut files) {
            out.push(
                Diagnostic::new(
                    &codes::INPUT_TOO_LARGE,
                    None,
                    format!("{}: {msg}", dir.display()),
                )
                .help("keep rule folders to the rules: `*.rhai`, `*.table.yaml`, `*.test.yaml`"),
            );
        }
        files.sort();
        for path in files {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let limit = if kind(name) == Some(Kind::Rules) {
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
            match kind(name) {
                Some(Kind::Table) => {
                    if let Some(def) = yaml::read::<TableFile>(file, text, out) {
                        set.tables.push(Table { file, def });
                    }
                }
                Some(Kind::Tests) => {
                    if let Some(def) = yaml::read::<TestFile>(file, text, out) {
                        set.tests.push(Tests { file, def });
                    }
                }
                _ => compile_file(&mut set, file, text, *local, out),
            }
        }
    }
    duplicate_tables(&set.tables, out);
    link(&mut set);
    set
}

/// A table defined in two files: which one `tabell` read was an accident of file names.
fn duplicate_tables(tables: &[Table], out: &mut Vec<Diagnostic>) {
    let mut first: std::collections::HashMap<&str, &Table> = std::collections::HashMap::new();
    for t in tables {
        let name = t.def.table.value.as_str();
        match first.get(name) {
            None => {
                first.insert(name, t);
            }
            Some(earlier) => out.push(
                Diagnostic::new(
                    &codes::DUPLICATE_ID,
                    Some(Span {
                        file: t.file,
                        loc: t.def.table.loc,
                    }),
                    format!("table `{name}` is defined in two files"),
                )
                .label("defined again here")
                .related(
                    Span {
                        file: earlier.file,
                        loc: earlier.def.table.loc,
                    },
                    "first defined here",
                )
                .help("a table's versions are written in one file; rename one table or merge their `versions`"),
            ),
        }
    }
}

/// What a file in a rule folder is, by its name; the extensions are matched without regard
/// to case (`Riksnorm.Table.YAML`), as for workflow files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Rules,
    Table,
    Tests,
}

fn kind(name: &str) -> Option<Kind> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".rhai") {
        Some(Kind::Rules)
    } else if lower.ends_with(".table.yaml") || lower.ends_with(".table.yml") {
        Some(Kind::Table)
    } else if lower.ends_with(".test.yaml") || lower.ends_with(".test.yml") {
        Some(Kind::Tests)
    } else {
        None
    }
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

/// What finding the rule files has looked at so far, over every rule folder of a municipality.
#[derive(Default)]
struct Walk {
    entries: usize,
    files: usize,
}

/// Rule, table and test files under `dir`, recursively (symbolic links to folders are not
/// followed); an error when the folders hold more than the limits allow.
fn collect(
    dir: &Path,
    depth: usize,
    walk: &mut Walk,
    out: &mut Vec<PathBuf>,
) -> Result<(), String> {
    if depth > MAX_RULE_DEPTH {
        return Err(format!(
            "rule folders nest more than {MAX_RULE_DEPTH} levels deep"
        ));
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for e in entries.flatten() {
        walk.entries += 1;
        if walk.entries > MAX_RULE_ENTRIES {
            return Err(format!(
                "the rule folders hold more than {MAX_RULE_ENTRIES} files and folders"
            ));
        }
        let p = e.path();
        let Ok(ft) = e.file_type() else { continue };
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if ft.is_dir() {
            collect(&p, depth + 1, walk, out)?;
        } else if kind(name).is_some() {
            walk.files += 1;
            if walk.files > MAX_RULE_FILES {
                return Err(format!(
                    "the rule folders hold more than {MAX_RULE_FILES} rule, table and test files"
                ));
            }
            out.push(p);
        }
    }
    Ok(())
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
