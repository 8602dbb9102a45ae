//! More string functions: `chomp`, `endswith`, `startswith`, `strcontains`, `strrev`,
//! `title`, `trim`, `trimprefix`, `trimsuffix`, `indent`, `formatlist`, `regex`, `regexall`.

use std::collections::BTreeMap;

use tenantform_proto::value::Value;

use super::unicode::{go_title, graphemes, is_title_separator, nfc};
use super::{FunctionError, integer_arg, string_arg, strings};

fn text(value: String) -> Result<Value, FunctionError> {
    Ok(Value::String(value))
}

/// Removes every newline sequence (`\n`, `\r\n`, `\r`) at the end.
pub(super) fn chomp(args: Vec<Value>) -> Result<Value, FunctionError> {
    let s = string_arg(&args, 0)?;
    text(s.trim_end_matches(['\n', '\r']).to_string())
}

pub(super) fn startswith(args: Vec<Value>) -> Result<Value, FunctionError> {
    let (s, prefix) = (string_arg(&args, 0)?, string_arg(&args, 1)?);
    Ok(Value::Bool(s.starts_with(&prefix)))
}

pub(super) fn endswith(args: Vec<Value>) -> Result<Value, FunctionError> {
    let (s, suffix) = (string_arg(&args, 0)?, string_arg(&args, 1)?);
    Ok(Value::Bool(s.ends_with(&suffix)))
}

pub(super) fn strcontains(args: Vec<Value>) -> Result<Value, FunctionError> {
    let (s, substr) = (string_arg(&args, 0)?, string_arg(&args, 1)?);
    Ok(Value::Bool(s.contains(&substr)))
}

/// Reverses the grapheme clusters, as cty does (a letter keeps its combining marks).
pub(super) fn strrev(args: Vec<Value>) -> Result<Value, FunctionError> {
    let original = string_arg(&args, 0)?;
    let mut clusters = graphemes(&original);
    clusters.reverse();
    text(nfc(&clusters.concat()).into_owned())
}

/// Title-cases the first rune of each word, as Go's `strings.Title`: a word starts after an
/// ASCII character other than a letter, digit or `_`, or after a space.
pub(super) fn title(args: Vec<Value>) -> Result<Value, FunctionError> {
    let mut previous_is_separator = true;
    let mut out = String::new();
    for c in string_arg(&args, 0)?.chars() {
        out.push(if previous_is_separator {
            go_title(c)
        } else {
            c
        });
        previous_is_separator = is_title_separator(c);
    }
    text(nfc(&out).into_owned())
}

pub(super) fn trim(args: Vec<Value>) -> Result<Value, FunctionError> {
    let (s, cutset) = (string_arg(&args, 0)?, string_arg(&args, 1)?);
    text(s.trim_matches(|c| cutset.contains(c)).to_string())
}

pub(super) fn trimprefix(args: Vec<Value>) -> Result<Value, FunctionError> {
    let (s, prefix) = (string_arg(&args, 0)?, string_arg(&args, 1)?);
    text(s.strip_prefix(prefix.as_str()).unwrap_or(&s).to_string())
}

pub(super) fn trimsuffix(args: Vec<Value>) -> Result<Value, FunctionError> {
    let (s, suffix) = (string_arg(&args, 0)?, string_arg(&args, 1)?);
    text(s.strip_suffix(suffix.as_str()).unwrap_or(&s).to_string())
}

/// `indent(spaces, str)`: every line but the first gets `spaces` spaces in front.
pub(super) fn indent(args: Vec<Value>) -> Result<Value, FunctionError> {
    let spaces = integer_arg(&args, 0)?.max(0) as usize;
    let s = string_arg(&args, 1)?;
    text(s.replace('\n', &format!("\n{}", " ".repeat(spaces))))
}

