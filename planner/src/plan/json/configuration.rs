//! The JSON plan's `configuration`, as Terraform's `jsonconfig` writes it: `provider_config`
//! (every provider configuration, requirement and implied provider, keyed `NAME` in the root
//! module and `module.PATH:NAME` below it, where a module's provider that only inherits from
//! its parent is folded into the parent's key) and `root_module` with its `outputs`,
//! `resources`, `module_calls` (each with its `module`, recursively) and `variables`.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json, json};
use tenantform_proto::schema::{Block, ProviderSchema};

use super::expressions::{
    Origin, body_expressions, expression_json, named_attribute_expressions,
    optional_expression_json,
};
use super::{known_json, mode_name};
use crate::addrs::{ResourceAddr, module_path_string};
use crate::config::{Config, DependsOn, ModuleCall, Resource};
use crate::diags::SourceRange;
use crate::plan::render::Schemas;

/// One entry of `provider_config`, with the key of the configuration it inherits from.
struct ProviderEntry {
    json: Map<String, Json>,
    full_name: String,
    /// The key of the ancestor configuration this one is the same provider as; empty when
    /// it stands on its own.
    parent_key: String,
}

/// The `configuration` object of `config`, with `schemas` (by provider local name) telling
/// attributes from nested blocks.
pub(crate) fn configuration_json(config: &Config, schemas: &Schemas) -> Json {
    let mut providers = BTreeMap::new();
    provider_configs(config, None, schemas, &mut providers);
    let mut root_module = module_json(config, schemas);
    fold_inherited_provider_keys(&mut root_module, &providers);
    let provider_config: Map<String, Json> = providers
        .into_iter()
        .filter(|(_, entry)| entry.parent_key.is_empty())
        .map(|(key, entry)| (key, Json::Object(entry.json)))
        .collect();
    let mut object = Map::new();
    if !provider_config.is_empty() {
        object.insert("provider_config".into(), Json::Object(provider_config));
    }
    object.insert("root_module".into(), root_module);
    Json::Object(object)
}

/// Terraform's opaque provider key: `NAME` in the root module, `PATH:NAME` elsewhere.
fn provider_key(name: &str, path: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}:{name}")
    }
}

/// The last segment of a provider source address: its type.
fn provider_type(source: &str) -> &str {
    source.rsplit('/').next().unwrap_or(source)
}

fn provider_head(
    name: &str,
    full_name: &str,
    path: &str,
    version: Option<&str>,
) -> Map<String, Json> {
    let mut json = Map::new();
    json.insert("name".into(), json!(name));
    json.insert("full_name".into(), json!(full_name));
    if let Some(version) = version.filter(|v| !v.is_empty()) {
        json.insert(
            "version_constraint".into(),
            json!(super::version_constraints::normalized(version)),
        );
    }
    if !path.is_empty() {
        json.insert("module_address".into(), json!(path));
    }
    json
}

/// The key of the furthest ancestor entry, starting at `start`, for the same provider.
fn source_provider_key(
    start: String,
    full_name: &str,
    providers: &BTreeMap<String, ProviderEntry>,
) -> String {
    let mut found = String::new();
    let mut key = start;
    while let Some(entry) = providers.get(&key) {
        if entry.full_name != full_name {
            break;
        }
        found = key;
        key = entry.parent_key.clone();
        if key.is_empty() {
            break;
        }
    }
    found
}

/// Adds the provider entries of `config` and its descendants (`parent_path` is the calling
/// module's path; `None` for the root module).
fn provider_configs(
    config: &Config,
    parent_path: Option<&str>,
    schemas: &Schemas,
    providers: &mut BTreeMap<String, ProviderEntry>,
) {
    let path = module_path_string(&config.path);
    let source_of = |name: &str| {
        config
            .required_providers
            .get(name)
            .map_or_else(|| crate::config::default_source(name), |r| r.source.clone())
    };
    let version_of = |source: &str| {
        config
            .required_providers
            .values()
            .find(|r| r.source == source)
            .and_then(|r| r.version.clone())
    };
    for (key, block) in &config.providers {
        let full_name = source_of(&block.name);
        let mut json = provider_head(
            &block.name,
            &full_name,
            &path,
            version_of(&full_name).as_deref(),
        );
        if let Some((_, alias)) = key.split_once('.') {
            json.insert("alias".into(), json!(alias));
        }
        let origin = Origin {
            file: &block.file,
            sources: &config.sources,
        };
        if let Some(schema) = schemas.get(&block.name) {
            let expressions = body_expressions(&block.body, &schema.provider.block, origin);
            if !expressions.is_empty() {
                json.insert("expressions".into(), Json::Object(expressions));
            }
        }
        providers.insert(
            provider_key(key, &path),
            ProviderEntry {
                json,
                full_name,
                parent_key: String::new(),
            },
        );
    }
    let mut add_inherited = |name: &str, full_name: String, version: Option<String>| {
        let key = provider_key(name, &path);
        if providers.contains_key(&key) {
            return;
        }
        let parent_key = parent_path.map_or_else(String::new, |parent| {
            source_provider_key(provider_key(name, parent), &full_name, providers)
        });
        providers.insert(
            key,
            ProviderEntry {
                json: provider_head(name, &full_name, &path, version.as_deref()),
                full_name,
                parent_key,
            },
        );
    };
    for (name, requirement) in &config.required_providers {
        add_inherited(
            name,
            requirement.source.clone(),
            requirement.version.clone(),
        );
    }
    for requirement in config.required_providers.values() {
        let type_name = provider_type(&requirement.source);
        add_inherited(type_name, requirement.source.clone(), None);
    }
    for child in config.children.values() {
        provider_configs(child, Some(&path), schemas, providers);
    }
}

