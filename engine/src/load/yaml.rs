//! The one place that knows the YAML library: parse options, limits, source locations, and how
//! its errors become diagnostics. Everything else sees [`Node`], [`Map`] and the model types.

use crate::codes;
use crate::diagnostic::{did_you_mean, loc_at, offset_of, Diagnostic, FileId, Loc, Span};

use crate::model::{BasisVersion, Deadline, Guard, LegalBasis, Map, Next, Node, Transition};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// Largest YAML file accepted, in bytes. A municipality's files are a few kilobytes; a generated
/// 100 000-step workflow is about 6 MB.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

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

thread_local! {
    /// The file being parsed on this thread, recorded in every [`Node`]'s location so that a
    /// node merged into another file's model (`extends`) still points into its own file.
    static PARSING: std::cell::Cell<Option<FileId>> = const { std::cell::Cell::new(None) };
}

/// Sets [`PARSING`] for the lifetime of the guard and restores the previous value after.
struct Parsing(Option<FileId>);

impl Parsing {
    fn start(file: FileId) -> Parsing {
        Parsing(PARSING.with(|p| p.replace(Some(file))))
    }
}

impl Drop for Parsing {
    fn drop(&mut self) {
        PARSING.with(|p| p.set(self.0));
    }
}

/// Parse `text` (the content of `file`) as a `T`, or return the located diagnostic.
pub fn parse<T: for<'de> Deserialize<'de>>(file: FileId, text: &str) -> Result<T, Box<Diagnostic>> {
    let _parsing = Parsing::start(file);
    if text.trim().is_empty() {
        return Err(Box::new(
            Diagnostic::new(&codes::INVALID_VALUE, Some(Span { file, loc: loc_at(text, 0, 0) }), "the file is empty")
                .label("nothing here")
                .help("a workflow file starts with `workflow: ID`, `start: STEP` and `steps:`; municipality.yaml with `municipality: NAME`"),
        ));
    }
    serde_saphyr::from_str_with_options(text, options()).map_err(|e| {
        // Tell a file that is not YAML at all from YAML of the wrong shape: parse it again
        // without a target type.
        let d = match serde_saphyr::from_str_with_options::<de::IgnoredAny>(text, options()) {
            Err(raw) => not_yaml(file, text, &raw),
            Ok(_) => error_to_diagnostic(file, text, &e),
        };
        Box::new(d)
    })
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

fn error_to_diagnostic(file: FileId, text: &str, e: &serde_saphyr::Error) -> Diagnostic {
    let inner = e.without_snippet();
    let raw = inner.to_string();
    let message = strip_location_suffix(strip_location_prefix(&raw)).to_string();
    let loc = e.location().map(|l| to_loc(text, l));
    let span = loc.map(|loc| Span { file, loc });

    if let Some((field, expected)) = parse_unknown(&message, "unknown field `") {
        let suggestion = did_you_mean(&field, expected.iter().map(String::as_str));
        let help = match suggestion {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("the fields allowed here are: {}", expected.join(", ")),
        };
        return Diagnostic::new(
            &codes::UNKNOWN_FIELD,
            span,
            format!("unknown field `{field}`"),
        )
        .label("not a field here")
        .help(help);
    }
    if let Some((variant, expected)) = parse_unknown(&message, "unknown variant `") {
        let help = match did_you_mean(&variant, expected.iter().map(String::as_str)) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!("write one of: {}", expected.join(", ")),
        };
        return Diagnostic::new(
            &codes::INVALID_VALUE,
            span,
            format!("unknown value `{variant}`"),
        )
        .label("not allowed here")
        .help(help);
    }
    let lower = message.to_lowercase();
    let help = if lower.contains("expected mapping") || lower.contains("expected struct") {
        "a workflow file is a mapping (`workflow:`, `start:`, `steps:`); municipality.yaml starts with `municipality:`"
    } else if lower.contains("missing field") {
        "add the field to the mapping that ends here"
    } else if lower.contains("boolean") {
        "`y`, `n`, `yes`, `no`, `on`, `off` read as true/false in YAML; quote a name like that: `\"y\"`"
    } else {
        "see `steg schema` or docs/language.md for what this field takes"
    };
    Diagnostic::new(&codes::INVALID_VALUE, span, message)
        .label("here")
        .help(help)
}

/// Serde writes `unknown field `x`, expected one of `a`, `b``; the YAML library may drop the
/// backticks around the list. Returns the name and the allowed names.
fn parse_unknown(message: &str, prefix: &str) -> Option<(String, Vec<String>)> {
    let start = message.find(prefix)? + prefix.len();
    let rest = &message[start..];
    let end = rest.find('`')?;
    let name = rest[..end].to_string();
    let tail = &rest[end + 1..];
    let expected = tail
        .split_once("expected one of ")
        .or_else(|| tail.split_once("expected "))
        .map(|(_, list)| {
            list.split(',')
                .map(|s| s.trim().trim_matches('`').trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    Some((name, expected))
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

fn node_loc(l: serde_saphyr::Location) -> Loc {
    let span = l.span();
    Loc {
        line: l.line() as u32,
        column: l.column() as u32,
        offset: span.byte_offset().unwrap_or(span.offset()) as usize,
        len: span.byte_len().unwrap_or(span.len()).max(1) as usize,
        file: PARSING.with(|p| p.get()),
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Node<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = serde_saphyr::Spanned::<T>::deserialize(d)?;
        Ok(Node {
            value: s.value,
            loc: node_loc(s.referenced),
        })
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
                    let v = map.next_value::<V>()?;
                    out.push((k, v));
                }
                Ok(Map(out))
            }
        }
        d.deserialize_any(MapVisitor(std::marker::PhantomData))
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
                        "title" | "source" => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                        "to" | "when" | "else" => return Err(de::Error::duplicate_field("to")),
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
                    duration: Some(Node::new(v.parse().map_err(E::custom)?)),
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
                        "duration" => out.duration = Some(map.next_value()?),
                        "from" => out.from = Some(map.next_value()?),
                        "source" => out.source = Some(map.next_value()?),
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
    use crate::model::WorkflowFile;

    fn wf(text: &str) -> Result<WorkflowFile, Box<Diagnostic>> {
        parse(FileId(0), text)
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
    fn bad_duration_is_located() {
        let d = wf("workflow: w\nsteps:\n  a: { duration: 3 months }\n").unwrap_err();
        assert_eq!(d.code(), "S003");
        assert_eq!(d.span.unwrap().loc.line, 3);
        assert!(d.message.contains("3 months"), "{}", d.message);
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
