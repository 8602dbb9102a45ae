//! Numbers against what Terraform prints for the same expressions.

use super::*;

fn parse(text: &str) -> Number {
    Number::parse_decimal(text).unwrap()
}

#[test]
fn literals_print_with_their_shortest_digits() {
    assert_eq!(parse("0.1").to_string(), "0.1");
    assert_eq!(parse("1e30").to_string(), "1000000000000000000000000000000");
    assert_eq!(
        parse("1e-30").to_string(),
        "0.000000000000000000000000000001"
    );
    assert_eq!(parse("9007199254740993").to_string(), "9007199254740993");
    assert_eq!(parse("1.5").to_string(), "1.5");
    assert_eq!(parse("1e400").to_string(), format!("1{}", "0".repeat(400)));
    assert_eq!(parse("Inf").to_string(), "+Inf");
    assert!(Number::parse_decimal(" 1").is_none());
    assert!(Number::parse_decimal("1e").is_none());
    assert!(Number::parse_decimal("NaN").is_none());
}

#[test]
fn arithmetic_keeps_512_bits() {
    let third = parse("1").div(&parse("3")).unwrap();
    assert_eq!(third.to_string(), format!("0.{}5", "3".repeat(154)));
    assert_eq!(parse("0.1").add(&parse("0.2")).unwrap().to_string(), "0.3");
    let two_thirds = parse("2").div(&parse("3")).unwrap();
    assert_eq!(two_thirds.mul(&parse("3")).unwrap().to_string(), "2");
    assert_eq!(parse("1").div(&parse("0")).unwrap().to_string(), "+Inf");
    assert!(parse("0").div(&parse("0")).is_err());
    assert_eq!(parse("0").mul(&parse("1").neg()).unwrap().to_string(), "-0");
}

#[test]
fn float64_values_print_at_53_bits() {
    assert_eq!(
        Number::from_f64(2f64.powi(100)).to_string(),
        "1267650600228229400000000000000"
    );
    assert_eq!(
        Number::from_f64(2f64.sqrt()).to_string(),
        "1.4142135623730951"
    );
    assert_eq!(Number::from_f64(0.1).exact_f64(), Some(0.1));
    assert_eq!(parse("0.1").exact_f64(), None);
    assert_eq!(parse("0.1").as_f64(), 0.1);
}

#[test]
fn remainder_follows_cty() {
    let rem = |a: &str, b: &str| parse(a).rem(&parse(b)).unwrap().to_string();
    assert_eq!(rem("10", "3"), "1");
    assert_eq!(rem("-10", "3"), "-1");
    assert_eq!(rem("10.5", "3"), "1.5");
    assert_eq!(rem("5", "-3"), "2");
    assert_eq!(rem("1", "0"), "1");
}

#[test]
fn rounding_to_whole_numbers() {
    assert_eq!(parse("1.5").ceil().to_string(), "2");
    assert_eq!(parse("-1.5").floor().to_string(), "-2");
    assert_eq!(parse("-0.5").ceil().to_string(), "0");
    assert_eq!(parse("1e20").floor().to_string(), "100000000000000000000");
}

#[test]
fn integers_in_any_base() {
    let n = Number::parse_integer("ffffffffffffffffffff", 16).unwrap();
    assert_eq!(n.to_string(), "1208925819614629174706175");
    assert_eq!(Number::parse_integer("-101", 2).unwrap().as_i64(), Some(-5));
    assert_eq!(
        Number::parse_integer("zZ", 62).unwrap().as_i64(),
        Some(35 * 62 + 61)
    );
    assert!(Number::parse_integer("12", 2).is_none());
}

#[test]
fn go_verbs() {
    let third = parse("1").div(&parse("3")).unwrap();
    assert_eq!(third.text('f', Some(3)), "0.333");
    assert_eq!(third.text('e', Some(6)), "3.333333e-01");
    assert_eq!(parse("12345.678").text('e', Some(2)), "1.23e+04");
    assert_eq!(parse("1e30").text('g', None), "1e+30");
    assert_eq!(third.text('g', None), third.to_string());
    assert_eq!(parse("0.0009").text('f', Some(2)), "0.00");
    assert_eq!(parse("0.009").text('f', Some(2)), "0.01");
    assert_eq!(parse("2.5").text('f', Some(0)), "2");
}

#[test]
fn equality_is_ctys() {
    assert_eq!(parse("0.1"), parse("0.1"));
    assert_eq!(parse("-0"), parse("0"));
    assert_ne!(
        parse("1").div(&parse("3")).unwrap(),
        parse("0.3333333333333333")
    );
    assert_eq!(Number::from_i64(3), parse("3"));
}

#[test]
fn json_numbers_keep_every_digit() {
    let sum = parse("0.1").add(&parse("0.2")).unwrap();
    assert_eq!(sum.to_json().unwrap().to_string(), "0.3");
    let big = parse("12345678901234567890123");
    let json = big.to_json().unwrap();
    assert_eq!(json.to_string(), "12345678901234567890123");
    assert_eq!(Number::from_json(&json), big);
    let text = serde_json::to_string(&serde_json::json!({ "n": json })).unwrap();
    assert_eq!(text, r#"{"n":12345678901234567890123}"#);
    let read: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(Number::from_json(read["n"].as_number().unwrap()), big);
    assert!(Number::infinity(false).to_json().is_none());
}

#[test]
fn integers_print_as_the_general_formatting_prints_them() {
    let integers = [
        0,
        1,
        -1,
        20,
        1 << 53,
        (1 << 53) + 1,
        1 << 60,
        (1 << 60) + 1,
        i64::MAX,
        i64::MIN,
    ];
    for integer in integers {
        #[allow(clippy::cast_precision_loss)]
        let numbers = [
            Number::from_i64(integer),
            Number::from_f64(integer as f64),
            parse(&integer.to_string()),
        ];
        for number in numbers {
            assert_eq!(number.to_string(), number.text('f', None), "{number:?}");
        }
    }
    assert_eq!(Number::from_f64(-0.0).to_string(), "-0");
    assert_eq!(
        Number::from_f64((1u64 << 60) as f64).to_string(),
        "1152921504606847000"
    );
}
