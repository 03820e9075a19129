//! Integration tests of `steg`: the built binary run on fixture municipalities and on the bundled
//! configuration, one module per feature.
//!
//! - `checks`: every check's `valid/` and `invalid_*/` fixtures, driven by one table.
//! - `cli`: commands, help texts, exit codes, and inputs that must not crash the checker.
//! - `docs`: the language reference covers the schemas, its examples run, every README command
//!   runs as written and its sample output is what steg prints.
//! - `diff`: `steg diff lindesberg hedemora` as a reader of seeds 000 and 001 checks it.
//! - `extends`: merge rules, locations in base and override, the bundled shared base.
//! - `files`: output files through unpredictable temporary names, removed on a signal; import
//!   folders written whole, hand-written files kept.
//! - `hostile`: hostile and careless input, one test per kind of fault: no panic, no hang, a
//!   located error.
//! - `import`: `steg import` and `steg check` of BPMN/PNML models: the round trip of every bundled
//!   municipality, hand-made models, refused files.
//! - `lindesberg`: the real configuration under `workflows/lindesberg`, clean and mutated.
//! - `lsp`: `steg lsp` driven over stdio by a client speaking the protocol, as an editor does.
//! - `mining`: event logs other tools read and replay (pm4py, the XES schema), `steg conform`.
//! - `mistakes`: every mistake of a file in one run, root causes first, errors before warnings.
//! - `obligations`: follow-up obligations and parallel soundness on the bundled configurations,
//!   the audit view, and the mistakes they exist for.
//! - `regression`: one test per bug found, named after what broke.
//! - `report`: `steg report` pages, self-contained, rendered and printed in headless Chromium.
//! - `simulate`: `steg run` traces of the examples and `steg simulate` reports and event logs.
//! - `validation`: `steg validate` of every bundled municipality on a small fixed-seed run, and
//!   a snapshot of each one's `steg check --audit`.
//! - `watch`: `steg check --watch` picks up a saved edit (a child process, bounded waits).
//!
//! Snapshots live in `tests/snapshots/<module>/`; accept new ones with `cargo insta review`
//! and run `cargo insta test --unreferenced reject` so stale ones fail.

mod checks;
mod cli;
mod diff;
mod docs;
mod extends;
mod files;
mod graph;
mod hostile;
mod import;
mod lindesberg;
mod lsp;
mod mining;
mod mistakes;
mod obligations;
mod regression;
mod report;
mod sarif;
mod simulate;
mod support;
mod validation;
mod watch;
