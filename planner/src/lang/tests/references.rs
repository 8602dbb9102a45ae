//! References: every kind of subject, for-expression scoping, ranges and invalid forms.

use crate::addrs::ResourceAddr;
use crate::lang::{Subject, body_references, expression_references};

use super::{FILE, expression, parse, sources};

fn subjects(src: &str) -> Vec<Subject> {
    let (expr, sources) = expression(src);
    let refs = expression_references(&expr, FILE, &sources).unwrap_or_else(|d| panic!("{d}"));
    refs.into_iter().map(|r| r.subject).collect()
}

#[test]
fn every_kind_of_subject_is_found() {
    let found = subjects(
        "\"${var.a}-${local.b}\" == format(\"%s\", tenant.t.id, data.tenants.all.ids[0], \
         path.module, terraform.workspace, count.index, each.key)",
    );
    assert_eq!(
        found,
        vec![
            Subject::Variable("a".into()),
            Subject::Local("b".into()),
            Subject::Resource(ResourceAddr::managed("tenant", "t")),
            Subject::Resource(ResourceAddr::data("tenants", "all")),
            Subject::Path,
            Subject::Terraform,
            Subject::Count,
            Subject::Each,
        ]
    );
}

#[test]
fn nested_expressions_are_walked() {
    let found = subjects(
        "{ (var.k) = [for x in var.list : x.id if x.on], y = var.c ? tenant.a[var.i] : null, \
         z = \"%{ for u in var.users }${u}${var.sep}%{ endfor }\" }",
    );
    assert_eq!(
        found,
        vec![
            Subject::Variable("k".into()),
            Subject::Variable("list".into()),
            Subject::Variable("c".into()),
            Subject::Resource(ResourceAddr::managed("tenant", "a")),
            Subject::Variable("i".into()),
            Subject::Variable("users".into()),
            Subject::Variable("sep".into()),
        ]
    );
}

#[test]
fn for_iterators_are_not_references() {
    assert_eq!(
        subjects("{for k, v in var.m : k => v.name}"),
        vec![Subject::Variable("m".into())]
    );
    // An iterator shadows only inside its own expression.
    assert_eq!(
        subjects("[[for x in var.a : x], x.y]"),
        vec![
            Subject::Variable("a".into()),
            Subject::Resource(ResourceAddr::managed("x", "y"))
        ]
    );
}

#[test]
fn ranges_cover_the_traversal() {
    let text = "x = 1\nname = upper(tenant.acme.slug)\n";
    let body = parse(text);
    let sources = sources(text);
    let refs = body_references(&body, FILE, &sources).unwrap();
    assert_eq!(refs.len(), 1);
    let range = &refs[0].range;
    assert_eq!(
        (range.start.line, range.start.column, range.end.column),
        (2, 14, 30)
    );
    assert_eq!(&text[range.start.byte..range.end.byte], "tenant.acme.slug");
}

#[test]
fn nested_blocks_are_walked() {
    let text = "a = var.x\ncontact {\n  email = local.mail\n}\n";
    let refs = body_references(&parse(text), FILE, &sources(text)).unwrap();
    let found: Vec<Subject> = refs.into_iter().map(|r| r.subject).collect();
    assert_eq!(
        found,
        vec![Subject::Variable("x".into()), Subject::Local("mail".into())]
    );
}

#[test]
fn dynamic_block_iterators_are_not_references() {
    let text = r#"
dynamic "contact" {
  for_each = var.contacts
  content {
    name  = contact.value.name
    email = local.mail
  }
}
dynamic "rule" {
  for_each = local.rules
  iterator = r
  content {
    port = r.value
  }
}
after = contact.x.id
"#;
    let refs = body_references(&parse(text), FILE, &sources(text)).unwrap();
    let found: Vec<Subject> = refs.into_iter().map(|r| r.subject).collect();
    assert_eq!(
        found,
        vec![
            // Outside its dynamic block the iterator's name is a resource type again.
            Subject::Resource(ResourceAddr::managed("contact", "x")),
            Subject::Variable("contacts".into()),
            Subject::Local("mail".into()),
            Subject::Local("rules".into()),
        ]
    );
}

#[test]
fn invalid_references_are_errors() {
    for (src, summary) in [
        ("foo", "Invalid reference"),
        ("var", "Invalid reference"),
        ("data.tenants", "Invalid reference"),
        ("module", "Invalid reference"),
        ("count.nope", "Invalid \"count\" attribute"),
        ("each.nope", "Invalid \"each\" attribute"),
        ("path.nope", "Invalid \"path\" attribute"),
    ] {
        let (expr, sources) = expression(src);
        let diags = expression_references(&expr, FILE, &sources).expect_err(src);
        assert_eq!(diags.0[0].summary, summary, "{src}");
        let range = diags.0[0].range.as_ref().unwrap();
        assert_eq!((range.start.line, range.start.column), (1, 5), "{src}");
    }
}
