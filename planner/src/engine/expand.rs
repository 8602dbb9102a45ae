//! Expansion of `count` and `for_each` (on resources and module calls) into instance keys,
//! with Terraform's errors for values that are unknown or unsuitable, and the collection a
//! reference to an expanded object evaluates to. A sensitive `for_each` value is refused, as
//! it would expose its keys; sensitive element values stay marked in `each.value`.

use std::collections::BTreeMap;

use hcl_edit::Span;
use hcl_edit::expr::Expression;
use tenantform_proto::value::{Type, Value};

use crate::addrs::InstanceKey;
use crate::diags::{Diagnostic, Diagnostics, Sources};
use crate::lang::{self, EvalContext, Marked, Sensitivity, Subject};

/// The instances of one resource or module call.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Expansion {
    /// Neither `count` nor `for_each`: one instance without a key.
    Single,
    Count(i64),
    /// `for_each`: each key with its `each.value`.
    ForEach(BTreeMap<String, Marked>),
}

const UNKNOWN_FOR_EACH_ADVICE: &str = "Alternatively, you could use the -target planning option \
     to first apply only the resources that the for_each value depends on, and then apply a \
     second time to fully converge.";

impl Expansion {
    /// Evaluates `count` or `for_each` (at most one is set).
    pub(super) fn evaluate(
        count: Option<&Expression>,
        for_each: Option<&Expression>,
        ctx: &EvalContext,
        file: &str,
        sources: &Sources,
    ) -> Result<Expansion, Diagnostics> {
        if let Some(expr) = count {
            let value = lang::evaluate(expr, ctx, file, sources)?;
            return count_expansion(value, expr, file, sources);
        }
        if let Some(expr) = for_each {
            let value = lang::evaluate_marked(expr, ctx, file, sources)?;
            return for_each_expansion(value, expr, file, sources);
        }
        Ok(Expansion::Single)
    }

    /// Every instance key, in order.
    pub(super) fn keys(&self) -> Vec<InstanceKey> {
        match self {
            Expansion::Single => vec![InstanceKey::None],
            Expansion::Count(n) => (0..*n).map(InstanceKey::Int).collect(),
            Expansion::ForEach(entries) => entries.keys().cloned().map(InstanceKey::Str).collect(),
        }
    }

    /// True when `key` names one of the instances.
    pub(super) fn contains(&self, key: &InstanceKey) -> bool {
        match (self, key) {
            (Expansion::Single, InstanceKey::None) => true,
            (Expansion::Count(n), InstanceKey::Int(i)) => *i >= 0 && i < n,
            (Expansion::ForEach(entries), InstanceKey::Str(k)) => entries.contains_key(k),
            _ => false,
        }
    }

    /// Binds `count.index` or `each.key` / `each.value` for the instance `key`.
    pub(super) fn bind(&self, key: &InstanceKey, ctx: &mut EvalContext) {
        match (self, key) {
            (Expansion::Count(_), InstanceKey::Int(_)) => ctx.count_index = Some(key.to_value()),
            (Expansion::ForEach(entries), InstanceKey::Str(k)) => {
                bind_each(key, entries.get(k).cloned(), ctx);
            }
            _ => {}
        }
    }

    /// [`Expansion::bind`], moving `each.value` out of the expansion instead of copying it:
    /// for a caller that binds each key once and then needs only the keys.
    pub(super) fn bind_taking(&mut self, key: &InstanceKey, ctx: &mut EvalContext) {
        match (self, key) {
            (Expansion::ForEach(entries), InstanceKey::Str(k)) => {
                let taken = entries
                    .get_mut(k)
                    .map(|entry| std::mem::replace(entry, Marked::plain(Value::Null)));
                bind_each(key, taken, ctx);
            }
            (expansion, key) => expansion.bind(key, ctx),
        }
    }

