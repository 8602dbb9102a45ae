//! Import: adopt an existing object into state at an address the configuration declares.

use std::collections::BTreeMap;

use tenantform_proto::value::Value;

use crate::addrs::InstanceAddr;
use crate::config::Config;
use crate::diags::{Diagnostic, Diagnostics};
use crate::graph::{ConfigGraph, Node, walk};
use crate::providers::Providers;
use crate::state::State;

use super::apply::with_instance;
use super::diagnostics::{provider_diagnostics, provider_failure};
use super::instances::{NewObject, encode_instance};
use super::plan::{in_config, provider_source, resource_schema};
use super::scope::{ProviderUse, Scope};

pub(crate) async fn import(
    config: &Config,
    state: &State,
    providers: &Providers,
    variables: &BTreeMap<String, Value>,
    addr: &InstanceAddr,
    id: &str,
) -> Result<State, Diagnostics> {
    if !in_config(config, addr) {
        return Err(Diagnostic::error(
            "Configuration for import target does not exist",
            format!(
                "The configuration has no resource block for {addr}. Before importing, add \
                 a block for it: resource {:?} {:?} {{ ... }}",
                addr.resource.type_name, addr.resource.name
            ),
        )
        .into());
    }
    let resource = &config.resources[&addr.resource];
    let range = Some(resource.range.clone());
    if state.instances.contains_key(addr) {
        return Err(Diagnostic::error(
            "Resource already managed by tenantform",
            format!(
                "{addr} is already in the state. To import to this address you must first \
                 remove the existing object from the state."
            ),
        )
        .with_range(range)
        .into());
    }
    let graph = ConfigGraph::build(config)?;
    let scope = Scope::new(config, &graph, providers, variables, false);
    // Configure the providers; resources and outputs are not evaluated.
    walk(
        &graph.dag(),
        1,
        || false,
        |node| {
            let scope = &scope;
            let graph = &graph;
            async move {
                match graph.node(node) {
                    Node::Resource(_) | Node::Output(_) => true,
                    _ => scope
                        .visit_common(node, ProviderUse::Configure)
                        .await
                        .unwrap_or(true),
                }
            }
        },
    )
    .await;
    let diags = scope.take_diagnostics();
    if diags.has_errors() {
        return Err(diags);
    }

    let local = &resource.provider;
    let subject = addr.to_string();
    let type_name = &addr.resource.type_name;
    let client = scope.client(local, range.clone())?;
    let schema = resource_schema(providers, local, type_name, range.clone())?;
    let failure = |e| Diagnostics::from(provider_failure(&subject, &e, range.clone()));
    let (objects, diags) = client
        .import_resource_state(type_name, id)
        .await
        .map_err(failure)?;
    scope.check(provider_diagnostics(&subject, diags, range.clone()))?;
    let Some(object) = objects.into_iter().find(|o| &o.type_name == type_name) else {
        return Err(not_found(&subject, id, range));
    };
    let read = client
        .read_resource(type_name, &object.state, &object.private)
        .await
        .map_err(failure)?;
    scope.check(provider_diagnostics(
        &subject,
        read.diagnostics,
        range.clone(),
    ))?;
    if read.new_state.is_null() {
        return Err(not_found(&subject, id, range));
    }
    let instance = encode_instance(NewObject {
        provider: &provider_source(config, providers, local),
        schema,
        value: &read.new_state,
        also_sensitive: &[],
        private: read.private,
        dependencies: Vec::new(),
        create_before_destroy: false,
        tainted: false,
    })
    .map_err(|e| {
        Diagnostics::from(
            Diagnostic::error(
                "Cannot store the imported object",
                format!("The object imported for {subject} cannot be stored: {e}"),
            )
            .with_range(range.clone()),
        )
    })?;
    Ok(with_instance(state, addr, instance))
}

fn not_found(subject: &str, id: &str, range: Option<crate::diags::SourceRange>) -> Diagnostics {
    Diagnostic::error(
        "Cannot import non-existent remote object",
        format!(
            "While attempting to import an existing object to {subject}, the provider detected \
             that no object exists with the given id {id:?}. Only pre-existing objects can be \
             imported; check that the id is correct."
        ),
    )
    .with_range(range)
    .into()
}
