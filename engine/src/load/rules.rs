//! Rule files: every `*.rhai` under a municipality's rule folders, compiled once.
//!
//! A public `fn` in a rule file is a rule, named by the function; `private fn` is a helper.
//! Workflows name rules in conditions as `rule.NAME`; other conditions are inline Rhai
//! expressions, compiled here too so a typo in one is reported at its line in the YAML.

use crate::check::codes;
use crate::diagnostic::{loc_at, offset_of, Diagnostic, FileId, Loc, SourceMap, Span};
use std::path::{Path, PathBuf};

/// Largest rule file accepted, in bytes.
pub const MAX_RULE_BYTES: u64 = 1024 * 1024;

/// A rule: a public function in a rule file.
#[derive(Debug, Clone)]
pub struct Rule {
    /// Function name, used as `rule.NAME`.
    pub name: String,
    /// Parameter names.
    pub params: Vec<String>,
    /// Where it is defined.
    pub span: Span,
    /// Whether the rule comes from the municipality's own folder (not a shared one).
    pub local: bool,
}

/// The compiled rule files of one municipality.
#[derive(Default)]
pub struct RuleSet {
    /// Compiled files, each with its source id.
    pub files: Vec<(FileId, rhai::AST)>,
    /// Every public function, in file order.
    pub rules: Vec<Rule>,
}

impl std::fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuleSet")
            .field("files", &self.files.len())
            .field("rules", &self.rules)
            .finish()
    }
}

impl RuleSet {
    /// The rule named `name`.
    pub fn get(&self, name: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.name == name)
    }
}

/// The engine used for compiling: no optimisation surprises, strict variables off (rules see
/// `case` and `params` as function arguments).
pub fn compiler() -> rhai::Engine {
    let mut engine = rhai::Engine::new_raw();
    engine.set_max_expr_depths(64, 32);
    engine
}

/// Load every `*.rhai` under `dirs` (sorted, recursively). `local_dir` marks the municipality's
/// own folder, whose unused rules are worth a warning.
pub fn load_rules(
    dirs: &[(PathBuf, bool)],
    sources: &mut SourceMap,
    out: &mut Vec<Diagnostic>,
) -> RuleSet {
    let engine = compiler();
    let mut set = RuleSet::default();
    for (dir, local) in dirs {
        let mut files = Vec::new();
        collect_rhai(dir, &mut files);
        files.sort();
        for path in files {
            let text = match super::read_limited(&path, MAX_RULE_BYTES) {
                Ok(t) => t,
                Err(d) => {
                    out.push(*d);
                    continue;
                }
            };
            let file = sources.add(path.clone(), text);
            let text = &sources.get(file).text;
            match engine.compile(text) {
                Ok(ast) => {
                    for f in ast.iter_functions() {
                        if matches!(f.access, rhai::FnAccess::Private) {
                            continue;
                        }
                        set.rules.push(Rule {
                            name: f.name.to_string(),
                            params: f.params.iter().map(|p| p.to_string()).collect(),
                            span: Span {
                                file,
                                loc: fn_loc(text, f.name),
                            },
                            local: *local,
                        });
                    }
                    set.files.push((file, ast));
                }
                Err(e) => out.push(parse_error(file, text, &e, None)),
            }
        }
    }
    set
}

fn collect_rhai(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            collect_rhai(&p, out);
        } else if p.extension().is_some_and(|x| x == "rhai") {
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
pub fn parse_error(file: FileId, text: &str, e: &rhai::ParseError, base: Option<Loc>) -> Diagnostic {
    let pos = e.1;
    let (line, col) = (pos.line().unwrap_or(1) as u32, pos.position().unwrap_or(1) as u32);
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
