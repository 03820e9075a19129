//! Process mining both ways on the one semantics: the labelled net other tools replay
//! simulated logs on ([`LabelledNet`], kept with the semantics in
//! `crate::semantics::labelled` because the PNML export and the simulated log use it), and real event logs read ([`read`]) and replayed against the
//! model with alignments and token-based replay ([`align`], [`conform`]).

pub mod align;
pub mod conform;
pub mod read;

pub use crate::semantics::{activity, LabelledNet};
pub use align::{align, token_replay, Alignment, Budget};
pub use conform::{conform, read_map, ActivityMap, Conformance};
pub use read::{read_log, ReadError, Trace};
