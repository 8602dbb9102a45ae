//! Type constraints of input variables: the model (`string`, `list(T)`, `object({...})` with
//! `optional(T, default)` attributes, `tuple([...])`, `any`) and its parsing from the
//! unevaluated `type` expression of a `variable` block, with Terraform's diagnostics.

use std::collections::BTreeMap;
use std::ops::Range;

use hcl_edit::Span;
use hcl_edit::expr::{Expression, FuncCall, ObjectKey};
use tenantform_proto::value::Value;

use super::conform::conform;
use crate::diags::{Diagnostic, Diagnostics, Sources};
use crate::lang::{EvalContext, evaluate};

/// A type constraint: a type that may contain `any` placeholders and, in objects, optional
/// attributes with defaults.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum TypeConstraint {
    /// `any`: the value keeps its own type.
    Any,
    String,
    Number,
    Bool,
    List(Box<TypeConstraint>),
    Set(Box<TypeConstraint>),
    Map(Box<TypeConstraint>),
    Object(BTreeMap<String, ObjectAttribute>),
    Tuple(Vec<TypeConstraint>),
}

/// One attribute of an `object({...})` constraint.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ObjectAttribute {
    pub constraint: TypeConstraint,
    /// Declared with `optional(...)`: it may be absent from a given value.
    pub optional: bool,
    /// The second argument of `optional(T, default)`, already converted to `T`.
    pub default: Option<Value>,
}

/// How values given as plain text (`-var`, `TF_VAR_`) are read for a variable: primitive
/// constraints take the text as a string, everything else parses it as an HCL expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ParsingMode {
    Literal,
    Expression,
}

impl TypeConstraint {
    pub(crate) fn is_primitive(&self) -> bool {
        matches!(
            self,
            TypeConstraint::String | TypeConstraint::Number | TypeConstraint::Bool
        )
    }

    /// True when an `any` appears anywhere inside.
    pub(crate) fn has_any(&self) -> bool {
        match self {
            TypeConstraint::Any => true,
            TypeConstraint::String | TypeConstraint::Number | TypeConstraint::Bool => false,
            TypeConstraint::List(e) | TypeConstraint::Set(e) | TypeConstraint::Map(e) => {
                e.has_any()
            }
            TypeConstraint::Object(attributes) => {
                attributes.values().any(|attr| attr.constraint.has_any())
            }
            TypeConstraint::Tuple(elements) => elements.iter().any(TypeConstraint::has_any),
        }
    }

    pub(crate) fn parsing_mode(&self) -> ParsingMode {
        if self.is_primitive() {
            ParsingMode::Literal
        } else {
            ParsingMode::Expression
        }
    }

    /// cty's `FriendlyName`: `string`, `list of number`, `map of dynamic`, `object`.
    pub(crate) fn friendly_name(&self) -> String {
        self.name(false)
    }

    /// cty's `FriendlyNameForConstraint`: like [`Self::friendly_name`], but `any` reads
    /// `any type` and a collection of `any` reads `list of any single type`.
    pub(crate) fn constraint_name(&self) -> String {
        self.name(true)
    }

    fn name(&self, for_constraint: bool) -> String {
        let element = |e: &TypeConstraint, kind: &str| match (e, for_constraint) {
            (TypeConstraint::Any, true) => format!("{kind} of any single type"),
            _ => format!("{kind} of {}", e.name(for_constraint)),
        };
        match self {
            TypeConstraint::Any if for_constraint => "any type".into(),
            TypeConstraint::Any => "dynamic".into(),
            TypeConstraint::String => "string".into(),
            TypeConstraint::Number => "number".into(),
            TypeConstraint::Bool => "bool".into(),
            TypeConstraint::List(e) => element(e, "list"),
            TypeConstraint::Set(e) => element(e, "set"),
            TypeConstraint::Map(e) => element(e, "map"),
            TypeConstraint::Object(_) => "object".into(),
            TypeConstraint::Tuple(_) => "tuple".into(),
        }
    }
}

