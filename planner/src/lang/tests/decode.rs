//! Schema-driven decoding of block bodies and its diagnostics.

use tenantform_proto::schema::{Attribute, Block, NestedBlock, Nesting};
use tenantform_proto::value::{Type, Value};

use super::{FILE, context, n, obj, parse, s, sources};
use crate::diags::Diagnostics;
use crate::lang::decode_body;
use crate::test_support::{block, map_of_strings, nested};

fn contact_block() -> Block {
    block(
        &[
            ("name", Attribute::required(Type::String)),
            ("kind", Attribute::optional(Type::String)),
        ],
        &[],
    )
}

fn tenant_schema() -> Block {
    let contact = |nesting| nested(nesting, contact_block());
    block(
        &[
            ("slug", Attribute::required(Type::String)),
            ("retention_days", Attribute::optional(Type::Number)),
            ("labels", Attribute::optional(map_of_strings())),
            ("id", Attribute::computed(Type::String)),
            ("status", Attribute::optional_computed(Type::String)),
        ],
        &[
            (
                "contact",
                NestedBlock {
                    max_items: 2,
                    ..contact(Nesting::List)
                },
            ),
            ("owner", contact(Nesting::Single)),
            ("tag", contact(Nesting::Set)),
            ("site", contact(Nesting::Map)),
            ("extra", contact(Nesting::Group)),
        ],
    )
}

fn decode(text: &str) -> Result<Value, Diagnostics> {
    decode_body(
        &parse(text),
        &tenant_schema(),
        &context(),
        FILE,
        &sources(text),
    )
}

#[test]
fn a_body_decodes_to_the_implied_object() {
    let text = "slug = \"acme\"\nretention_days = \"30\"\nlabels = { env = var.name }\n\
                contact {\n  name = \"a\"\n}\ncontact {\n  name = \"b\"\n  kind = \"billing\"\n}\n\
                tag {\n  name = \"z\"\n}\nsite \"eu\" {\n  name = \"e\"\n}\n";
    let value = decode(text).unwrap_or_else(|d| panic!("{d}"));
    let contact = |name: &str, kind: Value| obj(&[("kind", kind), ("name", s(name))]);
    let expected = obj(&[
        (
            "contact",
            Value::List(vec![contact("a", Value::Null), contact("b", s("billing"))]),
        ),
        (
            "extra",
            obj(&[("kind", Value::Null), ("name", Value::Null)]),
        ),
        ("id", Value::Null),
        ("labels", Value::Map([("env".into(), s("Acme"))].into())),
        ("owner", Value::Null),
        ("retention_days", n(30)),
        (
            "site",
            Value::Map([("eu".into(), contact("e", Value::Null))].into()),
        ),
        ("slug", s("acme")),
        ("status", Value::Null),
        ("tag", Value::Set(vec![contact("z", Value::Null)])),
    ]);
    assert_eq!(value, expected);
}

#[test]
fn unknown_values_survive_decoding() {
    let value = decode("slug = tenant.acme.id\n").unwrap();
    assert_eq!(value.get_attr("slug"), Some(&Value::Unknown));
    assert_eq!(value.get_attr("contact"), Some(&Value::List(vec![])));
}

fn errors(text: &str) -> Vec<(String, String, usize, usize)> {
    let diags = decode(text).expect_err(text);
    diags
        .iter()
        .map(|d| {
            let r = d.range.clone().expect("a range");
            (
                d.summary.clone(),
                d.detail.clone(),
                r.start.line,
                r.start.column,
            )
        })
        .collect()
}

#[test]
fn every_problem_is_reported_with_its_range() {
    let text = "slug = \"a\"\nfoo = 1\nid = \"x\"\nretention_days = [1]\nbar {\n}\n\
                contact {\n}\nowner {\n  name = \"o\"\n}\nowner {\n  name = \"p\"\n}\n";
    let found = errors(text);
    let expect = [
        (
            "Unsupported argument",
            "An argument named \"foo\" is not expected here.",
            2,
            1,
        ),
        (
            "Value for unconfigurable attribute",
            "Can't configure a value for \"id\": its value will be decided automatically based \
             on the result of applying this configuration.",
            3,
            1,
        ),
        (
            "Incorrect attribute value type",
            "Inappropriate value for attribute \"retention_days\": a number is required.",
            4,
            18,
        ),
        (
            "Unsupported block type",
            "Blocks of type \"bar\" are not expected here.",
            5,
            1,
        ),
        (
            "Missing required argument",
            "The argument \"name\" is required, but no definition was found.",
            7,
            1,
        ),
        (
            "Duplicate owner block",
            "Only one \"owner\" block is allowed. Another was defined at main.tf:9,1-6.",
            12,
            1,
        ),
    ];
    let expect: Vec<(String, String, usize, usize)> = expect
        .iter()
        .map(|(a, b, l, c)| (a.to_string(), b.to_string(), *l, *c))
        .collect();
    assert_eq!(found, expect);
}

#[test]
fn missing_required_arguments_point_at_the_body() {
    let found = errors("retention_days = 1\n");
    assert_eq!(found[0].0, "Missing required argument");
    assert_eq!(
        found[0].1,
        "The argument \"slug\" is required, but no definition was found."
    );
}

#[test]
fn block_counts_and_labels_are_checked() {
    let text = "slug = \"a\"\ncontact {\n  name = \"1\"\n}\ncontact {\n  name = \"2\"\n}\n\
                contact {\n  name = \"3\"\n}\nsite {\n  name = \"x\"\n}\ntag \"l\" {\n  name = \"y\"\n}\n";
    let summaries: Vec<String> = errors(text).into_iter().map(|e| e.0).collect();
    assert_eq!(
        summaries,
        vec![
            "Too many contact blocks",
            "Missing key for site",
            "Extraneous label for tag"
        ]
    );
    let mut schema = tenant_schema();
    schema.block_types.get_mut("contact").unwrap().min_items = 1;
    let text = "slug = \"a\"\n";
    let diags = decode_body(&parse(text), &schema, &context(), FILE, &sources(text)).unwrap_err();
    assert_eq!(diags.0[0].summary, "Insufficient contact blocks");
}

#[test]
fn evaluation_errors_are_collected_across_attributes() {
    let found = errors("slug = var.nope\nlabels = local.nope\n");
    let summaries: Vec<&str> = found.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        summaries,
        vec![
            "Reference to undeclared input variable",
            "Reference to undeclared local value"
        ]
    );
}

#[test]
fn dynamic_blocks_expand_with_their_iterator() {
    let contact = block(&[("email", Attribute::required(Type::String))], &[]);
    let schema = block(&[], &[("contact", nested(Nesting::List, contact))]);
    let source = r#"
dynamic "contact" {
  for_each = ["a@x", "b@x"]
  iterator = c
  content {
    email = "${c.key}:${c.value}"
  }
}
"#;
    let sources = crate::diags::Sources::of_file("main.tf", source);
    let body = hcl_edit::parser::parse_body(source).unwrap();
    let value = decode_body(
        &body,
        &schema,
        &crate::lang::EvalContext::default(),
        "main.tf",
        &sources,
    )
    .unwrap();
    let emails: Vec<Value> = match value.get_attr("contact") {
        Some(Value::List(items)) => items
            .iter()
            .map(|item| item.get_attr("email").cloned().unwrap())
            .collect(),
        other => panic!("{other:?}"),
    };
    assert_eq!(emails, vec![Value::string("0:a@x"), Value::string("1:b@x")]);
}
