//! Which kind of name may be written at a place of a file being edited: a step after `next:` or
//! `to:`, a role after `actor:`, a rule after `when: rule.`, ... Read from the text around the
//! place, not from a parse: the file is usually half-written while this is asked.

use super::{FileKind, NameKind};

/// What may be written at a place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// The kind of name.
    pub kind: NameKind,
    /// Byte offset where the name being written starts (after `rule.`, `params.` or
    /// `workflow.`); the text from here to the place is what has been typed of it.
    pub start: usize,
    /// For a step in `municipality.yaml` (obligations): written `workflow.step`.
    pub qualified: bool,
}

fn is_name(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

/// The kind of name that may be written at byte `offset` of `text`, a file of kind `kind`.
pub fn context(text: &str, offset: usize, kind: FileKind) -> Option<Completion> {
    let offset = (0..=offset.min(text.len()))
        .rev()
        .find(|i| text.is_char_boundary(*i))?;
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    let word_len = before
        .chars()
        .rev()
        .take_while(|c| is_name(*c))
        .map(char::len_utf8)
        .sum::<usize>();
    let word_start = offset - word_len;
    let word = &text[word_start..offset];
    if kind == FileKind::Rules {
        return word.rfind("params.").map(|i| Completion {
            kind: NameKind::Parameter,
            start: word_start + i + "params.".len(),
            qualified: false,
        });
    }
    if let Some(i) = word.rfind("params.") {
        return Some(Completion {
            kind: NameKind::Parameter,
            start: word_start + i + "params.".len(),
            qualified: false,
        });
    }
    let keys = keys_at(text, line_start, &before[..before.len() - word_len]);
    let key = keys.first()?.as_str();
    let parent = keys.get(1).map(String::as_str);
    let in_obligations = keys.iter().any(|k| k == "obligations");
    let name = |kind: NameKind| {
        Some(Completion {
            kind,
            start: word_start,
            qualified: false,
        })
    };
    if key == "when" {
        return word.strip_prefix("rule.").map(|_| Completion {
            kind: NameKind::Rule,
            start: word_start + "rule.".len(),
            qualified: false,
        });
    }
    if in_obligations {
        return match key {
            "after" | "then" | "every" | "reviewed_by" | "unless" | "reaches" => {
                let qualified = kind == FileKind::Municipality;
                // `workflow.step`: what is typed after the dot is the step.
                let start = match (qualified, word.rfind('.')) {
                    (true, Some(i)) => word_start + i + 1,
                    _ => word_start,
                };
                Some(Completion {
                    kind: if key == "reaches" && !word.contains('.') {
                        NameKind::Role
                    } else {
                        NameKind::Step
                    },
                    start,
                    qualified,
                })
            }
            "event" => name(NameKind::Event),
            _ => None,
        };
    }
    match (kind, key) {
        (FileKind::Workflow, "next" | "to" | "else" | "start" | "from" | "remove") => {
            name(NameKind::Step)
        }
        (FileKind::Workflow, _) if parent == Some("returns") => name(NameKind::Step),
        (_, "actor" | "reported_by") => name(NameKind::Role),
        (_, "unit" | "part_of") => name(NameKind::Unit),
        (_, "event" | "emits") => name(NameKind::Event),
        (FileKind::Workflow, "workflow") if parent == Some("refer_to") => name(NameKind::Workflow),
        (FileKind::Workflow, "extends") => name(NameKind::Workflow),
        (FileKind::Municipality, "entry") => name(NameKind::Workflow),
        _ => None,
    }
}

/// The keys whose value holds the place: the innermost first. `before` is the line's text
/// before the name being written.
fn keys_at(text: &str, line_start: usize, before: &str) -> Vec<String> {
    let mut keys = Vec::new();
    // On this line: the `key:`s before the place, the last first (`next: [a, `,
    // `- { when: x, to: `, `refer_to: { workflow: `).
    let mut rest = before;
    while let Some(i) = rest.rfind(':') {
        let k: String = rest[..i]
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if !k.is_empty() {
            keys.push(k);
        }
        rest = &rest[..i];
    }
    // The indentation the enclosing keys must be less indented than: a line `  - x` is inside
    // the key above it; `  key: x` is inside what is above `key`.
    let lead = before.len() - before.trim_start_matches([' ', '-']).len();
    let own = before.len() - before.trim_start().len();
    let indent = if keys.is_empty() {
        lead.max(own + 1)
    } else {
        own
    };
    let mut limit = indent;
    for line in text[..line_start].lines().rev() {
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let ind = line.len() - t.len();
        if ind < limit {
            let t = t.trim_start_matches(['-', ' ']);
            if let Some((k, _)) = t.split_once(':') {
                let k = k.trim();
                if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    keys.push(k.to_string());
                }
            }
            limit = ind;
            if ind == 0 {
                break;
            }
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, kind: FileKind) -> Option<(NameKind, String)> {
        let offset = text.find('|').expect("a | marks the place");
        let text = text.replace('|', "");
        context(&text, offset, kind).map(|c| (c.kind, text[c.start..offset].to_string()))
    }

    #[test]
    fn names_after_keys() {
        let w = FileKind::Workflow;
        assert_eq!(
            at("steps:\n  a: { next: kart| }\n", w),
            Some((NameKind::Step, "kart".into()))
        );
        assert_eq!(
            at("steps:\n  a:\n    actor: soc|\n", w),
            Some((NameKind::Role, "soc".into()))
        );
        assert_eq!(
            at("steps:\n  a:\n    next:\n      - { when: rule.ar|", w),
            Some((NameKind::Rule, "ar".into()))
        );
        assert_eq!(
            at(
                "steps:\n  a:\n    next:\n      - { when: rule.x, to: pl|",
                w
            ),
            Some((NameKind::Step, "pl".into()))
        );
        assert_eq!(
            at("steps:\n  a:\n    next:\n      - pl|\n", w),
            Some((NameKind::Step, "pl".into()))
        );
        assert_eq!(
            at(
                "steps:\n  a:\n    kind: wait\n    on:\n      - { event: fr|",
                w
            ),
            Some((NameKind::Event, "fr".into()))
        );
        assert_eq!(
            at("steps:\n  a:\n    returns:\n      aterremitterad: |\n", w),
            Some((NameKind::Step, "".into()))
        );
        assert_eq!(
            at("steps:\n  a:\n    refer_to: { workflow: a|", w),
            Some((NameKind::Workflow, "a".into()))
        );
        assert_eq!(
            at(
                "steps:\n  a:\n    next:\n      - { when: \"arende.x > params.gr|",
                w
            ),
            Some((NameKind::Parameter, "gr".into()))
        );
        assert_eq!(at("steps:\n  a:\n    title: pl|\n", w), None);
        assert_eq!(
            at("steps:\n  pl|\n", w),
            None,
            "a key is not a name to complete"
        );
    }

    #[test]
    fn obligations_in_municipality_yaml_name_steps_with_their_workflow() {
        let text = "obligations:\n  plan:\n    after: ekonomiskt_bistand.an|\n";
        assert_eq!(
            at(text, FileKind::Municipality),
            Some((NameKind::Step, "an".into()))
        );
        let text = "obligations:\n  plan:\n    reaches: soc|\n";
        assert_eq!(
            at(text, FileKind::Municipality),
            Some((NameKind::Role, "soc".into()))
        );
    }

    #[test]
    fn parameters_in_rules() {
        assert_eq!(
            at(
                "fn a(arende, params) { arende.x > params.gr| }",
                FileKind::Rules
            ),
            Some((NameKind::Parameter, "gr".into()))
        );
    }
}
