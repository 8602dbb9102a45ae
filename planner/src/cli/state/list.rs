//! `tenantform state list [-state=PATH] [-id=ID] [ADDRESS...]`: the addresses of the
//! resource instances in the state, in Terraform's order, optionally filtered by module,
//! resource or instance addresses and by the `id` attribute.

use super::super::args::Flag;
use super::{CommandResult, Failure, Target, Ui, read_existing, store_for, terraform_order};
use crate::addrs::InstanceAddr;
use crate::cli::commands::Command;
use crate::cli::flag_defs;
use crate::state::State;

pub(super) static COMMAND: Command = Command::new(
    "state list",
    "[options] [address...]",
    "  List resources in the tenantform state.

  This command lists resource instances in the tenantform state. The address
  argument can be used to filter the instances by resource or module. If
  no pattern is given, all resource instances are listed.

  The addresses must either be module addresses or absolute resource
  addresses, such as:
      tenant.example
      module.example
      module.example.module.child
      module.example.tenant.example

  An error will be returned if any of the resources or modules given as
  filter addresses do not exist in the state.",
    &[
        flag_defs::STATE_PATH,
        Flag::value(
            "id",
            "=ID",
            "Filters the results to include only instances whose resource types have an attribute named \"id\" whose value equals the given id string.",
        ),
        flag_defs::NO_COLOR,
    ],
);

pub(super) fn run(ui: &Ui, args: &[String]) -> CommandResult {
    let parsed = COMMAND.parse(args)?;
    let targets = Target::parse_all(&parsed.positional, "Invalid address")?;
    let store = store_for(&parsed)?;
    let Some(state) = read_existing(store.as_ref())? else {
        return Err(super::no_state_failure());
    };
    let addrs = list(&state, &targets, parsed.last("id"))?;
    let text: String = addrs.iter().map(|addr| format!("{addr}\n")).collect();
    ui.out(&text);
    Ok(0)
}

/// The instances matching each of `targets` in turn (all when there are none) and, with `id`, whose
/// `id` attribute equals it; an error names the first target that matches nothing.
pub(super) fn list(
    state: &State,
    targets: &[Target],
    id: Option<&str>,
) -> Result<Vec<InstanceAddr>, Failure> {
    if let Some(missing) = targets
        .iter()
        .find(|target| !state.iter().any(|(addr, _)| target.contains(addr)))
    {
        return Err(unknown_target(missing));
    }
    let id_matches = |instance: &crate::state::InstanceState| {
        id.is_none_or(|id| {
            instance
                .attributes
                .to_json()
                .get("id")
                .and_then(|v| v.as_str())
                == Some(id)
        })
    };
    let matching = |target: Option<&Target>| {
        let mut addrs: Vec<InstanceAddr> = state
            .iter()
            .filter(|(addr, instance)| {
                target.is_none_or(|t| t.contains(addr)) && id_matches(instance)
            })
            .map(|(addr, _)| addr.clone())
            .collect();
        addrs.sort_by(terraform_order);
        addrs
    };
    if targets.is_empty() {
        return Ok(matching(None));
    }
    // As Terraform does: the matches of each address in turn, in the order given.
    Ok(targets.iter().flat_map(|t| matching(Some(t))).collect())
}

fn unknown_target(target: &Target) -> Failure {
    if target.is_module() {
        Failure::error(
            "Unknown module",
            format!(
                "The current state contains no module at {target}. If you've just added this \
                 module to the configuration, you must run \"tenantform apply\" first to create \
                 the module's entry in the state."
            ),
        )
    } else {
        Failure::error(
            "Unknown resource",
            format!(
                "The current state contains no resource {target}. If you've just added this \
                 resource to the configuration, you must run \"tenantform apply\" first to \
                 create the resource's entry in the state."
            ),
        )
    }
}
