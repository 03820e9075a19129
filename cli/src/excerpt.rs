//! Text from files made safe for a terminal: control characters shown as escapes, and source
//! snippets cut to the lines and the part of a line a diagnostic marks, so that any file (a
//! 4.8 MB single-line model, an escape sequence in a step id) renders without panicking,
//! without flooding the screen and without taking the terminal over.

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};
use std::borrow::Cow;

/// Most characters of one line a snippet shows; a longer line is cut around what is marked.
pub const WINDOW: usize = 200;
/// Related places in the same file farther than this many lines from the primary one are named
/// in the help instead of drawn (the snippet would hold every line between them).
pub const MAX_SPREAD: usize = 30;

/// Whether a character could change what a terminal does or how text reads: C0 and C1
/// controls (ESC, BEL, backspace, carriage return, ...), DEL, and the Unicode bidirectional
/// overrides and isolates that reorder what is shown. Tabs and, where `newlines` says so, line
/// feeds are kept.
fn unsafe_char(c: char, newlines: bool) -> bool {
    match c {
        '\t' => false,
        '\n' => !newlines,
        '\u{200e}'
        | '\u{200f}'
        | '\u{061c}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}' => true,
        c => c.is_control(),
    }
}

/// `c` as an escape a reader can see: `\u{1b}`.
fn escaped(c: char) -> String {
    format!("\\u{{{:x}}}", c as u32)
}

/// Text from a file (a message naming an id, a path, an event name) with every character that
/// could act on the terminal written as an escape (`\u{1b}`); line feeds are kept.
pub fn term(s: &str) -> Cow<'_, str> {
    clean(s, true)
}

/// As [`term`], for text that must stay on one line (a trace entry, a table cell): line feeds
/// are escaped too.
pub fn term_line(s: &str) -> Cow<'_, str> {
    clean(s, false)
}

