//! Fuzz target: the YAML loader and every check (`steg_engine::fuzz::load`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| steg_engine::fuzz::load(data));
