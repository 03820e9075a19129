//! Loading: a municipality folder (YAML + Rhai files) becomes a [`Municipality`] with source
//! locations, plus the diagnostics of everything that could not be read.

pub(crate) mod extends;
pub use extends::is_base;
mod rules;

pub(crate) mod yaml;

use crate::codes;
use crate::diagnostic::{Diagnostic, FileId, SourceMap, Span};
use crate::model::{rule_name, Guard, MunicipalityFile, Workflow};
use crate::municipality::Municipality;
use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The file that marks a folder as a municipality.
pub const MUNICIPALITY_FILE: &str = "municipality.yaml";

/// Why `steg` could not even start checking (exit code 2, not a configuration error).
#[derive(Debug)]
pub enum PathError {
    /// The path does not exist.
    Missing(PathBuf),
    /// The path holds no `municipality.yaml`, nor folders that do.
    NoMunicipality(PathBuf),
    /// Reading a folder failed.
    Io(PathBuf, std::io::Error),
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathError::Missing(p) => write!(f, "{}: no such file or folder", p.display()),
            PathError::NoMunicipality(p) => write!(
                f,
                "{}: not a municipality folder (no {MUNICIPALITY_FILE} in it or in its subfolders)",
                p.display()
            ),
            PathError::Io(p, e) => write!(f, "{}: {e}", p.display()),
        }
    }
}

impl std::error::Error for PathError {}

/// Turn command-line arguments into municipality folders.
///
/// An argument may be a municipality folder, a folder of municipality folders (such as
/// `workflows/`), a file inside a municipality folder, or a bare name looked up under
/// `workflows/` (`lindesberg`). No arguments means every municipality under `workflows/`.
pub fn discover(args: &[PathBuf]) -> Result<Vec<PathBuf>, PathError> {
    let args: Vec<PathBuf> = if args.is_empty() {
        vec![PathBuf::from("workflows")]
    } else {
        args.to_vec()
    };
    let mut out = Vec::new();
    for arg in args {
        let path = if !arg.exists() && arg.components().count() == 1 {
            let under = Path::new("workflows").join(&arg);
            if under.is_dir() {
                under
            } else {
                return Err(PathError::Missing(arg));
            }
        } else {
            arg
        };
        if !path.exists() {
            return Err(PathError::Missing(path));
        }
        if path.is_file() {
            match path.parent() {
                Some(dir) if dir.join(MUNICIPALITY_FILE).is_file() => out.push(dir.to_path_buf()),
                _ => return Err(PathError::NoMunicipality(path)),
            }
            continue;
        }
        if path.join(MUNICIPALITY_FILE).is_file() {
            out.push(path);
            continue;
        }
        let mut found: Vec<PathBuf> = std::fs::read_dir(&path)
            .map_err(|e| PathError::Io(path.clone(), e))?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.join(MUNICIPALITY_FILE).is_file())
            // A base (`base: true`) is checked through the folders that extend it.
            .filter(|p| !extends::is_base(p))
            .collect();
        if found.is_empty() {
            return Err(PathError::NoMunicipality(path));
        }
        found.sort();
        out.extend(found);
    }
    // The same folder named twice (`a ./a`) is checked once.
    let mut seen = std::collections::HashSet::new();
    out.retain(|p| seen.insert(p.canonicalize().unwrap_or_else(|_| p.clone())));
    Ok(out)
}

/// Files as an editor holds them: the unsaved text of open files, read instead of what is on
/// disk. Keyed by canonical path, so `workflows/lindesberg/../common/ame.yaml` and the editor's
/// absolute path of the same file meet.
#[derive(Debug, Default, Clone)]
pub struct Overlay {
    files: HashMap<PathBuf, String>,
}

impl Overlay {
    /// Read `text` as the content of `path` from now on.
    pub fn set(&mut self, path: &Path, text: String) {
        self.files.insert(key(path), text);
    }

    /// Read `path` from disk again.
    pub fn remove(&mut self, path: &Path) {
        self.files.remove(&key(path));
    }

    /// The text held for `path`, if any.
    pub fn get(&self, path: &Path) -> Option<&str> {
        if self.files.is_empty() {
            return None;
        }
        self.files.get(&key(path)).map(String::as_str)
    }
}

fn key(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// Read a file of at most `limit` bytes as UTF-8 and add it to `sources`, or say why not. A
/// file that cannot be used is still added (as far as it could be read) so the diagnostic
/// points into it.
pub(crate) fn read_source(
    path: &Path,
    limit: u64,
    sources: &mut SourceMap,
) -> Result<FileId, Box<Diagnostic>> {
    read_source_in(path, limit, sources, &Overlay::default())
}

/// [`read_source`], taking the text from `overlay` when it holds the file.
pub(crate) fn read_source_in(
    path: &Path,
    limit: u64,
    sources: &mut SourceMap,
    overlay: &Overlay,
) -> Result<FileId, Box<Diagnostic>> {
    let fail = |sources: &mut SourceMap, text: String, offset: usize, msg: String, check| {
        let file = sources.add(path.to_path_buf(), text);
        let loc = crate::diagnostic::loc_at(&sources.get(file).text, offset, 1);
        Box::new(Diagnostic::new(check, Some(Span { file, loc }), msg).label("here"))
    };
    if let Some(text) = overlay.get(path) {
        if text.len() as u64 > limit {
            return Err(fail(
                sources,
                String::new(),
                0,
                format!(
                    "the file is larger than {} MiB; refusing to read it as configuration",
                    limit / (1024 * 1024)
                ),
                &codes::INPUT_TOO_LARGE,
            ));
        }
        return Ok(sources.add(path.to_path_buf(), text.to_string()));
    }
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            return Err(fail(
                sources,
                String::new(),
                0,
                format!("cannot read {}: {e}", path.display()),
                &codes::YAML_SYNTAX,
            ))
        }
    };
    let mut bytes = Vec::new();
    if let Err(e) = file.take(limit + 1).read_to_end(&mut bytes) {
        return Err(fail(
            sources,
            String::new(),
            0,
            format!("cannot read {}: {e}", path.display()),
            &codes::YAML_SYNTAX,
        ));
    }
    if bytes.len() as u64 > limit {
        return Err(fail(
            sources,
            String::new(),
            0,
            format!(
                "the file is larger than {} MiB; refusing to read it as configuration",
                limit / (1024 * 1024)
            ),
            &codes::INPUT_TOO_LARGE,
        ));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(sources.add(path.to_path_buf(), text)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let offset = String::from_utf8_lossy(&e.as_bytes()[..at]).len();
            Err(fail(
                sources,
                lossy,
                offset,
                "the file is not UTF-8 text (saved in another encoding, such as Latin-1?)"
                    .to_string(),
                &codes::YAML_SYNTAX,
            ))
        }
    }
}

