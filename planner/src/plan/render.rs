//! The human-readable plan, as Terraform prints it: a legend of the action symbols, one
//! annotated block per changed resource instance (`+`, `~`, `-`, `-/+`), values aligned,
//! `(known after apply)` for unknown values, `(sensitive value)` in place of every sensitive
//! value, `# forces replacement` on the attributes that force a replacement, unchanged
//! attributes and blocks hidden, then the summary and the output changes.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use similar::{Algorithm, DiffOp, capture_diff_slices};
use tenantform_proto::schema::{Block, Nesting, ProviderSchema};
use tenantform_proto::value::{AttributePath, PathStep, Value};

use crate::addrs::ResourceMode;
use crate::plan::{Action, ActionReason, OutputChange, Plan, PlanMode, ResourceChange};

mod drift;
pub(crate) use drift::horizontal_rule;

/// Provider schemas by provider local name, as [`crate::providers::Providers`] holds them.
pub(crate) type Schemas = BTreeMap<String, Arc<ProviderSchema>>;

const KNOWN_AFTER_APPLY: &str = "(known after apply)";
const SENSITIVE: &str = "(sensitive value)";

/// The counts of the summary line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub add: usize,
    pub change: usize,
    pub destroy: usize,
    /// Instances an `import` block imports.
    pub import: usize,
}

impl Counts {
    pub(crate) fn of(plan: &Plan) -> Counts {
        let mut counts = Counts::default();
        for change in &plan.changes {
            if change.importing.is_some() {
                counts.import += 1;
            }
            if !is_shown(change) {
                continue;
            }
            match change.action {
                Action::Create => counts.add += 1,
                Action::Update => counts.change += 1,
                Action::Delete => counts.destroy += 1,
                Action::DeleteThenCreate | Action::CreateThenDelete => {
                    counts.add += 1;
                    counts.destroy += 1;
                }
                // Forgotten objects are not counted, as in Terraform.
                Action::NoOp | Action::Read | Action::Forget => {}
            }
        }
        counts
    }
}

/// Renders the whole plan text, ending with the summary and output changes.
pub(crate) fn render_plan(plan: &Plan, schemas: &Schemas, color: bool) -> String {
    let mut changes: Vec<&ResourceChange> = plan
        .changes
        .iter()
        .filter(|c| is_shown(c) || c.importing.is_some())
        .collect();
    changes.sort_by(|a, b| {
        crate::addrs::terraform_order(&a.addr, &b.addr).then_with(|| a.deposed.cmp(&b.deposed))
    });
    let outputs = plan.changed_outputs();
    if plan.mode == PlanMode::RefreshOnly {
        return drift::render_refresh_only(plan, &outputs, schemas, color);
    }
    let note = drift::drift_note(plan, schemas, color);
    if changes.is_empty() && outputs.is_empty() {
        // Without a note the CLI's blank line stands before "No changes.".
        return match note {
            Some(note) => note + "\n" + &drift::render_no_changes(plan, true, color),
            None => drift::render_no_changes(plan, false, color),
        };
    }
    let mut out = String::new();
    if let Some(note) = note {
        out.push_str(&note);
        out.push('\n');
    }
    if !changes.is_empty() {
        if changes.iter().any(|c| c.action != Action::NoOp) {
            out.push_str(&legend(&changes, color));
        }
        out.push_str("\ntenantform will perform the following actions:\n");
        for change in &changes {
            out.push('\n');
            let block = schema_block(schemas, change);
            out.push_str(&render_change(&change.as_shown(plan.mode), block, color));
        }
        let counts = Counts::of(plan);
        let imports = match counts.import {
            0 => String::new(),
            n => format!("{n} to import, "),
        };
        out.push_str(&format!(
            "\n{} {imports}{} to add, {} to change, {} to destroy.\n",
            bold("Plan:", color),
            counts.add,
            counts.change,
            counts.destroy
        ));
    }
    if !outputs.is_empty() {
        out.push_str(&render_outputs(&outputs, output_name_width(plan), color));
        if changes.is_empty() {
            out.push_str(
                "\nYou can apply this plan to save these new output values to the tenantform\n\
                 state, without changing any real infrastructure.\n",
            );
        }
    }
    out
}

