//! Loading what a [`crate::TlsPlan`] names: trusted roots (a PEM file or the system store)
//! and the client certificate with its private key, whose file must not be readable by
//! others (libpq and lib/pq both refuse such a key).

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use rustls::RootCertStore;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::TlsConfigError;
use crate::mode::{ClientIdentity, Roots, Semantics};

fn file_error(what: &'static str, path: &Path, reason: impl std::fmt::Display) -> TlsConfigError {
    TlsConfigError::File {
        what,
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}

/// Every certificate of a PEM file; an empty or unreadable file is an error.
fn certificates(
    what: &'static str,
    path: &Path,
) -> Result<Vec<CertificateDer<'static>>, TlsConfigError> {
    let bytes = std::fs::read(path).map_err(|error| file_error(what, path, error))?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| file_error(what, path, format!("not PEM certificates ({error:?})")))?;
    if certs.is_empty() {
        return Err(file_error(what, path, "it holds no PEM certificate"));
    }
    Ok(certs)
}

/// The trusted roots.
pub(crate) fn root_store(roots: &Roots) -> Result<RootCertStore, TlsConfigError> {
    let mut store = RootCertStore::empty();
    match roots {
        Roots::File(path) => {
            let what = "root certificate";
            for cert in certificates(what, path)? {
                store
                    .add(cert)
                    .map_err(|error| file_error(what, path, error))?;
            }
        }
        Roots::System => {
            let loaded = rustls_native_certs::load_native_certs();
            let (added, _ignored) = store.add_parsable_certificates(loaded.certs);
            if added == 0 {
                let reasons: Vec<String> = loaded.errors.iter().map(ToString::to_string).collect();
                return Err(TlsConfigError::SystemRoots(if reasons.is_empty() {
                    "the system trust store holds no certificate".to_string()
                } else {
                    reasons.join("; ")
                }));
            }
        }
    }
    Ok(store)
}

/// The client certificate chain and private key.
pub(crate) fn client_identity(
    identity: &ClientIdentity,
    semantics: Semantics,
) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), TlsConfigError> {
    let chain = certificates("client certificate", &identity.cert)?;
    let what = "private key";
    let key_path = &identity.key;
    let metadata = std::fs::metadata(key_path).map_err(|error| {
        file_error(
            what,
            key_path,
            format!("certificate present, but not private key file ({error})"),
        )
    })?;
    check_key_permissions(key_path, metadata.mode(), metadata.uid(), semantics)?;
    let key = PrivateKeyDer::from_pem_file(key_path).map_err(|error| {
        file_error(what, key_path, format!("not a PEM private key ({error:?})"))
    })?;
    Ok((chain, key))
}

/// libpq's rule: at most 0600 when owned by the current user, at most 0640 when owned by
/// root. lib/pq 1.10 allows 0600 or less whoever owns the file.
pub(crate) fn check_key_permissions(
    path: &Path,
    mode: u32,
    owner: u32,
    semantics: Semantics,
) -> Result<(), TlsConfigError> {
    let allowed_extra = if owner == 0 && semantics == Semantics::Libpq {
        0o040
    } else {
        0
    };
    if mode & 0o077 & !allowed_extra != 0 {
        return Err(TlsConfigError::KeyPermissions(path.display().to_string()));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
