//! Version constraints as `terraform { required_version }` writes them (go-version's syntax:
//! comma-separated `OP VERSION` terms with `=`, `!=`, `>`, `>=`, `<`, `<=` and `~>`), checked
//! against the Terraform version tenantform is compatible with.

use std::cmp::Ordering;

/// The Terraform release whose language and behaviour tenantform follows; `required_version`
/// constraints are evaluated against it.
pub(crate) const COMPATIBLE_TERRAFORM_VERSION: &str = "1.15.5";

/// A parsed version: numeric segments (padded to three) and an optional pre-release tag.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Version {
    segments: Vec<u64>,
    /// How many segments the text gave (`~>` depends on it).
    given: usize,
    prerelease: String,
}

impl Version {
    fn parse(text: &str) -> Option<Version> {
        let text = text.trim().strip_prefix('v').unwrap_or(text.trim());
        let text = text.split('+').next()?;
        let (numbers, prerelease) = match text.split_once('-') {
            Some((numbers, pre)) if !pre.is_empty() => (numbers, pre.to_string()),
            Some(_) => return None,
            None => (text, String::new()),
        };
        let mut segments = numbers
            .split('.')
            .map(|part| part.parse::<u64>().ok())
            .collect::<Option<Vec<u64>>>()?;
        let given = segments.len();
        if given == 0 || given > 3 {
            return None;
        }
        segments.resize(3, 0);
        Some(Version {
            segments,
            given,
            prerelease,
        })
    }

    /// Release order; a pre-release sorts before its release.
    fn compare(&self, other: &Version) -> Ordering {
        self.segments.cmp(&other.segments).then_with(|| {
            match (self.prerelease.is_empty(), other.prerelease.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => self.prerelease.cmp(&other.prerelease),
            }
        })
    }
}

/// Whether `version` meets every term of `constraint`; `Err` names a term that does not
/// parse.
pub(crate) fn version_meets(version: &str, constraint: &str) -> Result<bool, String> {
    let Some(version) = Version::parse(version) else {
        return Err(version.to_string());
    };
    for term in constraint.split(',') {
        let term = term.trim();
        let (op, rest) = split_operator(term);
        let bound = Version::parse(rest).ok_or_else(|| term.to_string())?;
        if !bound.prerelease.is_empty() && !version.prerelease.is_empty() {
            if bound.segments != version.segments {
                return Ok(false);
            }
        } else if bound.prerelease.is_empty() && !version.prerelease.is_empty() {
            return Ok(false);
        }
        let order = version.compare(&bound);
        let holds = match op {
            "=" | "" => order == Ordering::Equal,
            "!=" => order != Ordering::Equal,
            ">" => order == Ordering::Greater,
            ">=" => order != Ordering::Less,
            "<" => order == Ordering::Less,
            "<=" => order != Ordering::Greater,
            _ => pessimistic(&version, &bound),
        };
        if !holds {
            return Ok(false);
        }
    }
    Ok(true)
}

/// `~> 1.2` allows `>= 1.2, < 2.0`; `~> 1.2.3` allows `>= 1.2.3, < 1.3.0`.
fn pessimistic(version: &Version, bound: &Version) -> bool {
    if version.compare(bound) == Ordering::Less {
        return false;
    }
    let fixed = bound.given.saturating_sub(1).max(1);
    version.segments[..fixed] == bound.segments[..fixed]
}

fn split_operator(term: &str) -> (&str, &str) {
    for op in ["~>", ">=", "<=", "!=", ">", "<", "="] {
        if let Some(rest) = term.strip_prefix(op) {
            return (op, rest);
        }
    }
    ("", term)
}

#[cfg(test)]
mod tests {
    use super::version_meets;

    #[test]
    fn operators_compare_as_go_version_does() {
        let cases = [
            (">= 1.2.0, < 2.0.0", true),
            ("< 1.0.0", false),
            ("1.15.5", true),
            ("= 1.15.4", false),
            ("!= 1.15.5", false),
            ("~> 1.15", true),
            ("~> 1.15.0", true),
            ("~> 1.14.0", false),
            ("~> 1.16", false),
            ("~> 1", true),
            ("> 1.15.5", false),
            ("<= 1.15.5", true),
            (">= 1.15.0-beta1", true),
            (">=1.15", true),
        ];
        for (constraint, expected) in cases {
            assert_eq!(
                version_meets("1.15.5", constraint),
                Ok(expected),
                "{constraint}"
            );
        }
    }

    #[test]
    fn malformed_terms_are_named() {
        assert_eq!(version_meets("1.15.5", ">= 1.x"), Err(">= 1.x".to_string()));
        assert_eq!(version_meets("1.15.5", ""), Err(String::new()));
    }
}
