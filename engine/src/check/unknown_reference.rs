//! G001: a name that refers to nothing: a step, rule, role, unit, workflow, event or outcome.

use crate::codes::UNKNOWN_REFERENCE;

use super::Cx;
use crate::diagnostic::{did_you_mean, Diagnostic, Span};
use crate::model::rule_name;
use crate::model::{Guard, Map, Node};

fn unknown<'a>(
    what: &str,
    span: Option<Span>,
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    defined_in: &str,
) -> Diagnostic {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    let suggestion = did_you_mean(name, candidates.iter().copied());
    let help = match suggestion {
        Some(s) => format!("did you mean `{s}`?"),
        None if candidates.is_empty() => format!("no {what} is defined in {defined_in}"),
        None => format!(
            "the {what}s defined in {defined_in} are: {}",
            list(&candidates)
        ),
    };
    let d = Diagnostic::new(
        &UNKNOWN_REFERENCE,
        span.clone(),
        format!("unknown {what} `{name}`"),
    )
    .label(format!("no {what} of this name"))
    .help(help);
    match (suggestion, span) {
        (Some(s), Some(span)) => d.fix(span, s),
        _ => d,
    }
}

fn list(names: &[&str]) -> String {
    const MAX: usize = 12;
    let mut s = names
        .iter()
        .take(MAX)
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > MAX {
        s.push_str(&format!(" and {} more", names.len() - MAX));
    }
    s
}

pub(crate) fn check(cx: &Cx, out: &mut Vec<Diagnostic>) {
    let def = cx.m.def.as_ref().map(|(_, d)| d);
    let empty = Map::default();
    let units = def.map_or(&empty, |d| &d.units);
    let roles_empty = Map::default();
    let roles = def.map_or(&roles_empty, |d| &d.roles);
    let events_empty = Map::default();
    let events = def.map_or(&events_empty, |d| &d.events);
    let workflow_names: Vec<&str> = cx.m.workflows.iter().map(|w| w.name()).collect();

    let check_unit = |span: Option<Span>, n: &Node<String>, out: &mut Vec<Diagnostic>| {
        if !units.contains(&n.value) {
            out.push(unknown(
                "unit",
                span,
                &n.value,
                units.keys(),
                "municipality.yaml `units`",
            ));
        }
    };

    // municipality.yaml
    if let Some(d) = def {
        for (_, u) in units.iter() {
            if let Some(p) = &u.part_of {
                check_unit(cx.mspan(p), p, out);
            }
        }
        for (_, r) in roles.iter() {
            if let Some(u) = &r.unit {
                check_unit(cx.mspan(u), u, out);
            }
        }
        for (_, e) in events.iter() {
            if let Some(r) = &e.reported_by {
                if !roles.contains(&r.value) {
                    out.push(unknown(
                        "role",
                        cx.mspan(r),
                        &r.value,
                        roles.keys(),
                        "municipality.yaml `roles`",
                    ));
                }
            }
        }
        for e in &d.entry {
            if !cx.graph.workflow_index.contains_key(&e.value) {
                out.push(unknown(
                    "workflow",
                    cx.mspan(e),
                    &e.value,
                    workflow_names.iter().copied(),
                    "this folder",
                ));
            }
        }
    }

    // The outcomes each workflow's end steps declare, once (not per referral answer).
    let declared: Vec<Vec<&str>> =
        cx.m.workflows
            .iter()
            .map(|w| {
                w.def
                    .steps
                    .iter()
                    .filter_map(|(_, s)| s.outcome.as_ref().map(|o| o.value.as_str()))
                    .collect()
            })
            .collect();
    for (wi, w) in cx.m.workflows.iter().enumerate() {
        let steps = &w.def.steps;
        let step_ref = |n: &Node<String>| {
            (!cx.graph.step_index[wi].contains_key(&n.value)).then(|| {
                unknown(
                    "step",
                    Some(cx.span(w, n)),
                    &n.value,
                    steps.keys(),
                    &format!("workflow `{}`", w.name()),
                )
            })
        };
        let unit_ref = |n: &Node<String>| {
            (!units.contains(&n.value)).then(|| {
                unknown(
                    "unit",
                    Some(cx.span(w, n)),
                    &n.value,
                    units.keys(),
                    "municipality.yaml `units`",
                )
            })
        };
        let event_ref = |n: &Node<String>| {
            (!events.contains(&n.value)).then(|| {
                unknown(
                    "event",
                    Some(cx.span(w, n)),
                    &n.value,
                    events.keys(),
                    "municipality.yaml `events`",
                )
            })
        };
        out.extend(w.def.unit.as_ref().and_then(unit_ref));
        for (name, step) in steps.iter() {
            let mut found: Vec<Diagnostic> = Vec::new();
            if let Some(a) = &step.actor {
                if !roles.contains(&a.value) {
                    found.push(unknown(
                        "role",
                        Some(cx.span(w, a)),
                        &a.value,
                        roles.keys(),
                        "municipality.yaml `roles`",
                    ));
                }
            }
            found.extend(step.unit.as_ref().and_then(unit_ref));
            for t in step.transitions() {
                found.extend(step_ref(&t.to));
                if let Guard::When(c) = &t.guard {
                    if let Some(rule) = rule_name(&c.value) {
                        if cx.m.rules.get(rule).is_none() {
                            let names = cx.m.rules.rules.iter().map(|r| r.name.as_str());
                            let mut d = unknown(
                                "rule",
                                Some(cx.span(w, c)),
                                rule,
                                names,
                                "the rule folders",
                            );
                            // The condition is written `rule.NAME`.
                            if let Some(f) = &mut d.fix {
                                f.replacement = format!("rule.{}", f.replacement);
                            }
                            found.push(d);
                        }
                    }
                }
            }
            for trig in &step.on {
                found.extend(step_ref(&trig.to));
                found.extend(trig.event.as_ref().and_then(event_ref));
            }
            found.extend(step.emits.as_ref().and_then(event_ref));
            found.extend(
                step.within
                    .as_ref()
                    .and_then(|d| d.from.as_ref())
                    .and_then(step_ref),
            );
            let mut target = None;
            if let Some(r) = &step.refer_to {
                if let Some(wf) = &r.workflow {
                    match cx.graph.workflow_index.get(&wf.value) {
                        Some(&t) => target = Some(t),
                        None => found.push(unknown(
                            "workflow",
                            Some(cx.span(w, wf)),
                            &wf.value,
                            workflow_names.iter().copied(),
                            "this folder",
                        )),
                    }
                }
                found.extend(r.unit.as_ref().and_then(unit_ref));
            }
            for (outcome, to) in step.returns.iter() {
                found.extend(step_ref(to));
                let Some(t) = target else { continue };
                let tw = &cx.m.workflows[t];
                let outcomes = &declared[t];
                if !outcomes.contains(&outcome.value.as_str()) {
                    found.push(unknown(
                        "outcome",
                        Some(cx.span(w, outcome)),
                        &outcome.value,
                        outcomes.iter().copied(),
                        &format!("the end steps of workflow `{}`", tw.name()),
                    ));
                }
            }
            out.extend(found.into_iter().map(|d| d.step(w.name(), &name.value)));
        }
    }
}
