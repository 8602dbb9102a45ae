//! Decoding of `module` calls and `check` blocks.

use hcl_edit::Span;
use hcl_edit::structure::Block;

use super::load::{CHECK_NAMES, Loader, MODULE_CALL_NAMES};
use super::unsupported::RefusedArgument;
use super::{Check, Config, ModuleCall};
use crate::addrs::ResourceMode;

/// Module call arguments of Terraform 1.15 that tenantform does not implement.
const REFUSED_MODULE_ARGUMENTS: &[RefusedArgument] = &[
    (
        "version",
        "only local modules (sources starting with \"./\" or \"../\") are supported, and \
         they have no version.",
    ),
    (
        "providers",
        "passing provider configurations to a module is not implemented; a module uses \
         its caller's default provider configurations.",
    ),
    (
        "ignore_nested_deprecations",
        "deprecation warnings are not implemented.",
    ),
];

impl Loader {
    pub(super) fn module_block(&mut self, block: &Block) {
        let declared =
            |config: &Config, name: &str| config.module_calls.get(name).map(|c| c.range.clone());
        let Some(name) = self.unique_block_name(block, "module", &MODULE_CALL_NAMES, declared)
        else {
            return;
        };
        let header = Self::header_span(block);
        let mut body = block.body.clone();
        let Some(source_attr) = body.remove_attribute("source") else {
            self.error(
                "Missing required argument",
                "The argument \"source\" is required, but no definition was found.",
                header,
            );
            return;
        };
        let source_range = self.range_or_start(source_attr.value.span());
        let Some(source) = self.constant_string(&source_attr.value, "source") else {
            return;
        };
        self.refuse_arguments(&body, "module", REFUSED_MODULE_ARGUMENTS);
        for name in ["version", "providers", "ignore_nested_deprecations"] {
            body.remove_attribute(name);
        }
        let (count, for_each) = self.repetition(&mut body);
        let depends_on = self.take_depends_on(&mut body);
        for nested in body.blocks() {
            if nested.ident.value().as_str() == "_" {
                self.not_supported(
                    "The \"_\" block in module blocks",
                    "the meta-argument escaping block is not implemented; name the module's \
                     variables differently from the meta-arguments.",
                    nested.ident.span(),
                );
                continue;
            }
            self.error(
                "Unsupported block type",
                format!(
                    "Blocks of type \"{}\" are not expected here.",
                    nested.ident.value()
                ),
                nested.ident.span(),
            );
        }
        let call = ModuleCall {
            name: name.clone(),
            source,
            source_range,
            inputs: body,
            count,
            for_each,
            depends_on,
            file: self.file.clone(),
            range: self.range_or_start(header),
        };
        self.config.module_calls.insert(name, call);
    }

    pub(super) fn check_block(&mut self, block: &Block) {
        let declared =
            |config: &Config, name: &str| config.checks.get(name).map(|c| c.range.clone());
        let Some(name) = self.unique_block_name(block, "check", &CHECK_NAMES, declared) else {
            return;
        };
        let header = Self::header_span(block);
        self.check_arguments(&block.body, &[], &["data", "assert"]);
        let mut data = Vec::new();
        for nested in block.body.get_blocks("data") {
            if let Some(resource) = self.resource(nested, ResourceMode::Data, Some(&name)) {
                data.push(resource);
            }
        }
        let asserts = self.conditions(&block.body, "assert");
        if asserts.is_empty() {
            self.error(
                "Missing assert block",
                "A check block must contain at least one assert block.",
                header.clone(),
            );
        }
        let check = Check {
            data,
            asserts,
            range: self.range_or_start(header),
        };
        self.config.checks.insert(name, check);
    }
}
