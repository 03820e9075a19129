//! What an editor asks about names: where each step, workflow, role, unit, event, rule and
//! parameter is defined and used ([`Index`]), what a name at a place is, what it means (hover),
//! and which names may be written at a place ([`context`]). `steg lsp` answers go-to-definition,
//! find-references, rename, hover and completion from it.
//!
//! The index is built from every file one load read (the municipality's, its base's and its
//! rule folders'), each file read on its own, so that a base step a municipality replaces is
//! still found in the base's file. A step is named by its workflow and its id; a workflow that
//! extends another (by the same id, `extends: ID` or `extends: PATH`) shares its steps' names.

mod context;

pub use context::{context, Completion};

use crate::diagnostic::{FileId, Loc, SourceMap, Span};
use crate::load::yaml;
use crate::model::{rule_name, Guard, MunicipalityFile, Node, Obligation, TestFile, WorkflowFile};
use crate::municipality::Municipality;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What kind of thing a name names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NameKind {
    /// A workflow (`workflow:` id).
    Workflow,
    /// A step of a workflow.
    Step,
    /// A role (`roles:`).
    Role,
    /// An organisational unit (`units:`).
    Unit,
    /// A named event (`events:`).
    Event,
    /// A rule (a public function in a rule file).
    Rule,
    /// A parameter (`parameters:`), read by rules as `params.NAME`.
    Parameter,
}

impl NameKind {
    /// The word for it in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            NameKind::Workflow => "workflow",
            NameKind::Step => "step",
            NameKind::Role => "role",
            NameKind::Unit => "unit",
            NameKind::Event => "event",
            NameKind::Rule => "rule",
            NameKind::Parameter => "parameter",
        }
    }
}

/// One name: every place it is defined and every place it is used. Each span covers exactly
/// the name's characters (not `rule.` before a rule, not `workflow.` before a step), so a
/// rename edits exactly these.
#[derive(Debug, Clone)]
pub struct Symbol {
    /// What it names.
    pub kind: NameKind,
    /// The name as written (a step's own id, `plan`).
    pub name: String,
    /// For a step: the workflow it belongs to (the id of the workflow its workflow extends,
    /// for steps of a family of workflows).
    pub workflow: Option<String>,
    /// Where it is defined; the definition in force first.
    pub definitions: Vec<Span>,
    /// Where it is used.
    pub references: Vec<Span>,
    /// What it is, in Markdown: title, kind, actor, source (for hover).
    pub detail: String,
}

/// Every name of a loaded municipality with its definitions and uses.
#[derive(Debug, Default)]
pub struct Index {
    /// The names.
    pub symbols: Vec<Symbol>,
    by_key: HashMap<(NameKind, Option<String>, String), usize>,
    /// The workflow family each workflow file's steps belong to.
    families: HashMap<FileId, String>,
}

impl Index {
    /// The index of `m`, loaded with `sources`.
    pub fn build(m: &Municipality, sources: &SourceMap) -> Index {
        Builder::new(m, sources).build()
    }

    /// The name at byte `offset` of `file`, with the span it occupies there.
    pub fn at(&self, file: FileId, offset: usize) -> Option<(&Symbol, &Span)> {
        self.symbols.iter().find_map(|s| {
            s.definitions
                .iter()
                .chain(&s.references)
                .find(|sp| {
                    sp.file == file
                        && sp.loc.offset <= offset
                        && offset <= sp.loc.offset + sp.loc.len
                })
                .map(|sp| (s, sp))
        })
    }

    /// The names of a kind; for steps, of one workflow family (`workflow`), or of all.
    pub fn names(&self, kind: NameKind, workflow: Option<&str>) -> impl Iterator<Item = &Symbol> {
        let workflow = workflow.map(str::to_string);
        self.symbols.iter().filter(move |s| {
            s.kind == kind
                && !s.definitions.is_empty()
                && (workflow.is_none() || s.workflow == workflow)
        })
    }

    /// The workflow family whose steps `file` defines, for a workflow file.
    pub fn family(&self, file: FileId) -> Option<&str> {
        self.families.get(&file).map(String::as_str)
    }

