//! Private key permissions and unusable certificate files.

use std::path::{Path, PathBuf};

use super::*;

#[test]
fn key_permissions_follow_libpq() {
    let path = Path::new("client.key");
    assert!(check_key_permissions(path, 0o100600, 1000, Semantics::Libpq).is_ok());
    assert!(check_key_permissions(path, 0o100400, 1000, Semantics::Libpq).is_ok());
    assert!(check_key_permissions(path, 0o100640, 0, Semantics::Libpq).is_ok());
    let error = check_key_permissions(path, 0o100640, 1000, Semantics::Libpq)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("client.key") && error.contains("0600"),
        "{error}"
    );
    assert!(check_key_permissions(path, 0o100644, 0, Semantics::Libpq).is_err());
    assert!(check_key_permissions(path, 0o100640, 0, Semantics::TerraformPg).is_err());
    assert!(check_key_permissions(path, 0o100600, 0, Semantics::TerraformPg).is_ok());
}

#[test]
fn root_files_must_hold_certificates() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "").unwrap();
    let error = root_store(&Roots::File(empty)).unwrap_err().to_string();
    assert!(
        error.contains("empty.pem") && error.contains("no PEM certificate"),
        "{error}"
    );
    let missing = root_store(&Roots::File(PathBuf::from("/nonexistent/ca.pem")))
        .unwrap_err()
        .to_string();
    assert!(missing.contains("/nonexistent/ca.pem"), "{missing}");
}
