//! SQL text helpers and error mapping: identifiers and literals are quoted here (utility
//! statements such as `CREATE ROLE` or `GRANT` take no bind parameters), and driver errors
//! become [`BackendError`]s that keep the SQLSTATE so that retries can be decided on it.

use tokio_postgres::error::SqlState;

use crate::backend::BackendError;
use crate::naming::MAX_IDENTIFIER_BYTES;

/// `format('%I')` semantics for a name we derived: always double-quoted, embedded quotes
/// doubled. Names longer than PostgreSQL's limit are refused instead of silently truncated.
pub fn quote_ident(name: &str) -> Result<String, BackendError> {
    if name.is_empty() || name.len() > MAX_IDENTIFIER_BYTES || name.contains('\0') {
        return Err(BackendError::InvalidReference(format!(
            "{name:?} is not a valid PostgreSQL identifier (1 to {MAX_IDENTIFIER_BYTES} bytes)"
        )));
    }
    Ok(format!("\"{}\"", name.replace('"', "\"\"")))
}

/// `format('%L')` semantics: a standard-conforming string literal (backslashes are literal
/// since `standard_conforming_strings` is on), or `E'...'` when it holds a backslash.
pub fn quote_literal(value: &str) -> String {
    let doubled = value.replace('\'', "''");
    if value.contains('\\') {
        format!("E'{}'", doubled.replace('\\', "\\\\"))
    } else {
        format!("'{doubled}'")
    }
}

/// The SQLSTATE (or a pseudo code for client-side failures) of a driver error.
pub(super) fn error_code(error: &tokio_postgres::Error) -> String {
    match error.code() {
        Some(code) => code.code().to_string(),
        None if error.is_closed() => "connection".to_string(),
        None => "client".to_string(),
    }
}

impl From<tokio_postgres::Error> for BackendError {
    fn from(error: tokio_postgres::Error) -> BackendError {
        let message = match error.as_db_error() {
            Some(db) => match db.constraint() {
                Some(constraint) => format!("{} (constraint {constraint})", db.message()),
                None => db.message().to_string(),
            },
            // The error and its sources; a refused server certificate is named. Driver
            // errors never carry the connection string or a password.
            None => pgtls::describe_error(&error),
        };
        BackendError::Postgres {
            code: error_code(&error),
            message,
        }
    }
}

impl From<deadpool_postgres::PoolError> for BackendError {
    fn from(error: deadpool_postgres::PoolError) -> BackendError {
        match error {
            deadpool_postgres::PoolError::Backend(inner) => inner.into(),
            other => BackendError::Postgres {
                code: "pool".to_string(),
                message: other.to_string(),
            },
        }
    }
}

/// Whether a whole transaction that failed with `error` may simply be run again: a
/// serialization failure, a deadlock, concurrent catalog updates from parallel GRANT/REVOKE,
/// or two sessions creating the same role at once.
pub(super) fn is_retryable(error: &BackendError) -> bool {
    let BackendError::Postgres { code, message } = error else {
        return false;
    };
    let code = code.as_str();
    code == SqlState::T_R_SERIALIZATION_FAILURE.code()
        || code == SqlState::T_R_DEADLOCK_DETECTED.code()
        || (code == SqlState::INTERNAL_ERROR.code() && message.contains("concurrently"))
        || (code == SqlState::UNIQUE_VIOLATION.code() && message.contains("constraint pg_"))
}

/// Maps a unique violation on a catalog table to [`BackendError::AlreadyExists`].
pub(super) fn unique_violation(
    kind: &'static str,
    key: String,
) -> impl FnOnce(BackendError) -> BackendError {
    move |error| match &error {
        BackendError::Postgres { code, message }
            if code == SqlState::UNIQUE_VIOLATION.code() && !message.contains("constraint pg_") =>
        {
            BackendError::AlreadyExists { kind, key }
        }
        _ => error,
    }
}
