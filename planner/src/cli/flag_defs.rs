//! Every command-line flag, defined once: its name, how it takes a value (boolean, single
//! value, repeated) and its help text. Each command's table in [`super::commands`] lists the
//! flags it accepts from here, and its usage text is generated from that table.

use super::args::Flag;

pub(super) const INPUT: Flag = Flag::bool(
    "input",
    "Ask for input for variables if not directly set (-input=false disables prompts).",
)
.shown_as("=true");
pub(super) const NO_COLOR: Flag =
    Flag::bool("no-color", "If specified, output won't contain any color.");
pub(super) const JSON: Flag = Flag::bool(
    "json",
    "If specified, output is printed in a machine-readable JSON format.",
);
pub(super) const COMPACT_WARNINGS: Flag = Flag::bool(
    "compact-warnings",
    "If tenantform produces any warnings that are not accompanied by errors, shows them in a \
     more compact form that includes only the summary messages.",
);
pub(super) const PARALLELISM: Flag = Flag::value(
    "parallelism",
    "=n",
    "Limit the number of concurrent operations. Defaults to 10.",
);
pub(super) const LOCK: Flag = Flag::bool(
    "lock",
    "Don't hold a state lock during the operation. This is dangerous if others might \
     concurrently run commands against the same workspace.",
)
.shown_as("=false");
pub(super) const LOCK_TIMEOUT: Flag =
    Flag::value("lock-timeout", "=0s", "Duration to retry a state lock.");
pub(super) const VAR: Flag = Flag::repeated(
    "var",
    " 'foo=bar'",
    "Set a value for one of the input variables in the root module of the configuration. \
     Use this option more than once to set more than one variable.",
);
pub(super) const VAR_FILE: Flag = Flag::repeated(
    "var-file",
    "=filename",
    "Load variable values from the given file, in addition to the default files \
     terraform.tfvars and *.auto.tfvars. Use this option more than once to include more \
     than one variables file.",
);

pub(super) const DESTROY: Flag = Flag::bool(
    "destroy",
    "Select the \"destroy\" planning mode, which plans to destroy every object this \
     configuration manages.",
);
pub(super) const REFRESH_ONLY: Flag = Flag::bool(
    "refresh-only",
    "Select the \"refresh only\" planning mode, which checks whether remote objects still \
     match the outcome of the most recent apply without proposing changes to undo them.",
);
pub(super) const REFRESH: Flag = Flag::bool(
    "refresh",
    "Skip checking for external changes to remote objects while creating the plan.",
)
.shown_as("=false");
pub(super) const REPLACE: Flag = Flag::repeated(
    "replace",
    "=resource",
    "Force replacement of a particular resource instance using its resource address. Use \
     this option more than once to replace more than one object.",
);
pub(super) const TARGET: Flag = Flag::repeated(
    "target",
    "=resource",
    "Limit the operation to only the given module, resource, or resource instance and all \
     of its dependencies. Use this option more than once to include more than one object. \
     This is for exceptional use only.",
);
pub(super) const EXCLUDE: Flag = Flag::repeated(
    "exclude",
    "=resource",
    "Leave the given module, resource, or resource instance and everything that depends on \
     it out of the operation (as OpenTofu's -exclude). Use this option more than once to \
     exclude more than one object. Cannot be combined with -target.",
);
pub(super) const SWEEP: Flag = Flag::value(
    "sweep",
    "=K/N",
    "With -refresh-only: check only the K-th of N slices of the instances (1 <= K <= N), \
     each tenant (outermost for_each module instance) whole in one slice, so N runs with \
     K = 1..N cover everything. A tenantform extension.",
);
pub(super) const SCOPE: Flag = Flag::value(
    "scope",
    "=changed|all",
    "changed: refresh and plan only the resource instances whose configuration (or what it \
     depends on) changed since the last apply recorded it, and what is new, gone, tainted, \
     moved or depends on a changed instance; everything else is reported unchanged without \
     a provider call. Falls back to a full plan, saying why, when the record does not match \
     the state. all (the default): plan everything. A tenantform extension.",
);
pub(super) const GENERATE_CONFIG_OUT: Flag = Flag::value(
    "generate-config-out",
    "=path",
    "Write configuration for the targets of import blocks that have none to the given new \
     file. The file must not exist.",
);
pub(super) const OUT: Flag = Flag::value(
    "out",
    "=path",
    "Write a plan file to the given path. This can be used as input to the \"apply\" command.",
);
pub(super) const DETAILED_EXITCODE: Flag = Flag::bool(
    "detailed-exitcode",
    "Return detailed exit codes: 0 - succeeded with no changes, 1 - errored, 2 - succeeded \
     with changes.",
);
pub(super) const AUTO_APPROVE: Flag = Flag::bool(
    "auto-approve",
    "Skip interactive approval of plan before applying.",
);

pub(super) const STATE_PATH: Flag = Flag::value(
    "state",
    "=path",
    "Path to the state file to use. Defaults to \"terraform.tfstate\" (local state only).",
);
pub(super) const BACKUP: Flag = Flag::value(
    "backup",
    "=path",
    "Path where the backup of the state is written before it is modified.",
);
pub(super) const DRY_RUN: Flag = Flag::bool(
    "dry-run",
    "If set, prints out what would've been changed but doesn't actually change anything.",
);
pub(super) const IGNORE_REMOTE_VERSION: Flag = Flag::bool(
    "ignore-remote-version",
    "A rare option used for remote backends only; it has no effect on the backends \
     tenantform offers.",
);
pub(super) const FORCE: Flag = Flag::bool("force", "Don't ask for input for confirmation.");

