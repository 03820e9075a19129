//! SARIF 2.1.0 output of `steg check --format sarif`, for code review: GitHub code scanning,
//! GitLab, the VS Code SARIF viewer.
//!
//! One run; the tool's rules are every check of `steg explain` (id = code, name, what it does
//! in a sentence and a paragraph, its documentation as help, default level); one result per diagnostic with its file, line and
//! column (columns count characters: `columnKind` is `unicodeCodePoints`), the step it concerns
//! as a logical location, and its related spans (then the places of the diagnostics that only
//! follow from it) as related locations. File paths stay relative
//! as steg printed them (relative to where it ran); absolute paths become `file://` URIs.

use serde::Serialize;
use std::io::{self, Write};
use std::path::{Component, Path};
use steg_engine::{CheckInfo, Diagnostic, Report, Severity, SourceMap, Span};

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    rules: Vec<Rule<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Text,
    full_description: Text,
    help: Help,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<Physical>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<Logical>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Physical {
    artifact_location: Artifact,
    region: Region,
}

#[derive(Serialize)]
struct Artifact {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<u32>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Logical {
    fully_qualified_name: String,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// A check's documentation without the one-space indent of its doc comment.
fn doc_text(doc: &str) -> String {
    doc.lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

/// The paragraph under "## What it does", on one line.
fn what_it_does(doc: &str) -> String {
    let text = doc_text(doc);
    let body = text
        .split_once("## What it does")
        .map_or(text.as_str(), |(_, b)| b);
    let paragraph = body.trim_start().split("\n\n").next().unwrap_or_default();
    paragraph.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Its first sentence.
fn first_sentence(doc: &str) -> String {
    let words = what_it_does(doc);
    match words.find(". ") {
        Some(i) => words[..=i].to_string(),
        None => words,
    }
}

fn rule(c: &CheckInfo) -> Rule<'_> {
    let doc = doc_text(c.doc);
    Rule {
        id: c.code,
        name: c.name,
        short_description: Text {
            text: first_sentence(c.doc),
        },
        full_description: Text {
            text: what_it_does(c.doc),
        },
        help: Help {
            text: doc.clone(),
            markdown: doc,
        },
        default_configuration: Configuration {
            level: level(c.severity),
        },
    }
}

/// A path as a URI reference: relative paths stay relative (`/`-separated, percent-encoded),
/// absolute ones become `file://` URIs.
fn uri(path: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut absolute = false;
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::RootDir => absolute = true,
            Component::Prefix(p) => {
                absolute = true;
                parts.push(p.as_os_str().to_string_lossy().replace('\\', "/"));
            }
            Component::ParentDir => parts.push("..".to_string()),
            Component::Normal(s) => parts.push(encode(&s.to_string_lossy())),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("file:///{joined}")
    } else {
        joined
    }
}

/// Percent-encode everything but RFC 3986's unreserved characters.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn physical(sources: &SourceMap, span: &Span) -> Physical {
    let file = sources.get(span.file);
    let (mut end_line, mut end_column) = (None, None);
    let end = span.loc.offset + span.loc.len;
    if span.loc.len > 0 && end <= file.text.len() && file.text.is_char_boundary(end) {
        let e = steg_engine::loc_at(&file.text, end, 0);
        end_line = Some(e.line);
        end_column = Some(e.column);
    }
    Physical {
        artifact_location: Artifact {
            uri: uri(&file.path),
        },
        region: Region {
            start_line: span.loc.line.max(1),
            start_column: span.loc.column.max(1),
            end_line,
            end_column,
        },
    }
}

fn result<'a>(d: &'a Diagnostic, rule_index: usize, sources: &SourceMap) -> SarifResult<'a> {
    let mut message = d.message.clone();
    if let Some(h) = &d.help {
        message.push_str("\n\nhelp: ");
        message.push_str(h);
    }
    for n in &d.notes {
        message.push_str("\nnote: ");
        message.push_str(n);
    }
    let logical: Vec<Logical> = d
        .step
        .iter()
        .map(|s| Logical {
            fully_qualified_name: s.clone(),
        })
        .collect();
    let locations = match &d.span {
        Some(span) => vec![Location {
            id: None,
            physical_location: Some(physical(sources, span)),
            logical_locations: logical,
            message: None,
        }],
        None if !logical.is_empty() => vec![Location {
            id: None,
            physical_location: None,
            logical_locations: logical,
            message: None,
        }],
        None => Vec::new(),
    };
    SarifResult {
        rule_id: d.check.code,
        rule_index,
        level: level(d.severity),
        message: Text { text: message },
        locations,
        // Related places, then the diagnostics that follow from this one, each where it is.
        related_locations: d
            .related
            .iter()
            .map(|r| (&r.span, r.message.clone()))
            .chain(d.follow_on.iter().filter_map(|f| {
                let text = format!("because of this: {} {}", f.check.code, f.message);
                f.span.as_ref().map(|s| (s, text))
            }))
            .enumerate()
            .map(|(i, (span, text))| Location {
                id: Some(i),
                physical_location: Some(physical(sources, span)),
                logical_locations: Vec::new(),
                message: Some(Text { text }),
            })
            .collect(),
    }
}

/// Write every diagnostic of `report` as one SARIF 2.1.0 log.
pub fn write(out: &mut impl Write, report: &Report) -> io::Result<()> {
    let mut checks: Vec<&CheckInfo> = steg_engine::codes::ALL.to_vec();
    for d in &report.diagnostics {
        if !checks.iter().any(|c| c.code == d.check.code) {
            checks.push(d.check);
        }
    }
    let results = report
        .diagnostics
        .iter()
        .map(|d| {
            let index = checks
                .iter()
                .position(|c| c.code == d.check.code)
                .unwrap_or_default();
            result(d, index, &report.sources)
        })
        .collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "steg",
                    version: env!("CARGO_PKG_VERSION"),
                    rules: checks.iter().map(|c| rule(c)).collect(),
                },
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_encoded() {
        assert_eq!(
            uri(Path::new("./workflows/lindesberg/ame.yaml")),
            "workflows/lindesberg/ame.yaml"
        );
        assert_eq!(
            uri(Path::new("workflows/hällefors/a b.yaml")),
            "workflows/h%C3%A4llefors/a%20b.yaml"
        );
        assert_eq!(uri(Path::new("/tmp/x.yaml")), "file:///tmp/x.yaml");
    }

    #[test]
    fn short_description_is_the_first_sentence_of_what_it_does() {
        let doc =
            " ## What it does\n Reports a step. More text\n here.\n\n ## Why is this bad?\n x";
        assert_eq!(first_sentence(doc), "Reports a step.");
    }
}
