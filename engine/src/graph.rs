//! The petgraph view of a municipality: one node per step of every workflow, one edge per way a
//! case can move, and the reachability facts the checks share.
//!
//! Referrals are handled the way interprocedural analyses handle calls: a `Call` edge enters the
//! referred workflow at its start, and the referral's `returns` become `Return` edges inside the
//! referring workflow, enabled only for outcomes the referred workflow can actually end with.
//! That keeps "can this case finish" exact per workflow even when several workflows refer to
//! the same one.

use crate::model::StepKind;
use crate::municipality::Municipality;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use petgraph::Direction;
use std::collections::{BTreeSet, HashMap};

/// A step: indices into `Municipality::workflows` and that workflow's `steps`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StepRef {
    /// Workflow index.
    pub workflow: usize,
    /// Step index within the workflow's `steps`.
    pub step: usize,
}

/// How a case moves along an edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edge {
    /// A transition in `next` (fork branches included).
    Next,
    /// A trigger of a wait step (event or timer).
    Trigger,
    /// From a referral to the start of the referred workflow.
    Call,
    /// From a referral to where the case goes when the referred workflow (or unit) answers
    /// with this outcome. `external` when the answer comes from a unit outside the model.
    Return {
        /// The outcome.
        outcome: String,
        /// The referred workflow, or `None` for a unit.
        workflow: Option<usize>,
    },
}

/// The graph of one municipality, with names resolved.
#[derive(Debug)]
pub struct Graph {
    /// Nodes are steps; edges are moves.
    pub g: DiGraph<StepRef, Edge>,
    /// Node of each step, by workflow and step index.
    pub nodes: Vec<Vec<NodeIndex>>,
    /// Step index by name, per workflow (first definition wins).
    pub step_index: Vec<HashMap<String, usize>>,
    /// Workflow index by name (first definition wins).
    pub workflow_index: HashMap<String, usize>,
    /// Start node of each workflow, when its `start` names a step.
    pub starts: Vec<Option<NodeIndex>>,
    /// Workflows where cases enter the municipality.
    pub entries: Vec<usize>,
    /// Outcomes each workflow can end with (from its start).
    pub outcomes: Vec<BTreeSet<String>>,
}

impl Graph {
    /// Build the graph of `m`. Unknown names are left out (the reference check reports them).
    pub fn build(m: &Municipality) -> Graph {
        let mut g = DiGraph::new();
        let mut nodes = Vec::with_capacity(m.workflows.len());
        let mut step_index = Vec::with_capacity(m.workflows.len());
        let mut workflow_index = HashMap::new();
        for (wi, w) in m.workflows.iter().enumerate() {
            workflow_index.entry(w.name().to_string()).or_insert(wi);
            let mut ns = Vec::with_capacity(w.def.steps.len());
            let mut idx = HashMap::with_capacity(w.def.steps.len());
            for (si, (name, _)) in w.def.steps.iter().enumerate() {
                ns.push(g.add_node(StepRef {
                    workflow: wi,
                    step: si,
                }));
                idx.entry(name.value.clone()).or_insert(si);
            }
            nodes.push(ns);
            step_index.push(idx);
        }
        let starts: Vec<Option<NodeIndex>> = m
            .workflows
            .iter()
            .enumerate()
            .map(|(wi, w)| {
                let s = w.def.start.as_ref()?;
                step_index[wi].get(&s.value).map(|&si| nodes[wi][si])
            })
            .collect();

        let mut referred = vec![false; m.workflows.len()];
        for (wi, w) in m.workflows.iter().enumerate() {
            for (si, (_, step)) in w.def.steps.iter().enumerate() {
                // An end step's transitions are never taken (EndHasTransitions reports them).
                if step.kind() == StepKind::End {
                    continue;
                }
                let from = nodes[wi][si];
                let local = |name: &str| step_index[wi].get(name).map(|&i| nodes[wi][i]);
                for t in step.transitions() {
                    if let Some(to) = local(&t.to.value) {
                        g.add_edge(from, to, Edge::Next);
                    }
                }
                for t in &step.on {
                    if let Some(to) = local(&t.to.value) {
                        g.add_edge(from, to, Edge::Trigger);
                    }
                }
                if step.kind() == StepKind::Referral || step.refer_to.is_some() {
                    let target = step
                        .refer_to
                        .as_ref()
                        .and_then(|r| r.workflow.as_ref())
                        .and_then(|n| workflow_index.get(&n.value).copied());
                    if let Some(tw) = target {
                        referred[tw] = true;
                        if let Some(start) = starts[tw] {
                            g.add_edge(from, start, Edge::Call);
                        }
                    }
                    for (outcome, to) in step.returns.iter() {
                        if let Some(to) = local(&to.value) {
                            g.add_edge(
                                from,
                                to,
                                Edge::Return {
                                    outcome: outcome.value.clone(),
                                    workflow: target,
                                },
                            );
                        }
                    }
                }
            }
        }

        let entries = match m.def.as_ref().map(|(_, d)| &d.entry) {
            Some(list) if !list.is_empty() => list
                .iter()
                .filter_map(|n| workflow_index.get(&n.value).copied())
                .collect(),
            _ => (0..m.workflows.len()).filter(|&w| !referred[w]).collect(),
        };

        let mut graph = Graph {
            g,
            nodes,
            step_index,
            workflow_index,
            starts,
            entries,
            outcomes: vec![BTreeSet::new(); m.workflows.len()],
        };
        graph.compute_outcomes(m);
        graph
    }

