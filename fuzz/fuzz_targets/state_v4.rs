//! Reads arbitrary bytes as a state file (format version 4) and checks that a state that
//! reads survives being written and read again.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(problem) = tenantform::fuzzing::state_v4(data) {
        panic!("{problem}");
    }
});
