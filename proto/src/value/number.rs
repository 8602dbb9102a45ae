//! cty numbers: binary floating point with a precision carried by each value, as Go's
//! `math/big.Float` that cty is built on. Integers from the wire have 64 bits, `f64`s 53, and
//! numbers read from text (literals, strings, JSON) 512; arithmetic keeps the larger
//! precision of its operands, so `1/3` has 512 bits and `pow(2, 100)` (computed in `f64`)
//! has 53, and each prints with the shortest digits that denote it at its own precision.

mod arithmetic;
mod binary;
mod decimal;
mod text;

use std::fmt;

use num_bigint::BigUint;

use binary::Magnitude;
use decimal::Decimal;

/// The precision of numbers parsed from text, as cty's `ParseNumberVal`.
pub(super) const PARSE_PRECISION: u32 = 512;
/// The precision of numbers made from 64-bit integers (`SetInt64`).
const INTEGER_PRECISION: u32 = 64;
/// The precision of numbers made from `f64`s (`SetFloat64`).
const FLOAT_PRECISION: u32 = 53;

/// A cty number.
#[derive(Clone, Debug)]
pub struct Number {
    negative: bool,
    magnitude: Magnitude,
    precision: u32,
}

/// An operation whose result is not a number, such as `0/0` or `∞ - ∞`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotANumber;

impl Number {
    /// An integer, exactly (cty's `NumberIntVal`).
    #[allow(non_snake_case)]
    pub fn Int(value: i64) -> Number {
        Number::from_i64(value)
    }

    /// An `f64`, exactly (cty's `NumberFloatVal`).
    #[allow(non_snake_case)]
    pub fn Float(value: f64) -> Number {
        Number::from_f64(value)
    }

    /// An integer, exactly, with 64 bits of precision.
    pub fn from_i64(value: i64) -> Number {
        Number::from_integer(value < 0, BigUint::from(value.unsigned_abs()))
    }

    /// An unsigned integer, exactly, with 64 bits of precision.
    pub fn from_u64(value: u64) -> Number {
        Number::from_integer(false, BigUint::from(value))
    }

    /// An `f64`, exactly, with 53 bits of precision. NaN, which cty cannot hold, becomes 0.
    pub fn from_f64(value: f64) -> Number {
        let magnitude = if value.is_nan() {
            Magnitude::Zero
        } else {
            binary::from_f64_magnitude(value)
        };
        Number {
            negative: value.is_sign_negative() && !value.is_nan(),
            magnitude,
            precision: FLOAT_PRECISION,
        }
    }

    /// An integer of any size, exactly; the precision is its bit length but at least 64
    /// (Go's `SetInt`).
    fn from_integer(negative: bool, value: BigUint) -> Number {
        let precision = (value.bits() as u32).max(INTEGER_PRECISION);
        Number {
            negative,
            magnitude: binary::finite(value, 0, precision),
            precision,
        }
    }

    /// Positive or negative infinity.
    pub fn infinity(negative: bool) -> Number {
        Number {
            negative,
            magnitude: Magnitude::Infinite,
            precision: 0,
        }
    }

    /// Parses a number as cty reads one from text (`42`, `-1.5`, `1e3`, `Inf`), rounded to
    /// 512 bits exactly as Go's `big.ParseFloat` rounds. `None` for anything else.
    pub fn parse_decimal(text: &str) -> Option<Number> {
        text::parse_decimal(text, PARSE_PRECISION)
    }

    /// Parses an integer written in `radix` (2 to 62) as Go's `big.Int.SetString` does: an
    /// optional sign, then digits `0-9`, `a-z`, `A-Z` (letters ignore case up to base 36).
    pub fn parse_integer(text: &str, radix: u32) -> Option<Number> {
        let (negative, digits) = text::parse_integer(text, radix)?;
        Some(Number::from_integer(negative, digits))
    }

    /// The nearest `f64`.
    pub fn as_f64(&self) -> f64 {
        let (magnitude, _) = binary::to_f64_magnitude(&self.magnitude);
        if self.negative { -magnitude } else { magnitude }
    }

    /// The `f64` this number equals, if there is one.
    pub fn exact_f64(&self) -> Option<f64> {
        let (magnitude, exact) = binary::to_f64_magnitude(&self.magnitude);
        exact.then_some(if self.negative { -magnitude } else { magnitude })
    }

