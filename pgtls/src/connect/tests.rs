//! Which transport a connection tries on Unix-domain sockets.

use super::*;
use crate::mode::SslMode;

fn tls(semantics: Semantics, mode: SslMode, negotiation: Negotiation) -> PgTls {
    PgTls::new(TlsPlan {
        semantics,
        mode,
        negotiation,
        verification: Verification::None,
        client_identity: None,
    })
    .unwrap()
}

#[test]
fn libpq_never_asks_for_tls_on_a_socket_and_lib_pq_does() {
    let socket: Config = "host=/run/postgresql user=u".parse().unwrap();
    let tcp: Config = "host=db.example user=u".parse().unwrap();
    let libpq = tls(Semantics::Libpq, SslMode::Require, Negotiation::Tls);
    assert_eq!(libpq.negotiation_for(&socket), Negotiation::Plain);
    assert_eq!(libpq.negotiation_for(&tcp), Negotiation::Tls);
    let terraform = tls(Semantics::TerraformPg, SslMode::Require, Negotiation::Tls);
    assert_eq!(terraform.negotiation_for(&socket), Negotiation::Tls);
}