    /// The symbol of a name.
    pub fn get(&self, kind: NameKind, workflow: Option<&str>, name: &str) -> Option<&Symbol> {
        self.by_key
            .get(&(kind, workflow.map(str::to_string), name.to_string()))
            .map(|&i| &self.symbols[i])
    }
}

/// What a file of a load is, by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// `municipality.yaml`.
    Municipality,
    /// A workflow file.
    Workflow,
    /// A rule test file (`*.test.yaml`).
    RuleTests,
    /// A table (`*.table.yaml`).
    Table,
    /// A Rhai rule file.
    Rules,
    /// Anything else.
    Other,
}

impl FileKind {
    /// The kind of the file at `path`.
    pub fn of(path: &Path) -> FileKind {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name == crate::load::MUNICIPALITY_FILE {
            FileKind::Municipality
        } else if name.ends_with(".test.yaml") {
            FileKind::RuleTests
        } else if name.ends_with(".table.yaml") {
            FileKind::Table
        } else if name.ends_with(".rhai") {
            FileKind::Rules
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            FileKind::Workflow
        } else {
            FileKind::Other
        }
    }
}

struct Builder<'a> {
    m: &'a Municipality,
    sources: &'a SourceMap,
    index: Index,
    /// Workflow id → the id its family is named by.
    parent: HashMap<String, String>,
}

impl<'a> Builder<'a> {
    fn new(m: &'a Municipality, sources: &'a SourceMap) -> Self {
        Builder {
            m,
            sources,
            index: Index::default(),
            parent: HashMap::new(),
        }
    }

    fn root(&self, id: &str) -> String {
        let mut id = id.to_string();
        for _ in 0..32 {
            match self.parent.get(&id) {
                Some(p) if *p != id => id = p.clone(),
                _ => break,
            }
        }
        id
    }

    fn symbol(&mut self, kind: NameKind, workflow: Option<String>, name: &str) -> &mut Symbol {
        let key = (kind, workflow.clone(), name.to_string());
        let i = match self.index.by_key.get(&key) {
            Some(&i) => i,
            None => {
                self.index.symbols.push(Symbol {
                    kind,
                    name: name.to_string(),
                    workflow,
                    definitions: Vec::new(),
                    references: Vec::new(),
                    detail: String::new(),
                });
                let i = self.index.symbols.len() - 1;
                self.index.by_key.insert(key, i);
                i
            }
        };
        &mut self.index.symbols[i]
    }

    /// The span of `name` inside the text a node was read from (quotes, `rule.` or `workflow.`
    /// around it left out).
    fn name_span(&self, file: FileId, loc: Loc, name: &str, after: Option<&str>) -> Option<Span> {
        let text = &self.sources.get(file).text;
        let slice = text.get(loc.offset..loc.offset.checked_add(loc.len)?)?;
        let start = match after {
            Some(prefix) => slice.find(&format!("{prefix}{name}"))? + prefix.len(),
            None => slice.find(name)?,
        };
        let offset = loc.offset + start;
        let mut l = crate::diagnostic::loc_at(text, offset, name.len());
        l.file = Some(file);
        Some(Span { file, loc: l })
    }

    fn def(&mut self, kind: NameKind, workflow: Option<String>, file: FileId, node: &Node<String>) {
        if let Some(span) = self.name_span(file, node.loc, &node.value, None) {
            self.symbol(kind, workflow, &node.value)
                .definitions
                .push(span);
        }
    }

    fn reference(
        &mut self,
        kind: NameKind,
        workflow: Option<String>,
        file: FileId,
        node: &Node<String>,
    ) {
        if let Some(span) = self.name_span(file, node.loc, &node.value, None) {
            self.symbol(kind, workflow, &node.value)
                .references
                .push(span);
        }
    }

