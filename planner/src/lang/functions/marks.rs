//! Sensitivity marks, tracked beside values rather than inside them: [`Value`] has no marks,
//! so which parts of an expression's result are sensitive is derived from the expression.
//!
//! The rules follow Terraform's mark propagation: `sensitive(x)` marks its whole result,
//! `nonsensitive(x)` removes the mark of its argument's top level, any other function call,
//! operator, template or traversal over a sensitive operand is wholly sensitive, and tuple
//! and object constructors keep their elements' marks one by one. A reference to a variable
//! declared `sensitive = true` is sensitive.
//!
//! [`Value`]: tenantform_proto::value::Value

use std::collections::{BTreeMap, BTreeSet};

use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::template::Element;

/// Which parts of a value are sensitive.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Sensitivity {
    #[default]
    None,
    Whole,
    /// A tuple's elements, by index.
    Elements(Vec<Sensitivity>),
    /// An object's attributes, by name.
    Attributes(BTreeMap<String, Sensitivity>),
}

impl Sensitivity {
    pub fn is_whole(&self) -> bool {
        matches!(self, Sensitivity::Whole)
    }

    /// Whether any part is sensitive.
    pub fn any(&self) -> bool {
        match self {
            Sensitivity::None => false,
            Sensitivity::Whole => true,
            Sensitivity::Elements(items) => items.iter().any(Sensitivity::any),
            Sensitivity::Attributes(entries) => entries.values().any(Sensitivity::any),
        }
    }

    /// The marks of element `index`.
    pub fn element(&self, index: usize) -> Sensitivity {
        match self {
            Sensitivity::Whole => Sensitivity::Whole,
            Sensitivity::Elements(items) => items.get(index).cloned().unwrap_or_default(),
            _ => Sensitivity::None,
        }
    }

    /// The marks of attribute `name`.
    pub fn attribute(&self, name: &str) -> Sensitivity {
        match self {
            Sensitivity::Whole => Sensitivity::Whole,
            Sensitivity::Attributes(entries) => entries.get(name).cloned().unwrap_or_default(),
            _ => Sensitivity::None,
        }
    }

    /// Whole when any part is sensitive.
    fn collapsed(self) -> Sensitivity {
        if self.any() {
            Sensitivity::Whole
        } else {
            Sensitivity::None
        }
    }
}

fn whole_if(sensitive: bool) -> Sensitivity {
    if sensitive {
        Sensitivity::Whole
    } else {
        Sensitivity::None
    }
}

/// The sensitivity of the value `expr` yields; `sensitive_variables` names the variables
/// declared sensitive.
pub fn expression_sensitivity(
    expr: &Expression,
    sensitive_variables: &BTreeSet<String>,
) -> Sensitivity {
    let of = |e: &Expression| expression_sensitivity(e, sensitive_variables);
    match expr {
        Expression::Null(_)
        | Expression::Bool(_)
        | Expression::Number(_)
        | Expression::String(_)
        | Expression::Variable(_) => Sensitivity::None,
        Expression::Parenthesis(inner) => of(inner.inner()),
        Expression::Array(items) => {
            let marks: Vec<Sensitivity> = items.iter().map(of).collect();
            if marks.iter().any(Sensitivity::any) {
                Sensitivity::Elements(marks)
            } else {
                Sensitivity::None
            }
        }
        Expression::Object(object) => {
            let mut entries = BTreeMap::new();
            let mut key_sensitive = false;
            for (key, value) in object.iter() {
                let name = match key {
                    ObjectKey::Ident(ident) => ident.value().to_string(),
                    ObjectKey::Expression(Expression::String(s)) => s.value().to_string(),
                    ObjectKey::Expression(Expression::Variable(v)) => v.value().to_string(),
                    ObjectKey::Expression(other) => {
                        key_sensitive |= of(other).any();
                        continue;
                    }
                };
                entries.insert(name, of(value.expr()));
            }
            if key_sensitive {
                Sensitivity::Whole
            } else if entries.values().any(Sensitivity::any) {
                Sensitivity::Attributes(entries)
            } else {
                Sensitivity::None
            }
        }
        Expression::FuncCall(call) => {
            let args: Vec<Sensitivity> = call.args.iter().map(of).collect();
            match call.name.name.value().as_str() {
                "sensitive" => Sensitivity::Whole,
                "nonsensitive" => match args.into_iter().next() {
                    Some(Sensitivity::Whole) | None => Sensitivity::None,
                    Some(inner) => inner,
                },
                "issensitive" | "can" | "type" => Sensitivity::None,
                _ => whole_if(args.iter().any(Sensitivity::any)),
            }
        }
        Expression::Traversal(traversal) => {
            if let Expression::Variable(root) = &traversal.expr
                && root.value().as_str() == "var"
                && let Some(TraversalOperator::GetAttr(name)) =
                    traversal.operators.first().map(|op| op.value())
                && sensitive_variables.contains(name.value().as_str())
            {
                return Sensitivity::Whole;
            }
            let index_sensitive = traversal.operators.iter().any(|op| match op.value() {
                TraversalOperator::Index(index) => of(index).any(),
                _ => false,
            });
            whole_if(index_sensitive || of(&traversal.expr).any())
        }
        Expression::Conditional(cond) => whole_if(
            of(&cond.cond_expr).any() || of(&cond.true_expr).any() || of(&cond.false_expr).any(),
        ),
        Expression::UnaryOp(op) => of(&op.expr).collapsed(),
        Expression::BinaryOp(op) => whole_if(of(&op.lhs_expr).any() || of(&op.rhs_expr).any()),
        Expression::StringTemplate(template) => whole_if(
            template
                .iter()
                .any(|element| matches!(element, Element::Interpolation(i) if of(&i.expr).any())),
        ),
        Expression::HeredocTemplate(heredoc) => whole_if(
            heredoc
                .template
                .iter()
                .any(|element| matches!(element, Element::Interpolation(i) if of(&i.expr).any())),
        ),
        Expression::ForExpr(for_expr) => {
            let value = of(&for_expr.value_expr).any();
            let collection = of(&for_expr.intro.collection_expr).any();
            whole_if(value || collection)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks_of(text: &str) -> Sensitivity {
        let expr: Expression = text.parse().expect("expression");
        expression_sensitivity(&expr, &BTreeSet::from(["secret".to_string()]))
    }

    #[test]
    fn sensitive_marks_whole_results_and_constructors_keep_element_marks() {
        assert_eq!(marks_of("sensitive(1)"), Sensitivity::Whole);
        assert_eq!(marks_of("upper(sensitive(\"a\"))"), Sensitivity::Whole);
        assert_eq!(marks_of("nonsensitive(sensitive(1))"), Sensitivity::None);
        assert_eq!(
            marks_of("[sensitive(1), 2]"),
            Sensitivity::Elements(vec![Sensitivity::Whole, Sensitivity::None])
        );
        assert_eq!(
            marks_of("{a = sensitive(1)}").attribute("a"),
            Sensitivity::Whole
        );
        assert_eq!(marks_of("var.secret"), Sensitivity::Whole);
        assert_eq!(marks_of("\"${var.secret}x\""), Sensitivity::Whole);
        assert_eq!(marks_of("issensitive(var.secret)"), Sensitivity::None);
        assert_eq!(marks_of("1 + 2"), Sensitivity::None);
    }
}
