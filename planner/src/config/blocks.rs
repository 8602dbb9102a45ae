//! Decoding of the `terraform`, `provider`, `variable`, `locals` and `output` blocks.

use hcl_edit::Span;
use hcl_edit::structure::Block;
use tenantform_proto::value::{Type, Value};

use super::load::{
    LOCAL_NAMES, Loader, OUTPUT_NAMES, VARIABLE_NAMES, default_source, is_identifier,
};
use super::unsupported::RefusedArgument;
use super::{Local, Output, ProviderConfig, ProviderRequirement, Variable, VariableValidation};

/// Names a variable may not have, reserved for module call arguments.
const RESERVED_VARIABLE_NAMES: &[&str] = &[
    "count",
    "depends_on",
    "for_each",
    "lifecycle",
    "locals",
    "providers",
    "source",
    "version",
];

/// Variable arguments of Terraform 1.15 that tenantform does not implement.
const REFUSED_VARIABLE_ARGUMENTS: &[RefusedArgument] = &[
    (
        "ephemeral",
        "ephemeral values are not implemented; every variable value may be stored in plans.",
    ),
    (
        "deprecated",
        "deprecation warnings for variables are not implemented.",
    ),
    ("const", "constant variables are not implemented."),
];

/// Output arguments of Terraform 1.15 that tenantform does not implement.
const REFUSED_OUTPUT_ARGUMENTS: &[RefusedArgument] = &[
    (
        "ephemeral",
        "ephemeral values are not implemented; every output value is stored in the state.",
    ),
    (
        "deprecated",
        "deprecation warnings for outputs are not implemented.",
    ),
    ("type", "type constraints on outputs are not implemented."),
];

/// Output blocks of Terraform 1.15 that tenantform does not implement.
const REFUSED_OUTPUT_BLOCKS: &[RefusedArgument] = &[(
    "precondition",
    "output preconditions are not checked yet; use a precondition in a resource's \
     lifecycle block or a check block.",
)];

impl Loader {
    pub(super) fn terraform_block(&mut self, block: &Block) {
        if self.labels(block, &[]).is_none() {
            return;
        }
        self.check_arguments(
            &block.body,
            &["required_version", "experiments", "language"],
            &[
                "required_providers",
                "backend",
                "cloud",
                "provider_meta",
                "encryption",
            ],
        );
        self.encryption_blocks(&block.body);
        self.terraform_settings(&block.body);
        self.backend_blocks(block);
        for required in block.body.get_blocks("required_providers") {
            let here = self.range_or_start(Self::header_span(required));
            if let Some(previous) = self.required_providers_at.clone() {
                self.error(
                    "Duplicate required providers configuration",
                    format!(
                        "A module may have only one required providers configuration. The \
                         required providers were previously configured at {}.",
                        previous.short()
                    ),
                    Self::header_span(required),
                );
                continue;
            }
            self.required_providers_at = Some(here);
            if self.labels(required, &[]).is_none() {
                continue;
            }
            self.check_blocks(&required.body, &[]);
            let body = required.body.clone();
            for attr in body.attributes() {
                let name = attr.key.value().to_string();
                if let Some(span) = configuration_aliases_span(&attr.value) {
                    self.not_supported(
                        "The \"configuration_aliases\" argument in required_providers",
                        "a module receives only its caller's default provider \
                         configurations, since module \"providers\" arguments are not \
                         implemented.",
                        span,
                    );
                    continue;
                }
                if let Some(requirement) = self.provider_requirement(&name, &attr.value) {
                    self.config.required_providers.insert(name, requirement);
                }
            }
        }
    }

    fn provider_requirement(
        &mut self,
        name: &str,
        expr: &hcl_edit::expr::Expression,
    ) -> Option<ProviderRequirement> {
        let value = self.constant(expr, &Type::Dynamic, name)?;
        let (source, version) = match value {
            // The legacy form: NAME = "VERSION CONSTRAINT".
            Value::String(version) => (None, Some(version)),
            Value::Object(entries) | Value::Map(entries) => {
                let mut source = None;
                let mut version = None;
                for (key, item) in entries {
                    match (key.as_str(), item) {
                        ("source", Value::String(s)) => source = Some(s),
                        ("version", Value::String(v)) => version = Some(v),
                        ("configuration_aliases", _) => {}
                        _ => {
                            self.error(
                                "Invalid required_providers object",
                                "required_providers objects can only contain \"version\", \
                                 \"source\" and \"configuration_aliases\" attributes. To \
                                 configure a provider, use a \"provider\" block.",
                                expr.span(),
                            );
                            return None;
                        }
                    }
                }
                (source, version)
            }
            _ => {
                self.error(
                    "Invalid required_providers object",
                    "required_providers entries must be objects with a \"source\" and a \
                     \"version\" attribute.",
                    expr.span(),
                );
                return None;
            }
        };
        let source = match source {
            None => default_source(name),
            Some(text) => match normalize_source(&text) {
                Some(source) => source,
                None => {
                    self.error(
                        "Invalid provider source string",
                        format!(
                            "The \"source\" attribute must be in the format \
                             \"[hostname/][namespace/]name\", but {text:?} is not."
                        ),
                        expr.span(),
                    );
                    return None;
                }
            },
        };
        Some(ProviderRequirement { source, version })
    }

