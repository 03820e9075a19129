//! `extends`: a configuration folder, or one workflow, that inherits a base and overrides it.
//!
//! Reading a folder reads its own files, then its base (recursively), then merges: the base's
//! entries first, an entry of the same id in the folder replacing the base's in place, new
//! entries after. Whole entries are replaced, never merged field by field (docs/language.md,
//! docs/decisions.md). Every node keeps the file it was read from in its location
//! ([`Loc::file`](crate::Loc)), so the merged model still points into the base for what it
//! inherited and into the folder for what it overrode.

use super::{read_source_in, yaml, Overlay, MUNICIPALITY_FILE};
use crate::codes;
use crate::diagnostic::{did_you_mean, Diagnostic, FileId, SourceMap, Span};
use crate::model::{Map, MunicipalityFile, Node, Workflow, WorkflowFile};
use std::path::{Path, PathBuf};

/// What a folder holds after its `extends` are resolved.
pub(crate) struct Layer {
    /// `municipality.yaml`, merged over its base's.
    pub def: Option<(FileId, MunicipalityFile)>,
    /// The workflows: the folder's own (each merged over the base workflow it extends), then
    /// the base's that the folder does not override.
    pub workflows: Vec<Workflow>,
    /// Whether every file, the bases' included, could be read and every `extends` resolved.
    pub complete: bool,
}

/// Read `dir`'s `municipality.yaml` and workflow files and resolve every `extends`.
pub(crate) fn read_folder(
    dir: &Path,
    overlay: &Overlay,
    sources: &mut SourceMap,
    out: &mut Vec<Diagnostic>,
) -> Layer {
    Reader {
        overlay,
        sources,
        out,
        stack: Vec::new(),
    }
    .folder(dir)
}

/// Whether a folder's `municipality.yaml` says `base: true` (a folder that cannot be read is
/// not a base: checking it reports why).
pub fn is_base(dir: &Path) -> bool {
    #[derive(serde::Deserialize)]
    struct Flag {
        #[serde(default)]
        base: bool,
    }
    std::fs::read_to_string(dir.join(MUNICIPALITY_FILE))
        .ok()
        .and_then(|text| yaml::read::<Flag>(FileId(0), &text, &mut Vec::new()))
        .is_some_and(|f| f.base)
}

/// A workflow's id must be an id, as every name of the language (docs/language.md).
fn check_workflow_id(file: FileId, w: &WorkflowFile, out: &mut Vec<Diagnostic>) {
    let id = &w.workflow;
    if crate::model::is_id(&id.value) {
        return;
    }
    let rule = "ids are a lower-case ASCII letter, then lower-case letters, digits and `_` (`ekonomiskt_bistand`)";
    let span = Span { file, loc: id.loc };
    let d = Diagnostic::new(
        &codes::INVALID_VALUE,
        Some(span.clone()),
        format!("`{}` is not an id", id.value),
    )
    .label("not an id");
    out.push(match crate::model::id_like(&id.value) {
        Some(s) => d.help(format!("{rule}: did you mean `{s}`?")).fix(span, s),
        None => d.help(rule),
    });
}

/// A path (`../common/ame.yaml`) rather than a workflow id (`ame`).
fn is_path(s: &str) -> bool {
    s.contains('/') || s.contains('\\') || s.ends_with(".yaml") || s.ends_with(".yml")
}

/// `workflows/lindesberg/../common` → `workflows/common`, without touching the file system
/// (paths are shown in diagnostics as they are joined).
fn lexical(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

fn canonical(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}

struct Reader<'a> {
    overlay: &'a Overlay,
    sources: &'a mut SourceMap,
    out: &'a mut Vec<Diagnostic>,
    /// The folders and files being read, outermost first, to find circles.
    stack: Vec<PathBuf>,
}

