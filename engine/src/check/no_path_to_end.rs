//! G006: a reachable step from which no end of its workflow can be reached.

use super::Cx;
use crate::diagnostic::Diagnostic;
use crate::graph::Graph;
use crate::load::Municipality;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use petgraph::Direction;

declare_check! {
    /// ## What it does
    /// Finds steps that a case can reach but from which no `end` step of the same workflow can
    /// be reached, whatever happens: loops with no exit, branches that only lead into dead ends,
    /// referrals whose answers never come. It reports the step where the case enters such a
    /// trap (the first step from which there is no way to finish), and lists the steps of the
    /// trap.
    ///
    /// ## Why is this bad?
    /// A case that enters the trap can never be closed: the person stays "in process" for ever,
    /// and every KPI built on finished cases silently leaves them out.
    ///
    /// ## Example
    /// ```yaml
    /// insats:       { kind: wait, on: [ { every: 1mo, to: uppfoljning } ] }
    /// uppfoljning:  { next: insats }   # no way out of the loop
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// uppfoljning:
    ///   next:
    ///     - { when: rule.egen_forsorjning, to: avslut }
    ///     - { else: insats }
    /// ```
    pub static NO_PATH_TO_END = ("G006", NoPathToEnd, Error);
}

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
