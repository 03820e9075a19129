//! Running cases: the resolved program, the case machine, and single-case scenarios.

pub mod case;

pub mod scenario;
