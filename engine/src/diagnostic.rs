//! Diagnostics: what every check and the loader report, with a stable code and a source location.

use serde::Serialize;
use std::fmt;
use std::path::PathBuf;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The configuration works, but something is probably not what the designer meant.
    Warning,
    /// The configuration is wrong: a case could get stuck, or the file cannot be read.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// A place in a source file: 1-based line and column, plus the byte range for snippets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Loc {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, counted in characters.
    pub column: u32,
    /// Byte offset of the first byte of the node in the file.
    #[serde(skip)]
    pub offset: usize,
    /// Length of the node in bytes (at least 1 when known).
    #[serde(skip)]
    pub len: usize,
    /// The file the node was read from, when known. YAML nodes always know it, so a node
    /// inherited through `extends` keeps pointing into its base file after the merge; a
    /// [`Span`] given to [`Diagnostic::new`] or [`Diagnostic::related`] takes this file.
    #[serde(skip)]
    pub file: Option<FileId>,
}

/// A location in a named file of the project.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// Index of the file in the project's [`SourceMap`](crate::SourceMap).
    pub file: FileId,
    /// Place in that file.
    pub loc: Loc,
}

impl Span {
    /// The span in the file its node was read from: a node merged into another file's workflow
    /// through `extends` still names its own file (see [`Loc::file`]).
    pub fn resolved(self) -> Span {
        Span {
            file: self.loc.file.unwrap_or(self.file),
            loc: self.loc,
        }
    }
}

/// Index of a file in a [`SourceMap`](crate::SourceMap).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

/// A secondary location shown beside the main one (e.g. the first definition of a duplicate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What to say there.
    pub message: String,
}

/// One problem found in a configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The check that produced it.
    pub check: &'static CheckInfo,
    /// Severity; normally the check's own, kept here so a check may lower it.
    pub severity: Severity,
    /// One sentence saying what is wrong.
    pub message: String,
    /// The label at the primary location (short).
    pub label: String,
    /// How to fix it, if there is something to say.
    pub help: Option<String>,
    /// Where the problem is; `None` only for problems with no file (e.g. an empty folder).
    pub span: Option<Span>,
    /// Other places that explain the problem.
    pub related: Vec<Label>,
    /// The step concerned, as `workflow.step`, when there is one.
    pub step: Option<String>,
    /// The one likely repair, when there is one ("did you mean `kartlaggning`?"): editors offer
    /// it as a quick fix, and it is how follow-on diagnostics are recognised (see `follow_on`).
    pub fix: Option<Fix>,
    /// Diagnostics that are only consequences of this one: they disappear when it is fixed
    /// (steps unreachable only because a `next` names an unknown step). Summarised in `notes`.
    pub follow_on: Vec<Diagnostic>,
    /// Sentences shown after the help, such as "9 steps are unreachable because of this".
    pub notes: Vec<String>,
}

/// A repair of a diagnostic: the text at `span` (its `loc.offset` and `loc.len` bytes) becomes
/// `replacement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What to replace.
    pub span: Span,
    /// The new text (without quotes: a quoted value keeps its quotes, see [`Fix::apply`]).
    pub replacement: String,
}

impl Fix {
    /// `text` with the fix applied, or `None` when the span does not lie in it. A value written
    /// in quotes keeps them.
    pub fn apply(&self, text: &str) -> Option<String> {
        let (start, end) = self.range(text)?;
        let mut out = String::with_capacity(text.len() + self.replacement.len());
        out.push_str(&text[..start]);
        out.push_str(&self.edit(text)?);
        out.push_str(&text[end..]);
        Some(out)
    }

    /// The byte range the fix replaces in `text`, when it is a valid range of it.
    pub fn range(&self, text: &str) -> Option<(usize, usize)> {
        let start = self.span.loc.offset;
        let end = start.checked_add(self.span.loc.len)?;
        (end <= text.len() && text.is_char_boundary(start) && text.is_char_boundary(end))
            .then_some((start, end))
    }

    /// The text that replaces the range: the replacement, in the quotes of the original if it
    /// had them.
    pub fn edit(&self, text: &str) -> Option<String> {
        let (start, end) = self.range(text)?;
        let old = &text[start..end];
        Some(match old.chars().next() {
            Some(q @ ('"' | '\'')) if old.len() >= 2 && old.ends_with(q) => {
                format!("{q}{}{q}", self.replacement)
            }
            _ => self.replacement.clone(),
        })
    }
}

