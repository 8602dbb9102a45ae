//! Plans: the changes the planner proposes for each resource instance and output, with the
//! values before and after (unknown where only apply can tell).

pub(crate) mod checks;
pub(crate) mod json;
pub(crate) mod markdown;
pub(crate) mod objchange;
pub(crate) mod planfile;
pub(crate) mod render;
pub(crate) mod scope;
pub(crate) mod shapes;

use std::collections::BTreeMap;
use std::sync::Arc;

use tenantform_proto::value::{AttributePath, PathStep, Value};

use crate::addrs::InstanceAddr;
use crate::diags::Diagnostics;

/// What happens to one resource instance. Names follow Terraform's JSON plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum Action {
    NoOp,
    Create,
    Read,
    Update,
    DeleteThenCreate,
    CreateThenDelete,
    Delete,
    /// Removed from state without destroying the object (`removed` with `destroy = false`).
    Forget,
}

/// Why an action was chosen, where Terraform's JSON plan reports one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) enum ActionReason {
    ReplaceBecauseCannotUpdate,
    ReplaceBecauseTainted,
    ReplaceByRequest,
    DeleteBecauseNoResourceConfig,
    DeleteBecauseCountIndex,
    DeleteBecauseEachKey,
    /// The instance's module call (or its instance) is gone.
    DeleteBecauseNoModule,
    /// The block switched between no repetition, `count` and `for_each`.
    DeleteBecauseWrongRepetition,
    /// `lifecycle.replace_triggered_by` names something that changes.
    ReplaceByTriggers,
    /// A data source read waits for apply because its configuration is not known yet.
    ReadBecauseConfigUnknown,
    /// A data source read waits for apply because something it depends on changes.
    ReadBecauseDependencyPending,
    /// A data source of a `check` block is read again during apply.
    ReadBecauseCheckNested,
    /// The instance moved (a `moved` block) to an address the configuration does not have.
    DeleteBecauseNoMoveTarget,
}

/// The planned change of one resource instance.
#[derive(Clone, Debug)]
pub(crate) struct ResourceChange {
    pub addr: InstanceAddr,
    /// The address the instance had in the prior state when a `moved` block (or Terraform's
    /// implied move between no key and `[0]`) moved it to `addr`.
    pub previous_address: Option<InstanceAddr>,
    /// The deposed key when the change is about a deposed object of the instance (always a
    /// deletion), `None` for its current object.
    pub deposed: Option<String>,
    /// Fully qualified provider source address.
    pub provider: String,
    /// The provider's local name in the configuration.
    pub provider_local_name: String,
    pub action: Action,
    pub action_reason: Option<ActionReason>,
    /// `Null` when the instance does not exist yet. Shared with `planned` when the two are
    /// equal (a no-op), so that a fleet's unchanged objects are held once.
    pub prior: Arc<Value>,
    /// `Null` when the instance will be deleted; may contain `Unknown`.
    pub planned: Arc<Value>,
    /// The evaluated configuration (may contain `Unknown`); `Null` when deleting.
    pub config: Value,
    pub prior_private: Vec<u8>,
    pub planned_private: Vec<u8>,
    pub requires_replace: Vec<AttributePath>,
    /// Attributes the schema marks sensitive, in `prior` and `planned`.
    pub sensitive_paths: Vec<AttributePath>,
    /// Where `planned` holds unknown lists, sets, maps or objects, from the schema.
    pub unknown_collections: Vec<shapes::UnknownCollection>,
    /// Resource addresses this instance depends on, as recorded in state.
    pub dependencies: Vec<String>,
    pub schema_version: i64,
    /// Set when an `import` block imports the object this change starts from.
    pub importing: Option<Importing>,
    /// The configuration `plan -generate-config-out` wrote for this instance's resource.
    pub generated_config: Option<String>,
}

/// The import an `import` block plans: the object is imported with `id`, then changed as
/// the change's action says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Importing {
    pub id: String,
}

impl ResourceChange {
    /// The change as plans show it. A destroy plan shows no moves (Terraform plans the
    /// destruction from the already moved state), though its apply still makes them.
    pub(crate) fn as_shown(&self, mode: PlanMode) -> std::borrow::Cow<'_, ResourceChange> {
        if mode == PlanMode::Destroy && self.previous_address.is_some() {
            let mut shown = self.clone();
            shown.previous_address = None;
            std::borrow::Cow::Owned(shown)
        } else {
            std::borrow::Cow::Borrowed(self)
        }
    }
}

