//! Tests of type constraints, conversion, sources, precedence, nullable and validation.

use std::collections::BTreeMap;
use std::path::Path;

use tenantform_proto::value::{Number, Value};

use super::*;
use crate::config::{self, Config};
use crate::lang::types::{map, object};

fn load(text: &str) -> Config {
    config::load_sources(
        Path::new("."),
        BTreeMap::from([("main.tf".to_string(), text.to_string())]),
    )
    .unwrap_or_else(|diags| panic!("{diags}"))
}

fn string(s: &str) -> Value {
    Value::String(s.to_string())
}

fn number(n: i64) -> Value {
    Value::Number(Number::from_f64(n as f64))
}

/// Writes `text` to the file `name` in `dir`.
fn write_file(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

fn inputs(dir: &Path) -> VariableSources {
    VariableSources {
        cwd: dir.to_path_buf(),
        ..VariableSources::default()
    }
}

fn cli(dir: &Path, vars: &[&str]) -> VariableSources {
    VariableSources {
        cli: vars
            .iter()
            .map(|v| CliVariable::Assignment(v.to_string()))
            .collect(),
        ..inputs(dir)
    }
}

fn resolve_err(config: &Config, sources: &VariableSources) -> Vec<Diagnostic> {
    match resolve(config, sources) {
        Ok(resolved) => panic!("expected errors, got {:?}", resolved.values),
        Err(unresolved) => unresolved.diags.0,
    }
}

fn constraint_of(text: &str) -> TypeConstraint {
    let config = load(&format!("variable \"v\" {{\n  type = {text}\n}}\n"));
    declared_constraint(&config.variables["v"], &config.sources)
        .unwrap_or_else(|diags| panic!("{diags}"))
}

#[test]
fn parses_every_kind_of_constraint() {
    assert_eq!(constraint_of("string"), TypeConstraint::String);
    assert_eq!(
        constraint_of("list"),
        TypeConstraint::List(Box::new(TypeConstraint::Any))
    );
    assert_eq!(
        constraint_of("map(set(number))"),
        TypeConstraint::Map(Box::new(TypeConstraint::Set(Box::new(
            TypeConstraint::Number
        ))))
    );
    assert_eq!(
        constraint_of("tuple([string, bool])"),
        TypeConstraint::Tuple(vec![TypeConstraint::String, TypeConstraint::Bool])
    );
    let TypeConstraint::Object(attributes) = constraint_of(
        "object({ name = string, size = optional(number, 3), tags = optional(map(string)) })",
    ) else {
        panic!("not an object");
    };
    assert!(!attributes["name"].optional);
    assert!(attributes["size"].optional);
    assert_eq!(attributes["size"].default, Some(number(3)));
    assert_eq!(attributes["tags"].default, None);
}

#[test]
fn invalid_constraints_are_diagnosed_where_written() {
    for (text, detail) in [
        (
            "strin",
            "The keyword \"strin\" is not a valid type specification.",
        ),
        ("list(string, number)", "requires one argument"),
        ("optional(string)", "valid only as a modifier"),
        ("\"string\"", "Remove the quotes around \"string\"."),
        (
            "object({ a = optional(number, \"x\") })",
            "a number is required",
        ),
    ] {
        let config = load(&format!("variable \"v\" {{\n  type = {text}\n}}\n"));
        let diags = check_declarations(&config);
        let first = diags
            .iter()
            .next()
            .unwrap_or_else(|| panic!("{text}: no error"));
        assert!(first.detail.contains(detail), "{text}: {}", first.detail);
        let range = first.range.as_ref().expect("range");
        assert_eq!((range.filename.as_str(), range.start.line), ("main.tf", 2));
    }
}

#[test]
fn conversion_follows_cty() {
    let list_any = TypeConstraint::List(Box::new(TypeConstraint::Any));
    assert_eq!(
        conform(Value::Tuple(vec![string("a"), number(1)]), &list_any),
        Ok(Value::List(vec![string("a"), string("1")]))
    );
    assert_eq!(
        conform(
            Value::Tuple(vec![string("a"), Value::Tuple(vec![])]),
            &list_any
        )
        .unwrap_err()
        .to_string(),
        "all list elements must have the same type"
    );
    let list_string = TypeConstraint::List(Box::new(TypeConstraint::String));
    assert_eq!(
        conform(Value::Tuple(vec![Value::Tuple(vec![])]), &list_string)
            .unwrap_err()
            .to_string(),
        "element 0: string required, but have tuple"
    );
    assert_eq!(
        conform(string("x"), &list_string).unwrap_err().to_string(),
        "list of string required, but have string"
    );
    assert_eq!(
        conform(string("x"), &TypeConstraint::Number)
            .unwrap_err()
            .to_string(),
        "a number is required"
    );
    assert_eq!(
        conform(Value::Bool(true), &TypeConstraint::Number)
            .unwrap_err()
            .to_string(),
        "number required, but have bool"
    );
    let map_any = TypeConstraint::Map(Box::new(TypeConstraint::Any));
    assert_eq!(
        conform(object([("a", number(1)), ("b", string("x"))]), &map_any),
        Ok(map([("a", string("1")), ("b", string("x"))]))
    );
    // As in cty, numbers and bools have no common type (Terraform 1.15.5 refuses this).
    assert_eq!(
        conform(
            object([("a", number(1)), ("b", Value::Bool(true))]),
            &map_any
        )
        .unwrap_err()
        .to_string(),
        "all map elements must have the same type"
    );
}

#[test]
fn objects_fill_optional_attributes_and_name_missing_ones() {
    let TypeConstraint::Object(_) = constraint_of("object({})") else {
        panic!()
    };
    let constraint = constraint_of(
        "object({ name = string, size = optional(number, 3), note = optional(string), \
         inner = optional(object({ flag = optional(bool, true) }), {}) })",
    );
    let converted = conform(
        object([("name", string("a")), ("extra", number(1))]),
        &constraint,
    );
    assert_eq!(
        converted,
        Ok(object([
            ("inner", object([("flag", Value::Bool(true))])),
            ("name", string("a")),
            ("note", Value::Null),
            ("size", number(3)),
        ]))
    );
    assert_eq!(
        conform(object([]), &constraint).unwrap_err().to_string(),
        "attribute \"name\" is required"
    );
    let two = constraint_of("object({ a = string, b = string, c = optional(string) })");
    assert_eq!(
        conform(object([]), &two).unwrap_err().to_string(),
        "attributes \"a\" and \"b\" are required"
    );
    assert_eq!(
        conform(
            object([("a", string("x")), ("b", Value::Tuple(vec![]))]),
            &two
        )
        .unwrap_err()
        .to_string(),
        "attribute \"b\": string required, but have tuple"
    );
}

#[test]
fn defaults_apply_and_required_variables_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let config = load(
        "variable \"region\" {\n  default = \"eu\"\n}\n\nvariable \"name\" {\n  type = string\n}\n",
    );
    let diags = resolve_err(&config, &inputs(dir.path()));
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].summary, "No value for required variable");
    assert!(diags[0].detail.contains("\"name\""));
    assert_eq!(diags[0].range.as_ref().unwrap().start.line, 5);
    let resolved = resolve(&config, &cli(dir.path(), &["name=acme"])).unwrap();
    assert_eq!(resolved.values["region"], string("eu"));
    assert_eq!(resolved.values["name"], string("acme"));
}

