//! Checks: each module finds one kind of problem and appends diagnostics; [`check`] runs them all
//! and returns every problem at once.

macro_rules! declare_check {
    ($(#[doc = $doc:literal])+ $vis:vis static $id:ident = ($code:literal, $name:ident, $sev:ident);) => {
        $(#[doc = $doc])+
        $vis static $id: $crate::diagnostic::CheckInfo = $crate::diagnostic::CheckInfo {
            code: $code,
            name: stringify!($name),
            severity: $crate::diagnostic::Severity::$sev,
            doc: concat!($($doc, "\n"),+),
        };
    };
}

pub mod codes;
mod decision_without_legal_basis;
mod dead_end;
mod duplicate_id;
mod end_has_transitions;
mod input_too_large;
mod invalid_start;
mod invalid_value;
mod missing_else;
mod no_path_to_end;
mod referral_never_returns;
mod rule_failed;
mod rule_syntax;
mod rule_test_failed;
mod step_kind_mismatch;
mod unknown_field;
mod unknown_reference;
mod unreachable_step;
mod untested_rule;
mod unused_rule;
mod version_conflict;
mod yaml_syntax;

use crate::diagnostic::{Diagnostic, SourceMap, Span};
use crate::graph::Graph;
use crate::load::Municipality;
use crate::model::{Node, Step, Workflow};

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
    out
}
