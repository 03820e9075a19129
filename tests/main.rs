//! Integration tests of `steg`: the built binary run on fixture municipalities and on the bundled
//! configuration, one module per feature.
//!
//! - `checks`: every check's `valid/` and `invalid_*/` fixtures, driven by one table.
//! - `cli`: commands, help texts, exit codes, and inputs that must not crash the checker.
//! - `lindesberg`: the real configuration under `workflows/lindesberg`, clean and mutated.
//! - `regression`: one test per bug found, named after what broke.
//! - `simulate`: `steg run` traces of the examples and `steg simulate` reports and event logs.
//!
//! Snapshots live in `tests/snapshots/<module>/`; accept new ones with `cargo insta review`
//! and run `cargo insta test --unreferenced reject` so stale ones fail.

mod checks;
mod cli;
mod lindesberg;
mod regression;
mod simulate;
mod support;
