//! Schema-driven decoding of a block body into an object conforming to the schema's implied
//! type. Every problem is collected with the range of the offending text, worded as Terraform
//! words it. The decoded object carries the sensitivity marks of the values written in it.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use hcl_edit::Span;
use hcl_edit::structure::Body;
use tenantform_proto::schema::{Block, Nesting};
use tenantform_proto::value::Value;

use super::EvalContext;
use super::convert::convert;
use super::dynamic::{self, Expansion, NestedItem};
use super::eval::Evaluator;
use super::marks::{Marked, Sensitivity};
use crate::diags::{Diagnostic, Diagnostics, SourceRange, Sources};

/// See [`crate::lang::decode_body`].
pub fn decode_body(
    body: &Body,
    schema: &Block,
    ctx: &EvalContext,
    file: &str,
    sources: &Sources,
) -> Result<Marked, Diagnostics> {
    let mut decoder = Decoder {
        eval: Evaluator::new(ctx, file, sources),
        diags: Diagnostics::new(),
    };
    let value = decoder.block(body, schema, body.span());
    if decoder.diags.has_errors() {
        Err(decoder.diags)
    } else {
        Ok(value)
    }
}

/// The object a block with an empty body decodes to: every attribute null, nested blocks
/// absent.
pub fn empty_object(schema: &Block) -> Value {
    let mut entries: BTreeMap<String, Value> = schema
        .attributes
        .keys()
        .map(|name| (name.clone(), Value::Null))
        .collect();
    for (name, nested) in &schema.block_types {
        entries.insert(name.clone(), absent_blocks(nested.nesting, &nested.block));
    }
    Value::Object(entries)
}

fn absent_blocks(nesting: Nesting, block: &Block) -> Value {
    match nesting {
        Nesting::Single => Value::Null,
        Nesting::Group => empty_object(block),
        Nesting::List => Value::List(Vec::new()),
        Nesting::Set => Value::Set(Vec::new()),
        Nesting::Map => Value::Map(BTreeMap::new()),
    }
}

struct Decoder<'a> {
    eval: Evaluator<'a>,
    diags: Diagnostics,
}

