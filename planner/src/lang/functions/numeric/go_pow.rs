//! `x^y` in `f64` exactly as Go's `math.Pow` computes it: special cases first, then the
//! fractional power through `exp(yf × ln x)` and the integral power by repeated squaring of
//! the normalized fraction, with the binary exponent kept apart until the end.

pub(super) fn go_pow(x: f64, y: f64) -> f64 {
    if y == 0.0 || x == 1.0 {
        return 1.0;
    }
    if y == 1.0 {
        return x;
    }
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if x == 0.0 {
        let odd_negative_zero = x.is_sign_negative() && is_odd_integer(y);
        return match (y < 0.0, odd_negative_zero) {
            (true, true) => f64::NEG_INFINITY,
            (true, false) => f64::INFINITY,
            (false, true) => x,
            (false, false) => 0.0,
        };
    }
    if y.is_infinite() {
        return overflowing_pow(x, y);
    }
    if x.is_infinite() {
        if x < 0.0 {
            return go_pow(1.0 / x, -y);
        }
        return if y < 0.0 { 0.0 } else { f64::INFINITY };
    }
    if y == 0.5 {
        return x.sqrt();
    }
    if y == -0.5 {
        return 1.0 / x.sqrt();
    }
    let (mut whole, mut fraction) = (y.abs().trunc(), y.abs().fract());
    if fraction != 0.0 && x < 0.0 {
        return f64::NAN;
    }
    if whole >= 2f64.powi(63) {
        return overflowing_pow(x, y);
    }
    let mut result = 1.0;
    let mut result_exponent: i64 = 0;
    if fraction != 0.0 {
        if fraction > 0.5 {
            fraction -= 1.0;
            whole += 1.0;
        }
        result = (fraction * x.ln()).exp();
    }
    let (mut base, mut base_exponent) = frexp(x);
    let mut bits = whole as i64;
    while bits != 0 {
        if !(-(1 << 12)..=(1 << 12)).contains(&base_exponent) {
            result_exponent += base_exponent;
            break;
        }
        if bits & 1 == 1 {
            result *= base;
            result_exponent += base_exponent;
        }
        base *= base;
        base_exponent <<= 1;
        if base < 0.5 {
            base += base;
            base_exponent -= 1;
        }
        bits >>= 1;
    }
    if y < 0.0 {
        result = 1.0 / result;
        result_exponent = -result_exponent;
    }
    ldexp(result, result_exponent)
}

fn is_odd_integer(y: f64) -> bool {
    y.fract() == 0.0 && y.abs() < 9.007_199_254_740_992e15 && (y as i64) % 2 != 0
}

/// `x = fraction × 2^exponent` with `0.5 ≤ |fraction| < 1`, for finite nonzero `x`.
fn frexp(x: f64) -> (f64, i64) {
    let mut exponent = 0;
    let mut value = x;
    if value.abs() < f64::MIN_POSITIVE {
        value *= 2f64.powi(52);
        exponent -= 52;
    }
    let bits = value.to_bits();
    exponent += ((bits >> 52) & 0x7ff) as i64 - 1022;
    let fraction = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (fraction, exponent)
}

/// `fraction × 2^exponent`, saturating to infinity or zero.
fn ldexp(mut fraction: f64, mut exponent: i64) -> f64 {
    while exponent > 0 && fraction.is_finite() {
        let step = exponent.min(1000);
        fraction *= 2f64.powi(step as i32);
        exponent -= step;
    }
    while exponent < 0 && fraction != 0.0 {
        let step = (-exponent).min(1000);
        fraction /= 2f64.powi(step as i32);
        exponent += step;
    }
    fraction
}

/// `x` to a power `y` so large (infinite, or an integer past 2^63) that the result is 1 for
/// -1, zero when it shrinks towards zero, and infinite otherwise.
fn overflowing_pow(x: f64, y: f64) -> f64 {
    if x == -1.0 {
        1.0
    } else if (x.abs() < 1.0) == (y > 0.0) {
        0.0
    } else {
        f64::INFINITY
    }
}

#[cfg(test)]
mod tests {
    use super::go_pow;

    #[test]
    fn matches_go_on_common_cases() {
        assert_eq!(go_pow(2.0, 10.0), 1024.0);
        assert_eq!(go_pow(2.0, 100.0), 2f64.powi(100));
        assert_eq!(go_pow(2.0, 0.5), std::f64::consts::SQRT_2);
        assert_eq!(go_pow(2.0, -1.0), 0.5);
        assert_eq!(go_pow(0.0, -1.0), f64::INFINITY);
        assert!(go_pow(-8.0, 1.0 / 3.0).is_nan());
    }
}