/// Whether the plan shows (and counts) a change: not a no-op, and not the forgetting of a
/// data source's result (Terraform shows no deleted data sources).
fn is_shown(change: &ResourceChange) -> bool {
    // A moved instance is shown even without a change ("has moved to").
    (change.action != Action::NoOp || change.previous_address.is_some())
        && !change.removes_data_result()
}

fn schema_block<'a>(schemas: &'a Schemas, change: &ResourceChange) -> Option<&'a Block> {
    let provider = schemas.get(&change.provider_local_name)?;
    let types = match change.addr.resource.mode {
        ResourceMode::Managed => &provider.resources,
        ResourceMode::Data => &provider.data_sources,
    };
    types.get(&change.addr.resource.type_name).map(|s| &s.block)
}

fn legend(changes: &[&ResourceChange], color: bool) -> String {
    let present: BTreeSet<u8> = changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .map(|c| match c.action {
            Action::Create => 0,
            Action::Update => 1,
            Action::Delete => 2,
            Action::DeleteThenCreate => 3,
            Action::CreateThenDelete => 4,
            Action::Read => 5,
            Action::NoOp | Action::Forget => 6,
        })
        .collect();
    let mut out = String::from(
        "tenantform used the selected providers to generate the following execution\n\
         plan. Resource actions are indicated with the following symbols:\n",
    );
    for (index, symbol, text) in [
        (0, "  +", "create"),
        (1, "  ~", "update in-place"),
        (2, "  -", "destroy"),
        (3, "-/+", "destroy and then create replacement"),
        (4, "+/-", "create replacement and then destroy"),
        (5, " <=", "read (data resources)"),
    ] {
        if present.contains(&index) {
            out.push_str(&format!("{} {text}\n", paint(symbol, color)));
        }
    }
    out
}

/// The comment lines above a change's block (`# tenant.a will be created`).
fn header_comment(change: &ResourceChange) -> Vec<String> {
    let mut lines = action_comment(change);
    if let Some(previous) = &change.previous_address
        && change.action != Action::NoOp
    {
        lines.push(format!("(moved from {previous})"));
    }
    lines
}

fn action_comment(change: &ResourceChange) -> Vec<String> {
    let addr = match &change.deposed {
        Some(key) => format!("{} (deposed object {key})", change.addr),
        None => change.addr.to_string(),
    };
    let addr = &addr;
    let moved_from = change.previous_address.as_ref().map(ToString::to_string);
    let mut lines = vec![match (change.action, change.action_reason) {
        (Action::NoOp, _) if moved_from.is_some() => {
            format!("{} has moved to {addr}", moved_from.unwrap_or_default())
        }
        (Action::Forget, _) if change.deposed.is_some() => {
            return vec![
                format!("{addr} will be removed from tenantform state, but will not be destroyed"),
                "(left over from a partially-failed replacement of this instance)".into(),
                "(destroy = false is set in the configuration)".into(),
            ];
        }
        (Action::Forget, _) => {
            return vec![
                format!(
                    "{addr} will no longer be managed by tenantform, but will not be destroyed"
                ),
                "(destroy = false is set in the configuration)".into(),
            ];
        }
        (Action::Create, _) => format!("{addr} will be created"),
        (Action::Update, _) => format!("{addr} will be updated in-place"),
        (Action::Read, _) => format!("{addr} will be read during apply"),
        (Action::Delete, _) => format!("{addr} will be destroyed"),
        (Action::NoOp, _) => format!("{addr} will be imported"),
        (_, Some(ActionReason::ReplaceBecauseTainted)) => {
            format!("{addr} is tainted, so must be replaced")
        }
        (_, Some(ActionReason::ReplaceByRequest)) => {
            format!("{addr} will be replaced, as requested")
        }
        (_, Some(ActionReason::ReplaceByTriggers)) => {
            format!("{addr} will be replaced due to changes in replace_triggered_by")
        }
        _ => format!("{addr} must be replaced"),
    }];
    lines.extend(deletion_reason(change));
    lines.extend(read_reason(change));
    if let Some(importing) = change.importing.as_ref() {
        // A no-op's first line says "will be imported", unless it says "has moved to".
        let said = change.action == Action::NoOp && change.previous_address.is_none();
        if change.generated_config.is_some() && said {
            lines.push("(config will be generated)".into());
        } else if !said {
            lines.push(format!("(imported from {:?})", importing.id));
        }
        if matches!(
            change.action,
            Action::DeleteThenCreate | Action::CreateThenDelete
        ) {
            lines.push("Warning: this will destroy the imported resource".into());
        }
    }
    lines
}

