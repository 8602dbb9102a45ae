//! Runs the backend's async PostgreSQL work from synchronous callers. Inside the provider the
//! calls come from `spawn_blocking` threads of a multi-threaded runtime, whose handle is
//! captured when the backend opens; callers without a runtime (the audit command, tests) get
//! a small runtime owned by the backend.

use std::future::Future;

use tokio::runtime::{Builder, Handle, Runtime, RuntimeFlavor};

use crate::backend::BackendError;

/// Where the backend's futures run: the caller's multi-threaded runtime, or one of our own
/// for callers outside any runtime.
pub(super) struct RuntimeBridge {
    handle: Handle,
    owned: Option<Runtime>,
}

impl RuntimeBridge {
    /// Captures the current multi-threaded runtime, or starts a private one.
    pub(super) fn new() -> Result<RuntimeBridge, BackendError> {
        if let Ok(handle) = Handle::try_current()
            && handle.runtime_flavor() == RuntimeFlavor::MultiThread
        {
            return Ok(RuntimeBridge {
                handle,
                owned: None,
            });
        }
        let runtime = Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("tenant-postgres")
            .enable_all()
            .build()
            .map_err(|error| BackendError::Postgres {
                code: "runtime".to_string(),
                message: format!("cannot start the async runtime: {error}"),
            })?;
        Ok(RuntimeBridge {
            handle: runtime.handle().clone(),
            owned: Some(runtime),
        })
    }

    /// Runs `future` to completion on the bridged runtime, blocking the calling thread (which
    /// must not be one of the runtime's own async workers).
    pub(super) fn block_on<F: Future>(&self, future: F) -> F::Output {
        match &self.owned {
            Some(runtime) => runtime.block_on(future),
            None => self.handle.block_on(future),
        }
    }
}

impl Drop for RuntimeBridge {
    fn drop(&mut self) {
        // Dropping a runtime from inside another runtime's context panics; shut ours down in
        // the background there instead.
        if let Some(runtime) = self.owned.take()
            && Handle::try_current().is_ok()
        {
            runtime.shutdown_background();
        }
    }
}
