//! Reads a Terraform version 4 state file (`terraform.tfstate`) into resource instances
//! addressed the way Terraform prints them (`tenant.acme`, `module.m.tenant.t["k"]`).

use std::path::Path;

use serde_json::Value;

/// One resource instance of a state file.
#[derive(Clone, Debug)]
pub struct StateInstance {
    pub address: String,
    pub resource_type: String,
    pub attributes: Value,
}

impl StateInstance {
    /// The `id` attribute, when it is a string.
    pub fn id(&self) -> Option<&str> {
        self.attributes.get("id").and_then(Value::as_str)
    }

    pub fn attribute_str(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).and_then(Value::as_str)
    }
}

/// A parsed state file.
#[derive(Clone, Debug)]
pub struct State {
    pub document: Value,
    /// Managed resource instances only (data sources are left out).
    pub instances: Vec<StateInstance>,
}

impl State {
    /// Parses a state file, panicking with the reason when it is not valid version 4 state.
    pub fn read(path: &Path) -> State {
        let text = std::fs::read_to_string(path)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
        State::parse(&text).unwrap_or_else(|error| {
            panic!("{} is not valid state: {error}\n{text}", path.display())
        })
    }

    /// Parses state text; the error says what is wrong.
    pub fn parse(text: &str) -> Result<State, String> {
        let document: Value =
            serde_json::from_str(text).map_err(|error| format!("invalid JSON: {error}"))?;
        let version = document.get("version").and_then(Value::as_u64);
        if version != Some(4) {
            return Err(format!("expected \"version\": 4, found {version:?}"));
        }
        let resources = match document.get("resources") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(resources)) => resources.clone(),
            Some(other) => return Err(format!("\"resources\" is not a list: {other}")),
        };
        let mut instances = Vec::new();
        for resource in &resources {
            if resource.get("mode").and_then(Value::as_str) != Some("managed") {
                continue;
            }
            let resource_type = string_field(resource, "type")?;
            let name = string_field(resource, "name")?;
            let module = resource.get("module").and_then(Value::as_str);
            let base = match module {
                Some(module) => format!("{module}.{resource_type}.{name}"),
                None => format!("{resource_type}.{name}"),
            };
            let Some(resource_instances) = resource.get("instances").and_then(Value::as_array)
            else {
                return Err(format!("{base} has no \"instances\" list"));
            };
            for instance in resource_instances {
                let address = match instance.get("index_key") {
                    None | Some(Value::Null) => base.clone(),
                    Some(Value::String(key)) => format!("{base}[{key:?}]"),
                    Some(key) => format!("{base}[{key}]"),
                };
                instances.push(StateInstance {
                    address,
                    resource_type: resource_type.clone(),
                    attributes: instance.get("attributes").cloned().unwrap_or(Value::Null),
                });
            }
        }
        Ok(State {
            document,
            instances,
        })
    }

    pub fn instance(&self, address: &str) -> Option<&StateInstance> {
        self.instances
            .iter()
            .find(|instance| instance.address == address)
    }

    pub fn addresses(&self) -> Vec<String> {
        let mut addresses: Vec<String> = self
            .instances
            .iter()
            .map(|instance| instance.address.clone())
            .collect();
        addresses.sort();
        addresses
    }

    /// Ids of the instances of one resource type, sorted (duplicates kept).
    pub fn ids_of_type(&self, resource_type: &str) -> Vec<String> {
        let mut ids: Vec<String> = self
            .instances
            .iter()
            .filter(|instance| instance.resource_type == resource_type)
            .filter_map(|instance| instance.id().map(str::to_string))
            .collect();
        ids.sort();
        ids
    }
}

fn string_field(value: &Value, field: &str) -> Result<String, String> {
    value
        .get(field)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| format!("a resource has no string \"{field}\": {value}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_include_modules_and_keys() {
        let state = State::parse(
            r#"{"version":4,"resources":[
              {"mode":"managed","type":"tenant","name":"t","module":"module.m",
               "instances":[{"index_key":"acme","attributes":{"id":"1"}},
                            {"index_key":2,"attributes":{"id":"2"}}]},
              {"mode":"data","type":"tenant","name":"d","instances":[{"attributes":{}}]}]}"#,
        )
        .unwrap();
        assert_eq!(
            state.addresses(),
            vec![
                "module.m.tenant.t[\"acme\"]".to_string(),
                "module.m.tenant.t[2]".to_string()
            ]
        );
        assert_eq!(state.ids_of_type("tenant"), vec!["1", "2"]);
    }

    #[test]
    fn rejects_other_versions_and_bad_json() {
        assert!(State::parse(r#"{"version":3}"#).is_err());
        assert!(State::parse(r#"{"version":4,"resources":[{"mo"#).is_err());
    }
}
