//! The state file's text layout (`serde_json`'s pretty printer, two spaces a level) for a
//! document whose stored objects are held as compact JSON text: such a text is written
//! indented where it stands, byte for byte as the pretty printer writes its parsed value.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};

use super::stored_json::string_end;

/// The pretty-printed JSON of `value`, compact texts ([`super::StoredJson`]) re-indented.
pub(crate) fn to_vec_pretty<T: Serialize + ?Sized>(
    value: &T,
) -> Result<Vec<u8>, serde_json::Error> {
    let mut bytes = Vec::new();
    let formatter = IndentingFormatter {
        pretty: PrettyFormatter::new(),
        depth: 0,
    };
    let mut serializer = serde_json::Serializer::with_formatter(&mut bytes, formatter);
    value.serialize(&mut serializer)?;
    Ok(bytes)
}

/// The pretty printer, counting its nesting depth so that a compact text met at that depth
/// is indented to match.
struct IndentingFormatter {
    pretty: PrettyFormatter<'static>,
    depth: usize,
}

impl Formatter for IndentingFormatter {
    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.depth += 1;
        self.pretty.begin_array(writer)
    }

    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.depth = self.depth.saturating_sub(1);
        self.pretty.end_array(writer)
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.pretty.begin_array_value(writer, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_array_value(writer)
    }

    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.depth += 1;
        self.pretty.begin_object(writer)
    }

    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.depth = self.depth.saturating_sub(1);
        self.pretty.end_object(writer)
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.pretty.begin_object_key(writer, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.begin_object_value(writer)
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.pretty.end_object_value(writer)
    }

    fn write_raw_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        write_indented(writer, fragment.as_bytes(), self.depth)
    }
}

/// Writes compact JSON `text` as the pretty printer writes its value at nesting `depth`:
/// each entry of a non-empty object or array on a line of its own, `": "` after keys.
pub(crate) fn write_indented<W: ?Sized + Write>(
    writer: &mut W,
    text: &[u8],
    depth: usize,
) -> io::Result<()> {
    let mut level = depth;
    let mut copied = 0;
    let mut at = 0;
    while at < text.len() {
        match text[at] {
            b'"' => {
                at = string_end(text, at);
                continue;
            }
            open @ (b'{' | b'[') => {
                let close = if open == b'{' { b'}' } else { b']' };
                if text.get(at + 1) == Some(&close) {
                    at += 2;
                    continue;
                }
                writer.write_all(&text[copied..=at])?;
                level += 1;
                new_line(writer, level)?;
            }
            b'}' | b']' => {
                writer.write_all(&text[copied..at])?;
                level = level.saturating_sub(1);
                new_line(writer, level)?;
                writer.write_all(&text[at..=at])?;
            }
            b',' => {
                writer.write_all(&text[copied..=at])?;
                new_line(writer, level)?;
            }
            b':' => {
                writer.write_all(&text[copied..=at])?;
                writer.write_all(b" ")?;
            }
            _ => {
                at += 1;
                continue;
            }
        }
        at += 1;
        copied = at;
    }
    writer.write_all(&text[copied..])
}

fn new_line<W: ?Sized + Write>(writer: &mut W, level: usize) -> io::Result<()> {
    writer.write_all(b"\n")?;
    for _ in 0..level {
        writer.write_all(b"  ")?;
    }
    Ok(())
}
