#![no_main]
// STUB: being written.
libfuzzer_sys::fuzz_target!(|_data: &[u8]| {});
