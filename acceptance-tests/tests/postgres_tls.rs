//! TLS to PostgreSQL against a server that accepts TCP connections over TLS only (its
//! certificate names `localhost`, not `127.0.0.1`): the provider's `dsn` follows libpq's
//! `sslmode` (prefer by default; allow and prefer reach a TLS-only server), the `pg` state
//! backend's `conn_str` follows Terraform's pg backend (lib/pq: require by default, allow
//! and prefer refused by name), verify-full checks the host name and verify-ca does not, a
//! certificate from an unknown CA is refused with its subject and issuer named, and no error
//! shows the password. Terraform 1.15.5 reads the state tenantform wrote through the same
//! `conn_str`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code reports a broken expectation by panicking"
)]

use std::time::Duration;

use acceptance_tests::pg_project::{PgProject, hcl_string};
use acceptance_tests::postgres::tls::{CA_COMMON_NAME, SERVER_COMMON_NAME, TlsFiles, TlsSetup};
use acceptance_tests::postgres::{PostgresServer, Profile};
use acceptance_tests::process::Output;
use acceptance_tests::{Project, Terraform, TerraformVersion};

const TIMEOUT: Duration = Duration::from_secs(300);
/// What PostgreSQL says to a plain connection that only `hostnossl ... reject` matches.
const PLAIN_REFUSAL: &str = "no encryption";

const ONE_TENANT: &str = r#"
resource "tenant" "acme" {
  slug                = "acme"
  display_name        = "Acme"
  tier                = "free"
  deletion_protection = false
}
"#;

fn start_tls_only() -> PostgresServer {
    PostgresServer::start_tls_only(Profile::Superuser, &TlsSetup::localhost_only()).unwrap_or_else(
        |error| {
            panic!(
                "this test needs a PostgreSQL 15 server with TLS and could not start one: \
                 {error:#}\nRun the suite through `scripts/test.sh`, which installs \
                 PostgreSQL 15."
            )
        },
    )
}

fn files(server: &PostgresServer) -> &TlsFiles {
    server
        .tls_files()
        .expect("a TLS-only server has client files")
}

/// The superuser's connection string through `host`, with `query` appended.
fn conn_via(server: &PostgresServer, host: &str, query: &str) -> String {
    let base = server.superuser_dsn_via(host);
    if query.is_empty() {
        base
    } else {
        format!("{base}?{query}")
    }
}

/// The password inside a `postgresql://user:password@...` connection string.
fn password_of(conn_str: &str) -> String {
    let credentials = conn_str
        .trim_start_matches("postgresql://")
        .split('@')
        .next()
        .unwrap_or_default();
    credentials
        .split(':')
        .nth(1)
        .unwrap_or_default()
        .to_string()
}

fn assert_no_password(output: &Output, conn_str: &str) {
    let password = password_of(conn_str);
    assert!(
        password.len() >= 8 && !output.combined().contains(&password),
        "the connection string's password appears in the output\n{}",
        output.describe()
    );
}

fn assert_fails_with(output: &Output, conn_str: &str, expected: &[&str]) {
    output.expect_failure();
    let text = output.combined();
    for needle in expected {
        assert!(
            text.contains(needle),
            "expected {needle:?} in the output\n{}",
            output.describe()
        );
    }
    assert_no_password(output, conn_str);
}

/// A one-tenant project on the provider's postgres backend whose dsn is `dsn`.
fn provider_project<'a>(server: &'a PostgresServer, dsn: &str) -> PgProject<'a> {
    let fleet = PgProject::from_resources(server, ONE_TENANT);
    set_dsn(&fleet, dsn);
    fleet
}

fn set_dsn(fleet: &PgProject<'_>, dsn: &str) {
    fleet.project.write_file(
        "terraform.tfvars",
        &format!(
            "dsn          = {}\narchive_dir  = {}\nstorage_root = {}\n",
            hcl_string(dsn),
            hcl_string(&fleet.archive_dir.display().to_string()),
            hcl_string(&fleet.storage_root.display().to_string()),
        ),
    );
}

