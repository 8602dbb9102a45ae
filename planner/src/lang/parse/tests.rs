//! Tests of parsing what hcl-edit alone refuses.

use hcl_edit::Span;
use hcl_edit::expr::Expression;

use super::*;

/// Runs `test` on a thread with a stack big enough for deep trees.
fn deep<T: Send>(test: impl FnOnce() -> T + Send) -> T {
    on_big_stack(test).expect("test thread")
}

fn value_of(body: &Body, name: &str) -> Expression {
    body.get_attribute(name)
        .map(|attr| attr.value.clone())
        .unwrap_or_else(|| panic!("no attribute {name}"))
}

#[test]
fn plain_files_take_the_direct_path() {
    let body = parse_body("a = 1\n").unwrap();
    assert!(body.get_attribute("a").is_some());
}

#[test]
fn byte_order_mark_is_skipped_and_offsets_kept() {
    let text = "\u{feff}a = x\n";
    let body = parse_body(text).unwrap();
    assert_eq!(value_of(&body, "a").span(), Some(7..8));
}

#[test]
fn newlines_inside_an_object_for_are_ignored() {
    let text = "a = { for k in b : k => c +\n e }\n\
                b = { for k, v in x : k =>\n  v.on\n  ? { a = 1\n    b = 2 }\n  : {} # c\n }\n";
    let body = parse_body(text).unwrap();
    let Expression::ForExpr(for_expr) = value_of(&body, "a") else {
        panic!("not a for expression")
    };
    assert!(matches!(for_expr.value_expr, Expression::BinaryOp(_)));
    let Expression::ForExpr(for_expr) = value_of(&body, "b") else {
        panic!("not a for expression")
    };
    assert!(matches!(for_expr.value_expr, Expression::Conditional(_)));
}

#[test]
fn repeated_object_keys_keep_the_last_and_remember_the_others() {
    let text = "x = {\n  a = 1\n  b = 3\n  a = var.two\n}\n";
    let body = parse_body(text).unwrap();
    let Expression::Object(object) = value_of(&body, "x") else {
        panic!("not an object")
    };
    let kept: Vec<String> = object
        .iter()
        .filter(|(key, _)| !is_shadowed_key(key))
        .map(|(key, value)| {
            format!(
                "{}={}",
                key.as_ident().map_or("?", |i| i.as_str()),
                &text[value.expr().span().unwrap()]
            )
        })
        .collect();
    assert_eq!(kept, ["b=3", "a=var.two"]);
    let shadowed: Vec<&str> = object
        .iter()
        .filter(|(key, _)| is_shadowed_key(key))
        .map(|(_, value)| &text[value.expr().span().unwrap()])
        .collect();
    assert_eq!(shadowed, ["1"]);
}

#[test]
fn repeated_attributes_of_a_block_stay_an_error() {
    assert!(parse_body("a = 1\na = 2\n").is_err());
}

/// `a = 1` with `1` inside `depth` pairs of these brackets.
fn nested_one(open: &str, close: &str, depth: usize) -> String {
    format!("a = {}1{}\n", open.repeat(depth), close.repeat(depth))
}

#[test]
fn two_thousand_nesting_levels_parse_with_their_spans() {
    deep(|| {
        let depth = 2_000;
        let text = nested_one("[", "]", depth);
        let body = parse_body(&text).unwrap();
        let mut expr = &body.get_attribute("a").unwrap().value;
        let mut levels = 0;
        while let Expression::Array(array) = expr {
            assert_eq!(expr.span().map(|s| s.start), Some(4 + levels));
            expr = array.iter().next().unwrap();
            levels += 1;
        }
        assert_eq!(levels, depth);
        assert_eq!(expr.span(), Some(4 + depth..5 + depth));
        drop_on_big_stack(body);
    });
}

#[test]
fn a_twenty_thousand_term_sum_parses_left_associative() {
    deep(|| {
        let terms = 20_000;
        let text = format!("a = {}\n", vec!["1"; terms].join(" + "));
        let body = parse_body(&text).unwrap();
        let mut expr = &body.get_attribute("a").unwrap().value;
        let mut operators = 0;
        while let Expression::BinaryOp(op) = expr {
            assert!(matches!(op.rhs_expr, Expression::Number(_)));
            expr = &op.lhs_expr;
            operators += 1;
        }
        assert_eq!(operators, terms - 1);
        drop_on_big_stack(body);
    });
}

