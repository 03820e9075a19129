//! G006: a reachable step from which no end of its workflow can be reached.

use crate::codes::NO_PATH_TO_END;

use super::Cx;
use crate::diagnostic::Diagnostic;
use crate::graph::Graph;
use crate::municipality::Municipality;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use petgraph::Direction;

/// The steps G006 reports: reachable, with a way out written, unable to finish, and either the
/// start of their workflow or entered from a step that can still finish. A step whose every
/// exit leads straight into a dead end is left to G005.
pub(crate) fn trap_entries(m: &Municipality, g: &Graph) -> Vec<NodeIndex> {
    let reach = g.reachable();
    let finish = g.can_finish(m);
    let dead = |n: NodeIndex| !g.has_exit(n) && !is_end(m, g, n);
    let mut out = Vec::new();
    for n in g.g.node_indices() {
        if !reach[n.index()] || finish[n.index()] || dead(n) {
            continue;
        }
        let s = g.g[n];
        let is_start = g.starts[s.workflow] == Some(n);
        let entered_from_safety = g.g.edges_directed(n, Direction::Incoming).any(|e| {
            g.enabled(e.weight())
                && !matches!(e.weight(), crate::graph::Edge::Call)
                && reach[e.source().index()]
                && finish[e.source().index()]
        });
        if !(is_start || entered_from_safety) {
            continue;
        }
        // A step whose every usable exit leads straight into a dead end is explained by DeadEnd
        // there. (A step with no usable exit at all, such as a referral whose answers never
        // come, is reported here.)
        let mut usable = g
            .g
            .edges(n)
            .filter(|e| g.enabled(e.weight()) && !matches!(e.weight(), crate::graph::Edge::Call))
            .peekable();
        if usable.peek().is_some() && usable.all(|e| dead(e.target())) {
            continue;
        }
        out.push(n);
    }
    out
}

fn is_end(m: &Municipality, g: &Graph, n: NodeIndex) -> bool {
    let s = g.g[n];
    m.workflows[s.workflow].def.steps.0[s.step].1.kind() == crate::model::StepKind::End
}

pub(crate) fn check(cx: &Cx, out: &mut Vec<Diagnostic>) {
    let g = cx.graph;
    for n in trap_entries(cx.m, g) {
        let s = g.g[n];
        let w = &cx.m.workflows[s.workflow];
        let (name, _) = &w.def.steps.0[s.step];
        let trapped = g.forward(&[n], false);
        let mut names: Vec<&str> = g.nodes[s.workflow]
            .iter()
            .filter(|m| trapped[m.index()] && **m != n)
            .map(|m| w.def.steps.0[g.g[*m].step].0.value.as_str())
            .collect();
        let has_end = w
            .def
            .steps
            .iter()
            .any(|(_, st)| st.kind() == crate::model::StepKind::End);
        let help = if !has_end {
            format!(
                "workflow `{}` has no `kind: end` step; add one and a transition to it",
                w.name()
            )
        } else if names.is_empty() {
            "add a transition from here towards an end step".to_string()
        } else {
            names.truncate(8);
            format!(
                "every path from here stays among: {}; add a transition from one of them towards an end step",
                names.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")
            )
        };
        out.push(
            Diagnostic::new(
                &NO_PATH_TO_END,
                Some(cx.span(w, name)),
                format!(
                    "no end of workflow `{}` can be reached from step `{}`",
                    w.name(),
                    name.value
                ),
            )
            .label("a case that gets here can never finish")
            .help(help)
            .step(w.name(), &name.value),
        );
    }
}
