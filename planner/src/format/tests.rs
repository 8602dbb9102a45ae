//! Formatting examples whose expected output comes from `terraform fmt`.

use super::format_source;

fn check(input: &str, expected: &str) {
    let formatted = format_source(input).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(formatted, expected, "input:\n{input}");
}

#[test]
fn aligns_equals_in_runs_and_keeps_comments() {
    check(
        "a\t=\t1 # c  \nbb = 2   // x\n/* b */  \n",
        "a  = 1 # c  \nbb = 2 // x\n/* b */\n",
    );
}

#[test]
fn unwraps_lone_interpolations_and_keeps_crlf() {
    check("c = \"${ var.x }\"\r\n", "c = var.x\r\n");
    check(
        "d = \"a${ b }c%{ if x ~}y%{ endif }\"\n",
        "d = \"a${b}c%{if x~}y%{endif}\"\n",
    );
}

#[test]
fn quotes_block_labels() {
    check(
        "resource aws_instance \"x\\u0041\" { ami = 1 }\n",
        "resource \"aws_instance\" \"xA\" { ami = 1 }\n",
    );
}

#[test]
fn keeps_heredoc_content() {
    check(
        "f = <<-EOT\n    hi ${ x }\n      there\n    EOT\n",
        "f = <<-EOT\n    hi ${x}\n      there\n    EOT\n",
    );
}

#[test]
fn spaces_operators_and_lists() {
    check(
        "g = [1,2,\n3]\nh = -1 - -2\ni = !a\nj = a ? -b : c\n",
        "g = [1, 2,\n3]\nh = -1 - -2\ni = !a\nj = a ? -b : c\n",
    );
}

#[test]
fn keeps_a_missing_final_newline() {
    check("a=1", "a = 1");
    check("", "");
    check("a = 1\n   ", "a = 1\n   ");
}

#[test]
fn normalizes_variable_types() {
    check(
        "variable \"x\" {\n  type = \"list\"\n  default = \"${var.a}${var.b}\"\n}\nvariable \"y\" { type = map }\n",
        "variable \"x\" {\n  type    = list(string)\n  default = \"${var.a}${var.b}\"\n}\nvariable \"y\" { type = map(any) }\n",
    );
}

#[test]
fn reports_syntax_errors() {
    let err = format_source("a = <<EOT\nx\nEOT").unwrap_err();
    assert_eq!(err.summary, "Unterminated template string");
    assert!(format_source("x = {\n").is_err());
}

#[test]
fn aligns_trailing_comments_in_runs() {
    check(
        "locals {\n  a = 1 # one\n  bbb = 22 # two\n\n  c = [\n    1, # x\n    22, # y\n  ]\n}\n",
        "locals {\n  a   = 1  # one\n  bbb = 22 # two\n\n  c = [\n    1,  # x\n    22, # y\n  ]\n}\n",
    );
}

#[test]
fn indents_multi_line_for_expressions() {
    let formatted = "x = {\n  for k, v in var.m :\n  k => v\n  if v != null\n}\n";
    check(
        "x = {\nfor k,v in var.m:\n   k=>v\n     if v!=null\n}\n",
        formatted,
    );
}

#[test]
fn keeps_strip_markers_and_unwraps_stripped_interpolations() {
    check(
        "a = \"${~x~}\"\nb = \"%{~ for x in y ~}${ x }%{~ endfor ~}\"\n",
        "a = x\nb = \"%{~for x in y~}${x}%{~endfor~}\"\n",
    );
}

#[test]
fn leaves_object_item_values_wrapped() {
    check(
        "locals {\n  m = {\n    a = \"${x}\"\n    bb = 2\n  }\n}\n",
        "locals {\n  m = {\n    a  = \"${x}\"\n    bb = 2\n  }\n}\n",
    );
}

#[test]
fn parenthesizes_multi_line_unwrapped_expressions() {
    check(
        "c = \"${\n  var.a ?\n  1 : 2\n}\"\n",
        "c = (var.a ?\n1 : 2)\n",
    );
}

#[test]
fn drops_labels_that_are_not_one_literal_token() {
    check(
        "x \"x$${y}\" {}\nx \"$${\" {}\nx \"a$b\" {}\nx \"%\" {}\nx \"\\u0024{\" {}\n",
        "x {}\nx \"$${\" {}\nx {}\nx \"%\" {}\nx \"$${\" {}\n",
    );
}
