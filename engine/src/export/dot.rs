//! Graphviz DOT: a cluster per workflow, a cluster per lane inside it, a node per step.
//!
//! Shapes follow BPMN where Graphviz has one: tasks are rounded boxes, decisions diamonds, forks
//! and joins diamonds marked `+`, waits dashed ellipses, referrals double-bordered boxes, ends
//! double ellipses with their outcome. Dashed edges are referrals into another workflow or unit;
//! dotted edges are events one step raises and another waits for.

use super::{wrap, Named, View};
use crate::model::StepKind;
use std::fmt::Write as _;

/// Quote `s` as a DOT string. Newlines become `\n` (a centred line break).
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A node label: the name wrapped to about 24 characters per line.
fn label(text: &str) -> String {
    quote(&wrap(text, 24).join("\n"))
}

fn node_id(w: &str, s: &str) -> String {
    quote(&format!("{w}.{s}"))
}

/// Render `view` as a DOT digraph.
pub(crate) fn render(view: &View) -> String {
    let mut o = String::new();
    // Writing to a String cannot fail.
    let _ = write_dot(&mut o, view);
    o
}

fn write_dot(o: &mut String, view: &View) -> std::fmt::Result {
    writeln!(o, "digraph {} {{", quote(view.folder))?;
    writeln!(
        o,
        "  graph [label={}, labelloc=t, fontname=\"Helvetica\", rankdir=LR, newrank=true, nodesep=0.3, ranksep=0.4];",
        quote(&view.name)
    )?;
    writeln!(o, "  node [fontname=\"Helvetica\", fontsize=10, shape=box, style=\"rounded,filled\", fillcolor=white];")?;
    writeln!(o, "  edge [fontname=\"Helvetica\", fontsize=9];")?;
    for (wi, w) in view.workflows.iter().enumerate() {
        writeln!(o)?;
        writeln!(o, "  subgraph {} {{", quote(&format!("cluster_{wi}")))?;
        writeln!(
            o,
            "    label={}; style=\"rounded\"; color=\"#555555\";",
            quote(&w.name)
        )?;
        if w.start.is_some() {
            writeln!(
                o,
                "    {} [label=\"\", shape=circle, width=0.25, fixedsize=true];",
                quote(&format!("{}-start", w.id))
            )?;
        }
        for (li, lane) in w.lanes.iter().enumerate() {
            write_lane(o, view, wi, li, lane)?;
        }
        writeln!(o, "  }}")?;
    }
    if !view.units.is_empty() {
        writeln!(o)?;
    }
    for u in &view.units {
        writeln!(
            o,
            "  {} [label={}, shape=box3d, style=filled, fillcolor=\"#eeeeee\"];",
            quote(&format!("unit-{}", u.id)),
            label(&u.name)
        )?;
    }
    writeln!(o)?;
    for w in &view.workflows {
        if let Some(start) = w.start {
            writeln!(
                o,
                "  {} -> {};",
                quote(&format!("{}-start", w.id)),
                node_id(w.id, &w.steps[start].id)
            )?;
        }
        for s in &w.steps {
            let from = node_id(w.id, &s.id);
            for n in &s.next {
                let attrs = match n.label() {
                    Some(l) => format!(" [label={}]", quote(&l)),
                    None => String::new(),
                };
                writeln!(
                    o,
                    "  {from} -> {}{attrs};",
                    node_id(w.id, &w.steps[n.to].id)
                )?;
            }
            for t in &s.on {
                writeln!(
                    o,
                    "  {from} -> {} [label={}];",
                    node_id(w.id, &w.steps[t.to].id),
                    quote(&t.trigger.label())
                )?;
            }
            if let Some(c) = s.call {
                let target = &view.workflows[c];
                if let Some(start) = target.start {
                    writeln!(
                        o,
                        "  {from} -> {} [style=dashed, label=\"refers\"];",
                        node_id(target.id, &target.steps[start].id)
                    )?;
                }
            }
            if let Some(u) = s.unit {
                writeln!(
                    o,
                    "  {from} -> {} [style=dashed, label=\"refers\"];",
                    quote(&format!("unit-{}", view.units[u].id))
                )?;
            }
            // Answers that lead to the same step share one edge.
            let mut groups: Vec<(usize, Vec<&str>)> = Vec::new();
            for (outcome, to) in &s.returns {
                match groups.iter_mut().find(|(t, _)| t == to) {
                    Some((_, list)) => list.push(outcome),
                    None => groups.push((*to, vec![outcome])),
                }
            }
            for (to, outcomes) in groups {
                writeln!(
                    o,
                    "  {from} -> {} [label={}];",
                    node_id(w.id, &w.steps[to].id),
                    quote(&outcomes.join(", "))
                )?;
            }
            if let Some(event) = &s.step.emits {
                for (lw, ls) in view.listeners(&event.value) {
                    let target = &view.workflows[lw];
                    writeln!(
                        o,
                        "  {from} -> {} [style=dotted, constraint=false, label={}];",
                        node_id(target.id, &target.steps[ls].id),
                        quote(&format!("raises {}", event.value))
                    )?;
                }
            }
        }
    }
    writeln!(o, "}}")
}

fn write_lane(o: &mut String, view: &View, wi: usize, li: usize, lane: &Named) -> std::fmt::Result {
    let w = &view.workflows[wi];
    writeln!(
        o,
        "    subgraph {} {{",
        quote(&format!("cluster_{wi}_{li}"))
    )?;
    writeln!(
        o,
        "      label={}; style=\"filled\"; fillcolor=\"#f7f7f7\"; color=\"#cccccc\";",
        quote(&lane.name)
    )?;
    for s in w.steps.iter().filter(|s| s.lane == li) {
        let attrs = match s.kind {
            StepKind::Task => format!("label={}", label(&s.name)),
            StepKind::Decision => format!("label={}, shape=diamond, style=filled", label(&s.name)),
            StepKind::Fork | StepKind::Join => format!(
                "label={}, shape=diamond, style=filled, fillcolor=\"#eeeeee\"",
                label(&format!("+ {}", s.name))
            ),
            StepKind::Wait => format!(
                "label={}, shape=ellipse, style=\"dashed,filled\"",
                label(&s.name)
            ),
            StepKind::Referral => format!("label={}, peripheries=2", label(&s.name)),
            StepKind::End => {
                let outcome = s.step.outcome.as_ref().map(|o| o.value.as_str());
                let text = match (s.step.title.as_deref(), outcome) {
                    (Some(t), Some(o)) => format!("{}\n[{o}]", wrap(t, 24).join("\n")),
                    (None, Some(o)) => format!("[{o}]"),
                    _ => s.name.clone(),
                };
                format!("label={}, shape=ellipse, peripheries=2", quote(&text))
            }
        };
        writeln!(o, "      {} [{attrs}];", node_id(w.id, &s.id))?;
    }
    writeln!(o, "    }}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_escapes_what_dot_needs() {
        assert_eq!(quote(r#"a "b" \c"#), r#""a \"b\" \\c""#);
        assert_eq!(quote("två\nrader"), r#""två\nrader""#);
        assert_eq!(quote("x\u{1}y"), "\"x y\"");
    }
}
