//! The expression evaluator: literals, collections, conditionals and function calls, with
//! traversals, templates, `for` expressions and operators in their own modules. Any operation
//! on an unknown value yields an unknown value.

use std::collections::BTreeMap;
use std::ops::Range;

use hcl_edit::Span;
use hcl_edit::expr::{Conditional, Expression, FuncCall, Object, ObjectKey};
use tenantform_proto::value::{Number, Value};

use super::EvalContext;
use super::convert::convert;
use super::functions::{self, FunctionError};
use super::types::value_kind;
use crate::diags::{Diagnostic, Diagnostics, SourceRange, Sources};

pub(super) type EvalResult = Result<Value, Diagnostics>;

/// Evaluates expressions of one file against a context, with the names `for` expressions
/// bind in scope.
pub(crate) struct Evaluator<'a> {
    pub(super) ctx: &'a EvalContext,
    file: &'a str,
    sources: &'a Sources,
    /// Names bound by enclosing `for` expressions and template directives, innermost last.
    scope: Vec<(String, Value)>,
}

impl<'a> Evaluator<'a> {
    pub(crate) fn new(ctx: &'a EvalContext, file: &'a str, sources: &'a Sources) -> Self {
        Evaluator {
            ctx,
            file,
            sources,
            scope: Vec::new(),
        }
    }

    /// The source range of a span of this file.
    pub(super) fn range(&self, span: Option<Range<usize>>) -> Option<SourceRange> {
        span.map(|s| self.sources.range(self.file, s))
    }

    /// The source text of a span of this file.
    pub(super) fn source_text(&self, span: Range<usize>) -> Option<&str> {
        self.sources.files.get(self.file)?.get(span)
    }

    /// An error diagnostic at `span`.
    pub(super) fn error(
        &self,
        summary: &str,
        detail: impl Into<String>,
        span: Option<Range<usize>>,
    ) -> Diagnostics {
        Diagnostic::error(summary, detail)
            .with_range(self.range(span))
            .into()
    }

