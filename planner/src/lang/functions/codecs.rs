//! Text encodings: `base64encode`, `base64decode`, `base64gzip`, `textencodebase64`,
//! `textdecodebase64`, `urlencode`, `csvdecode`.

use std::collections::BTreeMap;
use std::io::Write;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use tenantform_proto::value::Value;

use super::{FunctionError, string_arg};

pub(super) fn base64encode(args: Vec<Value>) -> Result<Value, FunctionError> {
    Ok(Value::String(STANDARD.encode(string_arg(&args, 0)?)))
}

fn decode_base64(text: &str, index: usize) -> Result<Vec<u8>, FunctionError> {
    STANDARD.decode(text).map_err(|e| {
        let offset = match e {
            base64::DecodeError::InvalidByte(offset, _) => offset,
            base64::DecodeError::InvalidLastSymbol(offset, _) => offset,
            _ => text.len().saturating_sub(text.len() % 4),
        };
        let _ = (index, offset);
        FunctionError::Call(format!("failed to decode base64 data {text:?}"))
    })
}

pub(super) fn base64decode(args: Vec<Value>) -> Result<Value, FunctionError> {
    let text = string_arg(&args, 0)?;
    let bytes = decode_base64(&text, 0)?;
    String::from_utf8(bytes).map(Value::String).map_err(|_| {
        FunctionError::arg(
            0,
            "the result of decoding the provided string is not valid UTF-8",
        )
    })
}

/// Gzip-compresses the string and encodes the result in base64.
pub(super) fn base64gzip(args: Vec<Value>) -> Result<Value, FunctionError> {
    let text = string_arg(&args, 0)?;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let compressed = encoder
        .write_all(text.as_bytes())
        .and_then(|()| encoder.finish())
        .map_err(|e| FunctionError::Call(format!("failed to compress: {e}")))?;
    Ok(Value::String(STANDARD.encode(compressed)))
}

/// The canonical name of a supported character encoding.
fn encoding_name(name: &str, index: usize) -> Result<&'static str, FunctionError> {
    match name.to_ascii_lowercase().replace('_', "-").as_str() {
        "utf-8" | "utf8" => Ok("UTF-8"),
        "utf-16le" => Ok("UTF-16LE"),
        "utf-16be" => Ok("UTF-16BE"),
        "iso-8859-1" | "latin1" | "l1" => Ok("ISO-8859-1"),
        "us-ascii" | "ascii" => Ok("US-ASCII"),
        _ => Err(FunctionError::arg(
            index,
            format!(
                "{name:?} is not a supported IANA encoding name or alias in this Terraform version"
            ),
        )),
    }
}

pub(super) fn textencodebase64(args: Vec<Value>) -> Result<Value, FunctionError> {
    let text = string_arg(&args, 0)?;
    let name = string_arg(&args, 1)?;
    let unencodable = |c: char| {
        FunctionError::arg(
            0,
            format!(
                "the given string contains characters that cannot be represented in {name} ({c:?})"
            ),
        )
    };
    let bytes: Vec<u8> = match encoding_name(&name, 1)? {
        "UTF-16LE" => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        "UTF-16BE" => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        "ISO-8859-1" => text
            .chars()
            .map(|c| u8::try_from(c as u32).map_err(|_| unencodable(c)))
            .collect::<Result<_, _>>()?,
        "US-ASCII" => text
            .chars()
            .map(|c| {
                if c.is_ascii() {
                    Ok(c as u8)
                } else {
                    Err(unencodable(c))
                }
            })
            .collect::<Result<_, _>>()?,
        _ => text.into_bytes(),
    };
    Ok(Value::String(STANDARD.encode(bytes)))
}

pub(super) fn textdecodebase64(args: Vec<Value>) -> Result<Value, FunctionError> {
    let text = string_arg(&args, 0)?;
    let name = string_arg(&args, 1)?;
    let encoding = encoding_name(&name, 1)?;
    let bytes = decode_base64(&text, 0)?;
    let units = |to_unit: fn([u8; 2]) -> u16| -> Vec<u16> {
        bytes
            .chunks(2)
            .map(|c| to_unit([c[0], *c.get(1).unwrap_or(&0)]))
            .collect()
    };
    let decoded = match encoding {
        "UTF-16LE" => String::from_utf16_lossy(&units(u16::from_le_bytes)),
        "UTF-16BE" => String::from_utf16_lossy(&units(u16::from_be_bytes)),
        "ISO-8859-1" | "US-ASCII" => bytes.iter().map(|&b| b as char).collect(),
        _ => String::from_utf8_lossy(&bytes).into_owned(),
    };
    Ok(Value::String(decoded))
}

/// URL query escaping as Go's `url.QueryEscape`: spaces become `+`, and everything but
/// letters, digits and `-_.~` is percent-encoded.
pub(super) fn urlencode(args: Vec<Value>) -> Result<Value, FunctionError> {
    let mut out = String::new();
    for byte in string_arg(&args, 0)?.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char);
            }
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    Ok(Value::String(out))
}

/// `csvdecode(str)`: the first line names the columns; each further line becomes an object
/// of strings, in a list.
pub(super) fn csvdecode(args: Vec<Value>) -> Result<Value, FunctionError> {
    let text = string_arg(&args, 0)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(false)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let failure = |e: csv::Error| {
        let message = match e.kind() {
            csv::ErrorKind::UnequalLengths { pos, .. } => format!(
                "record on line {}: wrong number of fields",
                pos.as_ref().map_or(0, csv::Position::line)
            ),
            _ => e.to_string(),
        };
        FunctionError::Call(message)
    };
    let header = match records.next() {
        Some(row) => row.map_err(failure)?,
        None => return Err(FunctionError::arg(0, "missing header line")),
    };
    let columns: Vec<String> = header.iter().map(str::to_string).collect();
    let mut rows = Vec::new();
    for record in records {
        let record = record.map_err(failure)?;
        let row: BTreeMap<String, Value> = columns
            .iter()
            .cloned()
            .zip(record.iter().map(Value::string))
            .collect();
        rows.push(Value::Object(row));
    }
    Ok(Value::List(rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{assert_string_results, s};

    #[test]
    fn base64_round_trips_and_reports_bad_input() {
        assert!(base64decode(vec![s("!!")]).is_err());
        assert!(base64decode(vec![s("/w==")]).is_err());
        assert!(textencodebase64(vec![s("x"), s("klingon")]).is_err());
        assert_string_results(&[
            (base64encode, &["Hello"], "SGVsbG8="),
            (base64decode, &["SGVsbG8="], "Hello"),
            (textencodebase64, &["Hi", "UTF-16LE"], "SABpAA=="),
            (textdecodebase64, &["SABpAA==", "UTF-16LE"], "Hi"),
        ]);
    }

    #[test]
    fn urls_and_csv() {
        assert_eq!(
            urlencode(vec![s("a b/c?d=é")]),
            Ok(s("a+b%2Fc%3Fd%3D%C3%A9"))
        );
        let rows = csvdecode(vec![s("a,b\n1,2\n3,4\n")]).expect("csv");
        let Value::List(rows) = rows else {
            panic!("list expected")
        };
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].get_attr("b"), Some(&s("4")));
        assert!(csvdecode(vec![s("a,b\n1\n")]).is_err());
    }
}
