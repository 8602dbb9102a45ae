//! Numeric functions: `min`, `max`, `abs`.

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
