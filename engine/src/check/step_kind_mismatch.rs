//! G010: fields that do not fit the step's kind, and transition lists that cannot work.

use crate::codes::STEP_KIND_MISMATCH;

use super::Cx;
use crate::diagnostic::{Diagnostic, Span};
use crate::model::{Guard, StepKind};

pub(crate) fn check(cx: &Cx, out: &mut Vec<Diagnostic>) {
    for (_, w, name, step) in cx.steps() {
        let kind = step.kind();
        let at = |loc| Some(Span { file: w.file, loc });
        let mut found = Vec::new();
        let mut bad = |loc, msg: String, help: &str| {
            let label = label_for(&msg, kind);
            found.push(
                Diagnostic::new(&STEP_KIND_MISMATCH, at(loc), msg)
                    .label(label)
                    .help(help.to_string()),
            );
        };
        let k = kind.as_str();
        if kind != StepKind::Wait {
            if let Some(t) = step.on.first() {
                bad(
                    t.to.loc,
                    format!("`on` is only for wait steps, and `{}` is a {k}", name.value),
                    "make it `kind: wait`, or use `next`",
                );
            }
        } else if let Some(t) = step.transitions().first() {
            bad(
                t.to.loc,
                format!(
                    "wait step `{}` has `next`; a wait moves on only through `on`",
                    name.value
                ),
                "move the target under `on:` with the event or timer that leads there",
            );
        }
        if kind != StepKind::Referral {
            if let Some(r) = step
                .refer_to
                .as_ref()
                .and_then(|r| r.workflow.as_ref().or(r.unit.as_ref()))
            {
                if kind != StepKind::End {
                    bad(
                        r.loc,
                        format!(
                            "`refer_to` is only for referral steps, and `{}` is a {k}",
                            name.value
                        ),
                        "make it `kind: referral`",
                    );
                }
            }
            if let Some((o, _)) = step.returns.iter().next() {
                if kind != StepKind::End {
                    bad(
                        o.loc,
                        format!(
                            "`returns` is only for referral steps, and `{}` is a {k}",
                            name.value
                        ),
                        "make it `kind: referral` with `refer_to`",
                    );
                }
            }
        } else {
            match &step.refer_to {
                None => bad(
                    name.loc,
                    format!("referral `{}` has no `refer_to`", name.value),
                    "add `refer_to: { workflow: ID }` or `refer_to: { unit: ID }`",
                ),
                Some(r) => match (&r.workflow, &r.unit) {
                    (None, None) => bad(
                        name.loc,
                        format!("referral `{}` refers to nothing", name.value),
                        "write `refer_to: { workflow: ID }` or `refer_to: { unit: ID }`",
                    ),
                    (Some(_), Some(u)) => bad(
                        u.loc,
                        format!("referral `{}` names both a workflow and a unit", name.value),
                        "refer to one: the workflow, whose unit is known",
                    ),
                    (Some(_), None) => {
                        if let Some(t) = step.transitions().first() {
                            bad(t.to.loc, format!("referral `{}` to a workflow has `next`; the case goes on when the workflow answers", name.value), "map the workflow's outcomes under `returns:` instead");
                        }
                    }
                    (None, Some(_)) => {}
                },
            }
        }
        if kind == StepKind::End {
            if step.outcome.is_none() {
                bad(
                    name.loc,
                    format!("end step `{}` has no `outcome`", name.value),
                    "add `outcome:`, e.g. `egen_forsorjning`, `studier`, `avslag`",
                );
            }
        } else if let Some(o) = &step.outcome {
            bad(
                o.loc,
                format!(
                    "`outcome` is only for end steps, and `{}` is a {k}",
                    name.value
                ),
                "make it `kind: end`, or remove `outcome`",
            );
        }
        let ts = step.transitions();
        if kind == StepKind::Fork {
            for t in ts {
                if !matches!(t.guard, Guard::Always) {
                    bad(
                        t.loc,
                        format!(
                            "fork `{}` has a conditional branch; every branch of a fork starts",
                            name.value
                        ),
                        "remove the condition, or put a decision after the fork",
                    );
                }
            }
            if ts.len() < 2 {
                bad(
                    name.loc,
                    format!(
                        "fork `{}` has {} branch(es); a fork needs at least two",
                        name.value,
                        ts.len()
                    ),
                    "list the parallel branches under `next:`, or make it a task",
                );
            }
        } else {
            let last = ts.len().saturating_sub(1);
            for (i, t) in ts.iter().enumerate() {
                match t.guard {
                    Guard::Else if i != last => bad(t.loc, format!("`else` of step `{}` is not the last transition; the ones after it are never taken", name.value), "move `else` last"),
                    Guard::Always if i != last => bad(t.loc, format!("transition of step `{}` has no condition but is not the last; the ones after it are never taken", name.value), "add `when:` to it, or make it the `else` at the end"),
                    _ => {}
                }
            }
        }
        if let Some(d) = &step.within {
            if let Err(msg) = cx.m.period(&d.duration.value) {
                found.push(
                    Diagnostic::new(&crate::codes::INVALID_VALUE, at(d.duration.loc), msg)
                        .label("not a duration")
                        .help("write a duration (`3mo`), or name a parameter whose `value` is one (`params.plan_revidering`)"),
                );
            }
        }
        for trig in &step.on {
            let n = usize::from(trig.event.is_some())
                + usize::from(trig.after.is_some())
                + usize::from(trig.every.is_some());
            if n != 1 {
                found.push(
                    Diagnostic::new(&crate::codes::INVALID_VALUE, at(trig.to.loc), format!("a trigger of `{}` must have exactly one of `event`, `after`, `every` (it has {n})", name.value))
                        .label("ambiguous trigger")
                        .help("split it into one trigger per event or timer"),
                );
            }
            // A period that names a parameter must name one that holds a duration.
            for period in [trig.after.as_ref(), trig.every.as_ref()]
                .into_iter()
                .flatten()
            {
                if let Err(msg) = cx.m.period(&period.value) {
                    found.push(
                        Diagnostic::new(&crate::codes::INVALID_VALUE, at(period.loc), msg)
                            .label("not a duration")
                            .help("write a duration (`3mo`), or name a parameter whose `value` is one (`params.plan_revidering`)"),
                    );
                }
            }
            // A timer's anchor: a keyword, or a step that exists.
            if let Some(from) = &trig.from {
                let keyword = ["entry", "first_entry", "case_start"].contains(&from.value.as_str());
                let (wn, sn) = from
                    .value
                    .split_once('.')
                    .unwrap_or((w.name(), &from.value));
                let step_exists =
                    cx.m.workflows
                        .iter()
                        .any(|x| x.name() == wn && x.def.steps.contains(sn));
                if trig.event.is_some() {
                    found.push(
                        Diagnostic::new(&crate::codes::INVALID_VALUE, at(from.loc), format!("`from:` of a trigger of `{}` counts a timer's time; an event has none", name.value))
                            .label("only for `after` and `every`")
                            .help("remove `from:` from the event trigger"),
                    );
                } else if !keyword && !step_exists {
                    found.push(
                        Diagnostic::new(&crate::codes::UNKNOWN_REFERENCE, at(from.loc), format!("unknown anchor `{}` of a timer of `{}`", from.value, name.value))
                            .label("not an anchor")
                            .help("write `entry`, `first_entry`, `case_start`, or a step id (`workflow.step` for another workflow's)"),
                    );
                }
            }
            // `every: 0d` would fire for ever on one day.
            if let Some(every) = trig
                .every
                .as_ref()
                .filter(|e| cx.m.period(&e.value).is_ok_and(|d| d.is_zero()))
            {
                found.push(
                    Diagnostic::new(&crate::codes::INVALID_VALUE, at(every.loc), format!("the recurring timer of `{}` has a period of zero: it would fire again and again on the same day", name.value))
                        .label("a period must be longer than zero")
                        .help("write how often it recurs (`every: 3mo`), or `after: 0d` for once, at once"),
                );
            }
        }
        out.extend(found.into_iter().map(|d| d.step(w.name(), &name.value)));
    }
}

/// A short label for the snippet, from what the message says.
fn label_for(msg: &str, kind: StepKind) -> String {
    if msg.contains("is only for") {
        format!("not for a {} step", kind.as_str())
    } else if msg.contains("never taken") {
        "the transitions after this one are never taken".to_string()
    } else if msg.contains("has no `outcome`") {
        "end without an outcome".to_string()
    } else if msg.contains("conditional branch") {
        "a fork starts every branch".to_string()
    } else if msg.contains("branch(es)") {
        "too few branches".to_string()
    } else if msg.contains("refer") {
        "unclear referral".to_string()
    } else if msg.contains("`next`") {
        "not how this kind moves on".to_string()
    } else {
        "does not fit the step's kind".to_string()
    }
}
