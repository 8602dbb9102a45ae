//! Answering a gRPC call: every handler computes its answer or the diagnostics that
//! prevented it, and [`respond`] turns either into the call's response, so that problems
//! reach Terraform as diagnostics, never as gRPC errors.

use tenantform_proto::diagnostic::Diagnostics;
use tenantform_proto::tfplugin6 as wire;
use tonic::{Response, Status};

/// A wire response that carries diagnostics, and nothing else when a call fails.
pub(super) trait Reported: Default {
    fn set_diagnostics(&mut self, diagnostics: Vec<wire::Diagnostic>);

    /// The response carrying only `diagnostics`.
    fn failed(diagnostics: &Diagnostics) -> Self {
        let mut response = Self::default();
        response.set_diagnostics(diagnostics.to_wire());
        response
    }
}

macro_rules! reported {
    ($($call:ident),* $(,)?) => {
        $(impl Reported for wire::$call::Response {
            fn set_diagnostics(&mut self, diagnostics: Vec<wire::Diagnostic>) {
                self.diagnostics = diagnostics;
            }
        })*
    };
}

reported!(
    validate_provider_config,
    validate_resource_config,
    validate_data_resource_config,
    upgrade_resource_state,
    configure_provider,
    plan_resource_change,
    generate_resource_config,
    import_resource_state,
    read_data_source,
);

/// The response `answer`, or one carrying only the diagnostics that prevented it.
pub(super) fn respond<T: Reported>(answer: Result<T, Diagnostics>) -> Result<Response<T>, Status> {
    Ok(Response::new(
        answer.unwrap_or_else(|diagnostics| T::failed(&diagnostics)),
    ))
}

/// The response of a call that only reports `diagnostics` (a validation, a configuration).
pub(super) fn report<T: Reported>(diagnostics: &Diagnostics) -> Result<Response<T>, Status> {
    Ok(Response::new(T::failed(diagnostics)))
}
