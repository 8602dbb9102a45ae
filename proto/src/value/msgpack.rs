//! The msgpack encoding of cty values used by `DynamicValue.msgpack`, with go-cty's semantics:
//!
//! - null is `nil`; unknown is the extension `d4 00 00` (fixext1, type 0); when decoding, any
//!   extension (for example a refined unknown) is unknown;
//! - integers are msgpack integers in their most compact form, other numbers float64; decimal
//!   strings are accepted for numbers when decoding;
//! - objects and maps are msgpack maps with string keys; an object carries every attribute of
//!   its type, sorted by name; lists, sets and tuples are arrays;
//! - a value in a `dynamic` slot is `[type JSON as bin, value encoded with that type]`.

use std::collections::BTreeMap;

use super::{Number, PathStep, Type, Value, ValueError, type_from_json, type_to_json};

/// The bytes of an unknown value: fixext1, extension type 0, one zero data byte.
const UNKNOWN: [u8; 3] = [0xd4, 0, 0];

/// Encodes `value` as a value of type `ty`.
pub fn encode_msgpack(value: &Value, ty: &Type) -> Result<Vec<u8>, ValueError> {
    let mut out = Vec::with_capacity(64);
    encode(value, ty, &mut Vec::new(), &mut out)?;
    Ok(out)
}

/// Decodes a value of type `ty`. Any extension type decodes as unknown.
pub fn decode_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, ValueError> {
    let mut reader = Reader { bytes, pos: 0 };
    let value = decode(&mut reader, ty, &mut Vec::new())?;
    if reader.pos != bytes.len() {
        return Err(ValueError::Msgpack(format!(
            "{} unexpected bytes after the value",
            bytes.len() - reader.pos
        )));
    }
    Ok(value)
}

fn write_failed<E: std::fmt::Display>(err: E) -> ValueError {
    ValueError::Msgpack(format!("write failed: {err}"))
}

