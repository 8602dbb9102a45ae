//! Reads arbitrary bytes as a saved plan file and checks that a plan that reads survives
//! being saved and read again.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(problem) = tenantform::fuzzing::plan_file(data) {
        panic!("{problem}");
    }
});