    /// A step written `workflow.step`, or a bare id of `own` (or of the one family that has
    /// such a step, when `own` is `None`).
    fn step_ref(
        &mut self,
        file: FileId,
        node: &Node<String>,
        own: Option<&str>,
        families: &[(String, Vec<String>)],
    ) {
        match node.value.split_once('.') {
            Some((w, s)) => {
                let fam = self.root(w);
                if let Some(span) = self.name_span(file, node.loc, s, Some(&format!("{w}."))) {
                    self.symbol(NameKind::Step, Some(fam), s)
                        .references
                        .push(span);
                }
            }
            None => {
                let fam = match own {
                    Some(f) => Some(f.to_string()),
                    None => {
                        let mut having = families
                            .iter()
                            .filter(|(_, steps)| steps.contains(&node.value));
                        match (having.next(), having.next()) {
                            (Some((f, _)), None) => Some(f.clone()),
                            _ => None,
                        }
                    }
                };
                if let Some(fam) = fam {
                    self.reference(NameKind::Step, Some(fam), file, node);
                }
            }
        }
    }

    fn build(mut self) -> Index {
        let mut workflows: Vec<(FileId, WorkflowFile)> = Vec::new();
        let mut municipalities: Vec<(FileId, MunicipalityFile)> = Vec::new();
        let mut rule_files: Vec<FileId> = Vec::new();
        for (id, f) in self.sources.files() {
            let mut ignore = Vec::new();
            match FileKind::of(&f.path) {
                FileKind::Municipality => {
                    if let Some(d) = yaml::read::<MunicipalityFile>(id, &f.text, &mut ignore) {
                        municipalities.push((id, d));
                    }
                }
                FileKind::Workflow => {
                    if let Some(d) = yaml::read::<WorkflowFile>(id, &f.text, &mut ignore) {
                        workflows.push((id, d));
                    }
                }
                FileKind::Rules => rule_files.push(id),
                _ => {}
            }
        }
        // Families: a workflow is named by the workflow it extends.
        for (file, w) in &workflows {
            let Some(ext) = &w.extends else { continue };
            let base = if ext.value.contains('/') || ext.value.ends_with(".yaml") {
                let dir = self
                    .sources
                    .get(*file)
                    .path
                    .parent()
                    .unwrap_or(Path::new("."));
                let target = canonical(&dir.join(&ext.value));
                workflows
                    .iter()
                    .find(|(f, _)| canonical(&self.sources.get(*f).path) == target)
                    .map(|(_, b)| b.workflow.value.clone())
            } else {
                Some(ext.value.clone())
            };
            if let Some(b) = base {
                if b != w.workflow.value {
                    self.parent.insert(w.workflow.value.clone(), b);
                }
            }
        }
        let families: Vec<(String, Vec<String>)> = {
            let mut f: HashMap<String, Vec<String>> = HashMap::new();
            for (_, w) in &workflows {
                f.entry(self.root(&w.workflow.value))
                    .or_default()
                    .extend(w.steps.keys().map(str::to_string));
            }
            f.into_iter().collect()
        };
        for (file, w) in &workflows {
            let fam = self.root(&w.workflow.value);
            self.index.families.insert(*file, fam.clone());
            self.workflow_file(*file, w, &fam, &families);
        }
        for (file, d) in &municipalities {
            self.municipality_file(*file, d, &families);
        }
        self.rules(&rule_files);
        self.details();
        // The definition in force first: the one in the loaded (merged) model.
        let effective: Vec<Span> = self.effective_definitions();
        for s in &mut self.index.symbols {
            s.definitions.sort_by_key(|d| {
                !effective
                    .iter()
                    .any(|e| e.file == d.file && e.loc.offset == d.loc.offset)
            });
        }
        self.index
    }

