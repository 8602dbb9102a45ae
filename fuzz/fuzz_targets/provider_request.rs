//! Decodes arbitrary bytes as a plugin protocol request to the tenant provider (provider
//! configuration, resource and data source validation, state upgrade, plan, read) and
//! serves it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    terraform_provider_tenant::fuzzing::provider_request(data);
});
