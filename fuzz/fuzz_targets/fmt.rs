//! Formats arbitrary bytes as `fmt` does and checks that formatting is idempotent and
//! keeps every token but the spaces between them.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(problem) = tenantform::fuzzing::fmt(data) {
        panic!("{problem}");
    }
});
