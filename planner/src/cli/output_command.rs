//! `tenantform output [-json] [-raw] [-state=PATH] [NAME]`: prints the root module's output
//! values from the state in Terraform's formats. Without a name every output is listed as
//! `name = value` (sensitive ones as `<sensitive>`); with a name its value alone is printed
//! (sensitive or not); `-json` prints cty JSON (with every output's `sensitive`, `type` and
//! `value` when listing), `-raw` a string, number or bool with no quotes and no newline.

use crate::cli::commands::Command;
use crate::cli::flag_defs;
use std::collections::BTreeMap;

use serde_json::{Value as Json, json};
use tenantform_proto::value::{Type, Value, type_from_json};

use super::args::Flag;
use super::console::format_value;
use super::{CommandResult, Failure, Ui, common};
use crate::diags::{Diagnostic, Diagnostics, Sources};
use crate::lang::Sensitivity;
use crate::state::{LocalStore, OutputState, StateStore};
use crate::variables::TypeConstraint;
use crate::variables::conform;

pub(super) static COMMAND: Command = Command::new(
    "output",
    "[options] [NAME]",
    "  Reads an output variable from a tenantform state file and prints
  the value. With no additional arguments, output will display all
  the outputs for the root module.  If NAME is not specified, all
  outputs are printed.",
    &[
        flag_defs::STATE_PATH,
        flag_defs::NO_COLOR,
        Flag::bool(
            "json",
            "If specified, machine readable output will be printed in JSON format.",
        ),
        Flag::bool(
            "raw",
            "For value types that can be automatically converted to a string, will print the raw string directly, rather than a human-oriented representation of the value.",
        ),
    ],
);

/// How the values are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Human,
    Json,
    Raw,
}

pub(super) async fn run(ui: &Ui, args: &[String]) -> CommandResult {
    let usage_error = |message: String| COMMAND.usage_error(message);
    let parsed = COMMAND.parse(args)?;
    let format = match (parsed.flag("json", false), parsed.flag("raw", false)) {
        (true, true) => {
            return Err(usage_error(
                "The -raw and -json options are mutually-exclusive.".into(),
            ));
        }
        (true, false) => Format::Json,
        (false, true) => Format::Raw,
        (false, false) => Format::Human,
    };
    let name = match parsed.positional.as_slice() {
        [] => None,
        [name] => Some(name.as_str()),
        _ => {
            return Err(usage_error(
                "The output command expects exactly one argument with the name of an output \
                 variable or no arguments to show all outputs."
                    .into(),
            ));
        }
    };
    let store: Box<dyn StateStore> = match parsed.last("state") {
        Some(path) => Box::new(LocalStore::at_path(path)),
        None => common::store()?,
    };
    let outputs = StateStore::read(&store)
        .map_err(|e| common::state_failure(e, "Failed to load state"))?
        .map(|state| state.outputs)
        .unwrap_or_default();
    let text = print(&outputs, name, format)
        .map_err(|diag| Failure::Diags(Diagnostics::from(*diag), Sources::default()))?;
    match text {
        Printed::Text(text) => ui.out(&text),
        Printed::NoOutputs => ui.diags(&no_outputs_warning().into(), &Sources::default()),
    }
    Ok(0)
}

/// What `output` prints.
#[derive(Debug, PartialEq, Eq)]
enum Printed {
    Text(String),
    /// Nothing but Terraform's warning that there are no outputs.
    NoOutputs,
}

fn no_outputs_warning() -> Diagnostic {
    Diagnostic::warning(
        "No outputs found",
        "The state file either has no outputs defined, or all the defined outputs are empty. \
         Please define an output in your configuration with the `output` keyword and run \
         `tenantform refresh` for it to become available. If you are using interpolation, \
         please verify the interpolated value is not empty. You can use the `tenantform show` \
         command to view the resources and their outputs.",
    )
}

fn missing_output(name: &str) -> Diagnostic {
    Diagnostic::error(
        format!("Output {name:?} not found"),
        "The output variable requested could not be found in the state file. If you recently \
         added this to your configuration, be sure to run `tenantform apply`, since the state \
         won't be updated with new output variables until that command is run.",
    )
}

/// The typed value of a stored output.
/// An output's stored value decoded with its stored type (untyped where the type is not
/// readable).
pub(super) fn typed_value(output: &OutputState) -> (Value, Type) {
    let ty = type_from_json(&output.ty).unwrap_or(Type::Dynamic);
    let value = output
        .value
        .decode(&ty)
        .unwrap_or_else(|_| super::output::json_to_value(&output.value.to_json()));
    (value, ty)
}

fn print(
    outputs: &BTreeMap<String, OutputState>,
    name: Option<&str>,
    format: Format,
) -> Result<Printed, Box<Diagnostic>> {
    if let Some(name) = name {
        let output = outputs
            .get(name)
            .ok_or_else(|| Box::new(missing_output(name)))?;
        return print_one(name, output, format).map(Printed::Text);
    }
    match format {
        Format::Json => {
            let all: serde_json::Map<String, Json> = outputs
                .iter()
                .map(|(name, output)| {
                    let entry = json!({
                        "sensitive": output.sensitive,
                        "type": output.ty,
                        "value": output.value,
                    });
                    (name.clone(), entry)
                })
                .collect();
            let text = serde_json::to_string_pretty(&Json::Object(all)).unwrap_or_default();
            Ok(Printed::Text(format!("{text}\n")))
        }
        Format::Raw if outputs.is_empty() => Ok(Printed::NoOutputs),
        Format::Raw => Err(Box::new(Diagnostic::error(
            "Raw output format is only supported for single outputs",
            "",
        ))),
        Format::Human if outputs.is_empty() => Ok(Printed::NoOutputs),
        Format::Human => Ok(Printed::Text(human_outputs(outputs))),
    }
}

