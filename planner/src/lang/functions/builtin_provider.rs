//! The functions of Terraform's built-in provider (`terraform.io/builtin/terraform`),
//! callable as `provider::NAME::FUNC(...)` where a module declares that provider under NAME:
//! `encode_tfvars`, `decode_tfvars` and `encode_expr`. Values are written as hclwrite writes
//! them (`TokensForValue`: lists inline, objects one attribute a line, keys sorted) and laid
//! out by the formatter, as `terraform fmt` would.

use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::sync::Arc;

use hcl_edit::expr::Expression;
use hcl_edit::visit::{Visit, visit_expr, visit_for_expr};
use tenantform_proto::value::{Type, Value};

use super::FunctionError;
use crate::diags::Sources;
use crate::lang::EvalContext;
use crate::providers::builtin::SOURCE as BUILTIN_PROVIDER_SOURCE;

/// The name files are given in `decode_tfvars` messages.
const DECODE_FILE: &str = "<decode_tfvars argument>";

/// `encode_tfvars(value)`: an object's attributes as a `.tfvars` file.
pub(super) fn encode_tfvars(args: Vec<Value>) -> Result<Value, FunctionError> {
    let (Value::Object(entries) | Value::Map(entries)) = &args[0] else {
        return Err(FunctionError::Call(
            "invalid value to encode: must be an object whose attribute names will become \
             the encoded variable names"
                .into(),
        ));
    };
    let mut text = String::new();
    for (name, value) in entries {
        if !is_identifier(name) {
            return Err(FunctionError::Call(format!(
                "invalid variable name {name:?}: must be a valid identifier, per Terraform's \
                 rules for input variable declarations"
            )));
        }
        text.push_str(&format!("{name} = {}\n", value_tokens(value)));
    }
    formatted(&text).map(Value::String)
}

/// `encode_expr(value)`: the HCL expression that stands for the value.
pub(super) fn encode_expr(args: Vec<Value>) -> Result<Value, FunctionError> {
    let text = formatted(&format!("x = {}\n", value_tokens(&args[0])))?;
    let expr = text.strip_prefix("x = ").unwrap_or(&text).trim();
    Ok(Value::String(expr.to_string()))
}

/// `decode_tfvars(src)`: the attributes of a `.tfvars` file's content, as an object. The
/// expressions may use neither variables nor functions.
pub(super) fn decode_tfvars(args: Vec<Value>) -> Result<Value, FunctionError> {
    let Ok(Value::String(src)) = crate::lang::convert::convert(args[0].clone(), &Type::String)
    else {
        return Err(FunctionError::Call("argument must be a string".into()));
    };
    let src = &src;
    let body = crate::lang::parse::parse_body(src).map_err(|err| {
        FunctionError::Call(format!(
            "invalid tfvars syntax: {DECODE_FILE}: {}",
            err.message
        ))
    })?;
    if let Some(block) = body.blocks().next() {
        return Err(FunctionError::Call(format!(
            "invalid tfvars content: {DECODE_FILE}: Unexpected \"{}\" block; Blocks are not \
             allowed here.",
            block.ident.value()
        )));
    }
    let sources = Sources::of_file(DECODE_FILE, src.clone());
    let ctx = EvalContext::default();
    let mut values = BTreeMap::new();
    for attr in body.attributes() {
        let name = attr.key.value().to_string();
        let invalid = |detail: String| {
            FunctionError::Call(format!(
                "invalid expression for variable {name:?}: {DECODE_FILE}: {detail}"
            ))
        };
        if let Some(problem) = StaticCheck::problem(&attr.value) {
            return Err(invalid(problem.to_string()));
        }
        let value = crate::lang::evaluate(&attr.value, &ctx, DECODE_FILE, &sources)
            .map_err(|diags| invalid(diags.to_string()))?;
        values.insert(name, value);
    }
    Ok(Value::Object(values))
}

/// Finds what a constant expression may not hold: a variable (other than a `for`
/// expression's own) or a function call.
#[derive(Default)]
struct StaticCheck {
    bound: Vec<String>,
    problem: Option<&'static str>,
}

