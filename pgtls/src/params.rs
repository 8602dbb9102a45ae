//! Takes the TLS parameters (`sslmode`, `sslrootcert`, `sslcert`, `sslkey`) out of a
//! connection string, in both of its forms (a `postgres://` URL's query, or `key=value`
//! pairs), and fills the ones it lacks from the `PGSSL*` environment variables. The rest of
//! the string is handed on unchanged in meaning to `tokio_postgres::Config`, which does not
//! know every value of these parameters.

use std::borrow::Cow;

use percent_encoding::percent_decode_str;

use crate::TlsConfigError;

/// The TLS parameters of one connection string, as written (not yet checked).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsParams {
    pub sslmode: Option<String>,
    pub sslrootcert: Option<String>,
    pub sslcert: Option<String>,
    pub sslkey: Option<String>,
}

/// The parameters this crate handles, with the environment variable standing in for each.
const TLS_KEYS: [(&str, &str); 4] = [
    ("sslmode", "PGSSLMODE"),
    ("sslrootcert", "PGSSLROOTCERT"),
    ("sslcert", "PGSSLCERT"),
    ("sslkey", "PGSSLKEY"),
];

impl TlsParams {
    fn set(&mut self, key: &str, value: String) -> bool {
        let slot = match key {
            "sslmode" => &mut self.sslmode,
            "sslrootcert" => &mut self.sslrootcert,
            "sslcert" => &mut self.sslcert,
            "sslkey" => &mut self.sslkey,
            _ => return false,
        };
        // A later occurrence wins, as in libpq.
        *slot = Some(value);
        true
    }

    fn get(&self, key: &str) -> Option<&String> {
        match key {
            "sslmode" => self.sslmode.as_ref(),
            "sslrootcert" => self.sslrootcert.as_ref(),
            "sslcert" => self.sslcert.as_ref(),
            "sslkey" => self.sslkey.as_ref(),
            _ => None,
        }
    }

    /// Fills every parameter the connection string did not set from its environment
    /// variable (`PGSSLMODE`, `PGSSLROOTCERT`, `PGSSLCERT`, `PGSSLKEY`); empty variables count
    /// as unset.
    pub fn with_environment(mut self, lookup: impl Fn(&str) -> Option<String>) -> TlsParams {
        for (key, variable) in TLS_KEYS {
            if self.get(key).is_none()
                && let Some(value) = lookup(variable).filter(|value| !value.is_empty())
            {
                self.set(key, value);
            }
        }
        self
    }
}

/// A connection string split into the part `tokio_postgres` parses and the TLS parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitConnString {
    /// The connection string without the TLS parameters.
    pub rest: String,
    pub tls: TlsParams,
}

/// Splits `conn_str` (a `postgres://`/`postgresql://` URL or `key=value` pairs).
pub fn split_conn_str(conn_str: &str) -> Result<SplitConnString, TlsConfigError> {
    let is_url = ["postgres://", "postgresql://"]
        .iter()
        .any(|prefix| conn_str.starts_with(prefix));
    if is_url {
        Ok(split_url(conn_str))
    } else {
        split_key_values(conn_str)
    }
}

fn split_url(url: &str) -> SplitConnString {
    let mut tls = TlsParams::default();
    // The credentials end at the first `@`; the query starts at the next `?`.
    let after_credentials = url.find('@').map_or(0, |at| at + 1);
    let Some(question) = url[after_credentials..].find('?') else {
        return SplitConnString {
            rest: url.to_string(),
            tls,
        };
    };
    let (base, query) = url.split_at(after_credentials + question);
    let kept: Vec<&str> = query[1..]
        .split('&')
        .filter(|pair| !pair.is_empty())
        .filter(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            !tls.set(&decode(key), decode(value).into_owned())
        })
        .collect();
    let rest = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    SplitConnString { rest, tls }
}

fn decode(text: &str) -> Cow<'_, str> {
    percent_decode_str(text).decode_utf8_lossy()
}

fn split_key_values(conn_str: &str) -> Result<SplitConnString, TlsConfigError> {
    let mut tls = TlsParams::default();
    let mut kept = Vec::new();
    for (key, value) in KeyValues::new(conn_str) {
        let value = value?;
        if !tls.set(key, value.clone()) {
            kept.push(format!(
                "{key}='{}'",
                value.replace('\\', "\\\\").replace('\'', "\\'")
            ));
        }
    }
    Ok(SplitConnString {
        rest: kept.join(" "),
        tls,
    })
}

/// The `key=value` pairs of a libpq connection string: whitespace-separated, spaces allowed
/// around `=`, values optionally single-quoted, backslash escaping the next character.
struct KeyValues<'a> {
    text: &'a str,
}

impl<'a> KeyValues<'a> {
    fn new(text: &'a str) -> KeyValues<'a> {
        KeyValues { text }
    }

    fn malformed(&mut self, what: &str) -> Option<(&'a str, Result<String, TlsConfigError>)> {
        self.text = "";
        Some(("", Err(TlsConfigError::Malformed(what.to_string()))))
    }
}

impl<'a> Iterator for KeyValues<'a> {
    type Item = (&'a str, Result<String, TlsConfigError>);

    fn next(&mut self) -> Option<Self::Item> {
        let text = self.text.trim_start();
        if text.is_empty() {
            return None;
        }
        let key_end = text
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(text.len());
        let key = &text[..key_end];
        let Some(after_equals) = text[key_end..].trim_start().strip_prefix('=') else {
            return self.malformed("a parameter has no `=`");
        };
        let mut chars = after_equals.trim_start().char_indices().peekable();
        let quoted = chars.next_if(|&(_, c)| c == '\'').is_some();
        let mut value = String::new();
        let mut end = None;
        while let Some((index, c)) = chars.next() {
            if c == '\\' {
                if let Some((_, escaped)) = chars.next() {
                    value.push(escaped);
                }
            } else if (quoted && c == '\'') || (!quoted && c.is_whitespace()) {
                end = Some(index + c.len_utf8());
                break;
            } else {
                value.push(c);
            }
        }
        if quoted && end.is_none() {
            return self.malformed("a quoted value is not closed");
        }
        let rest = after_equals.trim_start();
        self.text = &rest[end.unwrap_or(rest.len())..];
        Some((key, Ok(value)))
    }
}

#[cfg(test)]
mod tests;
