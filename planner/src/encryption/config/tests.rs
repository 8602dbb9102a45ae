//! Tests of the parsing of `TF_ENCRYPTION`: a full configuration, and errors that name their
//! line and never a configured value.

use super::*;

const SECRET: &str = "a-secret-passphrase-123";

fn full() -> String {
    format!(
        "key_provider \"pbkdf2\" \"main\" {{\n  passphrase = \"{SECRET}\"\n}}\n\
         key_provider \"external\" \"cmd\" {{\n  command = [\"./key.sh\", \"--flag\"]\n  encrypted_metadata_alias = \"kms\"\n}}\n\
         method \"aes_gcm\" \"main\" {{\n  keys = key_provider.pbkdf2.main\n  aad = [1, 2, 3]\n}}\n\
         method \"aes_gcm\" \"ext\" {{\n  keys = \"key_provider.external.cmd\"\n}}\n\
         method \"unencrypted\" \"migrate\" {{}}\n\
         state {{\n  method = method.aes_gcm.main\n  fallback {{\n    method = method.aes_gcm.ext\n    fallback {{\n      method = method.unencrypted.migrate\n    }}\n  }}\n}}\n\
         plan {{\n  enforced = true\n  method = method.aes_gcm.main\n}}\n\
         remote_state_data_sources {{\n  default {{\n    method = method.aes_gcm.ext\n  }}\n  remote_state_data_source \"network.shared[0]\" {{\n    method = method.aes_gcm.main\n  }}\n}}\n"
    )
}

fn error_of(text: &str) -> ConfigError {
    let err = parse(text).unwrap_err();
    assert!(
        !err.to_string().contains(SECRET),
        "the error shows the passphrase: {err}"
    );
    err
}

#[test]
fn parses_every_supported_block() {
    let config = parse(&full()).unwrap();
    assert_eq!(config.key_providers.len(), 2);
    assert_eq!(config.key_providers[0].meta_key, "key_provider.pbkdf2.main");
    assert_eq!(config.key_providers[1].meta_key, "kms");
    assert!(matches!(
        &config.methods[0].kind,
        MethodKind::AesGcm { key_provider: 0, aad } if aad == &[1, 2, 3]
    ));
    assert!(matches!(
        config.methods[1].kind,
        MethodKind::AesGcm {
            key_provider: 1,
            ..
        }
    ));
    assert_eq!(config.state.unwrap().methods, [0, 1, 2]);
    assert_eq!(config.plan.unwrap().methods, [0]);
    assert_eq!(config.remote_default.unwrap().methods, [1]);
    assert_eq!(config.remote_named["network.shared[0]"].methods, [0]);
    assert!(!format!("{:?}", config.key_providers).contains(SECRET));
}

#[test]
fn errors_name_their_line() {
    let cases: &[(&str, usize, &str)] = &[
        (
            "key_provider \"pbkdf2\" \"a\" {\n  passphrase = \"short\"\n}\n",
            1,
            "too short",
        ),
        ("\n\nbogus {}\n", 3, "blocks of type \"bogus\""),
        ("x = 1\n", 1, "argument named \"x\""),
        ("key_provider \"pbkdf2\" {\n}\n", 1, "2 label(s)"),
        (
            "state {\n  method = method.aes_gcm.missing\n}\n",
            2,
            "undeclared encryption method",
        ),
        (
            "method \"aes_gcm\" \"m\" {\n  keys = key_provider.pbkdf2.none\n}\n",
            2,
            "undeclared key provider",
        ),
        (
            "key_provider \"aws_kms\" \"k\" {\n}\n",
            1,
            "not supported by tenantform",
        ),
        (
            "method \"external\" \"m\" {\n}\n",
            1,
            "not supported by tenantform",
        ),
        (
            "key_provider \"pbkdf2\" \"a\" {\n  passphrase = var.passphrase\n}\n",
            2,
            "passphrase",
        ),
        (
            "key_provider \"pbkdf2\" \"a\" {\n  passphrase = \"${x}\"\n}\n",
            2,
            "interpolation",
        ),
        (
            "key_provider \"pbkdf2\" \"a\" {\n  passphrase = 5\n}\n",
            2,
            "expected a string",
        ),
        ("state {\n\n  method = \n}\n", 3, "invalid HCL syntax"),
        (
            "remote_state_data_sources {\n  remote_state_data_source \"x\" {\n  }\n}\n",
            2,
            "\"method\" is required",
        ),
    ];
    for (text, line, needle) in cases {
        let err = error_of(text);
        assert_eq!(err.line, *line, "{text:?}: {err}");
        assert!(err.message.contains(needle), "{text:?}: {err}");
        assert!(
            err.to_string()
                .starts_with(&format!("TF_ENCRYPTION is invalid at line {line}"))
        );
    }
}

#[test]
fn enforced_forbids_the_unencrypted_method() {
    let text = "method \"unencrypted\" \"u\" {}\nstate {\n  enforced = true\n  method = method.unencrypted.u\n}\n";
    let err = error_of(text);
    assert_eq!(err.line, 2);
    assert!(err.message.contains("enforced"), "{err}");
}

#[test]
fn duplicates_are_refused() {
    let twice = "key_provider \"pbkdf2\" \"a\" {\n  passphrase = \"0123456789abcdef\"\n}\n\
                 key_provider \"pbkdf2\" \"a\" {\n  passphrase = \"0123456789abcdef\"\n}\n";
    assert_eq!(error_of(twice).line, 4);
    let fallback_twice = "method \"unencrypted\" \"u\" {}\nstate {\n  method = method.unencrypted.u\n  fallback {\n    method = method.unencrypted.u\n  }\n  fallback {\n    method = method.unencrypted.u\n  }\n}\n";
    assert_eq!(error_of(fallback_twice).line, 7);
}

#[test]
fn a_syntax_error_never_echoes_the_line() {
    let text =
        format!("key_provider \"pbkdf2\" \"a\" {{\n  passphrase = \"{SECRET}\" \"{SECRET}\"\n}}\n");
    let err = error_of(&text);
    assert_eq!(err.line, 2);
}