impl Decoder<'_> {
    /// Runs `body` with a dynamic block's iterator in scope.
    fn with_bindings<T>(
        &mut self,
        bindings: Vec<(String, Marked)>,
        body: impl FnOnce(&mut Self) -> T,
    ) -> T {
        if bindings.is_empty() {
            return body(self);
        }
        let depth = self.eval.push_bindings(bindings);
        let result = body(self);
        self.eval.pop_bindings(depth);
        result
    }

    fn range(&self, span: Option<Range<usize>>) -> Option<SourceRange> {
        self.eval.range(span)
    }

    fn error(&mut self, summary: &str, detail: impl Into<String>, span: Option<Range<usize>>) {
        let range = self.range(span);
        self.diags
            .push(Diagnostic::error(summary, detail).with_range(range));
    }

    /// Decodes `body`; `missing_span` is where missing arguments and blocks are reported.
    fn block(&mut self, body: &Body, schema: &Block, missing_span: Option<Range<usize>>) -> Marked {
        let mut entries = BTreeMap::new();
        let mut marks = BTreeMap::new();
        let mut first_seen: HashMap<&str, Option<Range<usize>>> = HashMap::new();
        for attr in body.attributes() {
            let name = attr.key.value().as_str();
            if let Some(previous) = first_seen.insert(name, attr.span()) {
                let at = self.range(previous).map(|r| r.short()).unwrap_or_default();
                self.error(
                    "Attribute redefined",
                    format!(
                        "The argument \"{name}\" was already set at {at}. Each argument may be \
                         set only once."
                    ),
                    attr.key.span(),
                );
                continue;
            }
            let Some(attr_schema) = schema.attributes.get(name) else {
                let hint = if schema.block_types.contains_key(name) {
                    format!(" Did you mean to define a block of type \"{name}\"?")
                } else {
                    String::new()
                };
                self.error(
                    "Unsupported argument",
                    format!("An argument named \"{name}\" is not expected here.{hint}"),
                    attr.key.span(),
                );
                continue;
            };
            if attr_schema.computed && !attr_schema.optional && !attr_schema.required {
                self.error(
                    "Value for unconfigurable attribute",
                    format!(
                        "Can't configure a value for \"{name}\": its value will be decided \
                         automatically based on the result of applying this configuration."
                    ),
                    attr.key.span(),
                );
                continue;
            }
            let (value, value_marks) = match self.eval.eval(&attr.value) {
                Ok(marked) => marked.into_parts(),
                Err(diags) => {
                    self.diags.extend(diags);
                    continue;
                }
            };
            match convert(value, &attr_schema.ty) {
                Ok(value) => {
                    marks.insert(name.to_string(), value_marks.fitted(&value));
                    entries.insert(name.to_string(), value);
                }
                Err(message) => self.error(
                    "Incorrect attribute value type",
                    format!("Inappropriate value for attribute \"{name}\": {message}."),
                    attr.value.span(),
                ),
            }
        }
        for (name, attr_schema) in &schema.attributes {
            if entries.contains_key(name) {
                continue;
            }
            if attr_schema.required && !first_seen.contains_key(name.as_str()) {
                self.error(
                    "Missing required argument",
                    format!("The argument \"{name}\" is required, but no definition was found."),
                    missing_span.clone(),
                );
            }
            entries.insert(name.clone(), Value::Null);
        }

        let mut by_type: BTreeMap<String, Vec<NestedItem<'_>>> = BTreeMap::new();
        let mut unknown_types: Vec<String> = Vec::new();
        for block in body.blocks() {
            let name = block.ident.value().as_str();
            if name == "dynamic" {
                let Some(type_name) = dynamic::dynamic_type(block) else {
                    self.error(
                        "Missing dynamic block type",
                        "A dynamic block must have exactly one label: the type of the blocks                          it generates.",
                        block.ident.span(),
                    );
                    continue;
                };
                if !schema.block_types.contains_key(&type_name) {
                    self.error(
                        "Unsupported block type",
                        format!("Blocks of type \"{type_name}\" are not expected here."),
                        block.labels.first().and_then(|l| l.span()),
                    );
                    continue;
                }
                match dynamic::expand(&mut self.eval, block, &type_name) {
                    Ok(Expansion::Items(items)) => {
                        by_type.entry(type_name).or_default().extend(items);
                    }
                    Ok(Expansion::Unknown) => unknown_types.push(type_name),
                    Err(diags) => self.diags.extend(diags),
                }
            } else if schema.block_types.contains_key(name) {
                by_type
                    .entry(name.to_string())
                    .or_default()
                    .push(NestedItem::literal(block));
            } else {
                let hint = if schema.attributes.contains_key(name) {
                    format!(
                        " Did you mean to define argument \"{name}\"? If so, use the equals sign \
                         to assign it a value."
                    )
                } else {
                    String::new()
                };
                self.error(
                    "Unsupported block type",
                    format!("Blocks of type \"{name}\" are not expected here.{hint}"),
                    block.ident.span(),
                );
            }
        }
        for (name, nested) in &schema.block_types {
            if unknown_types.contains(name) {
                entries.insert(name.clone(), Value::Unknown);
                continue;
            }
            let blocks = by_type.remove(name.as_str()).unwrap_or_default();
            let (value, nested_marks) = self
                .nested_blocks(name, nested, &blocks, missing_span.clone())
                .into_parts();
            marks.insert(name.clone(), nested_marks);
            entries.insert(name.clone(), value);
        }
        Marked::new(Value::Object(entries), Sensitivity::attributes(marks))
    }

    fn nested_blocks(
        &mut self,
        name: &str,
        nested: &tenantform_proto::schema::NestedBlock,
        blocks: &[NestedItem<'_>],
        missing_span: Option<Range<usize>>,
    ) -> Marked {
        let expected_labels = usize::from(nested.nesting == Nesting::Map);
        let mut decoded: Vec<(Option<String>, Marked, &NestedItem<'_>)> = Vec::new();
        for block in blocks {
            if block.labels.len() > expected_labels {
                let detail = if expected_labels == 0 {
                    format!("No labels are expected for {name} blocks.")
                } else {
                    format!("Only one label, the key, is expected for {name} blocks.")
                };
                self.error(
                    &format!("Extraneous label for {name}"),
                    detail,
                    block.label_span.clone(),
                );
                continue;
            }
            if block.labels.len() < expected_labels {
                self.error(
                    &format!("Missing key for {name}"),
                    format!("All {name} blocks must have 1 labels (key)."),
                    block.span.clone(),
                );
                continue;
            }
            let label = block.labels.first().cloned();
            let bindings = block.bindings.clone();
            let value = self.with_bindings(bindings, |decoder| {
                decoder.block(block.body, &nested.block, block.span.clone())
            });
            decoded.push((label, value, block));
        }
        let count = blocks.len() as i64;
        if matches!(nested.nesting, Nesting::Single | Nesting::Group) {
            if blocks.len() > 1 {
                let first = self.range(blocks[0].span.clone()).map(|r| r.short());
                self.error(
                    &format!("Duplicate {name} block"),
                    format!(
                        "Only one \"{name}\" block is allowed. Another was defined at {}.",
                        first.unwrap_or_default()
                    ),
                    blocks[1].span.clone(),
                );
            }
            if blocks.is_empty() && nested.min_items > 0 {
                self.error(
                    &format!("Missing {name} block"),
                    format!("A block of type \"{name}\" is required here."),
                    missing_span,
                );
            }
        } else {
            if nested.min_items > 0 && count < nested.min_items {
                self.error(
                    &format!("Insufficient {name} blocks"),
                    format!(
                        "At least {} \"{name}\" blocks are required.",
                        nested.min_items
                    ),
                    missing_span,
                );
            }
            if nested.max_items > 0 && count > nested.max_items {
                let extra = blocks[nested.max_items as usize].span.clone();
                self.error(
                    &format!("Too many {name} blocks"),
                    format!(
                        "No more than {} \"{name}\" blocks are allowed.",
                        nested.max_items
                    ),
                    extra,
                );
            }
        }
        match nested.nesting {
            Nesting::Single => decoded
                .into_iter()
                .next()
                .map_or(Marked::plain(Value::Null), |(_, v, _)| v),
            Nesting::Group => decoded
                .into_iter()
                .next()
                .map_or_else(|| Marked::plain(empty_object(&nested.block)), |(_, v, _)| v),
            Nesting::List => {
                let (items, marks): (Vec<Value>, Vec<Sensitivity>) =
                    decoded.into_iter().map(|(_, v, _)| v.into_parts()).unzip();
                Marked::new(Value::List(items), Sensitivity::elements(marks))
            }
            Nesting::Set => {
                let (mut items, marks): (Vec<Value>, Vec<Sensitivity>) =
                    decoded.into_iter().map(|(_, v, _)| v.into_parts()).unzip();
                Value::normalize_set(&mut items);
                let marks = Sensitivity::whole_if(marks.iter().any(Sensitivity::any));
                Marked::new(Value::Set(items), marks)
            }
            Nesting::Map => {
                let mut entries = BTreeMap::new();
                let mut marks = BTreeMap::new();
                for (label, value, block) in decoded {
                    let label = label.unwrap_or_default();
                    let (value, value_marks) = value.into_parts();
                    marks.insert(label.clone(), value_marks);
                    if entries.insert(label.clone(), value).is_some() {
                        self.error(
                            &format!("Duplicate {name} block"),
                            format!("A {name} block with the key \"{label}\" was already defined."),
                            block.label_span.clone(),
                        );
                    }
                }
                Marked::new(Value::Map(entries), Sensitivity::attributes(marks))
            }
        }
    }
}