#[test]
fn mixed_precedence_chains_keep_their_tree() {
    deep(|| {
        let long: Vec<String> = (0..300).map(|i| format!("{i} * 2 - {i}")).collect();
        let text = format!("a = {}\n", long.join(" + "));
        let body = parse_body(&text).unwrap();
        // `((… + 299 * 2) - 299)`: the last `-` is the root, `299 * 2` its left's right.
        let Expression::BinaryOp(op) = value_of(&body, "a") else {
            panic!("not a binary operation")
        };
        assert_eq!(&text[op.rhs_expr.span().unwrap()], "299");
        let Expression::BinaryOp(lhs) = &op.lhs_expr else {
            panic!("not a binary operation")
        };
        assert_eq!(&text[lhs.rhs_expr.span().unwrap()], "299 * 2");
        drop_on_big_stack(body);
    });
}

#[test]
fn nesting_beyond_the_limit_is_a_diagnostic() {
    deep(|| {
        let text = nested_one("(", ")", 100_000);
        let err = parse_body(&text).unwrap_err();
        assert!(err.message.contains("not supported by tenantform"), "{err}");
    });
}

#[test]
fn placeholders_do_not_capture_configuration_names() {
    deep(|| {
        let inner = format!("{}_tf0{}", "[".repeat(40), "]".repeat(40));
        let text = format!("a = {inner}\n");
        let body = parse_body(&text).unwrap();
        let mut expr = value_of(&body, "a");
        while let Expression::Array(array) = expr {
            expr = array.iter().next().unwrap().clone();
        }
        assert_eq!(
            expr.as_variable().map(hcl_edit::Ident::as_str),
            Some("_tf0")
        );
    });
}

#[test]
fn nesting_and_chains_together_are_bounded() {
    deep(|| {
        let inner = vec!["1"; 21_100].join(" + ");
        let text = format!(
            "a = {}{inner}{} + 1\n",
            "(".repeat(4_000),
            ")".repeat(4_000)
        );
        let err = parse_body(&text).unwrap_err();
        assert!(err.message.contains("25000 levels"), "{err}");
        let inner = vec!["1"; 20_000].join(" + ");
        let text = format!(
            "a = {}{inner}{} + 1\n",
            "(".repeat(4_000),
            ")".repeat(4_000)
        );
        drop_on_big_stack(parse_body(&text).unwrap());
    });
}

#[test]
fn separate_expressions_do_not_add_up() {
    deep(|| {
        let sum = vec!["1"; 20_000].join(" + ");
        let nested = format!("{}1{}", "[".repeat(4_000), "]".repeat(4_000));
        let text = format!("locals {{\n  a = {sum}\n  b = {nested}\n  c = [{sum}, {nested}]\n}}\n");
        drop_on_big_stack(parse_body(&text).unwrap());
    });
}

#[test]
fn deep_calls_and_indexes_parse() {
    deep(|| {
        let depth = 500;
        let text = format!(
            "a = {}1{}\nb = x[0][{}0{}]\n",
            "max(0, ".repeat(depth),
            ")".repeat(depth),
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let body = parse_body(&text).unwrap();
        let mut expr = &body.get_attribute("a").unwrap().value;
        let mut calls = 0;
        while let Expression::FuncCall(call) = expr {
            expr = call.args.iter().nth(1).unwrap();
            calls += 1;
        }
        assert_eq!(calls, depth);
        assert!(body.get_attribute("b").is_some());
        drop_on_big_stack(body);
    });
}

/// Every `.tf` file under `dir`, recursively.
fn tf_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            tf_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "tf") {
            out.push(path);
        }
    }
}

#[test]
fn the_rewrite_gives_hcl_edits_tree_where_hcl_edit_reads_the_file() {
    let fixtures =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../acceptance-tests/fixtures");
    let mut files = Vec::new();
    tf_files(&fixtures, &mut files);
    let mut compared = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let Ok(direct) = hcl_edit::parser::parse_body(&text) else {
            continue;
        };
        let rewritten = deep(|| deep_body(&text));
        assert!(rewritten == Ok(direct), "{}", path.display());
        compared += 1;
    }
    assert!(compared > 100, "only {compared} files compared");
    // Nesting past the depth where the rewrite cuts, still within hcl-edit's limit.
    let generated = format!(
        "a = {}1{}\nb = {}1{}\nc = optional(object({{ x = {}1{} }}))\n",
        "[".repeat(30),
        "]".repeat(30),
        "max(0, -".repeat(20),
        ")".repeat(20),
        "{ y = ".repeat(20),
        " }".repeat(20),
    );
    let direct = hcl_edit::parser::parse_body(&generated).unwrap();
    assert!(deep(|| deep_body(&generated)) == Ok(direct));
}
