//! Hash maps for what a plan looks up once or more for every instance of a fleet (module
//! instances, their values, the record's per-module facts): keyed by addresses the
//! configuration and the state give, hashed with `foldhash` rather than SipHash, which made
//! these lookups a few per cent of a fleet's plan.

/// A hash map with a fast hasher, seeded per process.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// A hash set with a fast hasher, seeded per process.
pub(crate) type FastSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;
