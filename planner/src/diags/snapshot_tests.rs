//! Snapshot tests of the diagnostics of bad inputs, as a user sees them: each case runs the
//! configuration through loading, variable resolution (`-input=false`) and validation against
//! the in-process fake provider, and snapshots every diagnostic with its `file:line:col`
//! range and Terraform-style rendering. A few cases also snapshot the JSON form, and the
//! errors only a plan finds (`plan_case!`) come from planning against the fake provider.

use std::collections::BTreeMap;

use super::{Diagnostics, Sources, render, validate_report};
use crate::config;
use crate::engine;
use crate::providers::Providers;
use crate::providers::fake::FakeProvider;
use crate::variables::{self, CliVariable, VariableSources};

fn fake_providers() -> Providers {
    crate::test_support::fake_providers(FakeProvider::new())
}

/// Runs `files` (written to a fresh directory) with `-var` options and returns the
/// diagnostics with the sources they point into.
async fn diagnose(files: &[(&str, &str)], vars: &[&str]) -> (Diagnostics, Sources) {
    let dir = tempfile::tempdir().expect("temporary directory");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write input");
    }
    let tf_files: BTreeMap<String, String> = files
        .iter()
        .filter(|(name, _)| name.ends_with(".tf"))
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect();
    let config = match config::load_sources(dir.path(), tf_files.clone()) {
        Ok(config) => config,
        Err(diags) => return (diags, Sources::new(tf_files)),
    };
    let inputs = VariableSources {
        cli: vars
            .iter()
            .map(|v| CliVariable::Assignment(v.to_string()))
            .collect(),
        cwd: dir.path().to_path_buf(),
        ..VariableSources::default()
    };
    let warnings = match variables::resolve(&config, &inputs) {
        Ok(resolved) => resolved.warnings,
        Err(unresolved) => return (unresolved.diags, unresolved.sources),
    };
    let mut diags = warnings;
    diags.extend(engine::validate(&config, &fake_providers()).await);
    (diags, config.sources)
}

/// Plans `main_tf` from an empty state against the fake provider and returns the errors.
async fn plan_diagnose(main_tf: &str) -> (Diagnostics, Sources) {
    let files = BTreeMap::from([("main.tf".to_string(), main_tf.to_string())]);
    let dir = tempfile::tempdir().expect("temporary directory");
    let config = config::load_sources(dir.path(), files.clone()).expect("configuration loads");
    let inputs = VariableSources {
        cwd: dir.path().to_path_buf(),
        ..VariableSources::default()
    };
    let resolved = variables::resolve(&config, &inputs).expect("variables resolve");
    let options = engine::PlanOptions {
        show_only: false,
        mode: crate::plan::PlanMode::Normal,
        refresh: true,
        parallelism: 2,
        targets: Vec::new(),
        excludes: Vec::new(),
        replace: Vec::new(),
        generate_config: false,
        workspace: "default".into(),
        sweep: None,
        scope: Default::default(),
    };
    let state = crate::state::State::new();
    let providers = fake_providers();
    match engine::plan(&config, &state, &providers, &resolved.values, &options).await {
        Ok(_) => (Diagnostics::new(), config.sources),
        Err(diags) => (diags, config.sources),
    }
}

/// Every diagnostic as `file:line:col-line:col` followed by its rendering, in source order.
fn snapshot_text(diags: &Diagnostics, sources: &Sources) -> String {
    let mut sorted = diags.0.clone();
    sorted.sort_by_key(|d| {
        d.range
            .as_ref()
            .map(|r| (r.filename.clone(), r.start.byte, r.end.byte))
    });
    let mut out = String::new();
    for diag in &sorted {
        match &diag.range {
            Some(r) => out.push_str(&format!(
                "// {}:{}:{}-{}:{}\n",
                r.filename, r.start.line, r.start.column, r.end.line, r.end.column
            )),
            None => out.push_str("// (no source range)\n"),
        }
        out.push_str(&render(&Diagnostics(vec![diag.clone()]), sources, false));
        out.push('\n');
    }
    out
}

/// Snapshots the diagnostics of one case; every case must produce at least one error.
macro_rules! case {
    ($name:ident, $files:expr) => {
        case!($name, $files, &[]);
    };
    ($name:ident, $files:expr, $vars:expr) => {
        #[tokio::test]
        async fn $name() {
            let (diags, sources) = diagnose($files, $vars).await;
            assert!(diags.has_errors(), "expected errors, got {diags:?}");
            insta::assert_snapshot!(stringify!($name), snapshot_text(&diags, &sources));
        }
    };
}