/// One step of the path to the part being encoded or decoded, borrowed from the value, its
/// type or the input bytes: made into a [`PathStep`] only when an error names it, so that
/// walking a value allocates nothing for its path.
#[derive(Clone, Copy)]
enum Step<'p> {
    Attribute(&'p str),
    Key(&'p str),
    Index(usize),
}

/// A mismatch at `path` (empty for the root) against the expected type.
fn mismatch(ty: &Type, path: &[Step<'_>], problem: &str) -> ValueError {
    let steps: Vec<PathStep> = path
        .iter()
        .map(|step| match *step {
            Step::Attribute(name) => PathStep::Attribute(name.to_string()),
            Step::Key(key) => PathStep::StringKey(key.to_string()),
            Step::Index(index) => PathStep::IntKey(index as i64),
        })
        .collect();
    ValueError::mismatch(ty, &steps, problem)
}

fn encode<'p>(
    value: &'p Value,
    ty: &'p Type,
    path: &mut Vec<Step<'p>>,
    out: &mut Vec<u8>,
) -> Result<(), ValueError> {
    match value {
        Value::Unknown => {
            out.extend_from_slice(&UNKNOWN);
            return Ok(());
        }
        Value::Null => {
            out.push(0xc0);
            return Ok(());
        }
        _ => {}
    }
    let mismatch = |path: &[Step<'_>], problem: &str| mismatch(ty, path, problem);
    match (ty, value) {
        (Type::Dynamic, value) => {
            let actual = value.implied_type();
            let type_json = type_to_json(&actual).to_string();
            rmp::encode::write_array_len(out, 2).map_err(write_failed)?;
            rmp::encode::write_bin(out, type_json.as_bytes()).map_err(write_failed)?;
            // The implied type lives only here: its steps go on a path of their own.
            let mut inner: Vec<Step<'_>> = path.clone();
            encode(value, &actual, &mut inner, out)?;
        }
        (Type::String, Value::String(s)) => {
            rmp::encode::write_str(out, s).map_err(write_failed)?;
        }
        (Type::Number, Value::Number(n)) => write_number(out, n)?,
        (Type::Bool, Value::Bool(b)) => {
            rmp::encode::write_bool(out, *b).map_err(write_failed)?;
        }
        (
            Type::List(element) | Type::Set(element),
            Value::List(items) | Value::Set(items) | Value::Tuple(items),
        ) => {
            rmp::encode::write_array_len(out, len_u32(items.len())?).map_err(write_failed)?;
            for (index, item) in items.iter().enumerate() {
                path.push(Step::Index(index));
                encode(item, element, path, out)?;
                path.pop();
            }
        }
        (Type::Map(element), Value::Map(entries) | Value::Object(entries)) => {
            rmp::encode::write_map_len(out, len_u32(entries.len())?).map_err(write_failed)?;
            for (key, item) in entries {
                rmp::encode::write_str(out, key).map_err(write_failed)?;
                path.push(Step::Key(key));
                encode(item, element, path, out)?;
                path.pop();
            }
        }
        (Type::Object(attributes), Value::Object(entries) | Value::Map(entries)) => {
            if let Some(extra) = entries.keys().find(|name| !attributes.contains_key(*name)) {
                return Err(mismatch(path, &format!("unsupported attribute {extra:?}")));
            }
            rmp::encode::write_map_len(out, len_u32(attributes.len())?).map_err(write_failed)?;
            for (name, attribute_type) in attributes {
                rmp::encode::write_str(out, name).map_err(write_failed)?;
                path.push(Step::Attribute(name));
                encode(
                    entries.get(name).unwrap_or(&Value::Null),
                    attribute_type,
                    path,
                    out,
                )?;
                path.pop();
            }
        }
        (Type::Tuple(element_types), Value::Tuple(items) | Value::List(items)) => {
            if items.len() != element_types.len() {
                return Err(mismatch(
                    path,
                    &format!("a tuple of length {} is required", element_types.len()),
                ));
            }
            rmp::encode::write_array_len(out, len_u32(items.len())?).map_err(write_failed)?;
            for (index, (item, element)) in items.iter().zip(element_types).enumerate() {
                path.push(Step::Index(index));
                encode(item, element, path, out)?;
                path.pop();
            }
        }
        (_, other) => {
            return Err(mismatch(
                path,
                &format!(
                    "{} is required, found {}",
                    ty.friendly_name(),
                    other.kind_name()
                ),
            ));
        }
    }
    Ok(())
}

/// As cty writes numbers: an exact `i64` as an integer, else an exact `f64` as a float,
/// else the decimal text.
fn write_number(out: &mut Vec<u8>, number: &Number) -> Result<(), ValueError> {
    if let Some(i) = number.as_i64() {
        return rmp::encode::write_sint(out, i)
            .map(drop)
            .map_err(write_failed);
    }
    match number.exact_f64() {
        Some(f) => rmp::encode::write_f64(out, f).map_err(write_failed),
        None => rmp::encode::write_str(out, &number.to_string()).map_err(write_failed),
    }
}

fn len_u32(len: usize) -> Result<u32, ValueError> {
    u32::try_from(len)
        .map_err(|_| ValueError::Msgpack(format!("collection of {len} elements is too large")))
}

/// A cursor over msgpack bytes.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Result<u8, ValueError> {
        self.bytes
            .get(self.pos)
            .copied()
            .ok_or_else(|| self.truncated())
    }

    fn truncated(&self) -> ValueError {
        ValueError::Msgpack(format!("unexpected end of data at byte {}", self.pos))
    }

    fn take(&mut self, count: usize) -> Result<&'a [u8], ValueError> {
        let end = self
            .pos
            .checked_add(count)
            .filter(|end| *end <= self.bytes.len());
        let end = end.ok_or_else(|| self.truncated())?;
        let slice = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], ValueError> {
        let mut array = [0u8; N];
        array.copy_from_slice(self.take(N)?);
        Ok(array)
    }

    fn u8(&mut self) -> Result<u8, ValueError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, ValueError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    fn u32(&mut self) -> Result<u32, ValueError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64, ValueError> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    /// The marker of the next value, consumed.
    fn marker(&mut self) -> Result<rmp::Marker, ValueError> {
        Ok(rmp::Marker::from_u8(self.u8()?))
    }

    /// Skips an extension value whose marker is next.
    fn skip_extension(&mut self) -> Result<(), ValueError> {
        use rmp::Marker;
        let data_len = match self.marker()? {
            Marker::FixExt1 => 1,
            Marker::FixExt2 => 2,
            Marker::FixExt4 => 4,
            Marker::FixExt8 => 8,
            Marker::FixExt16 => 16,
            Marker::Ext8 => usize::from(self.u8()?),
            Marker::Ext16 => usize::from(self.u16()?),
            Marker::Ext32 => self.u32()? as usize,
            other => {
                return Err(ValueError::Msgpack(format!(
                    "expected an extension, found {other:?}"
                )));
            }
        };
        self.take(1 + data_len).map(drop)
    }

    /// Reads a string or binary payload whose marker was already consumed.
    fn string_payload(&mut self, marker: rmp::Marker) -> Result<Option<&'a [u8]>, ValueError> {
        use rmp::Marker;
        let len = match marker {
            Marker::FixStr(len) => usize::from(len),
            Marker::Str8 | Marker::Bin8 => usize::from(self.u8()?),
            Marker::Str16 | Marker::Bin16 => usize::from(self.u16()?),
            Marker::Str32 | Marker::Bin32 => self.u32()? as usize,
            _ => return Ok(None),
        };
        self.take(len).map(Some)
    }

    fn array_len(&mut self, marker: rmp::Marker) -> Result<Option<usize>, ValueError> {
        self.collection_len(marker, false)
    }

    fn map_len(&mut self, marker: rmp::Marker) -> Result<Option<usize>, ValueError> {
        self.collection_len(marker, true)
    }

    /// The length of an array (or, with `map`, a map) whose header starts with `marker`;
    /// `None` when the marker starts something else.
    fn collection_len(
        &mut self,
        marker: rmp::Marker,
        map: bool,
    ) -> Result<Option<usize>, ValueError> {
        use rmp::Marker;
        Ok(match (map, marker) {
            (false, Marker::FixArray(len)) | (true, Marker::FixMap(len)) => Some(usize::from(len)),
            (false, Marker::Array16) | (true, Marker::Map16) => Some(usize::from(self.u16()?)),
            (false, Marker::Array32) | (true, Marker::Map32) => Some(self.u32()? as usize),
            _ => None,
        })
    }

    /// A capacity hint that a hostile length prefix cannot inflate beyond the input size.
    fn capacity_for(&self, len: usize) -> usize {
        len.min(self.bytes.len() - self.pos)
    }
}

