//! String functions: `lower`, `upper`, `format`, `join`, `split`, `replace`, `trimspace`,
//! `substr`.

use tenantform_proto::value::{Type, Value};

use super::encoding::to_json_text;
use super::unicode::{go_lower, go_upper, graphemes, nfc};
use super::{FunctionError, integer_arg, sequence_arg, string_arg};
use crate::lang::convert::convert;

/// Go's `strings.ToLower`: rune by rune (see [`super::unicode`]).
pub(super) fn lower(args: Vec<Value>) -> Result<Value, FunctionError> {
    let text: String = string_arg(&args, 0)?.chars().map(go_lower).collect();
    Ok(Value::String(nfc(&text).into_owned()))
}

/// Go's `strings.ToUpper`: rune by rune, so `ß` stays.
pub(super) fn upper(args: Vec<Value>) -> Result<Value, FunctionError> {
    let text: String = string_arg(&args, 0)?.chars().map(go_upper).collect();
    Ok(Value::String(nfc(&text).into_owned()))
}

pub(super) fn trimspace(args: Vec<Value>) -> Result<Value, FunctionError> {
    Ok(Value::String(string_arg(&args, 0)?.trim().to_string()))
}

pub(super) fn join(args: Vec<Value>) -> Result<Value, FunctionError> {
    let separator = string_arg(&args, 0)?;
    if args.len() < 2 {
        return Err(FunctionError::Call("at least one list is required".into()));
    }
    let mut parts = Vec::new();
    for index in 1..args.len() {
        for (i, item) in sequence_arg(&args, index)?.into_iter().enumerate() {
            match convert(item, &Type::String) {
                Ok(Value::String(s)) => parts.push(s),
                Ok(Value::Null) => {
                    return Err(FunctionError::arg(index, format!("element {i} is null")));
                }
                _ => {
                    return Err(FunctionError::arg(
                        index,
                        format!("element {i}: string required"),
                    ));
                }
            }
        }
    }
    Ok(Value::String(parts.join(&separator)))
}

pub(super) fn split(args: Vec<Value>) -> Result<Value, FunctionError> {
    let separator = string_arg(&args, 0)?;
    let text = string_arg(&args, 1)?;
    let parts: Vec<Value> = if separator.is_empty() {
        text.chars().map(|c| Value::String(c.to_string())).collect()
    } else {
        text.split(separator.as_str()).map(Value::string).collect()
    };
    Ok(Value::List(parts))
}

/// `replace(str, substr, replace)`; a `substr` written `/.../` is a regular expression whose
/// `$1`-style group references work in `replace`.
pub(super) fn replace(args: Vec<Value>) -> Result<Value, FunctionError> {
    let text = string_arg(&args, 0)?;
    let pattern = string_arg(&args, 1)?;
    let replacement = string_arg(&args, 2)?;
    if pattern.len() > 1 && pattern.starts_with('/') && pattern.ends_with('/') {
        let regex = regex::Regex::new(&pattern[1..pattern.len() - 1])
            .map_err(|e| FunctionError::arg(1, format!("invalid regular expression: {e}")))?;
        return Ok(Value::String(
            regex.replace_all(&text, replacement.as_str()).into_owned(),
        ));
    }
    if pattern.is_empty() {
        return Ok(Value::String(text));
    }
    Ok(Value::String(text.replace(&pattern, &replacement)))
}

/// `substr(str, offset, length)` in characters; a negative offset counts from the end and a
/// length of -1 takes the rest.
/// Offsets and lengths count grapheme clusters, as cty does.
pub(super) fn substr(args: Vec<Value>) -> Result<Value, FunctionError> {
    let text = string_arg(&args, 0)?;
    let chars = graphemes(&text);
    let len = chars.len() as i64;
    let mut offset = integer_arg(&args, 1)?;
    let length = integer_arg(&args, 2)?;
    if offset < 0 {
        offset += len;
    }
    if offset > len {
        return Ok(Value::String(String::new()));
    }
    if offset < 0 {
        return Err(FunctionError::arg(1, "offset out of range"));
    }
    let end = if length < 0 {
        len
    } else {
        (offset + length).min(len)
    };
    Ok(Value::String(chars[offset as usize..end as usize].concat()))
}