fn clean(s: &str, newlines: bool) -> Cow<'_, str> {
    if !s.chars().any(|c| unsafe_char(c, newlines)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_char(c, newlines) {
            out.push_str(&escaped(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A place to mark in a file: byte offset, length in bytes, and its 1-based line.
#[derive(Debug, Clone, Copy)]
pub struct Mark {
    /// Byte offset in the file's text.
    pub offset: usize,
    /// Length in bytes (a mark spanning lines is cut at the end of its first line).
    pub len: usize,
    /// 1-based line of `offset`, as the engine located it.
    pub line: usize,
}

/// The lines of a file that a diagnostic shows, each cut to [`WINDOW`] characters around what
/// is marked and with control characters escaped, as miette's source. Line numbers and the
/// `[file:line:column]` header are the file's own.
pub struct Excerpt {
    name: String,
    text: String,
    /// 0-based line of the file that `text` starts with.
    first_line: usize,
    /// Where the primary mark starts in `text`, and its 0-based column in the file as miette
    /// counts columns (see [`miette_column`]).
    primary: Option<(usize, usize)>,
}

/// The column the header shows for a mark at `offset` (bytes) of `line_text`: characters from
/// the start of the line (0-based), as every other output of steg counts them (miette would count
/// bytes, so `ä` would count twice).
fn miette_column(line_text: &str, offset: usize) -> usize {
    line_text[..floor(line_text, offset)].chars().count()
}

/// The largest char boundary of `s` not after `i`.
fn floor(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Byte range of the line of `text` that holds `offset` (without its line end).
fn line_around(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor(text, offset);
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    (start, end)
}

impl Excerpt {
    /// The excerpt of `text` (the file `name`) for `marks`, the first being the primary one.
    /// Returns it with each mark's span in the excerpt, in the order given.
    pub fn new(name: &str, text: &str, marks: &[Mark]) -> (Excerpt, Vec<SourceSpan>) {
        let Some(primary) = marks.first() else {
            let excerpt = Excerpt {
                name: term_line(name).into_owned(),
                text: String::new(),
                first_line: 0,
                primary: None,
            };
            return (excerpt, Vec::new());
        };
        // The lines shown: one of context around every mark.
        let lines: Vec<usize> = marks.iter().map(|m| m.line.max(1) - 1).collect();
        let lowest = *lines.iter().min().unwrap_or(&0);
        let highest = *lines.iter().max().unwrap_or(&0);
        let first_line = lowest.saturating_sub(1);
        let (pstart, _) = line_around(text, primary.offset);
        let primary_line = primary.line.max(1) - 1;
        // Walk back from the primary mark's line to the first line shown, then forward.
        let mut start = pstart;
        let mut line = primary_line;
        while line > first_line && start > 0 {
            start = line_around(text, start - 1).0;
            line -= 1;
        }
        let first_line = line;
        let mut out = String::new();
        let mut spans = vec![SourceSpan::new(0.into(), 0); marks.len()];
        let mut primary_at = None;
        let mut at = start;
        let mut line = first_line;
        loop {
            let (ls, le) = line_around(text, at);
            let raw = &text[ls..le];
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            let on_line: Vec<usize> = (0..marks.len())
                .filter(|&i| lines[i] == line && marks[i].offset >= ls && marks[i].offset <= le)
                .collect();
            let base = out.len();
            let ranges = on_line.iter().map(|&i| {
                let m = &marks[i];
                let start = m.offset - ls;
                (start, (start + m.len).min(raw.len()))
            });
            let (shown, map) = window(raw, ranges);
            out.push_str(&shown);
            for (&i, &(a, b)) in on_line.iter().zip(&map) {
                spans[i] = SourceSpan::new((base + a).into(), b - a);
                if i == 0 {
                    primary_at = Some((base + a, miette_column(raw, marks[i].offset - ls)));
                }
            }
            line += 1;
            if line > highest + 1 || le >= text.len() {
                break;
            }
            out.push('\n');
            at = le + 1;
        }
        let excerpt = Excerpt {
            name: term_line(name).into_owned(),
            text: out,
            first_line,
            primary: primary_at,
        };
        (excerpt, spans)
    }
}

/// Cut `line` to at most [`WINDOW`] characters around the marks (byte ranges of `line`),
/// escaping control characters. Returns the shown text and where each mark is in it: cut to
/// what is shown, and at least one character (or escape) long where the line has any.
fn window(
    line: &str,
    ranges: impl Iterator<Item = (usize, usize)>,
) -> (String, Vec<(usize, usize)>) {
    let ranges: Vec<(usize, usize)> = ranges
        .map(|(a, b)| (floor(line, a), floor(line, b.max(a))))
        .collect();
    let (from, to) = if line.len() <= WINDOW {
        (0, line.len())
    } else {
        // Centre on the first mark (the primary one when it is on this line): a third of the
        // window before it, the rest after, shifted when the line ends first.
        let anchor = ranges.first().map_or(0, |r| r.0);
        let from = line[..anchor]
            .char_indices()
            .rev()
            .take(WINDOW / 3)
            .last()
            .map_or(anchor, |(i, _)| i);
        let to = line[from..]
            .char_indices()
            .nth(WINDOW)
            .map_or(line.len(), |(i, _)| from + i);
        // Near the end of the line: take the window back so that it is full.
        let from = if to == line.len() {
            line[..to]
                .char_indices()
                .rev()
                .nth(WINDOW - 1)
                .map_or(0, |(i, _)| i)
        } else {
            from
        };
        (from, to)
    };
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    // For every char boundary of line[from..to]: its offset in `line` and in `out`.
    let mut pos = Vec::new();
    for (i, c) in line[from..to].char_indices() {
        pos.push((from + i, out.len()));
        if unsafe_char(c, false) {
            out.push_str(&escaped(c));
        } else {
            out.push(c);
        }
    }
    pos.push((to, out.len()));
    if to < line.len() {
        out.push('…');
    }
    let place = |b: usize| -> usize {
        let b = b.clamp(from, to);
        match pos.binary_search_by_key(&b, |&(orig, _)| orig) {
            Ok(i) => pos[i].1,
            Err(i) => pos[i.saturating_sub(1)].1,
        }
    };
    // The end of the shown character that starts at `a` in `out`.
    let next = |a: usize| -> usize {
        pos.iter()
            .map(|&(_, shown)| shown)
            .find(|&shown| shown > a)
            .unwrap_or(a)
    };
    let marks = ranges
        .iter()
        .map(|&(s, e)| {
            let a = place(s);
            let b = place(e).max(next(a)).max(a);
            (a, b)
        })
        .collect();
    (out, marks)
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        let column = match self.primary {
            Some((at, col))
                if span.offset() == at && context_lines_before == 0 && context_lines_after == 0 =>
            {
                col
            }
            _ => inner.column(),
        };
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            column,
            inner.line_count(),
        )))
    }
}

/// A writer for plain human output (no colours of its own) that writes every character which
/// could act on the terminal as an escape, whatever the text came from; line feeds and tabs
/// pass. Text is UTF-8; a character split across writes is held until it is whole.
pub struct Escaping<W: std::io::Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: std::io::Write> Escaping<W> {
    /// Escape what is written to `inner`.
    pub fn new(inner: W) -> Self {
        Escaping {
            inner,
            pending: Vec::new(),
        }
    }
}

impl<W: std::io::Write> std::io::Write for Escaping<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(buf);
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(s) => s.len(),
            // An incomplete character at the end waits for the next write; invalid bytes are
            // written as U+FFFD.
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => self.pending.len(),
        };
        let text = String::from_utf8_lossy(&self.pending[..valid]).into_owned();
        self.inner.write_all(term(&text).as_bytes())?;
        self.pending.drain(..valid);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.pending.is_empty() {
            let text = String::from_utf8_lossy(&self.pending).into_owned();
            self.inner.write_all(term(&text).as_bytes())?;
            self.pending.clear();
        }
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use steg_engine::{codes, loc_at, Diagnostic, Report, SourceMap, Span};

    /// Render one diagnostic at `offset` (and a related one at `other`) of `text`, no colours.
    fn render(text: &str, offset: usize, len: usize, other: usize) -> String {
        let mut sources = SourceMap::default();
        let file = sources.add("f\u{1b}.yaml".into(), text.to_string());
        let span = |o: usize, l: usize| Span {
            file,
            loc: loc_at(text, o, l),
        };
        let d = Diagnostic::new(
            &codes::UNKNOWN_REFERENCE,
            Some(span(offset, len)),
            "m\u{9b}",
        )
        .label("here\u{7}")
        .related(span(other, 1), "there");
        let report = Report {
            sources,
            municipalities: vec![],
            diagnostics: vec![d],
        };
        let mut out = Vec::new();
        crate::render::diagnostics(&mut out, &report, false).expect("render");
        String::from_utf8(out).expect("UTF-8")
    }

    fn text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("a".to_string()),
            Just("\n".to_string()),
            Just("\r\n".to_string()),
            Just("\t".to_string()),
            Just("\u{1b}[2J".to_string()),
            Just("\u{202e}".to_string()),
            Just("å".to_string()),
            Just("🦀".to_string()),
            (1usize..100_000).prop_map(|n| "x".repeat(n)),
        ];
        proptest::collection::vec(piece, 0..12).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Any file, any place in it: rendering never panics (miette did past column 65,535),
        /// never passes a control character through, never echoes a long line whole.
        #[test]
        fn any_span_of_any_text_renders_tame(
            t in text(),
            at in 0usize..200_000,
            len in 0usize..200_000,
            other in 0usize..200_000,
        ) {
            let at = at.min(t.len());
            let out = render(&t, at, len, other.min(t.len()));
            prop_assert!(!out.contains(['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}', '\r']), "{out:?}");
            for line in out.lines() {
                prop_assert!(line.chars().count() <= 2 * WINDOW, "{line:?}");
            }
        }
    }

    #[test]
    fn control_characters_are_escaped_and_text_is_kept() {
        assert_eq!(term("steg \u{1b}]0;x\u{7} id"), "steg \\u{1b}]0;x\\u{7} id");
        assert_eq!(term("a\nb\tc"), "a\nb\tc");
        assert_eq!(term_line("a\nb"), "a\\u{a}b");
        assert!(matches!(term("vanlig text åäö"), Cow::Borrowed(_)));
    }

    #[test]
    fn the_escaping_writer_holds_a_split_character() {
        use std::io::Write;
        let mut out = Vec::new();
        {
            let mut w = Escaping::new(&mut out);
            let bytes = "å\u{1b}ö".as_bytes();
            for b in bytes {
                w.write_all(&[*b]).expect("write");
            }
            w.flush().expect("flush");
        }
        assert_eq!(String::from_utf8(out).expect("UTF-8"), "å\\u{1b}ö");
    }
}
