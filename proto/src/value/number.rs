//! cty numbers: integers exactly, everything else as a 64-bit float.

use std::fmt;

/// A cty number. Integers that fit in 64 bits are exact; other numbers are `f64`.
#[derive(Clone, Copy, Debug)]
pub enum Number {
    Int(i64),
    Float(f64),
}

impl Number {
    pub fn as_f64(&self) -> f64 {
        match *self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }

    /// The exact integer value, if this number is integral and fits in an `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Number::Int(i) => Some(i),
            Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Some(f as i64),
            Number::Float(_) => None,
        }
    }

    /// Normalizes integral floats to `Int`.
    pub fn from_f64(f: f64) -> Number {
        if f.fract() == 0.0 && f.abs() < 9.0e15 {
            Number::Int(f as i64)
        } else {
            Number::Float(f)
        }
    }

    /// An unsigned integer; values beyond `i64::MAX` become (rounded) floats.
    pub fn from_u64(u: u64) -> Number {
        match i64::try_from(u) {
            Ok(i) => Number::Int(i),
            Err(_) => Number::Float(u as f64),
        }
    }

    /// Parses a decimal number as cty writes one in text (`42`, `-1.5`, `1e3`).
    /// Returns `None` for anything that is not a number, including NaN.
    pub fn parse_decimal(text: &str) -> Option<Number> {
        let text = text.trim();
        if let Ok(i) = text.parse::<i64>() {
            return Some(Number::Int(i));
        }
        let looks_numeric = text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | 'e' | 'E'));
        if !looks_numeric || text.is_empty() {
            return None;
        }
        let f: f64 = text.parse().ok()?;
        f.is_finite().then(|| Number::from_f64(f))
    }

    /// The JSON number; `None` for infinities and NaN, which JSON cannot express.
    pub fn to_json(&self) -> Option<serde_json::Number> {
        match self.as_i64() {
            Some(i) => Some(serde_json::Number::from(i)),
            None => serde_json::Number::from_f64(self.as_f64()),
        }
    }

    /// The number a JSON number denotes.
    pub fn from_json(number: &serde_json::Number) -> Number {
        if let Some(i) = number.as_i64() {
            Number::Int(i)
        } else if let Some(u) = number.as_u64() {
            Number::from_u64(u)
        } else {
            Number::from_f64(number.as_f64().unwrap_or(f64::NAN))
        }
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Self) -> bool {
        match (self.as_i64(), other.as_i64()) {
            (Some(a), Some(b)) => a == b,
            _ => self.as_f64() == other.as_f64(),
        }
    }
}

impl fmt::Display for Number {
    /// Formats as Terraform does: integers without a fraction, others in shortest form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Number::Int(i) => write!(f, "{i}"),
            Number::Float(x) => write!(f, "{x}"),
        }
    }
}
