//! `plan -generate-config-out=FILE`: the target file must not exist; after planning, the
//! configuration generated for import targets without a resource block is written to it,
//! under Terraform's header (naming tenantform).

use std::io::Write;
use std::path::Path;

use super::Failure;
use crate::plan::Plan;

/// The first lines of a generated file.
const FILE_HEADER: &str = "# __generated__ by tenantform\n# Please review these resources and \
                           move them into your main configuration files.\n";

/// Refuses a target file that exists, as Terraform does (before planning).
pub(super) fn check_target(path: &str) -> Result<(), Failure> {
    if std::fs::symlink_metadata(path).is_ok() {
        return Err(Failure::error(
            "Target generated file already exists",
            "tenantform can only write generated config into a new file. Either choose a \
             different target location or move all existing configuration out of the target \
             file, delete it and try again.",
        ));
    }
    Ok(())
}

/// The file's text: the header, then each generated block (once, in plan order) under a
/// comment naming the import id; `None` when nothing was generated.
pub(super) fn file_text(plan: &Plan) -> Option<String> {
    let mut text = String::new();
    let mut written: Vec<&str> = Vec::new();
    for change in &plan.changes {
        let Some(generated) = change.generated_config.as_deref() else {
            continue;
        };
        if written.contains(&generated) {
            continue;
        }
        written.push(generated);
        let from = match &change.importing {
            Some(importing) if !generated.starts_with("locals") => {
                format!(" from {:?}", importing.id)
            }
            _ => format!(" for the for_each import to {}", change.addr.resource),
        };
        text.push_str(&format!(
            "\n# __generated__ by tenantform{from}\n{generated}\n"
        ));
    }
    (!written.is_empty()).then(|| format!("{FILE_HEADER}{text}"))
}

/// Writes the generated configuration, if any; returns whether a file was written.
pub(super) fn write(path: &str, plan: &Plan) -> Result<bool, Failure> {
    let Some(text) = file_text(plan) else {
        return Ok(false);
    };
    let failed = |e: std::io::Error| {
        Failure::error(
            "Failed to create target generated file",
            format!(
                "tenantform could not create the generated file ({path}) in the target \
                 directory: {e}."
            ),
        )
    };
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(Path::new(path))
        .map_err(failed)?;
    file.write_all(text.as_bytes()).map_err(failed)?;
    Ok(true)
}

/// What the user is told after the file is written.
pub(super) fn written_message(path: &str) -> String {
    format!(
        "\ntenantform has generated configuration and written it to {path}. Please review\n\
         the configuration and edit it as necessary before adding it to version\ncontrol.\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Action, Importing, ResourceChange};
    use tenantform_proto::value::Value;

    fn generated(addr: &str, id: &str, text: &str) -> ResourceChange {
        ResourceChange {
            addr: addr.parse().expect("an address"),
            deposed: None,
            provider: "registry.terraform.io/tenantform/tenant".into(),
            provider_local_name: "tenant".into(),
            action: Action::NoOp,
            action_reason: None,
            previous_address: None,
            prior: Value::Null.into(),
            planned: Value::Null.into(),
            config: Value::Null,
            prior_private: Vec::new(),
            planned_private: Vec::new(),
            requires_replace: Vec::new(),
            sensitive_paths: Vec::new(),
            unknown_collections: Vec::new(),
            dependencies: Vec::new(),
            schema_version: 0,
            importing: Some(Importing { id: id.into() }),
            generated_config: Some(text.into()),
        }
    }

    #[test]
    fn the_file_has_terraforms_layout_and_each_block_once() {
        let mut plan = Plan::default();
        assert_eq!(file_text(&plan), None, "nothing generated, no file");
        let fleet = "locals {}\n\nresource \"tenant\" \"t\" {}";
        plan.changes = vec![
            generated("tenant.acme", "acme", "resource \"tenant\" \"acme\" {}"),
            generated("tenant.t[\"a\"]", "a", fleet),
            generated("tenant.t[\"b\"]", "b", fleet),
        ];
        assert_eq!(
            file_text(&plan).as_deref(),
            Some(
                "# __generated__ by tenantform\n# Please review these resources and move them \
                 into your main configuration files.\n\n# __generated__ by tenantform from \
                 \"acme\"\nresource \"tenant\" \"acme\" {}\n\n# __generated__ by tenantform for \
                 the for_each import to tenant.t\nlocals {}\n\nresource \"tenant\" \"t\" {}\n"
            )
        );
    }
}
