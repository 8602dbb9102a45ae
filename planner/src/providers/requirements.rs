//! Which providers a configuration needs: those of the root module and of every module it
//! calls (a child module's resources, `provider` references and `required_providers`, the
//! built-in `terraform` provider implied by its local name), each under its local name.
//!
//! Every module uses its caller's default provider configurations, by local name: one local
//! name must therefore mean one provider throughout the configuration, and a module naming
//! another provider under a local name already taken is refused. Terraform passes them by
//! source address instead, so one provider under two local names (which Terraform would
//! configure once, from the caller's block) is refused too, rather than started twice with
//! the second copy unconfigured.

use std::collections::BTreeMap;

use crate::config::Config;
use crate::diags::{Diagnostic, Diagnostics};

/// The local names of the providers the configuration uses, with their source addresses:
/// the root module's first, then those only child modules use.
pub(crate) fn required_providers(config: &Config) -> Vec<(String, String)> {
    let mut chosen = BTreeMap::new();
    visit(config, &mut |_, name, source| {
        chosen.entry(name).or_insert(source);
    });
    chosen.into_iter().collect()
}

/// Errors for every module that names another provider under a local name an earlier
/// module (the root module first) already uses, or a provider an earlier module uses under
/// another local name.
pub(crate) fn conflicting_local_names(config: &Config) -> Diagnostics {
    let mut chosen: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut named: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut diags = Diagnostics::new();
    visit(config, &mut |module, name, source| {
        if let Some(error) = second_local_name(&mut named, &module, &name, &source) {
            diags.push(error);
        }
        let Some((first_source, first_module)) = chosen.get(&name) else {
            chosen.insert(name, (source, module));
            return;
        };
        if *first_source != source {
            diags.push(Diagnostic::error(
                "Unsupported by tenantform: one provider local name for two providers",
                format!(
                    "The {module} uses the local name {name:?} for provider {source:?}, but \
                     the {first_module} uses it for {first_source:?}. tenantform passes \
                     provider configurations to modules by local name only, so a local name \
                     must mean the same provider in every module; use the same source \
                     address, or another local name."
                ),
            ));
        }
    });
    diags
}

/// The error for `source` used under `name` when an earlier module uses it under another
/// local name (the built-in provider, which has no configuration, excepted).
fn second_local_name(
    named: &mut BTreeMap<String, (String, String)>,
    module: &str,
    name: &str,
    source: &str,
) -> Option<Diagnostic> {
    if source == crate::providers::builtin::SOURCE {
        return None;
    }
    let Some((first_name, first_module)) = named.get(source) else {
        named.insert(source.to_string(), (name.to_string(), module.to_string()));
        return None;
    };
    (first_name != name).then(|| {
        Diagnostic::error(
            "Unsupported by tenantform: one provider under two local names",
            format!(
                "The {module} uses provider {source:?} under the local name {name:?}, but the \
                 {first_module} uses it under {first_name:?}. Terraform would give both one \
                 configuration; tenantform passes provider configurations to modules by local \
                 name only, so it would configure the second one separately. Use the local \
                 name {first_name:?} in every module."
            ),
        )
    })
}

/// Calls `each(module, local name, source)` for every provider of every module, the root
/// module first, then its calls depth first.
fn visit(config: &Config, each: &mut impl FnMut(String, String, String)) {
    let module = describe_module(&config.path);
    for (name, source) in module_providers(config) {
        each(module.clone(), name, source);
    }
    for child in config.children.values() {
        visit(child, each);
    }
}

/// The providers one module uses: those its resources and `provider` blocks name, and its
/// `required_providers`, with Terraform's implied source where it declares none.
fn module_providers(config: &Config) -> BTreeMap<String, String> {
    let used = config
        .resources
        .values()
        .chain(config.checks.values().flat_map(|check| check.data.iter()))
        .map(|resource| resource.provider.clone())
        .chain(config.providers.values().map(|p| p.name.clone()))
        .chain(config.required_providers.keys().cloned());
    used.map(|name| {
        let source = config
            .required_providers
            .get(&name)
            .map(|r| r.source.clone())
            .unwrap_or_else(|| crate::config::default_source(&name));
        (name, source)
    })
    .collect()
}

/// How messages name a module: `root module`, or `module module.a.module.b`.
fn describe_module(path: &[String]) -> String {
    if path.is_empty() {
        return "root module".to_string();
    }
    let calls: Vec<String> = path.iter().map(|name| format!("module.{name}")).collect();
    format!("module {}", calls.join("."))
}

#[cfg(test)]
mod tests;
