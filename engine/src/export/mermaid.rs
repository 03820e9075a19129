//! A Mermaid flowchart (`flowchart LR`): a subgraph per workflow, a subgraph per lane inside it,
//! a node per step. Paste it into a ```` ```mermaid ```` block of a Markdown page.
//!
//! Shapes: tasks rounded, decisions rhombi, forks and joins hexagons marked `+`, waits dashed
//! flags, referrals subroutines, ends thick stadiums with their outcome. Dotted arrows are
//! referrals and raised events.

use super::{Ids, View};
use crate::model::StepKind;
use std::fmt::Write as _;

/// A Mermaid id: letters, digits and `_` only (`-` and `.` confuse the edge syntax).
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Quote `s` as a Mermaid string: characters that would end the string or be read as markup
/// become entity codes; line breaks become spaces (Mermaid wraps long labels itself).
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() || c.is_control() {
            space = true;
            continue;
        }
        if space && out.len() > 1 {
            out.push(' ');
        }
        space = false;
        match c {
            '#' => out.push_str("#35;"),
            '"' => out.push_str("#quot;"),
            '&' => out.push_str("#amp;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '|' => out.push_str("#124;"),
            '`' => out.push_str("#96;"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Render `view` as a Mermaid flowchart.
pub(crate) fn render(view: &View) -> String {
    let mut o = String::new();
    // Writing to a String cannot fail.
    let _ = write_mermaid(&mut o, view);
    o
}

fn write_mermaid(o: &mut String, view: &View) -> std::fmt::Result {
    // Ids: subgraphs and start nodes first, then steps, so a step can never take theirs.
    let mut ids = Ids::default();
    let mut wf_ids = Vec::new();
    let mut lane_ids = Vec::new();
    let mut start_ids = Vec::new();
    for w in &view.workflows {
        wf_ids.push(ids.take(format!("{}__workflow", clean(w.id))));
        start_ids.push(ids.take(format!("{}__start", clean(w.id))));
        lane_ids.push(
            (0..w.lanes.len())
                .map(|li| ids.take(format!("{}__lane{li}", clean(w.id))))
                .collect::<Vec<_>>(),
        );
    }
    let unit_ids: Vec<String> = view
        .units
        .iter()
        .map(|u| ids.take(format!("unit__{}", clean(&u.id))))
        .collect();
    let step_ids: Vec<Vec<String>> = view
        .workflows
        .iter()
        .map(|w| {
            w.steps
                .iter()
                .map(|s| ids.take(format!("{}__{}", clean(w.id), clean(&s.id))))
                .collect()
        })
        .collect();

    writeln!(o, "flowchart LR")?;
    writeln!(
        o,
        "  %% {}: steg graph {} --format mermaid",
        one_line(&view.name),
        one_line(view.folder)
    )?;
    let mut classes: [(&str, Vec<&str>); 4] = [
        ("gateway", Vec::new()),
        ("wait", Vec::new()),
        ("endstep", Vec::new()),
        ("unit", Vec::new()),
    ];
    for (wi, w) in view.workflows.iter().enumerate() {
        writeln!(o, "  subgraph {}[{}]", wf_ids[wi], quote(&w.name))?;
        writeln!(o, "    direction LR")?;
        if w.start.is_some() {
            writeln!(o, "    {}((\" \"))", start_ids[wi])?;
        }
        for (li, lane) in w.lanes.iter().enumerate() {
            writeln!(
                o,
                "    subgraph {}[{}]",
                lane_ids[wi][li],
                quote(&lane.name)
            )?;
            for (si, s) in w.steps.iter().enumerate().filter(|(_, s)| s.lane == li) {
                let id = &step_ids[wi][si];
                let shape = match s.kind {
                    StepKind::Task => format!("({})", quote(&s.name)),
                    StepKind::Decision => format!("{{{}}}", quote(&s.name)),
                    StepKind::Fork | StepKind::Join => {
                        classes[0].1.push(id);
                        format!("{{{{{}}}}}", quote(&format!("+ {}", s.name)))
                    }
                    StepKind::Wait => {
                        classes[1].1.push(id);
                        format!(">{}]", quote(&s.name))
                    }
                    StepKind::Referral => format!("[[{}]]", quote(&s.name)),
                    StepKind::End => {
                        classes[2].1.push(id);
                        let text = match (&s.step.title, &s.step.outcome) {
                            (Some(t), Some(out)) => format!("{t} [{}]", out.value),
                            (None, Some(out)) => format!("[{}]", out.value),
                            _ => s.name.clone(),
                        };
                        format!("([{}])", quote(&text))
                    }
                };
                writeln!(o, "      {id}{shape}")?;
            }
            writeln!(o, "    end")?;
        }
        writeln!(o, "  end")?;
    }
    for (ui, u) in view.units.iter().enumerate() {
        classes[3].1.push(&unit_ids[ui]);
        writeln!(o, "  {}[{}]", unit_ids[ui], quote(&u.name))?;
    }
    for (wi, w) in view.workflows.iter().enumerate() {
        if let Some(start) = w.start {
            writeln!(o, "  {} --> {}", start_ids[wi], step_ids[wi][start])?;
        }
        for (si, s) in w.steps.iter().enumerate() {
            let from = &step_ids[wi][si];
            for n in &s.next {
                match n.label() {
                    Some(l) => writeln!(o, "  {from} -->|{}| {}", quote(&l), step_ids[wi][n.to])?,
                    None => writeln!(o, "  {from} --> {}", step_ids[wi][n.to])?,
                }
            }
            for t in &s.on {
                writeln!(
                    o,
                    "  {from} -->|{}| {}",
                    quote(&t.trigger.label()),
                    step_ids[wi][t.to]
                )?;
            }
            if let Some(c) = s.call {
                if let Some(start) = view.workflows[c].start {
                    writeln!(o, "  {from} -.->|\"refers\"| {}", step_ids[c][start])?;
                }
            }
            if let Some(u) = s.unit {
                writeln!(o, "  {from} -.->|\"refers\"| {}", unit_ids[u])?;
            }
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
                    "  {from} -->|{}| {}",
                    quote(&outcomes.join(", ")),
                    step_ids[wi][to]
                )?;
            }
            if let Some(event) = &s.step.emits {
                for (lw, ls) in view.listeners(&event.value) {
                    writeln!(
                        o,
                        "  {from} -.->|{}| {}",
                        quote(&format!("raises {}", event.value)),
                        step_ids[lw][ls]
                    )?;
                }
            }
        }
    }
    writeln!(o, "  classDef gateway fill:#eeeeee")?;
    writeln!(o, "  classDef wait stroke-dasharray:5 5")?;
    writeln!(o, "  classDef endstep stroke-width:3px")?;
    writeln!(o, "  classDef unit fill:#eeeeee,stroke-dasharray:2 2")?;
    for (class, members) in &classes {
        if !members.is_empty() {
            writeln!(o, "  class {} {class}", members.join(","))?;
        }
    }
    Ok(())
}

/// Text for a `%%` comment line.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_turns_markup_into_entity_codes() {
        assert_eq!(
            quote(r#"a "b" <c> #1 | `d`"#),
            "\"a #quot;b#quot; #lt;c#gt; #35;1 #124; #96;d#96;\""
        );
        assert_eq!(quote("två\n  rader "), "\"två rader\"");
    }

    #[test]
    fn clean_keeps_ids_plain() {
        assert_eq!(clean("beslut_4.4-x"), "beslut_4_4_x");
    }
}
