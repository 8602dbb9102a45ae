//! The stored root outputs' values, the "before" of a plan's output changes, decoded on a
//! second thread while the configuration is walked on the first: a fleet's root outputs
//! hold an entry per tenant, and decoding them costs as much as the plan's own bookkeeping
//! of thousands of tenants. What they decode to does not depend on the walk.

use std::collections::BTreeMap;

use tenantform_proto::value::{Value, type_from_json};

use crate::state::{OutputState, State};

use super::on_second_thread::OnSecondThread;

/// The decoded stored root outputs, once asked for.
pub(super) struct PriorOutputs {
    decoded: OnSecondThread<BTreeMap<String, Value>>,
}

impl PriorOutputs {
    /// Starts decoding the root outputs of `state` on a thread of its own (a copy of their
    /// text and types goes with it).
    pub(super) fn start(state: &State) -> PriorOutputs {
        let decoded = if state.outputs.is_empty() {
            OnSecondThread::done(BTreeMap::new())
        } else {
            let outputs = state.outputs.clone();
            let decode = move || decode_all(&outputs);
            OnSecondThread::start("prior-outputs", crate::EVALUATION_STACK, decode)
        };
        PriorOutputs { decoded }
    }

    /// The decoded value of every stored root output, by name (waiting for the decoding
    /// thread the first time); a later call finds them taken.
    pub(super) fn take(&self) -> BTreeMap<String, Value> {
        self.decoded.with(std::mem::take)
    }
}

fn decode_all(outputs: &BTreeMap<String, OutputState>) -> BTreeMap<String, Value> {
    outputs
        .iter()
        .map(|(name, output)| (name.clone(), stored_output(output)))
        .collect()
}

/// An output value as stored in state (unknown when its type or value does not decode).
fn stored_output(output: &OutputState) -> Value {
    type_from_json(&output.ty)
        .ok()
        .and_then(|ty| output.value.decode(&ty).ok())
        .unwrap_or(Value::Unknown)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::StoredJson;

    fn output(value: serde_json::Value, ty: serde_json::Value) -> OutputState {
        OutputState {
            value: StoredJson::from_json(&value),
            ty,
            sensitive: false,
        }
    }

    #[test]
    fn outputs_decoded_on_the_second_thread_are_those_decoded_in_place_and_taken_once() {
        let mut state = State::new();
        let tenants: serde_json::Map<String, serde_json::Value> = (0..500)
            .map(|i| {
                (
                    format!("tenant-{i:05}"),
                    serde_json::json!(format!("id-{i}")),
                )
            })
            .collect();
        let tenant_types: serde_json::Map<String, serde_json::Value> = tenants
            .keys()
            .map(|k| (k.clone(), "string".into()))
            .collect();
        state.outputs.insert(
            "tenant_ids".into(),
            output(
                serde_json::Value::Object(tenants),
                serde_json::json!(["object", tenant_types]),
            ),
        );
        state.outputs.insert(
            "limits".into(),
            output(
                serde_json::json!([5, 20]),
                serde_json::json!(["list", "number"]),
            ),
        );
        state.outputs.insert(
            "broken".into(),
            output(serde_json::json!("x"), serde_json::json!("no such type")),
        );
        let prior = PriorOutputs::start(&state);
        let taken = prior.take();
        let in_place: BTreeMap<String, Value> = state
            .outputs
            .iter()
            .map(|(name, output)| (name.clone(), stored_output(output)))
            .collect();
        assert_eq!(taken, in_place);
        assert_eq!(taken.len(), 3);
        assert_eq!(taken["broken"], Value::Unknown);
        assert!(matches!(&taken["tenant_ids"], Value::Object(entries) if entries.len() == 500));
        assert!(prior.take().is_empty());
        assert!(PriorOutputs::start(&State::new()).take().is_empty());
    }
}
