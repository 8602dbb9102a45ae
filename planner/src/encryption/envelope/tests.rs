//! Tests of the envelope: OpenTofu's field names, order and encodings, and its detection.

use super::*;

#[test]
fn writes_opentofu_fields_in_order_with_base64() {
    let envelope = Envelope {
        serial: Some(3),
        lineage: Some("l-1".into()),
        meta: BTreeMap::from([("key_provider.pbkdf2.main".into(), b"{}".to_vec())]),
        encrypted_data: vec![1, 2, 3],
        encryption_version: VERSION.into(),
    };
    let text = String::from_utf8(envelope.to_bytes()).unwrap();
    assert_eq!(
        text,
        r#"{"serial":3,"lineage":"l-1","meta":{"key_provider.pbkdf2.main":"e30="},"encrypted_data":"AQID","encryption_version":"v0"}"#
    );
    assert_eq!(Envelope::detect(text.as_bytes()).unwrap(), Some(envelope));
}

#[test]
fn a_plan_envelope_has_no_clear_fields() {
    let envelope = Envelope {
        serial: None,
        lineage: None,
        meta: BTreeMap::new(),
        encrypted_data: vec![0],
        encryption_version: VERSION.into(),
    };
    let text = String::from_utf8(envelope.to_bytes()).unwrap();
    assert_eq!(
        text,
        r#"{"meta":{},"encrypted_data":"AA==","encryption_version":"v0"}"#
    );
}

#[test]
fn detection() {
    assert_eq!(
        Envelope::detect(br#"{"version":4,"serial":1}"#).unwrap(),
        None
    );
    assert_eq!(Envelope::detect(b"not json").unwrap(), None);
    assert_eq!(
        Envelope::detect(br#"{"encryption_version":""}"#).unwrap(),
        None
    );
    assert!(Envelope::detect(br#"{"encryption_version":"v1","encrypted_data":""}"#).is_err());
    assert!(Envelope::detect(br#"{"encryption_version":"v0","encrypted_data":"!!"}"#).is_err());
    let null_meta = br#"{"meta":null,"encrypted_data":"","encryption_version":"v0"}"#;
    assert!(Envelope::detect(null_meta).unwrap().is_some());
}
