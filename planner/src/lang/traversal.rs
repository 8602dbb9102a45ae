//! Traversals: resolving a reference's root (`var.x`, `local.y`, `TYPE.NAME`,
//! `data.TYPE.NAME`, `path.module`, `count.index`, a `for` variable) and applying attribute
//! access, indexing and splat operators to a value. A part taken out of a value keeps that
//! part's marks; an index key's marks mark the part taken.

use std::ops::Range;

use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::{Decorated, Ident, Span};
use tenantform_proto::value::{Number, Type, Value};

use super::Subject;
use super::convert::convert;
use super::eval::{EvalResult, Evaluator};
use super::marks::{Marked, Sensitivity};
use crate::addrs::{ResourceAddr, ResourceMode};
use crate::diags::Diagnostics;

type Operator = Decorated<TraversalOperator>;

/// What a reference's root names: its value when it exists, how many operators after the
/// root name it, and the error to report when it does not exist.
struct RootLookup {
    value: Option<Value>,
    consumed: usize,
    summary: &'static str,
    detail: String,
}

impl RootLookup {
    fn found(value: Option<Value>, consumed: usize) -> RootLookup {
        RootLookup {
            value,
            consumed,
            summary: "",
            detail: String::new(),
        }
    }

    /// The error to report when the value does not exist.
    fn or(self, summary: &'static str, detail: impl Into<String>) -> RootLookup {
        RootLookup {
            summary,
            detail: detail.into(),
            ..self
        }
    }
}

/// The span from the start of `a` to the end of `b`.
pub(super) fn join_spans(a: Option<Range<usize>>, b: Option<Range<usize>>) -> Option<Range<usize>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.start.min(b.start)..a.end.max(b.end)),
        (a, b) => a.or(b),
    }
}

/// The attribute name of an operator, when it is `.name`.
pub(super) fn attr_name(op: Option<&Operator>) -> Option<&str> {
    match op.map(hcl_edit::Decorated::value) {
        Some(TraversalOperator::GetAttr(name)) => Some(name.value().as_str()),
        _ => None,
    }
}

