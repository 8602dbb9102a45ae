//! What a name bound by a `for` expression, a template directive or a function parameter
//! stands for: a value of its own, or one borrowed from the evaluation context, so that
//! `{ for slug, tenant in module.tenant : slug => tenant.tenant_id }` walks a fleet's module
//! outputs where the context holds them instead of copying every tenant's object first.

use std::borrow::Cow;

use tenantform_proto::value::Value;

use super::marks::{Marked, Sensitivity};

/// A bound name's value and its marks.
#[derive(Clone, Debug)]
pub(super) struct Bound<'a> {
    pub value: Cow<'a, Value>,
    pub marks: Sensitivity,
}

impl<'a> Bound<'a> {
    pub(super) fn new(value: Cow<'a, Value>, marks: Sensitivity) -> Bound<'a> {
        Bound { value, marks }
    }

    /// A copy of the value with its marks.
    pub(super) fn to_marked(&self) -> Marked {
        Marked::new(Value::clone(&self.value), self.marks.clone())
    }
}

impl From<Marked> for Bound<'_> {
    fn from(marked: Marked) -> Self {
        let (value, marks) = marked.into_parts();
        Bound::new(Cow::Owned(value), marks)
    }
}
