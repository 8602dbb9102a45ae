//! Arithmetic and ordering on cty numbers, with cty's precision rules: sums and quotients
//! take the larger precision of their operands, products are rounded to 512 bits and keep
//! every bit of that, and `%` works at the precision of its left operand.

use std::cmp::Ordering;

use num_bigint::BigUint;

use super::binary::{self, Magnitude, finite_parts};
use super::{NotANumber, Number, PARSE_PRECISION};

impl Number {
    pub fn neg(&self) -> Number {
        Number {
            negative: !self.negative,
            ..self.clone()
        }
    }

    pub fn abs(&self) -> Number {
        Number {
            negative: false,
            ..self.clone()
        }
    }

    /// Orders numbers by value; `-0` and `0` are equal.
    pub fn compare(&self, other: &Number) -> Ordering {
        match (self.signum(), other.signum()) {
            (a, b) if a != b => a.cmp(&b),
            (0, _) => Ordering::Equal,
            (sign, _) => {
                let by_magnitude = binary::compare(&self.magnitude, &other.magnitude);
                if sign < 0 {
                    by_magnitude.reverse()
                } else {
                    by_magnitude
                }
            }
        }
    }

    pub fn add(&self, other: &Number) -> Result<Number, NotANumber> {
        add_at(self, other, self.precision.max(other.precision))
    }

    pub fn sub(&self, other: &Number) -> Result<Number, NotANumber> {
        self.add(&other.neg())
    }

    pub fn mul(&self, other: &Number) -> Result<Number, NotANumber> {
        let larger = self.precision.max(other.precision);
        let product = mul_at(self, other, PARSE_PRECISION)?;
        let needed = match &product.magnitude {
            Magnitude::Finite { mantissa, .. } => mantissa.bits() as u32,
            _ => 0,
        };
        Ok(Number {
            precision: larger.max(needed),
            ..product
        })
    }

    /// The quotient; dividing a nonzero number by zero gives an infinity.
    pub fn div(&self, other: &Number) -> Result<Number, NotANumber> {
        div_at(self, other, self.precision.max(other.precision))
    }

    /// cty's remainder: `a - b × trunc(a / b)` at the precision of `a`, and `a` itself when
    /// `b` is zero. With an infinite operand the result is the product's infinity.
    pub fn rem(&self, other: &Number) -> Result<Number, NotANumber> {
        if self.is_infinite() || other.is_infinite() {
            return self.mul(other);
        }
        if other.signum() == 0 {
            return Ok(self.clone());
        }
        let ratio = self.div(other)?;
        let (negative, (whole, _)) = ratio.integer_part().ok_or(NotANumber)?;
        let precision = self.precision;
        let whole = Number {
            negative: negative && whole != BigUint::default(),
            magnitude: binary::finite(whole, 0, precision),
            precision,
        };
        let product = mul_at(other, &whole, precision)?;
        add_at(self, &product.neg(), precision)
    }

    /// The largest whole number not above this one, at this number's precision.
    pub fn floor(&self) -> Number {
        self.to_whole(true)
    }

    /// The smallest whole number not below this one, at this number's precision.
    pub fn ceil(&self) -> Number {
        self.to_whole(false)
    }

    fn to_whole(&self, downward: bool) -> Number {
        let Some((negative, (mut whole, cut))) = self.integer_part() else {
            return self.clone();
        };
        // Truncation moved toward zero; step away from it when that went the wrong way.
        if cut && negative == downward {
            whole += 1u32;
        }
        let is_zero = whole == BigUint::default();
        Number {
            negative: negative && !is_zero,
            magnitude: binary::finite(whole, 0, self.precision),
            precision: self.precision,
        }
    }
}

fn add_at(a: &Number, b: &Number, precision: u32) -> Result<Number, NotANumber> {
    let (negative, magnitude) = match (&a.magnitude, &b.magnitude) {
        (Magnitude::Infinite, Magnitude::Infinite) if a.negative != b.negative => {
            return Err(NotANumber);
        }
        (Magnitude::Infinite, _) => (a.negative, Magnitude::Infinite),
        (_, Magnitude::Infinite) => (b.negative, Magnitude::Infinite),
        (Magnitude::Zero, Magnitude::Zero) => (a.negative && b.negative, Magnitude::Zero),
        (Magnitude::Zero, _) => (b.negative, b.magnitude.clone()),
        (_, Magnitude::Zero) => (a.negative, a.magnitude.clone()),
        (finite_parts!(am, ae), finite_parts!(bm, be)) => {
            let (negative, mantissa, exponent) =
                binary::add_finite((a.negative, am, *ae), (b.negative, bm, *be));
            (negative, binary::finite(mantissa, exponent, precision))
        }
    };
    Ok(rounded(negative, magnitude, precision))
}

fn mul_at(a: &Number, b: &Number, precision: u32) -> Result<Number, NotANumber> {
    let magnitude = match (&a.magnitude, &b.magnitude) {
        (finite_parts!(am, ae), finite_parts!(bm, be)) => {
            binary::finite(am * bm, ae + be, precision)
        }
        // Infinity times zero is not a number; otherwise zero wins over finite values and
        // infinity over the rest.
        (Magnitude::Infinite, Magnitude::Zero) | (Magnitude::Zero, Magnitude::Infinite) => {
            return Err(NotANumber);
        }
        (Magnitude::Zero, _) | (_, Magnitude::Zero) => Magnitude::Zero,
        _ => Magnitude::Infinite,
    };
    Ok(rounded(a.negative != b.negative, magnitude, precision))
}

fn div_at(a: &Number, b: &Number, precision: u32) -> Result<Number, NotANumber> {
    let negative = a.negative != b.negative;
    let magnitude = match (&a.magnitude, &b.magnitude) {
        (Magnitude::Zero, Magnitude::Zero) | (Magnitude::Infinite, Magnitude::Infinite) => {
            return Err(NotANumber);
        }
        (Magnitude::Infinite, _) | (_, Magnitude::Zero) => Magnitude::Infinite,
        (Magnitude::Zero, _) | (_, Magnitude::Infinite) => Magnitude::Zero,
        (finite_parts!(am, ae), finite_parts!(bm, be)) => {
            let (mantissa, exponent) = binary::quotient((am, *ae), (bm, *be), precision);
            Magnitude::Finite { mantissa, exponent }
        }
    };
    Ok(rounded(negative, magnitude, precision))
}

/// A result at `precision`, re-rounding a magnitude copied from an operand.
fn rounded(negative: bool, magnitude: Magnitude, precision: u32) -> Number {
    let magnitude = match magnitude {
        Magnitude::Finite { mantissa, exponent } => binary::finite(mantissa, exponent, precision),
        other => other,
    };
    Number {
        negative,
        magnitude,
        precision,
    }
}
