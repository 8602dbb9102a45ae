//! A TLS-only setup for the throw-away server: a CA and a server certificate made with
//! rcgen, `ssl=on`, and a `pg_hba.conf` that rejects every connection without TLS
//! (`hostnossl ... reject`), optionally with certificate authentication for one role.
//! The client side gets the CA, an unrelated CA (for "unknown CA" cases) and, when asked, a
//! client certificate and key.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use anyhow::Context;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType, IsCa, KeyPair,
    KeyUsagePurpose,
};

/// The server certificate's common name.
pub const SERVER_COMMON_NAME: &str = "tenantform test server";
/// The common name of the CA that signed the server (and client) certificate.
pub const CA_COMMON_NAME: &str = "tenantform test CA";
/// The common name of a CA that signed nothing the server presents.
pub const OTHER_CA_COMMON_NAME: &str = "tenantform unrelated CA";

/// How to set up TLS.
#[derive(Clone, Debug)]
pub struct TlsSetup {
    /// The server certificate's subject alternative names (DNS names or IP addresses).
    pub server_names: Vec<String>,
    /// A role that logs in with a client certificate (`cert` authentication) instead of a
    /// password; its certificate's common name is the role name.
    pub client_cert_role: Option<String>,
}

impl TlsSetup {
    /// A server certificate valid for `localhost` only (not for `127.0.0.1`).
    pub fn localhost_only() -> TlsSetup {
        TlsSetup {
            server_names: vec!["localhost".to_string()],
            client_cert_role: None,
        }
    }
}

/// The client's files, under the server's temporary directory.
#[derive(Clone, Debug)]
pub struct TlsFiles {
    /// The CA that signed the server certificate (PEM).
    pub ca_cert: PathBuf,
    /// An unrelated CA (PEM).
    pub other_ca_cert: PathBuf,
    /// The client certificate and key of [`TlsSetup::client_cert_role`].
    pub client_cert: Option<PathBuf>,
    pub client_key: Option<PathBuf>,
}

fn certificate_authority(common_name: &str) -> anyhow::Result<CertifiedIssuer<'static, KeyPair>> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, common_name);
    params.distinguished_name = name;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    Ok(CertifiedIssuer::self_signed(params, KeyPair::generate()?)?)
}

fn leaf(
    names: &[String],
    common_name: &str,
    issuer: &CertifiedIssuer<'static, KeyPair>,
) -> anyhow::Result<(String, String)> {
    let mut params = CertificateParams::new(names.to_vec())?;
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, common_name);
    params.distinguished_name = name;
    let key = KeyPair::generate()?;
    let cert = params.signed_by(&key, issuer)?;
    Ok((cert.pem(), key.serialize_pem()))
}

fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    fs::write(path, contents).with_context(|| format!("cannot write {}", path.display()))?;
    fs::set_permissions(path, fs::Permissions::from_mode(0o600))?;
    Ok(())
}

impl TlsSetup {
    /// Writes the certificates (server side into `data_dir`, client side into
    /// `root/tls-client`) and the TLS-only `pg_hba.conf`; returns the server options and the
    /// client's files.
    pub(super) fn install(
        &self,
        root: &Path,
        data_dir: &Path,
        run_as_postgres: bool,
    ) -> anyhow::Result<(String, TlsFiles)> {
        let ca = certificate_authority(CA_COMMON_NAME)?;
        let other_ca = certificate_authority(OTHER_CA_COMMON_NAME)?;
        let (server_cert, server_key) = leaf(&self.server_names, SERVER_COMMON_NAME, &ca)?;
        for (name, contents) in [
            ("server.crt", server_cert),
            ("server.key", server_key),
            ("root.crt", ca.pem()),
        ] {
            let path = data_dir.join(name);
            write_private(&path, &contents)?;
            if run_as_postgres {
                super::chown_to_postgres(&path)?;
            }
        }
        fs::write(data_dir.join("pg_hba.conf"), self.pg_hba())?;
        let client_dir = root.join("tls-client");
        fs::create_dir_all(&client_dir)?;
        let files = TlsFiles {
            ca_cert: client_dir.join("ca.crt"),
            other_ca_cert: client_dir.join("other-ca.crt"),
            client_cert: self
                .client_cert_role
                .as_ref()
                .map(|_| client_dir.join("client.crt")),
            client_key: self
                .client_cert_role
                .as_ref()
                .map(|_| client_dir.join("client.key")),
        };
        fs::write(&files.ca_cert, ca.pem())?;
        fs::write(&files.other_ca_cert, other_ca.pem())?;
        if let (Some(role), Some(cert_path), Some(key_path)) = (
            &self.client_cert_role,
            &files.client_cert,
            &files.client_key,
        ) {
            let (cert, key) = leaf(&[], role, &ca)?;
            fs::write(cert_path, cert)?;
            write_private(key_path, &key)?;
        }
        let options = " -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key \
                       -c ssl_ca_file=root.crt"
            .to_string();
        Ok((options, files))
    }

    /// Local socket connections for the harness, TLS-only TCP connections for everyone.
    fn pg_hba(&self) -> String {
        let mut lines = vec![
            "local all all scram-sha-256".to_string(),
            "hostnossl all all all reject".to_string(),
        ];
        if let Some(role) = &self.client_cert_role {
            lines.push(format!("hostssl all {role} all cert"));
        }
        lines.push("hostssl all all all scram-sha-256".to_string());
        lines.join("\n") + "\n"
    }
}