    pub(super) fn provider_block(&mut self, block: &Block) {
        let Some(name) = self.block_name(block, "provider local") else {
            return;
        };
        if !self.config.path.is_empty() {
            self.not_supported(
                "A provider block in a child module",
                "modules use the root module's provider configurations; move the \
                 configuration to the root module.",
                Self::header_span(block),
            );
            return;
        }
        let mut body = block.body.clone();
        self.refuse_arguments(
            &body,
            "provider",
            &[(
                "alias",
                "alternate provider configurations are not implemented; each provider has \
                 one (default) configuration.",
            )],
        );
        let alias = match body.remove_attribute("alias") {
            Some(attr) => match self.constant_string(&attr.value, "alias") {
                Some(alias) if is_identifier(&alias) => Some(alias),
                Some(_) => {
                    self.error(
                        "Invalid provider configuration alias",
                        "An alias must be a valid name. A name must start with a letter or \
                         underscore and may contain only letters, digits, underscores, and \
                         dashes.",
                        attr.value.span(),
                    );
                    return;
                }
                None => return,
            },
            None => None,
        };
        self.refuse_arguments(
            &body,
            "provider",
            &[(
                "version",
                "version constraints in provider blocks are deprecated in Terraform; declare \
                 them in required_providers.",
            )],
        );
        let key = match &alias {
            Some(alias) => format!("{name}.{alias}"),
            None => name.clone(),
        };
        let header = Self::header_span(block);
        let range = self.range_or_start(header.clone());
        if let Some(previous) = self.config.providers.get(&key) {
            let detail = match &alias {
                None => format!(
                    "A default (non-aliased) provider configuration for \"{name}\" was already \
                     given at {}. If multiple configurations are required, set the \"alias\" \
                     argument for alternative configurations.",
                    previous.range.short()
                ),
                Some(alias) => format!(
                    "A provider configuration for \"{name}\" with alias \"{alias}\" was already \
                     given at {}. Each configuration for the same provider must have a unique \
                     alias.",
                    previous.range.short()
                ),
            };
            self.error("Duplicate provider configuration", detail, header);
            return;
        }
        let file = self.file.clone();
        self.config.providers.insert(
            key,
            ProviderConfig {
                name,
                body,
                file,
                range,
            },
        );
    }

    pub(super) fn variable_block(&mut self, block: &Block) {
        let Some(name) = self.block_name(block, "variable") else {
            return;
        };
        if RESERVED_VARIABLE_NAMES.contains(&name.as_str()) {
            self.error(
                "Invalid variable name",
                format!(
                    "The variable name \"{name}\" is reserved due to its special meaning inside \
                     module blocks."
                ),
                block.labels[0].span(),
            );
            return;
        }
        let body = &block.body;
        self.check_arguments(
            body,
            &[
                "default",
                "description",
                "sensitive",
                "type",
                "nullable",
                "ephemeral",
                "deprecated",
                "const",
            ],
            &["validation"],
        );
        self.refuse_arguments(body, "variable", REFUSED_VARIABLE_ARGUMENTS);
        let description = self.optional_string(body, "description");
        let sensitive = self.optional_bool(body, "sensitive", false);
        let nullable = self.optional_bool(body, "nullable", true);
        let validations = self.variable_validations(body);
        let header = Self::header_span(block);
        let range = self.range_or_start(header.clone());
        let previous = self.config.variables.get(&name).map(|p| p.range.clone());
        if self.redeclared(&VARIABLE_NAMES, &name, previous, header.clone()) {
            return;
        }
        let variable = Variable {
            name: name.clone(),
            default: body.get_attribute("default").map(|a| a.value.clone()),
            description,
            sensitive,
            type_constraint: body.get_attribute("type").map(|a| a.value.clone()),
            nullable,
            validations,
            file: self.file.clone(),
            range,
        };
        self.config.variables.insert(name, variable);
    }

