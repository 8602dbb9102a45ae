//! Root locals evaluated ahead of the walk. Reading a fleet's state takes a core for a fifth
//! of a second before planning can start; meanwhile a second thread evaluates the root
//! module's locals that need nothing the state, the providers or the input variables give:
//! those whose expressions refer only to other such locals, `path.*` and
//! `terraform.workspace`, and call no impure or provider-defined function (a fleet's
//! inventory, `yamldecode(file("${path.module}/tenants.yaml"))`, is the usual one). The walk
//! then takes each such value instead of evaluating the local again: the same expression in
//! the same context gives the same value. A local whose evaluation fails here is left to the
//! walk, which reports the failure as it always does.

use std::collections::BTreeMap;
use std::sync::Arc;

use tenantform_proto::value::Value;

use crate::config::{Config, Local};
use crate::diags::Sources;
use crate::lang::functions::impure::impure_call_in_expr;
use crate::lang::references::expression_references;
use crate::lang::{EvalContext, Marked, Subject, evaluate_marked};

use super::on_second_thread::OnSecondThread;

/// The longest chain of locals referring to each other that is followed ahead: each link
/// is a level of recursion here, where the walk follows the graph.
const LONGEST_CHAIN: usize = 1_000;

/// The root locals being evaluated on a second thread, then their values.
pub(crate) struct ReadAhead {
    values: OnSecondThread<BTreeMap<String, Marked>>,
}

/// What the evaluation needs of the root module, copied for the thread.
struct RootModule {
    locals: BTreeMap<String, Local>,
    sources: Sources,
    ctx: EvalContext,
}

impl ReadAhead {
    /// Starts evaluating the root module's locals of `config` that need nothing but each
    /// other, in `workspace`.
    pub(crate) fn start(config: &Config, workspace: &str) -> ReadAhead {
        let dir = config.dir.display().to_string();
        let root = RootModule {
            locals: config.locals.clone(),
            sources: config.sources.clone(),
            ctx: EvalContext {
                path_module: dir.clone(),
                path_root: dir,
                path_cwd: super::scope::current_dir(),
                workspace: workspace.to_string(),
                builtin_provider_names: config.builtin_provider_names(),
                ..EvalContext::default()
            },
        };
        ReadAhead {
            values: OnSecondThread::start("root-locals", crate::EVALUATION_STACK, move || {
                root.evaluate_all()
            }),
        }
    }

    /// The value of the root local `name` evaluated ahead, once (`None`: the walk evaluates
    /// it). Waits for the thread on the first call.
    pub(crate) fn take(&self, name: &str) -> Option<Marked> {
        self.values.with(|values| values.remove(name))
    }
}

impl RootModule {
    /// Every local that needs nothing but other locals, `path.*` and `terraform.workspace`,
    /// evaluated; those that fail are left out.
    fn evaluate_all(&self) -> BTreeMap<String, Marked> {
        let mut done: BTreeMap<String, Option<Marked>> = BTreeMap::new();
        for name in self.locals.keys() {
            self.evaluate(name, &mut done, 0);
        }
        done.into_iter()
            .filter_map(|(name, value)| Some((name, value?)))
            .collect()
    }

    /// Evaluates local `name` into `done` unless it needs more or fails (then `done` holds
    /// `None` for it); whether it has a value. `depth` is how many locals refer to it on the
    /// way here: a longer chain than [`LONGEST_CHAIN`] is the walk's (and a cycle is the
    /// walk's to report).
    fn evaluate(
        &self,
        name: &str,
        done: &mut BTreeMap<String, Option<Marked>>,
        depth: usize,
    ) -> bool {
        if let Some(value) = done.get(name) {
            return value.is_some();
        }
        let Some(local) = self.locals.get(name) else {
            return false;
        };
        if depth > LONGEST_CHAIN || impure_call_in_expr(&local.expr).is_some() {
            return false;
        }
        // Marked as failed while in progress, so that a cycle ends here.
        done.insert(name.to_string(), None);
        let Ok(references) = expression_references(&local.expr, &local.file, &self.sources) else {
            return false;
        };
        let mut ctx = self.ctx.clone();
        for reference in references {
            match &reference.subject {
                Subject::Path | Subject::Terraform => {}
                Subject::Local(other) => {
                    if !self.evaluate(other, done, depth + 1) {
                        return false;
                    }
                    if let Some(Some(value)) = done.get(other) {
                        bind_local(&mut ctx, other, value);
                    }
                }
                _ => return false,
            }
        }
        let value = evaluate_marked(&local.expr, &ctx, &local.file, &self.sources).ok();
        let evaluated = value.is_some();
        done.insert(name.to_string(), value);
        evaluated
    }
}

/// Binds `local.NAME` in `ctx` as the walk binds a local it refers to.
fn bind_local(ctx: &mut EvalContext, name: &str, value: &Marked) {
    ctx.set_marks(Subject::Local(name.to_string()), value.marks.clone());
    Arc::make_mut(&mut ctx.locals).insert(name.to_string(), Value::clone(&value.value));
}

#[cfg(test)]
mod tests;