#[test]
fn precedence_is_env_then_files_then_command_line_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let config = load(
        "variable \"a\" {}\nvariable \"b\" {}\nvariable \"c\" {}\nvariable \"d\" {}\nvariable \"e\" {}\n",
    );
    write_file(
        dir.path(),
        "terraform.tfvars",
        "a = \"tfvars\"\nb = \"tfvars\"\nc = \"tfvars\"\nd = \"tfvars\"\n",
    );
    write_file(
        dir.path(),
        "terraform.tfvars.json",
        r#"{"b": "json", "c": "json", "d": "json"}"#,
    );
    write_file(dir.path(), "x.auto.tfvars", "c = \"auto\"\nd = \"auto\"\n");
    write_file(dir.path(), "late.tfvars", "d = \"file\"\n");
    let sources = VariableSources {
        env: vec![
            ("TF_VAR_a".into(), "env".into()),
            ("TF_VAR_e".into(), "env".into()),
            ("TF_VAR_undeclared".into(), "ignored".into()),
        ],
        cli: vec![
            CliVariable::Assignment("d=cli".into()),
            CliVariable::File("late.tfvars".into()),
        ],
        ..inputs(dir.path())
    };
    let resolved = resolve(&config, &sources).unwrap();
    let got: Vec<&Value> = resolved.values.values().collect();
    assert_eq!(
        got,
        [
            &string("tfvars"),
            &string("json"),
            &string("auto"),
            &string("file"),
            &string("env")
        ]
    );
}