const INVALID_TYPE: &str = "Invalid type specification";

/// Parses the `type` expression of a variable declared in `file`. Besides the type
/// expression language, the bare keywords `list` and `map` stand for `list(any)` and
/// `map(any)`, as in Terraform.
pub(crate) fn parse_variable_type(
    expr: &Expression,
    file: &str,
    sources: &Sources,
) -> Result<TypeConstraint, Diagnostics> {
    let parser = ConstraintParser { file, sources };
    match expr {
        Expression::String(quoted) => Err(parser.error(
            "Invalid quoted type constraints",
            format!(
                "Terraform 0.11 and earlier required type constraints to be given in quotes, but \
                 that form is now deprecated and will be removed in a future version of \
                 Terraform. Remove the quotes around \"{}\".",
                quoted.value()
            ),
            expr.span(),
        )),
        Expression::Variable(ident) if ident.value().as_str() == "list" => {
            Ok(TypeConstraint::List(Box::new(TypeConstraint::Any)))
        }
        Expression::Variable(ident) if ident.value().as_str() == "map" => {
            Ok(TypeConstraint::Map(Box::new(TypeConstraint::Any)))
        }
        _ => parser.parse(expr),
    }
}

struct ConstraintParser<'a> {
    file: &'a str,
    sources: &'a Sources,
}