impl Reader<'_> {
    fn folder(&mut self, dir: &Path) -> Layer {
        self.stack.push(canonical(dir));
        let own = self.own_files(dir);
        let layer = self.resolve(dir, own);
        self.stack.pop();
        layer
    }

    /// Read one file, reporting why it cannot be.
    fn read(&mut self, path: &Path) -> Option<(FileId, String)> {
        match read_source_in(path, yaml::MAX_FILE_BYTES, self.sources, self.overlay) {
            Ok(id) => Some((id, self.sources.get(id).text.clone())),
            Err(d) => {
                self.out.push(*d);
                None
            }
        }
    }

    /// `municipality.yaml` and every other `*.yaml` of the folder, as written.
    fn own_files(&mut self, dir: &Path) -> Layer {
        let mut complete = true;
        let mut def = None;
        // Every mistake of every file is reported; a file whose top level cannot be read at all
        // (not YAML, a required field missing) leaves the folder incomplete.
        let mut pending = Vec::new();
        if let Some((id, text)) = self.read(&dir.join(MUNICIPALITY_FILE)) {
            match yaml::read::<MunicipalityFile>(id, &text, &mut pending) {
                Some(m) => def = Some((id, m)),
                None => complete = false,
            }
        } else {
            complete = false;
        }
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.is_file()
                    && p.extension().is_some_and(|x| {
                        x.eq_ignore_ascii_case("yaml") || x.eq_ignore_ascii_case("yml")
                    })
                    && p.file_name().is_some_and(|n| n != MUNICIPALITY_FILE)
            })
            .collect();
        files.sort();
        let mut workflows = Vec::new();
        for path in files {
            let Some((id, text)) = self.read(&path) else {
                complete = false;
                continue;
            };
            match yaml::read::<WorkflowFile>(id, &text, &mut pending) {
                Some(w) => {
                    check_workflow_id(id, &w, &mut pending);
                    workflows.push(Workflow { file: id, def: w })
                }
                None => complete = false,
            }
        }
        self.out.extend(pending);
        Layer {
            def,
            workflows,
            complete,
        }
    }

    /// Merge the folder's own files over its base and each workflow over the one it extends.
    fn resolve(&mut self, dir: &Path, own: Layer) -> Layer {
        let Layer {
            mut def,
            workflows,
            mut complete,
        } = own;
        let mut base: Option<Layer> = None;
        // Without municipality.yaml there is no knowing whether the folder has a base.
        let def_read = def.is_some();
        // A base that was named but could not be read: what the folder's workflows remove from
        // it is unknown, not missing.
        let mut base_missing = false;
        if let Some(ext) = def.as_ref().and_then(|(_, m)| m.extends.clone()) {
            match self.base_folder(dir, &ext) {
                Some(b) => {
                    complete &= b.complete;
                    if let (Some((file, m)), Some((_, bm))) = (def.take(), b.def.clone()) {
                        def = Some((file, merge_municipality(bm, m)));
                    }
                    base = Some(b);
                }
                None => {
                    complete = false;
                    base_missing = true;
                }
            }
        }

        let base_workflows: &[Workflow] = base.as_ref().map_or(&[], |b| &b.workflows);
        let mut taken = vec![false; base_workflows.len()];
        let same_id = |id: &str| base_workflows.iter().position(|b| b.name() == id);
        let mut merged = Vec::new();
        for w in workflows {
            // A base workflow of the same id is replaced by this one, whatever it extends.
            if let Some(i) = same_id(w.name()) {
                taken[i] = true;
            }
            let parent = match w.def.extends.clone() {
                Some(ext) if is_path(&ext.value) => {
                    let p = self.workflow_at(dir, &ext);
                    complete &= p.is_some();
                    p
                }
                Some(ext) => match base.as_ref() {
                    None => {
                        self.out.push(
                            Diagnostic::new(
                                &codes::UNKNOWN_REFERENCE,
                                Some(Span { file: w.file, loc: ext.loc }),
                                format!(
                                    "workflow `{}` extends `{}`, but this folder has no base to take it from",
                                    w.name(),
                                    ext.value
                                ),
                            )
                            .label("no base workflow of this name")
                            .help(format!(
                                "add `extends: ../common` (the base folder) to municipality.yaml, or write the path of the workflow file, e.g. `extends: ../common/{}.yaml`",
                                ext.value
                            )),
                        );
                        complete = false;
                        None
                    }
                    // A base that did not load has been reported; its workflows are unknown.
                    Some(b) if !b.complete => None,
                    Some(_) => match same_id(&ext.value) {
                        Some(i) => {
                            taken[i] = true;
                            Some(base_workflows[i].clone())
                        }
                        None => {
                            let suggestion =
                                did_you_mean(&ext.value, base_workflows.iter().map(|b| b.name()));
                            let help = match suggestion {
                                Some(s) => format!("did you mean `{s}`?"),
                                None => format!(
                                    "the base's workflows are: {}",
                                    base_workflows
                                        .iter()
                                        .map(|b| format!("`{}`", b.name()))
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                ),
                            };
                            self.out.push(
                                Diagnostic::new(
                                    &codes::UNKNOWN_REFERENCE,
                                    Some(Span {
                                        file: w.file,
                                        loc: ext.loc,
                                    }),
                                    format!("the base has no workflow `{}` to extend", ext.value),
                                )
                                .label("no base workflow of this name")
                                .help(help)
                                .maybe_fix(
                                    Span {
                                        file: w.file,
                                        loc: ext.loc,
                                    },
                                    suggestion,
                                ),
                            );
                            complete = false;
                            None
                        }
                    },
                },
                None => same_id(w.name()).map(|i| base_workflows[i].clone()),
            };
            match parent {
                Some(p) => merged.push(merge_workflow(p, w, self.out)),
                None => {
                    if def_read && !base_missing && base.as_ref().is_none_or(|b| b.complete) {
                        // A workflow whose id is a typo of a base workflow's id extends nothing.
                        let untaken: Vec<&str> = base_workflows
                            .iter()
                            .enumerate()
                            .filter(|(i, _)| !taken[*i])
                            .map(|(_, b)| b.name())
                            .collect();
                        let meant = did_you_mean(w.name(), untaken.iter().copied());
                        self.nothing_to_remove(&w, meant);
                    }
                    merged.push(w);
                }
            }
        }
        for (i, b) in base_workflows.iter().enumerate() {
            if !taken[i] {
                merged.push(b.clone());
            }
        }
        Layer {
            def,
            workflows: merged,
            complete,
        }
    }

    /// `remove:` in a workflow that extends nothing. `meant`: the base workflow whose id is
    /// close to this workflow's (a typo in `workflow:` makes a new workflow instead of
    /// extending the base's).
    fn nothing_to_remove(&mut self, w: &Workflow, meant: Option<&str>) {
        let general = "`remove:` takes steps out of the workflow named by `extends:`, or of the base's workflow of the same id";
        for r in &w.def.remove {
            let d = Diagnostic::new(
                &codes::UNKNOWN_REFERENCE,
                Some(Span {
                    file: w.file,
                    loc: r.loc,
                }),
                format!(
                    "workflow `{}` extends no base workflow, so there is no step `{}` to remove",
                    w.name(),
                    r.value
                ),
            )
            .label("nothing to remove this from");
            self.out.push(match meant {
                Some(m) => d
                    .help(format!(
                        "did you mean `workflow: {m}`? The base has a workflow `{m}`, which this one extends only if it has the same id; {general}"
                    ))
                    .fix(
                        Span {
                            file: w.file,
                            loc: w.def.workflow.loc,
                        },
                        m,
                    ),
                None => d.help(general),
            });
        }
    }

    /// `extends:` names a folder or file inside the project, relative to `dir`: an absolute
    /// path, or one that leaves the project (`../../../etc`, `/dev/stdin`), is refused at the
    /// `extends:` with the reason, before anything is read.
    fn inside_project(&mut self, dir: &Path, ext: &Node<String>) -> bool {
        let file = ext.loc.file.unwrap_or(FileId(0));
        let written = Path::new(&ext.value);
        let root = {
            let up = dir.join("..").join("..");
            up.canonicalize().unwrap_or(up)
        };
        let target = lexical(&dir.join(written));
        let real = target.canonicalize().unwrap_or_else(|_| target.clone());
        let why = if written.has_root() || written.is_absolute() {
            Some(format!("`extends: {}` is an absolute path", ext.value))
        } else if target.exists() && !real.starts_with(&root) {
            Some(format!(
                "`extends: {}` is {}, outside the project folder {}",
                ext.value,
                real.display(),
                root.display()
            ))
        } else {
            None
        };
        match why {
            Some(msg) => {
                self.out.push(
                    Diagnostic::new(
                        &codes::INVALID_VALUE,
                        Some(Span { file, loc: ext.loc }),
                        msg,
                    )
                    .label("not inside the project")
                    .help("a base (or a base workflow file) is written relative to this folder and lies inside the project, e.g. `../common`"),
                );
                false
            }
            None => true,
        }
    }

    /// The base folder named by `extends` in `dir`'s municipality.yaml, read and resolved.
    fn base_folder(&mut self, dir: &Path, ext: &Node<String>) -> Option<Layer> {
        if !self.inside_project(dir, ext) {
            return None;
        }
        let target = lexical(&dir.join(&ext.value));
        let file = ext.loc.file.unwrap_or(FileId(0));
        if !target.join(MUNICIPALITY_FILE).is_file() {
            // A misspelt last part of the path: the configuration folders beside it.
            let meant = target
                .parent()
                .zip(target.file_name())
                .and_then(|(parent, name)| {
                    let folders: Vec<String> = std::fs::read_dir(parent)
                        .into_iter()
                        .flatten()
                        .flatten()
                        .filter(|e| e.path().join(MUNICIPALITY_FILE).is_file())
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect();
                    let best =
                        did_you_mean(&name.to_string_lossy(), folders.iter().map(String::as_str))?;
                    let (head, _) = ext
                        .value
                        .trim_end_matches('/')
                        .rsplit_once('/')
                        .unwrap_or(("", ""));
                    Some(if head.is_empty() {
                        best.to_string()
                    } else {
                        format!("{head}/{best}")
                    })
                });
            let help = format!(
                "the path is relative to {}; a base is a folder with its own {MUNICIPALITY_FILE} (marked `base: true`)",
                dir.display()
            );
            let span = Span { file, loc: ext.loc };
            let d = Diagnostic::new(
                &codes::UNKNOWN_REFERENCE,
                Some(span.clone()),
                format!("`extends: {}`: no configuration folder there", ext.value),
            )
            .label(format!("no {MUNICIPALITY_FILE} in this folder"));
            self.out.push(match meant {
                Some(m) => d.help(format!("did you mean `{m}`? {help}")).fix(span, m),
                None => d.help(help),
            });
            return None;
        }
        if self.circle(&target, file, ext) {
            return None;
        }
        Some(self.folder(&target))
    }

    /// Report and return true when `target` is already being read.
    fn circle(&mut self, target: &Path, file: FileId, ext: &Node<String>) -> bool {
        let key = canonical(target);
        let Some(at) = self.stack.iter().position(|p| *p == key) else {
            return false;
        };
        let name = |p: &Path| {
            p.file_name().map_or_else(
                || p.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            )
        };
        let chain: Vec<String> = self.stack[at..]
            .iter()
            .map(|p| name(p))
            .chain(std::iter::once(name(&key)))
            .collect();
        self.out.push(
            Diagnostic::new(
                &codes::EXTENDS_CYCLE,
                Some(Span { file, loc: ext.loc }),
                format!("`extends` goes round in a circle: {}", chain.join(" → ")),
            )
            .label("leads back to where it started")
            .help("a base must not extend what extends it; remove one `extends:` of the circle"),
        );
        true
    }

    /// The workflow defined in the file `ext` names (relative to `dir`). A file in a
    /// configuration folder is taken as that folder resolves it (with its own base); a file in
    /// any other folder is read alone.
    fn workflow_at(&mut self, dir: &Path, ext: &Node<String>) -> Option<Workflow> {
        if !self.inside_project(dir, ext) {
            return None;
        }
        let path = lexical(&dir.join(&ext.value));
        let file = ext.loc.file.unwrap_or(FileId(0));
        let missing = |what: String| {
            Diagnostic::new(
                &codes::UNKNOWN_REFERENCE,
                Some(Span { file, loc: ext.loc }),
                what,
            )
            .label("no workflow here")
            .help(format!("the path is relative to {}", dir.display()))
        };
        if !path.is_file() {
            self.out.push(missing(format!(
                "`extends: {}`: no such workflow file",
                ext.value
            )));
            return None;
        }
        let folder = path.parent().unwrap_or(Path::new("."));
        if folder.join(MUNICIPALITY_FILE).is_file() {
            if self.circle(folder, file, ext) {
                return None;
            }
            let layer = self.folder(folder);
            let key = canonical(&path);
            let found = layer
                .workflows
                .into_iter()
                .find(|w| canonical(&self.sources.get(w.file).path) == key);
            if found.is_none() && layer.complete {
                self.out.push(missing(format!(
                    "`extends: {}`: the file holds no workflow of its folder",
                    ext.value
                )));
            }
            return found;
        }
        if self.circle(&path, file, ext) {
            return None;
        }
        let (id, text) = self.read(&path)?;
        let w = match yaml::read::<WorkflowFile>(id, &text, self.out) {
            Some(def) => Workflow { file: id, def },
            None => return None,
        };
        match w.def.extends.clone() {
            Some(next) if is_path(&next.value) => {
                self.stack.push(canonical(&path));
                let parent = self.workflow_at(folder, &next);
                self.stack.pop();
                Some(merge_workflow(parent?, w, self.out))
            }
            Some(next) => {
                self.out.push(
                    Diagnostic::new(
                        &codes::UNKNOWN_REFERENCE,
                        Some(Span { file: id, loc: next.loc }),
                        format!(
                            "`extends: {}` names a workflow id, but {} is not in a configuration folder with a base",
                            next.value,
                            path.display()
                        ),
                    )
                    .label("no base to look this up in")
                    .help("write the path of the workflow file it extends"),
                );
                None
            }
            None => {
                self.nothing_to_remove(&w, None);
                Some(w)
            }
        }
    }
}