/// Load one municipality folder. Problems are appended to `out`; loading goes on past them so
/// that one run reports every file's problems.
pub fn load_municipality(
    dir: &Path,
    sources: &mut SourceMap,
    out: &mut Vec<Diagnostic>,
) -> Municipality {
    load_municipality_with(dir, &Overlay::default(), sources, out)
}

/// [`load_municipality`], reading open files' unsaved text from `overlay`.
pub fn load_municipality_with(
    dir: &Path,
    overlay: &Overlay,
    sources: &mut SourceMap,
    out: &mut Vec<Diagnostic>,
) -> Municipality {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| dir.display().to_string());
    // Own files, then the base's (`extends`), merged.
    let extends::Layer {
        def,
        workflows,
        mut complete,
    } = extends::read_folder(dir, overlay, sources, out);

    let rule_dirs = rule_dirs(dir, &name, def.as_ref().map(|(f, m)| (*f, m)), out);
    let before = out.len();
    let mut rules = rules::load_rules(&rule_dirs, overlay, sources, out);
    // A rule file that does not load leaves its rules undefined; reference checks would then
    // report every use of them. (A mistake in a test or table file is read past.)
    let read_past = [
        &codes::UNKNOWN_FIELD,
        &codes::INVALID_VALUE,
        &codes::DUPLICATE_KEY,
    ];
    if out[before..]
        .iter()
        .any(|d| d.severity == crate::Severity::Error && !read_past.contains(&d.check))
    {
        complete = false;
    }
    let conditions = compile_conditions(&rules.engine, &workflows, sources, out);
    let params = def
        .as_ref()
        .map(|(_, d)| crate::eval::Params::from_parameters(&d.parameters))
        .unwrap_or_default();
    crate::eval::register_tables(&mut rules.engine, &rules.tables);

    Municipality {
        name,
        dir: dir.to_path_buf(),
        def,
        workflows,
        rules,
        conditions,
        params,
        complete,
    }
}

fn rule_dirs(
    dir: &Path,
    name: &str,
    def: Option<(FileId, &MunicipalityFile)>,
    out: &mut Vec<Diagnostic>,
) -> Vec<(PathBuf, bool)> {
    match def.and_then(|(f, m)| m.rules.as_ref().map(|r| (f, r))) {
        Some((file, list)) => list
            .iter()
            .filter_map(|r| match rules::rule_folder(dir, &r.value) {
                Ok(p) => {
                    // Every rule folder but a shared `common` is the municipality's own.
                    let local = p.file_name().is_some_and(|n| n != "common");
                    Some((p, local))
                }
                Err(rules::RuleFolderError::Outside(msg)) => {
                    out.push(
                        Diagnostic::new(&codes::INVALID_VALUE, Some(Span { file, loc: r.loc }), msg)
                            .label("outside the project")
                            .help("write a folder inside the project, such as `../../rules/common` (docs/language.md, Rules)"),
                    );
                    None
                }
                Err(rules::RuleFolderError::Missing) => {
                    out.push(
                        Diagnostic::new(
                            &codes::UNKNOWN_REFERENCE,
                            Some(Span { file, loc: r.loc }),
                            format!("rule folder `{}` does not exist", r.value),
                        )
                        .label("no such folder")
                        .help(format!("paths are relative to {}", dir.display())),
                    );
                    None
                }
            })
            .collect(),
        None => {
            let root = dir.join("..").join("..").join("rules");
            [(root.join("common"), false), (root.join(name), true)]
                .into_iter()
                .filter(|(p, _)| p.is_dir())
                .collect()
        }
    }
}

/// Compile every inline condition once; a rule reference (`rule.NAME`) is resolved by the checks.
fn compile_conditions(
    engine: &rhai::Engine,
    workflows: &[Workflow],
    sources: &SourceMap,
    out: &mut Vec<Diagnostic>,
) -> HashMap<String, rhai::AST> {
    let mut compiled = HashMap::new();
    for w in workflows {
        for (_, step) in w.def.steps.iter() {
            for t in step.transitions() {
                let Guard::When(cond) = &t.guard else {
                    continue;
                };
                if rule_name(&cond.value).is_some() || compiled.contains_key(&cond.value) {
                    continue;
                }
                match engine.compile_expression(&cond.value) {
                    Ok(ast) => {
                        compiled.insert(cond.value.clone(), ast);
                    }
                    Err(e) => {
                        // An inherited step's condition is written in the base's file.
                        let file = cond.loc.file.unwrap_or(w.file);
                        let text = &sources.get(file).text;
                        out.push(rules::parse_error(file, text, &e, Some(cond.loc)))
                    }
                }
            }
        }
    }
    compiled
}