    /// The exact integer value, if this number is integral and fits in an `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        let (negative, integer) = self.integer_part()?;
        if integer.1 {
            return None;
        }
        let value = i128::from(u64::try_from(&integer.0).ok()?);
        i64::try_from(if negative { -value } else { value }).ok()
    }

    /// Whether this number is a whole number (infinities are not).
    pub fn is_integer(&self) -> bool {
        self.integer_part()
            .is_some_and(|(_, (_, inexact))| !inexact)
    }

    pub fn is_infinite(&self) -> bool {
        self.magnitude == Magnitude::Infinite
    }

    /// -1, 0 or 1; zero of either sign is 0.
    pub fn signum(&self) -> i32 {
        match (&self.magnitude, self.negative) {
            (Magnitude::Zero, _) => 0,
            (_, true) => -1,
            (_, false) => 1,
        }
    }

    /// The integer part (truncated toward zero) and whether anything was cut off;
    /// `None` for infinities.
    fn integer_part(&self) -> Option<(bool, (BigUint, bool))> {
        let part = match &self.magnitude {
            Magnitude::Infinite => return None,
            Magnitude::Zero => (BigUint::default(), false),
            Magnitude::Finite { mantissa, exponent } if *exponent >= 0 => {
                (mantissa << *exponent as u64, false)
            }
            Magnitude::Finite { mantissa, exponent } => (mantissa >> (-*exponent) as u64, true),
        };
        Some((self.negative, part))
    }

    /// The digits of an integral number (`%d`); `None` if it has a fraction or is infinite.
    pub fn integer_text(&self) -> Option<String> {
        let (negative, (integer, inexact)) = self.integer_part()?;
        if inexact {
            return None;
        }
        let sign = if negative && integer != BigUint::default() {
            "-"
        } else {
            ""
        };
        Some(format!("{sign}{integer}"))
    }

    /// Go's `big.Float.Text(format, precision)` for `format` one of `e`, `E`, `f`, `g`,
    /// `G`; `None` asks for the shortest digits that denote this number.
    pub fn text(&self, format: char, precision: Option<usize>) -> String {
        text::format(self, format, precision)
    }

    /// This number as JSON, with every digit Terraform writes (`Text('f', -1)`: `0.3`,
    /// `12345678901234567890`); `None` for infinities, which JSON cannot express.
    pub fn to_json(&self) -> Option<serde_json::Number> {
        if let Some(i) = self.as_i64() {
            return Some(serde_json::Number::from(i));
        }
        if self.is_infinite() {
            return None;
        }
        self.to_string().parse().ok()
    }

    /// The number a JSON number denotes (its text read as cty reads JSON numbers).
    pub fn from_json(number: &serde_json::Number) -> Number {
        if let Some(i) = number.as_i64() {
            return Number::from_i64(i);
        }
        if let Some(u) = number.as_u64() {
            return Number::from_u64(u);
        }
        Number::parse_decimal(&number.to_string())
            .unwrap_or_else(|| Number::from_f64(number.as_f64().unwrap_or(0.0)))
    }

    fn decimal_digits(&self) -> Decimal {
        match &self.magnitude {
            Magnitude::Finite { mantissa, exponent } => Decimal::exact(mantissa, *exponent),
            _ => Decimal::default(),
        }
    }
}

impl PartialEq for Number {
    /// cty's number equality: integers compare exactly, other numbers by their shortest
    /// decimal text, and `-0` equals `0`.
    fn eq(&self, other: &Self) -> bool {
        if self.signum() != other.signum() {
            return false;
        }
        match (self.integer_part(), other.integer_part()) {
            (Some((_, (a, false))), Some((_, (b, false)))) => a == b,
            (Some((_, (_, false))), _) | (_, Some((_, (_, false)))) => false,
            _ => self.to_string() == other.to_string(),
        }
    }
}

impl fmt::Display for Number {
    /// Formats as Terraform does (`Text('f', -1)`): all integer digits, no exponent, and the
    /// shortest fraction that denotes the number at its precision; `+Inf`, `-Inf`, `-0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // An integer whose every neighbour at this precision is one away prints all of its
        // digits, as the general formatting would find at far greater cost.
        if let Some(integer) = self.as_i64()
            && !(self.negative && self.magnitude == Magnitude::Zero)
            && u128::from(integer.unsigned_abs()) < 1u128 << self.precision.min(64)
        {
            return write!(f, "{integer}");
        }
        f.write_str(&self.text('f', None))
    }
}

#[cfg(test)]
mod tests;
