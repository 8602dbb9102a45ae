//! One flag table per command: the flags each command accepts (from [`super::flag_defs`]),
//! the Terraform flags it refuses by name, and its usage text, generated from the table.
//! Parsing a command line goes through its table, so a flag cannot be accepted without
//! being declared, and a repeatable flag cannot be declared as keeping only its last value
//! (the tests walk every table).

use super::Failure;
use super::args::{self, ArgsError, Flag, Parsed};

/// A command: its name (`plan`, `state list`), its arguments and description for the usage
/// text, the flags it accepts and the Terraform flags it refuses.
#[derive(Debug)]
pub(crate) struct Command {
    pub name: &'static str,
    /// What follows the name in the usage line, e.g. `[options] [PLAN]`.
    pub arguments: &'static str,
    /// The description paragraphs, each line indented by two spaces.
    pub about: &'static str,
    pub flags: &'static [Flag],
    /// Flags Terraform has for this command that tenantform does not implement: refused
    /// with an error naming them rather than Go's "flag provided but not defined".
    pub refused: &'static [&'static str],
}

/// The column where help texts start, and the line width they are wrapped to.
const HELP_COLUMN: usize = 24;
const LINE_WIDTH: usize = 80;

impl Command {
    /// A command with these flags, refusing none of Terraform's.
    pub(crate) const fn new(
        name: &'static str,
        arguments: &'static str,
        about: &'static str,
        flags: &'static [Flag],
    ) -> Command {
        Command {
            name,
            arguments,
            about,
            flags,
            refused: &[],
        }
    }

    /// Parses `args` against the table; mistakes become usage errors.
    pub(crate) fn parse(&'static self, args: &[String]) -> Result<Parsed, Failure> {
        args::parse(args, self.flags).map_err(|err| {
            let err = match err {
                ArgsError::Unknown(name) if self.refused.contains(&name.as_str()) => {
                    ArgsError::Unsupported(name)
                }
                other => other,
            };
            Failure::Usage(err.to_string(), self)
        })
    }

    /// Parses `args` as [`Command::parse`] does and refuses more than `max` positional
    /// arguments, saying `what` it expects.
    pub(crate) fn parse_at_most(
        &'static self,
        args: &[String],
        max: usize,
        what: &str,
    ) -> Result<Parsed, Failure> {
        let parsed = self.parse(args)?;
        self.check_at_most(&parsed, max, what)?;
        Ok(parsed)
    }

    /// Refuses more than `max` positional arguments as a usage error, saying `what` it expects.
    pub(crate) fn check_at_most(
        &'static self,
        parsed: &Parsed,
        max: usize,
        what: &str,
    ) -> Result<(), Failure> {
        parsed
            .at_most(max, what)
            .map_err(|e| self.usage_error(e.to_string()))
    }

    /// A usage error for this command.
    pub(crate) fn usage_error(&'static self, message: impl Into<String>) -> Failure {
        Failure::Usage(message.into(), self)
    }

    /// The usage text: the usage line, the description and every flag with its help.
    pub(crate) fn usage(&self) -> String {
        let mut text = format!(
            "Usage: tenantform [global options] {} {}\n\n{}\n",
            self.name,
            self.arguments,
            self.about.trim_end()
        );
        if !self.flags.is_empty() {
            text.push_str("\nOptions:\n");
            for flag in self.flags {
                text.push('\n');
                text.push_str(&flag_usage(flag));
            }
        }
        text
    }
}

/// One flag's usage entry: `  -name=shape` and its help wrapped at [`HELP_COLUMN`].
fn flag_usage(flag: &Flag) -> String {
    let head = format!("  -{}{}", flag.name, flag.shape);
    let mut lines = wrap(flag.help, LINE_WIDTH - HELP_COLUMN);
    if lines.is_empty() {
        lines.push(String::new());
    }
    let indent = " ".repeat(HELP_COLUMN);
    let mut text = String::new();
    let mut rest = lines.iter();
    if head.len() + 2 <= HELP_COLUMN {
        let first = rest.next().map(String::as_str).unwrap_or("");
        text.push_str(&format!("{head:<HELP_COLUMN$}{first}\n"));
    } else {
        text.push_str(&format!("{head}\n"));
    }
    for line in rest {
        text.push_str(&format!("{indent}{line}\n"));
    }
    text
}