    /// [`Expansion::collect`] of marked values.
    pub(super) fn collect_marked(&self, values: Vec<(InstanceKey, Marked)>) -> Marked {
        let (values, marks): (Vec<_>, Vec<_>) = values
            .into_iter()
            .map(|(key, marked)| ((key.clone(), marked.value), (key, marked.marks)))
            .unzip();
        Marked::new(self.collect(values), self.collect_marks(marks))
    }

    /// The marks of the value [`Expansion::collect`] makes of values with marks `marks`.
    pub(super) fn collect_marks(&self, marks: Vec<(InstanceKey, Sensitivity)>) -> Sensitivity {
        match self {
            Expansion::Single => marks.into_iter().next().map(|(_, m)| m).unwrap_or_default(),
            Expansion::Count(_) => {
                Sensitivity::elements(marks.into_iter().map(|(_, m)| m).collect())
            }
            Expansion::ForEach(_) => Sensitivity::attributes(by_string_key(marks)),
        }
    }

    /// The value a reference to the whole object has: the single instance's value, a tuple
    /// by index (count) or an object by key (for_each). `values` are in key order.
    pub(super) fn collect(&self, values: Vec<(InstanceKey, Value)>) -> Value {
        match self {
            Expansion::Single => values
                .into_iter()
                .next()
                .map_or(Value::Null, |(_, value)| value),
            Expansion::Count(_) => Value::Tuple(values.into_iter().map(|(_, v)| v).collect()),
            Expansion::ForEach(_) => Value::Object(by_string_key(values)),
        }
    }
}

fn invalid(
    summary: &str,
    detail: impl Into<String>,
    expr: &Expression,
    file: &str,
    sources: &Sources,
) -> Diagnostics {
    let range = expr.span().map(|span| sources.range(file, span));
    Diagnostic::error(summary, detail).with_range(range).into()
}

fn count_expansion(
    value: Value,
    expr: &Expression,
    file: &str,
    sources: &Sources,
) -> Result<Expansion, Diagnostics> {
    let fail = |detail: &str| {
        Err(invalid(
            "Invalid count argument",
            detail,
            expr,
            file,
            sources,
        ))
    };
    match lang::convert(value, &Type::Number) {
        Ok(Value::Unknown) => fail(
            "The \"count\" value depends on resource attributes that cannot be determined until \
             apply, so Terraform cannot predict how many instances will be created. To work \
             around this, use the -target argument to first apply only the resources that the \
             count depends on.",
        ),
        Ok(Value::Null) => {
            fail("The given \"count\" argument value is null. An integer is required.")
        }
        Ok(Value::Number(n)) => match n.as_i64() {
            Some(count) if count >= 0 => Ok(Expansion::Count(count)),
            Some(_) => fail(
                "The given \"count\" argument value is unsuitable: must be greater than or \
                 equal to zero.",
            ),
            None => fail(
                "The given \"count\" argument value is unsuitable: value must be a whole number.",
            ),
        },
        _ => fail("The given \"count\" argument value is unsuitable: number required."),
    }
}

fn for_each_expansion(
    value: Marked,
    expr: &Expression,
    file: &str,
    sources: &Sources,
) -> Result<Expansion, Diagnostics> {
    let fail = |detail: String| {
        Err(invalid(
            "Invalid for_each argument",
            detail,
            expr,
            file,
            sources,
        ))
    };
    let (value, marks) = value.into_parts();
    if marks.is_whole() {
        return fail(
            "Sensitive values, or values derived from sensitive values, cannot be used as \
             for_each arguments. If used, the sensitive value could be exposed as a resource \
             instance key."
                .into(),
        );
    }
    match value {
        Value::Unknown => fail(format!(
            "The \"for_each\" value depends on resource attributes that cannot be determined \
             until apply, so Terraform cannot predict how many instances will be created.\n\n\
             {UNKNOWN_FOR_EACH_ADVICE}"
        )),
        Value::Null => fail(
            "The given \"for_each\" argument value is unsuitable: the given \"for_each\" \
             argument value is null. A map, or set of strings is allowed."
                .into(),
        ),
        Value::Map(entries) | Value::Object(entries) => Ok(Expansion::ForEach(
            entries
                .into_iter()
                .map(|(key, value)| {
                    let value_marks = marks.attribute(&key);
                    (key, Marked::new(value, value_marks))
                })
                .collect(),
        )),
        Value::Set(items) => match set_entries(items) {
            Ok(entries) => Ok(Expansion::ForEach(entries)),
            Err(detail) => fail(detail),
        },
        other => fail(format!(
            "The given \"for_each\" argument value is unsuitable: the \"for_each\" argument \
             must be a map, or set of strings, and you have provided a value of type {}.",
            lang::types::value_kind(&other)
        )),
    }
}

