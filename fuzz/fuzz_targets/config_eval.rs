//! Loads arbitrary bytes as a one-file root module and evaluates it: variables with their
//! defaults, validation, locals, outputs and checks, planned against an empty state.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tenantform::fuzzing::config_eval(data);
});
