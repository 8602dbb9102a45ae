//! A result computed on a second thread while the planning thread goes on, and waited for
//! where it is first needed: the root locals read ahead of the state (`read_ahead.rs`) and
//! the stored root outputs decoded during the walk (`prior_outputs.rs`).

use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// The result of work started on a thread of its own.
pub(super) struct OnSecondThread<T> {
    stage: Mutex<Stage<T>>,
}

enum Stage<T> {
    Running(JoinHandle<T>),
    Done(T),
}

impl<T: Default + Send + 'static> OnSecondThread<T> {
    /// Starts `work` on a thread named `name` with `stack` bytes of stack; where no thread
    /// can be had, does it here.
    pub(super) fn start<F>(name: &str, stack: usize, work: F) -> OnSecondThread<T>
    where
        F: FnOnce() -> T + Send + 'static,
    {
        // Shared with the thread, so that it comes back when the thread cannot start; one
        // of the two takes it.
        let work = Arc::new(Mutex::new(Some(work)));
        let on_thread = Arc::clone(&work);
        let spawned = std::thread::Builder::new()
            .name(name.into())
            .stack_size(stack)
            .spawn(move || run(&on_thread));
        let stage = match spawned {
            Ok(thread) => Stage::Running(thread),
            Err(_) => Stage::Done(run(&work)),
        };
        OnSecondThread {
            stage: Mutex::new(stage),
        }
    }

    /// A result already at hand.
    pub(super) fn done(result: T) -> OnSecondThread<T> {
        OnSecondThread {
            stage: Mutex::new(Stage::Done(result)),
        }
    }

    /// Runs `use_result` on the result, waiting for the thread the first time; a panic on
    /// the thread is carried over here.
    pub(super) fn with<R>(&self, use_result: impl FnOnce(&mut T) -> R) -> R {
        let mut stage = crate::sync::locked(&self.stage);
        let mut result = match std::mem::replace(&mut *stage, Stage::Done(T::default())) {
            Stage::Running(thread) => thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Stage::Done(result) => result,
        };
        let answer = use_result(&mut result);
        *stage = Stage::Done(result);
        answer
    }
}

/// Runs the work in `slot` if it is still there.
fn run<T: Default, F: FnOnce() -> T>(slot: &Mutex<Option<F>>) -> T {
    let work = crate::sync::locked(slot).take();
    work.map(|work| work()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::OnSecondThread;

    #[test]
    fn the_result_is_the_works_and_is_waited_for_once() {
        let squares = OnSecondThread::start("squares", 1 << 20, || {
            (0..1000u64).map(|n| n * n).collect::<Vec<_>>()
        });
        assert_eq!(squares.with(|squares| squares.len()), 1000);
        assert_eq!(squares.with(std::mem::take)[999], 998_001);
        assert!(squares.with(|squares| squares.is_empty()));
        assert_eq!(OnSecondThread::done(7).with(|n| *n), 7);
    }

    #[test]
    fn a_panic_on_the_thread_reaches_the_caller() {
        let failing = OnSecondThread::<u8>::start("failing", 1 << 20, || panic!("on the thread"));
        let caught =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| failing.with(|n| *n)));
        assert!(caught.is_err());
    }
}
