//! What `steg lsp` knows: the open files' text, the municipalities it checks, and the result of
//! the last check of each (the same load and checks as `steg check`, over the open files'
//! unsaved text), with the index of their names. Plain synchronous code; the server calls it.

use super::convert;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use steg_engine::ide::Index;
use steg_engine::{FileId, Overlay, Report, MUNICIPALITY_FILE};
use tower_lsp_server::ls_types as lsp;

/// One municipality as last checked.
pub struct Checked {
    /// Its diagnostics, sources and loaded model.
    pub report: Report,
    /// Its names.
    pub index: Index,
}

impl Checked {
    /// The id of `path` (canonical) among the files this check read.
    pub fn file(&self, path: &Path) -> Option<FileId> {
        self.report
            .sources
            .files()
            .find(|(_, f)| convert::canonical(&f.path) == path)
            .map(|(id, _)| id)
    }
}

/// The state of the server.
#[derive(Default)]
pub struct Workspace {
    /// The open files' text, read instead of the disk.
    pub overlay: Overlay,
    /// Open files (canonical path) and their text.
    pub open: HashMap<PathBuf, String>,
    /// The municipality folders checked.
    pub tracked: BTreeSet<PathBuf>,
    /// The last check of each.
    pub checked: BTreeMap<PathBuf, Checked>,
    /// Files that were last published with diagnostics.
    pub published: BTreeSet<PathBuf>,
    /// Files changed since the last check.
    pub dirty: BTreeSet<PathBuf>,
}

impl Workspace {
    /// Track every municipality under `root` (its `workflows/` folder, or itself).
    pub fn discover(&mut self, root: &Path) {
        let candidates = [root.join("workflows"), root.to_path_buf()];
        for c in candidates.iter().filter(|c| c.is_dir()) {
            if let Ok(dirs) = steg_engine::discover(std::slice::from_ref(c)) {
                self.tracked
                    .extend(dirs.iter().map(|d| convert::canonical(d)));
                return;
            }
        }
    }

    /// Open or change a file.
    pub fn set(&mut self, path: PathBuf, text: String) {
        self.overlay.set(&path, text.clone());
        self.open.insert(path.clone(), text);
        self.track_folder_of(&path);
        self.dirty.insert(path);
    }

    /// Close a file: it is read from disk again.
    pub fn close(&mut self, path: PathBuf) {
        self.overlay.remove(&path);
        self.open.remove(&path);
        self.dirty.insert(path);
    }

    /// A file no checked municipality reads, in a municipality folder, makes that folder one
    /// to check. A base is checked through the municipalities that extend it; only when none is
    /// checked is it checked as itself.
    fn track_folder_of(&mut self, path: &Path) {
        if self.checked.values().any(|c| c.file(path).is_some()) {
            return;
        }
        let Some(dir) = path.parent() else { return };
        if !dir.join(MUNICIPALITY_FILE).is_file() || self.tracked.contains(dir) {
            return;
        }
        if steg_engine::is_base(dir) && !self.tracked.is_empty() {
            return;
        }
        self.tracked.insert(dir.to_path_buf());
    }

    /// The municipalities to check again for the files changed since the last check: those that
    /// read one of them, and those in whose folder one is (a new workflow file).
    pub fn affected(&self) -> Vec<PathBuf> {
        self.tracked
            .iter()
            .filter(|dir| match self.checked.get(*dir) {
                None => true,
                Some(c) => self
                    .dirty
                    .iter()
                    .any(|p| c.file(p).is_some() || p.parent() == Some(dir.as_path())),
            })
            .cloned()
            .collect()
    }

    /// Store the checks of `results` and return every file's diagnostics to publish: each
    /// file with diagnostics now, and each that had some before and has none now (an empty
    /// list clears them).
    pub fn store(
        &mut self,
        results: Vec<(PathBuf, Checked)>,
    ) -> Vec<(lsp::Uri, Vec<lsp::Diagnostic>)> {
        self.dirty.clear();
        for (dir, c) in results {
            self.checked.insert(dir, c);
        }
        let mut by_file: BTreeMap<PathBuf, (lsp::Uri, Vec<lsp::Diagnostic>)> = BTreeMap::new();
        for c in self.checked.values() {
            for d in &c.report.diagnostics {
                let Some((uri, diag)) = convert::diagnostic(&c.report.sources, d) else {
                    continue;
                };
                let Some(path) = convert::path(&uri) else {
                    continue;
                };
                let entry = by_file.entry(path).or_insert_with(|| (uri, Vec::new()));
                // A base's file is read by every municipality that extends it: the same
                // diagnostic is shown once (with what follows from it in the first).
                let first_line = |d: &lsp::Diagnostic| d.message.lines().next().map(str::to_string);
                if !entry.1.iter().any(|e| {
                    e.range == diag.range
                        && e.code == diag.code
                        && first_line(e) == first_line(&diag)
                }) {
                    entry.1.push(diag);
                }
            }
        }
        let mut out = Vec::new();
        let before = std::mem::take(&mut self.published);
        for p in before {
            if !by_file.contains_key(&p) {
                if let Some(uri) = convert::uri(&p) {
                    out.push((uri, Vec::new()));
                }
            }
        }
        for (p, (uri, diags)) in by_file {
            self.published.insert(p);
            out.push((uri, diags));
        }
        out
    }

    /// The text of a file as the server sees it: the open buffer, else the disk.
    pub fn text(&self, path: &Path) -> Option<String> {
        match self.open.get(path) {
            Some(t) => Some(t.clone()),
            None => std::fs::read_to_string(path).ok(),
        }
    }

    /// The checks that read `path`, with the file's id in each.
    pub fn containing(&self, path: &Path) -> Vec<(&Checked, FileId)> {
        self.checked
            .values()
            .filter_map(|c| c.file(path).map(|f| (c, f)))
            .collect()
    }
}

/// Load and check `dirs` over `overlay`, each on its own, with the index of its names.
pub fn check(dirs: &[PathBuf], overlay: &Overlay) -> Vec<(PathBuf, Checked)> {
    dirs.iter()
        .map(|dir| {
            let report = steg_engine::check_folders_with(std::slice::from_ref(dir), overlay);
            let index = match report.municipalities.first() {
                Some(m) => Index::build(m, &report.sources),
                None => Index::default(),
            };
            (dir.clone(), Checked { report, index })
        })
        .collect()
}
