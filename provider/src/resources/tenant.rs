//! The `tenant` resource: a tenant's catalog entry, its tier, region, labels, status and
//! contacts. A tenant with `deletion_protection` set (the default) cannot be destroyed or
//! replaced; the flag is read from the prior state, so removing the block from the
//! configuration does not bypass it.

use tenantform_proto::value::Value;

use super::PlanOutput;
use super::adopted;
use super::checks::Check;
use super::common::{check_one_of, check_string, nested_path, new_id};
use super::import::ImportSpec;
use super::kind::Kind;
use super::plan::{DefaultValue, PlanRules};
use crate::backend::{Backend, BackendError, Contact, Store, TenantRecord, now_rfc3339};
use crate::naming::{is_valid_email, is_valid_slug};
use crate::values::{
    Field, attr, bool_field, int_value, integer_field, object, optional_string_value,
    required_string, string_field, string_map, string_map_value,
};
use tenantform_proto::diagnostic::{Diagnostic, Diagnostics};

pub const TIERS: &[&str] = &["free", "standard", "enterprise"];
pub(super) const STATUSES: &[&str] = &["active", "suspended"];
pub(super) const CONTACT_KINDS: &[&str] = &["billing", "technical", "security"];
/// The region of a tenant whose configuration sets none.
pub(super) const DEFAULT_REGION: &str = "eu-west-1";

/// The `tenant` kind.
#[derive(Clone, Copy, Debug, Default)]
pub struct TenantKind;

/// Checks the `contact` block at `index`.
fn check_contact(contact: &Value, index: usize, diagnostics: &mut Diagnostics) {
    check_one_of(
        contact,
        "kind",
        CONTACT_KINDS,
        nested_path("contact", index, "kind"),
        diagnostics,
    );
    check_string(
        contact,
        "email",
        is_valid_email,
        "expected an email address such as ops@example.com",
        nested_path("contact", index, "email"),
        diagnostics,
    );
}

fn slug_of(state: &Value) -> String {
    string_field(state, "slug").known().unwrap_or_default()
}

fn protection_error(slug: &str, replacing: bool) -> Diagnostic {
    let (what, cause) = if replacing {
        (
            "replaced",
            " Changing slug or region replaces the tenant, which destroys it first.",
        )
    } else {
        ("destroyed", "")
    };
    Diagnostic::error(
        format!("Tenant {slug:?} is protected from deletion"),
        format!(
            "The tenant has deletion_protection = true, so it cannot be {what}.{cause} To allow \
             it, set deletion_protection = false on the tenant (restore its block first if it \
             was removed), run apply, and then destroy it."
        ),
    )
    .at("deletion_protection")
}

fn is_protected(prior: &Value) -> bool {
    bool_field(prior, "deletion_protection") == Field::Known(true)
}

fn contacts_value(contacts: &[Contact]) -> Value {
    Value::List(
        contacts
            .iter()
            .map(|c| {
                object([
                    ("name", Value::string(&c.name)),
                    ("email", Value::string(&c.email)),
                    ("kind", optional_string_value(c.kind.as_deref())),
                ])
            })
            .collect(),
    )
}

fn contacts_from(value: &Value) -> Result<Vec<Contact>, String> {
    let items = match value {
        Value::List(items) | Value::Set(items) => items.as_slice(),
        _ => &[],
    };
    items
        .iter()
        .map(|item| {
            Ok(Contact {
                name: required_string(item, "name")?,
                email: required_string(item, "email")?,
                kind: string_field(item, "kind").known(),
            })
        })
        .collect()
}

/// The state value of a tenant record.
pub fn record_to_value(record: &TenantRecord) -> Value {
    object([
        ("id", Value::string(&record.id)),
        ("slug", Value::string(&record.slug)),
        ("display_name", Value::string(&record.display_name)),
        ("tier", Value::string(&record.tier)),
        ("region", Value::string(&record.region)),
        ("labels", string_map_value(record.labels.as_ref())),
        ("status", Value::string(&record.status)),
        (
            "deletion_protection",
            Value::Bool(record.deletion_protection),
        ),
        ("retention_days", int_value(record.retention_days)),
        ("created_at", Value::string(&record.created_at)),
        ("contact", contacts_value(&record.contacts)),
    ])
}

/// A record from a planned value, whose arguments are all known at apply time.
/// The record an unregistered tenant's state holds (see `super::adopted`).
pub(super) fn record_from_state(state: &Value) -> Result<TenantRecord, String> {
    let id = required_string(state, "id")?;
    let created_at = string_field(state, "created_at")
        .known()
        .unwrap_or_default();
    fields_from_planned(state, id, created_at)
}

fn record_from_planned(
    planned: &Value,
    id: String,
    created_at: String,
) -> Result<TenantRecord, Diagnostic> {
    fields_from_planned(planned, id, created_at).map_err(|e| {
        Diagnostic::error(format!("Invalid planned {}", TenantKind::label(planned)), e)
    })
}