/// Splits `text` into lines of at most `width` characters at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::args::FlagKind;

    /// The flags Terraform (and OpenTofu, for `-exclude`) declares as string slices: every
    /// occurrence counts.
    const REPEATABLE: &[&str] = &[
        "target",
        "replace",
        "exclude",
        "var",
        "var-file",
        "backend-config",
        "plugin-dir",
        "filter",
        "invoke",
        "policies",
    ];

    #[test]
    fn every_repeatable_flag_of_every_command_keeps_every_value() {
        for command in crate::cli::all_commands() {
            for flag in command.flags {
                if REPEATABLE.contains(&flag.name) {
                    assert_eq!(
                        flag.kind,
                        FlagKind::Repeated,
                        "-{} of {}",
                        flag.name,
                        command.name
                    );
                }
            }
        }
    }

    #[test]
    fn no_command_declares_a_flag_twice_or_refuses_one_it_accepts() {
        for command in crate::cli::all_commands() {
            for (i, flag) in command.flags.iter().enumerate() {
                assert!(
                    command.flags[i + 1..].iter().all(|f| f.name != flag.name),
                    "-{} twice in {}",
                    flag.name,
                    command.name
                );
                assert!(!command.refused.contains(&flag.name), "{}", flag.name);
                assert!(!flag.help.is_empty(), "-{} has no help", flag.name);
            }
        }
    }

    #[test]
    fn usage_lists_every_flag_with_its_help() {
        for command in crate::cli::all_commands() {
            let usage = command.usage();
            assert!(usage.starts_with(&format!(
                "Usage: tenantform [global options] {}",
                command.name
            )));
            for flag in command.flags {
                assert!(
                    usage.contains(&format!("  -{}{}", flag.name, flag.shape)),
                    "{} lacks -{}",
                    command.name,
                    flag.name
                );
            }
            assert!(usage.lines().all(|l| l.len() <= LINE_WIDTH), "{usage}");
        }
    }

    #[test]
    fn help_is_wrapped_beside_or_below_the_flag() {
        let flag = Flag::bool("x", "one two three");
        assert_eq!(
            flag_usage(&flag),
            format!("  -x{}one two three\n", " ".repeat(20))
        );
        let long = Flag::value("a-very-long-flag-name", "=something", "help");
        assert_eq!(
            flag_usage(&long),
            format!(
                "  -a-very-long-flag-name=something\n{}help\n",
                " ".repeat(24)
            )
        );
        assert_eq!(wrap("aa bb cc", 5), ["aa bb", "cc"]);
    }

    static SAMPLE: Command = Command {
        name: "sample",
        arguments: "[options]",
        about: "  A sample.",
        flags: &[crate::cli::flag_defs::TARGET],
        refused: &["state"],
    };

    #[test]
    fn refused_terraform_flags_are_named_and_repeated_targets_all_kept() {
        let args = |list: &[&str]| {
            list.iter()
                .map(std::string::ToString::to_string)
                .collect::<Vec<_>>()
        };
        let Err(Failure::Usage(message, _)) = SAMPLE.parse(&args(&["-state=x"])) else {
            panic!("-state accepted");
        };
        assert_eq!(message, "the -state option is not supported by tenantform");
        let Err(Failure::Usage(message, _)) = SAMPLE.parse(&args(&["-bogus"])) else {
            panic!("-bogus accepted");
        };
        assert_eq!(message, "flag provided but not defined: -bogus");
        let Ok(parsed) = SAMPLE.parse(&args(&["-target=a.b", "-target", "c.d"])) else {
            panic!("targets refused");
        };
        assert_eq!(parsed.all("target"), ["a.b", "c.d"]);
    }
}
