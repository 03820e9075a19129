//! The one place that knows the YAML library: parse options, limits, source locations, and how
//! its errors become diagnostics. Everything else sees [`Node`], [`Map`] and the model types.
//!
//! A file is read in two phases. First the YAML text becomes a tree of nodes, each with its line,
//! column and byte range ([`YNode`]); only a file that is not YAML at all (or breaks a limit)
//! stops here. Then the tree becomes the model's types through [`De`], a serde deserializer over
//! the tree that does not stop at the first mistake: an unknown field or a repeated key is
//! reported and skipped, and a value that cannot be read (a bad duration, an unknown kind, a
//! list where a name belongs) is reported and read again as if it were not written, so the rest
//! of the entry, and of the file, is still read. One run reports every mistake of a file.

use crate::codes;
use crate::diagnostic::{did_you_mean, loc_at, offset_of, Diagnostic, FileId, Loc, Span};

use crate::model::{
    is_id, is_step_ref, BasisVersion, Deadline, Guard, LegalBasis, Map, Next, Node, StepMap,
    Transition,
};
use serde::de::{
    self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};
use serde::Deserialize;
use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::fmt;

/// Largest YAML file accepted, in bytes. A municipality's files are a few kilobytes; a generated
/// 100 000-step workflow is about 6 MB.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// At most this many values of one file are read again after a mistake; a file with more
/// mistakes than this is reported as far as it got.
const MAX_RETRIES: u32 = 2_000;

fn options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    // Big enough for generated 100k-step workflows, small enough to bound memory.
    budget.max_events = 20_000_000;
    budget.max_nodes = 5_000_000;
    budget.max_reader_input_bytes = Some(MAX_FILE_BYTES as usize);
    // Configurations are shallow; deep nesting is an attack or a mistake.
    budget.max_depth = 32;
    serde_saphyr::options! {
        budget: Some(budget),
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::PassThrough,
    }
}

/// Read `text` (the content of `file`) as a `T`, appending every mistake to `out`. Returns the
/// value when the file could be read at all (with what could not be read left out), `None` when
/// it is not YAML, breaks a limit, or its top level cannot be a `T` (say, a required field is
/// missing there).
pub fn read<T: de::DeserializeOwned>(
    file: FileId,
    text: &str,
    out: &mut Vec<Diagnostic>,
) -> Option<T> {
    if text.trim().is_empty() {
        out.push(
            Diagnostic::new(&codes::INVALID_VALUE, Some(Span { file, loc: loc_at(text, 0, 0) }), "the file is empty")
                .label("nothing here")
                .help("a workflow file starts with `workflow: ID`, `start: STEP` and `steps:`; municipality.yaml with `municipality: NAME`"),
        );
        return None;
    }
    let root = match serde_saphyr::from_str_with_options::<YNode>(text, options()) {
        Ok(root) => root,
        Err(e) => {
            out.push(not_yaml(file, text, &e));
            return None;
        }
    };
    let cx = Cx::new(file, text, &root);
    let value = attempt::<T>(&root, &cx);
    out.extend(cx.finish());
    value
}

/// Read `text` as a `T`, or return the first mistake (for files that are all or nothing, such
/// as a scenario).
pub fn parse<T: de::DeserializeOwned>(file: FileId, text: &str) -> Result<T, Box<Diagnostic>> {
    let mut out = Vec::new();
    let value = read::<T>(file, text, &mut out);
    let first = out
        .into_iter()
        .min_by_key(|d| d.span.as_ref().map(|s| s.loc.offset));
    match (value, first) {
        (Some(v), None) => Ok(v),
        (_, Some(d)) => Err(Box::new(d)),
        // `read` reports why it returns nothing; this is for safety only.
        (None, None) => Err(Box::new(Diagnostic::new(
            &codes::INVALID_VALUE,
            Some(Span {
                file,
                loc: loc_at(text, 0, 0),
            }),
            "the file could not be read",
        ))),
    }
}

// ---------------------------------------------------------------------------------------------
// Phase 1: the YAML text as a tree with places.

/// Where a node was written: 1-based line and character column, byte offset and length.
#[derive(Debug, Clone, Copy, Default)]
struct Pos {
    line: u32,
    column: u32,
    offset: u32,
    len: u32,
}

/// A YAML node as the YAML library typed it. Plain scalars keep their text in the file (see
/// [`De::text`]), so `title: 2021` still reads as the title `2021`.
#[derive(Debug)]
enum Val {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
    Seq(Vec<YNode>),
    Map(Vec<(YNode, YNode)>),
}

/// A node of the YAML tree.
#[derive(Debug)]
struct YNode {
    pos: Pos,
    val: Val,
}

impl YNode {
    /// The node's identity within its tree (nodes do not move once the tree is built).
    fn id(&self) -> usize {
        self as *const YNode as usize
    }

    /// What the node is, for messages: "the list", "the text `x`".
    fn describe(&self) -> String {
        match &self.val {
            Val::Null => "nothing".to_string(),
            Val::Bool(b) => format!("`{b}`"),
            Val::Int(i) => format!("the number {i}"),
            Val::UInt(u) => format!("the number {u}"),
            Val::Float(f) => format!("the number {f}"),
            Val::Str(s) => format!("the text `{}`", shorten(s)),
            Val::Seq(_) => "a list".to_string(),
            Val::Map(_) => "a mapping".to_string(),
        }
    }
}

fn shorten(s: &str) -> String {
    match s.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

impl<'de> Deserialize<'de> for YNode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = serde_saphyr::Spanned::<Val>::deserialize(d)?;
        let l = s.referenced;
        let span = l.span();
        Ok(YNode {
            pos: Pos {
                line: l.line() as u32,
                column: l.column() as u32,
                offset: span.byte_offset().unwrap_or(span.offset()) as u32,
                len: span.byte_len().unwrap_or(span.len()) as u32,
            },
            val: s.value,
        })
    }
}