/// The instances of a `for_each` set of strings, each keyed and valued by its string; or
/// what makes the set unsuitable.
fn set_entries(items: Vec<Value>) -> Result<BTreeMap<String, Marked>, String> {
    let mut entries = BTreeMap::new();
    for item in items {
        match item {
            Value::String(s) => {
                entries.insert(s.clone(), Marked::plain(Value::String(s)));
            }
            Value::Unknown => {
                return Err(format!(
                    "The \"for_each\" set includes values derived from resource \
                         attributes that cannot be determined until apply, and so Terraform \
                         cannot determine the full set of keys that will identify the \
                         instances of this resource.\n\nWhen working with unknown values in \
                         for_each, it's better to use a map value where the keys are defined \
                         statically in your configuration and where only the values contain \
                         apply-time results.\n\n{UNKNOWN_FOR_EACH_ADVICE}"
                ));
            }
            Value::Null => {
                return Err(
                    "The given \"for_each\" argument value is unsuitable: \"for_each\" \
                         sets must not contain null values."
                        .into(),
                );
            }
            other => {
                return Err(format!(
                    "The given \"for_each\" argument value is unsuitable: \"for_each\" \
                         supports maps and sets of strings, but you have provided a set \
                         containing type {}.",
                    lang::types::value_kind(&other)
                ));
            }
        }
    }
    Ok(entries)
}

/// The entries of `for_each` instances by their string keys (other keys dropped).
fn by_string_key<T>(entries: Vec<(InstanceKey, T)>) -> BTreeMap<String, T> {
    entries
        .into_iter()
        .filter_map(|(key, entry)| match key {
            InstanceKey::Str(k) => Some((k, entry)),
            _ => None,
        })
        .collect()
}

/// Binds `each.key` and, when the key has an entry, `each.value` with its marks.
fn bind_each(key: &InstanceKey, entry: Option<Marked>, ctx: &mut EvalContext) {
    ctx.each_key = Some(key.to_value());
    let (value, marks) = entry.map(Marked::into_parts).unzip();
    ctx.each_value = value;
    ctx.set_marks(Subject::Each, marks.unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binding_by_taking_gives_what_binding_by_copying_gives() {
        let secret = Marked::new(Value::String("k".into()), Sensitivity::Whole);
        let plain = Marked::plain(Value::String("v".into()));
        let mut expansion = Expansion::ForEach(BTreeMap::from([
            ("a".to_string(), secret),
            ("b".to_string(), plain),
        ]));
        for key in expansion.keys() {
            let mut copied = EvalContext::default();
            expansion.bind(&key, &mut copied);
            let mut taken = EvalContext::default();
            expansion.bind_taking(&key, &mut taken);
            assert_eq!(taken.each_key, copied.each_key);
            assert_eq!(taken.each_value, copied.each_value);
            assert_eq!(
                taken.marks_of(&Subject::Each),
                copied.marks_of(&Subject::Each)
            );
        }
        assert_eq!(expansion.keys().len(), 2);
        let mut counted = Expansion::Count(2);
        let mut ctx = EvalContext::default();
        counted.bind_taking(&InstanceKey::Int(1), &mut ctx);
        assert_eq!(ctx.count_index, Some(InstanceKey::Int(1).to_value()));
    }
}
