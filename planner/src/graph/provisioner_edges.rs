//! The references of a resource's provisioners: a creation-time provisioner may refer to
//! anything, which the resource then depends on; a destroy-time one only to `self`,
//! `count.index`, `each.key`, `path` and `terraform`, as Terraform requires.

use crate::config::{ProvisionerWhen, Resource};
use crate::diags::{Diagnostic, Diagnostics, Sources};
use crate::lang::{self, Reference, Subject};

use super::Builder;

impl Builder<'_> {
    /// The references of every provisioner of `resource`; a destroy-time provisioner's
    /// references to anything else are reported.
    pub(super) fn provisioner_references(
        &mut self,
        resource: &Resource,
        sources: &Sources,
    ) -> Vec<Result<Vec<Reference>, Diagnostics>> {
        let mut found = Vec::new();
        for provisioner in &resource.provisioners {
            let refs = lang::body_references(&provisioner.body, &provisioner.file, sources);
            if provisioner.when == ProvisionerWhen::Create {
                found.push(refs);
                continue;
            }
            for reference in refs.iter().flatten() {
                if !allowed_at_destroy(&reference.subject) {
                    self.diags.push(invalid_destroy_reference(reference));
                }
            }
        }
        found
    }
}

fn allowed_at_destroy(subject: &Subject) -> bool {
    matches!(
        subject,
        Subject::SelfObject | Subject::Count | Subject::Each | Subject::Path | Subject::Terraform
    )
}

fn invalid_destroy_reference(reference: &Reference) -> Diagnostic {
    Diagnostic::error(
        "Invalid reference from destroy provisioner",
        "Destroy-time provisioners and their connection configurations may only reference \
         attributes of the related resource, via 'self', 'count.index', or 'each.key'.\n\n\
         References to other resources during the destroy phase can cause dependency cycles \
         and interact poorly with create_before_destroy.",
    )
    .with_range(Some(reference.range.clone()))
}
