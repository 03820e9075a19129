//! R006: a rule that a workflow uses but no rule test exercises.

use crate::codes::UNTESTED_RULE;

use super::Cx;
use crate::diagnostic::Diagnostic;
use crate::model::rule_name;
use crate::model::Guard;
use std::collections::HashSet;

pub(crate) fn check(cx: &Cx, out: &mut Vec<Diagnostic>) {
    let tested: HashSet<&str> =
        cx.m.rules
            .tests
            .iter()
            .flat_map(|t| t.def.tests.iter().map(|t| t.rule.value.as_str()))
            .collect();
    let mut reported = HashSet::new();
    for (_, w, _, step) in cx.steps() {
        for t in step.transitions() {
            let Guard::When(c) = &t.guard else { continue };
            let Some(name) = rule_name(&c.value) else {
                continue;
            };
            let Some(rule) = cx.m.rules.get(name) else {
                continue;
            };
            if tested.contains(name) || !reported.insert(name) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &UNTESTED_RULE,
                    Some(rule.span.clone()),
                    format!("rule `{name}` decides transitions in workflow `{}` but has no test", w.name()),
                )
                .label("no rule test names this rule")
                .help(format!(
                    "add a `*.test.yaml` beside it with cases on both sides of its boundary: `- {{ rule: {name}, arende: {{ ... }}, expect: ... }}`"
                )),
            );
        }
    }
}
