//! Unary and binary operators with cty semantics: arithmetic and comparison on numbers
//! (strings that parse as numbers are accepted), deep equality, and boolean logic. Any
//! unknown operand makes the result unknown, and any marked operand marks the result.

use std::ops::Range;

use hcl_edit::Span;
use hcl_edit::expr::{BinaryOp, BinaryOperator, UnaryOp, UnaryOperator};
use tenantform_proto::value::{Number, Type, Value};

use super::convert::convert;
use super::eval::Evaluator;
use super::marks::Sensitivity;
use super::types::equal;
use crate::diags::Diagnostics;

impl Evaluator<'_> {
    /// A unary operation; `marks` takes the operand's.
    pub(super) fn eval_unary(
        &mut self,
        op: &UnaryOp,
        marks: &mut Sensitivity,
    ) -> Result<Value, Diagnostics> {
        let operand = self.eval_operand(&op.expr, marks)?;
        let span = op.expr.span();
        match op.operator.value() {
            UnaryOperator::Not => match self.operand(operand, &Type::Bool, "", span)? {
                Value::Bool(b) => Ok(Value::Bool(!b)),
                other => Ok(other),
            },
            UnaryOperator::Neg => match self.operand(operand, &Type::Number, "", span)? {
                Value::Number(n) => Ok(Value::Number(n.neg())),
                other => Ok(other),
            },
        }
    }

    /// A binary operation; `marks` takes the operands'.
    pub(super) fn eval_binary(
        &mut self,
        op: &BinaryOp,
        marks: &mut Sensitivity,
    ) -> Result<Value, Diagnostics> {
        let left = self.eval_operand(&op.lhs_expr, marks)?;
        let right = self.eval_operand(&op.rhs_expr, marks)?;
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
    ) -> Result<Value, Diagnostics> {
        let (result, not_a_number) = match operator {
            BinaryOperator::Plus => (a.add(&b), "can't compute sum of opposing infinities"),
            BinaryOperator::Minus => (a.sub(&b), "can't subtract infinity from itself"),
            BinaryOperator::Mul => (a.mul(&b), "can't multiply zero by infinity"),
            BinaryOperator::Div => (
                a.div(&b),
                "can't divide zero by zero or infinity by infinity",
            ),
            BinaryOperator::Mod => (a.rem(&b), "can't use modulo with zero and infinity"),
            BinaryOperator::Less => return Ok(Value::Bool(a.compare(&b).is_lt())),
            BinaryOperator::LessEq => return Ok(Value::Bool(a.compare(&b).is_le())),
            BinaryOperator::Greater => return Ok(Value::Bool(a.compare(&b).is_gt())),
            BinaryOperator::GreaterEq => return Ok(Value::Bool(a.compare(&b).is_ge())),
            BinaryOperator::Eq
            | BinaryOperator::NotEq
            | BinaryOperator::And
            | BinaryOperator::Or => unreachable!("handled by eval_binary"),
        };
        result.map(Value::Number).map_err(|_| {
            self.error(
                "Operation failed",
                format!("Error during operation: {not_a_number}."),
                span,
            )
        })
    }
}
