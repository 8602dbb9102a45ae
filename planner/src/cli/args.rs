//! Command-line flags with the conventions of Go's `flag` package, which Terraform uses:
//! single-dash long flags (`-auto-approve`; a double dash is accepted too), values as
//! `-out=FILE` or `-out FILE`, booleans as `-flag` or `-flag=true|false`, repeatable flags
//! (`-var 'k=v' -var 'x=y'`), and flag parsing that stops at the first positional argument
//! or after `--`.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::lang::functions::dates::sum_duration_terms;

/// How a flag takes its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FlagKind {
    /// `-flag` or `-flag=true|false`.
    Bool,
    /// `-flag=VALUE` or `-flag VALUE`; the last occurrence wins (Go's `flag.StringVar`).
    Value,
    /// Like `Value`, but every occurrence is kept, in order (Terraform's `FlagStringSlice`).
    Repeated,
}

/// One flag a command accepts: its name, how it takes a value, and its help text. The
/// usage text of every command is generated from these (see [`super::commands`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Flag {
    pub name: &'static str,
    pub kind: FlagKind,
    /// How the usage text shows the flag's value, e.g. `=path` or ` 'foo=bar'`.
    pub shape: &'static str,
    /// What the flag does, one paragraph (wrapped when rendered).
    pub help: &'static str,
}

impl Flag {
    pub(crate) const fn bool(name: &'static str, help: &'static str) -> Flag {
        Flag {
            name,
            kind: FlagKind::Bool,
            shape: "",
            help,
        }
    }

    pub(crate) const fn value(name: &'static str, shape: &'static str, help: &'static str) -> Flag {
        Flag {
            name,
            kind: FlagKind::Value,
            shape,
            help,
        }
    }

    pub(crate) const fn repeated(
        name: &'static str,
        shape: &'static str,
        help: &'static str,
    ) -> Flag {
        Flag {
            name,
            kind: FlagKind::Repeated,
            shape,
            help,
        }
    }

    /// The same flag shown with another value shape (`-refresh=false`, `-input=true`).
    pub(crate) const fn shown_as(self, shape: &'static str) -> Flag {
        Flag { shape, ..self }
    }
}

/// Why the arguments could not be parsed. The message names the offending flag.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ArgsError {
    #[error("flag provided but not defined: -{0}")]
    Unknown(String),
    #[error("the -{0} option is not supported by tenantform")]
    Unsupported(String),
    #[error("flag needs an argument: -{0}")]
    MissingValue(String),
    #[error("invalid boolean value {value:?} for -{flag}")]
    BadBool { flag: String, value: String },
    #[error("invalid value {value:?} for flag -{flag}: {reason}")]
    BadValue {
        flag: String,
        value: String,
        reason: String,
    },
    #[error("{0}")]
    Usage(String),
}

/// The flags and positional arguments of one command line.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Parsed {
    values: BTreeMap<&'static str, Vec<String>>,
    /// Every flag value in command-line order, for flags whose relative order matters.
    sequence: Vec<(&'static str, String)>,
    /// The repeatable flags given: read with [`Parsed::all`], never [`Parsed::last`].
    repeated: Vec<&'static str>,
    pub positional: Vec<String>,
}

/// Parses `args` against `flags`. Parsing stops at the first argument that is not a flag
/// (or after `--`); everything from there on is positional.
pub(crate) fn parse(args: &[String], flags: &[Flag]) -> Result<Parsed, ArgsError> {
    let mut parsed = Parsed::default();
    let mut index = 0;
    while index < args.len() {
        let arg = &args[index];
        index += 1;
        if arg == "--" {
            break;
        }
        let Some(body) = flag_body(arg) else {
            index -= 1;
            break;
        };
        let (name, inline_value) = match body.split_once('=') {
            Some((name, value)) => (name, Some(value.to_string())),
            None => (body, None),
        };
        let flag = flags
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| ArgsError::Unknown(name.to_string()))?;
        let value = match (flag.kind, inline_value) {
            (FlagKind::Bool, None) => "true".to_string(),
            (FlagKind::Bool, Some(value)) => parse_bool(flag.name, &value)?.to_string(),
            (_, Some(value)) => value,
            (_, None) => {
                let value = args
                    .get(index)
                    .ok_or_else(|| ArgsError::MissingValue(flag.name.to_string()))?;
                index += 1;
                value.clone()
            }
        };
        parsed.sequence.push((flag.name, value.clone()));
        let slot = parsed.values.entry(flag.name).or_default();
        if flag.kind == FlagKind::Repeated {
            parsed.repeated.push(flag.name);
        } else {
            slot.clear();
        }
        slot.push(value);
    }
    parsed.positional.extend(args[index..].iter().cloned());
    Ok(parsed)
}