fn is_extension(byte: u8) -> bool {
    matches!(byte, 0xc7..=0xc9 | 0xd4..=0xd8)
}

fn decode<'r: 'p, 'p>(
    reader: &mut Reader<'r>,
    ty: &'p Type,
    path: &mut Vec<Step<'p>>,
) -> Result<Value, ValueError> {
    let next = reader.peek()?;
    if is_extension(next) {
        reader.skip_extension()?;
        return Ok(Value::Unknown);
    }
    if next == 0xc0 {
        reader.pos += 1;
        return Ok(Value::Null);
    }
    let marker = reader.marker()?;
    match ty {
        Type::Dynamic => decode_dynamic(reader, marker, ty, path),
        Type::Bool | Type::Number | Type::String => decode_primitive(reader, marker, ty, path),
        Type::List(element) | Type::Set(element) => {
            decode_sequence(reader, marker, ty, element, path)
        }
        Type::Map(element) => {
            let entries = decode_entries(reader, marker, ty, path, "a map is required", |key| {
                Ok((Step::Key(key), &**element))
            })?;
            Ok(Value::Map(entries))
        }
        Type::Object(attributes) => {
            let entries =
                decode_entries(reader, marker, ty, path, "an object is required", |name| {
                    let (name, attribute_type) = attributes
                        .get_key_value(name)
                        .ok_or_else(|| format!("unsupported attribute {name:?}"))?;
                    Ok((Step::Attribute(name), attribute_type))
                })?;
            Ok(Value::object_of_type(entries, attributes))
        }
        Type::Tuple(element_types) => decode_tuple(reader, marker, ty, element_types, path),
    }
}