/// Every output as `NAME = VALUE` lines, sensitive ones as `<sensitive>`: what `output`
/// prints, and the `Outputs:` section after apply.
pub(super) fn human_outputs(outputs: &BTreeMap<String, OutputState>) -> String {
    let mut text = String::new();
    for (name, output) in outputs {
        let shown = if output.sensitive {
            "<sensitive>".to_string()
        } else {
            format_value(&typed_value(output).0, &Sensitivity::None, 0)
        };
        text.push_str(&format!("{name} = {shown}\n"));
    }
    text
}

fn print_one(name: &str, output: &OutputState, format: Format) -> Result<String, Box<Diagnostic>> {
    let (value, ty) = typed_value(output);
    match format {
        Format::Json => Ok(format!(
            "{}\n",
            serde_json::to_string(&output.value).unwrap_or_default()
        )),
        Format::Human => Ok(format!("{}\n", format_value(&value, &Sensitivity::None, 0))),
        Format::Raw => {
            let unsupported = |detail: String| {
                Box::new(Diagnostic::error(
                    "Unsupported value for raw output",
                    detail,
                ))
            };
            match conform(value, &TypeConstraint::String) {
                Ok(Value::String(text)) => Ok(text),
                Ok(_) => Err(unsupported(format!(
                    "The value for output value {name:?} is null, so -raw mode cannot print it."
                ))),
                Err(_) => Err(unsupported(format!(
                    "The -raw option only supports strings, numbers, and boolean values, but \
                     output value {name:?} is {}.\n\nUse the -json option for machine-readable \
                     representations of output values that have complex types.",
                    type_phrase(&ty)
                ))),
            }
        }
    }
}

/// cty's friendly type name with its article, as Terraform's message uses it: `a list of
/// string`, `an object`.
fn type_phrase(ty: &Type) -> String {
    let name = match ty {
        Type::Dynamic => "dynamic".to_string(),
        other => other.friendly_name(),
    };
    let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outputs() -> BTreeMap<String, OutputState> {
        let output = |value: Json, ty: Json, sensitive: bool| OutputState {
            value: crate::state::StoredJson::from_json(&value),
            ty,
            sensitive,
        };
        BTreeMap::from([
            (
                "count".to_string(),
                output(json!(2), json!("number"), false),
            ),
            (
                "names".to_string(),
                output(json!(["a", "b"]), json!(["list", "string"]), false),
            ),
            (
                "password".to_string(),
                output(json!("s3cret"), json!("string"), true),
            ),
            (
                "tags".to_string(),
                output(json!({"env": "prod"}), json!(["map", "string"]), false),
            ),
        ])
    }

    fn text(printed: Result<Printed, Box<Diagnostic>>) -> String {
        match printed {
            Ok(Printed::Text(text)) => text,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn human_list_hides_sensitive_values() {
        assert_eq!(
            text(print(&outputs(), None, Format::Human)),
            "count = 2\nnames = tolist([\n  \"a\",\n  \"b\",\n])\npassword = <sensitive>\n\
             tags = tomap({\n  \"env\" = \"prod\"\n})\n"
        );
    }

    #[test]
    fn a_named_output_shows_its_value_even_when_sensitive() {
        assert_eq!(
            text(print(&outputs(), Some("password"), Format::Human)),
            "\"s3cret\"\n"
        );
        assert_eq!(
            text(print(&outputs(), Some("password"), Format::Raw)),
            "s3cret"
        );
        assert_eq!(text(print(&outputs(), Some("count"), Format::Raw)), "2");
        assert_eq!(
            text(print(&outputs(), Some("names"), Format::Json)),
            "[\"a\",\"b\"]\n"
        );
    }

    #[test]
    fn json_lists_sensitive_type_and_value() {
        let printed = text(print(&outputs(), None, Format::Json));
        let doc: Json = serde_json::from_str(&printed).unwrap();
        assert_eq!(
            doc["names"],
            json!({"sensitive": false, "type": ["list", "string"], "value": ["a", "b"]})
        );
        assert!(printed.starts_with("{\n  \"count\": {\n    \"sensitive\": false,"));
        assert_eq!(text(print(&BTreeMap::new(), None, Format::Json)), "{}\n");
    }

    #[test]
    fn errors_and_warnings_use_terraform_wording() {
        let err = print(&outputs(), Some("nope"), Format::Human).unwrap_err();
        assert_eq!(err.summary, "Output \"nope\" not found");
        let err = print(&outputs(), Some("names"), Format::Raw).unwrap_err();
        assert!(
            err.detail
                .contains("output value \"names\" is a list of string.")
        );
        let err = print(&outputs(), None, Format::Raw).unwrap_err();
        assert_eq!(
            err.summary,
            "Raw output format is only supported for single outputs"
        );
        assert_eq!(
            print(&BTreeMap::new(), None, Format::Human),
            Ok(Printed::NoOutputs)
        );
    }
}
