//! Decoding of a resource's `lifecycle` block (`create_before_destroy`, `prevent_destroy`,
//! `ignore_changes`, `replace_triggered_by`, `precondition`, `postcondition`) and of
//! condition blocks in general (`precondition`, `postcondition`, `assert`).

use hcl_edit::Span;
use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::{Block, Body};
use tenantform_proto::value::{AttributePath, PathStep};

use super::load::Loader;
use super::{Condition, IgnoreChanges, Lifecycle};
use crate::addrs::ResourceMode;

impl Loader {
    /// A data resource's `lifecycle` allows only conditions, as in Terraform.
    fn data_lifecycle_arguments(&mut self, body: &Body) {
        self.check_blocks(body, &["precondition", "postcondition"]);
        for attr in body.attributes() {
            let name = attr.key.value().as_str();
            self.error(
                "Invalid data resource lifecycle argument",
                format!(
                    "The lifecycle argument \"{name}\" is defined only for managed resources \
                     (\"resource\" blocks), and is not valid for data resources."
                ),
                attr.key.span(),
            );
        }
    }

    /// The rules of a `lifecycle` block body.
    pub(super) fn lifecycle(&mut self, body: &Body, mode: ResourceMode) -> Lifecycle {
        match mode {
            ResourceMode::Managed => {
                self.refuse_blocks(
                    body,
                    "lifecycle",
                    &[("action_trigger", "actions are not implemented.")],
                );
                self.check_arguments(
                    body,
                    &[
                        "create_before_destroy",
                        "prevent_destroy",
                        "ignore_changes",
                        "replace_triggered_by",
                    ],
                    &["precondition", "postcondition", "action_trigger"],
                );
            }
            ResourceMode::Data => self.data_lifecycle_arguments(body),
        }
        let create_before_destroy = self.optional_bool(body, "create_before_destroy", false);
        let prevent_destroy = self.optional_bool(body, "prevent_destroy", false);
        let ignore_changes = match body.get_attribute("ignore_changes") {
            Some(attr) => self.ignore_changes(&attr.value),
            None => IgnoreChanges::Paths(Vec::new()),
        };
        let replace_triggered_by = match body.get_attribute("replace_triggered_by") {
            Some(attr) => match &attr.value {
                Expression::Array(items) => items.iter().cloned().collect(),
                other => {
                    self.error(
                        "Invalid replace_triggered_by expression",
                        "The replace_triggered_by argument requires a list of resource or \
                         attribute references.",
                        other.span(),
                    );
                    Vec::new()
                }
            },
            None => Vec::new(),
        };
        Lifecycle {
            create_before_destroy,
            prevent_destroy,
            ignore_changes,
            replace_triggered_by,
            preconditions: self.conditions(body, "precondition"),
            postconditions: self.conditions(body, "postcondition"),
        }
    }

    fn ignore_changes(&mut self, expr: &Expression) -> IgnoreChanges {
        if let Expression::Variable(name) = expr
            && name.value().as_str() == "all"
        {
            return IgnoreChanges::All;
        }
        let Expression::Array(items) = expr else {
            self.error(
                "Invalid ignore_changes",
                "The ignore_changes argument must be a list of attribute references, or the \
                 keyword \"all\".",
                expr.span(),
            );
            return IgnoreChanges::Paths(Vec::new());
        };
        let mut paths = Vec::new();
        for item in items {
            match attribute_path(item) {
                Some(path) => paths.push(path),
                None => self.error(
                    "Invalid ignore_changes",
                    "An attribute reference is required here, such as \"labels\" or \
                     \"labels[\\\"team\\\"]\".",
                    item.span(),
                ),
            }
        }
        IgnoreChanges::Paths(paths)
    }

    /// Every condition block of type `kind` in `body`.
    pub(super) fn conditions(&mut self, body: &Body, kind: &str) -> Vec<Condition> {
        let blocks: Vec<Block> = body.get_blocks(kind).cloned().collect();
        blocks
            .iter()
            .filter_map(|block| self.condition(block))
            .collect()
    }

    fn condition(&mut self, block: &Block) -> Option<Condition> {
        self.labels(block, &[])?;
        self.check_arguments(&block.body, &["condition", "error_message"], &[]);
        let header = Self::header_span(block);
        let condition = self
            .required_attribute(&block.body, "condition", header.clone())?
            .value
            .clone();
        let error_message = self
            .required_attribute(&block.body, "error_message", header.clone())?
            .value
            .clone();
        let range = self.range_or_start(condition.span().or(header));
        Some(Condition {
            condition,
            error_message,
            file: self.file.clone(),
            range,
        })
    }
}

/// An attribute path written as a traversal (`labels["team"]`, `contact[0].email`).
fn attribute_path(expr: &Expression) -> Option<AttributePath> {
    let (root, ops) = match expr {
        Expression::Variable(name) => (name.value().to_string(), &[][..]),
        Expression::Traversal(traversal) => match &traversal.expr {
            Expression::Variable(name) => {
                (name.value().to_string(), traversal.operators.as_slice())
            }
            _ => return None,
        },
        _ => return None,
    };
    let mut steps = vec![PathStep::Attribute(root)];
    for op in ops {
        steps.push(match op.value() {
            TraversalOperator::GetAttr(name) => PathStep::Attribute(name.value().to_string()),
            TraversalOperator::Index(Expression::String(key)) => {
                PathStep::StringKey(key.value().clone())
            }
            TraversalOperator::Index(Expression::Number(n)) => {
                PathStep::IntKey(n.value().as_i64()?)
            }
            TraversalOperator::LegacyIndex(n) => PathStep::IntKey(i64::try_from(*n.value()).ok()?),
            _ => return None,
        });
    }
    Some(AttributePath(steps))
}
