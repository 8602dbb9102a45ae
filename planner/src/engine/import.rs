//! Import: adopt an existing object into state at an address the configuration declares
//! (`tenantform import`), and the import step `import` blocks share with it.

use std::collections::BTreeMap;

use tenantform_proto::value::Value;

use crate::addrs::{InstanceAddr, module_instance_string, static_module_path};
use crate::config::{Config, Resource};
use crate::diags::{Diagnostic, Diagnostics, SourceRange};
use crate::graph::{ConfigGraph, Node, NodeId, walk};
use crate::providers::{ProviderClient, Providers};
use crate::state::State;

use super::apply::with_instance;
use super::diagnostics::{provider_diagnostics, provider_failure};
use super::instances::{NewObject, encode_instance};
use super::plan::{provider_source, resource_schema};
use super::scope::{CommonVisit, ProviderUse, Scope};

pub(crate) async fn import(
    config: &Config,
    state: &State,
    providers: &Providers,
    variables: &BTreeMap<String, Value>,
    target: super::ImportTarget<'_>,
    workspace: &str,
) -> Result<State, Diagnostics> {
    let super::ImportTarget { addr, id } = target;
    let resource = import_block(config, state, addr)?;
    let range = Some(resource.range.clone());
    let graph = ConfigGraph::build(config)?;
    let mut scope = Scope::new(config, &graph, providers, variables, false);
    scope.workspace = workspace.to_string();
    configure_for_import(&scope).await?;
    let module_path = static_module_path(&addr.module);
    if !addr.module.is_empty() && !scope.instances_of(&module_path).contains(&addr.module) {
        return Err(missing_instance(addr, range));
    }

    let local = &resource.provider;
    let subject = addr.to_string();
    let schema = resource_schema(providers, local, &addr.resource.type_name, range.clone())?;
    let client = scope.client(local, range.clone())?;
    let imported = import_and_read(&scope, client, addr, id, range.clone()).await?;
    let instance = encode_instance(NewObject {
        provider: &provider_source(config, providers, local),
        schema,
        value: &imported.value,
        also_sensitive: &[],
        private: imported.private,
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

/// The resource block an import into `addr` needs: its module and block must be declared,
/// and the instance not yet in state.
fn import_block<'c>(
    config: &'c Config,
    state: &State,
    addr: &InstanceAddr,
) -> Result<&'c Resource, Diagnostics> {
    let Some(module) = config.descendant(&static_module_path(&addr.module)) else {
        return Err(Diagnostic::error(
            "Import to non-existent module",
            format!(
                "{} is not defined in the configuration. Please add configuration for this \
                 module before importing into it.",
                module_instance_string(&addr.module)
            ),
        )
        .into());
    };
    let Some(resource) = module.resource(&addr.resource) else {
        return Err(Diagnostic::error(
            "Configuration for import target does not exist",
            format!(
                "The configuration has no resource block for {addr}. Before importing, add \
                 a block for it: resource {:?} {:?} {{ ... }}",
                addr.resource.type_name, addr.resource.name
            ),
        )
        .into());
    };
    if state.instances.contains_key(addr) {
        return Err(Diagnostic::error(
            "Resource already managed by tenantform",
            format!(
                "{addr} is already in the state. To import to this address you must first \
                 remove the existing object from the state."
            ),
        )
        .with_range(Some(resource.range.clone()))
        .into());
    }
    Ok(resource)
}

/// Configures the providers and expands the module calls; resources and outputs are not
/// evaluated.
async fn configure_for_import(scope: &Scope<'_>) -> Result<(), Diagnostics> {
    let graph = scope.graph;
    walk(
        &graph.dag(),
        1,
        || false,
        |index| {
            let node = NodeId::from_index(index);
            async move {
                match graph.node(node) {
                    Node::Resource(_) | Node::Output(_) => true,
                    _ => match scope.visit_common(node, ProviderUse::Configure).await {
                        CommonVisit::Done(ok) => ok,
                        CommonVisit::Resource(_) => true,
                    },
                }
            }
        },
    )
    .await;
    let diags = scope.take_diagnostics();
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(())
}

/// An object the provider imported and read back.
pub(super) struct Imported {
    pub value: Value,
    pub private: Vec<u8>,
}

/// ImportResourceState then ReadResource: the import step of both `tenantform import` and
/// `import` blocks. Warnings go to the scope; an object that does not exist is an error.
pub(super) async fn import_and_read(
    scope: &Scope<'_>,
    client: &dyn ProviderClient,
    addr: &InstanceAddr,
    id: &str,
    range: Option<SourceRange>,
) -> Result<Imported, Diagnostics> {
    let subject = addr.to_string();
    let type_name = &addr.resource.type_name;
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
    Ok(Imported {
        value: read.new_state,
        private: read.private,
    })
}

/// Terraform's error for an import to an instance the configuration does not expand to.
pub(super) fn missing_instance(addr: &InstanceAddr, range: Option<SourceRange>) -> Diagnostics {
    Diagnostic::error(
        "Configuration for import target does not exist",
        format!(
            "The configuration for the given import {addr} does not exist. All target \
             instances must have an associated configuration to be imported."
        ),
    )
    .with_range(range)
    .into()
}

fn not_found(subject: &str, id: &str, range: Option<SourceRange>) -> Diagnostics {
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