    /// The `validation` blocks of a variable; each needs `condition` and `error_message`.
    fn variable_validations(
        &mut self,
        body: &hcl_edit::structure::Body,
    ) -> Vec<VariableValidation> {
        let mut validations = Vec::new();
        for validation in body.get_blocks("validation") {
            if self.labels(validation, &[]).is_none() {
                continue;
            }
            self.check_arguments(&validation.body, &["condition", "error_message"], &[]);
            let header = Self::header_span(validation);
            let mut argument = |name: &str| match validation.body.get_attribute(name) {
                Some(attr) => Some(attr.value.clone()),
                None => {
                    self.error(
                        "Missing required argument",
                        format!(
                            "The argument \"{name}\" is required, but no definition was found."
                        ),
                        header.clone(),
                    );
                    None
                }
            };
            let (Some(condition), Some(error_message)) =
                (argument("condition"), argument("error_message"))
            else {
                continue;
            };
            validations.push(VariableValidation {
                condition,
                error_message,
                range: self.range_or_start(header),
            });
        }
        validations
    }

    pub(super) fn locals_block(&mut self, block: &Block) {
        if self.labels(block, &[]).is_none() {
            return;
        }
        self.check_blocks(&block.body, &[]);
        for attr in block.body.attributes() {
            let name = attr.key.value().to_string();
            let span = attr.key.span();
            if !is_identifier(&name) {
                self.error(
                    "Invalid local value name",
                    "A name must start with a letter or underscore and may contain only \
                     letters, digits, underscores, and dashes.",
                    span,
                );
                continue;
            }
            let previous = self.config.locals.get(&name).map(|p| p.range.clone());
            if self.redeclared(&LOCAL_NAMES, &name, previous, span.clone()) {
                continue;
            }
            let local = Local {
                name: name.clone(),
                expr: attr.value.clone(),
                file: self.file.clone(),
                range: self.range_or_start(span),
            };
            self.config.locals.insert(name, local);
        }
    }

    pub(super) fn output_block(&mut self, block: &Block) {
        let Some(name) = self.block_name(block, "output") else {
            return;
        };
        let body = &block.body;
        self.check_arguments(
            body,
            &[
                "value",
                "description",
                "sensitive",
                "depends_on",
                "ephemeral",
                "deprecated",
                "type",
            ],
            &["precondition"],
        );
        self.refuse_arguments(body, "output", REFUSED_OUTPUT_ARGUMENTS);
        self.refuse_blocks(body, "output", REFUSED_OUTPUT_BLOCKS);
        let header = Self::header_span(block);
        let Some(value) = self.required_attribute(body, "value", header.clone()) else {
            return;
        };
        let description = self.optional_string(body, "description");
        let sensitive = self.optional_bool(body, "sensitive", false);
        let depends_on = match body.get_attribute("depends_on") {
            Some(attr) => self.depends_on(&attr.value),
            None => super::DependsOn::default(),
        };
        let range = self.range_or_start(header.clone());
        let previous = self.config.outputs.get(&name).map(|p| p.range.clone());
        if self.redeclared(&OUTPUT_NAMES, &name, previous, header.clone()) {
            return;
        }
        let output = Output {
            name: name.clone(),
            expr: value.value.clone(),
            depends_on,
            sensitive,
            description,
            file: self.file.clone(),
            range,
        };
        self.config.outputs.insert(name, output);
    }
}

/// `ns/name` or `host/ns/name` (or a bare `name`, meaning `hashicorp/name`) as a fully
/// qualified, lower-case source address.
pub(super) fn normalize_source(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.trim().split('/').collect();
    let valid_part =
        |p: &&str| !p.is_empty() && p.chars().all(|c| c.is_alphanumeric() || "-_.".contains(c));
    if !parts.iter().all(valid_part) {
        return None;
    }
    let full = match parts.as_slice() {
        [name] => format!("registry.terraform.io/hashicorp/{name}"),
        [namespace, name] => format!("registry.terraform.io/{namespace}/{name}"),
        [host, namespace, name] => format!("{host}/{namespace}/{name}"),
        _ => return None,
    };
    Some(full.to_lowercase())
}

/// The span of the `configuration_aliases` key when `expr` is an object that has one.
fn configuration_aliases_span(
    expr: &hcl_edit::expr::Expression,
) -> Option<Option<std::ops::Range<usize>>> {
    let hcl_edit::expr::Expression::Object(object) = expr else {
        return None;
    };
    object.iter().find_map(|(key, _)| match key {
        hcl_edit::expr::ObjectKey::Ident(ident) if ident.as_str() == "configuration_aliases" => {
            Some(ident.span())
        }
        _ => None,
    })
}