/// Snapshots the errors of planning one configuration; every case must fail.
macro_rules! plan_case {
    ($name:ident, $main_tf:expr) => {
        #[tokio::test]
        async fn $name() {
            let (diags, sources) = plan_diagnose($main_tf).await;
            assert!(diags.has_errors(), "expected errors, got {diags:?}");
            insta::assert_snapshot!(stringify!($name), snapshot_text(&diags, &sources));
        }
    };
}

case!(
    output_refers_to_sensitive_values,
    &[(
        "main.tf",
        "variable \"token\" {\n  type      = string\n  sensitive = true\n  default   = \"t\"\n}\n\n\
         locals {\n  settings = { token = var.token, region = \"eu\" }\n}\n\n\
         output \"settings\" {\n  value = local.settings\n}\n"
    )]
);

plan_case!(
    sensitive_for_each,
    "variable \"names\" {\n  type      = set(string)\n  sensitive = true\n  default   = [\"a\"]\n}\n\n\
     resource \"fake_thing\" \"t\" {\n  for_each = var.names\n  name     = each.key\n}\n"
);

plan_case!(
    module_output_with_sensitive_parts_at_the_root,
    "resource \"fake_thing\" \"a\" {\n  name = \"a\"\n}\n\n\
     resource \"fake_child\" \"c\" {\n  parent_id = fake_thing.a.id\n}\n\n\
     output \"child\" {\n  value = { secret = fake_child.c.secret, id = fake_child.c.id }\n}\n"
);

case!(
    syntax_error,
    &[("main.tf", "resource \"fake_thing\" \"a\" {\n  name = \n}\n")]
);

case!(
    unknown_block_type,
    &[(
        "main.tf",
        "resources \"fake_thing\" \"a\" {\n  name = \"a\"\n}\n"
    )]
);

case!(
    unknown_argument_in_variable,
    &[("main.tf", "variable \"region\" {\n  typo = \"eu\"\n}\n")]
);

case!(
    unknown_argument_in_resource,
    &[(
        "main.tf",
        "resource \"fake_thing\" \"a\" {\n  name  = \"a\"\n  color = \"red\"\n}\n"
    )]
);

case!(
    missing_required_argument,
    &[(
        "main.tf",
        "resource \"fake_thing\" \"a\" {\n  size = \"big\"\n}\n"
    )]
);

case!(
    wrong_argument_type,
    &[(
        "main.tf",
        "resource \"fake_thing\" \"a\" {\n  name = [\"a\", \"b\"]\n}\n"
    )]
);

case!(
    undeclared_variable,
    &[(
        "main.tf",
        "resource \"fake_thing\" \"a\" {\n  name = var.tenant_name\n}\n"
    )]
);

case!(
    undeclared_local,
    &[(
        "main.tf",
        "resource \"fake_thing\" \"a\" {\n  name = local.prefix\n}\n"
    )]
);

case!(
    undeclared_resource,
    &[(
        "main.tf",
        "resource \"fake_child\" \"c\" {\n  parent_id = fake_thing.ghost.id\n}\n"
    )]
);

case!(
    reference_cycle,
    &[(
        "main.tf",
        "locals {\n  a = local.b\n  b = local.a\n}\n\noutput \"a\" {\n  value = local.a\n}\n"
    )]
);

case!(
    duplicate_resource,
    &[(
        "main.tf",
        "resource \"fake_thing\" \"a\" {\n  name = \"a\"\n}\n\nresource \"fake_thing\" \"a\" {\n  name = \"b\"\n}\n"
    )]
);

case!(
    unknown_function,
    &[(
        "main.tf",
        "resource \"fake_thing\" \"a\" {\n  name = shout(\"a\")\n}\n"
    )]
);

case!(
    bad_function_arguments,
    &[(
        "main.tf",
        "resource \"fake_thing\" \"a\" {\n  name = upper(\"a\", \"b\")\n}\n"
    )]
);

case!(
    several_errors_at_once,
    &[(
        "main.tf",
        "variable \"a\" {\n  kind = 1\n}\n\nmodule_x \"m\" {}\n\noutput \"o\" {\n  description = \"no value\"\n}\n"
    )]
);

case!(
    duplicate_variable,
    &[(
        "main.tf",
        "variable \"tier\" {}\n\nvariable \"tier\" {\n  default = \"free\"\n}\n"
    )]
);

