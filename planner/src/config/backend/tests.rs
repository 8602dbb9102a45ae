//! Tests of the `backend` block: settings kept as written, unsupported types and settings
//! reported at the block.

use std::collections::BTreeMap;
use std::path::Path;

use super::super::load_sources;
use super::*;

fn load(text: &str) -> Result<crate::config::Config, crate::diags::Diagnostics> {
    let files = BTreeMap::from([("main.tf".to_string(), text.to_string())]);
    load_sources(Path::new("/config"), files)
}

#[test]
fn a_pg_backend_block_keeps_its_settings() {
    let config = load(
        "terraform {\n  backend \"pg\" {\n    schema_name = \"team_state\"\n    \
         skip_index_creation = true\n  }\n}\n",
    )
    .unwrap();
    let backend = config.backend.expect("a backend");
    assert_eq!(backend.kind, "pg");
    assert_eq!(
        backend.settings,
        BTreeMap::from([
            (
                "schema_name".to_string(),
                BackendSetting::String("team_state".into())
            ),
            (
                "skip_index_creation".to_string(),
                BackendSetting::Bool(true)
            ),
        ])
    );
    assert_eq!(backend.range.start.line, 2);
    assert!(load("resource \"x\" \"y\" {}\n").unwrap().backend.is_none());
}

#[test]
fn unsupported_backends_and_settings_are_errors_naming_the_block() {
    let diags = load("terraform {\n  backend \"s3\" {\n    bucket = \"b\"\n  }\n}\n").unwrap_err();
    let text = diags.to_string();
    assert!(text.contains("Unsupported backend type"), "{text}");
    assert!(text.contains("backend \"s3\""), "{text}");
    assert!(text.contains("local, pg"), "{text}");

    let diags = load("terraform {\n  backend \"pg\" {\n    bucket = \"b\"\n  }\n}\n").unwrap_err();
    assert!(
        diags.to_string().contains("\"bucket\" is not expected"),
        "{diags}"
    );
}
