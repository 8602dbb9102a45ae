//! An apply whose outcome is unknown: the provider did not answer `ApplyResourceChange`
//! within `-provider-timeout`, so the object may or may not have changed. The instance stays
//! in the state, tainted, so that the next plan reads it again (refresh) and replaces it
//! rather than trusting it: the prior object when there was one, else what the plan knew of
//! the new one (its unknown attributes stored as null). Terraform, which has no bound on
//! provider calls, taints only a create that returned an error; a timed-out update is
//! tainted too because nothing says what the object became.

use tenantform_proto::value::Value;

use crate::diags::Diagnostic;
use crate::state::InstanceState;

use super::targets::unknown_as_null;

/// What to keep of an instance whose apply timed out.
#[derive(Debug, PartialEq)]
pub(super) enum UnknownOutcome {
    /// The object the state held before the apply, now tainted.
    Prior(Box<InstanceState>),
    /// What the plan knew of a new object (unknowns as null), to be stored tainted.
    Planned(Value),
    /// Nothing is known (a delete, or no planned object).
    Nothing,
}

/// What to keep, given the object the state holds now (after any deposed object was
/// restored) and the planned new object.
pub(super) fn unknown_outcome(stored: Option<&InstanceState>, planned: &Value) -> UnknownOutcome {
    if let Some(stored) = stored {
        return UnknownOutcome::Prior(Box::new(InstanceState {
            tainted: true,
            ..stored.clone()
        }));
    }
    if planned.is_null() {
        return UnknownOutcome::Nothing;
    }
    UnknownOutcome::Planned(unknown_as_null(planned.clone()))
}

/// The warning that says what was kept of `address` after its apply timed out.
pub(super) fn kept_tainted_warning(address: &str) -> Diagnostic {
    Diagnostic::warning(
        format!("The outcome of applying {address} is unknown"),
        format!(
            "The provider did not answer in time, so the change may or may not have taken \
             effect. tenantform kept {address} in the state, marked as tainted: the next plan \
             reads the object again and replaces it."
        ),
    )
}

#[cfg(test)]
mod tests;