case!(
    reserved_variable_name,
    &[("main.tf", "variable \"count\" {\n  default = 1\n}\n")]
);

case!(
    invalid_type_constraint,
    &[("main.tf", "variable \"tags\" {\n  type = mapp(string)\n}\n")]
);

case!(
    default_does_not_match_type,
    &[(
        "main.tf",
        "variable \"replicas\" {\n  type    = number\n  default = \"three\"\n}\n"
    )]
);

case!(
    optional_attribute_default_does_not_match,
    &[(
        "main.tf",
        "variable \"owner\" {\n  type = object({\n    name  = string\n    limit = optional(number, \"many\")\n  })\n}\n"
    )]
);

case!(
    variable_validation_fails,
    &[(
        "main.tf",
        "variable \"tier\" {\n  type = string\n  validation {\n    condition     = contains([\"free\", \"standard\"], var.tier)\n    error_message = \"The tier must be free or standard.\"\n  }\n}\n"
    )],
    &["tier=gold"]
);

case!(
    variable_validation_fails_from_tfvars,
    &[
        (
            "main.tf",
            "variable \"quota_gb\" {\n  type = number\n  validation {\n    condition     = var.quota_gb <= 100\n    error_message = \"Quota may not exceed 100 GB.\"\n  }\n}\n"
        ),
        ("terraform.tfvars", "quota_gb = 500\n"),
    ]
);

case!(
    object_attribute_missing_in_tfvars,
    &[
        (
            "main.tf",
            "variable \"owner\" {\n  type = object({\n    name  = string\n    email = string\n  })\n}\n"
        ),
        ("terraform.tfvars", "owner = {\n  name = \"Ada\"\n}\n"),
    ]
);

case!(
    list_element_type_mismatch_on_command_line,
    &[(
        "main.tf",
        "variable \"regions\" {\n  type = list(string)\n}\n"
    )],
    &["regions=[\"eu\", [\"us\"]]"]
);

case!(
    missing_variable_without_input,
    &[(
        "main.tf",
        "variable \"tenant\" {\n  type        = string\n  description = \"The tenant slug.\"\n}\n"
    )]
);

case!(
    non_nullable_variable_set_to_null,
    &[
        (
            "main.tf",
            "variable \"tier\" {\n  type     = string\n  nullable = false\n}\n"
        ),
        ("terraform.tfvars", "tier = null\n"),
    ]
);

case!(
    tfvars_syntax_error,
    &[
        ("main.tf", "variable \"tier\" {\n  default = \"free\"\n}\n"),
        ("terraform.tfvars", "tier = \"free\n"),
    ]
);

case!(
    tfvars_refers_to_variable,
    &[
        (
            "main.tf",
            "variable \"a\" {\n  default = \"x\"\n}\n\nvariable \"b\" {\n  default = \"y\"\n}\n"
        ),
        ("terraform.tfvars", "a = var.b\nb = upper(\"y\")\n"),
    ]
);

case!(
    undeclared_variable_on_command_line,
    &[("main.tf", "variable \"tier\" {\n  default = \"free\"\n}\n")],
    &["tire=gold"]
);

case!(
    invalid_command_line_expression,
    &[(
        "main.tf",
        "variable \"regions\" {\n  type = list(string)\n}\n"
    )],
    &["regions=[\"eu\","]
);

#[tokio::test]
async fn json_form_of_a_validation_failure() {
    let (diags, sources) = diagnose(
        &[(
            "main.tf",
            "resource \"fake_thing\" \"a\" {\n  name  = \"a\"\n  color = \"red\"\n}\n",
        )],
        &[],
    )
    .await;
    let report = serde_json::to_string_pretty(&validate_report(&diags, &sources))
        .expect("serializable report");
    insta::assert_snapshot!("json_form_of_a_validation_failure", report);
}

#[tokio::test]
async fn json_form_of_a_variable_failure() {
    let (diags, sources) = diagnose(
        &[
            (
                "main.tf",
                "variable \"owner\" {\n  type = object({ name = string })\n}\n",
            ),
            ("terraform.tfvars", "owner = { mail = \"a@b\" }\n"),
        ],
        &[],
    )
    .await;
    let report = serde_json::to_string_pretty(&validate_report(&diags, &sources))
        .expect("serializable report");
    insta::assert_snapshot!("json_form_of_a_variable_failure", report);
}