/// `municipality.yaml` over its base's: by id for every named map, the folder's own value for
/// the rest (see docs/language.md). `rules` is never inherited: rule folders are per folder.
fn merge_municipality(base: MunicipalityFile, own: MunicipalityFile) -> MunicipalityFile {
    let mut m = own;
    m.description = m.description.or(base.description);
    m.sources = merge_map(base.sources, m.sources);
    if m.entry.is_empty() {
        m.entry = base.entry;
    }
    m.units = merge_map(base.units, m.units);
    m.roles = merge_map(base.roles, m.roles);
    m.parameters = merge_map(base.parameters, m.parameters);
    m.events = merge_map(base.events, m.events);
    m.population = merge_map(base.population, m.population);
    m.simulation = m.simulation.or(base.simulation);
    m.obligations = merge_map(base.obligations, m.obligations);
    m
}

/// The base's entries in their order, each replaced in place by the override's entry of the
/// same id; the override's other entries after them, in its order. A name the override writes
/// twice stays twice (the duplicate-id check reports it).
fn merge_map<V>(base: Map<V>, own: Map<V>) -> Map<V> {
    let mut entries = base.0;
    let inherited = entries.len();
    let mut replaced = vec![false; inherited];
    for (k, v) in own.0 {
        let at = (0..inherited).find(|&i| !replaced[i] && entries[i].0.value == k.value);
        match at {
            Some(i) => {
                entries[i] = (k, v);
                replaced[i] = true;
            }
            None => entries.push((k, v)),
        }
    }
    Map(entries)
}