/// `formatlist(format, args...)`: `format` applied element-wise; list arguments must share
/// one length and other arguments repeat.
pub(super) fn formatlist(args: Vec<Value>) -> Result<Value, FunctionError> {
    let mut length: Option<(usize, usize)> = None;
    for (index, arg) in args.iter().enumerate().skip(1) {
        if let Value::List(items) | Value::Tuple(items) | Value::Set(items) = arg {
            match length {
                None => length = Some((items.len(), index)),
                Some((expected, first)) if expected != items.len() => {
                    return Err(FunctionError::arg(
                        index,
                        format!(
                            "argument {index} has length {}, which is inconsistent with argument {first} of length {expected}",
                            items.len()
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
    }
    let Some((count, _)) = length else {
        // No lists: a list of one formatted string.
        if !args.iter().all(Value::is_wholly_known) {
            return Ok(Value::List(vec![Value::Unknown]));
        }
        return Ok(Value::List(vec![strings::format(args)?]));
    };
    let mut results = Vec::with_capacity(count);
    for i in 0..count {
        let row: Vec<Value> = args
            .iter()
            .enumerate()
            .map(|(index, arg)| match arg {
                Value::List(items) | Value::Tuple(items) | Value::Set(items) if index > 0 => {
                    items[i].clone()
                }
                other => other.clone(),
            })
            .collect();
        if row.iter().any(|v| !v.is_wholly_known()) {
            results.push(Value::Unknown);
            continue;
        }
        results.push(strings::format(row).map_err(|e| match e {
            FunctionError::Call(message) => {
                FunctionError::Call(format!("error on format iteration {i}: {message}"))
            }
            other @ FunctionError::Argument { .. } => other,
        })?);
    }
    Ok(Value::List(results))
}

fn compile(pattern: &str) -> Result<regex::Regex, FunctionError> {
    regex::Regex::new(pattern)
        .map_err(|e| FunctionError::arg(0, format!("invalid regexp pattern: {e}")))
}

/// The captures of one match: the whole match when the pattern has no groups, a tuple of
/// the groups when they are unnamed, an object when they are named.
fn captures_value(regex: &regex::Regex, captures: &regex::Captures<'_>) -> Value {
    let group = |i: usize| {
        captures
            .get(i)
            .map_or(Value::Null, |m| Value::string(m.as_str()))
    };
    let names: Vec<Option<&str>> = regex.capture_names().skip(1).collect();
    if names.is_empty() {
        return group(0);
    }
    if names.iter().all(Option::is_some) {
        let entries: BTreeMap<String, Value> = names
            .iter()
            .enumerate()
            .map(|(i, name)| (name.unwrap_or_default().to_string(), group(i + 1)))
            .collect();
        return Value::Object(entries);
    }
    Value::Tuple((1..=names.len()).map(group).collect())
}

pub(super) fn regex(args: Vec<Value>) -> Result<Value, FunctionError> {
    let (pattern, s) = (string_arg(&args, 0)?, string_arg(&args, 1)?);
    let regex = compile(&pattern)?;
    let captures = regex.captures(&s).ok_or_else(|| {
        FunctionError::Call("pattern did not match any part of the given string".into())
    })?;
    Ok(captures_value(&regex, &captures))
}

pub(super) fn regexall(args: Vec<Value>) -> Result<Value, FunctionError> {
    let (pattern, s) = (string_arg(&args, 0)?, string_arg(&args, 1)?);
    let regex = compile(&pattern)?;
    Ok(Value::List(
        regex
            .captures_iter(&s)
            .map(|c| captures_value(&regex, &c))
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{assert_string_results, s};

    #[test]
    fn regex_shapes_follow_the_groups() {
        assert_eq!(regex(vec![s("[a-z]+"), s("12ab3")]), Ok(s("ab")));
        assert_eq!(
            regex(vec![s("(\\d)(x)?"), s("1")]),
            Ok(Value::Tuple(vec![s("1"), Value::Null]))
        );
        assert!(regex(vec![s("z"), s("a")]).is_err());
        assert_eq!(
            regexall(vec![s("[a-z]+"), s("ab1cd")]),
            Ok(Value::List(vec![s("ab"), s("cd")]))
        );
    }

    #[test]
    fn trimming_and_casing() {
        assert_string_results(&[
            (chomp, &["a\r\n\n"], "a"),
            (title, &["hello wORLD-x_y"], "Hello WORLD-X_y"),
            (trim, &["?!a!?", "!?"], "a"),
            (trimprefix, &["abc", "ab"], "c"),
            (trimsuffix, &["abc", "x"], "abc"),
            (strrev, &["abc"], "cba"),
        ]);
        let two = Value::Number(tenantform_proto::value::Number::Int(2));
        assert_eq!(indent(vec![two, s("a\nb")]), Ok(s("a\n  b")));
    }

    #[test]
    fn formatlist_repeats_scalars_and_checks_lengths() {
        let names = Value::Tuple(vec![s("a"), s("b")]);
        assert_eq!(
            formatlist(vec![s("%s-%s"), names.clone(), s("x")]),
            Ok(Value::List(vec![s("a-x"), s("b-x")]))
        );
        let short = Value::Tuple(vec![s("a")]);
        assert!(formatlist(vec![s("%s%s"), names, short]).is_err());
    }
}
