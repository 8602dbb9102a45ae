//! `for` expressions: `[for k, v in coll : expr if cond]` and
//! `{for k, v in coll : key => value... if cond}`, with HCL's rules for iteration keys,
//! filtering, grouping and unknown values.

use std::collections::BTreeMap;
use std::ops::Range;

use hcl_edit::Span;
use hcl_edit::expr::ForExpr;
use tenantform_proto::value::{Number, Type, Value};

use super::convert::convert;
use super::eval::{EvalResult, Evaluator};
use super::types::value_kind;
use crate::diags::Diagnostics;

/// The `(key, value)` pairs of an iterable collection.
pub(super) type Items = Vec<(Value, Value)>;

impl Evaluator<'_> {
    /// The items a `for` iterates over, or `None` when the collection is unknown. Lists,
    /// tuples and sets give their index (a set its element) as key; maps and objects their
    /// attribute names.
    pub(super) fn iteration_items(
        &self,
        collection: Value,
        span: Option<Range<usize>>,
    ) -> Result<Option<Items>, Diagnostics> {
        match collection {
            Value::Unknown => Ok(None),
            Value::Null => Err(self.error(
                "Iteration over null value",
                "A null value cannot be used as the collection in a 'for' expression.",
                span,
            )),
            Value::List(items) | Value::Tuple(items) => Ok(Some(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| (Value::Number(Number::Int(i as i64)), v))
                    .collect(),
            )),
            Value::Set(items) => Ok(Some(items.into_iter().map(|v| (v.clone(), v)).collect())),
            Value::Map(entries) | Value::Object(entries) => Ok(Some(
                entries
                    .into_iter()
                    .map(|(k, v)| (Value::String(k), v))
                    .collect(),
            )),
            other => Err(self.error(
                "Iteration over non-iterable value",
                format!(
                    "A value of type {} cannot be used as the collection in a 'for' expression.",
                    value_kind(&other)
                ),
                span,
            )),
        }
    }

    pub(super) fn eval_for(&mut self, for_expr: &ForExpr) -> EvalResult {
        let intro = &for_expr.intro;
        let collection = self.eval(&intro.collection_expr)?;
        let Some(items) = self.iteration_items(collection, intro.collection_expr.span())? else {
            return Ok(Value::Unknown);
        };
        let key_var = intro.key_var.as_ref().map(|k| k.value().to_string());
        let value_var = intro.value_var.value().to_string();
        let mut tuple = Vec::new();
        let mut object: BTreeMap<String, Value> = BTreeMap::new();
        let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        let mut unknown = false;
        for (key, value) in items {
            let mut bindings = vec![(value_var.clone(), value)];
            if let Some(key_var) = &key_var {
                bindings.insert(0, (key_var.clone(), key));
            }
            let step = self.with_bindings(bindings, |ev| ev.for_step(for_expr))?;
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
        Ok(if unknown {
            Value::Unknown
        } else if for_expr.key_expr.is_none() {
            Value::Tuple(tuple)
        } else if for_expr.grouping {
            Value::Object(
                groups
                    .into_iter()
                    .map(|(k, v)| (k, Value::Tuple(v)))
                    .collect(),
            )
        } else {
            Value::Object(object)
        })
    }

    /// One iteration: the filter, then the key (object form) and the value.
    fn for_step(&mut self, for_expr: &ForExpr) -> Result<ForStep, Diagnostics> {
        if let Some(cond) = &for_expr.cond {
            let span = cond.expr.span();
            match self.eval(&cond.expr)? {
                Value::Unknown => return Ok(ForStep::Unknown),
                Value::Null => {
                    return Err(self.error(
                        "Condition is null",
                        "The value of the 'if' clause must not be null.",
                        span,
                    ));
                }
                other => match convert(other, &Type::Bool) {
                    Ok(Value::Bool(true)) => {}
                    Ok(Value::Bool(false)) => return Ok(ForStep::Skip),
                    _ => {
                        return Err(self.error(
                            "Invalid 'for' condition",
                            "The 'if' clause value is invalid: a bool is required.",
                            span,
                        ));
                    }
                },
            }
        }
        let Some(key_expr) = &for_expr.key_expr else {
            return Ok(ForStep::Element(self.eval(&for_expr.value_expr)?));
        };
        let span = key_expr.span();
        let name = match self.eval(key_expr)? {
            Value::Unknown => return Ok(ForStep::Unknown),
            Value::Null => {
                return Err(self.error(
                    "Invalid object key",
                    "Key expression in 'for' expression must not produce a null value.",
                    span,
                ));
            }
            other => match convert(other, &Type::String) {
                Ok(Value::String(s)) => s,
                _ => {
                    return Err(self.error(
                        "Invalid object key",
                        "The key expression produced an invalid result: string required.",
                        span,
                    ));
                }
            },
        };
        let item = self.eval(&for_expr.value_expr)?;
        Ok(ForStep::Entry(name, item, span))
    }
}

enum ForStep {
    Skip,
    Unknown,
    Element(Value),
    Entry(String, Value, Option<Range<usize>>),
}
