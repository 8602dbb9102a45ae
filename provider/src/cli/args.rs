//! The command line's arguments: `audit list|verify`, `--json` and the backend flags, as
//! `--flag value` or `--flag=value`.

use tenantform_proto::value::Value;

use terraform_provider_tenant::values::object;

/// The audit command to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum AuditCommand {
    List { json: bool },
    Verify,
}

/// A parsed command line.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Arguments {
    pub command: AuditCommand,
    /// The backend flags as a provider block; unset flags are null so that the `TENANT_*`
    /// environment variables apply.
    pub provider_block: Value,
}

/// Why the arguments are not a command to run.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum ParseError {
    Help,
    Invalid(String),
}

/// The backend flags and the provider block argument each sets.
const BACKEND_FLAGS: &[(&str, &str)] = &[
    ("--backend", "backend"),
    ("--path", "path"),
    ("--dsn", "dsn"),
    ("--archive-dir", "archive_dir"),
    ("--storage-root", "storage_root"),
];

/// Parses the arguments after the program name.
pub(super) fn parse(arguments: &[String]) -> Result<Arguments, ParseError> {
    if arguments.iter().any(|a| a == "--help" || a == "-h") {
        return Err(ParseError::Help);
    }
    let mut rest = arguments.iter();
    match rest.next().map(String::as_str) {
        Some("audit") => {}
        Some(other) => return Err(ParseError::Invalid(format!("unknown command {other:?}"))),
        None => return Err(ParseError::Invalid("no command given".into())),
    }
    let subcommand = rest
        .next()
        .ok_or_else(|| ParseError::Invalid("audit needs a subcommand: list or verify".into()))?;
    let mut json = false;
    let mut block: Vec<(&str, Value)> = BACKEND_FLAGS
        .iter()
        .map(|(_, name)| (*name, Value::Null))
        .collect();
    while let Some(argument) = rest.next() {
        if argument == "--json" {
            json = true;
            continue;
        }
        let (name, value) = backend_flag(argument, &mut rest)?;
        if let Some(slot) = block.iter_mut().find(|(slot, _)| *slot == name) {
            slot.1 = Value::string(value);
        }
    }
    let command = audit_command(subcommand, json)?;
    let [backend, path, dsn, archive_dir, storage_root]: [(&str, Value); 5] = block
        .try_into()
        .map_err(|_| ParseError::Invalid("internal flag table mismatch".into()))?;
    Ok(Arguments {
        command,
        provider_block: object([backend, path, dsn, archive_dir, storage_root]),
    })
}

/// The provider block attribute a backend flag sets and its value, given as `--flag=value`
/// or as the next argument.
fn backend_flag<'a>(
    argument: &str,
    rest: &mut impl Iterator<Item = &'a String>,
) -> Result<(&'static str, String), ParseError> {
    let (flag, inline) = match argument.split_once('=') {
        Some((flag, value)) => (flag, Some(value.to_string())),
        None => (argument, None),
    };
    let Some((_, name)) = BACKEND_FLAGS.iter().find(|(known, _)| *known == flag) else {
        return Err(ParseError::Invalid(format!(
            "unknown argument {argument:?}"
        )));
    };
    let value = match inline {
        Some(value) => value,
        None => rest
            .next()
            .cloned()
            .ok_or_else(|| ParseError::Invalid(format!("{flag} needs a value")))?,
    };
    if value.is_empty() {
        return Err(ParseError::Invalid(format!("{flag} must not be empty")));
    }
    Ok((name, value))
}

fn audit_command(subcommand: &str, json: bool) -> Result<AuditCommand, ParseError> {
    match subcommand {
        "list" => Ok(AuditCommand::List { json }),
        "verify" if json => Err(ParseError::Invalid(
            "--json applies to audit list only".into(),
        )),
        "verify" => Ok(AuditCommand::Verify),
        other => Err(ParseError::Invalid(format!(
            "unknown audit subcommand {other:?}; expected list or verify"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_line(line: &str) -> Result<Arguments, ParseError> {
        let arguments: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        parse(&arguments)
    }

    #[test]
    fn subcommands_and_flags() {
        let parsed = parse_line("audit list --json --path /tmp/t --backend=embedded").unwrap();
        assert_eq!(parsed.command, AuditCommand::List { json: true });
        assert_eq!(
            parsed.provider_block.get_attr("path"),
            Some(&Value::string("/tmp/t"))
        );
        assert_eq!(
            parsed.provider_block.get_attr("backend"),
            Some(&Value::string("embedded"))
        );
        assert_eq!(parsed.provider_block.get_attr("dsn"), Some(&Value::Null));
        assert_eq!(
            parse_line("audit verify").unwrap().command,
            AuditCommand::Verify
        );
    }

    #[test]
    fn mistakes_are_reported() {
        assert_eq!(parse_line("audit list --help"), Err(ParseError::Help));
        for bad in [
            "audit",
            "audit drop",
            "audit list --path",
            "audit list --colour",
            "audit verify --json",
            "export",
        ] {
            assert!(
                matches!(parse_line(bad), Err(ParseError::Invalid(_))),
                "{bad}"
            );
        }
    }
}