/// Why an instance is deleted, when its plan says.
/// Why a data source is read during apply rather than while planning, as Terraform says it.
fn read_reason(change: &ResourceChange) -> Option<String> {
    if change.action != Action::Read {
        return None;
    }
    Some(
        match change.action_reason? {
            ActionReason::ReadBecauseConfigUnknown => "(config refers to values not yet known)",
            ActionReason::ReadBecauseDependencyPending => {
                "(depends on a resource or a module with changes pending)"
            }
            ActionReason::ReadBecauseCheckNested => {
                "(config will be reloaded to verify a check block)"
            }
            _ => return None,
        }
        .to_string(),
    )
}

fn deletion_reason(change: &ResourceChange) -> Option<String> {
    let addr = &change.addr;
    Some(match change.action_reason? {
        ActionReason::DeleteBecauseNoResourceConfig => {
            format!("(because {} is not in configuration)", addr.resource)
        }
        ActionReason::DeleteBecauseNoModule => format!(
            "(because {} is not in configuration)",
            crate::addrs::module_instance_string(&addr.module)
        ),
        ActionReason::DeleteBecauseNoMoveTarget => {
            let from = change
                .previous_address
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            format!("(because {from} was moved to {addr}, which is not in configuration)")
        }
        ActionReason::DeleteBecauseCountIndex => {
            format!("(because index {} is out of range for count)", addr.key)
        }
        ActionReason::DeleteBecauseEachKey => {
            format!("(because key {} is not in for_each map)", addr.key)
        }
        _ => return None,
    })
}

/// Renders one resource instance change (without a trailing blank line).
pub(crate) fn render_change(change: &ResourceChange, block: Option<&Block>, color: bool) -> String {
    render_with_header(change, header_comment(change), block, color)
}

/// Renders one resource instance change under the given comment lines.
fn render_with_header(
    change: &ResourceChange,
    header: Vec<String>,
    block: Option<&Block>,
    color: bool,
) -> String {
    let mut r = Renderer {
        out: String::new(),
        color,
        sensitive: &change.sensitive_paths,
        replace: &change.requires_replace,
        show_unchanged: change.importing.is_some(),
        symbols: true,
    };
    // Terraform indents a forgotten object's comment and symbol by one space only.
    let indent = if change.action == Action::Forget {
        " "
    } else {
        "  "
    };
    for line in header {
        r.out
            .push_str(&format!("{indent}{}\n", bold(&format!("# {line}"), color)));
    }
    let symbol = match change.action {
        Action::Create => "  +",
        Action::Update => "  ~",
        Action::Delete => "  -",
        Action::DeleteThenCreate => "-/+",
        Action::CreateThenDelete => "+/-",
        Action::Read => " <=",
        Action::NoOp => "   ",
        Action::Forget => " .",
    };
    let keyword = match change.addr.resource.mode {
        ResourceMode::Managed => "resource",
        ResourceMode::Data => "data",
    };
    r.out.push_str(&format!(
        "{} {keyword} \"{}\" \"{}\" {{\n",
        paint(symbol, color),
        change.addr.resource.type_name,
        change.addr.resource.name
    ));
    let (before, after): (&Value, &Value) = match change.action {
        Action::Create | Action::Read => (&Value::Null, &change.planned),
        Action::Delete => (&change.prior, &Value::Null),
        // A forgotten object does not change: its attributes show as unchanged.
        Action::Forget => (&change.prior, &change.prior),
        _ => (&change.prior, &change.planned),
    };
    r.block_body(1, block, before, after, &mut Vec::new());
    r.out.push_str("    }\n");
    r.out
}

/// A stored object as `show` prints it, as Terraform renders a state: the plan's renderer
/// without action symbols, every attribute and block shown, values `sensitive` names hidden
/// (`header` is the `resource "TYPE" "NAME"` or `data ...` line, without its brace).
pub(crate) fn render_stored(
    header: &str,
    value: &Value,
    block: Option<&Block>,
    sensitive: &[AttributePath],
) -> String {
    let mut r = stored_renderer(sensitive);
    r.out.push_str(&format!("{header} {{\n"));
    r.block_body(1, block, value, value, &mut Vec::new());
    r.out.push('}');
    r.out
}

