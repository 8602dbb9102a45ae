//! Validation: the configuration against the providers' schemas and their own checks, with
//! every input variable and resource value unknown, and nothing configured or changed.

use std::collections::BTreeMap;

use tenantform_proto::value::Value;

use crate::addrs::ResourceMode;
use crate::config::Config;
use crate::diags::Diagnostics;
use crate::graph::NodeId;
use crate::graph::{ConfigGraph, Node, walk};
use crate::lang;
use crate::providers::Providers;

use super::diagnostics::{provider_diagnostics, provider_failure};
use super::plan::schema_for;
use super::scope::{CommonVisit, ProviderUse, Scope};

/// How many provider validation calls run at once.
const VALIDATE_PARALLELISM: usize = 10;

pub(crate) async fn validate(
    config: &Config,
    providers: &Providers,
    workspace: &str,
) -> Diagnostics {
    let graph = match ConfigGraph::build(config) {
        Ok(graph) => graph,
        Err(diags) => return diags,
    };
    let variables = BTreeMap::new();
    let mut scope = Scope::new(config, &graph, providers, &variables, true);
    scope.workspace = workspace.to_string();
    walk(
        &graph.dag(),
        VALIDATE_PARALLELISM,
        || false,
        |index| {
            let scope = &scope;
            let id = NodeId::from_index(index);
            async move {
                if let CommonVisit::Done(ok) = scope.visit_common(id, ProviderUse::Validate).await {
                    return ok;
                }
                match validate_resource(scope, id).await {
                    Ok(()) => true,
                    Err(diags) => {
                        scope.report(diags);
                        false
                    }
                }
            }
        },
    )
    .await;
    let mut diags = scope.take_diagnostics();
    // Whether configuration will be generated is a plan option: validate as if it were.
    diags.extend(super::import_blocks::check_import_targets(config, true));
    diags
}

async fn validate_resource(scope: &Scope<'_>, id: NodeId) -> Result<(), Diagnostics> {
    let Node::Resource(addr) = scope.graph.node(id) else {
        return Ok(());
    };
    let config = scope.module_config(id);
    let Some(resource) = config.resource(addr) else {
        return Ok(());
    };
    let range = Some(resource.range.clone());
    let client = scope.client(&resource.provider, range.clone())?;
    let schema = schema_for(scope.providers, &resource.provider, addr, range.clone())?;
    // As in Terraform, `count.index`, `each.key` and `each.value` are unknown here.
    let mut ctx = scope.context(id);
    if resource.count.is_some() {
        ctx.count_index = Some(Value::Unknown);
    }
    if resource.for_each.is_some() {
        ctx.each_key = Some(Value::Unknown);
        ctx.each_value = Some(Value::Unknown);
    }
    let value = lang::decode_body(
        &resource.body,
        &schema.block,
        &ctx,
        &resource.file,
        &config.sources,
    )?;
    let subject = crate::addrs::config_resource_string(&config.path, addr);
    let diags = match addr.mode {
        ResourceMode::Managed => {
            client
                .validate_resource_config(&addr.type_name, &value)
                .await
        }
        ResourceMode::Data => {
            client
                .validate_data_resource_config(&addr.type_name, &value)
                .await
        }
    }
    .map_err(|e| Diagnostics::from(provider_failure(&subject, &e, range.clone())))?;
    scope.check(provider_diagnostics(&subject, diags, range))
}