pub(super) const WORKSPACE_STATE: Flag = Flag::value(
    "state",
    "=path",
    "Copy an existing state file into the new workspace.",
);
pub(super) const OR_CREATE: Flag =
    Flag::bool("or-create", "Create the workspace if it does not exist.");
pub(super) const FORCE_WORKSPACE_DELETE: Flag = Flag::bool(
    "force",
    "Remove a workspace even if it is managing resources. tenantform can no longer track or \
     manage the workspace's infrastructure.",
);

/// The flags of the commands that edit stored state (`state mv`, `state rm`).
pub(super) const STATE_EDIT_FLAGS: &[Flag] = &[
    DRY_RUN,
    BACKUP,
    LOCK,
    LOCK_TIMEOUT,
    STATE_PATH,
    IGNORE_REMOTE_VERSION,
    NO_COLOR,
];

/// The flags that choose what a plan does, shared by `plan` and `apply`.
pub(super) const PLAN_MODE_FLAGS: &[Flag] = &[
    DESTROY,
    REFRESH_ONLY,
    REFRESH,
    REPLACE,
    TARGET,
    EXCLUDE,
    SWEEP,
    SCOPE,
];

/// The flags of commands that run the configuration against the state: `import`, and
/// `apply` after its own.
pub(super) const RUN_FLAGS: &[Flag] = &[
    INPUT,
    LOCK,
    LOCK_TIMEOUT,
    NO_COLOR,
    PARALLELISM,
    VAR,
    VAR_FILE,
    PROVIDER_TIMEOUT,
];

/// How the operation commands (`plan`, `apply`, `destroy`, `refresh`) report.
pub(super) const OPERATION_VIEW_FLAGS: &[Flag] = &[COMPACT_WARNINGS, JSON];

/// The groups one after the other, for flag tables built from shared groups; `N` is their
/// total length (a wrong `N` fails to compile).
pub(super) const fn joined<const N: usize>(groups: &[&[Flag]]) -> [Flag; N] {
    let mut out = [NO_COLOR; N];
    let mut filled = 0;
    let mut group = 0;
    while group < groups.len() {
        let flags = groups[group];
        let mut i = 0;
        while i < flags.len() {
            assert!(filled < N, "N must be the joined length");
            out[filled] = flags[i];
            filled += 1;
            i += 1;
        }
        group += 1;
    }
    assert!(filled == N, "N must be the joined length");
    out
}

pub(super) const POLICY: Flag = Flag::repeated(
    "policy",
    "=dir",
    "Evaluate the Rego policies in this directory (or .rego file) against the plan, as \
     conftest does: deny and violation rules fail the run (no plan is saved or applied), \
     warn rules show warnings. Use this option more than once to add more directories.",
);
pub(super) const POLICY_NAMESPACE: Flag = Flag::repeated(
    "policy-namespace",
    "=namespace",
    "The Rego package whose rules -policy evaluates. Defaults to \"main\". Use this option \
     more than once to evaluate several packages.",
);
pub(super) const MAX_DESTROY: Flag = Flag::value(
    "max-destroy",
    "=n",
    "Refuse a plan that deletes or replaces more than n resource instances, before \
     anything is changed. Defaults to the TENANTFORM_MAX_DESTROY environment variable; \
     no limit when neither is set.",
);
pub(super) const ALLOW_DESTROY: Flag = Flag::repeated(
    "allow-destroy",
    "=address",
    "Exempt this module, resource or resource instance address from -max-destroy. Use \
     this option more than once to exempt more than one address.",
);

/// The checks run on a plan before it is saved or applied: the policy gate and the
/// blast-radius guard, shared by `plan`, `apply` and `destroy`.
pub(super) const GATE_FLAGS: &[Flag] = &[POLICY, POLICY_NAMESPACE, MAX_DESTROY, ALLOW_DESTROY];

pub(super) const PROVIDER_TIMEOUT: Flag = Flag::value(
    "provider-timeout",
    "=20m",
    "Give up on a provider call that has not answered within this duration (such as 30s or \
     20m) instead of waiting for it forever; the call fails with an error naming it. An \
     apply whose outcome is unknown keeps the object in the state, tainted. Defaults to 20m.",
);

pub(super) const WAVES: Flag = Flag::value(
    "waves",
    "=1,10%,100%",
    "Apply the plan's changes in canary waves of -partition's instances, in key order. Each \
     size is cumulative: a number of partitions or a percentage (rounded up) of those with \
     changes; the last is 100%. Changes outside the partitions go in the first wave (those \
     that depend on the partitions in the last). After each wave the check blocks must \
     pass; the first wave that fails stops the rollout. A tenantform extension.",
);
pub(super) const PARTITION: Flag = Flag::value(
    "partition",
    "=module.NAME",
    "With -waves: the module call with for_each whose instances are the partitions, such \
     as module.tenant. A tenantform extension.",
);

/// The canary rollout's flags (`apply` only).
pub(super) const WAVE_FLAGS: &[Flag] = &[WAVES, PARTITION];