impl<'de> Deserialize<'de> for Val {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Val;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_unit<E>(self) -> Result<Val, E> {
                Ok(Val::Null)
            }
            fn visit_none<E>(self) -> Result<Val, E> {
                Ok(Val::Null)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Val, E> {
                Ok(Val::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Val, E> {
                Ok(Val::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Val, E> {
                Ok(Val::UInt(v))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Val, E> {
                Ok(Val::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Val, E> {
                Ok(Val::Str(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Val, E> {
                Ok(Val::Str(v))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Val, E> {
                Ok(Val::Str(String::from_utf8_lossy(v).into_owned()))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Val, D::Error> {
                Val::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Val, A::Error> {
                let mut out = Vec::new();
                while let Some(x) = a.next_element::<YNode>()? {
                    out.push(x);
                }
                Ok(Val::Seq(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Val, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = a.next_key::<YNode>()? {
                    let v = a.next_value::<YNode>()?;
                    out.push((k, v));
                }
                Ok(Val::Map(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// The text is not well-formed YAML, or breaks a limit.
fn not_yaml(file: FileId, text: &str, e: &serde_saphyr::Error) -> Diagnostic {
    let raw = e.without_snippet().to_string();
    let message = strip_location_suffix(strip_location_prefix(&raw)).to_string();
    let span = e.location().map(|l| Span {
        file,
        loc: to_loc(text, l),
    });
    let lower = message.to_lowercase();
    if lower.contains("budget") {
        let what = if lower.contains("depth") {
            "the YAML is nested deeper than a configuration may be (32 levels)"
        } else if lower.contains("alias") || lower.contains("anchor") || lower.contains("replay") {
            "the YAML's aliases expand into far more data than the file holds (an alias bomb)"
        } else {
            "the YAML has more nodes than a configuration may have"
        };
        return Diagnostic::new(&codes::INPUT_TOO_LARGE, span, what)
            .label("limit reached here")
            .help("write the configuration out; use anchors only for small shared fragments");
    }
    Diagnostic::new(&codes::YAML_SYNTAX, span, format!("not valid YAML: {message}"))
        .label("the YAML reader stopped here")
        .help("check indentation (spaces, not tabs), colons, quotes and closing brackets at or just before this place")
}

/// `... at line 5, column 50` repeats what the location already says.
fn strip_location_suffix(s: &str) -> &str {
    match s.rfind(" at line ") {
        Some(i) if s[i..].contains(", column ") => &s[..i],
        _ => s,
    }
}

fn strip_location_prefix(s: &str) -> &str {
    let s = s.trim();
    let s = s.strip_prefix("error: ").unwrap_or(s);
    if let Some(rest) = s.strip_prefix("line ") {
        if let Some((_, msg)) = rest.split_once(": ") {
            return msg.lines().next().unwrap_or(msg);
        }
    }
    s.lines().next().unwrap_or(s)
}

fn to_loc(text: &str, l: serde_saphyr::Location) -> Loc {
    let line = l.line() as u32;
    let column = l.column() as u32;
    let span = l.span();
    let offset = span
        .byte_offset()
        .map_or_else(|| offset_of(text, line, column), |o| o as usize);
    let len = span.byte_len().unwrap_or(span.len()).max(1) as usize;
    if line == 0 {
        return loc_at(text, text.len(), 0);
    }
    Loc {
        line,
        column,
        offset,
        len,
        file: None,
    }
}

// ---------------------------------------------------------------------------------------------
// Phase 2: the tree as the model's types, every mistake reported.

/// What went wrong reading a value, with the node it is about (set by the innermost node whose
/// reading failed).
#[derive(Debug)]
pub(crate) struct Error {
    kind: Kind,
    at: Option<usize>,
}

#[derive(Debug)]
enum Kind {
    Message(String),
    Type {
        expected: String,
    },
    Variant {
        value: String,
        expected: &'static [&'static str],
    },
    UnknownField {
        field: String,
        expected: &'static [&'static str],
    },
    Missing(&'static str),
    Duplicate(&'static str),
}

impl Error {
    fn new(kind: Kind) -> Error {
        Error { kind, at: None }
    }

    /// Attribute the error to `node` unless a node inside it already has it.
    fn at(mut self, node: &YNode) -> Error {
        self.at.get_or_insert(node.id());
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Message(m) => f.write_str(m),
            Kind::Type { expected } => write!(f, "expected {expected}"),
            Kind::Variant { value, .. } => write!(f, "unknown value `{value}`"),
            Kind::UnknownField { field, .. } => write!(f, "unknown field `{field}`"),
            Kind::Missing(field) => write!(f, "missing field `{field}`"),
            Kind::Duplicate(field) => write!(f, "`{field}` is written twice"),
        }
    }
}

impl std::error::Error for Error {}

impl de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error::new(Kind::Message(msg.to_string()))
    }
    fn invalid_type(_: de::Unexpected, exp: &dyn de::Expected) -> Self {
        Error::new(Kind::Type {
            expected: exp.to_string(),
        })
    }
    fn invalid_value(unexp: de::Unexpected, exp: &dyn de::Expected) -> Self {
        Error::new(Kind::Message(format!("{unexp} is not {exp}")))
    }
    fn invalid_length(len: usize, exp: &dyn de::Expected) -> Self {
        Error::new(Kind::Message(format!("a list of {len}, expected {exp}")))
    }
    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        Error::new(Kind::Variant {
            value: variant.to_string(),
            expected,
        })
    }
    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        Error::new(Kind::UnknownField {
            field: field.to_string(),
            expected,
        })
    }
    fn missing_field(field: &'static str) -> Self {
        Error::new(Kind::Missing(field))
    }
    fn duplicate_field(field: &'static str) -> Self {
        Error::new(Kind::Duplicate(field))
    }
}

/// The state of reading one file's tree: what was reported, and the nodes read as if absent.
struct Cx<'t> {
    file: FileId,
    text: &'t str,
    root: &'t YNode,
    /// Nodes (values, keys, list items) that could not be read: read again without them.
    excluded: RefCell<HashSet<usize>>,
    /// Nodes a diagnostic was given for, so that reading again does not repeat it.
    reported: RefCell<HashSet<usize>>,
    /// `(mapping, field)`: a field left out on purpose (its value could not be read, or it was
    /// misspelt), so that "missing field" for it is not a second diagnostic of one mistake.
    quiet: RefCell<HashSet<(usize, String)>>,
    /// While reading a stand-in (an empty mapping for an entry that could not be read at all),
    /// nothing is reported.
    silent: Cell<bool>,
    retries: Cell<u32>,
    diags: RefCell<Vec<Diagnostic>>,
}

impl<'t> Cx<'t> {
    fn new(file: FileId, text: &'t str, root: &'t YNode) -> Self {
        Cx {
            file,
            text,
            root,
            excluded: RefCell::default(),
            reported: RefCell::default(),
            quiet: RefCell::default(),
            silent: Cell::new(false),
            retries: Cell::new(0),
            diags: RefCell::default(),
        }
    }

    fn loc(&self, pos: Pos) -> Loc {
        Loc {
            line: pos.line,
            column: pos.column,
            offset: pos.offset as usize,
            len: pos.len as usize,
            file: Some(self.file),
        }
    }

    fn span(&self, node: &YNode) -> Span {
        let mut loc = self.loc(node.pos);
        loc.len = loc.len.max(1);
        if loc.line == 0 {
            loc = loc_at(self.text, self.text.len(), 0);
            loc.file = Some(self.file);
        }
        Span {
            file: self.file,
            loc,
        }
    }

    /// A scalar's text as written: a plain `2021`, `on` or `yes` is read as written where a
    /// name or text belongs (YAML would make them a number or a boolean).
    fn text_of<'s>(&'s self, n: &'s YNode) -> Option<Cow<'s, str>> {
        match &n.val {
            Val::Str(s) => Some(Cow::Borrowed(s.as_str())),
            Val::Null | Val::Seq(_) | Val::Map(_) => None,
            _ => {
                let start = n.pos.offset as usize;
                let end = start + n.pos.len as usize;
                self.text
                    .get(start..end)
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(Cow::Borrowed)
            }
        }
    }

    fn excluded(&self, node: &YNode) -> bool {
        let set = self.excluded.borrow();
        !set.is_empty() && set.contains(&node.id())
    }

    /// Report `d` about `node`, once.
    fn report(&self, node: &YNode, d: Diagnostic) {
        if self.silent.get() || !self.reported.borrow_mut().insert(node.id()) {
            return;
        }
        self.diags.borrow_mut().push(d);
    }

    /// A value could not be read: report why, and read its surroundings again without the node
    /// it is about. Returns false when no more retries are allowed.
    fn fail(&self, e: Error, fallback: &YNode) -> (usize, bool) {
        let at = e.at.unwrap_or(fallback.id());
        let node = find(self.root, at).unwrap_or(fallback);
        let quiet = match &e.kind {
            Kind::Missing(f) => self.quiet.borrow().contains(&(at, (*f).to_string())),
            _ => false,
        };
        if !quiet {
            let d = self.diagnostic(node, e);
            self.report(node, d);
        }
        self.excluded.borrow_mut().insert(at);
        let n = self.retries.get() + 1;
        self.retries.set(n);
        (at, n <= MAX_RETRIES)
    }

    fn diagnostic(&self, node: &YNode, e: Error) -> Diagnostic {
        let span = Some(self.span(node));
        match e.kind {
            Kind::UnknownField { field, expected } => self.unknown_field(node, &field, expected),
            Kind::Variant { value, expected } => {
                let d = Diagnostic::new(
                    &codes::INVALID_VALUE,
                    span.clone(),
                    format!("unknown value `{value}`"),
                )
                .label("not allowed here");
                match did_you_mean(&value, expected.iter().copied()) {
                    Some(s) => d
                        .help(format!("did you mean `{s}`?"))
                        .fix(self.span(node), s),
                    None => d.help(format!("write one of: {}", expected.join(", "))),
                }
            }
            Kind::Missing(field) => Diagnostic::new(
                &codes::INVALID_VALUE,
                span,
                format!("missing field `{field}`"),
            )
            .label(format!("this mapping needs `{field}`"))
            .help(format!("add `{field}:` to this mapping")),
            Kind::Duplicate(field) => Diagnostic::new(
                &codes::DUPLICATE_KEY,
                span,
                format!("`{field}` is written twice in this mapping"),
            )
            .label("written again here")
            .help("only the first is read; remove one of them"),
            Kind::Type { expected } => {
                let expected = friendly(&expected);
                let help = if expected.contains("mapping") && std::ptr::eq(node, self.root) {
                    "a workflow file is a mapping (`workflow:`, `start:`, `steps:`); municipality.yaml starts with `municipality:`"
                } else if matches!(node.val, Val::Bool(_)) {
                    "`y`, `n`, `yes`, `no`, `on`, `off` read as true/false in YAML; quote a name like that: `\"y\"`"
                } else {
                    "see `steg schema` or docs/language.md for what this field takes"
                };
                Diagnostic::new(
                    &codes::INVALID_VALUE,
                    span,
                    format!("expected {expected}, found {}", node.describe()),
                )
                .label("here")
                .help(help)
            }
            Kind::Message(m) => {
                // A value's own parser may know the fix: "did you mean `3mo`?".
                let suggestion = m
                    .split_once("did you mean `")
                    .and_then(|(_, rest)| rest.split_once('`'))
                    .map(|(s, _)| s.to_string());
                // The suggestion goes into the help, not twice into the message.
                let m = match m.split_once("; did you mean `") {
                    Some((head, _)) => head.to_string(),
                    None => m,
                };
                let d = Diagnostic::new(&codes::INVALID_VALUE, span, m).label("here");
                match suggestion {
                    Some(s) => d
                        .help(format!("did you mean `{s}`?"))
                        .fix(self.span(node), s),
                    None => {
                        d.help("see `steg schema` or docs/language.md for what this field takes")
                    }
                }
            }
        }
    }

    fn unknown_field(&self, key: &YNode, field: &str, expected: &[&str]) -> Diagnostic {
        let d = Diagnostic::new(
            &codes::UNKNOWN_FIELD,
            Some(self.span(key)),
            format!("unknown field `{field}`"),
        )
        .label("not a field here");
        match did_you_mean(field, expected.iter().copied()) {
            Some(s) => d
                .help(format!("did you mean `{s}`?"))
                .fix(self.span(key), s),
            None => d.help(format!(
                "the fields allowed here are: {}",
                expected.join(", ")
            )),
        }
    }

    /// The diagnostics, with the step they are about where a workflow file's step holds them.
    fn finish(self) -> Vec<Diagnostic> {
        let mut diags = std::mem::take(&mut *self.diags.borrow_mut());
        let Val::Map(top) = &self.root.val else {
            return diags;
        };
        let key = |name: &str| {
            top.iter()
                .find(|(k, _)| self.text_of(k).as_deref() == Some(name))
                .map(|(_, v)| v)
        };
        let (
            Some(workflow),
            Some(YNode {
                val: Val::Map(steps),
                ..
            }),
        ) = (key("workflow").and_then(|w| self.text_of(w)), key("steps"))
        else {
            return diags;
        };
        for d in &mut diags {
            let Some(offset) = d.span.as_ref().map(|s| s.loc.offset as u32) else {
                continue;
            };
            let step = steps.iter().find(|(k, v)| {
                let end = extent(v).max(k.pos.offset + k.pos.len);
                (k.pos.offset..=end).contains(&offset)
            });
            if let Some(name) = step.and_then(|(k, _)| self.text_of(k)) {
                d.step.get_or_insert_with(|| format!("{workflow}.{name}"));
            }
        }
        diags
    }
}

/// The last byte offset a node's text reaches.
fn extent(n: &YNode) -> u32 {
    let own = n.pos.offset + n.pos.len;
    match &n.val {
        Val::Seq(items) => items.iter().map(extent).fold(own, u32::max),
        Val::Map(entries) => entries
            .iter()
            .map(|(k, v)| extent(k).max(extent(v)))
            .fold(own, u32::max),
        _ => own,
    }
}

/// The node with identity `id` in the tree under `n`.
fn find(n: &YNode, id: usize) -> Option<&YNode> {
    if n.id() == id {
        return Some(n);
    }
    match &n.val {
        Val::Seq(items) => items.iter().find_map(|x| find(x, id)),
        Val::Map(entries) => entries
            .iter()
            .find_map(|(k, v)| find(k, id).or_else(|| find(v, id))),
        _ => None,
    }
}

/// serde's names of what it expected, in the designer's words.
fn friendly(expected: &str) -> String {
    let e = expected.trim();
    if e.starts_with("struct ") || e == "a map" || e.starts_with("map") {
        "a mapping (`key: value` lines or `{ key: value }`)".to_string()
    } else if e == "a sequence" || e.starts_with("a sequence") || e.starts_with("tuple") {
        "a list".to_string()
    } else if e == "a string" || e == "string" {
        "a name or text".to_string()
    } else if [
        "f64", "f32", "u64", "u32", "u16", "u8", "i64", "i32", "usize", "a number",
    ]
    .iter()
    .any(|t| e.contains(t))
    {
        "a number".to_string()
    } else if e == "a boolean" {
        "`true` or `false`".to_string()
    } else {
        e.to_string()
    }
}

/// Read `n` as a `T`, reading it again without each part that cannot be read. `None` when `n`
/// itself cannot be a `T`.
fn attempt<T: de::DeserializeOwned>(n: &YNode, cx: &Cx) -> Option<T> {
    loop {
        match T::deserialize(De { n, cx }) {
            Ok(v) => return Some(v),
            Err(e) => {
                let (at, more) = cx.fail(e, n);
                if at == n.id() || !more {
                    return None;
                }
            }
        }
    }
}

/// A serde deserializer over one node of the tree.
struct De<'a, 't> {
    n: &'a YNode,
    cx: &'a Cx<'t>,
}

/// Type names our own `Deserialize` impls ask for, to get what only the tree knows.
const NODE: &str = "\0steg::Node";
const ENTRY: &str = "\0steg::Entry";
const ID_MAP: &str = "\0steg::Map";
/// The struct name [`StepMap`]'s deserializer asks for: keys are step references.
const STEP_MAP: &str = "\0steg::StepMap";

thread_local! {
    /// The place of the node a [`Node`] is being read from, handed from [`De`] to the `Node`
    /// visitor (serde has no other channel for it).
    static NODE_LOC: Cell<Option<Loc>> = const { Cell::new(None) };
}

impl<'a, 't> De<'a, 't> {
    fn with(&self, n: &'a YNode) -> De<'a, 't> {
        De { n, cx: self.cx }
    }

    /// The scalar's text as written (a plain `2021` or `yes` read where a name belongs).
    fn text(&self) -> Option<Cow<'a, str>> {
        self.cx.text_of(self.n)
    }

    fn type_error(&self, exp: &dyn de::Expected) -> Error {
        Error::new(Kind::Type {
            expected: exp.to_string(),
        })
        .at(self.n)
    }

    /// The entries of a mapping that are read: without excluded ones (their field is then
    /// quietly missing).
    fn entries(&self, entries: &'a [(YNode, YNode)]) -> Vec<&'a (YNode, YNode)> {
        entries
            .iter()
            .filter(|(k, v)| {
                let out = self.cx.excluded(k) || self.cx.excluded(v);
                if out {
                    if let Some(name) = self.with(k).text() {
                        self.cx
                            .quiet
                            .borrow_mut()
                            .insert((self.n.id(), name.into_owned()));
                    }
                }
                !out
            })
            .collect()
    }

    /// The fields of a struct: unknown and repeated keys are reported and skipped.
    fn fields(
        &self,
        entries: &'a [(YNode, YNode)],
        fields: &'static [&'static str],
    ) -> Vec<&'a (YNode, YNode)> {
        let mut seen: Vec<(Cow<'a, str>, &YNode)> = Vec::new();
        let mut out = Vec::new();
        for e in self.entries(entries) {
            let (k, _) = e;
            let text = self.with(k).text().unwrap_or_default();
            let name: &str = &text;
            if !fields.contains(&name) {
                if let Some(s) = did_you_mean(name, fields.iter().copied()) {
                    self.cx
                        .quiet
                        .borrow_mut()
                        .insert((self.n.id(), s.to_string()));
                }
                self.cx.report(k, self.cx.unknown_field(k, name, fields));
                continue;
            }
            if let Some((_, first)) = seen.iter().find(|(n, _)| n == name) {
                let d = Diagnostic::new(
                    &codes::DUPLICATE_KEY,
                    Some(self.cx.span(k)),
                    format!("`{name}` is written twice in this mapping"),
                )
                .label("written again here")
                .related(self.cx.span(first), "first written here")
                .help("only the first is read; remove one of them, or merge them into one");
                self.cx.report(k, d);
                continue;
            }
            seen.push((text.clone(), k));
            out.push(e);
        }
        out
    }

    /// Keys of a mapping of names must be ids (of a mapping of steps, step references).
    fn check_ids(&self, entries: &[&(YNode, YNode)], steps: bool) {
        for (k, _) in entries {
            let Some(name) = self.with(k).text() else {
                continue;
            };
            if is_id(&name) || (steps && is_step_ref(&name)) {
                continue;
            }
            let mut d = Diagnostic::new(
                &codes::INVALID_VALUE,
                Some(self.cx.span(k)),
                format!("`{name}` is not an id"),
            )
            .label("not an id");
            let rule = "ids are a lower-case ASCII letter, then lower-case letters, digits and `_` (`beslut_4_4`)";
            d = match crate::model::id_like(&name) {
                Some(s) => d
                    .help(format!("{rule}: did you mean `{s}`? (rename its uses too)"))
                    .fix(self.cx.span(k), s),
                None => d.help(rule),
            };
            self.cx.report(k, d);
        }
    }
}

impl<'de> Deserializer<'de> for De<'_, '_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let r = match &self.n.val {
            Val::Null => visitor.visit_unit(),
            Val::Bool(b) => visitor.visit_bool(*b),
            Val::Int(i) => visitor.visit_i64(*i),
            Val::UInt(u) => visitor.visit_u64(*u),
            Val::Float(f) => visitor.visit_f64(*f),
            Val::Str(s) => visitor.visit_str(s),
            Val::Seq(items) => visitor.visit_seq(Seq::new(self.cx, items)),
            Val::Map(entries) => {
                let kept = self.entries(entries);
                return visitor
                    .visit_map(Entries::new(self.cx, kept))
                    .map_err(|e| self.at_key(e, entries));
            }
        };
        r.map_err(|e| e.at(self.n))
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.text() {
            Some(s) => visitor.visit_str::<Error>(&s).map_err(|e| e.at(self.n)),
            None => Err(self.type_error(&visitor)),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.n.val {
            Val::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.n.val {
            Val::Null => visitor.visit_unit(),
            _ => Err(self.type_error(&visitor)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match &self.n.val {
            Val::Seq(items) => visitor
                .visit_seq(Seq::new(self.cx, items))
                .map_err(|e| e.at(self.n)),
            Val::Null => visitor
                .visit_seq(Seq::new(self.cx, &[]))
                .map_err(|e| e.at(self.n)),
            _ => Err(self.type_error(&visitor)),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match &self.n.val {
            Val::Map(entries) => {
                let kept = self.entries(entries);
                visitor
                    .visit_map(Entries::new(self.cx, kept))
                    .map_err(|e| self.at_key(e, entries))
            }
            Val::Null => visitor
                .visit_map(Entries::new(self.cx, Vec::new()))
                .map_err(|e| e.at(self.n)),
            _ => Err(self.type_error(&visitor)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let entries: &[(YNode, YNode)] = match &self.n.val {
            Val::Map(entries) => entries,
            Val::Null => &[],
            _ if name == ID_MAP || name == STEP_MAP => {
                return Err(Error::new(Kind::Type {
                    expected: "a mapping".to_string(),
                })
                .at(self.n))
            }
            _ => return Err(self.type_error(&visitor)),
        };
        let kept = if name == ID_MAP || name == STEP_MAP {
            let kept = self.entries(entries);
            self.check_ids(&kept, name == STEP_MAP);
            kept
        } else {
            self.fields(entries, fields)
        };
        visitor
            .visit_map(Entries::new(self.cx, kept))
            .map_err(|e| self.at_key(e, entries))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.text() {
            Some(s) => visitor
                .visit_enum(IntoDeserializer::<Error>::into_deserializer(s))
                .map_err(|e| e.at(self.n)),
            None => Err(self.type_error(&visitor)),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        match name {
            NODE => {
                NODE_LOC.with(|l| l.set(Some(self.cx.loc(self.n.pos))));
                visitor.visit_newtype_struct(self)
            }
            ENTRY => visitor.visit_seq(Attempts {
                n: self.n,
                cx: self.cx,
                standin: YNode {
                    pos: self.n.pos,
                    val: Val::Map(Vec::new()),
                },
                state: Attempt::Written,
            }),
            _ => visitor.visit_newtype_struct(self),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 bytes byte_buf
    }
}

impl De<'_, '_> {
    /// An error about a field of this mapping raised by the mapping's own visitor (an unknown or
    /// repeated field in a hand-written form such as a transition) is about that field's key.
    fn at_key(&self, e: Error, entries: &[(YNode, YNode)]) -> Error {
        if e.at.is_some() {
            return e;
        }
        let field = match &e.kind {
            Kind::UnknownField { field, .. } => Some(field.as_str()),
            Kind::Duplicate(f) => Some(*f),
            _ => None,
        };
        let key = field.and_then(|f| {
            entries.iter().rev().find(|(k, v)| {
                self.with(k).text().as_deref() == Some(f)
                    && !self.cx.excluded(k)
                    && !self.cx.excluded(v)
            })
        });
        match key {
            Some((k, _)) => e.at(k),
            None => e.at(self.n),
        }
    }
}

/// The items of a list, without excluded ones.
struct Seq<'a, 't> {
    cx: &'a Cx<'t>,
    items: std::slice::Iter<'a, YNode>,
}

impl<'a, 't> Seq<'a, 't> {
    fn new(cx: &'a Cx<'t>, items: &'a [YNode]) -> Self {
        Seq {
            cx,
            items: items.iter(),
        }
    }
}

impl<'de> SeqAccess<'de> for Seq<'_, '_> {
    type Error = Error;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        for n in self.items.by_ref() {
            if self.cx.excluded(n) {
                continue;
            }
            return seed
                .deserialize(De { n, cx: self.cx })
                .map(Some)
                .map_err(|e| e.at(n));
        }
        Ok(None)
    }
}

/// The entries of a mapping being read.
struct Entries<'a, 't> {
    cx: &'a Cx<'t>,
    entries: std::vec::IntoIter<&'a (YNode, YNode)>,
    value: Option<&'a YNode>,
}

impl<'a, 't> Entries<'a, 't> {
    fn new(cx: &'a Cx<'t>, entries: Vec<&'a (YNode, YNode)>) -> Self {
        Entries {
            cx,
            entries: entries.into_iter(),
            value: None,
        }
    }
}

impl<'de> MapAccess<'de> for Entries<'_, '_> {
    type Error = Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((k, v)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some(v);
        seed.deserialize(De { n: k, cx: self.cx })
            .map(Some)
            .map_err(|e| e.at(k))
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let n = self.value.take().ok_or_else(|| {
            Error::new(Kind::Message(
                "a value was asked for before its key".to_string(),
            ))
        })?;
        seed.deserialize(De { n, cx: self.cx }).map_err(|e| e.at(n))
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Attempt {
    /// Reading the entry as written (without its excluded parts).
    Written,
    /// The entry as written cannot be read: an empty mapping stands in, so that its name
    /// stays defined.
    StandIn,
    Done,
}

/// The attempts at reading one entry of a mapping of names, offered to [`Entry`]'s visitor as a
/// sequence: each `next_element` is one attempt; `Ok(None)` with a `size_hint` of `Some(0)`
/// means there is nothing more to try.
struct Attempts<'a, 't> {
    n: &'a YNode,
    cx: &'a Cx<'t>,
    standin: YNode,
    state: Attempt,
}

impl<'de> SeqAccess<'de> for Attempts<'_, '_> {
    type Error = Error;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let n = match self.state {
            Attempt::Done => return Ok(None),
            Attempt::Written => self.n,
            Attempt::StandIn => &self.standin,
        };
        self.cx.silent.set(self.state == Attempt::StandIn);
        let r = seed.deserialize(De { n, cx: self.cx });
        self.cx.silent.set(false);
        match r {
            Ok(v) => {
                self.state = Attempt::Done;
                Ok(Some(v))
            }
            Err(e) => {
                if self.state == Attempt::StandIn {
                    self.state = Attempt::Done;
                    return Ok(None);
                }
                let (at, more) = self.cx.fail(e, n);
                if !more {
                    self.state = Attempt::Done;
                } else if at == n.id() {
                    self.state = Attempt::StandIn;
                }
                Ok(None)
            }
        }
    }
    fn size_hint(&self) -> Option<usize> {
        (self.state == Attempt::Done).then_some(0)
    }
}

/// One entry of a [`Map`], read by attempts (see [`Attempts`]); `None` when it cannot be read.
struct Entry<V>(std::marker::PhantomData<V>);

impl<'de, V: Deserialize<'de>> DeserializeSeed<'de> for Entry<V> {
    type Value = Option<V>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<V>, D::Error> {
        struct EntryVisitor<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for EntryVisitor<V> {
            type Value = Option<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an entry")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut attempts: A) -> Result<Option<V>, A::Error> {
                loop {
                    if attempts.size_hint() == Some(0) {
                        return Ok(None);
                    }
                    if let Some(v) = attempts.next_element::<V>()? {
                        return Ok(Some(v));
                    }
                }
            }
            // Another deserializer than the tree's reads the entry once.
            fn visit_newtype_struct<D: Deserializer<'de>>(
                self,
                d: D,
            ) -> Result<Option<V>, D::Error> {
                V::deserialize(d).map(Some)
            }
        }
        d.deserialize_newtype_struct(ENTRY, EntryVisitor(std::marker::PhantomData))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Node<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct NodeVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for NodeVisitor<T> {
            type Value = Node<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a value")
            }
            fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Node<T>, D::Error> {
                let loc = NODE_LOC.with(Cell::take).unwrap_or_default();
                Ok(Node {
                    value: T::deserialize(d)?,
                    loc,
                })
            }
        }
        d.deserialize_newtype_struct(NODE, NodeVisitor(std::marker::PhantomData))
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Map<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MapVisitor<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for MapVisitor<V> {
            type Value = Map<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping from names to entries")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(Map::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = map.next_key::<Node<String>>()? {
                    if let Some(v) = map.next_value_seed(Entry::<V>(std::marker::PhantomData))? {
                        out.push((k, v));
                    }
                }
                Ok(Map(out))
            }
        }
        d.deserialize_struct(ID_MAP, &[], MapVisitor(std::marker::PhantomData))
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for StepMap<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct StepMapVisitor<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for StepMapVisitor<V> {
            type Value = StepMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping from steps to entries")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(StepMap::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = map.next_key::<Node<String>>()? {
                    if let Some(v) = map.next_value_seed(Entry::<V>(std::marker::PhantomData))? {
                        out.push((k, v));
                    }
                }
                Ok(StepMap(Map(out)))
            }
        }
        d.deserialize_struct(STEP_MAP, &[], StepMapVisitor(std::marker::PhantomData))
    }
}

/// One entry of a `next` list before its location is attached.
struct RawTransition {
    to: Node<String>,
    guard: Guard,
    title: Option<String>,
}

const TRANSITION_FIELDS: &[&str] = &["to", "when", "else", "title", "source"];

impl<'de> Deserialize<'de> for RawTransition {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawTransition;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a step id, `{ to: STEP, when: CONDITION }` or `{ else: STEP }`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(RawTransition {
                    to: Node::new(v.to_string()),
                    guard: Guard::Always,
                    title: None,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut to: Option<Node<String>> = None;
                let mut when: Option<Node<String>> = None;
                let mut els: Option<Node<String>> = None;
                let mut title: Option<String> = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "to" if to.is_none() => to = Some(map.next_value()?),
                        "when" if when.is_none() => when = Some(map.next_value()?),
                        "else" if els.is_none() => els = Some(map.next_value()?),
                        "title" if title.is_none() => title = Some(map.next_value()?),
                        "source" => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                        "to" => return Err(de::Error::duplicate_field("to")),
                        "when" => return Err(de::Error::duplicate_field("when")),
                        "else" => return Err(de::Error::duplicate_field("else")),
                        "title" => return Err(de::Error::duplicate_field("title")),
                        other => return Err(de::Error::unknown_field(other, TRANSITION_FIELDS)),
                    }
                }
                match (to, when, els) {
                    (Some(to), Some(w), None) => Ok(RawTransition {
                        to,
                        guard: Guard::When(w),
                        title,
                    }),
                    (Some(to), None, None) => Ok(RawTransition {
                        to,
                        guard: Guard::Always,
                        title,
                    }),
                    (None, None, Some(e)) => Ok(RawTransition {
                        to: e,
                        guard: Guard::Else,
                        title,
                    }),
                    (None, _, None) => Err(de::Error::missing_field("to")),
                    _ => Err(de::Error::custom(
                        "a transition has either `to` (with an optional `when`) or `else`, not both",
                    )),
                }
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Next {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Vec<Transition>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a step id or a list of transitions")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(vec![Transition {
                    to: Node::new(v.to_string()),
                    guard: Guard::Always,
                    title: None,
                    loc: Loc::default(),
                }])
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(item) = seq.next_element::<Node<RawTransition>>()? {
                    let Node { value, loc } = item;
                    // A bare string item has no location of its own: use the item's.
                    let to = if value.to.loc == Loc::default() {
                        Node {
                            value: value.to.value,
                            loc,
                        }
                    } else {
                        value.to
                    };
                    out.push(Transition {
                        to,
                        guard: value.guard,
                        title: value.title,
                        loc,
                    });
                }
                Ok(out)
            }
        }
        let node = Node::<NextInner>::deserialize(d)?;
        let mut transitions = node.value.0;
        // `next: step` gives one transition without a location of its own.
        for t in &mut transitions {
            if t.loc == Loc::default() {
                t.loc = node.loc;
            }
            if t.to.loc == Loc::default() {
                t.to.loc = node.loc;
            }
        }
        return Ok(Next(transitions));

        struct NextInner(Vec<Transition>);
        impl<'de> Deserialize<'de> for NextInner {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any(V).map(NextInner)
            }
        }
    }
}

struct RawDeadline {
    duration: Option<Node<crate::duration::Period>>,
    from: Option<Node<String>>,
    source: Option<String>,
}

impl<'de> Deserialize<'de> for RawDeadline {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawDeadline;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a duration such as `90d`, or `{ duration: 3mo, from: STEP }`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(RawDeadline {
                    duration: Some(Node::new(crate::duration::Period::deserialize(
                        de::value::StrDeserializer::<E>::new(v),
                    )?)),
                    from: None,
                    source: None,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = RawDeadline {
                    duration: None,
                    from: None,
                    source: None,
                };
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "duration" if out.duration.is_none() => {
                            out.duration = Some(map.next_value()?)
                        }
                        "from" if out.from.is_none() => out.from = Some(map.next_value()?),
                        "source" if out.source.is_none() => out.source = Some(map.next_value()?),
                        "duration" => return Err(de::Error::duplicate_field("duration")),
                        "from" => return Err(de::Error::duplicate_field("from")),
                        "source" => return Err(de::Error::duplicate_field("source")),
                        other => {
                            return Err(de::Error::unknown_field(
                                other,
                                &["duration", "from", "source"],
                            ))
                        }
                    }
                }
                if out.duration.is_none() {
                    return Err(de::Error::missing_field("duration"));
                }
                Ok(out)
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Deadline {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let node = Node::<RawDeadline>::deserialize(d)?;
        let raw = node.value;
        let mut duration = raw
            .duration
            .ok_or_else(|| de::Error::missing_field("duration"))?;
        if duration.loc == Loc::default() {
            duration.loc = node.loc;
        }
        Ok(Deadline {
            duration,
            from: raw.from,
            source: raw.source,
        })
    }
}

/// One entry of a dated `legal_basis` list.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBasis {
    basis: Node<String>,
    #[serde(default)]
    valid_from: Option<Node<String>>,
    #[serde(default)]
    valid_to: Option<Node<String>>,
    #[serde(default)]
    source: Option<String>,
}

impl<'de> Deserialize<'de> for LegalBasis {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Vec<BasisVersion>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a provision such as `SoL 4 kap. 4 §`, or a list of `{ basis, valid_from, valid_to }`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(vec![BasisVersion {
                    basis: Node::new(v.to_string()),
                    valid_from: None,
                    valid_to: None,
                    source: None,
                }])
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(b) = seq.next_element::<RawBasis>()? {
                    out.push(BasisVersion {
                        basis: b.basis,
                        valid_from: b.valid_from,
                        valid_to: b.valid_to,
                        source: b.source,
                    });
                }
                Ok(out)
            }
        }
        struct Inner(Vec<BasisVersion>);
        impl<'de> Deserialize<'de> for Inner {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_any(V).map(Inner)
            }
        }
        let node = Node::<Inner>::deserialize(d)?;
        let mut versions = node.value.0;
        // A plain string has no location of its own: the node's.
        for b in &mut versions {
            if b.basis.loc == Loc::default() {
                b.basis.loc = node.loc;
            }
        }
        Ok(LegalBasis(versions))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{MunicipalityFile, WorkflowFile};

    fn wf(text: &str) -> Result<WorkflowFile, Box<Diagnostic>> {
        parse(FileId(0), text)
    }

    /// Every diagnostic of reading `text` as a workflow file, as `CODE line:column`.
    fn all(text: &str) -> (Option<WorkflowFile>, Vec<String>) {
        let mut out = Vec::new();
        let w = read::<WorkflowFile>(FileId(0), text, &mut out);
        let mut found: Vec<String> = out
            .iter()
            .map(|d| {
                let l = d.span.as_ref().unwrap().loc;
                format!("{} {}:{}", d.code(), l.line, l.column)
            })
            .collect();
        found.sort();
        (w, found)
    }

    #[test]
    fn next_targets_carry_their_own_line_and_column() {
        let w = wf("workflow: w\nstart: a\nsteps:\n  a:\n    next:\n      - { when: rule.x, to: b }\n      - else: c\n  b: { next: c }\n  c: { kind: end }\n").unwrap();
        let a = w.steps.get("a").unwrap();
        let t = a.transitions();
        assert_eq!((t[0].to.loc.line, t[0].to.loc.column), (6, 29));
        assert_eq!((t[1].to.loc.line, t[1].to.loc.column), (7, 15));
        assert!(matches!(t[1].guard, Guard::Else));
        let b = w.steps.get("b").unwrap();
        assert_eq!(
            (
                b.transitions()[0].to.loc.line,
                b.transitions()[0].to.loc.column
            ),
            (8, 14)
        );
    }

    #[test]
    fn unknown_field_suggests_the_close_one() {
        let d = wf("workflow: w\nsteps:\n  a: { nxt: b }\n").unwrap_err();
        assert_eq!(d.code(), "S002");
        assert_eq!(d.help.as_deref(), Some("did you mean `next`?"));
        let loc = d.span.unwrap().loc;
        assert_eq!((loc.line, loc.column), (3, 8));
        assert_eq!(d.fix.map(|f| f.replacement).as_deref(), Some("next"));
    }

    #[test]
    fn unknown_kind_suggests_the_close_one() {
        let d = wf("workflow: w\nsteps:\n  a: { kind: decison }\n").unwrap_err();
        assert_eq!(d.code(), "S003");
        assert_eq!(d.help.as_deref(), Some("did you mean `decision`?"));
    }

    #[test]
    fn syntax_error_is_located() {
        let d = wf("workflow: w\nsteps:\n  a: { next: [b }\n").unwrap_err();
        assert_eq!(d.span.unwrap().loc.line, 3);
    }

    #[test]
    fn duplicate_steps_are_kept_for_the_duplicate_check() {
        let w = wf("workflow: w\nsteps:\n  a: { next: b }\n  a: { next: c }\n").unwrap();
        assert_eq!(w.steps.len(), 2);
    }

    #[test]
    fn bad_duration_is_located_with_the_unit_it_meant() {
        let d = wf("workflow: w\nsteps:\n  a: { duration: 3 months }\n").unwrap_err();
        assert_eq!(d.code(), "S003");
        assert_eq!(d.span.as_ref().unwrap().loc.line, 3);
        assert!(d.message.contains("3 months"), "{}", d.message);
        assert_eq!(d.help.as_deref(), Some("did you mean `3mo`?"));
        assert_eq!(d.fix.map(|f| f.replacement).as_deref(), Some("3mo"));
    }

    #[test]
    fn every_mistake_of_a_file_is_reported_and_the_rest_is_read() {
        let text = "workflow: w\nstart: a\nsteps:\n  a: { acter: r, next: b }\n  b:\n    kind: ende\n    on:\n      - { every: 3 months, to: c }\n      - { after: 1 week, to: c }\n  c: { kind: end, outcome: klar, within: 2 years }\n";
        let (w, found) = all(text);
        assert_eq!(
            found,
            [
                "S002 4:8",
                "S003 10:42",
                "S003 6:11",
                "S003 8:18",
                "S003 9:18"
            ],
            "{found:?}"
        );
        let w = w.expect("the file is read");
        // What could be read is there: the step with the misspelt field keeps its `next`, the
        // triggers keep their targets.
        assert_eq!(w.steps.len(), 3);
        assert_eq!(w.steps.get("a").unwrap().transitions()[0].to.value, "b");
        assert_eq!(w.steps.get("b").unwrap().on.len(), 2);
        assert_eq!(
            w.steps.get("c").unwrap().outcome.as_ref().unwrap().value,
            "klar"
        );
    }

    #[test]
    fn a_step_with_a_mistake_is_named_in_its_diagnostic() {
        let mut out = Vec::new();
        read::<WorkflowFile>(
            FileId(0),
            "workflow: w\nsteps:\n  a:\n    kind: ende\n",
            &mut out,
        );
        assert_eq!(out[0].step.as_deref(), Some("w.a"));
    }

    #[test]
    fn a_misspelt_required_field_is_one_mistake() {
        let (_, found) = all("workflow: w\nsteps:\n  a:\n    kind: wait\n    on:\n      - { event: e, too: b }\n  b: { kind: end }\n");
        assert_eq!(found, ["S002 6:21"]);
    }

    #[test]
    fn duplicate_keys_are_marked_at_the_repeated_key() {
        let (w, found) = all("workflow: w\nstart: a\nsteps:\n  a: { next: b, next: c }\n  b: { kind: end }\nsteps:\n  c: {}\n");
        assert_eq!(found, ["S007 4:17", "S007 6:1"]);
        let w = w.unwrap();
        // The first is read.
        assert_eq!(w.steps.len(), 2);
        assert_eq!(w.steps.get("a").unwrap().transitions()[0].to.value, "b");
    }

    #[test]
    fn ids_are_lower_case_ascii() {
        let (w, found) = all("workflow: w\nsteps:\n  Klar_Steg: { kind: end }\n  klär: { kind: end }\n  ok_1: { kind: end }\n");
        assert_eq!(found, ["S003 3:3", "S003 4:3"]);
        assert_eq!(w.unwrap().steps.len(), 3, "the entries are still read");
        let mut out = Vec::new();
        read::<WorkflowFile>(FileId(0), "workflow: w\nsteps:\n  klär: {}\n", &mut out);
        assert_eq!(
            out[0].fix.as_ref().map(|f| f.replacement.as_str()),
            Some("klar")
        );
    }

    #[test]
    fn a_missing_required_field_is_located_at_its_mapping() {
        let d = wf("start: a\nsteps:\n  a: {}\n").unwrap_err();
        assert_eq!(d.message, "missing field `workflow`");
        let l = d.span.unwrap().loc;
        assert_eq!((l.line, l.column), (1, 1));
    }

    #[test]
    fn an_entry_that_cannot_be_read_keeps_its_name() {
        let (w, found) = all("workflow: w\nsteps:\n  a: 5\n  b: {}\n");
        assert_eq!(found, ["S003 3:6"]);
        assert!(w.unwrap().steps.contains("a"));
    }

    #[test]
    fn names_written_as_numbers_or_booleans_are_read_as_written() {
        let w = wf("workflow: w\ntitle: 2021\nsteps:\n  n: { outcome: yes, kind: end }\n").unwrap();
        assert_eq!(w.title.as_deref(), Some("2021"));
        let (k, s) = &w.steps.0[0];
        assert_eq!(k.value, "n");
        assert_eq!(s.outcome.as_ref().unwrap().value, "yes");
    }

    #[test]
    fn municipality_mistakes_are_all_reported() {
        let mut out = Vec::new();
        let m = read::<MunicipalityFile>(
            FileId(0),
            "municipality: K\nrolse: {}\nroles:\n  r: { staff: many }\nevents:\n  e: { reported_by: [r] }\n",
            &mut out,
        );
        let codes: Vec<&str> = out.iter().map(|d| d.code()).collect();
        assert_eq!(codes, ["S002", "S003", "S003"], "{out:#?}");
        let m = m.unwrap();
        assert!(m.roles.contains("r") && m.events.contains("e"));
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        text.push_str("b: *a9\n");
        let d = parse::<serde_json::Value>(FileId(0), &text).unwrap_err();
        assert_eq!(d.code(), "S004", "{d:?}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = format!(
            "workflow: w\nsteps: {}{}\n",
            "[".repeat(500),
            "]".repeat(500)
        );
        assert!(wf(&text).is_err());
    }
}
