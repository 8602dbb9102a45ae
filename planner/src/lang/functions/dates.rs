//! Date and time functions over RFC 3339 timestamps: `formatdate`, `timeadd`, `timecmp`,
//! `timestamp`.

use tenantform_proto::value::{Number, Value};
use time::format_description::well_known::Rfc3339;
use time::{Duration, OffsetDateTime, UtcOffset};

use super::{FunctionError, string_arg};

fn parse_timestamp(text: &str, index: usize) -> Result<OffsetDateTime, FunctionError> {
    OffsetDateTime::parse(text, &Rfc3339).map_err(|_| {
        FunctionError::arg(
            index,
            format!("not a valid RFC3339 timestamp: cannot use {text:?} as year"),
        )
    })
}

/// Go's `time.RFC3339` layout: whole seconds, `Z` for UTC.
fn rfc3339(moment: OffsetDateTime) -> String {
    let offset = moment.offset();
    let zone = if offset == UtcOffset::UTC {
        "Z".to_string()
    } else {
        let (h, m, _) = offset.as_hms();
        format!(
            "{}{:02}:{:02}",
            if offset.is_negative() { '-' } else { '+' },
            h.abs(),
            m.abs()
        )
    };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{zone}",
        moment.year(),
        moment.month() as u8,
        moment.day(),
        moment.hour(),
        moment.minute(),
        moment.second()
    )
}

pub(crate) fn timestamp(_args: Vec<Value>) -> Result<Value, FunctionError> {
    Ok(Value::String(now_rfc3339()))
}

/// The current time as `timestamp()` writes it (RFC 3339, UTC, whole seconds).
pub(crate) fn now_rfc3339() -> String {
    rfc3339(OffsetDateTime::now_utc())
}

/// Go's duration units, in nanoseconds.
const NANOS_PER_UNIT: &[(&str, f64)] = &[
    ("ns", 1.0),
    ("us", 1e3),
    ("µs", 1e3),
    ("μs", 1e3),
    ("ms", 1e6),
    ("s", 1e9),
    ("m", 60e9),
    ("h", 3600e9),
];

/// The sum of the terms of an unsigned Go duration (`1h30m`, `1.5h`): each decimal number
/// times the factor `units` gives its unit. `None` when a term is malformed or its unit is
/// not in `units`.
pub(crate) fn sum_duration_terms(text: &str, units: &[(&str, f64)]) -> Option<f64> {
    let mut rest = text;
    let mut total = 0f64;
    while !rest.is_empty() {
        let number_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
        let number: f64 = rest[..number_end].parse().ok()?;
        rest = &rest[number_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let (_, factor) = units.iter().find(|(unit, _)| *unit == &rest[..unit_end])?;
        total += number * factor;
        rest = &rest[unit_end..];
    }
    Some(total)
}

/// A Go duration string (`1h30m`, `-10s`, `1.5h`, `300ms`).
fn parse_duration(text: &str) -> Option<Duration> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if rest == "0" {
        return Some(Duration::ZERO);
    }
    if rest.is_empty() {
        return None;
    }
    let total = sum_duration_terms(rest, NANOS_PER_UNIT)?;
    let nanos = if negative { -total } else { total };
    Some(Duration::nanoseconds(nanos.round() as i64))
}

pub(crate) fn timeadd(args: Vec<Value>) -> Result<Value, FunctionError> {
    let moment = parse_timestamp(&string_arg(&args, 0)?, 0)?;
    let text = string_arg(&args, 1)?;
    let duration = parse_duration(&text)
        .ok_or_else(|| FunctionError::Call(format!("time: invalid duration {text:?}")))?;
    Ok(Value::String(rfc3339(moment + duration)))
}

