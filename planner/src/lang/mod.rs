//! Expression evaluation with unknown values: references, operators, function calls and
//! schema-driven decoding of a block body into a cty object.
//!
//! The work is split by concern: [`references`] finds what expressions refer to, `eval`
//! (with `traversal`, `template`, `for_expr` and `operators`) computes values, [`functions`]
//! holds the built-in function library, `convert` applies cty's conversion rules and
//! `decode` turns a block body into an object conforming to a provider schema.

mod binding;
mod convert;
mod decode;
mod dynamic;
mod eval;
mod for_expr;
pub(crate) mod functions;
mod heredoc;
pub(crate) mod marks;
mod operators;
pub(crate) mod parse;
pub(crate) mod references;
mod shared_reference;
mod template;
mod traversal;
pub(crate) mod types;
pub(crate) mod unify;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::sync::Arc;

use hcl_edit::expr::Expression;
use hcl_edit::structure::Body;
use tenantform_proto::schema::Block;
use tenantform_proto::value::{Type, Value};

use crate::addrs::ResourceAddr;
use crate::diags::{Diagnostics, SourceRange, Sources};
pub(crate) use decode::decode_body_marked;
pub(crate) use decode::extraneous_label;
pub(crate) use marks::{Marked, Sensitivity};
pub(crate) use references::{body_references, expression_references};

/// What an expression refers to.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Subject {
    Variable(String),
    Local(String),
    Resource(ResourceAddr),
    /// `path.module`, `path.root`, `path.cwd`.
    Path,
    /// `terraform.workspace`.
    Terraform,
    Count,
    Each,
    /// `module.NAME` (whole, `output` is `None`) or `module.NAME.OUTPUT` (also
    /// `module.NAME[KEY].OUTPUT`).
    Module {
        call: String,
        output: Option<String>,
    },
    /// `self` in a postcondition.
    SelfObject,
}

/// A reference with where it is written.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Reference {
    pub subject: Subject,
    pub range: SourceRange,
}

/// The values an expression may refer to.
#[derive(Clone, Debug, Default)]
pub(crate) struct EvalContext {
    /// Shared (`Arc`) so that the context of each instance of a `count`/`for_each` expansion
    /// is a cheap copy of its parent's, whatever the size of the values it can see.
    pub variables: Arc<BTreeMap<String, Value>>,
    pub locals: Arc<BTreeMap<String, Value>>,
    /// A resource's value: its object for a single instance (unknown attributes where the
    /// value is not known yet).
    pub resources: Arc<BTreeMap<ResourceAddr, Value>>,
    pub path_module: String,
    pub path_root: String,
    pub path_cwd: String,
    pub workspace: String,
    /// `count.index` inside a resource with `count`.
    pub count_index: Option<Value>,
    /// `each.key` inside a resource with `for_each`.
    pub each_key: Option<Value>,
    /// `each.value` inside a resource with `for_each`.
    pub each_value: Option<Value>,
    /// `module.NAME`: an object of the call's outputs, or a tuple (count) or object by key
    /// (for_each) of such objects.
    pub modules: Arc<BTreeMap<String, Value>>,
    /// `self` inside a postcondition.
    pub self_value: Option<Value>,
    /// What `plantimestamp()` returns: the time the plan started (unknown while validating);
    /// `None` where there is no plan (the console), where the function does not exist.
    pub plan_timestamp: Option<Value>,
    /// The local names under which the module declares Terraform's built-in provider
    /// (`terraform.io/builtin/terraform`): `provider::NAME::encode_expr(...)` and its other
    /// functions are callable through them.
    pub builtin_provider_names: Arc<std::collections::BTreeSet<String>>,
    /// The sensitivity of the values above that have sensitive parts, by what names them
    /// (`Subject::Each` for `each.value`, `Subject::Module { output: None, .. }` for
    /// `module.NAME`); what is absent has none.
    pub marks: Arc<BTreeMap<Subject, Sensitivity>>,
}

impl EvalContext {
    /// The marks of the value `subject` names.
    pub(crate) fn marks_of(&self, subject: &Subject) -> Sensitivity {
        self.marks.get(subject).cloned().unwrap_or_default()
    }

    /// Records the marks of the value `subject` names.
    pub(crate) fn set_marks(&mut self, subject: Subject, marks: Sensitivity) {
        if marks.any() {
            Arc::make_mut(&mut self.marks).insert(subject, marks);
        } else if self.marks.contains_key(&subject) {
            Arc::make_mut(&mut self.marks).remove(&subject);
        }
    }
}

/// Evaluates one expression, leaving out the marks of its result (for values whose
/// sensitivity does not matter: counts, conditions, keys checked elsewhere).
pub(crate) fn evaluate(
    expr: &Expression,
    ctx: &EvalContext,
    file: &str,
    sources: &Sources,
) -> Result<Value, Diagnostics> {
    evaluate_marked(expr, ctx, file, sources).map(|marked| marked.value)
}

/// Evaluates one expression with the sensitivity marks of its result.
pub(crate) fn evaluate_marked(
    expr: &Expression,
    ctx: &EvalContext,
    file: &str,
    sources: &Sources,
) -> Result<Marked, Diagnostics> {
    eval::Evaluator::new(ctx, file, sources).eval(expr)
}

/// Decodes a block body into an object conforming to `schema.implied_type()`: unset
/// attributes are null, values are converted to the attribute types, unknown arguments and
/// blocks and missing required arguments are errors with the range of the offending text.
pub(crate) fn decode_body(
    body: &Body,
    schema: &Block,
    ctx: &EvalContext,
    file: &str,
    sources: &Sources,
) -> Result<Value, Diagnostics> {
    decode_body_marked(body, schema, ctx, file, sources).map(|marked| marked.value)
}

/// Converts a value to a type as cty does (number <-> string, bool <-> string, tuple -> list
/// or set, object -> map or object). Unknown and null convert to themselves.
pub(crate) fn convert(value: Value, ty: &Type) -> Result<Value, String> {
    convert::convert(value, ty)
}