/// A stored output value as `show` prints it: `NAME = VALUE`, without a line break.
pub(crate) fn render_stored_output(name: &str, value: &Value, sensitive: bool) -> String {
    let root = [AttributePath::default()];
    let mut r = stored_renderer(if sensitive { &root } else { &[] });
    r.whole(
        0,
        Sym::Same,
        Sym::Same,
        &format!("{name} = "),
        value,
        &mut Vec::new(),
        "",
        "",
    );
    r.out.trim_end_matches('\n').to_string()
}

fn stored_renderer(sensitive: &[AttributePath]) -> Renderer<'_> {
    Renderer {
        out: String::new(),
        color: false,
        sensitive,
        replace: &[],
        show_unchanged: true,
        symbols: false,
    }
}

/// The width output names are aligned to: the longest of every output of the plan, changed
/// or not, as Terraform aligns them.
fn output_name_width(plan: &Plan) -> usize {
    plan.outputs
        .iter()
        .map(|o| o.name.chars().count())
        .max()
        .unwrap_or(0)
}

fn render_outputs(outputs: &[&OutputChange], width: usize, color: bool) -> String {
    let mut r = Renderer {
        out: String::new(),
        color,
        sensitive: &[],
        replace: &[],
        show_unchanged: false,
        symbols: true,
    };
    r.out.push_str("\nChanges to Outputs:\n");
    let width = outputs
        .iter()
        .map(|o| o.name.chars().count())
        .max()
        .unwrap_or(0)
        .max(width);
    let sensitive_root = [AttributePath::default()];
    for output in outputs {
        r.sensitive = if output.sensitive {
            &sensitive_root
        } else {
            &[]
        };
        let lead = format!("{:width$} = ", output.name);
        let before = if output.action == Action::Create {
            &Value::Null
        } else {
            &output.before
        };
        let after = if output.action == Action::Delete {
            &Value::Null
        } else {
            &output.after
        };
        r.diff(0, &lead, before, after, &mut Vec::new(), "");
    }
    r.out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sym {
    Add,
    Remove,
    Change,
    Same,
}

impl Sym {
    fn text(self) -> &'static str {
        match self {
            Sym::Add => "+",
            Sym::Remove => "-",
            Sym::Change => "~",
            Sym::Same => " ",
        }
    }
}

fn paint(symbol: &str, color: bool) -> String {
    if !color {
        return symbol.to_string();
    }
    let mut out = String::new();
    for ch in symbol.chars() {
        match ch {
            '+' => out.push_str("\x1b[32m+\x1b[0m"),
            '-' => out.push_str("\x1b[31m-\x1b[0m"),
            '~' => out.push_str("\x1b[33m~\x1b[0m"),
            '<' | '=' => out.push_str(&format!("\x1b[36m{ch}\x1b[0m")),
            other => out.push(other),
        }
    }
    out
}

fn bold(text: &str, color: bool) -> String {
    if color {
        format!("\x1b[1m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("{count} unchanged {word}")
    } else {
        format!("{count} unchanged {word}s")
    }
}

/// A single-line rendering of a primitive (or empty collection) value.
fn inline(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Unknown => KNOWN_AFTER_APPLY.into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => serde_json::to_string(s).unwrap_or_default(),
        Value::List(_) | Value::Set(_) | Value::Tuple(_) => "[]".into(),
        Value::Map(_) | Value::Object(_) => "{}".into(),
    }
}

fn is_collection_with_items(value: &Value) -> bool {
    match value {
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => !items.is_empty(),
        Value::Map(entries) | Value::Object(entries) => !entries.is_empty(),
        _ => false,
    }
}

struct Renderer<'a> {
    out: String,
    color: bool,
    sensitive: &'a [AttributePath],
    replace: &'a [AttributePath],
    /// Show unchanged attributes and blocks too (an imported object is shown whole).
    show_unchanged: bool,
    /// Lead each line with its action symbol (plans); stored objects have none.
    symbols: bool,
}

mod body;
mod multiline;

#[cfg(test)]
mod tests;
