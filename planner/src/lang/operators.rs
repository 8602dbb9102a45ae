//! Unary and binary operators with cty semantics: arithmetic and comparison on numbers
//! (strings that parse as numbers are accepted), deep equality, and boolean logic. Any
//! unknown operand makes the result unknown.

use std::ops::Range;

use hcl_edit::Span;
use hcl_edit::expr::{BinaryOp, BinaryOperator, UnaryOp, UnaryOperator};
use tenantform_proto::value::{Number, Type, Value};

use super::convert::convert;
use super::eval::{EvalResult, Evaluator};
use super::types::equal;
use crate::diags::Diagnostics;

impl Evaluator<'_> {
    pub(super) fn eval_unary(&mut self, op: &UnaryOp) -> EvalResult {
        let operand = self.eval(&op.expr)?;
        let span = op.expr.span();
        match op.operator.value() {
            UnaryOperator::Not => match self.operand(operand, &Type::Bool, "", span)? {
                Value::Bool(b) => Ok(Value::Bool(!b)),
                other => Ok(other),
            },
            UnaryOperator::Neg => match self.operand(operand, &Type::Number, "", span)? {
                Value::Number(n) => Ok(Value::Number(negate(n))),
                other => Ok(other),
            },
        }
    }

    pub(super) fn eval_binary(&mut self, op: &BinaryOp) -> EvalResult {
        let left = self.eval(&op.lhs_expr)?;
        let right = self.eval(&op.rhs_expr)?;
        let (lspan, rspan) = (op.lhs_expr.span(), op.rhs_expr.span());
        let operator = *op.operator.value();
        match operator {
            BinaryOperator::Eq => Ok(equal(&left, &right)),
            BinaryOperator::NotEq => Ok(match equal(&left, &right) {
                Value::Bool(b) => Value::Bool(!b),
                other => other,
            }),
            BinaryOperator::And | BinaryOperator::Or => {
                let left = self.operand(left, &Type::Bool, "left ", lspan)?;
                let right = self.operand(right, &Type::Bool, "right ", rspan)?;
                match (left, right) {
                    (Value::Bool(a), Value::Bool(b)) => {
                        Ok(Value::Bool(if operator == BinaryOperator::And {
                            a && b
                        } else {
                            a || b
                        }))
                    }
                    _ => Ok(Value::Unknown),
                }
            }
            _ => {
                let left = self.operand(left, &Type::Number, "left ", lspan)?;
                let right = self.operand(right, &Type::Number, "right ", rspan)?;
                let (Value::Number(a), Value::Number(b)) = (left, right) else {
                    return Ok(Value::Unknown);
                };
                self.arithmetic(operator, a, b, op.span())
            }
        }
    }

    /// Converts an operand to the type the operator needs; unknown stays unknown.
    fn operand(
        &self,
        value: Value,
        ty: &Type,
        side: &str,
        span: Option<Range<usize>>,
    ) -> Result<Value, Diagnostics> {
        let required = match ty {
            Type::Bool => "a bool is required",
            _ => "a number is required",
        };
        if value.is_null() {
            return Err(self.error(
                "Invalid operand",
                format!("Unsuitable value for {side}operand: {required}."),
                span,
            ));
        }
        convert(value, ty).map_err(|_| {
            self.error(
                "Invalid operand",
                format!("Unsuitable value for {side}operand: {required}."),
                span,
            )
        })
    }

    fn arithmetic(
        &self,
        operator: BinaryOperator,
        a: Number,
        b: Number,
        span: Option<Range<usize>>,
    ) -> EvalResult {
        let number = |n: Number| Ok(Value::Number(n));
        match operator {
            BinaryOperator::Plus => number(int_or_float(a, b, i64::checked_add, |x, y| x + y)),
            BinaryOperator::Minus => number(int_or_float(a, b, i64::checked_sub, |x, y| x - y)),
            BinaryOperator::Mul => number(int_or_float(a, b, i64::checked_mul, |x, y| x * y)),
            BinaryOperator::Div | BinaryOperator::Mod if b.as_f64() == 0.0 => Err(self.error(
                "Operation failed",
                "Error during operation: can't divide by zero.",
                span,
            )),
            BinaryOperator::Div => number(Number::from_f64(a.as_f64() / b.as_f64())),
            BinaryOperator::Mod => number(int_or_float(a, b, i64::checked_rem, |x, y| x % y)),
            BinaryOperator::Less => Ok(Value::Bool(a.as_f64() < b.as_f64())),
            BinaryOperator::LessEq => Ok(Value::Bool(a.as_f64() <= b.as_f64())),
            BinaryOperator::Greater => Ok(Value::Bool(a.as_f64() > b.as_f64())),
            BinaryOperator::GreaterEq => Ok(Value::Bool(a.as_f64() >= b.as_f64())),
            BinaryOperator::Eq
            | BinaryOperator::NotEq
            | BinaryOperator::And
            | BinaryOperator::Or => unreachable!("handled by eval_binary"),
        }
    }
}

fn negate(n: Number) -> Number {
    match n {
        Number::Int(i) => i
            .checked_neg()
            .map_or(Number::Float(-(i as f64)), Number::Int),
        Number::Float(f) => Number::from_f64(-f),
    }
}

/// Integer arithmetic while it is exact, floating point otherwise.
fn int_or_float(
    a: Number,
    b: Number,
    int_op: fn(i64, i64) -> Option<i64>,
    float_op: fn(f64, f64) -> f64,
) -> Number {
    if let (Number::Int(x), Number::Int(y)) = (a, b)
        && let Some(result) = int_op(x, y)
    {
        return Number::Int(result);
    }
    Number::from_f64(float_op(a.as_f64(), b.as_f64()))
}
