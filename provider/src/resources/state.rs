//! The state value of a record: its serialized fields that the kind's schema declares as
//! attributes, each decoded as the attribute's type. Fields the schema does not declare
//! (e.g. a key's `suspended`) and fields never serialized (secret hashes) stay out of it.

use serde::Serialize;
use serde_json::Value as Json;
use tenantform_proto::schema::Schema;
use tenantform_proto::value::{Value, decode_json};

/// The state value of `record` under `schema`, without the attribute `secret`.
///
/// # Panics
/// When a field does not fit its attribute's type, which the kind's unit tests rule out.
#[allow(
    clippy::panic,
    reason = "records and schemas are both compiled in; each kind's unit tests decode them"
)]
pub(super) fn record_state(
    schema: &Schema,
    record: &impl Serialize,
    secret: Option<&str>,
) -> Value {
    let Ok(Json::Object(fields)) = serde_json::to_value(record) else {
        panic!("a record serializes to a JSON object");
    };
    let attributes = (schema.block.attributes.iter())
        .filter(|(name, _)| Some(name.as_str()) != secret)
        .filter_map(|(name, attribute)| {
            let field = fields.get(name)?;
            let value = decode_json(field, &attribute.ty)
                .unwrap_or_else(|error| panic!("field {name} does not fit its attribute: {error}"));
            Some((name.clone(), value))
        });
    Value::Object(attributes.collect())
}
