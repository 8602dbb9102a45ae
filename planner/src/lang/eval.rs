//! The expression evaluator: literals, collections, conditionals and function calls, with
//! traversals, templates, `for` expressions and operators in their own modules. Any operation
//! on an unknown value yields an unknown value. Every result carries its sensitivity marks:
//! constructors keep their elements' marks, and an operation takes the marks of the operands
//! it reads as a whole.

use std::collections::BTreeMap;
use std::ops::Range;

use hcl_edit::Span;
use hcl_edit::expr::{Conditional, Expression, FuncCall, Object, ObjectKey};

use super::functions::unicode::nfc;
use tenantform_proto::value::{Number, Type, Value};

use super::EvalContext;
use super::binding::Bound;
use super::convert::convert;
use super::functions::marking::result_marks;
use super::functions::{self, Function, FunctionError};
use super::marks::{Marked, Sensitivity};
use super::types::{friendly_name as type_name, type_of, value_kind};
use super::unify::unify;
use crate::diags::{Diagnostic, Diagnostics, SourceRange, Sources};

pub(super) type EvalResult = Result<Marked, Diagnostics>;

/// Evaluates expressions of one file against a context, with the names `for` expressions
/// bind in scope.
pub(crate) struct Evaluator<'a> {
    pub(super) ctx: &'a EvalContext,
    pub(super) file: &'a str,
    pub(super) sources: &'a Sources,
    /// Names bound by enclosing `for` expressions and template directives, innermost last.
    scope: Vec<(String, Bound<'a>)>,
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

    /// The value of an operand that must convert to `ty`, taken out by `extract`; `None` while
    /// unknown. A null value is the error `when_null`, one that does not convert the error
    /// `when_invalid` (each a summary and a detail).
    pub(super) fn known_operand<T>(
        &self,
        value: Value,
        ty: &Type,
        span: Option<Range<usize>>,
        when_null: (&str, &str),
        when_invalid: (&str, &str),
        extract: fn(Value) -> Option<T>,
    ) -> Result<Option<T>, Diagnostics> {
        match value {
            Value::Unknown => Ok(None),
            Value::Null => Err(self.error(when_null.0, when_null.1, span)),
            other => match convert(other, ty).ok().and_then(extract) {
                Some(known) => Ok(Some(known)),
                None => Err(self.error(when_invalid.0, when_invalid.1, span)),
            },
        }
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

    pub(super) fn lookup_scope(&self, name: &str) -> Option<&Bound<'a>> {
        self.scope
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// Puts `bindings` in scope until [`Evaluator::pop_bindings`] with the returned depth.
    pub(super) fn push_bindings(&mut self, bindings: Vec<(String, Marked)>) -> usize {
        let depth = self.scope.len();
        self.scope.extend(
            bindings
                .into_iter()
                .map(|(name, value)| (name, value.into())),
        );
        depth
    }

    pub(super) fn pop_bindings(&mut self, depth: usize) {
        self.scope.truncate(depth);
    }

    /// Runs `body` with `bindings` in scope.
    pub(super) fn with_bindings<T>(
        &mut self,
        bindings: Vec<(String, Marked)>,
        body: impl FnOnce(&mut Self) -> T,
    ) -> T {
        let bound = bindings
            .into_iter()
            .map(|(name, value)| (name, value.into()));
        self.with_bound(bound.collect(), body)
    }

    /// Runs `body` with `bindings`, owned or borrowed from the context, in scope.
    pub(super) fn with_bound<T>(
        &mut self,
        bindings: Vec<(String, Bound<'a>)>,
        body: impl FnOnce(&mut Self) -> T,
    ) -> T {
        let depth = self.scope.len();
        self.scope.extend(bindings);
        let result = body(self);
        self.scope.truncate(depth);
        result
    }

    /// Evaluates an operand the result depends on as a whole: its value, with its marks (any
    /// part's) added to `marks`.
    pub(super) fn eval_operand(
        &mut self,
        expr: &Expression,
        marks: &mut Sensitivity,
    ) -> Result<Value, Diagnostics> {
        let (value, operand_marks) = self.eval(expr)?.into_parts();
        if operand_marks.any() {
            *marks = Sensitivity::Whole;
        }
        Ok(value)
    }

    pub(crate) fn eval(&mut self, expr: &Expression) -> EvalResult {
        let plain = |value| Ok(Marked::plain(value));
        match expr {
            Expression::Null(_) => plain(Value::Null),
            Expression::Bool(b) => plain(Value::Bool(*b.value())),
            Expression::Number(n) => plain(Value::Number(number_literal(n))),
            Expression::String(s) => plain(Value::String(nfc(s.value()).into_owned())),
            Expression::Array(array) => {
                let mut items = Vec::with_capacity(array.len());
                let mut marks = Vec::with_capacity(array.len());
                for item in array {
                    let (value, item_marks) = self.eval(item)?.into_parts();
                    items.push(value);
                    marks.push(item_marks);
                }
                Ok(Marked::new(
                    Value::Tuple(items),
                    Sensitivity::elements(marks),
                ))
            }
            Expression::Object(object) => self.eval_object(object),
            Expression::StringTemplate(template) => self.eval_template(template),
            Expression::HeredocTemplate(heredoc) => self.eval_heredoc(heredoc),
            Expression::Parenthesis(inner) => self.eval(inner.inner()),
            Expression::Variable(_) | Expression::Traversal(_) => self.eval_traversal(expr),
            Expression::Conditional(cond) => self.eval_conditional(cond),
            Expression::FuncCall(call) => self.eval_call(call),
            Expression::UnaryOp(op) => {
                let mut marks = Sensitivity::None;
                let value = self.eval_unary(op, &mut marks)?;
                Ok(Marked::new(value, marks))
            }
            Expression::BinaryOp(op) => {
                let mut marks = Sensitivity::None;
                let value = self.eval_binary(op, &mut marks)?;
                Ok(Marked::new(value, marks))
            }
            Expression::ForExpr(for_expr) => self.eval_for(for_expr),
        }
    }

    fn eval_object(&mut self, object: &Object) -> EvalResult {
        let mut entries = BTreeMap::new();
        let mut entry_marks = BTreeMap::new();
        let mut key_marks = Sensitivity::None;
        let mut unknown_key = false;
        for (key, value) in object {
            if super::parse::is_shadowed_key(key) {
                // A later item repeats this key: its value is still evaluated, as in HCL.
                self.eval(value.expr())?;
                continue;
            }
            let name = match key {
                ObjectKey::Ident(ident) => ident.value().to_string(),
                ObjectKey::Expression(key_expr) => {
                    match self.eval_operand(key_expr, &mut key_marks)? {
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
                    }
                }
            };
            let (item, marks) = self.eval(value.expr())?.into_parts();
            entry_marks.insert(name.clone(), marks);
            entries.insert(name, item);
        }
        Ok(if unknown_key {
            Marked::new(Value::Unknown, key_marks)
        } else {
            Marked::new(
                Value::Object(entries),
                Sensitivity::attributes(entry_marks).union(key_marks),
            )
        })
    }

    /// A conditional: the chosen branch with its own marks, plus the condition's and, as in
    /// HCL, the top-level marks of the other branch (whose errors do not count).
    fn eval_conditional(&mut self, cond: &Conditional) -> EvalResult {
        let mut marks = Sensitivity::None;
        let condition = self.eval_operand(&cond.cond_expr, &mut marks)?;
        let chosen = self.known_operand(
            condition,
            &Type::Bool,
            cond.cond_expr.span(),
            (
                "Null condition",
                "The condition value is null. Conditions must either be true or false.",
            ),
            (
                "Incorrect condition type",
                "The condition expression must be of type bool.",
            ),
            |value| value.as_bool(),
        )?;
        let Some(chosen) = chosen else {
            // Both branches are still checked for errors.
            let when_true = self.eval(&cond.true_expr)?;
            let when_false = self.eval(&cond.false_expr)?;
            self.branch_type(cond, &when_true.value, &when_false.value)?;
            let branch_marks =
                Sensitivity::whole_if(when_true.marks.is_whole() || when_false.marks.is_whole());
            return Ok(Marked::new(Value::Unknown, marks.union(branch_marks)));
        };
        let (taken, other) = if chosen {
            (&cond.true_expr, &cond.false_expr)
        } else {
            (&cond.false_expr, &cond.true_expr)
        };
        let branch = self.eval(taken)?;
        let Ok(other) = self.eval(other) else {
            return Ok(branch.with(marks));
        };
        if other.marks.is_whole() {
            marks = Sensitivity::Whole;
        }
        let (when_true, when_false) = if chosen {
            (&branch.value, &other.value)
        } else {
            (&other.value, &branch.value)
        };
        let ty = self.branch_type(cond, when_true, when_false)?;
        if type_of(&branch.value) == ty {
            return Ok(branch.with(marks));
        }
        let (value, branch_marks) = branch.into_parts();
        let value = match convert(value.clone(), &ty) {
            Ok(converted) => converted,
            Err(_) => value,
        };
        let branch_marks = branch_marks.fitted(&value);
        Ok(Marked::new(value, branch_marks).with(marks))
    }

    /// The type both branches of a conditional unify to, as HCL requires, or HCL's error.
    fn branch_type(
        &self,
        cond: &Conditional,
        when_true: &Value,
        when_false: &Value,
    ) -> Result<tenantform_proto::value::Type, Diagnostics> {
        let types = [type_of(when_true), type_of(when_false)];
        unify(&types).ok_or_else(|| {
            self.error(
                "Inconsistent conditional result types",
                format!(
                    "The true and false result expressions must have consistent types. The \
                     'true' value is {}, but the 'false' value is {}.",
                    type_name(&types[0]),
                    type_name(&types[1]),
                ),
                cond.span(),
            )
        })
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
        let lookup_name = self.canonical_function_name(&full_name);
        if let Some(result) = self.eval_lazy_call(&lookup_name, call) {
            return result;
        }
        if let Some(result) = self.eval_contextual_call(&lookup_name, &full_name, call) {
            return result;
        }
        let Some(function) = functions::lookup(&lookup_name) else {
            return Err(self.error(
                "Call to unknown function",
                format!("There is no function named \"{full_name}\"."),
                call.name.name.span(),
            ));
        };
        let args = match self.call_arguments(call)? {
            Arguments::Known(args) => args,
            Arguments::UnknownExpansion(marks) => return Ok(Marked::new(Value::Unknown, marks)),
        };
        self.check_arity(function, &full_name, &args, call.span())?;
        self.call_function(function, &full_name, args, call.span())
    }

    /// The call's arguments, the final one expanded when it ends in `...`.
    fn call_arguments(&mut self, call: &FuncCall) -> Result<Arguments, Diagnostics> {
        let mut args = CallArguments::with_capacity(call.args.len());
        for arg in &call.args {
            let (value, marks) = self.eval(arg)?.into_parts();
            args.values.push(value);
            args.marks.push(marks);
            args.spans.push(arg.span());
        }
        if call.args.expand_final() {
            return self.expand_final_argument(args);
        }
        Ok(Arguments::Known(args))
    }

    /// Replaces the final argument by its elements.
    fn expand_final_argument(&mut self, mut args: CallArguments) -> Result<Arguments, Diagnostics> {
        let last_span = args.spans.pop().flatten();
        let last_marks = args.marks.pop().unwrap_or_default();
        match args.values.pop() {
            Some(Value::Unknown) => return Ok(Arguments::UnknownExpansion(last_marks)),
            Some(Value::List(items) | Value::Tuple(items) | Value::Set(items)) => {
                args.spans
                    .extend(std::iter::repeat_n(last_span.clone(), items.len()));
                let expanded = if last_marks.is_whole() {
                    vec![Sensitivity::Whole; items.len()]
                } else {
                    last_marks.element_marks(items.len())
                };
                args.marks.extend(expanded);
                args.values.extend(items);
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
        Ok(Arguments::Known(args))
    }

    /// Refuses too few or too many arguments.
    fn check_arity(
        &self,
        function: &Function,
        full_name: &str,
        args: &CallArguments,
        call_span: Option<Range<usize>>,
    ) -> Result<(), Diagnostics> {
        if args.values.len() < function.params.len() {
            let missing = function.params[args.values.len()];
            return Err(self.error(
                "Not enough function arguments",
                format!(
                    "Function \"{full_name}\" expects {} argument(s). Missing value for \"{missing}\".",
                    function.params.len()
                ),
                call_span,
            ));
        }
        if function.variadic.is_none() && args.values.len() > function.params.len() {
            return Err(self.error(
                "Too many function arguments",
                format!(
                    "Function \"{full_name}\" expects only {} argument(s).",
                    function.params.len()
                ),
                args.span(function.params.len()).or(call_span),
            ));
        }
        Ok(())
    }

    /// Calls `function`; the result takes its marks from the arguments'.
    fn call_function(
        &self,
        function: &Function,
        full_name: &str,
        args: CallArguments,
        call_span: Option<Range<usize>>,
    ) -> EvalResult {
        // The arguments are kept for working out the result's marks only when some are marked.
        let marked_args = args
            .marks
            .iter()
            .any(Sensitivity::any)
            .then(|| args.values.clone());
        match functions::call(function, args.values) {
            Ok(value) => {
                let marks = match &marked_args {
                    Some(values) => result_marks(function.name, values, &args.marks, &value),
                    None => Sensitivity::whole_if(function.name == "sensitive"),
                };
                Ok(Marked::new(value, marks))
            }
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
                    args.spans.get(index).cloned().flatten().or(call_span),
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

/// A call's evaluated arguments: values, marks and where each was written.
struct CallArguments {
    values: Vec<Value>,
    marks: Vec<Sensitivity>,
    spans: Vec<Option<Range<usize>>>,
}

impl CallArguments {
    fn with_capacity(capacity: usize) -> CallArguments {
        CallArguments {
            values: Vec::with_capacity(capacity),
            marks: Vec::with_capacity(capacity),
            spans: Vec::with_capacity(capacity),
        }
    }

    /// Where argument `index` was written.
    fn span(&self, index: usize) -> Option<Range<usize>> {
        self.spans.get(index).cloned().flatten()
    }
}

/// The arguments of a call, or, when its expanded final argument is unknown, that argument's
/// marks: the result is unknown.
enum Arguments {
    Known(CallArguments),
    UnknownExpansion(Sensitivity),
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