    /// Whether a case can move along `e` (returns from a workflow only for outcomes it can reach).
    pub fn enabled(&self, e: &Edge) -> bool {
        match e {
            Edge::Return {
                outcome,
                workflow: Some(w),
            } => self.outcomes[*w].contains(outcome),
            _ => true,
        }
    }

    fn is_local(&self, e: &Edge) -> bool {
        !matches!(e, Edge::Call) && self.enabled(e)
    }

    /// Fixpoint: the outcomes each workflow can end with depend on those of the workflows it
    /// refers to. Starts from none and grows until nothing changes.
    fn compute_outcomes(&mut self, m: &Municipality) {
        loop {
            let mut changed = false;
            for wi in 0..m.workflows.len() {
                let Some(start) = self.starts[wi] else {
                    continue;
                };
                let seen = self.forward(&[start], false);
                let mut found = BTreeSet::new();
                for n in self.nodes[wi].iter().copied().filter(|n| seen[n.index()]) {
                    let s = self.g[n];
                    let step = &m.workflows[wi].def.steps.0[s.step].1;
                    if step.kind() == StepKind::End {
                        found.insert(
                            step.outcome
                                .as_ref()
                                .map_or_else(String::new, |o| o.value.clone()),
                        );
                    }
                }
                if found != self.outcomes[wi] {
                    self.outcomes[wi] = found;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// Nodes reachable from `from`; with `calls`, also into referred workflows.
    pub fn forward(&self, from: &[NodeIndex], calls: bool) -> Vec<bool> {
        let mut seen = vec![false; self.g.node_count()];
        let mut stack: Vec<NodeIndex> = from.to_vec();
        for n in from {
            seen[n.index()] = true;
        }
        while let Some(n) = stack.pop() {
            for e in self.g.edges(n) {
                let ok = if calls {
                    self.enabled(e.weight())
                } else {
                    self.is_local(e.weight())
                };
                if ok && !seen[e.target().index()] {
                    seen[e.target().index()] = true;
                    stack.push(e.target());
                }
            }
        }
        seen
    }

    /// Nodes reachable from the start of any entry workflow, across referrals.
    pub fn reachable(&self) -> Vec<bool> {
        let from: Vec<NodeIndex> = self
            .entries
            .iter()
            .filter_map(|&w| self.starts[w])
            .collect();
        self.forward(&from, true)
    }

    /// Nodes from which an end step of their own workflow can be reached.
    pub fn can_finish(&self, m: &Municipality) -> Vec<bool> {
        let mut seen = vec![false; self.g.node_count()];
        let mut stack = Vec::new();
        for n in self.g.node_indices() {
            let s = self.g[n];
            if m.workflows[s.workflow].def.steps.0[s.step].1.kind() == StepKind::End {
                seen[n.index()] = true;
                stack.push(n);
            }
        }
        while let Some(n) = stack.pop() {
            for e in self.g.edges_directed(n, Direction::Incoming) {
                if self.is_local(e.weight()) && !seen[e.source().index()] {
                    seen[e.source().index()] = true;
                    stack.push(e.source());
                }
            }
        }
        seen
    }

    /// Whether a step has any way out written (transitions, triggers or returns).
    pub fn has_exit(&self, n: NodeIndex) -> bool {
        self.g.edges(n).next().is_some()
    }

    /// The step's guard-less description, for messages: `workflow.step`.
    pub fn name(&self, m: &Municipality, n: NodeIndex) -> (String, String) {
        let s = self.g[n];
        let w = &m.workflows[s.workflow];
        (w.name().to_string(), w.def.steps.0[s.step].0.value.clone())
    }
}
