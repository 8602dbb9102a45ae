//! `for` expressions: `[for k, v in coll : expr if cond]` and
//! `{for k, v in coll : key => value... if cond}`, with HCL's rules for iteration keys,
//! filtering, grouping and unknown values. Elements keep their own marks; the marks of the
//! collection, of a condition or of a key mark the whole result.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::Range;

use hcl_edit::Span;
use hcl_edit::expr::{Expression, ForExpr};
use tenantform_proto::value::{Number, Type, Value};

use super::binding::Bound;
use super::eval::{EvalResult, Evaluator};
use super::marks::{Marked, Sensitivity};
use super::types::value_kind;
use crate::diags::Diagnostics;

/// The `(key, value)` pairs of an iterable collection, each with its marks; a value is
/// borrowed when the collection is.
pub(super) type Items<'a> = Vec<(Marked, Bound<'a>)>;

impl<'a> Evaluator<'a> {
    /// The items a `for` iterates over, or `None` when the collection is unknown. Lists,
    /// tuples and sets give their index (a set its element) as key; maps and objects their
    /// attribute names.
    pub(super) fn iteration_items(
        &self,
        collection: Cow<'a, Value>,
        marks: Sensitivity,
        span: Option<Range<usize>>,
    ) -> Result<Option<Items<'a>>, Diagnostics> {
        let whole = Sensitivity::whole_if(marks.is_whole());
        let index = |i: usize| Marked::new(Value::Number(Number::Int(i as i64)), whole.clone());
        let name = |k: &str| Marked::new(Value::String(k.to_string()), whole.clone());
        let items = match collection {
            Cow::Borrowed(Value::List(items) | Value::Tuple(items)) => (items.iter().enumerate())
                .map(|(i, v)| (index(i), Bound::new(Cow::Borrowed(v), marks.element(i))))
                .collect(),
            Cow::Owned(Value::List(items) | Value::Tuple(items)) => (items.into_iter().enumerate())
                .map(|(i, v)| (index(i), Bound::new(Cow::Owned(v), marks.element(i))))
                .collect(),
            Cow::Borrowed(Value::Set(items)) => set_items(items.iter().cloned(), &marks),
            Cow::Owned(Value::Set(items)) => set_items(items.into_iter(), &marks),
            Cow::Borrowed(Value::Map(entries) | Value::Object(entries)) => (entries.iter())
                .map(|(k, v)| (name(k), Bound::new(Cow::Borrowed(v), marks.attribute(k))))
                .collect(),
            Cow::Owned(Value::Map(entries) | Value::Object(entries)) => (entries.into_iter())
                .map(|(k, v)| {
                    let item_marks = marks.attribute(&k);
                    (name(&k), Bound::new(Cow::Owned(v), item_marks))
                })
                .collect(),
            other => return self.not_iterable(&other, span),
        };
        Ok(Some(items))
    }

    /// Why `collection` (unknown, null or not a collection) gives no items.
    fn not_iterable(
        &self,
        collection: &Value,
        span: Option<Range<usize>>,
    ) -> Result<Option<Items<'a>>, Diagnostics> {
        match collection {
            Value::Unknown => Ok(None),
            Value::Null => Err(self.error(
                "Iteration over null value",
                "A null value cannot be used as the collection in a 'for' expression.",
                span,
            )),
            other => Err(self.error(
                "Iteration over non-iterable value",
                format!(
                    "A value of type {} cannot be used as the collection in a 'for' expression.",
                    value_kind(other)
                ),
                span,
            )),
        }
    }

    /// The collection a `for` iterates over, borrowed when the context holds it whole.
    fn for_collection(
        &mut self,
        expr: &Expression,
    ) -> Result<(Cow<'a, Value>, Sensitivity), Diagnostics> {
        if let Some((value, marks)) = self.context_value(expr) {
            return Ok((Cow::Borrowed(value), marks));
        }
        let (value, marks) = self.eval(expr)?.into_parts();
        Ok((Cow::Owned(value), marks))
    }

    pub(super) fn eval_for(&mut self, for_expr: &ForExpr) -> EvalResult {
        let intro = &for_expr.intro;
        let (collection, collection_marks) = self.for_collection(&intro.collection_expr)?;
        let mut marks = Sensitivity::whole_if(collection_marks.is_whole());
        let span = intro.collection_expr.span();
        let Some(items) = self.iteration_items(collection, collection_marks, span)? else {
            return Ok(Marked::new(Value::Unknown, marks));
        };
        let key_var = intro.key_var.as_ref().map(|k| k.value().to_string());
        let value_var = intro.value_var.value().to_string();
        let mut tuple = Vec::new();
        let mut object: BTreeMap<String, Marked> = BTreeMap::new();
        let mut groups: BTreeMap<String, Vec<Marked>> = BTreeMap::new();
        let mut unknown = false;
        for (key, value) in items {
            let mut bindings = vec![(value_var.clone(), value)];
            if let Some(key_var) = &key_var {
                bindings.insert(0, (key_var.clone(), key.into()));
            }
            let step = self.with_bound(bindings, |ev| ev.for_step(for_expr, &mut marks))?;
            match step {
                ForStep::Skip => {}
                ForStep::Unknown => unknown = true,
                ForStep::Element(item) => tuple.push(item),
                ForStep::Entry(name, item, span) => {
                    if for_expr.grouping {
                        groups.entry(name).or_default().push(item);
                    } else if let std::collections::btree_map::Entry::Vacant(slot) =
                        object.entry(name.clone())
                    {
                        slot.insert(item);
                    } else {
                        return Err(self.error(
                            "Duplicate object key",
                            format!(
                                "Two different items produced the key \"{name}\" in this 'for' \
                                 expression. If duplicates are expected, use the ellipsis (...) \
                                 after the value expression to enable grouping by key."
                            ),
                            span,
                        ));
                    }
                }
            }
        }
        let result = if unknown {
            Marked::plain(Value::Unknown)
        } else if for_expr.key_expr.is_none() {
            tuple_of(tuple)
        } else if for_expr.grouping {
            object_of(groups.into_iter().map(|(k, v)| (k, tuple_of(v))).collect())
        } else {
            object_of(object)
        };
        Ok(result.with(marks))
    }

    /// One iteration: the filter, then the key (object form) and the value.
    /// `marks` takes the marks of the condition and the key.
    fn for_step(
        &mut self,
        for_expr: &ForExpr,
        marks: &mut Sensitivity,
    ) -> Result<ForStep, Diagnostics> {
        if let Some(cond) = &for_expr.cond {
            let span = cond.expr.span();
            let condition = self.eval_operand(&cond.expr, marks)?;
            match self.known_operand(
                condition,
                &Type::Bool,
                span,
                (
                    "Condition is null",
                    "The value of the 'if' clause must not be null.",
                ),
                (
                    "Invalid 'for' condition",
                    "The 'if' clause value is invalid: a bool is required.",
                ),
                |value| value.as_bool(),
            )? {
                None => return Ok(ForStep::Unknown),
                Some(false) => return Ok(ForStep::Skip),
                Some(true) => {}
            }
        }
        let Some(key_expr) = &for_expr.key_expr else {
            return Ok(ForStep::Element(self.eval(&for_expr.value_expr)?));
        };
        let span = key_expr.span();
        let key = self.eval_operand(key_expr, marks)?;
        let Some(name) = self.known_operand(
            key,
            &Type::String,
            span.clone(),
            (
                "Invalid object key",
                "Key expression in 'for' expression must not produce a null value.",
            ),
            (
                "Invalid object key",
                "The key expression produced an invalid result: string required.",
            ),
            Value::into_string,
        )?
        else {
            return Ok(ForStep::Unknown);
        };
        let item = self.eval(&for_expr.value_expr)?;
        Ok(ForStep::Entry(name, item, span))
    }
}