    fn workflow_file(
        &mut self,
        file: FileId,
        w: &WorkflowFile,
        fam: &str,
        families: &[(String, Vec<String>)],
    ) {
        let own = Some(fam.to_string());
        self.def(NameKind::Workflow, None, file, &w.workflow);
        if let Some(e) = &w.extends {
            if !(e.value.contains('/') || e.value.ends_with(".yaml")) {
                self.reference(NameKind::Workflow, None, file, e);
            }
        }
        if let Some(u) = &w.unit {
            self.reference(NameKind::Unit, None, file, u);
        }
        if let Some(s) = &w.start {
            self.reference(NameKind::Step, own.clone(), file, s);
        }
        for r in &w.remove {
            self.reference(NameKind::Step, own.clone(), file, r);
        }
        for (name, step) in w.steps.iter() {
            self.def(NameKind::Step, own.clone(), file, name);
            if let Some(a) = &step.actor {
                self.reference(NameKind::Role, None, file, a);
            }
            if let Some(u) = &step.unit {
                self.reference(NameKind::Unit, None, file, u);
            }
            for t in step.transitions() {
                self.reference(NameKind::Step, own.clone(), file, &t.to);
                if let Guard::When(c) = &t.guard {
                    self.condition(file, c);
                }
            }
            for trig in &step.on {
                self.reference(NameKind::Step, own.clone(), file, &trig.to);
                if let Some(e) = &trig.event {
                    self.reference(NameKind::Event, None, file, e);
                }
            }
            if let Some(e) = &step.emits {
                self.reference(NameKind::Event, None, file, e);
            }
            if let Some(from) = step.within.as_ref().and_then(|d| d.from.as_ref()) {
                self.reference(NameKind::Step, own.clone(), file, from);
            }
            if let Some(r) = &step.refer_to {
                if let Some(wf) = &r.workflow {
                    self.reference(NameKind::Workflow, None, file, wf);
                }
                if let Some(u) = &r.unit {
                    self.reference(NameKind::Unit, None, file, u);
                }
            }
            for (_, to) in step.returns.iter() {
                self.reference(NameKind::Step, own.clone(), file, to);
            }
        }
        for (_, o) in w.obligations.iter() {
            self.obligation(file, o, Some(fam), families);
        }
    }

    fn condition(&mut self, file: FileId, c: &Node<String>) {
        match rule_name(&c.value) {
            Some(rule) => {
                if let Some(span) = self.name_span(file, c.loc, rule, Some("rule.")) {
                    self.symbol(NameKind::Rule, None, rule)
                        .references
                        .push(span);
                }
            }
            None => {
                let start = c.loc.offset;
                let text = self.sources.get(file).text.clone();
                let end = (start + c.loc.len).min(text.len());
                if let Some(slice) = text.get(start..end) {
                    for (at, name) in params_in(slice) {
                        self.param_at(file, &text, start + at, name);
                    }
                }
            }
        }
    }

    fn param_at(&mut self, file: FileId, text: &str, offset: usize, name: &str) {
        let mut loc = crate::diagnostic::loc_at(text, offset, name.len());
        loc.file = Some(file);
        self.symbol(NameKind::Parameter, None, name)
            .references
            .push(Span { file, loc });
    }

    fn obligation(
        &mut self,
        file: FileId,
        o: &Obligation,
        own: Option<&str>,
        families: &[(String, Vec<String>)],
    ) {
        for n in [&o.after, &o.then, &o.every, &o.reviewed_by]
            .into_iter()
            .flatten()
        {
            self.step_ref(file, n, own, families);
        }
        for n in &o.unless {
            self.step_ref(file, n, own, families);
        }
        if let Some(e) = &o.event {
            self.reference(NameKind::Event, None, file, e);
        }
        if let Some(r) = &o.reaches {
            if r.value.contains('.') {
                self.step_ref(file, r, own, families);
            } else {
                self.reference(NameKind::Role, None, file, r);
            }
        }
    }

    fn municipality_file(
        &mut self,
        file: FileId,
        d: &MunicipalityFile,
        families: &[(String, Vec<String>)],
    ) {
        for (k, u) in d.units.iter() {
            self.def(NameKind::Unit, None, file, k);
            if let Some(p) = &u.part_of {
                self.reference(NameKind::Unit, None, file, p);
            }
        }
        for (k, r) in d.roles.iter() {
            self.def(NameKind::Role, None, file, k);
            if let Some(u) = &r.unit {
                self.reference(NameKind::Unit, None, file, u);
            }
        }
        for (k, e) in d.events.iter() {
            self.def(NameKind::Event, None, file, k);
            if let Some(r) = &e.reported_by {
                self.reference(NameKind::Role, None, file, r);
            }
        }
        for (k, _) in d.parameters.iter() {
            self.def(NameKind::Parameter, None, file, k);
        }
        for e in &d.entry {
            self.reference(NameKind::Workflow, None, file, e);
        }
        if let Some(sim) = &d.simulation {
            for (k, _) in sim.events.iter() {
                self.reference(NameKind::Event, None, file, k);
            }
        }
        for (_, o) in d.obligations.iter() {
            self.obligation(file, o, None, families);
        }
    }

