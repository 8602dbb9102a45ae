//! The sslmode decision table, for libpq's and for Terraform's pg backend's rules.

use std::path::Path;

use super::*;

fn params(mode: Option<&str>, rootcert: Option<&str>) -> TlsParams {
    TlsParams {
        sslmode: mode.map(str::to_string),
        sslrootcert: rootcert.map(str::to_string),
        ..TlsParams::default()
    }
}

/// A home directory with or without `~/.postgresql/root.crt`.
fn home(with_root: bool) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    if with_root {
        std::fs::create_dir(home.path().join(".postgresql")).unwrap();
        std::fs::write(home.path().join(".postgresql/root.crt"), "x").unwrap();
    }
    home
}

fn libpq(
    mode: Option<&str>,
    rootcert: Option<&str>,
    home: &Path,
) -> Result<TlsPlan, TlsConfigError> {
    resolve(&params(mode, rootcert), Semantics::Libpq, Some(home))
}

#[test]
fn libpq_without_root_certificate() {
    let home = home(false);
    let table = [
        (None, Negotiation::TlsThenPlain, Verification::None),
        (Some("disable"), Negotiation::Plain, Verification::None),
        (Some("allow"), Negotiation::PlainThenTls, Verification::None),
        (
            Some("prefer"),
            Negotiation::TlsThenPlain,
            Verification::None,
        ),
        (Some("require"), Negotiation::Tls, Verification::None),
    ];
    for (mode, negotiation, verification) in table {
        let plan = libpq(mode, None, home.path()).unwrap();
        assert_eq!(
            (plan.negotiation, plan.verification),
            (negotiation, verification),
            "{mode:?}"
        );
    }
    for mode in ["verify-ca", "verify-full"] {
        let error = libpq(Some(mode), None, home.path())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("root certificate file") && error.contains("root.crt"),
            "{error}"
        );
    }
}

#[test]
fn libpq_with_the_default_root_certificate_checks_the_chain_in_every_tls_mode() {
    let home = home(true);
    let root = Roots::File(home.path().join(".postgresql/root.crt"));
    let table = [
        ("allow", Verification::Chain(root.clone())),
        ("prefer", Verification::Chain(root.clone())),
        ("require", Verification::Chain(root.clone())),
        ("verify-ca", Verification::Chain(root.clone())),
        ("verify-full", Verification::ChainAndHost(root.clone())),
        ("disable", Verification::None),
    ];
    for (mode, verification) in table {
        assert_eq!(
            libpq(Some(mode), None, home.path()).unwrap().verification,
            verification,
            "{mode}"
        );
    }
}

#[test]
fn libpq_given_root_certificate_must_exist_for_verify_modes_only() {
    let home = home(false);
    let missing = home.path().join("missing.pem");
    let missing = missing.to_str().unwrap();
    assert_eq!(
        libpq(Some("require"), Some(missing), home.path())
            .unwrap()
            .verification,
        Verification::None
    );
    let error = libpq(Some("verify-full"), Some(missing), home.path())
        .unwrap_err()
        .to_string();
    assert!(error.contains("missing.pem"), "{error}");
    let present = home.path().join("ca.pem");
    std::fs::write(&present, "x").unwrap();
    let plan = libpq(Some("verify-full"), present.to_str(), home.path()).unwrap();
    assert_eq!(
        plan.verification,
        Verification::ChainAndHost(Roots::File(present))
    );
}

#[test]
fn libpq_system_roots_force_verify_full() {
    let home = home(false);
    let plan = libpq(None, Some("system"), home.path()).unwrap();
    assert_eq!(
        (plan.mode, plan.verification),
        (
            SslMode::VerifyFull,
            Verification::ChainAndHost(Roots::System)
        )
    );
    for mode in ["disable", "allow", "prefer", "require", "verify-ca"] {
        let error = libpq(Some(mode), Some("system"), home.path())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains(&format!("weak sslmode \"{mode}\"")),
            "{error}"
        );
    }
}

