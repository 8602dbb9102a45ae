//! Decodes arbitrary bytes as a msgpack or JSON value of a type given in the input, and
//! checks that a value that decodes survives being encoded and decoded again.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(problem) = tenantform::fuzzing::values(data) {
        panic!("{problem}");
    }
});
