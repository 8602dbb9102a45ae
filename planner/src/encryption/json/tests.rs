//! Tests of the JSON form of `TF_ENCRYPTION`: OpenTofu's JSON configuration reads as the
//! native one does, strings stay literal, and errors show no value.

use crate::encryption::config::{MethodKind, parse};

#[test]
fn the_json_form_reads_as_the_native_one() {
    let json = r#"{
      "key_provider": {"pbkdf2": {"main": {"passphrase": "a-secret-passphrase-${x}", "iterations": 200000}}},
      "method": [{"aes_gcm": {"main": {"keys": "key_provider.pbkdf2.main", "aad": [1, 2]}}},
                 {"unencrypted": {"migrate": {}}}],
      "state": {"method": "method.aes_gcm.main", "fallback": {"method": "method.unencrypted.migrate"}},
      "plan": {"enforced": true, "method": "method.aes_gcm.main"},
      "remote_state_data_sources": {
        "default": {"method": "method.aes_gcm.main"},
        "remote_state_data_source": {"net.shared[0]": {"method": "method.aes_gcm.main"}}
      }
    }"#;
    let config = parse(json).unwrap();
    assert_eq!(config.key_providers[0].meta_key, "key_provider.pbkdf2.main");
    assert!(matches!(&config.methods[0].kind, MethodKind::AesGcm { aad, .. } if aad == &[1, 2]));
    assert_eq!(config.state.unwrap().methods, [0, 1]);
    assert_eq!(config.plan.unwrap().methods, [0]);
    assert_eq!(config.remote_named["net.shared[0]"].methods, [0]);
}

#[test]
fn errors_show_no_value_and_syntax_errors_their_line() {
    let short = r#"{"key_provider": {"pbkdf2": {"k": {"passphrase": "short-secret"}}}}"#;
    let err = parse(short).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("TF_ENCRYPTION is invalid: (JSON form)"),
        "{err}"
    );
    assert!(err.message.contains("too short") && !err.to_string().contains("short-secret"));
    let broken = parse("{\n\"state\": {\n  \"method\": \"x-secret\" \"y\"\n}}").unwrap_err();
    assert_eq!(broken.line, 3, "{broken}");
    assert!(!broken.to_string().contains("secret"), "{broken}");
    let object = parse(r#"{"state": {"method": {"a": 1}}}"#).unwrap_err();
    assert!(
        object.message.contains("objects are not allowed"),
        "{object}"
    );
    let deep = format!("{}{}", "{\"state\": ".repeat(40), "}".repeat(40));
    assert!(parse(&deep).is_err());
}
