//! Checks of the string formats resource arguments use: API key names, RFC 3339 times, Go
//! durations (`30m`, `8h`, `1h30m`) and CIDR blocks.

use std::net::IpAddr;

const MAX_KEY_NAME_LENGTH: usize = 63;
/// The units of a Go duration; the two-letter ones come first so `ms` is not read as `m`.
const DURATION_UNITS: &[&str] = &["ns", "us", "µs", "ms", "s", "m", "h"];

/// Letters, digits, `-`, `_` and `.`, starting with a letter or digit, at most 63 characters.
pub(super) fn is_valid_key_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_KEY_NAME_LENGTH
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Whether `text` is an RFC 3339 date-time.
pub(super) fn is_rfc3339(text: &str) -> bool {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).is_ok()
}

/// A positive Go duration: one or more `<number><unit>` terms (units ns, us, µs, ms, s, m, h;
/// the number may have a fraction), e.g. `30m`, `8h`, `1h30m`, `1.5h`.
pub(super) fn is_go_duration(text: &str) -> bool {
    let mut rest = text;
    let mut positive = false;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number = &rest[..digits];
        let Ok(value) = number.parse::<f64>() else {
            return false;
        };
        positive |= value > 0.0;
        rest = &rest[digits..];
        let Some(unit) = DURATION_UNITS.iter().find(|unit| rest.starts_with(**unit)) else {
            return false;
        };
        rest = &rest[unit.len()..];
    }
    positive
}

/// An IPv4 or IPv6 CIDR block such as `10.0.0.0/8` or `2001:db8::/32`.
pub(super) fn is_cidr(text: &str) -> bool {
    let Some((address, prefix)) = text.split_once('/') else {
        return false;
    };
    let Ok(address) = address.parse::<IpAddr>() else {
        return false;
    };
    if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) || prefix.len() > 3 {
        return false;
    }
    let Ok(prefix) = prefix.parse::<u8>() else {
        return false;
    };
    match address {
        IpAddr::V4(_) => prefix <= 32,
        IpAddr::V6(_) => prefix <= 128,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        for valid in [
            "30m", "8h", "1h30m", "1.5h", "90s", "250ms", "1h0m0s", ".5h",
        ] {
            assert!(is_go_duration(valid), "{valid}");
        }
        for invalid in [
            "", "8", "h", "8d", "1h30", "-1h", "0s", "1..5h", ".h", "8 h",
        ] {
            assert!(!is_go_duration(invalid), "{invalid}");
        }
    }

    #[test]
    fn cidr_blocks() {
        for valid in ["10.0.0.0/8", "192.168.1.7/32", "0.0.0.0/0", "2001:db8::/32"] {
            assert!(is_cidr(valid), "{valid}");
        }
        for invalid in [
            "10.0.0.0",
            "10.0.0.0/33",
            "10.0.0/8",
            "::/129",
            "10.0.0.0/",
            "x/8",
        ] {
            assert!(!is_cidr(invalid), "{invalid}");
        }
    }

    #[test]
    fn key_names_and_times() {
        assert!(is_valid_key_name("ci-deploy.v2_x"));
        assert!(!is_valid_key_name("a/b"));
        assert!(!is_valid_key_name("-lead"));
        assert!(!is_valid_key_name(&"k".repeat(64)));
        assert!(is_rfc3339("2027-01-01T00:00:00Z"));
        assert!(is_rfc3339("2027-01-01T02:00:00+02:00"));
        assert!(!is_rfc3339("2027-01-01"));
        assert!(!is_rfc3339("tomorrow"));
    }
}