/// The flag text after its dashes, or `None` when `arg` is not a flag (`-` alone is a
/// positional argument, as in Go).
fn flag_body(arg: &str) -> Option<&str> {
    let body = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-'))?;
    (!body.is_empty() && !body.starts_with('-') && !body.starts_with('=')).then_some(body)
}

/// Go's `strconv.ParseBool`.
fn parse_bool(flag: &str, value: &str) -> Result<bool, ArgsError> {
    match value {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        _ => Err(ArgsError::BadBool {
            flag: flag.to_string(),
            value: value.to_string(),
        }),
    }
}

impl Parsed {
    /// A boolean flag's value, `default` when absent.
    pub(crate) fn flag(&self, name: &str, default: bool) -> bool {
        self.last(name).map_or(default, |v| v == "true")
    }

    /// The last value given for a single-value flag. A repeatable flag keeps every value:
    /// reading only its last one is a mistake, caught in debug builds.
    pub(crate) fn last(&self, name: &str) -> Option<&str> {
        debug_assert!(
            !self.repeated.contains(&name),
            "-{name} is repeatable: read every value with all()"
        );
        self.values
            .get(name)
            .and_then(|v| v.last())
            .map(String::as_str)
    }

    /// Every value given for a repeatable flag, in order.
    pub(crate) fn all(&self, name: &str) -> &[String] {
        self.values.get(name).map_or(&[], Vec::as_slice)
    }

    /// The values of any of `names`, in command-line order (`-var` and `-var-file` mixed).
    pub(crate) fn in_order(&self, names: &[&str]) -> Vec<(&'static str, &str)> {
        self.sequence
            .iter()
            .filter(|(name, _)| names.contains(name))
            .map(|(name, value)| (*name, value.as_str()))
            .collect()
    }

    /// A flag's value parsed as a non-negative integer.
    pub(crate) fn usize(&self, name: &str, default: usize) -> Result<usize, ArgsError> {
        match self.last(name) {
            None => Ok(default),
            Some(text) => text.parse().map_err(|_| ArgsError::BadValue {
                flag: name.to_string(),
                value: text.to_string(),
                reason: "expected a non-negative integer".into(),
            }),
        }
    }

    /// A flag's value parsed as a Go duration (`0s`, `30s`, `1m30s`, `500ms`).
    pub(crate) fn duration(&self, name: &str, default: Duration) -> Result<Duration, ArgsError> {
        match self.last(name) {
            None => Ok(default),
            Some(text) => parse_duration(text).ok_or_else(|| ArgsError::BadValue {
                flag: name.to_string(),
                value: text.to_string(),
                reason: "expected a duration such as 30s or 1m30s".into(),
            }),
        }
    }

    /// Fails unless there are at most `max` positional arguments.
    pub(crate) fn at_most(&self, max: usize, what: &str) -> Result<(), ArgsError> {
        if self.positional.len() > max {
            return Err(ArgsError::Usage(format!(
                "Too many command line arguments. {what}"
            )));
        }
        Ok(())
    }
}

/// The duration units flags accept, in seconds.
const SECONDS_PER_UNIT: &[(&str, f64)] = &[
    ("ns", 1e-9),
    ("us", 1e-6),
    ("µs", 1e-6),
    ("ms", 1e-3),
    ("s", 1.0),
    ("m", 60.0),
    ("h", 3600.0),
];

