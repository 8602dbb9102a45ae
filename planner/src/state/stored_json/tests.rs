//! Tests of stored JSON texts: compaction, the canonical check, writing and comparison
//! behave exactly as the parsed value does.

use proptest::prelude::*;
use proptest::test_runner::Config as ProptestConfig;
use serde_json::Value as Json;

use super::*;
use crate::state::pretty_writer::to_vec_pretty;

/// Texts whose compact form `serde_json` would write differently, and texts it writes as is.
const SAMPLES: &[(&str, bool)] = &[
    (r#"{ "b": 1, "a": [true, false, null], "c": {} }"#, true),
    (r#"{"a": "x", "a": "y"}"#, false),
    (r#"{"k": {"a": 1}, "l": {"a": 2}}"#, true),
    (r#"[{"a": 1, "b": {"a": 1}}, {"a": 2}]"#, true),
    (r#"{"e": "caf\u00e9"}"#, false),
    (r#"{"e": "a\/b"}"#, false),
    (r#"{"e": "say \"hi\""}"#, false),
    (r#"{"n": -0}"#, false),
    (r#"{"e": "café ∑ false true"}"#, true),
    (r#"{"n": 1e5}"#, false),
    (r#"{"n": 0.0000001}"#, false),
    (r#"{"n": [0.001, 0.5, -2.25, 1234567890123456789.5]}"#, true),
    (r#"{"n": 1000000000000000000000000000000000000000}"#, false),
    (r#"{"n": 1E-5}"#, false),
    (
        r#"{"n": -1, "m": 1.50, "o": 123456789012345678901234567890.5}"#,
        true,
    ),
    ("[ ]", true),
    ("\"text\"", true),
    ("null", true),
];

#[test]
fn a_repeated_key_is_found_among_many_keys() {
    let keys: Vec<String> = (0..1000)
        .map(|i| format!("\"tenant-{i:05}\": {i}"))
        .collect();
    let unique = format!("{{{}}}", keys.join(", "));
    assert!(compact(&unique).1);
    let repeated = format!("{{{}, \"tenant-00500\": 1}}", keys.join(", "));
    assert!(!compact(&repeated).1);
    // Keys repeated in different objects are not repeated keys.
    let nested = format!("[{unique}, {unique}]");
    assert!(compact(&nested).1);
    // An object inside a large one has keys of its own, repeated or not.
    let inner = |body: &str| format!("{{{}, \"inner\": {{{body}}}}}", keys.join(", "));
    assert!(compact(&inner("\"tenant-00001\": 1, \"a\": 2")).1);
    assert!(!compact(&inner("\"a\": 1, \"a\": 2")).1);
    let after_inner = format!("{{{}, \"inner\": {{\"x\": 1}}, \"x\": 2}}", keys.join(", "));
    assert!(compact(&after_inner).1);
    let repeated_after_inner = format!(
        "{{{}, \"inner\": {{\"x\": 1}}, \"tenant-00002\": 2}}",
        keys.join(", ")
    );
    assert!(!compact(&repeated_after_inner).1);
}

fn parsed(text: &str) -> Json {
    serde_json::from_str(text).unwrap()
}

#[test]
fn compaction_keeps_the_value_and_knows_when_it_is_canonical() {
    for (text, canonical) in SAMPLES {
        let (compacted, found) = compact(text);
        assert_eq!(parsed(&compacted), parsed(text), "{text}");
        assert_eq!(found, *canonical, "{text}");
        let written = serde_json::to_string(&parsed(text)).unwrap();
        if found {
            assert_eq!(compacted, written, "{text}");
        }
    }
}

#[test]
fn every_text_is_written_and_digested_as_its_value() {
    for (text, _) in SAMPLES {
        let raw: Box<RawValue> = serde_json::from_str(text).unwrap();
        let stored = StoredJson::from_raw(&raw);
        let value = parsed(text);
        assert_eq!(
            serde_json::to_string(&stored).unwrap(),
            serde_json::to_string(&value).unwrap(),
            "{text}"
        );
        let document = serde_json::json!({"outer": [{"attributes": &stored}]});
        let expected = serde_json::json!({"outer": [{"attributes": &value}]});
        assert_eq!(
            String::from_utf8(to_vec_pretty(&document).unwrap()).unwrap(),
            serde_json::to_string_pretty(&expected).unwrap(),
            "{text}"
        );
        assert_eq!(stored.to_json(), value);
        assert_eq!(stored, StoredJson::from_json(&value), "{text}");
    }
}

#[test]
fn texts_compare_by_their_values() {
    let read =
        |text: &str| StoredJson::from_raw(&serde_json::from_str::<Box<RawValue>>(text).unwrap());
    assert_eq!(read(r#"{"a": "\u0078"}"#), read(r#"{"a":"x"}"#));
    assert_ne!(read(r#"{"a": 1}"#), read(r#"{"a": 2}"#));
    // As parsed values compare (`serde_json`'s maps compare regardless of order).
    assert_eq!(read(r#"{"a": 1, "b": 2}"#), read(r#"{"b": 2, "a": 1}"#));
    assert_eq!(StoredJson::default().text(), "null");
    let from_file = |text: &str| {
        StoredJson::from_state_file(&serde_json::from_str::<Box<RawValue>>(text).unwrap())
    };
    assert_eq!(
        from_file(r#"{"n": -0, "m": [-0.5]}"#).text(),
        r#"{"n":0,"m":[-0.5]}"#
    );
    assert_eq!(
        from_file(r#"{"n": 1, "s": "\u0078"}"#).text(),
        r#"{"n":1,"s":"x"}"#
    );
    assert_eq!(from_file(r#"{"n": 0.0000001}"#).text(), r#"{"n":1e-7}"#);
    assert_eq!(StoredJson::empty_object().to_json(), serde_json::json!({}));
}

fn json_strategy() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        "[a-z\"\\\\/é ]{0,6}".prop_map(Json::String),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Json::Array),
            prop::collection::vec(("[a-c]{1,2}", inner), 0..5)
                .prop_map(|entries| Json::Object(entries.into_iter().collect())),
        ]
    })
}

proptest! {
    // No failure-persistence files: a failure prints its minimal input.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_pretty_text_is_rewritten_byte_for_byte(value in json_strategy()) {
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        let raw: Box<RawValue> = serde_json::from_str(&pretty).unwrap();
        let stored = StoredJson::from_raw(&raw);
        let document = [&stored];
        prop_assert_eq!(
            String::from_utf8(to_vec_pretty(&document).unwrap()).unwrap(),
            serde_json::to_string_pretty(&[&value]).unwrap()
        );
        prop_assert_eq!(serde_json::to_string(&stored).unwrap(), serde_json::to_string(&value).unwrap());
        prop_assert_eq!(stored.to_json(), value);
    }
}

#[test]
fn a_state_file_text_behaves_alike_before_and_after_its_first_use_and_when_cloned() {
    for (text, _) in SAMPLES {
        let raw: Box<RawValue> = serde_json::from_str(text).unwrap();
        let unused = StoredJson::from_state_file(&raw);
        let cloned_unused = unused.clone();
        let used = StoredJson::from_state_file(&raw);
        let json = used.to_json();
        let cloned_used = used.clone();
        for stored in [&unused, &cloned_unused, &used, &cloned_used] {
            assert_eq!(stored.to_json(), json, "{text}");
            assert_eq!(
                serde_json::to_string(stored).unwrap(),
                serde_json::to_string(&used).unwrap(),
                "{text}"
            );
            assert_eq!(stored, &used, "{text}");
        }
    }
}

#[test]
fn values_read_as_the_state_file_reader_reads_them_whether_or_not_they_hold_numbers() {
    let texts = SAMPLES.iter().map(|(text, _)| *text).chain([
        r#"["object", {"zeta": "string", "alpha": ["map", ["list", "bool"]]}]"#,
        r#"{"b": [null, true, "-0"], "a": {"": ""}}"#,
        r#"{"n": -0, "f": 1.50, "e": 1e5, "deep": [[{"x": -0.0}]]}"#,
    ]);
    for text in texts {
        let parsed: Json = serde_json::from_str(text).unwrap();
        let reread = Json::deserialize(parsed.clone()).unwrap();
        let read = as_state_file_reads(parsed);
        assert_eq!(read, reread, "{text}");
        assert_eq!(
            serde_json::to_string(&read).unwrap(),
            serde_json::to_string(&reread).unwrap(),
            "{text}"
        );
    }
}