fn fields_from_planned(
    planned: &Value,
    id: String,
    created_at: String,
) -> Result<TenantRecord, String> {
    Ok(TenantRecord {
        id,
        slug: required_string(planned, "slug")?,
        display_name: required_string(planned, "display_name")?,
        tier: required_string(planned, "tier")?,
        region: required_string(planned, "region")?,
        labels: string_map(attr(planned, "labels")),
        status: required_string(planned, "status")?,
        deletion_protection: bool_field(planned, "deletion_protection")
            .known()
            .ok_or("attribute \"deletion_protection\" is not a known bool")?,
        retention_days: integer_field(planned, "retention_days")
            .known()
            .flatten()
            .ok_or("attribute \"retention_days\" is not a known whole number")?,
        contacts: contacts_from(attr(planned, "contact"))?,
        created_at,
    })
}

impl Kind for TenantKind {
    type Record = TenantRecord;
    const IMPORT: ImportSpec = ImportSpec::new("tenant", "slug");
    const RULES: PlanRules = PlanRules {
        defaults: &[
            ("tier", DefaultValue::String("standard")),
            ("region", DefaultValue::String(DEFAULT_REGION)),
            ("status", DefaultValue::String("active")),
            ("deletion_protection", DefaultValue::Bool(true)),
            ("retention_days", DefaultValue::Integer(30)),
        ],
        forces_replacement: &["slug", "region"],
    };
    const LABEL_ATTRIBUTE: Option<&'static str> = Some("slug");
    const KEY_ATTRIBUTES: &'static [&'static str] = &["slug"];
    const NOUN: Option<&'static str> = None;

    const SCHEMA_JSON: &'static str = include_str!("../schemas/tenant.json");
    const TRACKS_REGISTRATION: bool = true;
    const REGISTRATION_COMPUTES: &'static [&'static str] = &["created_at"];

    const CHECKS: &'static [Check] = &[
        Check::Form(
            "slug",
            is_valid_slug,
            "a slug is 3 to 40 characters of lower-case letters, digits and hyphens, starting \
             with a letter and not ending with a hyphen",
        ),
        Check::NotEmpty("display_name"),
        Check::NotEmpty("region"),
        Check::OneOf("tier", TIERS),
        Check::OneOf("status", STATUSES),
        Check::AtLeast("retention_days", 0),
    ];

    fn check_more(config: &Value, diagnostics: &mut Diagnostics) {
        if let Value::List(contacts) = attr(config, "contact") {
            for (index, contact) in contacts.iter().enumerate() {
                check_contact(contact, index, diagnostics);
            }
        }
    }

    fn store(backend: &dyn Backend) -> &dyn Store<TenantRecord> {
        backend.tenants()
    }

    fn to_value(record: &TenantRecord) -> Value {
        record_to_value(record)
    }

    fn new_record(planned: &Value, _backend: &dyn Backend) -> Result<TenantRecord, Diagnostic> {
        record_from_planned(planned, new_id(), now_rfc3339())
    }

    /// Every argument changes in place; the id and creation time stay.
    fn updated(existing: TenantRecord, planned: &Value) -> Result<TenantRecord, Diagnostic> {
        record_from_planned(planned, existing.id, existing.created_at)
    }

    fn import_by_key(
        _backend: &dyn Backend,
        tenant: &TenantRecord,
        _rest: &[&str],
    ) -> Result<Option<TenantRecord>, BackendError> {
        Ok(Some(tenant.clone()))
    }

    fn import_foreign(
        id: &str,
        backend: &dyn Backend,
    ) -> Option<Result<(TenantRecord, bool), Diagnostics>> {
        adopted::import_tenant(id, backend)
    }

    /// An unregistered tenant has no live object of its own: its state is what it is.
    fn read_unregistered(
        state: &Value,
        _backend: &dyn Backend,
    ) -> Result<Option<TenantRecord>, Diagnostics> {
        adopted::read_tenant(state).map(Some)
    }

    fn register(record: &TenantRecord, backend: &dyn Backend) -> Result<TenantRecord, Diagnostic> {
        adopted::register_tenant(record, backend)
    }

    /// Only an object the configuration could be applied to in place is adopted. An existing
    /// tenant whose region differs is the old object of a replacement (it is deleted before
    /// the new one is created), not a leftover to adopt.
    fn adoptable(planned: &Value, existing: &TenantRecord) -> bool {
        string_field(planned, "region") == Field::Known(existing.region.clone())
    }

    fn check_destroy(prior: &Value) -> Result<(), Diagnostic> {
        match is_protected(prior) {
            true => Err(protection_error(&slug_of(prior), false)),
            false => Ok(()),
        }
    }

    /// A protected tenant can be neither destroyed nor replaced.
    fn review_plan(prior: &Value, output: &mut PlanOutput) {
        let destroying = output.planned.is_null();
        if is_protected(prior) && (destroying || !output.requires_replace.is_empty()) {
            let replacing = !destroying;
            output
                .diagnostics
                .push(protection_error(&slug_of(prior), replacing));
        }
    }
}
