//! References resolved in place: `var.NAME`, `local.NAME`, `each.value`, `module.NAME`,
//! `TYPE.NAME` and `for` variables followed by attribute accesses that each find their
//! attribute walk the referred value by reference and copy only the part they name
//! (`tenant.this.id` copies an id, not the tenant's whole object). Anything else (a missing
//! attribute, a null or unknown part, an index, a splat) is left to the general path from
//! where the walk stopped, which reports problems as it always does.

use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::{Decorated, Ident};
use tenantform_proto::value::Value;

use super::Subject;
use super::eval::Evaluator;
use super::marks::{Marked, Sensitivity};
use super::traversal::attr_name;
use crate::addrs::ResourceAddr;

impl Evaluator<'_> {
    /// The part of the value `root` names that the leading attribute accesses of `ops` reach,
    /// with its marks, and how many operators it used; `None` when the general path must
    /// resolve the root.
    pub(super) fn shared_reference(
        &self,
        root: &Decorated<Ident>,
        ops: &[Decorated<TraversalOperator>],
    ) -> Option<(Marked, usize)> {
        let name = root.value().as_str();
        if let Some(bound) = self.lookup_scope(name) {
            // A `for` variable or function parameter: its attributes walked from it.
            let (value, marks, consumed) = walk_attributes(&bound.value, bound.marks.clone(), ops);
            return (consumed > 0).then(|| (Marked::new(value.clone(), marks), consumed));
        }
        let item = attr_name(ops.first())?;
        let (value, subject) = self.context_root(name, item)?;
        let (value, marks, walked) = walk_attributes(value, self.ctx.marks_of(&subject), &ops[1..]);
        // Without an attribute walked there is nothing to save: the general path resolves it.
        (walked > 0).then(|| (Marked::new(value.clone(), marks), walked + 1))
    }
}

impl<'a> Evaluator<'a> {
    /// The value a reference names when the context holds all of it (`var.NAME`,
    /// `local.NAME`, `each.value`, `module.NAME`, `TYPE.NAME` and attribute accesses into
    /// them), borrowed, with its marks; `None` for anything else, which is evaluated (and
    /// its problems reported) as always.
    pub(super) fn context_value(&self, expr: &Expression) -> Option<(&'a Value, Sensitivity)> {
        let Expression::Traversal(traversal) = expr else {
            return None;
        };
        let Expression::Variable(root) = &traversal.expr else {
            return None;
        };
        let name = root.value().as_str();
        if self.lookup_scope(name).is_some() {
            return None;
        }
        let ops = &traversal.operators;
        let (value, subject) = self.context_root(name, attr_name(ops.first())?)?;
        let (value, marks, walked) = walk_attributes(value, self.ctx.marks_of(&subject), &ops[1..]);
        (walked + 1 == ops.len()).then_some((value, marks))
    }

    /// The value the context holds for the reference `NAME.ITEM` (`var.NAME`, `local.NAME`,
    /// `each.value`, `module.NAME` whole, a managed resource `TYPE.NAME`), with what names
    /// it; `None` for the others and for what the context does not hold.
    fn context_root(&self, name: &str, item: &str) -> Option<(&'a Value, Subject)> {
        let ctx: &'a super::EvalContext = self.ctx;
        Some(match name {
            "var" => (
                ctx.variables.get(item)?,
                Subject::Variable(item.to_string()),
            ),
            "local" => (ctx.locals.get(item)?, Subject::Local(item.to_string())),
            "each" if item == "value" => (ctx.each_value.as_ref()?, Subject::Each),
            "module" => (
                ctx.modules.get(item)?,
                Subject::Module {
                    call: item.to_string(),
                    output: None,
                },
            ),
            "count" | "each" | "self" | "path" | "terraform" | "data" => return None,
            type_name => {
                let addr = ResourceAddr::managed(type_name, item);
                (ctx.resources.get(&addr)?, Subject::Resource(addr))
            }
        })
    }
}

/// The part of `value` the leading attribute accesses of `ops` name, as far as they exist,
/// with its marks, and how many accesses were walked.
fn walk_attributes<'v>(
    mut value: &'v Value,
    mut marks: Sensitivity,
    ops: &[Decorated<TraversalOperator>],
) -> (&'v Value, Sensitivity, usize) {
    let mut walked = 0;
    for op in ops {
        let Some(attr) = attr_name(Some(op)) else {
            break;
        };
        let next = match value {
            Value::Object(entries) | Value::Map(entries) => entries.get(attr),
            _ => None,
        };
        let Some(next) = next else {
            break;
        };
        marks = marks.attribute(attr);
        value = next;
        walked += 1;
    }
    (value, marks, walked)
}