/// A dynamically-typed value: the array of its type's JSON and the value of that type.
fn decode_dynamic<'r: 'p, 'p>(
    reader: &mut Reader<'r>,
    marker: rmp::Marker,
    ty: &Type,
    path: &mut Vec<Step<'p>>,
) -> Result<Value, ValueError> {
    if reader.array_len(marker)? != Some(2) {
        return Err(mismatch(
            ty,
            path,
            "dynamic value array must have exactly two elements",
        ));
    }
    let type_marker = reader.marker()?;
    let type_json = reader
        .string_payload(type_marker)?
        .ok_or_else(|| mismatch(ty, path, "dynamic value must start with its type JSON"))?;
    let json: serde_json::Value = serde_json::from_slice(type_json)
        .map_err(|err| mismatch(ty, path, &format!("invalid type JSON: {err}")))?;
    let actual = type_from_json(&json)?;
    // The type read here lives only here: its steps go on a path of their own.
    let mut inner: Vec<Step<'_>> = path.clone();
    decode(reader, &actual, &mut inner)
}

/// A bool, a number or a string.
fn decode_primitive(
    reader: &mut Reader<'_>,
    marker: rmp::Marker,
    ty: &Type,
    path: &[Step<'_>],
) -> Result<Value, ValueError> {
    let mismatch = |problem: &str| mismatch(ty, path, problem);
    match ty {
        Type::Bool => match marker {
            rmp::Marker::True => Ok(Value::Bool(true)),
            rmp::Marker::False => Ok(Value::Bool(false)),
            _ => Err(mismatch("bool is required")),
        },
        Type::Number => decode_number(reader, marker)?
            .map(Value::Number)
            .ok_or_else(|| mismatch("number is required")),
        _ => {
            let bytes = reader
                .string_payload(marker)?
                .ok_or_else(|| mismatch("string is required"))?;
            let text =
                std::str::from_utf8(bytes).map_err(|_| mismatch("string is not valid UTF-8"))?;
            Ok(Value::String(text.to_string()))
        }
    }
}

/// A list or a set of `element`s.
fn decode_sequence<'r: 'p, 'p>(
    reader: &mut Reader<'r>,
    marker: rmp::Marker,
    ty: &Type,
    element: &'p Type,
    path: &mut Vec<Step<'p>>,
) -> Result<Value, ValueError> {
    let is_set = matches!(ty, Type::Set(_));
    let required = if is_set {
        "a set is required"
    } else {
        "a list is required"
    };
    let len = reader
        .array_len(marker)?
        .ok_or_else(|| mismatch(ty, path, required))?;
    let items = decode_elements(reader, std::iter::repeat_n(element, len), len, path)?;
    Ok(Value::list_or_set(items, is_set))
}

fn decode_tuple<'r: 'p, 'p>(
    reader: &mut Reader<'r>,
    marker: rmp::Marker,
    ty: &Type,
    element_types: &'p [Type],
    path: &mut Vec<Step<'p>>,
) -> Result<Value, ValueError> {
    let len = reader
        .array_len(marker)?
        .ok_or_else(|| mismatch(ty, path, "a tuple is required"))?;
    if len != element_types.len() {
        return Err(mismatch(
            ty,
            path,
            &format!("a tuple of length {} is required", element_types.len()),
        ));
    }
    let items = decode_elements(reader, element_types.iter(), len, path)?;
    Ok(Value::Tuple(items))
}

