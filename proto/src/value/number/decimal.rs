//! Decimal digits of binary numbers, as Go's `math/big` writes them: the exact expansion,
//! the shortest digits that read back to the same number at its precision, rounding to a
//! number of digits, and the `%e`, `%f` and `%g` layouts of `Float.Text`.

use num_bigint::BigUint;
use num_traits::Zero;

/// `0.d₁d₂… × 10^point`; no trailing zero digits; no digits means zero.
#[derive(Clone, Debug, Default)]
pub(crate) struct Decimal {
    digits: Vec<u8>,
    point: i64,
}

impl Decimal {
    /// The exact decimal expansion of `mantissa × 2^exponent`.
    pub(crate) fn exact(mantissa: &BigUint, exponent: i64) -> Decimal {
        if mantissa.is_zero() {
            return Decimal::default();
        }
        let (integer, fraction_digits) = if exponent >= 0 {
            (mantissa << exponent as u64, 0)
        } else {
            let fives = BigUint::from(5u32).pow((-exponent) as u32);
            (mantissa * fives, -exponent)
        };
        let digits = integer.to_string().into_bytes();
        let point = digits.len() as i64 - fraction_digits;
        let mut decimal = Decimal { digits, point };
        decimal.trim();
        decimal
    }

    /// The shortest digits that still denote the number whose normalized mantissa is
    /// `mantissa` (exactly `precision` bits once shifted) at that precision.
    pub(crate) fn shortest(mantissa: &BigUint, exponent: i64, precision: u32) -> Decimal {
        let mut decimal = Decimal::exact(mantissa, exponent);
        if decimal.digits.is_empty() {
            return decimal;
        }
        // Bring the mantissa to precision + 1 bits: its lowest bit is then half an ulp.
        let shift = i64::from(precision) + 1 - mantissa.bits() as i64;
        let (scaled, scaled_exponent) = if shift >= 0 {
            (mantissa << shift as u64, exponent - shift)
        } else {
            (mantissa >> (-shift) as u64, exponent - shift)
        };
        let lower = Decimal::exact(&(&scaled - 1u32), scaled_exponent);
        let upper = Decimal::exact(&(&scaled + 1u32), scaled_exponent);
        // The bounds round back to this number only when its mantissa is even.
        let inclusive = !scaled.bit(1);
        for index in 0..decimal.digits.len() {
            let digit = decimal.digits[index];
            let low = lower.at(index);
            let high = upper.at(index);
            let can_round_down = low != digit || (inclusive && index + 1 == lower.digits.len());
            let can_round_up =
                digit != high && (inclusive || digit + 1 < high || index + 1 < upper.digits.len());
            match (can_round_down, can_round_up) {
                (true, true) => {
                    decimal.round(index + 1);
                    break;
                }
                (true, false) => {
                    decimal.round_down(index + 1);
                    break;
                }
                (false, true) => {
                    decimal.round_up(index + 1);
                    break;
                }
                (false, false) => {}
            }
        }
        decimal
    }

    fn at(&self, index: usize) -> u8 {
        self.digits.get(index).copied().unwrap_or(b'0')
    }

    fn at_signed(&self, index: i64) -> u8 {
        usize::try_from(index).map_or(b'0', |i| self.at(i))
    }

    fn trim(&mut self) {
        while self.digits.last() == Some(&b'0') {
            self.digits.pop();
        }
        if self.digits.is_empty() {
            self.point = 0;
        }
    }

    /// Keeps `count` digits, rounding half to even; a count outside the digits does nothing.
    pub(crate) fn round_signed(&mut self, count: i64) {
        if let Ok(count) = usize::try_from(count) {
            self.round(count);
        }
    }

    fn round(&mut self, count: usize) {
        if count >= self.digits.len() {
            return;
        }
        let digit = self.digits[count];
        let up = if digit == b'5' && count + 1 == self.digits.len() {
            count > 0 && (self.digits[count - 1] - b'0') % 2 == 1
        } else {
            digit >= b'5'
        };
        if up {
            self.round_up(count);
        } else {
            self.round_down(count);
        }
    }

    fn round_up(&mut self, count: usize) {
        if count >= self.digits.len() {
            return;
        }
        let mut index = count;
        while index > 0 && self.digits[index - 1] >= b'9' {
            index -= 1;
        }
        if index == 0 {
            self.digits = vec![b'1'];
            self.point += 1;
            return;
        }
        self.digits[index - 1] += 1;
        self.digits.truncate(index);
    }

    fn round_down(&mut self, count: usize) {
        if count >= self.digits.len() {
            return;
        }
        self.digits.truncate(count);
        self.trim();
    }

    pub(crate) fn digit_count(&self) -> usize {
        self.digits.len()
    }

    pub(crate) fn point(&self) -> i64 {
        self.point
    }

    /// Go's `%f` layout with `fraction_digits` digits after the point.
    pub(crate) fn fixed(&self, fraction_digits: usize) -> String {
        let mut out = String::new();
        if self.point > 0 {
            let whole = (self.point as usize).min(self.digits.len());
            out.extend(self.digits[..whole].iter().map(|&d| d as char));
            out.extend(std::iter::repeat_n('0', self.point as usize - whole));
        } else {
            out.push('0');
        }
        if fraction_digits > 0 {
            out.push('.');
            for i in 0..fraction_digits {
                out.push(self.at_signed(self.point + i as i64) as char);
            }
        }
        out
    }

    /// Go's `%e` layout with `fraction_digits` digits after the point.
    pub(crate) fn exponential(&self, letter: char, fraction_digits: usize) -> String {
        let mut out = String::new();
        out.push(self.at(0) as char);
        if fraction_digits > 0 {
            out.push('.');
            for i in 1..=fraction_digits {
                out.push(self.at(i) as char);
            }
        }
        let exponent = if self.digits.is_empty() {
            0
        } else {
            self.point - 1
        };
        out.push(letter);
        out.push(if exponent < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exponent.unsigned_abs()));
        out
    }
}