#[test]
fn command_line_text_is_parsed_for_complex_types() {
    let dir = tempfile::tempdir().unwrap();
    let config = load(
        "variable \"tags\" {\n  type = map(string)\n}\nvariable \"n\" {\n  type = number\n}\nvariable \"s\" {\n  type = string\n}\n",
    );
    let resolved = resolve(
        &config,
        &cli(dir.path(), &["tags={ a = \"x\", b = 1 }", "n=42", "s=[1]"]),
    )
    .unwrap();
    assert_eq!(
        resolved.values["tags"],
        map([("a", string("x")), ("b", string("1"))])
    );
    assert_eq!(resolved.values["n"], number(42));
    assert_eq!(resolved.values["s"], string("[1]"));
    let diags = resolve_err(&config, &cli(dir.path(), &["tags=[", "n=4", "s=x"]));
    assert_eq!(
        diags[0].range.as_ref().unwrap().filename,
        "<value for var.tags>"
    );
    let diags = resolve_err(&config, &cli(dir.path(), &["tags=\"x\"", "n=four", "s=x"]));
    let details: Vec<&str> = diags.iter().map(|d| d.detail.as_str()).collect();
    assert_eq!(
        details,
        [
            "Unsuitable value for var.n set using -var=\"n=...\": a number is required.",
            "Unsuitable value for var.tags set using -var=\"tags=...\": map of string required, but have string.",
        ]
    );
}

#[test]
fn file_values_are_reported_where_they_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let config = load("variable \"owner\" {\n  type = object({ name = string })\n}\n");
    write_file(
        dir.path(),
        "terraform.tfvars",
        "\nowner = { email = \"a@b\" }\nstray = 1\n",
    );
    let diags = resolve_err(&config, &inputs(dir.path()));
    let error = diags
        .iter()
        .find(|d| d.severity == crate::diags::Severity::Error)
        .unwrap();
    assert_eq!(error.summary, "Invalid value for input variable");
    assert_eq!(
        error.detail,
        "The given value is not suitable for var.owner declared at main.tf:1,1-17: attribute \"name\" is required."
    );
    let range = error.range.as_ref().unwrap();
    assert_eq!(
        (
            range.filename.as_str(),
            range.start.line,
            range.start.column
        ),
        ("terraform.tfvars", 2, 9)
    );
    let warning = diags
        .iter()
        .find(|d| d.severity == crate::diags::Severity::Warning)
        .unwrap();
    assert_eq!(warning.summary, "Value for undeclared variable");
}

#[test]
fn tfvars_may_not_refer_or_call() {
    let dir = tempfile::tempdir().unwrap();
    let config = load("variable \"a\" {}\nvariable \"b\" {}\n");
    write_file(
        dir.path(),
        "terraform.tfvars",
        "a = var.b\nb = upper(\"x\")\n",
    );
    let summaries: Vec<String> = resolve_err(&config, &inputs(dir.path()))
        .into_iter()
        .map(|d| d.summary)
        .collect();
    assert_eq!(
        summaries,
        ["Variables not allowed", "Function calls not allowed"]
    );
}

#[test]
fn missing_var_file_and_undeclared_cli_variables_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let config = load("variable \"a\" {\n  default = 1\n}\n");
    let sources = VariableSources {
        cli: vec![
            CliVariable::File("nope.tfvars".into()),
            CliVariable::Assignment("zzz=1".into()),
            CliVariable::Assignment("novalue".into()),
        ],
        ..inputs(dir.path())
    };
    let summaries: Vec<String> = resolve_err(&config, &sources)
        .into_iter()
        .map(|d| d.summary)
        .collect();
    assert_eq!(
        summaries,
        [
            "Failed to read variables file",
            "Value for undeclared variable",
            "Invalid -var option"
        ]
    );
}

#[test]
fn nullable_and_null_values() {
    let dir = tempfile::tempdir().unwrap();
    let config = load(
        "variable \"n\" {\n  default = \"d\"\n}\nvariable \"strict\" {\n  nullable = false\n  default = \"d\"\n}\nvariable \"required\" {\n  nullable = false\n}\n",
    );
    write_file(
        dir.path(),
        "terraform.tfvars",
        "n = null\nstrict = null\nrequired = null\n",
    );
    let diags = resolve_err(&config, &inputs(dir.path()));
    assert_eq!(diags.len(), 1);
    assert_eq!(diags[0].summary, "Required variable not set");
    write_file(
        dir.path(),
        "terraform.tfvars",
        "n = null\nstrict = null\nrequired = 1\n",
    );
    let resolved = resolve(&config, &inputs(dir.path())).unwrap();
    assert_eq!(resolved.values["n"], Value::Null);
    assert_eq!(resolved.values["strict"], string("d"));
    let bad = load("variable \"x\" {\n  nullable = false\n  default = null\n}\n");
    assert_eq!(
        check_declarations(&bad).iter().next().unwrap().detail,
        "A null default value is not valid when nullable=false."
    );
}