/// A workflow over the one it extends: its fields where it writes them, the base's where it
/// does not; `remove:` takes the base's steps out, then its steps are merged by id.
fn merge_workflow(base: Workflow, over: Workflow, out: &mut Vec<Diagnostic>) -> Workflow {
    let mut def = base.def;
    let own = over.def;
    let mut steps = def.steps.0;
    for r in &own.remove {
        if steps.iter().any(|(k, _)| k.value == r.value) {
            steps.retain(|(k, _)| k.value != r.value);
        } else {
            let suggestion = did_you_mean(&r.value, steps.iter().map(|(k, _)| k.value.as_str()));
            let help = match suggestion {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!(
                    "`remove:` names steps of the base workflow `{}`",
                    def.workflow.value
                ),
            };
            out.push(
                Diagnostic::new(
                    &codes::UNKNOWN_REFERENCE,
                    Some(Span {
                        file: over.file,
                        loc: r.loc,
                    }),
                    format!(
                        "the base workflow `{}` has no step `{}` to remove",
                        def.workflow.value, r.value
                    ),
                )
                .label("no base step of this name")
                .help(help)
                .maybe_fix(
                    Span {
                        file: over.file,
                        loc: r.loc,
                    },
                    suggestion,
                )
                .related(
                    Span {
                        file: base.file,
                        loc: def.workflow.loc,
                    },
                    "the base workflow",
                ),
            );
        }
    }
    def.steps = merge_map(Map(steps), own.steps);
    def.obligations = merge_map(def.obligations, own.obligations);
    def.workflow = own.workflow;
    def.title = own.title.or(def.title);
    def.description = own.description.or(def.description);
    def.unit = own.unit.or(def.unit);
    def.source = own.source.or(def.source);
    def.start = own.start.or(def.start);
    def.extends = own.extends;
    def.remove = own.remove;
    Workflow {
        file: over.file,
        def,
    }
}

