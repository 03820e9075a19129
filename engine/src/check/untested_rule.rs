//! R006: a rule that a workflow uses but no rule test exercises.

use super::Cx;
use crate::diagnostic::Diagnostic;
use crate::load::rule_name;
use crate::model::Guard;
use std::collections::HashSet;

declare_check! {
    /// ## What it does
    /// Warns about a rule named in a workflow condition (`when: rule.NAME`) for which no
    /// `*.test.yaml` in the municipality's rule folders has a test.
    ///
    /// ## Why is this bad?
    /// `steg check` can only evaluate a rule through its tests. An untested rule may loop, fail
    /// on a field the case does not have, or decide the threshold's boundary the wrong way, and
    /// nobody finds out until a case reaches it.
    ///
    /// ## Example
    /// ```yaml
    /// next:
    ///   - { when: rule.arbetsformaga_minst_25, to: anvisning_ame }   # no test names it
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// # rules/<municipality>/arbetsmarknad.test.yaml
    /// tests:
    ///   - { rule: arbetsformaga_minst_25, arende: { arbetsformaga: 0.24 }, expect: false }
    ///   - { rule: arbetsformaga_minst_25, arende: { arbetsformaga: 0.25 }, expect: true }
    /// ```
    pub static UNTESTED_RULE = ("R006", UntestedRule, Warning);
}

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