impl Evaluator<'_> {
    /// Evaluates a variable or traversal expression.
    pub(super) fn eval_traversal(&mut self, expr: &Expression) -> EvalResult {
        let (root, ops): (&Expression, &[Operator]) = match expr {
            Expression::Traversal(traversal) => (&traversal.expr, &traversal.operators),
            _ => (expr, &[]),
        };
        let (value, consumed) = match root {
            Expression::Variable(name) => match self.shared_reference(name, ops) {
                Some(found) => found,
                None => self.resolve_root(name, ops)?,
            },
            other => (self.eval(other)?, 0),
        };
        self.apply_operators(value, &ops[consumed..])
    }

    /// The value a reference's root names, and how many operators naming it were used.
    fn resolve_root(
        &mut self,
        root: &Decorated<Ident>,
        ops: &[Operator],
    ) -> Result<(Marked, usize), Diagnostics> {
        let name = root.value().as_str();
        if let Some(bound) = self.lookup_scope(name) {
            return Ok((bound.to_marked(), 0));
        }
        let (value, consumed) = self.resolve_root_value(root, ops)?;
        let ctx = self.ctx;
        let first = attr_name(ops.first());
        let subject = match (name, first) {
            ("var", Some(var)) => Some(Subject::Variable(var.to_string())),
            ("local", Some(local)) => Some(Subject::Local(local.to_string())),
            ("each", Some("value")) => Some(Subject::Each),
            ("self", _) => Some(Subject::SelfObject),
            ("module", Some(call)) => Some(Subject::Module {
                call: call.to_string(),
                output: None,
            }),
            ("data", Some(type_name)) => attr_name(ops.get(1))
                .map(|res_name| Subject::Resource(ResourceAddr::data(type_name, res_name))),
            ("count" | "path" | "terraform" | "each", _) => None,
            (type_name, Some(res_name)) => Some(Subject::Resource(ResourceAddr::managed(
                type_name, res_name,
            ))),
            _ => None,
        };
        let marks = subject.map(|s| ctx.marks_of(&s)).unwrap_or_default();
        Ok((Marked::new(value, marks), consumed))
    }

    /// The unmarked value a reference's root names, and how many operators naming it were
    /// used.
    fn resolve_root_value(
        &mut self,
        root: &Decorated<Ident>,
        ops: &[Operator],
    ) -> Result<(Value, usize), Diagnostics> {
        let name = root.value().as_str();
        let span_to = |n: usize| join_spans(root.span(), ops.get(n).and_then(hcl_edit::Span::span));
        let first = attr_name(ops.first());
        let ctx = self.ctx;
        let lookup = match (name, first) {
            ("var" | "local" | "module", Some(item)) => self.named_value(name, item),
            ("path", Some(attr)) => self.path_attribute(attr),
            ("terraform", Some(attr)) => self.terraform_attribute(attr),
            ("count", Some("index")) => RootLookup::found(ctx.count_index.clone(), 1).or(
                "Reference to \"count\" in non-counted context",
                "The \"count\" object can only be used in \"module\", \"resource\", and \"data\" \
                 blocks, and only when the \"count\" argument is set.",
            ),
            ("each", Some(attr @ ("key" | "value"))) => {
                let value = if attr == "key" {
                    &ctx.each_key
                } else {
                    &ctx.each_value
                };
                RootLookup::found(value.clone(), 1).or(
                    "Reference to \"each\" in context without for_each",
                    "The \"each\" object can be used only in \"module\" or \"resource\" blocks, \
                     and only when the \"for_each\" argument is set.",
                )
            }
            ("data", Some(type_name)) => match attr_name(ops.get(1)) {
                Some(res_name) => self.resource_value(ResourceAddr::data(type_name, res_name), 2),
                None => return Err(self.invalid_reference(name, span_to(0))),
            },
            ("self", _) if ctx.self_value.is_some() => RootLookup::found(ctx.self_value.clone(), 0),
            ("count" | "each" | "module" | "self" | "var" | "local" | "path" | "terraform", _) => {
                return Err(self.invalid_reference(name, span_to(0)));
            }
            (type_name, Some(res_name)) => {
                self.resource_value(ResourceAddr::managed(type_name, res_name), 1)
            }
            (_, None) => return Err(self.invalid_reference(name, root.span())),
        };
        match lookup.value {
            Some(value) => Ok((value, lookup.consumed)),
            None => Err(self.error(
                lookup.summary,
                lookup.detail,
                span_to(lookup.consumed.saturating_sub(1)),
            )),
        }
    }

    /// `var.NAME`, `local.NAME` or `module.NAME`.
    fn named_value(&self, root: &str, item: &str) -> RootLookup {
        let ctx = self.ctx;
        match root {
            "var" => RootLookup::found(ctx.variables.get(item).cloned(), 1).or(
                "Reference to undeclared input variable",
                format!(
                    "An input variable with the name \"{item}\" has not been declared. This \
                     variable can be declared with a variable \"{item}\" {{}} block."
                ),
            ),
            "local" => RootLookup::found(ctx.locals.get(item).cloned(), 1).or(
                "Reference to undeclared local value",
                format!("A local value with the name \"{item}\" has not been declared."),
            ),
            _ => RootLookup::found(ctx.modules.get(item).cloned(), 1).or(
                "Reference to undeclared module",
                format!("No module call named \"{item}\" is declared in this module."),
            ),
        }
    }

    /// `path.module`, `path.root` or `path.cwd`.
    fn path_attribute(&self, attr: &str) -> RootLookup {
        let ctx = self.ctx;
        let value = match attr {
            "module" => Some(Value::string(&ctx.path_module)),
            "root" => Some(Value::string(&ctx.path_root)),
            "cwd" => Some(Value::string(&ctx.path_cwd)),
            _ => None,
        };
        RootLookup::found(value, 1).or(
            "Invalid \"path\" attribute",
            format!(
                "The \"path\" object does not have an attribute named \"{attr}\". The \
                 supported attributes are path.cwd, path.module, and path.root."
            ),
        )
    }

    /// `terraform.workspace`.
    fn terraform_attribute(&self, attr: &str) -> RootLookup {
        let value = (attr == "workspace").then(|| Value::string(&self.ctx.workspace));
        RootLookup::found(value, 1).or(
            "Invalid \"terraform\" attribute",
            format!(
                "The \"terraform\" object does not have an attribute named \"{attr}\". The \
                 only supported attribute is terraform.workspace, the name of the currently \
                 selected workspace."
            ),
        )
    }

    /// A managed or data resource, named by `consumed` operators after the root.
    fn resource_value(&self, addr: ResourceAddr, consumed: usize) -> RootLookup {
        let value = self.ctx.resources.get(&addr).cloned();
        let kind = match addr.mode {
            ResourceMode::Data => "data",
            ResourceMode::Managed => "managed",
        };
        let (type_name, res_name) = (&addr.type_name, &addr.name);
        RootLookup::found(value, consumed).or(
            "Reference to undeclared resource",
            format!(
                "A {kind} resource \"{type_name}\" \"{res_name}\" has not been declared in the \
                 root module."
            ),
        )
    }

    fn invalid_reference(&self, root: &str, span: Option<Range<usize>>) -> Diagnostics {
        let detail = match root {
            "module" => "The \"module\" object must be followed by a module call name.".to_string(),
            "self" => "The \"self\" object is not available in this context.".to_string(),
            "count" => "The \"count\" object does not have this attribute. The only supported \
                        attribute is count.index."
                .to_string(),
            "each" => {
                "The \"each\" object has only the attributes \"key\" and \"value\".".to_string()
            }
            "var" | "local" | "path" | "terraform" | "data" => {
                format!("The \"{root}\" object must be followed by an attribute name.")
            }
            _ => "A reference to a resource type must be followed by at least one attribute \
                  access, specifying the resource name."
                .to_string(),
        };
        self.error("Invalid reference", detail, span)
    }

    /// Applies traversal operators in order; splats apply the operators after them to each
    /// element.
    pub(super) fn apply_operators(&mut self, marked: Marked, ops: &[Operator]) -> EvalResult {
        let (mut value, mut marks) = marked.into_parts();
        let mut i = 0;
        while i < ops.len() {
            let op = &ops[i];
            i += 1;
            (value, marks) = match op.value() {
                TraversalOperator::GetAttr(name) => {
                    let part = marks.attribute(name.value());
                    (self.get_attr(value, name.value(), op.span())?, part)
                }
                TraversalOperator::Index(key_expr) => {
                    let mut key_marks = Sensitivity::None;
                    let key = self.eval_operand(key_expr, &mut key_marks)?;
                    let part = index_marks(&marks, &value, &key);
                    (self.index(value, key, op.span())?, part.union(key_marks))
                }
                TraversalOperator::LegacyIndex(n) => {
                    let key = Value::Number(Number::from_u64(*n.value()));
                    let part = index_marks(&marks, &value, &key);
                    (self.index(value, key, op.span())?, part)
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    // A full splat applies everything after it, nested splats included, to
                    // each element; an attribute splat only the attribute accesses.
                    let full = matches!(op.value(), TraversalOperator::FullSplat(_));
                    let count = if full {
                        ops.len() - i
                    } else {
                        ops[i..]
                            .iter()
                            .take_while(|next| {
                                matches!(next.value(), TraversalOperator::GetAttr(_))
                            })
                            .count()
                    };
                    let per_element = &ops[i..i + count];
                    i += count;
                    let (items, item_marks) = match value {
                        Value::Unknown => return Ok(Marked::new(Value::Unknown, marks)),
                        Value::Null => (Vec::new(), Vec::new()),
                        Value::Set(items) => {
                            let whole = vec![marks.collapsed(); items.len()];
                            (items, whole)
                        }
                        Value::List(items) | Value::Tuple(items) => {
                            let element_marks = marks.element_marks(items.len());
                            (items, element_marks)
                        }
                        single => (vec![single], vec![marks.clone()]),
                    };
                    let mut results = Vec::with_capacity(items.len());
                    let mut result_marks = Vec::with_capacity(items.len());
                    for (item, item_marks) in items.into_iter().zip(item_marks) {
                        let (result, marks) = self
                            .apply_operators(Marked::new(item, item_marks), per_element)?
                            .into_parts();
                        results.push(result);
                        result_marks.push(marks);
                    }
                    let whole = Sensitivity::whole_if(marks.is_whole());
                    (
                        Value::Tuple(results),
                        Sensitivity::elements(result_marks).union(whole),
                    )
                }
            };
            if value.is_unknown() {
                // Evaluate the remaining index expressions for their errors only.
                for op in &ops[i..] {
                    if let TraversalOperator::Index(key_expr) = op.value() {
                        let mut key_marks = Sensitivity::None;
                        self.eval_operand(key_expr, &mut key_marks)?;
                        marks = marks.union(key_marks);
                    }
                }
                return Ok(Marked::new(Value::Unknown, marks.collapsed()));
            }
        }
        Ok(Marked::new(value, marks))
    }

    fn get_attr(
        &self,
        value: Value,
        name: &str,
        span: Option<Range<usize>>,
    ) -> Result<Value, Diagnostics> {
        match value {
            Value::Unknown => Ok(Value::Unknown),
            Value::Null => Err(self.error(
                "Attempt to get attribute from null value",
                "This value is null, so it does not have any attributes.",
                span,
            )),
            Value::Object(mut entries) => entries.remove(name).ok_or_else(|| {
                self.error(
                    "Unsupported attribute",
                    format!("This object does not have an attribute named \"{name}\"."),
                    span,
                )
            }),
            Value::Map(mut entries) => entries.remove(name).ok_or_else(|| {
                self.error(
                    "Missing map element",
                    format!("This map does not have an element with the key \"{name}\"."),
                    span,
                )
            }),
            Value::List(_) | Value::Tuple(_) | Value::Set(_) => Err(self.error(
                "Unsupported attribute",
                "Can't access attributes on a list of objects. Did you mean to access an \
                 attribute for a specific element of the list, or across all elements of the \
                 list?",
                span,
            )),
            primitive => Err(self.error(
                "Unsupported attribute",
                format!(
                    "Can't access attributes on a primitive-typed value ({}).",
                    super::types::value_kind(&primitive)
                ),
                span,
            )),
        }
    }

    pub(super) fn index(
        &self,
        value: Value,
        key: Value,
        span: Option<Range<usize>>,
    ) -> Result<Value, Diagnostics> {
        let missing = || {
            self.error(
                "Invalid index",
                "The given key does not identify an element in this collection value.",
                span.clone(),
            )
        };
        if key.is_null() {
            return Err(self.error(
                "Invalid index",
                "Can't use a null value as an indexing key.",
                span.clone(),
            ));
        }
        match value {
            Value::Unknown => Ok(Value::Unknown),
            _ if key.is_unknown() => Ok(Value::Unknown),
            Value::Null => Err(self.error(
                "Attempt to index null value",
                "This value is null, so it does not have any indices.",
                span,
            )),
            Value::List(mut items) | Value::Tuple(mut items) => {
                let index = match convert(key, &Type::Number) {
                    Ok(Value::Number(n)) => n.as_i64(),
                    _ => {
                        return Err(self.error(
                            "Invalid index",
                            "The given key does not identify an element in this collection \
                             value: a number is required.",
                            span,
                        ));
                    }
                };
                match index.and_then(|i| usize::try_from(i).ok()) {
                    Some(i) if i < items.len() => Ok(items.swap_remove(i)),
                    _ => Err(missing()),
                }
            }
            Value::Map(mut entries) | Value::Object(mut entries) => {
                match convert(key, &Type::String) {
                    Ok(Value::String(k)) => entries.remove(&k).ok_or_else(missing),
                    _ => Err(self.error(
                        "Invalid index",
                        "The given key does not identify an element in this collection value: \
                         string required.",
                        span,
                    )),
                }
            }
            Value::Set(_) => Err(self.error(
                "Invalid index",
                "Elements of a set are identified only by their value and don't have any \
                 separate index or key to select with, so it's only possible to perform \
                 operations across all elements of the set.",
                span,
            )),
            _ => Err(self.error(
                "Invalid index",
                "This value does not have any indices.",
                span,
            )),
        }
    }
}

/// The marks of the element of `value` that `key` selects.
fn index_marks(marks: &Sensitivity, value: &Value, key: &Value) -> Sensitivity {
    match (value, key) {
        (_, _) if marks.is_whole() => Sensitivity::Whole,
        (Value::List(_) | Value::Tuple(_), key) => match convert(key.clone(), &Type::Number) {
            Ok(Value::Number(n)) => n
                .as_i64()
                .and_then(|i| usize::try_from(i).ok())
                .map(|i| marks.element(i))
                .unwrap_or_default(),
            _ => Sensitivity::None,
        },
        (Value::Map(_) | Value::Object(_), key) => match convert(key.clone(), &Type::String) {
            Ok(Value::String(name)) => marks.attribute(&name),
            _ => Sensitivity::None,
        },
        _ => marks.collapsed(),
    }
}
