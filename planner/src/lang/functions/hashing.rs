//! Hashes and identifiers: `md5`, `sha1`, `sha256`, `sha512`, `base64sha256`,
//! `base64sha512`, `uuid`, `uuidv5`, `bcrypt`, and the helpers the file variants share.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};
use tenantform_proto::value::Value;

use super::{FunctionError, integer_arg, string_arg};

/// A digest algorithm the hash functions offer.
#[derive(Clone, Copy)]
pub(super) enum Algorithm {
    Md5,
    Sha1,
    Sha256,
    Sha512,
}

pub(super) fn digest(algorithm: Algorithm, bytes: &[u8]) -> Vec<u8> {
    match algorithm {
        Algorithm::Md5 => Md5::digest(bytes).to_vec(),
        Algorithm::Sha1 => Sha1::digest(bytes).to_vec(),
        Algorithm::Sha256 => Sha256::digest(bytes).to_vec(),
        Algorithm::Sha512 => Sha512::digest(bytes).to_vec(),
    }
}

/// How a digest is written as a string.
#[derive(Clone, Copy)]
pub(super) enum Encoding {
    Hex,
    Base64,
}

/// The digest of `bytes`, written as `encoding` says.
pub(super) fn encoded_digest(algorithm: Algorithm, encoding: Encoding, bytes: &[u8]) -> Value {
    let digest = digest(algorithm, bytes);
    Value::String(match encoding {
        Encoding::Hex => hex::encode(digest),
        Encoding::Base64 => STANDARD.encode(digest),
    })
}

/// Defines, for each `name => Algorithm, Encoding`, the function of that name that hashes
/// the bytes `read` takes from its arguments.
macro_rules! digest_functions {
    ($read:ident: $($name:ident => $algorithm:ident, $encoding:ident;)*) => {
        $(
            pub(crate) fn $name(args: Vec<Value>) -> Result<Value, FunctionError> {
                Ok(encoded_digest(
                    Algorithm::$algorithm,
                    Encoding::$encoding,
                    &$read(&args)?,
                ))
            }
        )*
    };
}
pub(super) use digest_functions;

/// The bytes of the string argument.
fn string_bytes(args: &[Value]) -> Result<Vec<u8>, FunctionError> {
    Ok(string_arg(args, 0)?.into_bytes())
}

digest_functions! { string_bytes:
    md5 => Md5, Hex;
    sha1 => Sha1, Hex;
    sha256 => Sha256, Hex;
    sha512 => Sha512, Hex;
    base64sha256 => Sha256, Base64;
    base64sha512 => Sha512, Base64;
}

/// A random version 4 UUID; differs on every call.
pub(super) fn uuid(_args: Vec<Value>) -> Result<Value, FunctionError> {
    Ok(Value::String(uuid::Uuid::new_v4().to_string()))
}

/// `uuidv5(namespace, name)`: the namespace is `dns`, `url`, `oid`, `x500` or a UUID.
pub(super) fn uuidv5(args: Vec<Value>) -> Result<Value, FunctionError> {
    let namespace = string_arg(&args, 0)?;
    let name = string_arg(&args, 1)?;
    let namespace = match namespace.as_str() {
        "dns" => uuid::Uuid::NAMESPACE_DNS,
        "url" => uuid::Uuid::NAMESPACE_URL,
        "oid" => uuid::Uuid::NAMESPACE_OID,
        "x500" => uuid::Uuid::NAMESPACE_X500,
        other => uuid::Uuid::parse_str(other).map_err(|e| {
            FunctionError::Call(format!("uuidv5() doesn't support namespace {other} ({e})"))
        })?,
    };
    Ok(Value::String(
        uuid::Uuid::new_v5(&namespace, name.as_bytes()).to_string(),
    ))
}

/// `bcrypt(str, cost)`: a salted hash, different on every call; the cost defaults to 10.
pub(super) fn bcrypt(args: Vec<Value>) -> Result<Value, FunctionError> {
    if args.len() > 2 {
        return Err(FunctionError::Call(format!(
            "bcrypt() takes no more than two arguments, but got {}",
            args.len()
        )));
    }
    let text = string_arg(&args, 0)?;
    let cost = if args.len() > 1 {
        integer_arg(&args, 1)?
    } else {
        10
    };
    let cost = u32::try_from(cost).map_err(|_| FunctionError::arg(1, "invalid cost"))?;
    let hashed = bcrypt::hash(text, cost)
        .map_err(|e| FunctionError::Call(format!("error occurred generating password {e}")))?;
    // Go's library writes the `$2a$` prefix.
    Ok(Value::String(hashed.replacen("$2b$", "$2a$", 1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{assert_string_results, s};

    #[test]
    fn digests_match_known_vectors() {
        let hello = &["hello world"];
        assert_string_results(&[
            (md5, hello, "5eb63bbbe01eeed093cb22bb8f5acdc3"),
            (sha1, hello, "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed"),
            (
                base64sha256,
                hello,
                "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=",
            ),
            (
                uuidv5,
                &["dns", "www.terraform.io"],
                "a5008fae-b28c-5ba5-96cd-82b4c53552d6",
            ),
        ]);
        assert!(uuidv5(vec![s("nope"), s("x")]).is_err());
    }

    #[test]
    fn bcrypt_hashes_verify() {
        let Ok(Value::String(hash)) = bcrypt(vec![
            s("secret"),
            Value::Number(tenantform_proto::value::Number::Int(4)),
        ]) else {
            panic!("hash expected")
        };
        assert!(hash.starts_with("$2a$04$"));
        assert!(::bcrypt::verify("secret", &hash).unwrap_or(false));
    }
}
