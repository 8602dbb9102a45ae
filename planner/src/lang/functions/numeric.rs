//! Numeric functions: `min`, `max`, `abs`, `ceil`, `floor`, `log`, `pow`, `signum`, `parseint`.

use tenantform_proto::value::{Number, Value};

use super::{FunctionError, number_arg};

fn numbers(args: &[Value]) -> Result<Vec<Number>, FunctionError> {
    if args.is_empty() {
        return Err(FunctionError::Call("must pass at least one number".into()));
    }
    (0..args.len()).map(|i| number_arg(args, i)).collect()
}

pub fn min(args: Vec<Value>) -> Result<Value, FunctionError> {
    let numbers = numbers(&args)?;
    let smallest = numbers
        .into_iter()
        .reduce(|a, b| if b.as_f64() < a.as_f64() { b } else { a });
    Ok(smallest.map_or(Value::Null, Value::Number))
}

pub fn max(args: Vec<Value>) -> Result<Value, FunctionError> {
    let numbers = numbers(&args)?;
    let largest = numbers
        .into_iter()
        .reduce(|a, b| if b.as_f64() > a.as_f64() { b } else { a });
    Ok(largest.map_or(Value::Null, Value::Number))
}

pub fn abs(args: Vec<Value>) -> Result<Value, FunctionError> {
    Ok(Value::Number(match number_arg(&args, 0)? {
        Number::Int(i) => i
            .checked_abs()
            .map_or(Number::Float((i as f64).abs()), Number::Int),
        Number::Float(f) => Number::from_f64(f.abs()),
    }))
}

fn float(f: f64) -> Result<Value, FunctionError> {
    Ok(Value::Number(Number::from_f64(f)))
}

pub fn ceil(args: Vec<Value>) -> Result<Value, FunctionError> {
    match number_arg(&args, 0)? {
        Number::Int(i) => Ok(Value::Number(Number::Int(i))),
        Number::Float(f) => float(f.ceil()),
    }
}

pub fn floor(args: Vec<Value>) -> Result<Value, FunctionError> {
    match number_arg(&args, 0)? {
        Number::Int(i) => Ok(Value::Number(Number::Int(i))),
        Number::Float(f) => float(f.floor()),
    }
}

pub fn log(args: Vec<Value>) -> Result<Value, FunctionError> {
    let (num, base) = (
        number_arg(&args, 0)?.as_f64(),
        number_arg(&args, 1)?.as_f64(),
    );
    float(num.ln() / base.ln())
}

pub fn pow(args: Vec<Value>) -> Result<Value, FunctionError> {
    let (num, power) = (number_arg(&args, 0)?, number_arg(&args, 1)?);
    if let (Some(b), Some(e)) = (num.as_i64(), power.as_i64())
        && let Ok(e) = u32::try_from(e)
        && let Some(exact) = b.checked_pow(e)
    {
        return Ok(Value::Number(Number::Int(exact)));
    }
    float(num.as_f64().powf(power.as_f64()))
}

pub fn signum(args: Vec<Value>) -> Result<Value, FunctionError> {
    let n = number_arg(&args, 0)?.as_f64();
    let sign = if n > 0.0 {
        1
    } else if n < 0.0 {
        -1
    } else {
        0
    };
    Ok(Value::Number(Number::Int(sign)))
}

/// `parseint(str, base)`: an integer written in `base` (2 to 62, digits then lower then
/// upper case letters), with an optional sign.
pub fn parseint(args: Vec<Value>) -> Result<Value, FunctionError> {
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
    let invalid =
        || FunctionError::arg(0, format!("cannot parse {text:?} as a base {base} integer"));
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(&text)),
    };
    if digits.is_empty() {
        return Err(invalid());
    }
    let mut total: i128 = 0;
    for c in digits.chars() {
        let digit = match c {
            '0'..='9' => c as i128 - '0' as i128,
            'a'..='z' => c as i128 - 'a' as i128 + 10,
            'A'..='Z' if base <= 36 => c as i128 - 'A' as i128 + 10,
            'A'..='Z' => c as i128 - 'A' as i128 + 36,
            _ => return Err(invalid()),
        };
        if digit >= base as i128 {
            return Err(invalid());
        }
        total = total
            .checked_mul(base as i128)
            .and_then(|t| t.checked_add(digit))
            .ok_or_else(invalid)?;
    }
    let total = if negative { -total } else { total };
    match i64::try_from(total) {
        Ok(i) => Ok(Value::Number(Number::Int(i))),
        Err(_) => float(total as f64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(i: i64) -> Value {
        Value::Number(Number::Int(i))
    }

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
