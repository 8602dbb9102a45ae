//! The `tenant_policy` resource: a tenant's security policy (MFA, session lifetime, IP
//! allowlist). One per tenant; every setting changes in place.

use tenantform_proto::value::{AttributePath, PathStep, Value};

use super::checks::Check;
use super::common::new_id;
use super::formats::{is_cidr, is_go_duration};
use super::import::ImportSpec;
use super::kind::Kind;
use super::plan::{DefaultValue, PlanRules};
use crate::backend::{Backend, PolicyRecord, Store};
use crate::values::{attr, bool_field, required_string};
use tenantform_proto::diagnostic::{Diagnostic, Diagnostics};

/// The session lifetime of a policy whose configuration sets none.
pub(super) const DEFAULT_SESSION_TTL: &str = "8h";
const LABEL: &str = "tenant policy";

/// The `tenant_policy` kind.
#[derive(Clone, Copy, Debug, Default)]
pub struct PolicyKind;

/// The known strings of a list, in order.
fn string_list(value: &Value) -> Vec<String> {
    match value {
        Value::List(items) => items
            .iter()
            .filter_map(|item| item.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// A record from a planned value, whose arguments are all known at apply time.
fn record_from_planned(planned: &Value, id: String) -> Result<PolicyRecord, Diagnostic> {
    let invalid = |detail: String| Diagnostic::error(format!("Invalid planned {LABEL}"), detail);
    Ok(PolicyRecord {
        id,
        tenant_id: required_string(planned, "tenant_id").map_err(invalid)?,
        mfa_required: bool_field(planned, "mfa_required")
            .known()
            .ok_or_else(|| invalid("mfa_required is not a known bool".to_string()))?,
        session_ttl: required_string(planned, "session_ttl").map_err(invalid)?,
        ip_allowlist: string_list(attr(planned, "ip_allowlist")),
    })
}

impl Kind for PolicyKind {
    type Record = PolicyRecord;
    const IMPORT: ImportSpec = ImportSpec::new(LABEL, "slug");
    const RULES: PlanRules = PlanRules {
        defaults: &[
            ("mfa_required", DefaultValue::Bool(false)),
            ("session_ttl", DefaultValue::String(DEFAULT_SESSION_TTL)),
            ("ip_allowlist", DefaultValue::EmptyList),
        ],
        forces_replacement: &["tenant_id"],
    };
    const LABEL_ATTRIBUTE: Option<&'static str> = None;
    const KEY_ATTRIBUTES: &'static [&'static str] = &["tenant_id"];
    const NOUN: Option<&'static str> = None;

    const SCHEMA_JSON: &'static str = include_str!("../schemas/tenant_policy.json");

    const CHECKS: &'static [Check] = &[Check::Form(
        "session_ttl",
        is_go_duration,
        "expected a positive duration such as 30m, 8h or 1h30m",
    )];

    fn check_more(config: &Value, diagnostics: &mut Diagnostics) {
        if let Value::List(blocks) = attr(config, "ip_allowlist") {
            for (index, block) in blocks.iter().enumerate() {
                if let Some(text) = block.as_str()
                    && !is_cidr(text)
                {
                    diagnostics.push(
                        Diagnostic::error(
                            "Invalid value for ip_allowlist",
                            format!(
                                "{text:?} is not a CIDR block such as 10.0.0.0/8 or \
                                 2001:db8::/32."
                            ),
                        )
                        .at_path(AttributePath(vec![
                            PathStep::Attribute("ip_allowlist".to_string()),
                            PathStep::IntKey(index as i64),
                        ])),
                    );
                }
            }
        }
    }

    fn store(backend: &dyn Backend) -> &dyn Store<PolicyRecord> {
        backend.policies()
    }

    fn new_record(planned: &Value, _backend: &dyn Backend) -> Result<PolicyRecord, Diagnostic> {
        record_from_planned(planned, new_id())
    }

    /// Every setting changes in place.
    fn updated(existing: PolicyRecord, planned: &Value) -> Result<PolicyRecord, Diagnostic> {
        record_from_planned(planned, existing.id)
    }
}
