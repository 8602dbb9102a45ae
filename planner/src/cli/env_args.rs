//! `TF_CLI_ARGS` and `TF_CLI_ARGS_<command>`, as Terraform reads them: each variable's value
//! is split into words the way a shell would (quotes and backslashes, no expansion) and the
//! words are inserted right after the subcommand, before the arguments given on the command
//! line. The generic variable is merged first, then the command's own
//! (`TF_CLI_ARGS_plan`, `TF_CLI_ARGS_state_list`: the command name with spaces and dashes
//! as `_`), so the command's own words come first.

/// Terraform's commands with subcommands, and those subcommands: `state list` is the command
/// whose `TF_CLI_ARGS_state_list` applies.
const NESTED: &[(&str, &[&str])] = &[
    (
        "state",
        &[
            "identities",
            "list",
            "mv",
            "pull",
            "push",
            "replace-provider",
            "rm",
            "show",
        ],
    ),
    ("providers", &["lock", "mirror", "schema"]),
    ("metadata", &["functions"]),
    ("workspace", &["delete", "list", "new", "select", "show"]),
];

/// Why an environment variable's arguments could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("Error parsing extra CLI args from {variable}: invalid command line string")]
pub(super) struct EnvArgsError {
    variable: String,
}

/// `args` with the words of `TF_CLI_ARGS` and `TF_CLI_ARGS_<command>` merged in, reading
/// variables through `getenv`.
pub(super) fn merge(
    args: Vec<String>,
    getenv: impl Fn(&str) -> Option<String>,
) -> Result<Vec<String>, EnvArgsError> {
    let command = subcommand(&args);
    let args = merge_one("TF_CLI_ARGS", &command, args, &getenv)?;
    let specific = format!("TF_CLI_ARGS_{}", command.replace(['-', ' '], "_"));
    merge_one(&specific, &command, args, &getenv)
}

fn merge_one(
    variable: &str,
    command: &str,
    mut args: Vec<String>,
    getenv: &impl Fn(&str) -> Option<String>,
) -> Result<Vec<String>, EnvArgsError> {
    let Some(value) = getenv(variable).filter(|v| !v.is_empty()) else {
        return Ok(args);
    };
    let words = split_words(&value).ok_or_else(|| EnvArgsError {
        variable: variable.to_string(),
    })?;
    let search = command.rsplit(' ').next().unwrap_or(command);
    let at = args
        .iter()
        .position(|a| a == search)
        .map_or(0, |index| index + 1);
    args.splice(at..at, words);
    Ok(args)
}

/// The subcommand as Terraform's command line library finds it: the first argument that is
/// not a flag, extended by the next one when that names one of its subcommands.
fn subcommand(args: &[String]) -> String {
    let mut rest = args.iter().take_while(|a| *a != "--");
    let Some(first) = rest.find(|a| !a.is_empty() && !a.starts_with('-')) else {
        return String::new();
    };
    let nested = NESTED.iter().find(|(name, _)| name == first);
    match (nested, rest.next()) {
        (Some((_, subs)), Some(next)) if subs.contains(&next.as_str()) => {
            format!("{first} {next}")
        }
        _ => first.clone(),
    }
}

/// Splits `line` into words as Go's `shellwords` (with environment and backtick expansion
/// off) does: blanks separate words; single quotes keep everything literally; double quotes
/// keep blanks; a backslash outside single quotes takes the next character literally; an
/// unquoted `;`, `&`, `|`, `<` or `>` ends the line. `None` for an unterminated quote or
/// escape, or an unquoted parenthesis.
pub(super) fn split_words(line: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let (mut escaped, mut single, mut double, mut backquote) = (false, false, false, false);
    for c in line.chars() {
        if escaped {
            word.push(c);
            escaped = false;
            in_word = true;
            continue;
        }
        match c {
            '\\' if single => word.push(c),
            '\\' => escaped = true,
            ' ' | '\t' | '\r' | '\n' if single || double || backquote => word.push(c),
            ' ' | '\t' | '\r' | '\n' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '"' if !single && !backquote => {
                double = !double;
                in_word = true;
            }
            '\'' if !double && !backquote => {
                single = !single;
                in_word = true;
            }
            '(' | ')' if !single && !double && !backquote => return None,
            ';' | '&' | '|' | '<' | '>' if !single && !double && !backquote => break,
            _ => {
                if c == '`' && !single && !double {
                    backquote = !backquote;
                }
                word.push(c);
                in_word = true;
            }
        }
    }
    if escaped || single || double || backquote {
        return None;
    }
    if in_word {
        words.push(word);
    }
    Some(words)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(std::string::ToString::to_string).collect()
    }

    fn merged(args: &[&str], env: &[(&str, &str)]) -> Result<Vec<String>, EnvArgsError> {
        let env: BTreeMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        merge(strings(args), |name| env.get(name).cloned())
    }

    #[test]
    fn words_go_after_the_subcommand_and_before_the_given_arguments() {
        let args = merged(
            &["-chdir=x", "plan", "-out=p"],
            &[
                ("TF_CLI_ARGS", "-input=false"),
                ("TF_CLI_ARGS_plan", "-lock=false"),
            ],
        )
        .unwrap();
        assert_eq!(
            args,
            ["-chdir=x", "plan", "-lock=false", "-input=false", "-out=p"]
        );
        let args = merged(&["apply"], &[("TF_CLI_ARGS_plan", "-lock=false")]).unwrap();
        assert_eq!(args, ["apply"]);
    }

    #[test]
    fn nested_commands_use_their_full_name_with_underscores() {
        let env = [("TF_CLI_ARGS_state_list", "-id=x")];
        let args = merged(&["state", "list", "tenant.a"], &env).unwrap();
        assert_eq!(args, ["state", "list", "-id=x", "tenant.a"]);
        let env = [("TF_CLI_ARGS_force_unlock", "-force")];
        let args = merged(&["force-unlock", "42"], &env).unwrap();
        assert_eq!(args, ["force-unlock", "-force", "42"]);
        let env = [("TF_CLI_ARGS_state", "-x")];
        let args = merged(&["state", "bogus"], &env).unwrap();
        assert_eq!(args, ["state", "-x", "bogus"]);
    }

    #[test]
    fn values_are_split_as_a_shell_would() {
        assert_eq!(
            split_words(r#"-var 'a=b c' -var "d=e f" g\ h -x="" "#).unwrap(),
            ["-var", "a=b c", "-var", "d=e f", "g h", "-x="]
        );
        assert_eq!(split_words("a ''").unwrap(), ["a", ""]);
        assert_eq!(split_words(r#"'a\b' "c\"d""#).unwrap(), [r"a\b", "c\"d"]);
        assert_eq!(split_words("a; b").unwrap(), ["a"]);
        assert_eq!(split_words("").unwrap(), Vec::<String>::new());
        for bad in ["'a", "\"a", "a\\", "(a)"] {
            assert_eq!(split_words(bad), None, "{bad}");
        }
        let err = merged(&["plan"], &[("TF_CLI_ARGS", "'x")]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Error parsing extra CLI args from TF_CLI_ARGS: invalid command line string"
        );
    }
}