impl Diagnostic {
    /// A diagnostic of `check` at `span`, with the check's severity.
    pub fn new(check: &'static CheckInfo, span: Option<Span>, message: impl Into<String>) -> Self {
        Diagnostic {
            check,
            severity: check.severity,
            message: message.into(),
            label: String::new(),
            help: None,
            span: span.map(Span::resolved),
            related: Vec::new(),
            step: None,
            fix: None,
            follow_on: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Offer a repair: the text at `span` becomes `replacement`.
    pub fn fix(mut self, span: Span, replacement: impl Into<String>) -> Self {
        self.fix = Some(Fix {
            span: span.resolved(),
            replacement: replacement.into(),
        });
        self
    }

    /// Set the short label shown under the source snippet.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// Set the help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Add a help line only when there is one.
    pub fn maybe_help(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// Offer a repair only when there is one.
    pub fn maybe_fix(self, span: Span, replacement: Option<&str>) -> Self {
        match replacement {
            Some(r) => self.fix(span, r),
            None => self,
        }
    }

    /// Name the step concerned (`workflow.step`).
    pub fn step(mut self, workflow: &str, step: &str) -> Self {
        self.step = Some(format!("{workflow}.{step}"));
        self
    }

    /// Add a related location.
    pub fn related(mut self, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Label {
            span: span.resolved(),
            message: message.into(),
        });
        self
    }

    /// The stable code, e.g. `G005`.
    pub fn code(&self) -> &'static str {
        self.check.code
    }
}

/// A registered check: its stable code, its name, its default severity and its documentation.
#[derive(Debug, PartialEq, Eq)]
pub struct CheckInfo {
    /// Stable code, e.g. `G005`. Never reused for another check.
    pub code: &'static str,
    /// Name after the bad pattern, e.g. `DeadEnd`.
    pub name: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// Documentation: what it does, why it is bad, an example, what to write instead.
    pub doc: &'static str,
}

/// Files a project was loaded from, so a diagnostic can be shown with its source.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

/// One file's name and content.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path as given (relative to where `steg` was started when possible).
    pub path: PathBuf,
    /// Full text; empty when the file could not be read.
    pub text: String,
}

impl SourceMap {
    /// Add a file and return its id.
    pub fn add(&mut self, path: PathBuf, text: String) -> FileId {
        self.files.push(SourceFile { path, text });
        FileId((self.files.len() - 1) as u32)
    }

    /// The file with this id.
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// All files, in the order they were added.
    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }
}

/// Compute a [`Loc`] for a byte offset in `text` (1-based line and character column).
pub fn loc_at(text: &str, offset: usize, len: usize) -> Loc {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() as u32 + 1;
    Loc {
        line,
        column,
        offset,
        len,
        file: None,
    }
}

/// Byte offset of a 1-based line and character column in `text`.
pub fn offset_of(text: &str, line: u32, column: u32) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line as usize {
            return offset
                + l.char_indices()
                    .nth(column.saturating_sub(1) as usize)
                    .map_or(l.len(), |(b, _)| b);
        }
        offset += l.len();
    }
    text.len()
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Suggest the candidate closest to `name`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a, I>(name: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let mut best: Option<(&str, f64)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(name, c);
        let close = score >= 0.85 || strsim::levenshtein(name, c) <= 2.max(name.len() / 4);
        if close && best.is_none_or(|(_, s)| score > s) {
            best = Some((c, score));
        }
    }
    best.map(|(c, _)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loc_at_counts_characters_not_bytes() {
        let text = "a: b\nnämnd: x\n";
        let off = text.find('x').unwrap();
        let loc = loc_at(text, off, 1);
        assert_eq!((loc.line, loc.column), (2, 8));
        assert_eq!(offset_of(text, 2, 8), off);
    }

    #[test]
    fn did_you_mean_finds_typos_and_ignores_strangers() {
        let c = ["utredning", "kartlaggning", "beslut_4_4"];
        assert_eq!(did_you_mean("utreding", c), Some("utredning"));
        assert_eq!(did_you_mean("kartlagning", c), Some("kartlaggning"));
        assert_eq!(did_you_mean("zzz", c), None);
    }
}