pub(crate) fn timecmp(args: Vec<Value>) -> Result<Value, FunctionError> {
    let a = parse_timestamp(&string_arg(&args, 0)?, 0)?;
    let b = parse_timestamp(&string_arg(&args, 1)?, 1)?;
    Ok(Value::Number(Number::Int(a.cmp(&b) as i64)))
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `formatdate(spec, timestamp)` with Terraform's verbs (`YYYY`, `MMM`, `DD`, `EEE`, `hh`,
/// `mm`, `ss`, `ZZZZZ`, ...), single-quoted literals and `''` for a quote.
pub(crate) fn formatdate(args: Vec<Value>) -> Result<Value, FunctionError> {
    let spec = string_arg(&args, 0)?;
    let t = parse_timestamp(&string_arg(&args, 1)?, 1)?;
    let chars: Vec<char> = spec.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            if chars.get(i + 1) == Some(&'\'') {
                out.push('\'');
                i += 2;
                continue;
            }
            i += 1;
            loop {
                match (chars.get(i), chars.get(i + 1)) {
                    (Some('\''), Some('\'')) => {
                        out.push('\'');
                        i += 2;
                    }
                    (Some('\''), _) => {
                        i += 1;
                        break;
                    }
                    (Some(&c), _) => {
                        out.push(c);
                        i += 1;
                    }
                    (None, _) => return Err(FunctionError::arg(0, "unterminated literal '")),
                }
            }
            continue;
        }
        if !c.is_ascii_alphabetic() {
            out.push(c);
            i += 1;
            continue;
        }
        let run = chars[i..].iter().take_while(|&&d| d == c).count();
        let token: String = chars[i..i + run].iter().collect();
        i += run;
        let hour12 = match t.hour() % 12 {
            0 => 12,
            h => h,
        };
        let offset = t.offset();
        let (oh, om, _) = offset.as_hms();
        let sign = if offset.is_negative() { '-' } else { '+' };
        let text = match token.as_str() {
            "YYYY" => format!("{:04}", t.year()),
            "YY" => format!("{:02}", t.year() % 100),
            "MMMM" => MONTHS[t.month() as usize - 1].to_string(),
            "MMM" => MONTHS[t.month() as usize - 1][..3].to_string(),
            "MM" => format!("{:02}", t.month() as u8),
            "M" => (t.month() as u8).to_string(),
            "DD" => format!("{:02}", t.day()),
            "D" => t.day().to_string(),
            "EEEE" => t.weekday().to_string(),
            "EEE" => t.weekday().to_string()[..3].to_string(),
            "hh" => format!("{:02}", t.hour()),
            "h" => t.hour().to_string(),
            "HH" => format!("{hour12:02}"),
            "H" => hour12.to_string(),
            "AA" => (if t.hour() < 12 { "AM" } else { "PM" }).to_string(),
            "aa" => (if t.hour() < 12 { "am" } else { "pm" }).to_string(),
            "mm" => format!("{:02}", t.minute()),
            "m" => t.minute().to_string(),
            "ss" => format!("{:02}", t.second()),
            "s" => t.second().to_string(),
            "ZZZZZ" => format!("{sign}{:02}:{:02}", oh.abs(), om.abs()),
            "ZZZZ" => format!("{sign}{:02}{:02}", oh.abs(), om.abs()),
            "ZZZ" if offset == UtcOffset::UTC => "UTC".to_string(),
            "ZZZ" => format!("{sign}{:02}{:02}", oh.abs(), om.abs()),
            "Z" if offset == UtcOffset::UTC => "Z".to_string(),
            "Z" => format!("{sign}{:02}:{:02}", oh.abs(), om.abs()),
            _ => {
                return Err(FunctionError::arg(
                    0,
                    format!("invalid date format verb {token:?}: unsupported format verb"),
                ));
            }
        };
        out.push_str(&text);
    }
    Ok(Value::String(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::s;

    #[test]
    fn formatdate_verbs_and_literals() {
        let t = s("2018-01-02T23:12:01Z");
        assert_eq!(
            formatdate(vec![s("DD MMM YYYY hh:mm ZZZ"), t.clone()]),
            Ok(s("02 Jan 2018 23:12 UTC"))
        );
        assert_eq!(
            formatdate(vec![s("EEEE, h:mmaa"), t.clone()]),
            Ok(s("Tuesday, 23:12pm"))
        );
        assert_eq!(
            formatdate(vec![s("'at' HH 'o''clock'"), t.clone()]),
            Ok(s("at 11 o'clock"))
        );
        assert!(formatdate(vec![s("Q"), t]).is_err());
        assert!(formatdate(vec![s("YYYY"), s("yesterday")]).is_err());
    }

    #[test]
    fn timeadd_and_timecmp() {
        let t = s("2017-11-22T00:00:00Z");
        assert_eq!(
            timeadd(vec![t.clone(), s("10m")]),
            Ok(s("2017-11-22T00:10:00Z"))
        );
        assert_eq!(
            timeadd(vec![t.clone(), s("-1h30m")]),
            Ok(s("2017-11-21T22:30:00Z"))
        );
        assert!(timeadd(vec![t.clone(), s("1x")]).is_err());
        let later = s("2017-11-22T01:00:00+01:00");
        assert_eq!(timecmp(vec![t, later]), Ok(Value::Number(Number::Int(0))));
    }
}
