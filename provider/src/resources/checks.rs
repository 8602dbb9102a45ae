//! Table-driven configuration checks: a kind lists the [`Check`]s of its attributes and
//! [`run_checks`] reports every known value that fails one, in the listed order. Unknown and
//! null values are skipped.

use tenantform_proto::diagnostic::{Diagnostic, Diagnostics};
use tenantform_proto::value::{AttributePath, Value};

use super::common::{check_integer_at_least, check_one_of, check_string};
use crate::values::{Field, string_field};

/// One check of one top-level attribute.
#[derive(Clone, Copy)]
pub enum Check {
    /// The string must satisfy the predicate; the text explains the expected form.
    Form(&'static str, fn(&str) -> bool, &'static str),
    /// The string must be one of the listed values.
    OneOf(&'static str, &'static [&'static str]),
    /// The number must be a whole number of at least the minimum.
    AtLeast(&'static str, i64),
    /// The string must not be empty.
    NotEmpty(&'static str),
}

impl Check {
    /// Adds the finding of this check on `config` to `diagnostics`, if any.
    pub fn run(self, config: &Value, diagnostics: &mut Diagnostics) {
        match self {
            Check::Form(name, is_valid, expected) => {
                let path = AttributePath::attr(name);
                check_string(config, name, is_valid, expected, path, diagnostics);
            }
            Check::OneOf(name, allowed) => {
                check_one_of(
                    config,
                    name,
                    allowed,
                    AttributePath::attr(name),
                    diagnostics,
                );
            }
            Check::AtLeast(name, minimum) => {
                check_integer_at_least(config, name, minimum, diagnostics);
            }
            Check::NotEmpty(name) => {
                if string_field(config, name) == Field::Known(String::new()) {
                    diagnostics.push(
                        Diagnostic::error(
                            format!("Invalid value for {name}"),
                            format!("{name} must not be empty."),
                        )
                        .at(name),
                    );
                }
            }
        }
    }
}

/// The findings of `checks` on `config`, in order.
pub fn run_checks(config: &Value, checks: &[Check]) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    for check in checks {
        check.run(config, &mut diagnostics);
    }
    diagnostics
}