/// Replaces, at every level, the provider key of a resource whose module's provider only
/// inherits its parent's by the parent's key.
fn fold_inherited_provider_keys(module: &mut Json, providers: &BTreeMap<String, ProviderEntry>) {
    if let Some(resources) = module.get_mut("resources").and_then(Json::as_array_mut) {
        for resource in resources {
            let key = resource["provider_config_key"].as_str().unwrap_or_default();
            if let Some(entry) = providers.get(key)
                && providers.contains_key(&entry.parent_key)
            {
                resource["provider_config_key"] = json!(entry.parent_key);
            }
        }
    }
    if let Some(calls) = module.get_mut("module_calls").and_then(Json::as_object_mut) {
        for call in calls.values_mut() {
            if let Some(child) = call.get_mut("module") {
                fold_inherited_provider_keys(child, providers);
            }
        }
    }
}

/// One module: resources, outputs, module calls and variables.
fn module_json(config: &Config, schemas: &Schemas) -> Json {
    let mut object = Map::new();
    let outputs: Map<String, Json> = config
        .outputs
        .values()
        .map(|output| {
            let origin = Origin {
                file: &output.file,
                sources: &config.sources,
            };
            let mut json = Map::new();
            if output.sensitive {
                json.insert("sensitive".into(), json!(true));
            }
            json.insert("expression".into(), expression_json(&output.expr, origin));
            if let Some(depends_on) = depends_on_json(&output.depends_on) {
                json.insert("depends_on".into(), depends_on);
            }
            if !output.description.is_empty() {
                json.insert("description".into(), json!(output.description));
            }
            (output.name.clone(), Json::Object(json))
        })
        .collect();
    if !outputs.is_empty() {
        object.insert("outputs".into(), Json::Object(outputs));
    }
    let resources = resources_json(config, schemas);
    if !resources.is_empty() {
        object.insert("resources".into(), Json::Array(resources));
    }
    let calls: Map<String, Json> = config
        .module_calls
        .values()
        .filter_map(|call| {
            let child = config.children.get(&call.name)?;
            Some((
                call.name.clone(),
                module_call_json(config, call, child, schemas),
            ))
        })
        .collect();
    if !calls.is_empty() {
        object.insert("module_calls".into(), Json::Object(calls));
    }
    let variables = variables_json(config);
    if !variables.is_empty() {
        object.insert("variables".into(), Json::Object(variables));
    }
    Json::Object(object)
}

/// A module's resources: managed ones by address, then data sources by address (those of
/// check blocks included).
fn resources_json(config: &Config, schemas: &Schemas) -> Vec<Json> {
    let mut all: Vec<&Resource> = config
        .resources
        .values()
        .chain(config.checks.values().flat_map(|check| check.data.iter()))
        .collect();
    all.sort_by_key(|resource| {
        (
            resource.addr.mode != crate::addrs::ResourceMode::Managed,
            resource.addr.to_string(),
        )
    });
    let path = module_path_string(&config.path);
    all.into_iter()
        .map(|resource| resource_json(config, resource, &path, schemas))
        .collect()
}

fn resource_json(config: &Config, resource: &Resource, path: &str, schemas: &Schemas) -> Json {
    let origin = Origin {
        file: &resource.file,
        sources: &config.sources,
    };
    let addr = &resource.addr;
    let provider_name = match &resource.provider_alias {
        Some(alias) => format!("{}.{alias}", resource.provider),
        None => resource.provider.clone(),
    };
    let mut object = Map::new();
    object.insert("address".into(), json!(addr.to_string()));
    object.insert("mode".into(), json!(mode_name(addr.mode)));
    object.insert("type".into(), json!(addr.type_name));
    object.insert("name".into(), json!(addr.name));
    object.insert(
        "provider_config_key".into(),
        json!(provider_key(&provider_name, path)),
    );
    let schema = resource_schema(schemas.get(&resource.provider).map(AsRef::as_ref), addr);
    if !resource.provisioners.is_empty() {
        let provisioners = resource
            .provisioners
            .iter()
            .map(|provisioner| {
                let mut json = Map::new();
                json.insert("type".into(), json!(crate::config::LOCAL_EXEC));
                let expressions = body_expressions(&provisioner.body, &local_exec_schema(), origin);
                if !expressions.is_empty() {
                    json.insert("expressions".into(), Json::Object(expressions));
                }
                Json::Object(json)
            })
            .collect();
        object.insert("provisioners".into(), Json::Array(provisioners));
    }
    if let Some((_, block)) = schema {
        let expressions = body_expressions(&resource.body, block, origin);
        if !expressions.is_empty() {
            object.insert("expressions".into(), Json::Object(expressions));
        }
    }
    object.insert(
        "schema_version".into(),
        json!(schema.map_or(0, |(version, _)| version)),
    );
    insert_repetition(
        &mut object,
        resource.count.as_ref(),
        resource.for_each.as_ref(),
        origin,
    );
    let depends_on: Vec<Json> = sorted_by_position(
        resource
            .depends_on
            .iter()
            .map(|(addr, range)| (addr.to_string(), range))
            .chain(
                resource
                    .depends_on_modules
                    .iter()
                    .map(|(name, range)| (format!("module.{name}"), range)),
            ),
    );
    if !depends_on.is_empty() {
        object.insert("depends_on".into(), Json::Array(depends_on));
    }
    Json::Object(object)
}