impl ConstraintParser<'_> {
    fn error(
        &self,
        summary: &str,
        detail: impl Into<String>,
        span: Option<Range<usize>>,
    ) -> Diagnostics {
        Diagnostic::error(summary, detail)
            .with_range(span.map(|s| self.sources.range(self.file, s)))
            .into()
    }

    fn parse(&self, expr: &Expression) -> Result<TypeConstraint, Diagnostics> {
        match expr {
            Expression::Parenthesis(inner) => self.parse(inner.inner()),
            Expression::Variable(ident) => match ident.value().as_str() {
                "any" => Ok(TypeConstraint::Any),
                "string" => Ok(TypeConstraint::String),
                "number" => Ok(TypeConstraint::Number),
                "bool" => Ok(TypeConstraint::Bool),
                keyword @ ("list" | "map" | "set") => Err(self.error(
                    INVALID_TYPE,
                    format!(
                        "The {keyword} type constructor requires one argument specifying the \
                         element type."
                    ),
                    expr.span(),
                )),
                "object" => Err(self.error(
                    INVALID_TYPE,
                    "The object type constructor requires one argument specifying the attribute \
                     types as a map.",
                    expr.span(),
                )),
                "tuple" => Err(self.error(
                    INVALID_TYPE,
                    "The tuple type constructor requires one argument specifying the element \
                     types as a list.",
                    expr.span(),
                )),
                other => Err(self.error(
                    INVALID_TYPE,
                    format!("The keyword \"{other}\" is not a valid type specification."),
                    expr.span(),
                )),
            },
            Expression::FuncCall(call) => self.parse_call(call, false).map(|(c, _)| c),
            _ => Err(self.error(
                INVALID_TYPE,
                "A type specification is either a primitive type keyword (bool, number, string) \
                 or a complex type constructor call, like list(string).",
                expr.span(),
            )),
        }
    }

    /// A constructor call; `optional(...)` is accepted only when `in_object`, and then its
    /// default comes back with the constraint.
    fn parse_call(
        &self,
        call: &FuncCall,
        in_object: bool,
    ) -> Result<(TypeConstraint, Option<ObjectAttribute>), Diagnostics> {
        let name = call.name.name.value().as_str();
        let args: Vec<&Expression> = call.args.iter().collect();
        let span = call.span();
        let one_argument = |what: &str| {
            if args.len() == 1 {
                Ok(args[0])
            } else {
                Err(self.error(
                    INVALID_TYPE,
                    format!("The {name} type constructor requires one argument specifying {what}."),
                    span.clone(),
                ))
            }
        };
        let constraint = match name {
            "list" | "set" | "map" => {
                let element = Box::new(self.parse(one_argument("the element type")?)?);
                match name {
                    "list" => TypeConstraint::List(element),
                    "set" => TypeConstraint::Set(element),
                    _ => TypeConstraint::Map(element),
                }
            }
            "object" => self.parse_object(one_argument("the attribute types as a map")?)?,
            "tuple" => {
                let Expression::Array(items) = one_argument("the element types as a list")? else {
                    return Err(self.error(
                        INVALID_TYPE,
                        "Tuple type constructor requires a list of element types.",
                        args[0].span(),
                    ));
                };
                let elements = items
                    .iter()
                    .map(|item| self.parse(item))
                    .collect::<Result<_, _>>()?;
                TypeConstraint::Tuple(elements)
            }
            "optional" if in_object => return self.parse_optional(call, &args),
            "optional" => {
                return Err(self.error(
                    INVALID_TYPE,
                    "Keyword \"optional\" is valid only as a modifier for object type \
                     attributes.",
                    span,
                ));
            }
            other => {
                return Err(self.error(
                    INVALID_TYPE,
                    format!("Keyword \"{other}\" is not a valid type constructor."),
                    call.name.name.span(),
                ));
            }
        };
        Ok((constraint, None))
    }

    fn parse_object(&self, expr: &Expression) -> Result<TypeConstraint, Diagnostics> {
        let Expression::Object(object) = expr else {
            return Err(self.error(
                INVALID_TYPE,
                "Object type constructor requires a map whose keys are attribute names and whose \
                 values are the corresponding attribute types.",
                expr.span(),
            ));
        };
        let mut attributes = BTreeMap::new();
        let mut diags = Diagnostics::new();
        for (key, value) in object {
            let name = match key {
                ObjectKey::Ident(ident) => ident.value().to_string(),
                ObjectKey::Expression(Expression::Variable(ident)) => ident.value().to_string(),
                ObjectKey::Expression(other) => {
                    diags.extend(self.error(
                        INVALID_TYPE,
                        "Object constructor map keys must be attribute names.",
                        other.span(),
                    ));
                    continue;
                }
            };
            let parsed = match value.expr() {
                Expression::FuncCall(call) => self.parse_call(call, true),
                other => self.parse(other).map(|c| (c, None)),
            };
            match parsed {
                Ok((_, Some(optional))) => {
                    attributes.insert(name, optional);
                }
                Ok((constraint, None)) => {
                    attributes.insert(
                        name,
                        ObjectAttribute {
                            constraint,
                            optional: false,
                            default: None,
                        },
                    );
                }
                Err(more) => diags.extend(more),
            }
        }
        if diags.has_errors() {
            return Err(diags);
        }
        Ok(TypeConstraint::Object(attributes))
    }

    fn parse_optional(
        &self,
        call: &FuncCall,
        args: &[&Expression],
    ) -> Result<(TypeConstraint, Option<ObjectAttribute>), Diagnostics> {
        let (type_expr, default_expr) = match args {
            [ty] => (*ty, None),
            [ty, default] => (*ty, Some(*default)),
            _ => {
                return Err(self.error(
                    INVALID_TYPE,
                    "Optional attribute modifier requires the attribute type as its first \
                     argument and, optionally, a default value as its second.",
                    call.span(),
                ));
            }
        };
        let constraint = self.parse(type_expr)?;
        let default = match default_expr {
            None => None,
            Some(expr) => {
                let value = evaluate(expr, &EvalContext::default(), self.file, self.sources)?;
                match conform(value, &constraint) {
                    Ok(value) => Some(value),
                    Err(problem) => {
                        return Err(self.error(
                            "Invalid default value for optional attribute",
                            format!(
                                "This default value is not compatible with the attribute's type \
                                 constraint: {problem}."
                            ),
                            expr.span(),
                        ));
                    }
                }
            }
        };
        let attribute = ObjectAttribute {
            constraint: constraint.clone(),
            optional: true,
            default,
        };
        Ok((constraint, Some(attribute)))
    }
}