fn provider_plan(fleet: &PgProject<'_>, dsn: &str) -> Output {
    set_dsn(fleet, dsn);
    fleet.tenantform(&["plan", "-input=false", "-no-color"])
}

#[test]
fn provider_applies_over_verify_full() {
    let server = start_tls_only();
    let ca = files(&server).ca_cert.display().to_string();
    let dsn = conn_via(
        &server,
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    );
    let fleet = provider_project(&server, &dsn);
    fleet.init();
    let apply = fleet.approve("apply", &[]);
    apply.expect_success();
    assert_no_password(&apply, &dsn);
    let tenants = server
        .psql(
            &format!("{}?sslmode=require", server.superuser_dsn()),
            "SELECT slug FROM tenant_catalog.tenants",
        )
        .expect("read the catalog over TLS");
    assert_eq!(tenants.trim(), "acme");
}

#[test]
fn provider_sslmodes_against_a_tls_only_server() {
    let server = start_tls_only();
    let ca = files(&server).ca_cert.display().to_string();
    let other_ca = files(&server).other_ca_cert.display().to_string();
    let fleet = provider_project(&server, &conn_via(&server, "127.0.0.1", ""));
    fleet.init();

    // libpq's default (prefer), allow and require all end up on TLS.
    for query in ["", "sslmode=allow", "sslmode=prefer", "sslmode=require"] {
        let dsn = conn_via(&server, "127.0.0.1", query);
        let plan = provider_plan(&fleet, &dsn);
        plan.expect_success();
        assert_no_password(&plan, &dsn);
    }
    // The key=value form, with the TLS parameters among the others.
    let key_values = format!(
        "host=localhost port={} dbname=tenants user=postgres password={} sslmode=verify-full \
         sslrootcert='{ca}'",
        server.port(),
        password_of(&server.superuser_dsn())
    );
    provider_plan(&fleet, &key_values).expect_success();

    let dsn = conn_via(&server, "127.0.0.1", "sslmode=disable");
    assert_fails_with(&provider_plan(&fleet, &dsn), &dsn, &[PLAIN_REFUSAL]);

    // The certificate names localhost only: verify-ca accepts 127.0.0.1, verify-full does not.
    let dsn = conn_via(
        &server,
        "127.0.0.1",
        &format!("sslmode=verify-ca&sslrootcert={ca}"),
    );
    provider_plan(&fleet, &dsn).expect_success();
    let dsn = conn_via(
        &server,
        "127.0.0.1",
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    );
    assert_fails_with(
        &provider_plan(&fleet, &dsn),
        &dsn,
        &["does not match the host name \"127.0.0.1\"", "localhost"],
    );

    let dsn = conn_via(
        &server,
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={other_ca}"),
    );
    assert_fails_with(
        &provider_plan(&fleet, &dsn),
        &dsn,
        &[SERVER_COMMON_NAME, CA_COMMON_NAME, "unknown CA"],
    );

    let dsn = conn_via(
        &server,
        "localhost",
        "sslmode=verify-full&sslrootcert=/nonexistent.pem",
    );
    assert_fails_with(
        &provider_plan(&fleet, &dsn),
        &dsn,
        &["root certificate file \"/nonexistent.pem\" does not exist"],
    );
    let dsn = conn_via(&server, "localhost", "sslmode=require&sslrootcert=system");
    assert_fails_with(
        &provider_plan(&fleet, &dsn),
        &dsn,
        &["weak sslmode \"require\" may not be used with sslrootcert=system"],
    );
}

/// The quickstart example with an empty `backend "pg"` block.
fn pg_state_project() -> Project {
    let project = Project::from_example("quickstart");
    project.replace_in_file(
        "main.tf",
        "terraform {\n",
        "terraform {\n  backend \"pg\" {}\n",
    );
    project
}

fn tenantform_init(project: &Project, conn_str: &str) -> Output {
    let backend_config = format!("-backend-config=conn_str={conn_str}");
    project.tenantform(&[
        "init",
        "-input=false",
        "-no-color",
        "-reconfigure",
        &backend_config,
    ])
}