/// Whether `action` on `addr` only forgets a data source's stored result: plans neither show
/// nor count it, and applying reports no destruction, as in Terraform.
pub(crate) fn removes_data_result(addr: &InstanceAddr, action: Action) -> bool {
    action == Action::Delete && addr.resource.mode == crate::addrs::ResourceMode::Data
}

impl ResourceChange {
    /// See [`removes_data_result`].
    pub(crate) fn removes_data_result(&self) -> bool {
        removes_data_result(&self.addr, self.action)
    }
}

/// The planned change of one root module output.
#[derive(Clone, Debug)]
pub(crate) struct OutputChange {
    pub name: String,
    pub action: Action,
    pub before: Value,
    pub after: Value,
    pub sensitive: bool,
}

/// A resource attribute the plan's changes refer to, directly or through named values
/// (Terraform's `relevant_attributes`): plans show only the drift in these.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct RelevantAttribute {
    /// The instance, or the resource as a no-key instance where the reference names no key.
    pub resource: InstanceAddr,
    /// Empty when the reference reads the whole object.
    pub attribute: AttributePath,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub(crate) enum PlanMode {
    #[default]
    Normal,
    Destroy,
    RefreshOnly,
}

/// A complete plan.
#[derive(Clone, Debug, Default)]
pub(crate) struct Plan {
    pub mode: PlanMode,
    /// Every resource instance, including no-ops (renderers skip them).
    pub changes: Vec<ResourceChange>,
    /// Current objects the refresh found changed (`Update`) or deleted (`Delete`) outside of
    /// tenantform: `prior` is what the last run stored, `planned` what the refresh read.
    pub drift: Vec<ResourceChange>,
    /// The resource attributes the changes refer to, sorted.
    pub relevant_attributes: Vec<RelevantAttribute>,
    pub outputs: Vec<OutputChange>,
    /// Input variable values the plan was made with.
    pub variables: BTreeMap<String, Value>,
    /// The state the plan was made against (its lineage and serial guard a saved plan).
    pub prior_lineage: String,
    pub prior_serial: u64,
    /// Warnings raised while planning.
    pub warnings: Diagnostics,
    /// Made with `-target` or `-exclude`: applying it warns that changes may be incomplete.
    pub targeted: bool,
    /// The stored instances a targeted plan leaves out, unchanged: part of the plan's prior
    /// state, never applied.
    pub untouched: Vec<ResourceChange>,
    /// When planning started (RFC 3339): `plantimestamp()` during the plan, and again while
    /// applying it, as in Terraform.
    pub timestamp: String,
    /// The workspace the plan was made in; applying it in another one is refused.
    pub workspace: String,
    /// The results of the conditions the plan evaluated.
    pub checks: Vec<checks::CheckResult>,
    /// The plan's scope: change-scoped planning and the sweep slice (tenantform extensions).
    pub scope: scope::PlanScope,
}

impl Plan {
    /// The outputs the plan changes, by name.
    pub(crate) fn changed_outputs(&self) -> Vec<&OutputChange> {
        let mut outputs: Vec<&OutputChange> = self
            .outputs
            .iter()
            .filter(|o| o.action != Action::NoOp)
            .collect();
        outputs.sort_by(|a, b| a.name.cmp(&b.name));
        outputs
    }

    /// True when applying would change nothing: no resource or output change, no move, and
    /// in refresh-only mode no drift to record either (Terraform's "applyable").
    pub(crate) fn is_empty(&self) -> bool {
        let resources_unchanged = match self.mode {
            // Moves alone (no-op drift) make no refresh-only plan applyable, as in Terraform.
            PlanMode::RefreshOnly => self.drift.iter().all(|d| d.action == Action::NoOp),
            _ => self.changes.iter().all(|c| {
                c.action == Action::NoOp && c.previous_address.is_none() && c.importing.is_none()
            }),
        };
        resources_unchanged && self.outputs.iter().all(|o| o.action == Action::NoOp)
    }
}

/// What `walk` collects, starting at the empty path: a recursive walk over a value that
/// pushes onto the path as it descends and adds what it finds to the list.
pub(crate) fn collect_along_paths<T>(walk: impl FnOnce(&mut Vec<PathStep>, &mut Vec<T>)) -> Vec<T> {
    let mut found = Vec::new();
    walk(&mut Vec::new(), &mut found);
    found
}
