//! The one execution semantics of steg, written down in docs/semantics.md and implemented here
//! once: a municipality's workflows resolved into a [`Program`], and each entry workflow
//! compiled into a Petri net ([`WorkflowNet`]) whose transitions are the moves a case can make.
//!
//! Everything that judges or runs a process uses these nets: the soundness and obligation
//! checks enumerate every enabled transition (`crate::net::space`), the case machine
//! (`crate::run::case`) and the simulator fire one at a time, choosing by rules, scenario and
//! random draws, and add time. There is no second copy of what a join, a wait or a referral
//! does.

pub mod compile;
pub mod labelled;
pub mod program;

pub use compile::{Context, Label, Move, PlaceKind, WorkflowNet, MAX_CONTEXTS, MAX_DEPTH};
pub use labelled::{activity, LabelledNet};
pub use program::{Anchor, At, Cond, EventInfo, PStep, PWorkflow, Program, Trig};

use crate::graph::Graph;
use crate::municipality::Municipality;

/// A municipality's program and the net of each of its entry workflows.
#[derive(Debug, Clone)]
pub struct Semantics {
    /// The resolved program.
    pub prog: Program,
    /// One net per workflow that is an entry (indexed like `prog.workflows`; `None` for the
    /// others, which are reached only by referral).
    pub nets: Vec<Option<WorkflowNet>>,
}

impl Semantics {
    /// Resolve and compile `m`.
    pub fn new(m: &Municipality, graph: &Graph) -> Semantics {
        let prog = Program::new(m, graph);
        Semantics::of(prog)
    }

    /// Compile the entry workflows of `prog`.
    pub fn of(prog: Program) -> Semantics {
        let mut nets = vec![None; prog.workflows.len()];
        for &e in &prog.entries {
            nets[e as usize] = Some(WorkflowNet::compile(&prog, e));
        }
        Semantics { prog, nets }
    }

    /// The net of entry workflow `w`, compiled on demand for a workflow that is not an entry
    /// (a scenario may start a case anywhere).
    pub fn net(&mut self, w: u32) -> &WorkflowNet {
        let slot = &mut self.nets[w as usize];
        slot.get_or_insert_with(|| WorkflowNet::compile(&self.prog, w))
    }
}
