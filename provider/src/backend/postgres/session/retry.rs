//! When a failed transaction runs again, and after how long: concurrency conflicts a bounded
//! number of times, a lost or refused connection for as long as a restarting or failing-over
//! server may take to come back.

use std::time::{Duration, Instant};

use super::super::sql::is_retryable;
use crate::backend::BackendError;

/// Attempts of a transaction that meets concurrency conflicts (serialization, deadlocks).
const MAX_CONFLICT_ATTEMPTS: u32 = 12;
/// How long the server may stay unreachable before the call fails: a fast restart takes
/// seconds, a managed failover up to a minute.
const RECONNECT_BUDGET: Duration = Duration::from_secs(60);
const FIRST_BACKOFF: Duration = Duration::from_millis(15);
const MAX_BACKOFF: Duration = Duration::from_millis(800);

/// Where an attempt failed, which decides whether running it again is safe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Stage {
    /// Getting a connection from the pool: nothing was sent.
    Connecting,
    /// Inside the transaction: a lost connection rolls it back.
    Working,
    /// The commit was sent and its outcome is unknown.
    Committing,
    /// The commit was sent, the connection was lost, and the server says it rolled back.
    RolledBack,
}

/// A failed attempt and where it failed.
pub(super) struct Failed {
    pub(super) error: BackendError,
    pub(super) stage: Stage,
}

impl Failed {
    pub(super) fn at(stage: Stage) -> impl FnOnce(BackendError) -> Failed {
        move |error| Failed { error, stage }
    }

    /// Why the whole transaction may run again, if it may.
    fn cause(&self) -> Option<Cause> {
        if is_retryable(&self.error) {
            return Some(Cause::Conflict);
        }
        let unreachable = match self.stage {
            Stage::Connecting | Stage::RolledBack => true,
            Stage::Working => is_connection_loss(&self.error),
            Stage::Committing => false,
        };
        unreachable.then_some(Cause::Unreachable)
    }

    /// Whether the whole transaction may run again.
    #[cfg(test)]
    pub(super) fn may_run_again(&self) -> bool {
        self.cause().is_some()
    }
}

/// Why a transaction runs again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cause {
    /// Another transaction got in the way.
    Conflict,
    /// The server could not be reached, or the connection to it was lost.
    Unreachable,
}

/// Whether `error` says the connection is gone or the server is shutting down or starting.
pub(super) fn is_connection_loss(error: &BackendError) -> bool {
    let BackendError::Postgres { code, .. } = error else {
        return false;
    };
    // Closed connections, admin/crash shutdown, "cannot connect now", connection exceptions.
    code == "connection" || code.starts_with("57P") || code.starts_with("08")
}

/// The retry state of one call: conflicts counted, the time since the server was first found
/// unreachable, and the next backoff.
pub(super) struct Retry {
    conflicts: u32,
    unreachable_since: Option<Instant>,
    backoff: Duration,
}

impl Retry {
    pub(super) fn new() -> Retry {
        Retry {
            conflicts: 0,
            unreachable_since: None,
            backoff: FIRST_BACKOFF,
        }
    }

    /// How long to wait before running the call again after `failed`, or `None` when it
    /// must not run again.
    pub(super) fn next_wait(&mut self, failed: &Failed) -> Option<Duration> {
        match failed.cause()? {
            Cause::Conflict => {
                self.conflicts += 1;
                if self.conflicts >= MAX_CONFLICT_ATTEMPTS {
                    return None;
                }
            }
            Cause::Unreachable => return self.next_wait_unreachable(),
        }
        Some(self.backoff())
    }

    /// How long to wait before trying an unreachable server again, or `None` once it has
    /// been unreachable for longer than the budget.
    pub(super) fn next_wait_unreachable(&mut self) -> Option<Duration> {
        let since = *self.unreachable_since.get_or_insert_with(Instant::now);
        (since.elapsed() < RECONNECT_BUDGET).then(|| self.backoff())
    }

    /// The next wait, doubling the backoff up to its ceiling.
    fn backoff(&mut self) -> Duration {
        let wait = self.backoff + jitter(self.backoff);
        self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
        wait
    }
}

/// A random share of `backoff`, so that retrying transactions do not collide again.
fn jitter(backoff: Duration) -> Duration {
    let millis = backoff.as_millis().max(1) as u64;
    Duration::from_millis(rand::random::<u64>() % millis)
}

#[cfg(test)]
mod tests;
