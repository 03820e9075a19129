//! Checks: each module finds one kind of problem and appends diagnostics; [`check`] runs them all
//! and returns every problem at once.

mod dead_end;
mod decision_without_legal_basis;
mod duplicate_id;
mod end_has_transitions;
mod improper_completion;
mod invalid_start;
mod join_deadlock;
mod lost_event;
mod missing_else;
mod missing_follow_up;
mod missing_return_to_referrer;
mod missing_review;
mod no_path_to_end;
mod referral_never_returns;
mod removed_step_still_used;
mod rule_test_failed;
mod state_space_too_large;
mod step_kind_mismatch;
mod step_never_executed;
mod timer_restarted;
mod undelivered_event;
mod unknown_reference;
mod unreachable_step;
mod unsynchronised_branches;
mod untested_rule;
mod unused_parameter;
mod unused_rule;
mod version_conflict;

use crate::diagnostic::{Diagnostic, SourceMap, Span};
use crate::graph::Graph;
use crate::model::{Node, Step, Workflow};
use crate::municipality::Municipality;

/// What a check looks at.
pub(crate) struct Cx<'a> {
    pub m: &'a Municipality,
    pub graph: &'a Graph,
    pub sources: &'a SourceMap,
}

impl Cx<'_> {
    /// Location of a node in a workflow's file.
    pub fn span<T>(&self, w: &Workflow, node: &Node<T>) -> Span {
        Span {
            file: w.file,
            loc: node.loc,
        }
    }

    /// Location of a node in `municipality.yaml`.
    pub fn mspan<T>(&self, node: &Node<T>) -> Option<Span> {
        self.m.def.as_ref().map(|(file, _)| Span {
            file: *file,
            loc: node.loc,
        })
    }

    /// The workflow and the name node of a step.
    pub fn step_at(&self, at: crate::semantics::At) -> (&Workflow, &Node<String>) {
        let w = &self.m.workflows[at.w as usize];
        (w, &w.def.steps.0[at.s as usize].0)
    }

    /// Every step with its workflow, in file order.
    pub fn steps(&self) -> impl Iterator<Item = (usize, &Workflow, &Node<String>, &Step)> {
        self.m.workflows.iter().enumerate().flat_map(|(wi, w)| {
            w.def
                .steps
                .iter()
                .map(move |(name, step)| (wi, w, name, step))
        })
    }
}

/// Run every check on a loaded municipality.
///
/// When some file could not be read (`m.complete == false`) the checks are skipped: the load
/// diagnostics say what to fix first, and checks on a partial model would mostly repeat them.
pub fn check(m: &Municipality, sources: &SourceMap) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if !m.complete {
        return out;
    }
    let graph = Graph::build(m);
    let cx = Cx {
        m,
        graph: &graph,
        sources,
    };
    duplicate_id::check(&cx, &mut out);
    unknown_reference::check(&cx, &mut out);
    invalid_start::check(&cx, &mut out);
    removed_step_still_used::check(&cx, &mut out);
    step_kind_mismatch::check(&cx, &mut out);
    unreachable_step::check(&cx, &mut out);
    dead_end::check(&cx, &mut out);
    no_path_to_end::check(&cx, &mut out);
    end_has_transitions::check(&cx, &mut out);
    decision_without_legal_basis::check(&cx, &mut out);
    referral_never_returns::check(&cx, &mut out);
    missing_else::check(&cx, &mut out);
    unused_rule::check(&cx, &mut out);
    version_conflict::check(&cx, &mut out);
    rule_test_failed::check(&cx, &mut out);
    untested_rule::check(&cx, &mut out);
    unused_parameter::check(&cx, &mut out);
    // Obligations (G012–G015) and soundness (G016–G019, G022, G023): analyses on the nets of
    // the entry workflows, compiled once.
    let sem = crate::semantics::Semantics::new(m, &graph);
    let obligations = crate::obligation::evaluate_on(m, &graph, &sem);
    out.extend(obligations.diagnostics.iter().cloned());
    missing_follow_up::check(&cx, &obligations, &mut out);
    missing_review::check(&cx, &obligations, &mut out);
    missing_return_to_referrer::check(&cx, &obligations, &mut out);
    undelivered_event::check(&cx, &obligations, &mut out);
    // A workflow with errors of its own (a dead end, a wrong kind) is not explored: its
    // deadlocks would mostly repeat them.
    let broken: Vec<bool> = m
        .workflows
        .iter()
        .map(|w| {
            out.iter().any(|d| {
                d.severity == crate::diagnostic::Severity::Error
                    && d.span.as_ref().is_some_and(|s| s.file == w.file)
            })
        })
        .collect();
    let sound =
        crate::soundness::analyse_with(&sem, crate::net::space::Budget::CHECK, &|w| broken[w]);
    join_deadlock::check(&cx, &sound, &mut out);
    improper_completion::check(&cx, &sound, &mut out);
    step_never_executed::check(&cx, &sound, &mut out);
    state_space_too_large::check(&cx, &sound, &mut out);
    lost_event::check(&cx, &sound, &sem.prog, &mut out);
    unsynchronised_branches::check(&cx, &sound, &mut out);
    timer_restarted::check(&cx, &sem.prog, &mut out);
    out
}

/// The diagnostic of a broken obligation: at its declaration, naming the step concerned, with
/// the obligation's severity.
fn obligation_diagnostic(
    cx: &Cx,
    info: &'static crate::diagnostic::CheckInfo,
    v: &crate::obligation::Verdict,
    f: &crate::obligation::Finding,
    label: &str,
) -> Diagnostic {
    let mut d = Diagnostic::new(
        info,
        v.span.clone(),
        format!("obligation `{}`: {}", v.id, f.message),
    )
    .label(label)
    .help(match &v.source {
        Some(s) => format!("{}\nrequired by: {s}", f.help),
        None => f.help.clone(),
    });
    d.severity = v.severity;
    if let Some(at) = f.at {
        let w = &cx.m.workflows[at.w as usize];
        let (name, _) = &w.def.steps.0[at.s as usize];
        d = d
            .step(w.name(), &name.value)
            .related(cx.span(w, name), "this step");
    }
    d
}
