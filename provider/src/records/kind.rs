//! `record_kind!`: the [`super::Record`] implementation of a record struct with an `id`
//! field, from its names, the fields forming its natural key, its listing scope, the label
//! messages show and its dependents.

/// Implements [`super::Record`] for a record struct with an `id` field. A kind with one
/// record per tenant says `one per tenant`; a kind named by a field within its tenant says
/// `named by FIELD within tenant`; either is keyed and listed by `tenant_id`.
macro_rules! record_kind {
    (
        $record:ty {
            kind: $kind:literal,
            resource: $resource:literal,
            one per tenant,
            dependents: [$($dependent:expr),* $(,)?] $(,)?
        }
    ) => {
        record_kind!($record {
            kind: $kind,
            resource: $resource,
            key: (tenant_id): &'a str,
            scope: &'a str,
            label: |record| format!("of tenant {:?}", record.tenant_id),
            dependents: [$($dependent),*],
        });
    };
    (
        $record:ty {
            kind: $kind:literal,
            resource: $resource:literal,
            named by $name:ident within tenant,
            dependents: [$($dependent:expr),* $(,)?] $(,)?
        }
    ) => {
        record_kind!($record {
            kind: $kind,
            resource: $resource,
            key: (tenant_id, $name): (&'a str, &'a str),
            scope: &'a str,
            label: |record| format!("{:?}", record.$name),
            dependents: [$($dependent),*],
        });
    };
    (
        $record:ty {
            kind: $kind:literal,
            resource: $resource:literal,
            key: ($($key:ident),+): $key_type:ty,
            scope: $scope_type:ty,
            label: |$this:ident| $label:expr,
            dependents: [$($dependent:expr),* $(,)?] $(,)?
        }
    ) => {
        impl $crate::records::Record for $record {
            const KIND: &'static str = $kind;
            const RESOURCE: &'static str = $resource;
            const DEPENDENTS: &'static [$crate::records::Dependent] = &[$($dependent),*];
            type Key<'a> = $key_type;
            type Scope<'a> = $scope_type;

            fn id(&self) -> &str {
                &self.id
            }
            fn key(&self) -> Self::Key<'_> {
                ($(&self.$key),+)
            }
            fn key_label(&self) -> String {
                let $this = self;
                $label
            }
        }
    };
}
