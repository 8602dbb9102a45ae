//! Schema-driven decoding of a block body into an object conforming to the schema's implied
//! type. Every problem is collected with the range of the offending text, worded as Terraform
//! words it. The decoded object carries the sensitivity marks of the values written in it.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use hcl_edit::Span;
use hcl_edit::structure::Body;
use tenantform_proto::schema::{Attribute, Block, NestedBlock, Nesting};
use tenantform_proto::value::Value;

use super::EvalContext;
use super::convert::convert;
use super::dynamic::{self, Expansion, NestedItem};
use super::eval::Evaluator;
use super::marks::{Marked, Sensitivity};
use crate::diags::{Diagnostic, Diagnostics, SourceRange, Sources};

/// [`crate::lang::decode_body`] with the sensitivity marks of the decoded object.
pub(crate) fn decode_body_marked(
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
pub(super) fn empty_object(schema: &Block) -> Value {
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

/// The hint `text` gives, when it `applies`; nothing otherwise.
fn hint_if(applies: bool, text: impl FnOnce() -> String) -> String {
    if applies { text() } else { String::new() }
}

/// Why a `dynamic` block without its type label is refused.
const MISSING_DYNAMIC_TYPE: &str =
    "A dynamic block must have exactly one label: the type of the blocks it generates.";

/// The nested blocks of a body, by type.
type BlocksByType<'b> = BTreeMap<String, Vec<NestedItem<'b>>>;

/// A decoded nested block: its key (for a map), its value, and the block.
type DecodedItem<'i, 'b> = (Option<String>, Marked, &'i NestedItem<'b>);

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
        let first_seen = self.attributes(body, schema, &mut entries, &mut marks);
        self.absent_attributes(schema, &first_seen, &mut entries, missing_span.clone());
        let (mut by_type, unknown_types) = self.group_blocks(body, schema);
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

    /// Decodes the arguments `body` sets into `entries` and `marks`; returns where each was
    /// first set.
    fn attributes<'b>(
        &mut self,
        body: &'b Body,
        schema: &Block,
        entries: &mut BTreeMap<String, Value>,
        marks: &mut BTreeMap<String, Sensitivity>,
    ) -> HashMap<&'b str, Option<Range<usize>>> {
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
            let Some(attr_schema) = self.configurable_attribute(attr, schema) else {
                continue;
            };
            if let Some((value, value_marks)) = self.attribute_value(attr, attr_schema) {
                marks.insert(name.to_string(), value_marks);
                entries.insert(name.to_string(), value);
            }
        }
        first_seen
    }

    /// The schema of the argument `attr` sets, when the configuration may set it.
    fn configurable_attribute<'s>(
        &mut self,
        attr: &hcl_edit::structure::Attribute,
        schema: &'s Block,
    ) -> Option<&'s Attribute> {
        let name = attr.key.value().as_str();
        let Some(attr_schema) = schema.attributes.get(name) else {
            let hint = hint_if(schema.block_types.contains_key(name), || {
                format!(" Did you mean to define a block of type \"{name}\"?")
            });
            self.error(
                "Unsupported argument",
                format!("An argument named \"{name}\" is not expected here.{hint}"),
                attr.key.span(),
            );
            return None;
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
            return None;
        }
        Some(attr_schema)
    }

    /// The value of `attr`, converted to its schema's type, with its marks.
    fn attribute_value(
        &mut self,
        attr: &hcl_edit::structure::Attribute,
        attr_schema: &Attribute,
    ) -> Option<(Value, Sensitivity)> {
        let (value, value_marks) = match self.eval.eval(&attr.value) {
            Ok(marked) => marked.into_parts(),
            Err(diags) => {
                self.diags.extend(diags);
                return None;
            }
        };
        match convert(value, &attr_schema.ty) {
            Ok(value) => {
                let marks = value_marks.fitted(&value);
                Some((value, marks))
            }
            Err(message) => {
                let name = attr.key.value().as_str();
                self.error(
                    "Incorrect attribute value type",
                    format!("Inappropriate value for attribute \"{name}\": {message}."),
                    attr.value.span(),
                );
                None
            }
        }
    }

    /// Null for every argument the body leaves out, reporting the required ones.
    fn absent_attributes(
        &mut self,
        schema: &Block,
        first_seen: &HashMap<&str, Option<Range<usize>>>,
        entries: &mut BTreeMap<String, Value>,
        missing_span: Option<Range<usize>>,
    ) {
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
    }

    /// The body's nested blocks by type, `dynamic` blocks expanded, and the types whose
    /// `dynamic` blocks expand over unknown collections.
    fn group_blocks<'b>(
        &mut self,
        body: &'b Body,
        schema: &Block,
    ) -> (BlocksByType<'b>, Vec<String>) {
        let mut by_type: BlocksByType<'b> = BTreeMap::new();
        let mut unknown_types: Vec<String> = Vec::new();
        for block in body.blocks() {
            let name = block.ident.value().as_str();
            if name == "dynamic" {
                self.expand_dynamic(block, schema, &mut by_type, &mut unknown_types);
            } else if schema.block_types.contains_key(name) {
                by_type
                    .entry(name.to_string())
                    .or_default()
                    .push(NestedItem::literal(block));
            } else {
                let hint = hint_if(schema.attributes.contains_key(name), || {
                    format!(
                        " Did you mean to define argument \"{name}\"? If so, use the equals sign \
                         to assign it a value."
                    )
                });
                self.error(
                    "Unsupported block type",
                    format!("Blocks of type \"{name}\" are not expected here.{hint}"),
                    block.ident.span(),
                );
            }
        }
        (by_type, unknown_types)
    }

    /// Adds the blocks a `dynamic` block generates to `by_type`, or its type to
    /// `unknown_types` when they are not known yet.
    fn expand_dynamic<'b>(
        &mut self,
        block: &'b hcl_edit::structure::Block,
        schema: &Block,
        by_type: &mut BlocksByType<'b>,
        unknown_types: &mut Vec<String>,
    ) {
        let Some(type_name) = dynamic::dynamic_type(block) else {
            self.error(
                "Missing dynamic block type",
                MISSING_DYNAMIC_TYPE,
                block.ident.span(),
            );
            return;
        };
        if !schema.block_types.contains_key(&type_name) {
            self.error(
                "Unsupported block type",
                format!("Blocks of type \"{type_name}\" are not expected here."),
                block.labels.first().and_then(hcl_edit::Span::span),
            );
            return;
        }
        match dynamic::expand(&mut self.eval, block, &type_name) {
            Ok(Expansion::Items(items)) => {
                by_type.entry(type_name).or_default().extend(items);
            }
            Ok(Expansion::Unknown) => unknown_types.push(type_name),
            Err(diags) => self.diags.extend(diags),
        }
    }

    fn nested_blocks(
        &mut self,
        name: &str,
        nested: &NestedBlock,
        blocks: &[NestedItem<'_>],
        missing_span: Option<Range<usize>>,
    ) -> Marked {
        let decoded = self.decode_items(name, nested, blocks);
        self.check_block_count(name, nested, blocks, missing_span);
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
            Nesting::Map => self.block_map(name, decoded),
        }
    }

    /// Decodes each of `blocks` whose labels fit its nesting mode, with its label.
    fn decode_items<'i, 'b>(
        &mut self,
        name: &str,
        nested: &NestedBlock,
        blocks: &'i [NestedItem<'b>],
    ) -> Vec<DecodedItem<'i, 'b>> {
        let expected_labels = usize::from(nested.nesting == Nesting::Map);
        let mut decoded = Vec::new();
        for block in blocks {
            if !self.labels_fit(name, expected_labels, block) {
                continue;
            }
            let label = block.labels.first().cloned();
            let bindings = block.bindings.clone();
            let value = self.with_bindings(bindings, |decoder| {
                decoder.block(block.body, &nested.block, block.span.clone())
            });
            decoded.push((label, value, block));
        }
        decoded
    }

    /// Whether `block` has the number of labels its type expects; reports it when not.
    fn labels_fit(&mut self, name: &str, expected_labels: usize, block: &NestedItem<'_>) -> bool {
        if block.labels.len() > expected_labels {
            let only = format!("Only one label, the key, is expected for {name} blocks.");
            let (summary, detail) = extraneous_label(name, expected_labels, only);
            self.error(&summary, detail, block.label_span.clone());
            return false;
        }
        if block.labels.len() < expected_labels {
            self.error(
                &format!("Missing key for {name}"),
                format!("All {name} blocks must have 1 labels (key)."),
                block.span.clone(),
            );
            return false;
        }
        true
    }

    /// Reports fewer or more blocks than the schema allows: a repeated single or group block
    /// and a missing required one, or a count outside the list, set or map's limits.
    fn check_block_count(
        &mut self,
        name: &str,
        nested: &NestedBlock,
        blocks: &[NestedItem<'_>],
        missing_span: Option<Range<usize>>,
    ) {
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
            return;
        }
        let count = blocks.len() as i64;
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

    /// The map of blocks by their key, reporting repeated keys.
    fn block_map(&mut self, name: &str, decoded: Vec<DecodedItem<'_, '_>>) -> Marked {
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

/// The summary and detail of the error for a label beyond those a `kind` block takes:
/// `expected` of them, which `only` (the detail when there are any) describes.
pub(crate) fn extraneous_label(kind: &str, expected: usize, only: String) -> (String, String) {
    let detail = if expected == 0 {
        format!("No labels are expected for {kind} blocks.")
    } else {
        only
    };
    (format!("Extraneous label for {kind}"), detail)
}
