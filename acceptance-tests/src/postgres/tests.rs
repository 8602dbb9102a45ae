use super::*;

fn check_profile(profile: Profile) {
    let server = PostgresServer::start(profile).expect("PostgreSQL starts");
    assert_eq!(server.profile(), profile);
    assert!(server.port() > 0);
    assert_eq!(server.psql(&server.dsn(), "SELECT 1").unwrap().trim(), "1");
    let who = server
        .psql(
            &server.dsn(),
            "SELECT current_user || ' ' || rolsuper FROM pg_roles WHERE rolname = current_user",
        )
        .unwrap();
    let expected = match profile {
        Profile::Superuser => "postgres true",
        Profile::ManagedAdmin => "platform_admin false",
    };
    assert_eq!(who.trim(), expected);
    let owner = server
        .psql(
            &server.superuser_dsn(),
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'tenants'",
        )
        .unwrap();
    assert_eq!(owner.trim(), server.admin_role());
    let error = server
        .psql(&server.login_dsn("nobody", "wrong"), "SELECT 1")
        .unwrap_err();
    assert!(error.to_string().contains("nobody"), "{error}");
}

#[test]
fn both_profiles_start_and_answer() {
    check_profile(Profile::Superuser);
    check_profile(Profile::ManagedAdmin);
}

#[test]
fn encoding_keeps_reserved_characters() {
    assert_eq!(percent_encode("a b@c/d"), "a%20b%40c%2Fd");
    assert_eq!(percent_encode("tenant_x-1"), "tenant_x-1");
}
