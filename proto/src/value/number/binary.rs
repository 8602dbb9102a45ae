//! Binary floating point with a per-value precision, rounding to nearest even: the
//! arithmetic of Go's `math/big.Float`, on which cty numbers are built.
//!
//! A finite magnitude is `mantissa × 2^exponent` with an odd mantissa of at most
//! `precision` bits, so equal magnitudes have equal representations.

use std::cmp::Ordering;

use num_bigint::BigUint;
use num_traits::{One, Zero};

/// The absolute value of a number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Magnitude {
    Zero,
    Finite { mantissa: BigUint, exponent: i64 },
    Infinite,
}

/// The pattern of a finite magnitude, binding its mantissa and its exponent.
macro_rules! finite_parts {
    ($mantissa:pat, $exponent:pat) => {
        Magnitude::Finite {
            mantissa: $mantissa,
            exponent: $exponent,
        }
    };
}
pub(crate) use finite_parts;

/// A finite, nonzero magnitude rounded to `precision` bits.
pub(crate) fn finite(mantissa: BigUint, exponent: i64, precision: u32) -> Magnitude {
    if mantissa.is_zero() {
        return Magnitude::Zero;
    }
    let (mantissa, exponent) = round(mantissa, exponent, precision);
    Magnitude::Finite { mantissa, exponent }
}

/// Rounds `mantissa × 2^exponent` to `precision` significant bits (nearest, ties to even)
/// and strips trailing zero bits. The mantissa must not be zero.
pub(crate) fn round(mantissa: BigUint, exponent: i64, precision: u32) -> (BigUint, i64) {
    let bits = mantissa.bits();
    let (mut mantissa, mut exponent) = if bits > u64::from(precision) {
        let shift = bits - u64::from(precision);
        let mut kept = &mantissa >> shift;
        let dropped = &mantissa - (&kept << shift);
        let half = BigUint::one() << (shift - 1);
        let odd = kept.bit(0);
        if dropped > half || (dropped == half && odd) {
            kept += 1u32;
        }
        (kept, exponent + shift as i64)
    } else {
        (mantissa, exponent)
    };
    let zeros = mantissa.trailing_zeros().unwrap_or(0);
    if zeros > 0 {
        mantissa >>= zeros;
        exponent += zeros as i64;
    }
    (mantissa, exponent)
}

/// The exact sum (or difference, when `subtract`) of two signed finite values, as
/// `(negative, mantissa, exponent)`; a zero mantissa means an exact zero.
pub(crate) fn add_finite(
    (a_negative, a_mantissa, a_exponent): (bool, &BigUint, i64),
    (b_negative, b_mantissa, b_exponent): (bool, &BigUint, i64),
) -> (bool, BigUint, i64) {
    let exponent = a_exponent.min(b_exponent);
    let a = a_mantissa << (a_exponent - exponent) as u64;
    let b = b_mantissa << (b_exponent - exponent) as u64;
    if a_negative == b_negative {
        return (a_negative, a + b, exponent);
    }
    match a.cmp(&b) {
        Ordering::Greater => (a_negative, a - b, exponent),
        Ordering::Less => (b_negative, b - a, exponent),
        Ordering::Equal => (false, BigUint::zero(), exponent),
    }
}

/// The quotient of two finite, nonzero magnitudes rounded to `precision` bits.
pub(crate) fn quotient(
    (a_mantissa, a_exponent): (&BigUint, i64),
    (b_mantissa, b_exponent): (&BigUint, i64),
    precision: u32,
) -> (BigUint, i64) {
    // Enough quotient bits that the rounding bit and a sticky bit are both exact.
    let wanted = i64::from(precision) + 2;
    let shift = (wanted + b_mantissa.bits() as i64 - a_mantissa.bits() as i64).max(0);
    let numerator = a_mantissa << shift as u64;
    let quotient = &numerator / b_mantissa;
    let inexact = &quotient * b_mantissa != numerator;
    let with_sticky = (quotient << 1u32) + BigUint::from(u32::from(inexact));
    round(with_sticky, a_exponent - b_exponent - shift - 1, precision)
}

