//! Process mining both ways on the one semantics: the labelled net other tools replay
//! simulated logs on ([`net`]), and real event logs replayed against the model.

pub mod net;

pub use net::{activity, LabelledNet};
