//! The rolling drift sweep (`-sweep=K/N`, a tenantform extension): a refresh-only plan that
//! reads again only the K-th of N slices of the fleet. An instance's slice comes from a hash
//! that is stable across versions and platforms (the first 8 bytes of the SHA-256 of its
//! partition key, big-endian, modulo N; slice K holds the hash values K-1), and the
//! partition key is its tenant (the key of the outermost `for_each` module instance), or
//! its whole address outside any tenant, so all of a tenant's instances share one slice.

use crate::addrs::InstanceAddr;
use sha2::{Digest, Sha256};

/// `-sweep=K/N`: refresh only slice `slice` (1-based) of `slices`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Sweep {
    slice: u64,
    slices: u64,
}

impl std::fmt::Display for Sweep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.slice, self.slices)
    }
}

impl Sweep {
    /// Parses `K/N`: two integers with 1 <= K <= N.
    pub(crate) fn parse(text: &str) -> Result<Sweep, String> {
        let invalid =
            || format!("Invalid -sweep {text:?}: expected K/N, integers with 1 <= K <= N");
        let (slice, slices) = text.trim().split_once('/').ok_or_else(invalid)?;
        let slice: u64 = slice.trim().parse().map_err(|_| invalid())?;
        let slices: u64 = slices.trim().parse().map_err(|_| invalid())?;
        if slice == 0 || slice > slices {
            return Err(invalid());
        }
        Ok(Sweep { slice, slices })
    }

    /// Whether this sweep reads the instance again.
    pub(crate) fn covers(&self, addr: &InstanceAddr) -> bool {
        slice_of(&partition_key(addr), self.slices) == self.slice
    }
}

/// What decides an instance's slice: its tenant's key, or its whole address when it belongs
/// to no tenant.
pub(crate) fn partition_key(addr: &InstanceAddr) -> String {
    match crate::plan::markdown::tenant_of(addr) {
        Some(tenant) => tenant.to_string(),
        None => addr.to_string(),
    }
}

/// The 1-based slice of `slices` a partition key falls into (`slices` >= 1).
pub(crate) fn slice_of(key: &str, slices: u64) -> u64 {
    stable_hash(key) % slices.max(1) + 1
}

/// The first 8 bytes of the key's SHA-256, read big-endian.
fn stable_hash(key: &str) -> u64 {
    let digest = Sha256::digest(key.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first)
}

#[cfg(test)]
mod tests;