/// Diagnostics about what a folder inherited also point at the place that brought it in: the
/// workflow file that extends the base workflow, or the `extends:` of `municipality.yaml`.
pub(crate) fn relate(m: &super::Municipality, sources: &SourceMap, diags: &mut [Diagnostic]) {
    let Some((mfile, def)) = m.def.as_ref() else {
        return;
    };
    let own_dir = canonical(&m.dir);
    let is_own = |f: FileId| {
        sources
            .get(f)
            .path
            .parent()
            .is_some_and(|p| canonical(p) == own_dir)
    };
    let extends = def.extends.as_ref().map(|e| Span {
        file: *mfile,
        loc: e.loc,
    });
    for d in diags.iter_mut() {
        let Some(span) = d.span.as_ref() else {
            continue;
        };
        if is_own(span.file) || d.related.iter().any(|r| is_own(r.span.file)) {
            continue;
        }
        // A step's workflow overridden in this folder: point at the override.
        let over = d
            .step
            .as_deref()
            .and_then(|s| s.split_once('.'))
            .and_then(|(wname, _)| m.workflows.iter().find(|w| w.name() == wname))
            .filter(|w| is_own(w.file));
        let link = match over {
            Some(w) => {
                let node = w.def.extends.as_ref().unwrap_or(&w.def.workflow);
                Some((
                    Span {
                        file: w.file,
                        loc: node.loc,
                    },
                    format!("`{}` extends the base's workflow here", w.name()),
                ))
            }
            None => extends
                .clone()
                .map(|s| (s, format!("{} inherits this from its base here", m.name))),
        };
        if let Some((span, message)) = link {
            let label = crate::diagnostic::Label {
                span: span.resolved(),
                message,
            };
            d.related.push(label);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names<V>(m: &Map<V>) -> Vec<&str> {
        m.keys().collect()
    }

    fn map(text: &str, file: u32) -> Map<String> {
        yaml::parse::<Map<String>>(FileId(file), text).expect("a mapping")
    }

    #[test]
    fn merge_map_replaces_in_place_and_appends_new_ids() {
        let base = map("a: 1\nb: 2\nc: 3\n", 0);
        let own = map("d: 4\nb: 20\n", 1);
        let merged = merge_map(base, own);
        assert_eq!(names(&merged), ["a", "b", "c", "d"]);
        assert_eq!(merged.get("b").map(String::as_str), Some("20"));
        // Each key keeps the file it was read from.
        let files: Vec<Option<FileId>> = merged.0.iter().map(|(k, _)| k.loc.file).collect();
        assert_eq!(
            files,
            [
                Some(FileId(0)),
                Some(FileId(1)),
                Some(FileId(0)),
                Some(FileId(1))
            ]
        );
    }

    #[test]
    fn a_name_written_twice_in_the_override_stays_twice() {
        let merged = merge_map(map("a: 1\n", 0), map("a: 2\na: 3\n", 1));
        assert_eq!(names(&merged), ["a", "a"]);
    }

    #[test]
    fn paths_are_shown_without_parent_steps() {
        assert_eq!(
            lexical(Path::new("workflows/lindesberg/../common")),
            PathBuf::from("workflows/common")
        );
        assert_eq!(lexical(Path::new("../common")), PathBuf::from("../common"));
        assert_eq!(lexical(Path::new("a/..")), PathBuf::from("."));
    }

    #[test]
    fn ids_and_paths_are_told_apart() {
        assert!(!is_path("ekonomiskt_bistand"));
        assert!(is_path("../common/ame.yaml"));
        assert!(is_path("ame.yml"));
    }
}