impl StaticCheck {
    fn problem(expr: &Expression) -> Option<&'static str> {
        let mut check = StaticCheck::default();
        check.visit_expr(expr);
        check.problem
    }
}

impl Visit for StaticCheck {
    fn visit_expr(&mut self, expr: &Expression) {
        match expr {
            Expression::Variable(name) if !self.bound.iter().any(|b| b == name.as_str()) => {
                self.problem
                    .get_or_insert("Variables not allowed; Variables may not be used here.");
            }
            Expression::FuncCall(_) => {
                self.problem
                    .get_or_insert("Function calls not allowed; Functions may not be called here.");
            }
            _ => visit_expr(self, expr),
        }
    }

    fn visit_for_expr(&mut self, node: &hcl_edit::expr::ForExpr) {
        self.visit_expr(&node.intro.collection_expr);
        let depth = self.bound.len();
        self.bound.extend(
            node.intro
                .key_var
                .iter()
                .map(std::string::ToString::to_string),
        );
        self.bound.push(node.intro.value_var.to_string());
        visit_for_expr(self, node);
        self.bound.truncate(depth);
    }
}

/// The text hclwrite's `TokensForValue` gives `value`, before layout.
fn value_tokens(value: &Value) -> String {
    crate::format::literal::value_literal(value, quoted)
}

/// A quoted string literal as hclwrite escapes it (the escaping `fmt` writes labels with).
fn quoted(text: &str) -> String {
    format!("\"{}\"", crate::format::escape_label(text))
}

use crate::format::literal::is_identifier;

/// `text` laid out as `terraform fmt` lays it out.
fn formatted(text: &str) -> Result<String, FunctionError> {
    crate::format::format_source(text)
        .map_err(|err| FunctionError::Call(format!("cannot encode the value: {err}")))
}

/// The local names under which `required` (local name to source address) declares the
/// built-in provider.
pub(crate) fn builtin_provider_names<'a>(
    required: impl IntoIterator<Item = (&'a String, &'a String)>,
) -> Arc<BTreeSet<String>> {
    Arc::new(
        required
            .into_iter()
            .filter(|(_, source)| source.as_str() == BUILTIN_PROVIDER_SOURCE)
            .map(|(name, _)| name.clone())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::obj;
    use tenantform_proto::value::Number;

    #[test]
    fn values_encode_as_hclwrite_writes_them() {
        let value = obj(&[
            ("a", Value::Number(Number::Int(1))),
            ("b", Value::Tuple(vec![Value::Bool(true), Value::Null])),
            ("c d", Value::String("x\ny${z}".into())),
        ]);
        let text = encode_expr(vec![value.clone()]).unwrap();
        assert_eq!(
            text,
            Value::String(
                "{\n  a     = 1\n  b     = [true, null]\n  \"c d\" = \"x\\ny$${z}\"\n}".into()
            )
        );
        let error = encode_tfvars(vec![value]).unwrap_err();
        assert!(matches!(error, FunctionError::Call(message) if message.contains("\"c d\"")));
    }

    #[test]
    fn tfvars_round_trip() {
        let value = obj(&[
            ("a", Value::Number(Number::Int(1))),
            ("b", obj(&[("x", Value::String("y".into()))])),
        ]);
        let Value::String(text) = encode_tfvars(vec![value.clone()]).unwrap() else {
            panic!("not a string")
        };
        assert_eq!(text, "a = 1\nb = {\n  x = \"y\"\n}\n");
        assert_eq!(decode_tfvars(vec![Value::String(text)]).unwrap(), value);
    }

    #[test]
    fn decoding_refuses_variables_functions_and_blocks() {
        for src in ["a = var.x", "a = upper(\"x\")", "a {\n}\n"] {
            assert!(
                decode_tfvars(vec![Value::String(src.into())]).is_err(),
                "{src}"
            );
        }
        let list = decode_tfvars(vec![Value::String("a = [for x in [1] : x]".into())]);
        assert_eq!(
            list.unwrap(),
            obj(&[("a", Value::Tuple(vec![Value::Number(Number::Int(1))]))])
        );
    }
}
