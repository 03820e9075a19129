//! Fuzz target: the rule compiler and the sandbox (`steg_engine::fuzz::rules`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| steg_engine::fuzz::rules(data));
