//! Refusal of the configuration constructs Terraform 1.15 accepts and tenantform does not
//! implement: each is rejected with an error naming it, never accepted and ignored. Also
//! the `terraform` block's settings that are checked rather than stored (`required_version`,
//! `language`, `experiments`).

use std::ops::Range;

use hcl_edit::Span;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body};

use super::load::Loader;
use super::version_constraint::{COMPATIBLE_TERRAFORM_VERSION, version_meets};

/// An argument tenantform refuses: its name and why.
pub(super) type RefusedArgument = (&'static str, &'static str);

/// Top-level block types of Terraform 1.15 that tenantform refuses, with the reason.
const REFUSED_TOP_LEVEL_BLOCKS: &[(&str, &str)] = &[
    (
        "ephemeral",
        "ephemeral resources are not implemented; declare a managed resource or a data \
         source instead.",
    ),
    ("action", "actions are not implemented."),
];

impl Loader {
    /// Reports `what` (named as the user wrote it) as not supported by tenantform.
    pub(super) fn not_supported(&mut self, what: &str, why: &str, span: Option<Range<usize>>) {
        self.error(
            &format!("Unsupported by tenantform: {what}"),
            format!("{what} is not supported by tenantform: {why}"),
            span,
        );
    }

    /// Refuses a top-level block Terraform accepts; false when `kind` is none of them.
    pub(super) fn refused_top_level_block(&mut self, block: &Block) -> bool {
        let kind = block.ident.value().as_str();
        let Some((_, why)) = REFUSED_TOP_LEVEL_BLOCKS.iter().find(|(k, _)| *k == kind) else {
            return false;
        };
        self.not_supported(
            &format!("The \"{kind}\" block"),
            why,
            Self::header_span(block),
        );
        true
    }

    /// Refuses each argument of `body` that `refused` lists, naming it and the block kind.
    pub(super) fn refuse_arguments(
        &mut self,
        body: &Body,
        kind: &str,
        refused: &[RefusedArgument],
    ) {
        for (name, why) in refused {
            if let Some(attr) = body.get_attribute(name) {
                let what = format!("The \"{name}\" argument of {kind} blocks");
                self.not_supported(&what, why, attr.key.span());
            }
        }
    }

    /// Refuses each nested block of `body` that `refused` lists.
    pub(super) fn refuse_blocks(&mut self, body: &Body, kind: &str, refused: &[RefusedArgument]) {
        for block in body.blocks() {
            let name = block.ident.value().as_str();
            if let Some((_, why)) = refused.iter().find(|(n, _)| *n == name) {
                let what = format!("The \"{name}\" block in {kind} blocks");
                self.not_supported(&what, why, block.ident.span());
            }
        }
    }

    /// Checks `required_version`, `language` and `experiments` of a `terraform` block and
    /// refuses its `cloud` and `provider_meta` blocks.
    pub(super) fn terraform_settings(&mut self, body: &Body) {
        if let Some(attr) = body.get_attribute("required_version") {
            self.required_version(&attr.value);
        }
        if let Some(attr) = body.get_attribute("language") {
            self.language_edition(&attr.value);
        }
        if let Some(attr) = body.get_attribute("experiments") {
            self.error(
                "Module uses experimental features",
                "Experimental features are intended only for gathering early feedback on \
                 new language designs, and so are available only in alpha releases of \
                 Terraform. The \"experiments\" argument is not supported by tenantform.",
                attr.key.span(),
            );
        }
        self.refuse_blocks(
            body,
            "terraform",
            &[
                (
                    "cloud",
                    "HCP Terraform and Terraform Enterprise are not available; use a \
                     \"backend\" block (local or pg).",
                ),
                (
                    "provider_meta",
                    "provider metadata is not sent to providers.",
                ),
            ],
        );
    }

    /// Refuses a `terraform { encryption { ... } }` block as Terraform does (an unsupported
    /// block type), pointing to `TF_ENCRYPTION`, where tenantform reads OpenTofu's
    /// encryption settings so that configuration files stay valid for Terraform.
    pub(super) fn encryption_blocks(&mut self, body: &Body) {
        for block in body.get_blocks("encryption") {
            self.error(
                "Unsupported block type",
                "Blocks of type \"encryption\" are not expected here. tenantform reads \
                 OpenTofu's encryption settings only from the TF_ENCRYPTION environment \
                 variable (the body of this block, in HCL), so that configuration files \
                 stay valid for Terraform; move the block's content there.",
                block.ident.span(),
            );
        }
    }

    fn required_version(&mut self, expr: &Expression) {
        let Some(constraint) = self.constant_string(expr, "required_version") else {
            return;
        };
        match version_meets(COMPATIBLE_TERRAFORM_VERSION, &constraint) {
            Ok(true) => {}
            Ok(false) => self.error(
                "Unsupported Terraform Core version",
                format!(
                    "This configuration does not support Terraform version \
                     {COMPATIBLE_TERRAFORM_VERSION} (the version whose language tenantform \
                     implements). To proceed, either choose another supported Terraform \
                     version or update this version constraint. Version constraints are \
                     normally set for good reason, so updating the constraint may lead to \
                     other errors or unexpected behavior."
                ),
                expr.span(),
            ),
            Err(term) => self.error(
                "Invalid version constraint",
                format!(
                    "This string does not use correct version constraint syntax: {term:?} is \
                     not a version constraint."
                ),
                expr.span(),
            ),
        }
    }

    fn language_edition(&mut self, expr: &Expression) {
        let keyword = match expr {
            Expression::Variable(name) => Some(name.as_str().to_string()),
            _ => None,
        };
        match keyword.as_deref() {
            Some("TF2021") => {}
            Some(_) => self.error(
                "Unsupported language edition",
                format!(
                    "Terraform v{COMPATIBLE_TERRAFORM_VERSION} only supports language edition \
                     TF2021. This module requires a different version of Terraform CLI."
                ),
                expr.span(),
            ),
            None => self.error(
                "Invalid language edition",
                format!(
                    "The language argument expects a bare language edition keyword. Terraform \
                     {COMPATIBLE_TERRAFORM_VERSION} supports only language edition TF2021, \
                     which is the default."
                ),
                expr.span(),
            ),
        }
    }
}
