//! Fuzz target: the BPMN/PNML importer, its checks and the YAML it writes (`steg_engine::fuzz::import`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| steg_engine::fuzz::import(data));
