//! The console-only `type(...)` function: `type(EXPR)` as a whole line prints the type of
//! the value, laid out as Terraform's console prints types (`list(number)`, structural types
//! one attribute or element a line); anywhere else in an expression it is an error.

use hcl_edit::expr::{Expression, FuncCall};
use hcl_edit::visit::{Visit, visit_func_call};
use tenantform_proto::value::Type;

/// What a console line asks for.
pub(super) enum TypeCall<'a> {
    /// `type(EXPR)`: the type of EXPR.
    Of(&'a Expression),
    /// `type(type(...))`: the type of a type.
    OfType,
    /// `type` called with another number of arguments.
    Arity(usize),
}

/// The `type(...)` call a whole console line is, if it is one.
pub(super) fn type_call(expr: &Expression) -> Option<TypeCall<'_>> {
    let call = as_type_call(expr)?;
    let args: Vec<&Expression> = call.args.iter().collect();
    Some(match args.as_slice() {
        [single] if as_type_call(single).is_some() => TypeCall::OfType,
        [single] => TypeCall::Of(single),
        other => TypeCall::Arity(other.len()),
    })
}

fn is_type(call: &FuncCall) -> bool {
    call.name.namespace.is_empty() && call.name.name.value().as_str() == "type"
}

fn as_type_call(expr: &Expression) -> Option<&FuncCall> {
    match expr {
        Expression::FuncCall(call) if is_type(call) => Some(call),
        Expression::Parenthesis(inner) => as_type_call(inner.inner()),
        _ => None,
    }
}

/// Whether `expr` calls `type` anywhere.
pub(super) fn calls_type(expr: &Expression) -> bool {
    struct Finder(bool);
    impl Visit for Finder {
        fn visit_func_call(&mut self, node: &FuncCall) {
            self.0 |= is_type(node);
            visit_func_call(self, node);
        }
    }
    let mut finder = Finder(false);
    finder.visit_expr(expr);
    finder.0
}

/// A type as Terraform's console prints it, `indent` spaces deep.
pub(super) fn format_type(ty: &Type, indent: usize) -> String {
    let inner = " ".repeat(indent + 4);
    let end = " ".repeat(indent);
    match ty {
        Type::String => "string".into(),
        Type::Number => "number".into(),
        Type::Bool => "bool".into(),
        Type::Dynamic => "dynamic".into(),
        Type::List(element) => collection("list", element, indent),
        Type::Set(element) => collection("set", element, indent),
        Type::Map(element) => collection("map", element, indent),
        Type::Tuple(elements) if elements.is_empty() => "tuple([])".into(),
        Type::Tuple(elements) => {
            let lines: String = elements
                .iter()
                .map(|e| format!("{inner}{},\n", format_type(e, indent + 4)))
                .collect();
            format!("tuple([\n{lines}{end}])")
        }
        Type::Object(attributes) if attributes.is_empty() => "object({})".into(),
        Type::Object(attributes) => {
            let lines: String = attributes
                .iter()
                .map(|(name, t)| format!("{inner}{name}: {},\n", format_type(t, indent + 4)))
                .collect();
            format!("object({{\n{lines}{end}}})")
        }
    }
}

/// `list(number)` and `list(list(number))` on one line; a structural element type takes
/// lines of its own.
fn collection(kind: &str, element: &Type, indent: usize) -> String {
    if is_structural(element) {
        let inner = " ".repeat(indent + 4);
        let end = " ".repeat(indent);
        format!(
            "{kind}(\n{inner}{},\n{end})",
            format_type(element, indent + 4)
        )
    } else {
        format!("{kind}({})", format_type(element, indent))
    }
}

fn is_structural(ty: &Type) -> bool {
    matches!(ty, Type::Object(_) | Type::Tuple(_))
}

#[cfg(test)]
mod tests;
