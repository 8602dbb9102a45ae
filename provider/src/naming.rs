//! Validation of user-chosen names and derivation of backend object names from the tenant slug.
//!
//! Derived names follow PostgreSQL's identifier rules so that both backends share them: the
//! schema `tenant_<slug>_<database>`, its owner role `tenant_<slug>_<database>_owner`, and user
//! logins `tenant_<slug>_<local part of the email>`. Hyphens and other characters outside
//! `[a-z0-9_]` become underscores; a name longer than 63 bytes is cut and ends in a short hash
//! of the full name, so it stays unique and PostgreSQL never truncates it silently.

use sha2::{Digest, Sha256};

/// PostgreSQL's limit on identifier length, in bytes.
pub const MAX_IDENTIFIER_BYTES: usize = 63;
const HASH_SUFFIX_HEX_CHARS: usize = 8;

/// Checks a tenant slug against `^[a-z][a-z0-9-]{1,38}[a-z0-9]$`.
pub fn is_valid_slug(slug: &str) -> bool {
    let bytes = slug.as_bytes();
    let len = bytes.len();
    (3..=40).contains(&len)
        && bytes[0].is_ascii_lowercase()
        && bytes[1..len - 1]
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && (bytes[len - 1].is_ascii_lowercase() || bytes[len - 1].is_ascii_digit())
}

/// Checks a database name against `^[a-z][a-z0-9_]{0,62}$`.
pub fn is_valid_identifier(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_IDENTIFIER_BYTES
        && bytes[0].is_ascii_lowercase()
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_')
}

/// A plausible email address: one `@`, non-empty local part and a dotted domain, no spaces.
pub fn is_valid_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
}

/// Lower-cases and replaces every character outside `[a-z0-9_]` with `_`.
pub fn sanitize(part: &str) -> String {
    part.chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Joins sanitized parts with `_`, bounded to 63 bytes by a hash suffix when needed.
pub fn identifier(parts: &[&str]) -> String {
    let full = parts
        .iter()
        .map(|p| sanitize(p))
        .collect::<Vec<_>>()
        .join("_");
    if full.len() <= MAX_IDENTIFIER_BYTES {
        return full;
    }
    let keep = MAX_IDENTIFIER_BYTES - HASH_SUFFIX_HEX_CHARS - 1;
    format!("{}_{}", &full[..keep], short_hash(&full))
}

/// The first hex characters of the SHA-256 of `text`.
pub fn short_hash(text: &str) -> String {
    let digest = hex::encode(Sha256::digest(text.as_bytes()));
    digest[..HASH_SUFFIX_HEX_CHARS].to_string()
}

/// The schema of a tenant database.
pub fn database_schema(slug: &str, database: &str) -> String {
    identifier(&["tenant", slug, database])
}

/// The NOLOGIN role owning a tenant database.
pub fn database_owner_role(slug: &str, database: &str) -> String {
    identifier(&["tenant", slug, database, "owner"])
}

/// The login of a tenant user, from the local part of the email.
pub fn user_login(slug: &str, email: &str) -> String {
    let local = email.split('@').next().unwrap_or(email);
    identifier(&["tenant", slug, local])
}

/// The login used when [`user_login`] is already taken in the tenant (two emails with the same
/// local part): the whole email's hash keeps it unique and stable.
pub fn disambiguated_user_login(slug: &str, email: &str) -> String {
    let local = email.split('@').next().unwrap_or(email);
    identifier(&["tenant", slug, local, &short_hash(email)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_follow_the_pattern() {
        for ok in ["acme", "a1b", "acme-corp", "x0-9", &"a".repeat(40)] {
            assert!(is_valid_slug(ok), "{ok}");
        }
        for bad in ["ab", "Acme", "1acme", "acme-", "ac_me", "", &"a".repeat(41)] {
            assert!(!is_valid_slug(bad), "{bad}");
        }
    }

    #[test]
    fn identifiers_and_emails() {
        assert!(is_valid_identifier("main"));
        assert!(is_valid_identifier("app_db2"));
        assert!(!is_valid_identifier("App"));
        assert!(!is_valid_identifier("2db"));
        assert!(!is_valid_identifier("my-db"));
        assert!(is_valid_email("ops@acme.io"));
        assert!(!is_valid_email("ops@acme"));
        assert!(!is_valid_email("ops acme@x.io"));
        assert!(!is_valid_email("@x.io"));
    }

    #[test]
    fn derived_names_replace_hyphens() {
        assert_eq!(
            database_schema("acme-corp", "main"),
            "tenant_acme_corp_main"
        );
        assert_eq!(
            database_owner_role("acme-corp", "main"),
            "tenant_acme_corp_main_owner"
        );
        assert_eq!(
            user_login("acme-corp", "Jane.Doe@acme.io"),
            "tenant_acme_corp_jane_doe"
        );
    }

    #[test]
    fn long_names_end_in_a_hash() {
        let slug = "a".repeat(40);
        let name = database_owner_role(&slug, &"d".repeat(30));
        assert_eq!(name.len(), MAX_IDENTIFIER_BYTES);
        let other = database_owner_role(&slug, &"e".repeat(30));
        assert_ne!(name, other);
        assert_eq!(name, database_owner_role(&slug, &"d".repeat(30)));
    }

    #[test]
    fn disambiguated_logins_differ_by_domain() {
        assert_ne!(
            disambiguated_user_login("acme", "jo@a.io"),
            disambiguated_user_login("acme", "jo@b.io")
        );
    }
}
