//! Tests of backend settings: `-backend-config` values and files, and the `pg` settings with
//! their defaults and refusals.

use super::*;

fn failure_text(failure: Failure) -> String {
    match failure {
        Failure::Diags(diags, _) => diags.to_string(),
        Failure::Usage(message, _) => message,
    }
}

#[test]
fn backend_config_values_and_files_are_parsed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pg.hcl");
    std::fs::write(
        &file,
        "schema_name = \"team\"\nskip_table_creation = true\n",
    )
    .unwrap();
    let values = vec![
        "conn_str=postgres://u:p@h/db?sslmode=disable".to_string(),
        file.display().to_string(),
    ];
    let settings = parse_backend_config("pg", &values).ok().unwrap();
    assert_eq!(settings["conn_str"], "postgres://u:p@h/db?sslmode=disable");
    assert_eq!(settings["schema_name"], "team");
    assert_eq!(settings["skip_table_creation"], "true");

    let unknown = parse_backend_config("pg", &["bucket=b".to_string()])
        .err()
        .unwrap();
    assert!(failure_text(unknown).contains("\"bucket\""));
}

#[test]
fn pg_settings_have_terraform_defaults_and_need_a_connection_string() {
    let mut settings = BTreeMap::from([("conn_str".to_string(), "host=h".to_string())]);
    let pg = pg_settings(&settings).ok().unwrap();
    assert_eq!(pg.schema_name, "terraform_remote_state");
    assert!(!pg.skip_schema_creation && !pg.skip_table_creation && !pg.skip_index_creation);

    settings.insert("skip_schema_creation".into(), "true".into());
    settings.insert("schema_name".into(), "team".into());
    let pg = pg_settings(&settings).ok().unwrap();
    assert!(pg.skip_schema_creation);
    assert_eq!(pg.schema_name, "team");

    settings.insert("skip_index_creation".into(), "maybe".into());
    let refused = failure_text(pg_settings(&settings).err().unwrap());
    assert!(refused.contains("skip_index_creation"), "{refused}");

    let missing = failure_text(pg_settings(&BTreeMap::new()).err().unwrap());
    assert!(missing.contains("PG_CONN_STR"), "{missing}");
}

#[test]
fn the_local_block_places_the_workspaces_and_no_block_means_the_defaults() {
    let Ok(SelectedBackend::Local(none)) = select_backend(None) else {
        panic!("no block is the local backend");
    };
    assert_eq!(
        none.state_path("staging"),
        Path::new("./terraform.tfstate.d/staging/terraform.tfstate")
    );
    let setting = |text: &str| crate::config::BackendSetting::String(text.into());
    let block = Backend {
        kind: "local".into(),
        settings: BTreeMap::from([
            ("path".to_string(), setting("states/main.tfstate")),
            ("workspace_dir".to_string(), setting("envs")),
        ]),
        range: crate::diags::SourceRange {
            filename: "main.tf".into(),
            start: Default::default(),
            end: Default::default(),
        },
    };
    let Ok(SelectedBackend::Local(local)) = select_backend(Some(&block)) else {
        panic!("backend \"local\" is the local backend");
    };
    assert_eq!(
        local.state_path("default"),
        Path::new("./states/main.tfstate")
    );
    assert_eq!(
        local.state_path("staging"),
        Path::new("./envs/staging/terraform.tfstate")
    );
}