fn terraform(project: &Project, tf: &Terraform, conn_str: &str, args: &[&str]) -> Output {
    project
        .terraform_command(tf, args)
        .with_env_var("PG_CONN_STR", conn_str)
        .run(TIMEOUT)
}

fn required_terraform() -> Terraform {
    Terraform::from_env(TerraformVersion::V1_15).expect(
        "this test compares with Terraform 1.15.5: set TENANTFORM_TERRAFORM_1_15 (scripts/test.sh \
         installs it)",
    )
}

#[test]
fn state_backend_over_verify_full_is_read_by_terraform() {
    let server = start_tls_only();
    let ca = files(&server).ca_cert.display().to_string();
    let conn = conn_via(
        &server,
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={ca}"),
    );
    let project = pg_state_project();
    let tf = required_terraform();
    let init = tenantform_init(&project, &conn);
    init.expect_success();
    assert_no_password(&init, &conn);
    // Terraform is initialized before any state exists (its init would look up the state's
    // providers in the registry otherwise).
    terraform(&project, &tf, &conn, &["init", "-input=false", "-no-color"]).expect_success();

    let apply = project.tenantform(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    apply.expect_success();
    assert_no_password(&apply, &conn);
    let rows = server
        .psql(
            &format!("{}?sslmode=require", server.superuser_dsn()),
            "SELECT name FROM terraform_remote_state.states",
        )
        .expect("read the states table over TLS");
    assert_eq!(rows.trim(), "default");

    let plan = terraform(
        &project,
        &tf,
        &conn,
        &["plan", "-detailed-exitcode", "-input=false", "-no-color"],
    );
    plan.expect_code(0);
    assert_no_password(&plan, &conn);
}

#[test]
fn state_backend_sslmodes_match_terraform() {
    let server = start_tls_only();
    let ca = files(&server).ca_cert.display().to_string();
    let other_ca = files(&server).other_ca_cert.display().to_string();
    let tf = required_terraform();
    let project = pg_state_project();
    let via_ip = |query: &str| conn_via(&server, "127.0.0.1", query);

    // (conn_str, tenantform's expected failure text or None for success).
    let cases: Vec<(String, Option<Vec<String>>)> = vec![
        // lib/pq's default is require: TLS without verification.
        (via_ip(""), None),
        (via_ip("sslmode=require"), None),
        (via_ip(&format!("sslmode=verify-ca&sslrootcert={ca}")), None),
        (
            conn_via(
                &server,
                "localhost",
                &format!("sslmode=verify-full&sslrootcert={ca}"),
            ),
            None,
        ),
        (via_ip("sslmode=disable"), Some(vec![PLAIN_REFUSAL.into()])),
        (
            via_ip("sslmode=prefer"),
            Some(vec!["unsupported sslmode \"prefer\"".into()]),
        ),
        (
            via_ip("sslmode=allow"),
            Some(vec!["unsupported sslmode \"allow\"".into()]),
        ),
        (
            via_ip(&format!("sslmode=verify-full&sslrootcert={ca}")),
            Some(vec!["does not match the host name \"127.0.0.1\"".into()]),
        ),
        (
            conn_via(
                &server,
                "localhost",
                &format!("sslmode=verify-full&sslrootcert={other_ca}"),
            ),
            Some(vec![
                SERVER_COMMON_NAME.into(),
                CA_COMMON_NAME.into(),
                "unknown CA".into(),
            ]),
        ),
    ];
    for (conn, expected_failure) in &cases {
        let ours = tenantform_init(&project, conn);
        let theirs = terraform(
            &project,
            &tf,
            conn,
            &["init", "-input=false", "-no-color", "-reconfigure"],
        );
        match expected_failure {
            None => {
                ours.expect_success();
                assert_no_password(&ours, conn);
            }
            Some(needles) => {
                let needles: Vec<&str> = needles.iter().map(String::as_str).collect();
                assert_fails_with(&ours, conn, &needles);
            }
        }
        assert_eq!(
            ours.code == Some(0),
            theirs.code == Some(0),
            "tenantform and Terraform disagree on {}\n{}\n{}",
            conn.replace(&password_of(conn), "PASSWORD"),
            ours.describe(),
            theirs.describe()
        );
    }
}

#[test]
fn client_certificates_authenticate_both_connections() {
    const ROLE: &str = "tenantform_cert";
    let setup = TlsSetup {
        client_cert_role: Some(ROLE.to_string()),
        ..TlsSetup::localhost_only()
    };
    let server = PostgresServer::start_tls_only(Profile::Superuser, &setup)
        .unwrap_or_else(|error| panic!("could not start a TLS-only PostgreSQL 15: {error:#}"));
    server
        .psql(
            &format!("{}?sslmode=require", server.superuser_dsn()),
            &format!("CREATE ROLE {ROLE} LOGIN SUPERUSER"),
        )
        .expect("create the certificate role");
    let files = files(&server);
    let verify = format!(
        "sslmode=verify-full&sslrootcert={}",
        files.ca_cert.display()
    );
    let base = format!("postgresql://{ROLE}@localhost:{}/tenants", server.port());
    let with_cert = format!(
        "{base}?{verify}&sslcert={}&sslkey={}",
        files.client_cert.as_ref().unwrap().display(),
        files.client_key.as_ref().unwrap().display()
    );
    let without_cert = format!("{base}?{verify}");

    let fleet = provider_project(&server, &with_cert);
    fleet.init();
    provider_plan(&fleet, &with_cert).expect_success();
    let refused = provider_plan(&fleet, &without_cert);
    refused.expect_failure();
    assert!(
        refused.combined().contains("certificate"),
        "the server asks for a client certificate\n{}",
        refused.describe()
    );

    let project = pg_state_project();
    let tf = required_terraform();
    tenantform_init(&project, &with_cert).expect_success();
    terraform(
        &project,
        &tf,
        &with_cert,
        &["init", "-input=false", "-no-color", "-reconfigure"],
    )
    .expect_success();
    tenantform_init(&project, &without_cert).expect_failure();
    terraform(
        &project,
        &tf,
        &without_cert,
        &["init", "-input=false", "-no-color", "-reconfigure"],
    )
    .expect_failure();
}

/// `SSL_CERT_FILE` replaces the system trust store for rustls-native-certs and for Go's
/// crypto/x509 alike, so the test CA can stand in for a public one.
#[test]
fn system_roots_come_from_the_trust_store() {
    let server = start_tls_only();
    let ca = files(&server).ca_cert.display().to_string();
    let trust_test_ca = [("SSL_CERT_FILE", ca.as_str())];

    // Provider: sslrootcert=system means verify-full against the system's roots.
    let dsn = conn_via(&server, "localhost", "sslrootcert=system");
    let fleet = provider_project(&server, &dsn);
    fleet.init();
    let plan = |env: &[(&str, &str)]| {
        fleet.tenantform_with_env(&["plan", "-input=false", "-no-color"], env)
    };
    plan(&trust_test_ca).expect_success();
    assert_fails_with(
        &plan(&[]),
        &dsn,
        &[SERVER_COMMON_NAME, "unknown CA", "system trust store"],
    );

    // State backend: lib/pq's verify-full without sslrootcert uses the system's roots too.
    let conn = conn_via(&server, "localhost", "sslmode=verify-full");
    let project = pg_state_project();
    let tf = required_terraform();
    let init_args = ["init", "-input=false", "-no-color", "-reconfigure"];
    for (env, succeeds) in [(&trust_test_ca[..], true), (&[][..], false)] {
        let mut ours = project
            .tenantform_command(&init_args)
            .with_env_var("PG_CONN_STR", &conn);
        let mut theirs = project
            .terraform_command(&tf, &init_args)
            .with_env_var("PG_CONN_STR", &conn);
        for (name, value) in env {
            ours = ours.with_env_var(name, value);
            theirs = theirs.with_env_var(name, value);
        }
        let (ours, theirs) = (ours.run(TIMEOUT), theirs.run(TIMEOUT));
        assert_no_password(&ours, &conn);
        assert_eq!(ours.code == Some(0), succeeds, "{}", ours.describe());
        assert_eq!(theirs.code == Some(0), succeeds, "{}", theirs.describe());
    }
}