#[test]
fn validation_rules_report_their_message() {
    let dir = tempfile::tempdir().unwrap();
    let config = load(
        "variable \"tier\" {\n  type = string\n  validation {\n    condition     = contains([\"free\", \"paid\"], var.tier)\n    error_message = \"Tier must be free or paid, not ${var.tier}.\"\n  }\n}\n\nvariable \"limit\" {\n  type    = number\n  default = 5\n  validation {\n    condition     = var.limit < var.max\n    error_message = \"The limit must stay under max.\"\n  }\n}\n\nvariable \"max\" {\n  default = 3\n}\n",
    );
    let diags = resolve_err(&config, &cli(dir.path(), &["tier=gold"]));
    let details: Vec<(&str, &str)> = diags
        .iter()
        .map(|d| (d.summary.as_str(), d.detail.as_str()))
        .collect();
    assert_eq!(
        details,
        [
            (
                "Invalid value for variable",
                "The limit must stay under max.\n\nThis was checked by the validation rule at main.tf:12,3-13."
            ),
            (
                "Invalid value for variable",
                "Tier must be free or paid, not gold.\n\nThis was checked by the validation rule at main.tf:3,3-13."
            ),
        ]
    );
    let resolved = resolve(&config, &cli(dir.path(), &["tier=free", "max=10"])).unwrap();
    assert_eq!(resolved.values["limit"], number(5));
}

#[test]
fn sensitive_values_stay_out_of_messages() {
    let dir = tempfile::tempdir().unwrap();
    let config = load("variable \"secret\" {\n  type      = number\n  sensitive = true\n}\n");
    write_file(dir.path(), "terraform.tfvars", "secret = \"hunter2\"\n");
    let diags = resolve_err(&config, &inputs(dir.path()));
    assert_eq!(
        diags[0].detail,
        "The given value is not suitable for var.secret, which is sensitive: a number is required. Invalid value defined at terraform.tfvars:1,10-19."
    );
    assert!(!diags[0].detail.contains("hunter2"));
    write_file(dir.path(), "terraform.tfvars", "secret = 7\n");
    let resolved = resolve(&config, &inputs(dir.path())).unwrap();
    assert!(resolved.sensitive.contains("secret"));
}

#[test]
fn unset_required_lists_what_a_prompt_must_ask() {
    let dir = tempfile::tempdir().unwrap();
    let config = load("variable \"a\" {}\nvariable \"b\" {\n  default = 1\n}\nvariable \"c\" {}\n");
    let names: Vec<&str> = unset_required(&config, &cli(dir.path(), &["c=1"]))
        .into_iter()
        .map(|v| v.name.as_str())
        .collect();
    assert_eq!(names, ["a"]);
    let prompted = VariableSources {
        prompted: BTreeMap::from([("a".to_string(), "typed".to_string())]),
        ..cli(dir.path(), &["c=1"])
    };
    assert_eq!(
        resolve(&config, &prompted).unwrap().values["a"],
        string("typed")
    );
}

#[test]
fn validation_messages_that_refer_to_sensitive_values_are_hidden() {
    let dir = tempfile::tempdir().unwrap();
    let config = load(
        "variable \"code\" {\n  type      = string\n  default   = \"bad\"\n  sensitive = true\n  validation {\n    condition     = var.code == \"good\"\n    error_message = \"code is ${var.code}\"\n  }\n}\n",
    );
    let diags = resolve_err(&config, &inputs(dir.path()));
    let summaries: Vec<&str> = diags.iter().map(|d| d.summary.as_str()).collect();
    assert_eq!(
        summaries,
        [
            "Invalid value for variable",
            "Error message refers to sensitive values"
        ]
    );
    assert_eq!(
        diags[0].detail,
        "The error message included a sensitive value, so it will not be displayed.\n\nThis was checked by the validation rule at main.tf:5,3-13."
    );
    assert!(diags.iter().all(|d| !d.detail.contains("bad")));
}
