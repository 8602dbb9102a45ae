//! A provider's `version_constraint` in the JSON plan's `provider_config`, normalised as
//! Terraform's `VersionConstraintsString` writes it: each constraint as `OP X.Y.Z` (missing
//! parts zero; `~> X.Y` keeps two parts), duplicates removed, ordered by version then by
//! operator, joined by `, `.

/// The normalised constraints; the text as written when a constraint does not parse.
pub(crate) fn normalized(text: &str) -> String {
    let mut parsed = Vec::new();
    for part in text.split(',') {
        match Constraint::parse(part.trim()) {
            Some(constraint) => parsed.push(constraint),
            None => return text.to_string(),
        }
    }
    parsed.sort();
    parsed.dedup();
    parsed
        .iter()
        .map(Constraint::text)
        .collect::<Vec<_>>()
        .join(", ")
}

/// One constraint: its version (numbers, then the pre-release, a release sorting after its
/// pre-releases) and the operator's rank in Terraform's order.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Constraint {
    numbers: [u64; 3],
    is_release: bool,
    prerelease: String,
    operator_rank: u8,
    operator: &'static str,
}

/// Terraform's operators in its tie-break order; `~>` ranks by how many parts it keeps.
const OPERATORS: [(&str, u8); 7] = [
    (">=", 2),
    ("<=", 6),
    ("!=", 8),
    ("~>", 4),
    (">", 1),
    ("<", 7),
    ("=", 3),
];

impl Constraint {
    fn parse(text: &str) -> Option<Constraint> {
        let (operator, rank, rest) = OPERATORS
            .iter()
            .find_map(|(op, rank)| text.strip_prefix(op).map(|rest| (*op, *rank, rest)))
            .unwrap_or(("=", 3, text));
        let version = rest.trim().split('+').next()?;
        let (core, prerelease) = version.split_once('-').unwrap_or((version, ""));
        let parts: Vec<&str> = core.split('.').collect();
        if parts.is_empty() || parts.len() > 3 {
            return None;
        }
        let mut numbers = [0u64; 3];
        for (slot, part) in numbers.iter_mut().zip(&parts) {
            *slot = part.parse().ok()?;
        }
        // `~> X` and `~> X.Y` let the minor version grow, `~> X.Y.Z` only the patch.
        let minor_only = operator == "~>" && parts.len() < 3;
        Some(Constraint {
            numbers,
            is_release: prerelease.is_empty(),
            prerelease: prerelease.to_string(),
            operator_rank: if minor_only { 5 } else { rank },
            operator,
        })
    }

    fn text(&self) -> String {
        let [major, minor, patch] = self.numbers;
        let operator = match self.operator {
            "=" => String::new(),
            op => format!("{op} "),
        };
        let version = if self.operator_rank == 5 {
            format!("{major}.{minor}")
        } else {
            format!("{major}.{minor}.{patch}")
        };
        let prerelease = if self.is_release {
            String::new()
        } else {
            format!("-{}", self.prerelease)
        };
        format!("{operator}{version}{prerelease}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraints_are_written_as_terraform_writes_them() {
        assert_eq!(normalized("~> 1.0"), "~> 1.0");
        assert_eq!(normalized("~>1.2.3"), "~> 1.2.3");
        assert_eq!(normalized(">=1.2, < 2"), ">= 1.2.0, < 2.0.0");
        assert_eq!(normalized("<2.0.0,>= 1.2.0, >= 1.2"), ">= 1.2.0, < 2.0.0");
        assert_eq!(normalized("1.4.0-beta"), "1.4.0-beta");
        assert_eq!(normalized("~> 1"), "~> 1.0");
        assert_eq!(normalized("not a version"), "not a version");
    }
}
