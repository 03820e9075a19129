//! R002: a municipality's own rule that no workflow uses.

use crate::codes::UNUSED_RULE;

use super::Cx;
use crate::diagnostic::Diagnostic;
use crate::model::rule_name;
use crate::model::Guard;
use std::collections::HashSet;

pub(crate) fn check(cx: &Cx, out: &mut Vec<Diagnostic>) {
    let mut used: HashSet<&str> = HashSet::new();
    let mut inline: Vec<&str> = Vec::new();
    for (_, _, _, step) in cx.steps() {
        for t in step.transitions() {
            if let Guard::When(c) = &t.guard {
                match rule_name(&c.value) {
                    Some(n) => {
                        used.insert(n);
                    }
                    None => inline.push(&c.value),
                }
            }
        }
    }
    for r in cx.m.rules.rules.iter().filter(|r| r.local) {
        if used.contains(r.name.as_str()) || inline.iter().any(|t| count_calls(t, &r.name) > 0) {
            continue;
        }
        // Called by another rule? The definition `fn NAME(` itself counts once in its own file.
        let calls: usize =
            cx.m.rules
                .files
                .iter()
                .map(|(f, _)| count_calls(&cx.sources.get(*f).text, &r.name))
                .sum();
        if calls > 1 {
            continue;
        }
        out.push(
            Diagnostic::new(
                &UNUSED_RULE,
                Some(r.span.clone()),
                format!("rule `{}` is not used by any workflow", r.name),
            )
            .label("defined here, never named in a condition")
            .help(format!(
                "name it in a transition as `when: rule.{}`, remove it, or make it `private fn` if it is a helper",
                r.name
            )),
        );
    }
}

/// How often `name(` occurs in `text` as a whole identifier, outside `//` comments.
fn count_calls(text: &str, name: &str) -> usize {
    text.lines()
        .map(|line| count_in_code(line.split("//").next().unwrap_or(""), name))
        .sum()
}

fn count_in_code(text: &str, name: &str) -> usize {
    text.match_indices(name)
        .filter(|(i, _)| {
            text[i + name.len()..].trim_start().starts_with('(')
                && text[..*i]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
        })
        .count()
}