/// A set's items: each element is its own key, and the set's marks cover all of it.
fn set_items<'a>(elements: impl Iterator<Item = Value>, marks: &Sensitivity) -> Items<'a> {
    let set_marks = marks.collapsed();
    elements
        .map(|v| {
            let key = Marked::new(v.clone(), set_marks.clone());
            (key, Bound::new(Cow::Owned(v), set_marks.clone()))
        })
        .collect()
}

enum ForStep {
    Skip,
    Unknown,
    Element(Marked),
    Entry(String, Marked, Option<Range<usize>>),
}

/// A tuple of marked elements.
pub(super) fn tuple_of(items: Vec<Marked>) -> Marked {
    let (values, marks): (Vec<Value>, Vec<Sensitivity>) =
        items.into_iter().map(Marked::into_parts).unzip();
    Marked::new(Value::Tuple(values), Sensitivity::elements(marks))
}

/// An object of marked attributes. Built from the entries in their order (a map's bulk
/// build), with marks kept only for the marked ones: a fleet's outputs have ten thousand.
pub(super) fn object_of(entries: BTreeMap<String, Marked>) -> Marked {
    let mut marks = BTreeMap::new();
    let values: BTreeMap<String, Value> = entries
        .into_iter()
        .map(|(name, item)| {
            let (value, item_marks) = item.into_parts();
            if item_marks.any() {
                marks.insert(name.clone(), item_marks);
            }
            (name, value)
        })
        .collect();
    Marked::new(Value::Object(values), Sensitivity::attributes(marks))
}