    fn rules(&mut self, files: &[FileId]) {
        let m = self.m;
        for r in &m.rules.rules {
            let span = r.span.clone();
            // The span of a rule is its name after `fn `.
            self.symbol(NameKind::Rule, None, &r.name)
                .definitions
                .push(span);
        }
        let names: Vec<String> = m.rules.rules.iter().map(|r| r.name.clone()).collect();
        for &file in files {
            let text = self.sources.get(file).text.clone();
            for (at, name) in params_in(&text) {
                self.param_at(file, &text, at, name);
            }
            for (at, name) in calls_in(&text) {
                if names.iter().any(|n| n == name) {
                    let mut loc = crate::diagnostic::loc_at(&text, at, name.len());
                    loc.file = Some(file);
                    self.symbol(NameKind::Rule, None, name)
                        .references
                        .push(Span { file, loc });
                }
            }
        }
        for t in &m.rules.tests {
            let file = t.file;
            let def: &TestFile = &t.def;
            for test in &def.tests {
                self.reference(NameKind::Rule, None, file, &test.rule);
            }
        }
    }

    /// Definitions of the loaded model: the step, role, ... in force after `extends`.
    fn effective_definitions(&self) -> Vec<Span> {
        let mut out = Vec::new();
        for w in &self.m.workflows {
            for (k, _) in w.def.steps.iter() {
                out.push(Span {
                    file: k.loc.file.unwrap_or(w.file),
                    loc: k.loc,
                });
            }
        }
        if let Some((file, d)) = &self.m.def {
            let keys = d
                .roles
                .iter()
                .map(|(k, _)| k)
                .chain(d.units.iter().map(|(k, _)| k))
                .chain(d.events.iter().map(|(k, _)| k))
                .chain(d.parameters.iter().map(|(k, _)| k));
            for k in keys {
                out.push(Span {
                    file: k.loc.file.unwrap_or(*file),
                    loc: k.loc,
                });
            }
        }
        out
    }

