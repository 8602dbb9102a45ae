//! The diagnostics providers return are the wire's own type, shared with every provider
//! ([`tenantform_proto::diagnostic::Diagnostic`]): attached to an attribute path, not to a
//! source range. [`crate::diags::Diagnostic::from_provider`] turns one into a user-facing
//! diagnostic.

pub(crate) use tenantform_proto::diagnostic::Diagnostic as ProviderDiagnostic;
