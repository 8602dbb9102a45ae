//! Running a resource's `local-exec` provisioners during apply, as Terraform does: the
//! creation-time ones after an object is created (a failure taints it), the destroy-time
//! ones before it is destroyed (a failure keeps it), each evaluated with `self` bound to the
//! object. A provisioner whose configuration holds a sensitive value shows no output, and its
//! errors do not repeat the command.

use std::collections::BTreeMap;

use tenantform_proto::schema::{Attribute, Block};
use tenantform_proto::value::{Type, Value};

use crate::addrs::static_module_path;
use crate::config::{LOCAL_EXEC, OnFailure, Provisioner, ProvisionerWhen};
use crate::diags::{Diagnostic, Diagnostics};
use crate::lang::{self, EvalContext};
use crate::plan::ResourceChange;
use crate::provisioners::LocalExec;

use super::applier::InstanceApplier;

/// What a `local-exec` provisioner shows instead of the output of a sensitive configuration.
const SUPPRESSED: &str = "(output suppressed due to sensitive value in config)";

impl InstanceApplier<'_> {
    /// Runs the provisioners of one kind (a resource's, or a `removed` block's) against `object` (its new value after a
    /// create, its prior value before a destroy). `Err` when one failed with `on_failure =
    /// fail`; failures with `on_failure = continue` are reported as warnings.
    pub(super) async fn provision(
        &self,
        change: &ResourceChange,
        provisioners: &[Provisioner],
        when: ProvisionerWhen,
        object: &Value,
        ctx: &EvalContext,
    ) -> Result<(), Diagnostics> {
        let module = static_module_path(&change.addr.module);
        let sources = &self
            .scope
            .config
            .descendant(&module)
            .unwrap_or(self.scope.config)
            .sources;
        let mut ctx = ctx.clone();
        ctx.self_value = Some(object.clone());
        for provisioner in provisioners.iter().filter(|p| p.when == when) {
            let evaluated = lang::decode_body_marked(
                &provisioner.body,
                &local_exec_schema(),
                &ctx,
                &provisioner.file,
                sources,
            )?;
            let sensitive = evaluated.marks.any();
            let request = local_exec(&evaluated.value);
            match self.run_local_exec(change, &request, sensitive).await {
                Ok(()) => {}
                Err(message) => {
                    let failure = failure(provisioner, &message, &request, sensitive);
                    match provisioner.on_failure {
                        OnFailure::Fail => return Err(failure.into()),
                        OnFailure::Continue => self
                            .scope
                            .report(Diagnostics::from(failure).into_warnings()),
                    }
                }
            }
        }
        Ok(())
    }

    async fn run_local_exec(
        &self,
        change: &ResourceChange,
        request: &LocalExec,
        sensitive: bool,
    ) -> Result<(), String> {
        let addr = &change.addr;
        self.hooks.provisioning(addr, LOCAL_EXEC);
        let quiet = request.quiet;
        if sensitive {
            self.hooks.provision_output(addr, LOCAL_EXEC, SUPPRESSED);
        } else if quiet {
            self.hooks.provision_output(
                addr,
                LOCAL_EXEC,
                "local-exec: Executing: Suppressed by quiet=true",
            );
        } else {
            let line = format!("Executing: {}", go_quoted_list(&request.argv()));
            self.hooks.provision_output(addr, LOCAL_EXEC, &line);
        }
        let show = |line: &str| {
            let shown = if sensitive { SUPPRESSED } else { line };
            self.hooks.provision_output(addr, LOCAL_EXEC, shown);
        };
        let result = self.provisioners.local_exec(request, &show).await;
        self.hooks.provisioned(addr, LOCAL_EXEC, result.is_ok());
        result
    }
}

/// The `local-exec` provisioner's arguments, as Terraform's schema declares them.
fn local_exec_schema() -> Block {
    let attributes = [
        ("command", Attribute::required(Type::String)),
        (
            "interpreter",
            Attribute::optional(Type::List(Box::new(Type::String))),
        ),
        ("working_dir", Attribute::optional(Type::String)),
        (
            "environment",
            Attribute::optional(Type::Map(Box::new(Type::String))),
        ),
        ("quiet", Attribute::optional(Type::Bool)),
    ];
    Block {
        attributes: attributes
            .into_iter()
            .map(|(name, attribute)| (name.to_string(), attribute))
            .collect(),
        ..Block::default()
    }
}

fn local_exec(config: &Value) -> LocalExec {
    let text = |name: &str| {
        config
            .get_attr(name)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let interpreter = match config.get_attr("interpreter") {
        Some(Value::List(items)) => items
            .iter()
            .filter_map(|item| item.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    let environment: BTreeMap<String, String> = match config.get_attr("environment") {
        Some(Value::Map(entries)) => entries
            .iter()
            .filter_map(|(key, value)| Some((key.clone(), value.as_str()?.to_string())))
            .collect(),
        _ => BTreeMap::new(),
    };
    LocalExec {
        command: text("command").unwrap_or_default(),
        interpreter,
        working_dir: text("working_dir"),
        environment,
        quiet: config.get_attr("quiet").and_then(Value::as_bool) == Some(true),
    }
}

/// Go's `%q` of a string slice: `["/bin/sh" "-c" "echo hi"]`.
fn go_quoted_list(items: &[String]) -> String {
    let quoted: Vec<String> = items
        .iter()
        .map(|item| serde_json::Value::String(item.clone()).to_string())
        .collect();
    format!("[{}]", quoted.join(" "))
}

fn failure(
    provisioner: &Provisioner,
    message: &str,
    request: &LocalExec,
    sensitive: bool,
) -> Diagnostic {
    let detail = if sensitive {
        "Error running command: the provisioner's configuration holds a sensitive value, so \
         neither the command nor its output is shown."
            .to_string()
    } else if request.command.is_empty() {
        "The command must be a non-empty string.".to_string()
    } else {
        message.to_string()
    };
    let summary = if request.command.is_empty() {
        "Invalid local-exec provisioner command"
    } else {
        "local-exec provisioner error"
    };
    Diagnostic::error(summary, detail).with_range(Some(provisioner.range.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_lines_print_as_go_quotes_them() {
        let items = [
            "/bin/sh".to_string(),
            "-c".to_string(),
            "echo \"hi\"".to_string(),
        ];
        assert_eq!(go_quoted_list(&items), r#"["/bin/sh" "-c" "echo \"hi\""]"#);
    }
}