/// Compares two magnitudes.
pub(crate) fn compare(a: &Magnitude, b: &Magnitude) -> Ordering {
    match (a, b) {
        (Magnitude::Zero, Magnitude::Zero) | (Magnitude::Infinite, Magnitude::Infinite) => {
            Ordering::Equal
        }
        (Magnitude::Zero, _) | (_, Magnitude::Infinite) => Ordering::Less,
        (_, Magnitude::Zero) | (Magnitude::Infinite, _) => Ordering::Greater,
        (finite_parts!(am, ae), finite_parts!(bm, be)) => {
            let a_top = am.bits() as i64 + ae;
            let b_top = bm.bits() as i64 + be;
            if a_top != b_top {
                return a_top.cmp(&b_top);
            }
            let low = (*ae).min(*be);
            (am << (ae - low) as u64).cmp(&(bm << (be - low) as u64))
        }
    }
}

/// `5^n` as Go's decimal parser computes it: exact up to `5^27`, then by repeated squaring
/// with the result rounded to `precision` bits and the square to `precision + 64` bits.
pub(crate) fn power_of_five(n: u64, precision: u32) -> (BigUint, i64) {
    const EXACT_LIMIT: u64 = 27;
    if n <= EXACT_LIMIT {
        return round(BigUint::from(5u32).pow(n as u32), 0, precision);
    }
    let mut result = round(BigUint::from(5u32).pow(EXACT_LIMIT as u32), 0, precision);
    let mut square = (BigUint::from(5u32), 0i64);
    let mut remaining = n - EXACT_LIMIT;
    while remaining > 0 {
        if remaining & 1 == 1 {
            result = round(&result.0 * &square.0, result.1 + square.1, precision);
        }
        remaining >>= 1;
        if remaining > 0 {
            square = round(&square.0 * &square.0, 2 * square.1, precision + 64);
        }
    }
    result
}

/// The magnitude of a finite `f64`, exactly.
pub(crate) fn from_f64_magnitude(value: f64) -> Magnitude {
    let value = value.abs();
    if value == 0.0 {
        return Magnitude::Zero;
    }
    if value.is_infinite() {
        return Magnitude::Infinite;
    }
    let bits = value.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i64;
    let fraction = bits & ((1u64 << 52) - 1);
    let (mantissa, exponent) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1u64 << 52), biased - 1075)
    };
    finite(BigUint::from(mantissa), exponent, 53)
}

/// The nearest `f64` to a magnitude (ties to even), and whether it is exact.
pub(crate) fn to_f64_magnitude(magnitude: &Magnitude) -> (f64, bool) {
    let (mantissa, exponent) = match magnitude {
        Magnitude::Zero => return (0.0, true),
        Magnitude::Infinite => return (f64::INFINITY, true),
        Magnitude::Finite { mantissa, exponent } => (mantissa, *exponent),
    };
    let top = mantissa.bits() as i64 + exponent;
    if top > 1024 {
        return (f64::INFINITY, false);
    }
    // Subnormals keep fewer bits: the lowest representable bit is 2^-1074.
    let available = (top + 1074).clamp(0, 53) as u32;
    if available == 0 {
        let half_of_smallest = compare(
            magnitude,
            &Magnitude::Finite {
                mantissa: BigUint::one(),
                exponent: -1075,
            },
        );
        let rounds_up = half_of_smallest == Ordering::Greater;
        return (if rounds_up { f64::from_bits(1) } else { 0.0 }, false);
    }
    let (rounded, rounded_exponent) = round(mantissa.clone(), exponent, available);
    let exact = rounded == *mantissa && rounded_exponent == exponent;
    let digits: u64 = rounded.iter_u64_digits().next().unwrap_or(0);
    if rounded.bits() as i64 + rounded_exponent > 1024 {
        return (f64::INFINITY, false);
    }
    (scale(digits as f64, rounded_exponent), exact)
}

/// `value × 2^exponent` for an exactly representable result.
fn scale(mut value: f64, mut exponent: i64) -> f64 {
    while exponent > 0 {
        let step = exponent.min(1000);
        value *= 2f64.powi(step as i32);
        exponent -= step;
    }
    while exponent < 0 {
        let step = (-exponent).min(1000);
        value /= 2f64.powi(step as i32);
        exponent += step;
    }
    value
}