    pub(super) fn lookup_scope(&self, name: &str) -> Option<&Value> {
        self.scope
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// Puts `bindings` in scope until [`Evaluator::pop_bindings`] with the returned depth.
    pub(super) fn push_bindings(&mut self, bindings: Vec<(String, Value)>) -> usize {
        let depth = self.scope.len();
        self.scope.extend(bindings);
        depth
    }

    pub(super) fn pop_bindings(&mut self, depth: usize) {
        self.scope.truncate(depth);
    }

    /// Runs `body` with `bindings` in scope.
    pub(super) fn with_bindings<T>(
        &mut self,
        bindings: Vec<(String, Value)>,
        body: impl FnOnce(&mut Self) -> T,
    ) -> T {
        let depth = self.scope.len();
        self.scope.extend(bindings);
        let result = body(self);
        self.scope.truncate(depth);
        result
    }

    pub(crate) fn eval(&mut self, expr: &Expression) -> EvalResult {
        match expr {
            Expression::Null(_) => Ok(Value::Null),
            Expression::Bool(b) => Ok(Value::Bool(*b.value())),
            Expression::Number(n) => Ok(Value::Number(number_literal(n))),
            Expression::String(s) => Ok(Value::String(s.value().clone())),
            Expression::Array(array) => array
                .iter()
                .map(|item| self.eval(item))
                .collect::<Result<_, _>>()
                .map(Value::Tuple),
            Expression::Object(object) => self.eval_object(object),
            Expression::StringTemplate(template) => self.eval_template(template),
            Expression::HeredocTemplate(heredoc) => self.eval_heredoc(heredoc),
            Expression::Parenthesis(inner) => self.eval(inner.inner()),
            Expression::Variable(_) | Expression::Traversal(_) => self.eval_traversal(expr),
            Expression::Conditional(cond) => self.eval_conditional(cond),
            Expression::FuncCall(call) => self.eval_call(call),
            Expression::UnaryOp(op) => self.eval_unary(op),
            Expression::BinaryOp(op) => self.eval_binary(op),
            Expression::ForExpr(for_expr) => self.eval_for(for_expr),
        }
    }

    fn eval_object(&mut self, object: &Object) -> EvalResult {
        let mut entries = BTreeMap::new();
        let mut unknown_key = false;
        for (key, value) in object.iter() {
            let name = match key {
                ObjectKey::Ident(ident) => ident.value().to_string(),
                ObjectKey::Expression(key_expr) => match self.eval(key_expr)? {
                    Value::Unknown => {
                        unknown_key = true;
                        continue;
                    }
                    Value::Null => {
                        return Err(self.error(
                            "Invalid object key",
                            "Key expression in object constructor must not be null.",
                            key_expr.span(),
                        ));
                    }
                    other => match convert(other, &tenantform_proto::value::Type::String) {
                        Ok(Value::String(s)) => s,
                        Ok(Value::Unknown) => {
                            unknown_key = true;
                            continue;
                        }
                        _ => {
                            return Err(self.error(
                                "Incorrect key type",
                                "Can't use this value as a key: string required.",
                                key_expr.span(),
                            ));
                        }
                    },
                },
            };
            let item = self.eval(value.expr())?;
            entries.insert(name, item);
        }
        Ok(if unknown_key {
            Value::Unknown
        } else {
            Value::Object(entries)
        })
    }

    fn eval_conditional(&mut self, cond: &Conditional) -> EvalResult {
        let condition = self.eval(&cond.cond_expr)?;
        let chosen = match condition {
            Value::Unknown => {
                // Both branches are still checked for errors.
                self.eval(&cond.true_expr)?;
                self.eval(&cond.false_expr)?;
                return Ok(Value::Unknown);
            }
            Value::Null => {
                return Err(self.error(
                    "Null condition",
                    "The condition value is null. Conditions must either be true or false.",
                    cond.cond_expr.span(),
                ));
            }
            other => match convert(other, &tenantform_proto::value::Type::Bool) {
                Ok(Value::Bool(b)) => b,
                _ => {
                    return Err(self.error(
                        "Incorrect condition type",
                        "The condition expression must be of type bool.",
                        cond.cond_expr.span(),
                    ));
                }
            },
        };
        if chosen {
            self.eval(&cond.true_expr)
        } else {
            self.eval(&cond.false_expr)
        }
    }

    fn eval_call(&mut self, call: &FuncCall) -> EvalResult {
        let name = call.name.name.value().as_str();
        let full_name = call
            .name
            .namespace
            .iter()
            .map(|part| format!("{}::", part.value()))
            .collect::<String>()
            + name;
        if let Some(result) = self.eval_lazy_call(&full_name, call) {
            return result;
        }
        let Some(function) = functions::lookup(&full_name) else {
            return Err(self.error(
                "Call to unknown function",
                format!("There is no function named \"{full_name}\"."),
                call.name.name.span(),
            ));
        };
        let mut args = Vec::with_capacity(call.args.len());
        let mut spans = Vec::with_capacity(call.args.len());
        for arg in call.args.iter() {
            args.push(self.eval(arg)?);
            spans.push(arg.span());
        }
        if call.args.expand_final() {
            let last_span = spans.pop().flatten();
            match args.pop() {
                Some(Value::Unknown) => return Ok(Value::Unknown),
                Some(Value::List(items) | Value::Tuple(items) | Value::Set(items)) => {
                    spans.extend(std::iter::repeat_n(last_span.clone(), items.len()));
                    args.extend(items);
                }
                Some(other) => {
                    return Err(self.error(
                        "Invalid expanding argument value",
                        format!(
                            "The expanding argument (indicated by ...) must be of a tuple, list, \
                             or set type, not {}.",
                            value_kind(&other)
                        ),
                        last_span,
                    ));
                }
                None => {}
            }
        }
        let call_span = call.span();
        if args.len() < function.params.len() {
            let missing = function.params[args.len()];
            return Err(self.error(
                "Not enough function arguments",
                format!(
                    "Function \"{full_name}\" expects {} argument(s). Missing value for \"{missing}\".",
                    function.params.len()
                ),
                call_span,
            ));
        }
        if function.variadic.is_none() && args.len() > function.params.len() {
            return Err(self.error(
                "Too many function arguments",
                format!(
                    "Function \"{full_name}\" expects only {} argument(s).",
                    function.params.len()
                ),
                spans
                    .get(function.params.len())
                    .cloned()
                    .flatten()
                    .or(call_span),
            ));
        }
        match functions::call(function, args) {
            Ok(value) => Ok(value),
            Err(FunctionError::Argument { index, message }) => {
                let param = function
                    .params
                    .get(index)
                    .copied()
                    .or(function.variadic)
                    .unwrap_or("argument");
                Err(self.error(
                    "Invalid function argument",
                    format!("Invalid value for \"{param}\" parameter: {message}."),
                    spans.get(index).cloned().flatten().or(call_span),
                ))
            }
            Err(FunctionError::Call(message)) => Err(self.error(
                "Error in function call",
                format!("Call to function \"{full_name}\" failed: {message}."),
                call_span,
            )),
        }
    }
}

/// The value of a number literal: its source text read at 512 bits, as HCL reads it.
fn number_literal(number: &hcl_edit::Formatted<hcl_edit::Number>) -> Number {
    let source: Option<String> = number
        .as_repr()
        .map(|repr| repr.chars().filter(|c| !c.is_whitespace()).collect());
    if let Some(parsed) = source.as_deref().and_then(Number::parse_decimal) {
        return parsed;
    }
    let value = number.value();
    if let Some(i) = value.as_i64() {
        Number::from_i64(i)
    } else if let Some(u) = value.as_u64() {
        Number::from_u64(u)
    } else {
        Number::from_f64(value.as_f64().unwrap_or(f64::NAN))
    }
}