/// The schema version and block of a resource type.
fn resource_schema<'s>(
    provider: Option<&'s ProviderSchema>,
    addr: &ResourceAddr,
) -> Option<(i64, &'s Block)> {
    let types = match addr.mode {
        crate::addrs::ResourceMode::Managed => &provider?.resources,
        crate::addrs::ResourceMode::Data => &provider?.data_sources,
    };
    types
        .get(&addr.type_name)
        .map(|schema| (schema.version, &schema.block))
}

/// The `local-exec` provisioner's schema, as Terraform declares it.
fn local_exec_schema() -> Block {
    use tenantform_proto::schema::Attribute;
    use tenantform_proto::value::Type;
    let string_list = Type::List(Box::new(Type::String));
    let string_map = Type::Map(Box::new(Type::String));
    Block {
        attributes: BTreeMap::from([
            ("command".into(), Attribute::required(Type::String)),
            ("interpreter".into(), Attribute::optional(string_list)),
            ("working_dir".into(), Attribute::optional(Type::String)),
            ("environment".into(), Attribute::optional(string_map)),
            ("quiet".into(), Attribute::optional(Type::Bool)),
        ]),
        ..Block::default()
    }
}

/// `count_expression`, else `for_each_expression`, when either says something.
fn insert_repetition(
    object: &mut Map<String, Json>,
    count: Option<&hcl_edit::expr::Expression>,
    for_each: Option<&hcl_edit::expr::Expression>,
    origin: Origin<'_>,
) {
    if let Some(count) = optional_expression_json(count, origin) {
        object.insert("count_expression".into(), count);
    } else if let Some(for_each) = optional_expression_json(for_each, origin) {
        object.insert("for_each_expression".into(), for_each);
    }
}

/// Addresses in the order they were written.
fn sorted_by_position<'r>(entries: impl Iterator<Item = (String, &'r SourceRange)>) -> Vec<Json> {
    let mut entries: Vec<(String, &SourceRange)> = entries.collect();
    entries.sort_by_key(|(_, range)| (range.filename.clone(), range.start.byte));
    entries.into_iter().map(|(text, _)| json!(text)).collect()
}

/// A `depends_on` list as Terraform writes it; `None` when empty.
fn depends_on_json(depends_on: &DependsOn) -> Option<Json> {
    let entries = sorted_by_position(
        depends_on
            .resources
            .iter()
            .map(|(addr, range)| (addr.to_string(), range))
            .chain(
                depends_on
                    .modules
                    .iter()
                    .map(|(name, range)| (format!("module.{name}"), range)),
            ),
    );
    (!entries.is_empty()).then_some(Json::Array(entries))
}

fn module_call_json(config: &Config, call: &ModuleCall, child: &Config, schemas: &Schemas) -> Json {
    let origin = Origin {
        file: &call.file,
        sources: &config.sources,
    };
    let mut object = Map::new();
    object.insert("source".into(), json!(call.source));
    let expressions = named_attribute_expressions(
        &call.inputs,
        child.variables.keys().map(String::as_str),
        origin,
    );
    if !expressions.is_empty() {
        object.insert("expressions".into(), Json::Object(expressions));
    }
    insert_repetition(
        &mut object,
        call.count.as_ref(),
        call.for_each.as_ref(),
        origin,
    );
    object.insert("module".into(), module_json(child, schemas));
    if let Some(depends_on) = depends_on_json(&call.depends_on) {
        object.insert("depends_on".into(), depends_on);
    }
    Json::Object(object)
}

/// A module's variables: `default` (converted to the type constraint), `description`,
/// `sensitive`.
fn variables_json(config: &Config) -> Map<String, Json> {
    config
        .variables
        .values()
        .map(|variable| {
            let mut json = Map::new();
            if let Ok(Some(default)) = crate::variables::typed_default(variable, &config.sources) {
                json.insert("default".into(), known_json(&default).unwrap_or(Json::Null));
            }
            if !variable.description.is_empty() {
                json.insert("description".into(), json!(variable.description));
            }
            if variable.sensitive {
                json.insert("sensitive".into(), json!(true));
            }
            (variable.name.clone(), Json::Object(json))
        })
        .collect()
}

#[cfg(test)]
mod tests;