#[test]
fn libpq_refuses_unknown_modes_by_name() {
    let home = home(false);
    let error = libpq(Some("verify"), None, home.path())
        .unwrap_err()
        .to_string();
    assert!(error.contains("\"verify\""), "{error}");
}

fn terraform(mode: Option<&str>, rootcert: Option<&str>) -> Result<TlsPlan, TlsConfigError> {
    // A home with root.crt: lib/pq 1.10 does not look there.
    let home = home(true);
    resolve(
        &params(mode, rootcert),
        Semantics::TerraformPg,
        Some(home.path()),
    )
}

#[test]
fn terraform_pg_defaults_to_require_without_verification() {
    for mode in [None, Some(""), Some("require")] {
        let plan = terraform(mode, None).unwrap();
        assert_eq!(
            (plan.mode, plan.negotiation, plan.verification),
            (SslMode::Require, Negotiation::Tls, Verification::None),
            "{mode:?}"
        );
    }
    assert_eq!(
        terraform(Some("disable"), None).unwrap().negotiation,
        Negotiation::Plain
    );
}

#[test]
fn terraform_pg_require_checks_the_chain_when_the_given_root_exists() {
    let dir = tempfile::tempdir().unwrap();
    let present = dir.path().join("ca.pem");
    std::fs::write(&present, "x").unwrap();
    let plan = terraform(Some("require"), present.to_str()).unwrap();
    assert_eq!(plan.verification, Verification::Chain(Roots::File(present)));
    let missing = dir.path().join("missing.pem");
    assert_eq!(
        terraform(Some("require"), missing.to_str())
            .unwrap()
            .verification,
        Verification::None
    );
}

#[test]
fn terraform_pg_verify_modes_fall_back_to_the_system_store() {
    assert_eq!(
        terraform(Some("verify-ca"), None).unwrap().verification,
        Verification::Chain(Roots::System)
    );
    assert_eq!(
        terraform(Some("verify-full"), None).unwrap().verification,
        Verification::ChainAndHost(Roots::System)
    );
    let plan = terraform(Some("verify-full"), Some("/ca.pem")).unwrap();
    assert_eq!(
        plan.verification,
        Verification::ChainAndHost(Roots::File("/ca.pem".into()))
    );
}

#[test]
fn terraform_pg_refuses_allow_prefer_and_unknown_modes_by_name() {
    for mode in ["allow", "prefer", "verify"] {
        let error = terraform(Some(mode), None).unwrap_err().to_string();
        assert!(
            error.contains(&format!("unsupported sslmode \"{mode}\"")),
            "{error}"
        );
    }
}

#[test]
fn client_certificate_needs_its_file_and_defaults_its_key() {
    let home = home(false);
    let dot = home.path().join(".postgresql");
    std::fs::create_dir_all(&dot).unwrap();
    let mut tls = params(Some("require"), None);
    assert_eq!(
        resolve(&tls, Semantics::Libpq, Some(home.path()))
            .unwrap()
            .client_identity,
        None
    );
    std::fs::write(dot.join("postgresql.crt"), "x").unwrap();
    let identity = resolve(&tls, Semantics::Libpq, Some(home.path()))
        .unwrap()
        .client_identity
        .unwrap();
    assert_eq!(
        identity,
        ClientIdentity {
            cert: dot.join("postgresql.crt"),
            key: dot.join("postgresql.key")
        }
    );
    tls.sslcert = Some(home.path().join("none.crt").display().to_string());
    assert_eq!(
        resolve(&tls, Semantics::TerraformPg, Some(home.path()))
            .unwrap()
            .client_identity,
        None
    );
    tls.sslmode = Some("disable".into());
    tls.sslcert = None;
    assert_eq!(
        resolve(&tls, Semantics::Libpq, Some(home.path()))
            .unwrap()
            .client_identity,
        None
    );
}
