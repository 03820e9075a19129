//! Places between steg and the Language Server Protocol: byte offsets and LSP positions (lines
//! from 0, columns in UTF-16 code units as the protocol requires), file paths and URIs, steg's
//! diagnostics and LSP diagnostics.

use std::path::{Path, PathBuf};
use steg_engine::{Diagnostic, Severity, SourceMap, Span};
use tower_lsp_server::ls_types as lsp;

/// The LSP position of byte `offset` of `text`.
pub fn position(text: &str, offset: usize) -> lsp::Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() as u32;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let character = before[start..].encode_utf16().count() as u32;
    lsp::Position { line, character }
}

/// The byte offset of an LSP position in `text` (clamped to the line and the text).
pub fn offset(text: &str, pos: lsp::Position) -> usize {
    let mut start = 0;
    for _ in 0..pos.line {
        match text[start..].find('\n') {
            Some(i) => start += i + 1,
            None => return text.len(),
        }
    }
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let mut units = 0;
    for (i, c) in text[start..line_end].char_indices() {
        if units >= pos.character {
            return start + i;
        }
        units += c.len_utf16() as u32;
    }
    line_end
}

/// The LSP range of `len` bytes at `offset` of `text`.
pub fn range(text: &str, offset: usize, len: usize) -> lsp::Range {
    lsp::Range {
        start: position(text, offset),
        end: position(text, offset.saturating_add(len)),
    }
}

/// A path as editors name it: absolute, `..` resolved, symbolic links followed.
pub fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// The URI of a file.
pub fn uri(path: &Path) -> Option<lsp::Uri> {
    lsp::Uri::from_file_path(canonical(path))
}

/// The file a URI names.
pub fn path(uri: &lsp::Uri) -> Option<PathBuf> {
    uri.to_file_path().map(|p| canonical(&p))
}

/// The LSP location of a span.
pub fn location(sources: &SourceMap, span: &Span) -> Option<lsp::Location> {
    let file = sources.get(span.file);
    Some(lsp::Location {
        uri: uri(&file.path)?,
        range: range(&file.text, span.loc.offset, span.loc.len),
    })
}

/// A steg diagnostic as an LSP diagnostic: message with its help and notes, related places and
/// the diagnostics that follow from it as related information.
pub fn diagnostic(sources: &SourceMap, d: &Diagnostic) -> Option<(lsp::Uri, lsp::Diagnostic)> {
    let span = d.span.as_ref()?;
    let file = sources.get(span.file);
    let mut message = d.message.clone();
    if let Some(h) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(h);
    }
    for n in &d.notes {
        message.push_str("\nnote: ");
        message.push_str(n);
    }
    let related: Vec<lsp::DiagnosticRelatedInformation> = d
        .related
        .iter()
        .filter_map(|r| {
            Some(lsp::DiagnosticRelatedInformation {
                location: location(sources, &r.span)?,
                message: r.message.clone(),
            })
        })
        .chain(d.follow_on.iter().filter_map(|f| {
            Some(lsp::DiagnosticRelatedInformation {
                location: location(sources, f.span.as_ref()?)?,
                message: format!("because of this: {} {}", f.check.code, f.message),
            })
        }))
        .collect();
    Some((
        uri(&file.path)?,
        lsp::Diagnostic {
            range: range(&file.text, span.loc.offset, span.loc.len.max(1)),
            severity: Some(match d.severity {
                Severity::Error => lsp::DiagnosticSeverity::ERROR,
                Severity::Warning => lsp::DiagnosticSeverity::WARNING,
            }),
            code: Some(lsp::NumberOrString::String(d.check.code.to_string())),
            source: Some("steg".to_string()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            ..Default::default()
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units_and_round_trip() {
        let text = "a: b\ntitle: Ärende för 𝄞 x\n";
        let x = text.find(" x").expect("x") + 1;
        let p = position(text, x);
        // `𝄞` is two UTF-16 units, `Ä` and `ö` one each.
        assert_eq!((p.line, p.character), (1, 21));
        assert_eq!(offset(text, p), x);
        assert_eq!(
            offset(
                text,
                lsp::Position {
                    line: 1,
                    character: 999
                }
            ),
            text.len() - 1
        );
        assert_eq!(
            offset(
                text,
                lsp::Position {
                    line: 9,
                    character: 0
                }
            ),
            text.len()
        );
    }
}
