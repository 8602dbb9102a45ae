//! Numeric functions: `min`, `max`, `abs`, `ceil`, `floor`, `log`, `pow`, `signum`, `parseint`.
//! `log` and `pow` work in `f64` as Terraform's do; the rest keep full precision.

use std::cmp::Ordering;

use tenantform_proto::value::{Number, Value};

use super::{FunctionError, number_arg};
use go_pow::go_pow;

mod go_pow;

fn numbers(args: &[Value]) -> Result<Vec<Number>, FunctionError> {
    if args.is_empty() {
        return Err(FunctionError::Call("must pass at least one number".into()));
    }
    (0..args.len()).map(|i| number_arg(args, i)).collect()
}

pub(super) fn min(args: Vec<Value>) -> Result<Value, FunctionError> {
    extreme(&args, Ordering::Less)
}

pub(super) fn max(args: Vec<Value>) -> Result<Value, FunctionError> {
    extreme(&args, Ordering::Greater)
}

/// The first of the numbers that compares as `wins` to every other (the smallest for
/// `Less`, the largest for `Greater`).
fn extreme(args: &[Value], wins: Ordering) -> Result<Value, FunctionError> {
    let mut best = Number::infinity(wins == Ordering::Greater);
    for number in numbers(args)? {
        if number.compare(&best) == wins {
            best = number;
        }
    }
    Ok(Value::Number(best))
}

pub(super) fn abs(args: Vec<Value>) -> Result<Value, FunctionError> {
    Ok(Value::Number(number_arg(&args, 0)?.abs()))
}

fn float(f: f64) -> Result<Value, FunctionError> {
    Ok(Value::Number(Number::from_f64(f)))
}

pub(super) fn ceil(args: Vec<Value>) -> Result<Value, FunctionError> {
    Ok(Value::Number(number_arg(&args, 0)?.ceil()))
}

pub(super) fn floor(args: Vec<Value>) -> Result<Value, FunctionError> {
    Ok(Value::Number(number_arg(&args, 0)?.floor()))
}

/// `log(num, base)`, computed in `f64` as Terraform does.
pub(super) fn log(args: Vec<Value>) -> Result<Value, FunctionError> {
    let (num, base) = (
        number_arg(&args, 0)?.as_f64(),
        number_arg(&args, 1)?.as_f64(),
    );
    float(num.ln() / base.ln())
}

/// `pow(num, power)`, computed in `f64` with Go's `math.Pow` algorithm.
pub(super) fn pow(args: Vec<Value>) -> Result<Value, FunctionError> {
    let (num, power) = (
        number_arg(&args, 0)?.as_f64(),
        number_arg(&args, 1)?.as_f64(),
    );
    float(go_pow(num, power))
}

pub(super) fn signum(args: Vec<Value>) -> Result<Value, FunctionError> {
    let n = number_arg(&args, 0)?.as_i64().ok_or_else(|| {
        FunctionError::Call(
            "value must be a whole number, between -9223372036854775808 and 9223372036854775807"
                .into(),
        )
    })?;
    Ok(Value::Number(Number::from_i64(n.signum())))
}

/// `parseint(str, base)`: an integer of any size written in `base` (2 to 62, digits then
/// lower then upper case letters), with an optional sign.
pub(super) fn parseint(args: Vec<Value>) -> Result<Value, FunctionError> {
    let text = match &args[0] {
        Value::String(s) => s.clone(),
        _ => return Err(FunctionError::arg(0, "string required")),
    };
    let base = super::integer_arg(&args, 1)?;
    if !(2..=62).contains(&base) {
        return Err(FunctionError::arg(
            1,
            "base must be a whole number between 2 and 62 inclusive",
        ));
    }
    Number::parse_integer(&text, base as u32)
        .map(Value::Number)
        .ok_or_else(|| {
            FunctionError::arg(0, format!("cannot parse {text:?} as a base {base} integer"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::n;

    #[test]
    fn rounding_powers_and_signs() {
        assert_eq!(ceil(vec![Value::Number(Number::Float(1.2))]), Ok(n(2)));
        assert_eq!(floor(vec![Value::Number(Number::Float(-1.2))]), Ok(n(-2)));
        assert_eq!(pow(vec![n(2), n(10)]), Ok(n(1024)));
        assert_eq!(signum(vec![n(-7)]), Ok(n(-1)));
        assert_eq!(log(vec![n(16), n(2)]), Ok(n(4)));
    }

    #[test]
    fn parseint_reads_any_base_and_refuses_bad_digits() {
        let s = Value::string;
        assert_eq!(parseint(vec![s("ff"), n(16)]), Ok(n(255)));
        assert_eq!(parseint(vec![s("-101"), n(2)]), Ok(n(-5)));
        assert_eq!(parseint(vec![s("zZ"), n(62)]), Ok(n(35 * 62 + 61)));
        assert!(parseint(vec![s("12"), n(2)]).is_err());
        assert!(parseint(vec![s("1"), n(63)]).is_err());
    }
}
