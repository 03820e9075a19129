//! G002: two definitions with the same id.

use crate::codes::DUPLICATE_ID;

use super::Cx;
use crate::diagnostic::{Diagnostic, FileId, Span};
use crate::model::{Map, Node};
use std::collections::HashMap;

fn map_dups<V>(file: FileId, what: &str, map: &Map<V>, out: &mut Vec<Diagnostic>) -> Vec<usize> {
    let mut first: HashMap<&str, &Node<String>> = HashMap::new();
    let mut dup_idx = Vec::new();
    for (i, (k, _)) in map.iter().enumerate() {
        match first.get(k.value.as_str()) {
            Some(prev) => {
                dup_idx.push(i);
                out.push(
                    Diagnostic::new(
                        &DUPLICATE_ID,
                        Some(Span { file, loc: k.loc }),
                        format!("{what} `{}` is defined twice", k.value),
                    )
                    .label("second definition")
                    .related(
                        Span {
                            file,
                            loc: prev.loc,
                        },
                        "first definition",
                    )
                    .help("give one of them another id, or merge them; only the first is used"),
                );
            }
            None => {
                first.insert(&k.value, k);
            }
        }
    }
    dup_idx
}

pub(crate) fn check(cx: &Cx, out: &mut Vec<Diagnostic>) {
    if let Some((file, d)) = &cx.m.def {
        map_dups(*file, "source", &d.sources, out);
        map_dups(*file, "unit", &d.units, out);
        map_dups(*file, "role", &d.roles, out);
        map_dups(*file, "parameter", &d.parameters, out);
        map_dups(*file, "event", &d.events, out);
        map_dups(*file, "population entry", &d.population, out);
    }
    let mut workflows: HashMap<&str, Span> = HashMap::new();
    for w in &cx.m.workflows {
        let span = cx.span(w, &w.def.workflow);
        if let Some(prev) = workflows.get(w.name()) {
            out.push(
                Diagnostic::new(
                    &DUPLICATE_ID,
                    Some(span),
                    format!("workflow `{}` is defined twice", w.name()),
                )
                .label("second definition")
                .related(prev.clone(), "first definition")
                .help("each workflow file needs its own `workflow:` id"),
            );
        } else {
            workflows.insert(w.name(), span);
        }
        let before = out.len();
        map_dups(w.file, "step", &w.def.steps, out);
        for d in &mut out[before..] {
            d.message = format!("{} in workflow `{}`", d.message, w.name());
        }
        for (name, step) in w.def.steps.iter() {
            let b = out.len();
            map_dups(w.file, "answer", &step.returns, out);
            for d in &mut out[b..] {
                d.step = Some(format!("{}.{}", w.name(), name.value));
            }
        }
    }
    // Versions of one rule are separate functions of one name; only undated ones clash.
    let mut rules: HashMap<&str, &Span> = HashMap::new();
    for r in &cx.m.rules.rules {
        if cx
            .m
            .rules
            .versions(&r.name)
            .all(|v| v.validity != crate::validity::Validity::ALWAYS)
        {
            continue; // dated versions: VersionConflict checks them
        }
        match rules.get(r.name.as_str()) {
            Some(prev) => out.push(
                Diagnostic::new(
                    &DUPLICATE_ID,
                    Some(r.span.clone()),
                    format!("rule `{}` is defined twice", r.name),
                )
                .label("second definition")
                .related((*prev).clone(), "first definition")
                .help("rule names are shared by every rule file of the municipality; rename one"),
            ),
            None => {
                rules.insert(&r.name, &r.span);
            }
        }
    }
}
