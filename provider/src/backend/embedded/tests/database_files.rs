//! A tenant database's file is written in one transaction with an in-memory journal: it must
//! hold its identifying rows, leave no journal beside it, and replace a stale file of the
//! same name.

use super::*;

fn info(path: &Path) -> Vec<(String, String)> {
    let database = Connection::open(path).unwrap();
    let mut statement = database
        .prepare("SELECT key, value FROM tenant_database_info ORDER BY key")
        .unwrap();
    statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn database_path(backend: &EmbeddedBackend, created: &DatabaseRecord) -> PathBuf {
    backend
        .layout
        .databases_dir
        .join(format!("{}.db", created.schema))
}

#[test]
fn a_created_database_file_names_its_database_and_leaves_no_journal() {
    let (_dir, backend) = open_with_acme();
    let created = create_database(&backend, "d1", "t1", "main");
    let path = database_path(&backend, &created);
    assert_eq!(
        info(&path),
        vec![
            ("database_id".to_string(), "d1".to_string()),
            ("owner_role".to_string(), created.owner_role.clone()),
            ("schema".to_string(), created.schema.clone()),
        ]
    );
    let journal = path.with_extension("db-journal");
    assert!(!journal.exists(), "{} was left behind", journal.display());
    let journal_mode: String = Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |row| row.get(0))
        .unwrap();
    assert_eq!(journal_mode, "delete");
}

#[test]
fn a_stale_file_of_the_same_name_is_replaced() {
    let (_dir, backend) = open_with_acme();
    let stale = database("d0", "t1", "main");
    let path = backend
        .layout
        .databases_dir
        .join(format!("{}.db", stale.schema));
    std::fs::write(&path, b"left by an interrupted delete").unwrap();
    let created = create_database(&backend, "d1", "t1", "main");
    assert_eq!(database_path(&backend, &created), path);
    assert_eq!(
        info(&path)[0],
        ("database_id".to_string(), "d1".to_string())
    );
}
