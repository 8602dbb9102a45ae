//! The handshake line a plugin prints on stdout:
//! `CORE-VERSION|APP-VERSION|NETWORK|ADDRESS|PROTOCOL|SERVER-CERT`, the certificate being
//! base64 (standard alphabet, no padding) of its DER, and empty when the plugin serves
//! plaintext.

use std::fmt;
use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};

use super::{CORE_PROTOCOL_VERSION, HandshakeError, PROTOCOL_VERSION};

/// Where a plugin listens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Network {
    /// `host:port`.
    Tcp(String),
    /// A Unix socket path, as Go plugins use on Unix systems.
    Unix(String),
}

/// A parsed handshake line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandshakeLine {
    pub protocol_version: u32,
    pub network: Network,
    /// The DER of the server's TLS certificate; `None` when the plugin serves plaintext.
    pub server_certificate: Option<Vec<u8>>,
}

impl fmt::Display for HandshakeLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (network, address) = match &self.network {
            Network::Tcp(address) => ("tcp", address),
            Network::Unix(path) => ("unix", path),
        };
        let certificate = self
            .server_certificate
            .as_deref()
            .map(|der| STANDARD_NO_PAD.encode(der))
            .unwrap_or_default();
        write!(
            f,
            "{CORE_PROTOCOL_VERSION}|{}|{network}|{address}|grpc|{certificate}",
            self.protocol_version
        )
    }
}

impl FromStr for HandshakeLine {
    type Err = HandshakeError;

    fn from_str(line: &str) -> Result<Self, Self::Err> {
        let line = line.trim_end_matches(['\r', '\n']);
        let malformed = |reason: &str| HandshakeError::MalformedLine {
            line: line.to_string(),
            reason: reason.to_string(),
        };
        let fields: Vec<&str> = line.split('|').collect();
        if !(4..=6).contains(&fields.len()) {
            return Err(malformed("expected 4 to 6 fields separated by '|'"));
        }
        let version = |field: &str, name: &str, what: &'static str, expected: u32| {
            let found: u32 = field
                .parse()
                .map_err(|_| malformed(&format!("{name} is not a number")))?;
            if found != expected {
                return Err(HandshakeError::UnsupportedVersion {
                    what,
                    found: field.to_string(),
                    expected,
                });
            }
            Ok(found)
        };
        version(
            fields[0],
            "core version",
            "go-plugin core protocol",
            CORE_PROTOCOL_VERSION,
        )?;
        let protocol_version = version(
            fields[1],
            "protocol version",
            "plugin protocol",
            PROTOCOL_VERSION,
        )?;
        let network = match fields[2] {
            "tcp" => Network::Tcp(fields[3].to_string()),
            "unix" => Network::Unix(fields[3].to_string()),
            _ => return Err(malformed("network is neither tcp nor unix")),
        };
        if fields[3].is_empty() {
            return Err(malformed("address is empty"));
        }
        match fields.get(4) {
            None | Some(&"grpc") => {}
            Some(_) => return Err(malformed("only the grpc protocol is supported")),
        }
        let server_certificate = match fields.get(5).map(|cert| cert.trim_end_matches('=')) {
            None | Some("") => None,
            Some(encoded) => Some(
                STANDARD_NO_PAD
                    .decode(encoded)
                    .or_else(|_| STANDARD.decode(encoded))
                    .map_err(|_| malformed("server certificate is not base64"))?,
            ),
        };
        Ok(HandshakeLine {
            protocol_version,
            network,
            server_certificate,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_round_trips_with_certificate() {
        let line = HandshakeLine {
            protocol_version: 6,
            network: Network::Tcp("127.0.0.1:10001".into()),
            server_certificate: Some(vec![0x30, 0x82, 0x01, 0xff, 0x00]),
        };
        let text = line.to_string();
        assert_eq!(text, "1|6|tcp|127.0.0.1:10001|grpc|MIIB/wA");
        assert!(!text.contains('='));
        assert_eq!(text.parse::<HandshakeLine>().expect("parses"), line);
    }

    #[test]
    fn plaintext_and_unix_lines_parse() {
        let line: HandshakeLine = "1|6|unix|/tmp/plugin42|grpc|\n".parse().expect("parses");
        assert_eq!(line.network, Network::Unix("/tmp/plugin42".into()));
        assert_eq!(line.server_certificate, None);
    }

    #[test]
    fn padded_certificates_are_accepted() {
        let line: HandshakeLine = "1|6|tcp|127.0.0.1:1|grpc|MIIB/wA=".parse().expect("parses");
        assert_eq!(
            line.server_certificate,
            Some(vec![0x30, 0x82, 0x01, 0xff, 0x00])
        );
    }

    #[test]
    fn wrong_versions_and_garbage_are_rejected() {
        assert!(matches!(
            "1|5|tcp|127.0.0.1:1|grpc|".parse::<HandshakeLine>(),
            Err(HandshakeError::UnsupportedVersion {
                what: "plugin protocol",
                ..
            })
        ));
        assert!(matches!(
            "2|6|tcp|127.0.0.1:1|grpc|".parse::<HandshakeLine>(),
            Err(HandshakeError::UnsupportedVersion { .. })
        ));
        for garbage in [
            "hello world",
            "1|6|udp|x|grpc|",
            "1|6|tcp|x|netrpc|",
            "1|6|tcp|x|grpc|!!",
        ] {
            assert!(
                matches!(
                    garbage.parse::<HandshakeLine>(),
                    Err(HandshakeError::MalformedLine { .. })
                ),
                "{garbage}"
            );
        }
    }
}
