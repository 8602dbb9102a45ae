//! Numbers to and from text: Go's `big.ParseFloat` (base 10, with its exact rounding
//! steps), `big.Int.SetString` for any base, and `big.Float.Text`.

use num_bigint::BigUint;
use num_traits::Zero;

use super::Number;
use super::binary::{self, Magnitude};
use super::decimal::Decimal;

/// Decimal exponents beyond this are refused rather than expanded.
const EXPONENT_LIMIT: i64 = 1_000_000;

/// Parses `[+-](digits[.digits]|.digits)[(e|E|p|P)[+-]digits]` or `[+-](Inf|inf)`.
pub(super) fn parse_decimal(text: &str, precision: u32) -> Option<Number> {
    let (negative, rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "Inf" || rest == "inf" {
        return Some(Number::infinity(negative));
    }
    let bytes = rest.as_bytes();
    let mut index = 0;
    let mut digits = String::new();
    let mut fraction_digits: i64 = 0;
    let mut seen_point = false;
    while index < bytes.len() {
        match bytes[index] {
            b'0'..=b'9' => {
                digits.push(bytes[index] as char);
                if seen_point {
                    fraction_digits += 1;
                }
            }
            b'.' if !seen_point => seen_point = true,
            _ => break,
        }
        index += 1;
    }
    if digits.is_empty() {
        return None;
    }
    let (mut exponent10, mut exponent2) = (-fraction_digits, 0i64);
    if index < bytes.len() {
        let binary_exponent = match bytes[index] {
            b'e' | b'E' => false,
            b'p' | b'P' => true,
            _ => return None,
        };
        let exponent_text = &rest[index + 1..];
        let unsigned = exponent_text.trim_start_matches(['+', '-']);
        if unsigned.is_empty()
            || exponent_text.len() - unsigned.len() > 1
            || !unsigned.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let exponent: i64 = exponent_text.parse().ok()?;
        if binary_exponent {
            exponent2 = exponent;
        } else {
            exponent10 += exponent;
        }
    }
    if exponent10.abs() > EXPONENT_LIMIT || exponent2.abs() > 4 * EXPONENT_LIMIT {
        return None;
    }
    let mantissa: BigUint = digits.parse().ok()?;
    let magnitude = if mantissa.is_zero() {
        Magnitude::Zero
    } else {
        scale_by_ten(mantissa, exponent10, exponent2, precision)
    };
    Some(Number {
        negative,
        magnitude,
        precision,
    })
}

/// `mantissa × 10^exponent10 × 2^exponent2` rounded as Go's parser rounds it: the power of
/// five at `precision + 64` bits, then one correctly rounded multiplication or division.
fn scale_by_ten(mantissa: BigUint, exponent10: i64, exponent2: i64, precision: u32) -> Magnitude {
    let exponent = exponent10 + exponent2;
    let (mantissa, exponent) = if exponent10 == 0 {
        binary::round(mantissa, exponent, precision)
    } else {
        let (five_mantissa, five_exponent) =
            binary::power_of_five(exponent10.unsigned_abs(), precision + 64);
        if exponent10 > 0 {
            binary::round(
                mantissa * five_mantissa,
                exponent + five_exponent,
                precision,
            )
        } else {
            binary::quotient(
                (&mantissa, exponent),
                (&five_mantissa, five_exponent),
                precision,
            )
        }
    };
    Magnitude::Finite { mantissa, exponent }
}

/// An optionally signed integer in `radix`; `None` if any digit is out of range.
pub(super) fn parse_integer(text: &str, radix: u32) -> Option<(bool, BigUint)> {
    if !(2..=62).contains(&radix) {
        return None;
    }
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() {
        return None;
    }
    let mut values = Vec::with_capacity(digits.len());
    for c in digits.bytes() {
        let value = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'z' => c - b'a' + 10,
            b'A'..=b'Z' if radix <= 36 => c - b'A' + 10,
            b'A'..=b'Z' => c - b'A' + 36,
            _ => return None,
        };
        if u32::from(value) >= radix {
            return None;
        }
        values.push(value);
    }
    Some((negative, BigUint::from_radix_be(&values, radix)?))
}

/// Go's `big.Float.Text`.
pub(super) fn format(number: &Number, format: char, precision: Option<usize>) -> String {
    let mut out = String::new();
    if number.negative {
        out.push('-');
    }
    if number.is_infinite() {
        if !number.negative {
            out.push('+');
        }
        out.push_str("Inf");
        return out;
    }
    let shortest = precision.is_none();
    let mut digits = match (&number.magnitude, precision) {
        (Magnitude::Finite { mantissa, exponent }, None) => {
            Decimal::shortest(mantissa, *exponent, number.precision.max(1))
        }
        _ => number.decimal_digits(),
    };
    let count = digits.digit_count() as i64;
    let precision: i64 = match (precision, format) {
        (None, 'e' | 'E') => count - 1,
        (None, 'f') => (count - digits.point()).max(0),
        (None, _) => count,
        (Some(p), 'e' | 'E') => {
            digits.round_signed(1 + p as i64);
            p as i64
        }
        (Some(p), 'f') => {
            digits.round_signed(digits.point() + p as i64);
            p as i64
        }
        (Some(p), _) => {
            let p = (p as i64).max(1);
            digits.round_signed(p);
            p
        }
    };
    let body = match format {
        'e' | 'E' => digits.exponential(format, precision.max(0) as usize),
        'f' => digits.fixed(precision.max(0) as usize),
        _ => general(&digits, format, precision, shortest),
    };
    out.push_str(&body);
    out
}

/// `%g`: exponential when the exponent is below -4 or at least the precision (6 when the
/// digits are the shortest), fixed otherwise.
fn general(digits: &Decimal, format: char, precision: i64, shortest: bool) -> String {
    let count = digits.digit_count() as i64;
    let mut exponent_precision = precision;
    if exponent_precision > count && count >= digits.point() {
        exponent_precision = count;
    }
    if shortest {
        exponent_precision = 6;
    }
    let exponent = digits.point() - 1;
    if exponent < -4 || exponent >= exponent_precision {
        let precision = precision.min(count);
        let letter = if format == 'G' { 'E' } else { 'e' };
        return digits.exponential(letter, (precision - 1).max(0) as usize);
    }
    let precision = if precision > digits.point() {
        count
    } else {
        precision
    };
    digits.fixed((precision - digits.point()).max(0) as usize)
}
