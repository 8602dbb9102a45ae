//! The instance digest: stable, changed by each of its inputs, and unambiguous between values
//! that print alike.

use std::collections::BTreeMap;

use tenantform_proto::value::{AttributePath, Value};

use super::*;

fn base<'a>(config: &'a Value, lifecycle: &'a Lifecycle) -> DigestInputs<'a> {
    DigestInputs {
        type_name: "fake_thing",
        provider_source: "registry.terraform.io/test/fake",
        provider_version: "1",
        provider_config: None,
        config,
        sensitive_paths: &[],
        lifecycle,
        schema_version: 0,
        dependencies: &[],
    }
}

#[test]
fn the_digest_is_stable_and_every_input_changes_it() {
    let config = Value::Object(BTreeMap::from([("name".to_string(), Value::string("a"))]));
    let lifecycle = Lifecycle::default();
    let base_digest = instance_digest(&base(&config, &lifecycle));
    assert_eq!(base_digest.len(), 64);
    assert_eq!(base_digest, instance_digest(&base(&config, &lifecycle)));
    let other_config = Value::Object(BTreeMap::from([("name".to_string(), Value::string("b"))]));
    let sensitive = [AttributePath::attr("name")];
    let dependencies = ["fake_thing.x".to_string()];
    let cbd = Lifecycle {
        create_before_destroy: true,
        ..Lifecycle::default()
    };
    let provider_config = Value::Null;
    let b = || base(&config, &lifecycle);
    let variants = [
        DigestInputs {
            type_name: "fake_child",
            ..b()
        },
        DigestInputs {
            provider_source: "registry.terraform.io/test/other",
            ..b()
        },
        DigestInputs {
            provider_version: "2",
            ..b()
        },
        DigestInputs {
            provider_config: Some(&provider_config),
            ..b()
        },
        DigestInputs {
            config: &other_config,
            ..b()
        },
        DigestInputs {
            sensitive_paths: &sensitive,
            ..b()
        },
        DigestInputs {
            lifecycle: &cbd,
            ..b()
        },
        DigestInputs {
            schema_version: 1,
            ..b()
        },
        DigestInputs {
            dependencies: &dependencies,
            ..b()
        },
    ];
    for (index, variant) in variants.iter().enumerate() {
        assert_ne!(
            instance_digest(variant),
            base_digest,
            "input {index} left the digest unchanged"
        );
    }
}

#[test]
fn values_that_print_alike_have_other_digests() {
    let pair = |a: &str, b: &str| Value::List(vec![Value::string(a), Value::string(b)]);
    let one = |v: Value| {
        let mut h = Sha256::new();
        value(&mut h, &v);
        h.finalize().to_vec()
    };
    assert_ne!(one(pair("ab", "c")), one(pair("a", "bc")));
    assert_ne!(
        one(Value::List(vec![Value::string("a")])),
        one(Value::Set(vec![Value::string("a")]))
    );
    assert_ne!(one(Value::string("true")), one(Value::Bool(true)));
    assert_ne!(one(Value::Null), one(Value::string("")));
}

#[test]
fn a_value_is_fed_as_its_tagged_length_prefixed_encoding() {
    let object = Value::Object(std::collections::BTreeMap::from([(
        "a".to_string(),
        Value::List(vec![Value::string("b"), Value::Null]),
    )]));
    let mut expected = vec![9];
    expected.extend_from_slice(&1u64.to_be_bytes());
    expected.extend_from_slice(&1u64.to_be_bytes());
    expected.push(b'a');
    expected.push(5);
    expected.extend_from_slice(&2u64.to_be_bytes());
    expected.push(4);
    expected.extend_from_slice(&1u64.to_be_bytes());
    expected.push(b'b');
    expected.push(0);
    let mut fed = Sha256::new();
    value(&mut fed, &object);
    assert_eq!(fed.finalize(), Sha256::digest(&expected));
}
