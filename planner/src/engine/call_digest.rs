//! The digest of a root module call instance's arguments, taken as they are written rather
//! than as they evaluate: the module tree's source text, the call's argument text, the value
//! and sensitivity of everything the arguments refer to (hashed once per call), and the
//! instance's `each.key`, `each.value` and `count.index`.
//! Expressions of the same text over the same values evaluate to the same inputs (impure
//! functions make the whole plan fall back, see `scoped`), so the digest stands for the
//! evaluated arguments: a tenant left out whole costs a hash of its inventory entry, and its
//! arguments are never evaluated. Arguments that call a file-reading function are the
//! exception: the file can change under the same text, so they are evaluated and their
//! values digested too (`scoped_modules`).

use std::collections::BTreeSet;

use sha2::{Digest, Sha256};
use tenantform_proto::value::Value;

use crate::addrs::ModuleStep;
use crate::config::ModuleCall;
use crate::lang::functions::impure::impure_or_file_call_in_body;
use crate::lang::references::body_references;
use crate::lang::{EvalContext, Subject};

use super::modules::CallInstanceObserver;
use super::plan::Planner;
use super::scope_digest::{text, value};
use super::scoped::CallPrefix;

impl CallInstanceObserver for Planner<'_> {
    /// Notes the argument digest of each new root module call instance and, in a plan that
    /// keeps no change for unchanged tenants, leaves a frozen one out whole before its
    /// arguments are evaluated.
    fn before_arguments(&self, call: &ModuleCall, child: &[ModuleStep], ctx: &EvalContext) -> bool {
        let [outer] = child else {
            return false;
        };
        let prefix = self.call_prefix(call, ctx);
        let digest = prefix.hasher.map(|hasher| instance_digest(hasher, ctx));
        self.scope_run.note_call_digest(outer, digest.flatten());
        !prefix.reads_files
            && self.scope_run.is_scoped()
            && self.lists_no_unchanged()
            && self.frozen_module(outer)
            && self.leave_out_whole(outer)
    }
}

impl Planner<'_> {
    /// What the argument digests of the root module call `call` share (computed once per
    /// plan): the module tree's digest prefix, the argument text, and the values the
    /// arguments refer to outside `each` and `count`.
    fn call_prefix(&self, call: &ModuleCall, ctx: &EvalContext) -> CallPrefix {
        if let Some(known) = self.scope_run.call_prefix(&call.name) {
            return known;
        }
        let prefix = CallPrefix {
            hasher: self.shared_argument_digest(call, ctx),
            reads_files: impure_or_file_call_in_body(&call.inputs).is_some(),
        };
        self.scope_run.note_call_prefix(&call.name, prefix.clone());
        prefix
    }

    fn shared_argument_digest(&self, call: &ModuleCall, ctx: &EvalContext) -> Option<Sha256> {
        let config = self.scope.config;
        let module = config.children.get(&call.name)?;
        let mut hasher = self.module_digest_prefix(&call.name, module);
        text(&mut hasher, &call.name);
        text(&mut hasher, &call.inputs.to_string());
        for name in ctx.builtin_provider_names.iter() {
            text(&mut hasher, name);
        }
        let references = body_references(&call.inputs, &call.file, &config.sources).ok()?;
        let subjects: BTreeSet<Subject> = references
            .into_iter()
            .map(|reference| whole_subject(reference.subject))
            .collect();
        for subject in &subjects {
            text(&mut hasher, &format!("{subject:?}"));
            referenced_value(&mut hasher, subject, ctx)?;
            marks(&mut hasher, ctx, subject);
        }
        Some(hasher)
    }
}

/// The subject whose value (and marks) the context holds for a reference: `module.NAME`
/// whole for `module.NAME.OUTPUT`.
fn whole_subject(subject: Subject) -> Subject {
    match subject {
        Subject::Module { call, .. } => Subject::Module { call, output: None },
        other => other,
    }
}

/// Feeds the value the context holds for `subject` (`each` and `count` are fed per
/// instance); `None` when it is not wholly known.
fn referenced_value(hasher: &mut Sha256, subject: &Subject, ctx: &EvalContext) -> Option<()> {
    let found = match subject {
        Subject::Variable(name) => ctx.variables.get(name),
        Subject::Local(name) => ctx.locals.get(name),
        Subject::Resource(addr) => ctx.resources.get(addr),
        Subject::Module { call, .. } => ctx.modules.get(call),
        Subject::Path => {
            for path in [&ctx.path_module, &ctx.path_root, &ctx.path_cwd] {
                text(hasher, path);
            }
            return Some(());
        }
        Subject::Terraform => {
            text(hasher, &ctx.workspace);
            return Some(());
        }
        Subject::Count | Subject::Each => return Some(()),
        Subject::SelfObject => return None,
    };
    known_value(hasher, found)
}

/// Feeds an optional value; `None` when it is not wholly known.
fn known_value(hasher: &mut Sha256, found: Option<&Value>) -> Option<()> {
    match found {
        None => hasher.update([0]),
        Some(found) if !found.is_wholly_known() => return None,
        Some(found) => {
            hasher.update([1]);
            value(hasher, found);
        }
    }
    Some(())
}

/// Feeds the sensitivity of the value the context holds for `subject`.
fn marks(hasher: &mut Sha256, ctx: &EvalContext, subject: &Subject) {
    let marks = ctx.marks_of(subject);
    if marks.any() {
        hasher.update([1]);
        text(hasher, &format!("{marks:?}"));
    } else {
        hasher.update([0]);
    }
}

/// The argument digest of one instance: the shared part, then its `each.key`, `each.value`
/// (with its marks) and `count.index`. `None` when `each.value` is not wholly known.
fn instance_digest(mut hasher: Sha256, ctx: &EvalContext) -> Option<[u8; 32]> {
    known_value(&mut hasher, ctx.each_key.as_ref())?;
    known_value(&mut hasher, ctx.each_value.as_ref())?;
    marks(&mut hasher, ctx, &Subject::Each);
    known_value(&mut hasher, ctx.count_index.as_ref())?;
    Some(hasher.finalize().into())
}
