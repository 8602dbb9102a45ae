//! Every built-in function, through expressions as configurations call them.

use tenantform_proto::value::{Number, Value};

use super::{eval, eval_error, n, obj, s};

fn list(items: &[&str]) -> Value {
    Value::List(items.iter().map(|i| s(i)).collect())
}

fn tuple(items: Vec<Value>) -> Value {
    Value::Tuple(items)
}

#[test]
fn string_functions() {
    assert_eq!(eval("lower(\"AbC\")"), s("abc"));
    assert_eq!(eval("upper(\"straße\")"), s("STRAßE"));
    assert_eq!(
        eval("format(\"%s-%d-%q-%v\", \"a\", 42, \"q\", true)"),
        s("a-42-\"q\"-true")
    );
    assert_eq!(
        eval("format(\"%05d|%-4s|%.2f|%%\", 42, \"ab\", 3.14159)"),
        s("00042|ab  |3.14|%")
    );
    assert_eq!(eval("format(\"%v\", [1, \"a\"])"), s("[1,\"a\"]"));
    assert_eq!(
        eval_error("format(\"%s %s\", \"a\")").summary,
        "Error in function call"
    );
    assert_eq!(
        eval_error("format(\"%d\", \"x\")").summary,
        "Error in function call"
    );
    assert_eq!(eval("join(\", \", [\"a\", \"b\"], [\"c\"])"), s("a, b, c"));
    assert_eq!(eval("join(\"-\", [1, true])"), s("1-true"));
    assert_eq!(eval("split(\",\", \"a,b,,c\")"), list(&["a", "b", "", "c"]));
    assert_eq!(eval("replace(\"a-b-c\", \"-\", \"_\")"), s("a_b_c"));
    assert_eq!(
        eval("replace(\"tenant42\", \"/[0-9]+/\", \"#\")"),
        s("tenant#")
    );
    assert_eq!(eval("replace(\"ab\", \"/(a)(b)/\", \"$2$1\")"), s("ba"));
    assert_eq!(eval("trimspace(\"  x y \\n\")"), s("x y"));
    assert_eq!(eval("substr(\"hello world\", 1, 4)"), s("ello"));
    assert_eq!(eval("substr(\"hello\", -3, -1)"), s("llo"));
    assert_eq!(eval("substr(\"héllo\", 0, 2)"), s("hé"));
    assert_eq!(eval("tostring(5)"), s("5"));
    assert_eq!(eval("tostring(null)"), Value::Null);
    assert_eq!(
        eval_error("tostring([])").detail,
        "Invalid value for \"v\" parameter: cannot convert tuple to string."
    );
}

#[test]
fn collection_functions() {
    assert_eq!(eval("length(\"héllo\")"), n(5));
    assert_eq!(eval("length([1, 2, 3])"), n(3));
    assert_eq!(eval("length({a = 1})"), n(1));
    assert_eq!(eval("lookup({a = 1}, \"a\")"), n(1));
    assert_eq!(eval("lookup({a = 1}, \"b\", 7)"), n(7));
    assert_eq!(
        eval_error("lookup({a = 1}, \"b\")").summary,
        "Invalid function argument"
    );
    assert_eq!(
        eval("merge({a = 1, b = 2}, {b = 3}, null)"),
        obj(&[("a", n(1)), ("b", n(3))])
    );
    assert_eq!(
        eval("merge(var.labels, {team = \"x\"})"),
        obj(&[("env", s("prod")), ("team", s("x"))])
    );
    assert_eq!(eval("concat([1], [2, 3])"), tuple(vec![n(1), n(2), n(3)]));
    assert_eq!(
        eval("concat(var.tiers, var.tiers)"),
        list(&["free", "standard", "free", "standard"])
    );
    assert_eq!(eval("contains(var.tiers, \"free\")"), Value::Bool(true));
    assert_eq!(eval("contains([1, 2], 3)"), Value::Bool(false));
    assert_eq!(eval("keys(var.labels)"), list(&["env", "team"]));
    assert_eq!(eval("values(var.labels)"), list(&["prod", "core"]));
    assert_eq!(eval("keys({b = 1, a = 2})"), tuple(vec![s("a"), s("b")]));
    assert_eq!(eval("coalesce(null, \"\", \"x\", \"y\")"), s("x"));
    assert_eq!(
        eval_error("coalesce(null, \"\")").summary,
        "Error in function call"
    );
    assert_eq!(eval("element([\"a\", \"b\"], 3)"), s("b"));
    assert_eq!(
        eval_error("element([], 0)").summary,
        "Error in function call"
    );
    assert_eq!(
        eval("flatten([[1, [2]], [], 3])"),
        tuple(vec![n(1), n(2), n(3)])
    );
    assert_eq!(eval("distinct([\"a\", \"b\", \"a\"])"), list(&["a", "b"]));
    assert_eq!(eval("sort([\"b\", \"c\", \"a\"])"), list(&["a", "b", "c"]));
    assert_eq!(eval("tolist([\"a\", 1])"), list(&["a", "1"]));
    assert_eq!(
        eval("toset([\"b\", \"a\", \"b\"])"),
        Value::Set(vec![s("a"), s("b")])
    );
    assert_eq!(
        eval("tomap({a = 1})"),
        Value::Map([("a".into(), n(1))].into())
    );
    assert_eq!(
        eval_error("tolist(\"x\")").summary,
        "Invalid function argument"
    );
}

#[test]
fn number_and_bool_functions() {
    assert_eq!(eval("min(3, 1.5, 2)"), Value::Number(Number::Float(1.5)));
    assert_eq!(eval("max(3, \"4\", 2)"), n(4));
    assert_eq!(eval_error("max()").summary, "Error in function call");
    assert_eq!(eval("abs(-4)"), n(4));
    assert_eq!(eval("abs(-1.5)"), Value::Number(Number::Float(1.5)));
    assert_eq!(eval("tonumber(\"12\")"), n(12));
    assert!(
        eval_error("tonumber(\"x\")")
            .detail
            .contains("cannot convert \"x\" to number")
    );
    assert_eq!(eval("tobool(\"true\")"), Value::Bool(true));
    assert_eq!(eval("tobool(null)"), Value::Null);
}

#[test]
fn json_functions() {
    assert_eq!(
        eval("jsonencode({b = [1, true, null], a = \"<x>\"})"),
        s(r#"{"a":"\u003cx\u003e","b":[1,true,null]}"#)
    );
    assert_eq!(
        eval("jsondecode(\"{\\\"a\\\": [1, \\\"x\\\"]}\")"),
        obj(&[("a", tuple(vec![n(1), s("x")]))])
    );
    assert_eq!(
        eval("jsondecode(jsonencode({a = 1.5})).a"),
        Value::Number(Number::Float(1.5))
    );
    assert_eq!(
        eval_error("jsondecode(\"{\")").summary,
        "Error in function call"
    );
}

#[test]
fn unknown_and_null_arguments() {
    assert_eq!(eval("join(\",\", [var.pending])"), Value::Unknown);
    assert_eq!(eval("jsonencode({a = var.pending})"), Value::Unknown);
    assert_eq!(eval("length(var.pending)"), Value::Unknown);
    let err = eval_error("upper(null)");
    assert_eq!(
        err.detail,
        "Invalid value for \"str\" parameter: argument must not be null."
    );
}

#[test]
fn every_function_in_the_table_has_a_unique_name() {
    let mut names: Vec<&str> = crate::lang::functions::FUNCTIONS
        .iter()
        .map(|f| f.name)
        .collect();
    let total = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), total);
    assert!(total >= 31);
}
