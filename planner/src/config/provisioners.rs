//! `provisioner` blocks of managed resources: Terraform's `local-exec`, run after an object
//! is created (`when = create`, the default) or before it is destroyed (`when = destroy`),
//! failing the apply or only warning (`on_failure = fail | continue`). The other provisioner
//! types and `connection` blocks are refused by name.

use hcl_edit::Span;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body};

use super::load::Loader;
use crate::diags::SourceRange;

/// The only provisioner type tenantform runs.
pub(crate) const LOCAL_EXEC: &str = "local-exec";
/// The arguments a `local-exec` provisioner takes.
pub(super) const LOCAL_EXEC_ARGUMENTS: &[&str] = &[
    "command",
    "interpreter",
    "working_dir",
    "environment",
    "quiet",
];

/// When a provisioner runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ProvisionerWhen {
    Create,
    Destroy,
}

/// What a failed provisioner does to the apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OnFailure {
    /// The apply fails; a created object is tainted.
    Fail,
    /// The failure is a warning and the apply goes on.
    Continue,
}

/// A `provisioner "local-exec"` block.
#[derive(Clone, Debug)]
pub(crate) struct Provisioner {
    /// The body without `when` and `on_failure`: the provisioner's own arguments.
    pub body: Body,
    pub when: ProvisionerWhen,
    pub on_failure: OnFailure,
    pub file: String,
    /// The block header, `provisioner "local-exec"`.
    pub range: SourceRange,
}

impl Loader {
    /// Takes the `provisioner` and `connection` blocks out of a managed resource's body.
    pub(super) fn provisioners(&mut self, body: &mut Body) -> Vec<Provisioner> {
        for connection in body.remove_blocks("connection") {
            self.error(
                "Unsupported block type",
                "connection blocks are not supported by tenantform: they serve the \
                 remote-exec and file provisioners, which tenantform does not run.",
                connection.ident.span(),
            );
        }
        body.remove_blocks("provisioner")
            .iter()
            .filter_map(|block| self.provisioner(block))
            .collect()
    }

    pub(super) fn provisioner(&mut self, block: &Block) -> Option<Provisioner> {
        let labels = self.labels(block, &["type"])?;
        if labels[0] != LOCAL_EXEC {
            self.error(
                "Unsupported provisioner",
                format!(
                    "The {:?} provisioner is not supported by tenantform; only \"local-exec\" \
                     is.",
                    labels[0]
                ),
                block.labels[0].span(),
            );
            return None;
        }
        let mut body = block.body.clone();
        let when = match body.remove_attribute("when") {
            Some(attr) => self.keyword(&attr.value, "when", &["create", "destroy"])?,
            None => "create".to_string(),
        };
        let on_failure = match body.remove_attribute("on_failure") {
            Some(attr) => self.keyword(&attr.value, "on_failure", &["continue", "fail"])?,
            None => "fail".to_string(),
        };
        self.check_arguments(&body, LOCAL_EXEC_ARGUMENTS, &[]);
        self.required_attribute(&body, "command", Self::header_span(block))?;
        Some(Provisioner {
            body,
            when: if when == "destroy" {
                ProvisionerWhen::Destroy
            } else {
                ProvisionerWhen::Create
            },
            on_failure: if on_failure == "continue" {
                OnFailure::Continue
            } else {
                OnFailure::Fail
            },
            file: self.file.clone(),
            range: self.range_or_start(Self::header_span(block)),
        })
    }

    /// A bare keyword argument (`when = destroy`), one of `allowed`.
    fn keyword(&mut self, expr: &Expression, name: &str, allowed: &[&str]) -> Option<String> {
        if let Expression::Variable(word) = expr
            && allowed.contains(&word.value().as_str())
        {
            return Some(word.value().to_string());
        }
        self.error(
            &format!("Invalid \"{name}\" keyword"),
            format!(
                "The \"{name}\" argument requires one of the following keywords: {}.",
                allowed.join(" or ")
            ),
            expr.span(),
        );
        None
    }
}
