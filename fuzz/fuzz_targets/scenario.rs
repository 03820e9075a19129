//! Fuzz target: the scenario reader and the case machine (`steg_engine::fuzz::scenario`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| steg_engine::fuzz::scenario(data));