/// Parses a Go duration string: a sequence of decimal numbers with units `ns`, `us`, `ms`,
/// `s`, `m`, `h` (`"0"` alone is allowed). Negative durations are refused.
pub(crate) fn parse_duration(text: &str) -> Option<Duration> {
    if text == "0" {
        return Some(Duration::ZERO);
    }
    let rest = text.strip_prefix('+').unwrap_or(text);
    if rest.is_empty() {
        return None;
    }
    let total = sum_duration_terms(rest, SECONDS_PER_UNIT)?;
    Duration::try_from_secs_f64(total).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FLAGS: &[Flag] = &[
        Flag::bool("auto-approve", ""),
        Flag::bool("input", ""),
        Flag::value("out", "", ""),
        Flag::value("parallelism", "", ""),
        Flag::value("lock-timeout", "", ""),
        Flag::repeated("var", "", ""),
    ];

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(std::string::ToString::to_string).collect()
    }

    #[test]
    fn single_and_double_dash_long_flags() {
        let p = parse(&args(&["-auto-approve", "--out=plan.bin"]), FLAGS).unwrap();
        assert!(p.flag("auto-approve", false));
        assert_eq!(p.last("out"), Some("plan.bin"));
        assert!(p.positional.is_empty());
    }

    #[test]
    fn values_inline_or_as_the_next_argument() {
        let p = parse(&args(&["-out", "a.plan", "-parallelism=3"]), FLAGS).unwrap();
        assert_eq!(p.last("out"), Some("a.plan"));
        assert_eq!(p.usize("parallelism", 10).unwrap(), 3);
        assert_eq!(p.usize("missing", 10).unwrap(), 10);
    }

    #[test]
    fn booleans_take_only_inline_values() {
        let p = parse(&args(&["-input=false", "-auto-approve=1"]), FLAGS).unwrap();
        assert!(!p.flag("input", true));
        assert!(p.flag("auto-approve", false));
        // As in Go, `-input false` leaves `false` as a positional argument.
        let p = parse(&args(&["-input", "false"]), FLAGS).unwrap();
        assert!(p.flag("input", false));
        assert_eq!(p.positional, ["false"]);
        let err = parse(&args(&["-input=maybe"]), FLAGS).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid boolean value \"maybe\" for -input"
        );
    }

    #[test]
    fn repeated_flags_keep_every_value_and_equals_signs_in_values() {
        let p = parse(&args(&["-var", "a=1", "-var=b=x=y"]), FLAGS).unwrap();
        assert_eq!(p.all("var"), ["a=1", "b=x=y"]);
        assert_eq!(
            p.in_order(&["var", "out"]),
            [("var", "a=1"), ("var", "b=x=y")]
        );
        assert!(p.all("nothing").is_empty());
    }

    #[test]
    fn parsing_stops_at_the_first_positional_or_double_dash() {
        let p = parse(&args(&["-auto-approve", "plan.bin", "-out=x"]), FLAGS).unwrap();
        assert_eq!(p.positional, ["plan.bin", "-out=x"]);
        assert_eq!(p.last("out"), None);
        let p = parse(&args(&["--", "-auto-approve"]), FLAGS).unwrap();
        assert_eq!(p.positional, ["-auto-approve"]);
        let p = parse(&args(&["-"]), FLAGS).unwrap();
        assert_eq!(p.positional, ["-"]);
    }

    #[test]
    fn unknown_flags_and_missing_values_are_named() {
        let err = parse(&args(&["-bogus=1"]), FLAGS).unwrap_err();
        assert_eq!(err.to_string(), "flag provided but not defined: -bogus");
        let err = parse(&args(&["-out"]), FLAGS).unwrap_err();
        assert_eq!(err.to_string(), "flag needs an argument: -out");
    }

    #[test]
    fn a_value_flag_given_twice_keeps_the_last_value_as_go_does() {
        let p = parse(&args(&["-out=a", "-out=b"]), FLAGS).unwrap();
        assert_eq!(p.last("out"), Some("b"));
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "-var is repeatable")]
    fn reading_only_the_last_value_of_a_repeatable_flag_is_caught() {
        let p = parse(&args(&["-var=a=1", "-var=b=2"]), FLAGS).unwrap();
        let _ = p.last("var");
    }

    #[test]
    fn go_durations() {
        assert_eq!(parse_duration("0"), Some(Duration::ZERO));
        assert_eq!(parse_duration("0s"), Some(Duration::ZERO));
        assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("1m30s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("1.5h"), Some(Duration::from_secs(5400)));
        for bad in ["", "10", "s", "1x", "-1s", "1s2"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
        let p = parse(&args(&["-lock-timeout=2m"]), FLAGS).unwrap();
        assert_eq!(
            p.duration("lock-timeout", Duration::ZERO).unwrap(),
            Duration::from_secs(120)
        );
    }
}