/// The elements of an array, one of each type `types` gives, at their indexes.
fn decode_elements<'r: 'p, 'p>(
    reader: &mut Reader<'r>,
    types: impl Iterator<Item = &'p Type>,
    len: usize,
    path: &mut Vec<Step<'p>>,
) -> Result<Vec<Value>, ValueError> {
    let mut items = Vec::with_capacity(reader.capacity_for(len));
    for (index, element) in types.enumerate() {
        path.push(Step::Index(index));
        items.push(decode(reader, element, path)?);
        path.pop();
    }
    Ok(items)
}

/// The entries of a map or an object; `slot` gives each key's path step and type, or why the
/// key is not allowed.
fn decode_entries<'r: 'p, 'p>(
    reader: &mut Reader<'r>,
    marker: rmp::Marker,
    ty: &Type,
    path: &mut Vec<Step<'p>>,
    required: &str,
    slot: impl Fn(&'p str) -> Result<(Step<'p>, &'p Type), String>,
) -> Result<BTreeMap<String, Value>, ValueError> {
    let len = reader
        .map_len(marker)?
        .ok_or_else(|| mismatch(ty, path, required))?;
    let mut entries = BTreeMap::new();
    for _ in 0..len {
        let key = decode_key(reader).map_err(|problem| mismatch(ty, path, problem))?;
        let (step, item_type) = slot(key).map_err(|problem| mismatch(ty, path, &problem))?;
        path.push(step);
        let item = decode(reader, item_type, path)?;
        path.pop();
        entries.insert(key.to_string(), item);
    }
    Ok(entries)
}

/// A map key, borrowed from the input.
fn decode_key<'r>(reader: &mut Reader<'r>) -> Result<&'r str, &'static str> {
    let marker = reader.marker().map_err(|_| "truncated map key")?;
    let bytes = reader
        .string_payload(marker)
        .map_err(|_| "truncated map key")?
        .ok_or("all keys must be strings")?;
    std::str::from_utf8(bytes).map_err(|_| "key is not valid UTF-8")
}

/// A number from an integer, a float or a decimal string; `None` when the marker is none.
fn decode_number(
    reader: &mut Reader<'_>,
    marker: rmp::Marker,
) -> Result<Option<Number>, ValueError> {
    use rmp::Marker;
    Ok(Some(match marker {
        Marker::FixPos(n) => Number::Int(i64::from(n)),
        Marker::FixNeg(n) => Number::Int(i64::from(n)),
        Marker::U8 => Number::Int(i64::from(reader.u8()?)),
        Marker::U16 => Number::Int(i64::from(reader.u16()?)),
        Marker::U32 => Number::Int(i64::from(reader.u32()?)),
        Marker::U64 => Number::from_u64(reader.u64()?),
        Marker::I8 => Number::Int(i64::from(reader.u8()? as i8)),
        Marker::I16 => Number::Int(i64::from(reader.u16()? as i16)),
        Marker::I32 => Number::Int(i64::from(reader.u32()? as i32)),
        Marker::I64 => Number::Int(reader.u64()? as i64),
        Marker::F32 => Number::from_f64(f64::from(f32::from_bits(reader.u32()?))),
        Marker::F64 => match f64::from_bits(reader.u64()?) {
            nan if nan.is_nan() => return Ok(None),
            f => Number::from_f64(f),
        },
        other => {
            let Some(bytes) = reader.string_payload(other)? else {
                return Ok(None);
            };
            let Some(number) = std::str::from_utf8(bytes)
                .ok()
                .and_then(Number::parse_decimal)
            else {
                return Ok(None);
            };
            number
        }
    }))
}

#[cfg(test)]
mod tests;