    /// Hover text of every symbol, from the loaded (merged) model.
    fn details(&mut self) {
        let m = self.m;
        let def = m.def.as_ref().map(|(_, d)| d);
        let source = |s: &Option<String>| {
            s.as_ref()
                .map(|s| format!("\n\nsource: {s}"))
                .unwrap_or_default()
        };
        let title = |t: &Option<String>| t.as_ref().map(|t| format!(" — {t}")).unwrap_or_default();
        for s in &mut self.index.symbols {
            s.detail = match s.kind {
                NameKind::Step => {
                    let found = m.workflows.iter().find_map(|w| {
                        let fam = self_root(&self.parent, w.name());
                        (Some(&fam) == s.workflow.as_ref())
                            .then(|| w.def.steps.get(&s.name).map(|st| (w, st)))
                            .flatten()
                    });
                    match found {
                        Some((w, st)) => {
                            let mut d = format!(
                                "**step `{}`**{} ({} of workflow `{}`)",
                                s.name,
                                title(&st.title),
                                st.kind().as_str(),
                                w.name()
                            );
                            if let Some(a) = &st.actor {
                                d.push_str(&format!("\n\nactor: `{}`", a.value));
                            }
                            if let Some(desc) = &st.description {
                                d.push_str(&format!("\n\n{desc}"));
                            }
                            d + source(&st.source).as_str()
                        }
                        None => format!("**step `{}`** (not in the loaded workflows)", s.name),
                    }
                }
                NameKind::Workflow => match m.workflows.iter().find(|w| w.name() == s.name) {
                    Some(w) => format!(
                        "**workflow `{}`**{}{}{}",
                        s.name,
                        title(&w.def.title),
                        w.def
                            .description
                            .as_ref()
                            .map(|d| format!("\n\n{d}"))
                            .unwrap_or_default(),
                        source(&w.def.source)
                    ),
                    None => format!("**workflow `{}`**", s.name),
                },
                NameKind::Role => match def.and_then(|d| d.roles.get(&s.name)) {
                    Some(r) => format!(
                        "**role `{}`**{}{}{}{}",
                        s.name,
                        title(&r.title),
                        r.unit
                            .as_ref()
                            .map(|u| format!("\n\nunit: `{}`", u.value))
                            .unwrap_or_default(),
                        r.staff
                            .as_ref()
                            .map(|n| format!("\n\nstaff: {}", n.value))
                            .unwrap_or_default(),
                        source(&r.source)
                    ),
                    None => format!("**role `{}`**", s.name),
                },
                NameKind::Unit => match def.and_then(|d| d.units.get(&s.name)) {
                    Some(u) => format!(
                        "**unit `{}`**{}{}{}",
                        s.name,
                        title(&u.title),
                        u.part_of
                            .as_ref()
                            .map(|p| format!("\n\npart of: `{}`", p.value))
                            .unwrap_or_default(),
                        source(&u.source)
                    ),
                    None => format!("**unit `{}`**", s.name),
                },
                NameKind::Event => match def.and_then(|d| d.events.get(&s.name)) {
                    Some(e) => format!(
                        "**event `{}`**{}{}{}",
                        s.name,
                        e.description
                            .as_ref()
                            .map(|d| format!("\n\n{d}"))
                            .unwrap_or_default(),
                        e.reported_by
                            .as_ref()
                            .map(|r| format!("\n\nreported by: `{}`", r.value))
                            .unwrap_or_default(),
                        source(&e.source)
                    ),
                    None => format!("**event `{}`**", s.name),
                },
                NameKind::Parameter => match def.and_then(|d| d.parameters.get(&s.name)) {
                    Some(p) => format!(
                        "**parameter `{}`** = `{}`{}{}",
                        s.name,
                        match &p.value.value {
                            crate::model::Value::Bool(b) => b.to_string(),
                            crate::model::Value::Number(n) => n.to_string(),
                            crate::model::Value::Text(t) => t.clone(),
                        },
                        p.description
                            .as_ref()
                            .map(|d| format!("\n\n{d}"))
                            .unwrap_or_default(),
                        source(&p.source)
                    ),
                    None => format!("**parameter `{}`**", s.name),
                },
                NameKind::Rule => match m.rules.get(&s.name) {
                    Some(r) => format!(
                        "**rule `{}`**`({})`{}",
                        s.name,
                        r.params.join(", "),
                        source(&r.source)
                    ),
                    None => format!("**rule `{}`**", s.name),
                },
            };
        }
    }
}

fn self_root(parent: &HashMap<String, String>, id: &str) -> String {
    let mut id = id.to_string();
    for _ in 0..32 {
        match parent.get(&id) {
            Some(p) if *p != id => id = p.clone(),
            _ => break,
        }
    }
    id
}

fn canonical(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// `params.NAME` in Rhai text: the byte offset of each NAME.
fn params_in(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices("params.") {
        if text[..i].chars().next_back().is_some_and(is_ident) {
            continue;
        }
        let start = i + "params.".len();
        let len = text[start..]
            .find(|c: char| !is_ident(c))
            .unwrap_or(text.len() - start);
        if len > 0 {
            out.push((start, &text[start..start + len]));
        }
    }
    out
}

/// `NAME(` in Rhai text that is a call, not the definition (`fn NAME(`) or a method
/// (`.NAME(`): the byte offset of each NAME.
fn calls_in(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i] as char;
        if is_ident(c) && (i == 0 || !is_ident(bytes[i - 1] as char)) {
            let start = i;
            while i < bytes.len() && is_ident(bytes[i] as char) {
                i += 1;
            }
            let name = &text[start..i];
            let before = text[..start].trim_end();
            if bytes.get(i) == Some(&b'(') && !before.ends_with("fn") && !before.ends_with('.') {
                out.push((start, name));
            }
            continue;
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_and_calls_are_found_in_rule_text() {
        let text = "fn a(arende, params) { b(arende, params) && arende.x > params.grans }\nfn b(x, y) { x.len() > 0 }";
        let p: Vec<&str> = params_in(text).into_iter().map(|(_, n)| n).collect();
        assert_eq!(p, ["grans"]);
        let c: Vec<&str> = calls_in(text).into_iter().map(|(_, n)| n).collect();
        assert_eq!(c, ["b"]);
    }
}