/// `format(spec, args...)` with the verbs `%s`, `%d`, `%f`, `%t`, `%q`, `%v` and `%%`, and
/// optional width, precision and the `-`, `+`, `0` flags.
pub(super) fn format(args: Vec<Value>) -> Result<Value, FunctionError> {
    if args.first().is_none_or(Value::is_null) {
        return Err(FunctionError::arg(0, "argument must not be null"));
    }
    let spec = string_arg(&args, 0)?;
    let mut out = String::new();
    let mut chars = spec.chars().peekable();
    let mut next_arg = 1;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut flags = String::new();
        while let Some(&f) = chars
            .peek()
            .filter(|f| matches!(f, '-' | '+' | '0' | ' ' | '#'))
        {
            flags.push(f);
            chars.next();
        }
        let mut width = String::new();
        while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            width.push(d);
            chars.next();
        }
        let mut precision = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut digits = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                digits.push(d);
                chars.next();
            }
            precision = Some(digits.parse::<usize>().unwrap_or(0));
        }
        let Some(verb) = chars.next() else {
            return Err(FunctionError::Call(
                "unterminated format verb at end of string".into(),
            ));
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.get(next_arg) else {
            return Err(FunctionError::Call(format!(
                "not enough arguments for \"%{verb}\" at {}: need index {next_arg} but have {} total",
                out.chars().count(),
                args.len() - 1
            )));
        };
        let text = format_verb(verb, arg, precision, &flags).map_err(|message| {
            FunctionError::Call(format!(
                "unsupported value for \"%{verb}\" at {}: {message}",
                out.chars().count()
            ))
        })?;
        out.push_str(&pad(text, &width, &flags));
        next_arg += 1;
    }
    if next_arg < args.len() {
        return Err(FunctionError::Call(format!(
            "too many arguments; no verbs left for argument {next_arg}"
        )));
    }
    Ok(Value::String(out))
}

fn format_verb(
    verb: char,
    arg: &Value,
    precision: Option<usize>,
    flags: &str,
) -> Result<String, String> {
    let as_string = || match convert(arg.clone(), &Type::String) {
        Ok(Value::String(s)) => Ok(s),
        _ => Err("string required".to_string()),
    };
    let as_number = || match convert(arg.clone(), &Type::Number) {
        Ok(Value::Number(n)) => Ok(n),
        _ => Err("number required".to_string()),
    };
    match verb {
        's' => {
            let s = as_string()?;
            Ok(match precision {
                Some(p) => graphemes(&s).into_iter().take(p).collect(),
                None => s,
            })
        }
        'd' => {
            let n = as_number()?;
            let digits = n.integer_text().ok_or("an integer is required")?;
            Ok(signed(digits, flags))
        }
        'f' | 'F' | 'e' | 'E' | 'g' | 'G' => {
            let n = as_number()?;
            let layout = if verb == 'F' { 'f' } else { verb };
            // Go's default is six digits for %e and %f, the shortest digits for %g.
            let digits = match layout {
                'g' | 'G' => precision,
                _ => precision.or(Some(6)),
            };
            Ok(signed(n.text(layout, digits), flags))
        }
        't' => match arg {
            Value::Bool(b) => Ok(b.to_string()),
            _ => Err("bool required".into()),
        },
        'q' => Ok(to_json_text(&Value::String(as_string()?))),
        'v' => Ok(match arg {
            Value::Null => "null".into(),
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            other => to_json_text(other),
        }),
        other => Err(format!("unrecognized format verb '{other}'")),
    }
}

/// Adds the `+` or space sign flag to a non-negative number's text.
fn signed(text: String, flags: &str) -> String {
    if text.starts_with(['-', '+']) {
        text
    } else if flags.contains('+') {
        format!("+{text}")
    } else if flags.contains(' ') {
        format!(" {text}")
    } else {
        text
    }
}

fn pad(text: String, width: &str, flags: &str) -> String {
    let width: usize = width.parse().unwrap_or(0);
    let len = graphemes(&text).len();
    if len >= width {
        return text;
    }
    let fill = width - len;
    if flags.contains('-') {
        format!("{text}{}", " ".repeat(fill))
    } else if flags.contains('0') {
        match text.strip_prefix(['-', '+']) {
            Some(digits) => format!("{}{}{digits}", &text[..1], "0".repeat(fill)),
            None => format!("{}{text}", "0".repeat(fill)),
        }
    } else {
        format!("{}{text}", " ".repeat(fill))
    }
}
