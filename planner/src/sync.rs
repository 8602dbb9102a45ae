//! Locking shared engine data without panicking.
//!
//! A mutex is poisoned when a thread panicked while holding it. Every critical section in
//! the planner is a single insert, push or take, so the data behind a poisoned lock is
//! still whole; the panic itself is reported by the crash handler.

use std::sync::{Mutex, MutexGuard, PoisonError};

/// Locks `mutex`, recovering the guard from a poisoned lock.
pub(crate) fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_poisoned_lock_still_yields_its_data() {
        let shared = std::sync::Arc::new(Mutex::new(vec![1]));
        let clone = shared.clone();
        let _ = std::thread::spawn(move || {
            let _guard = clone.lock();
            panic!("poison the lock");
        })
        .join();
        assert!(shared.is_poisoned());
        locked(&shared).push(2);
        assert_eq!(*locked(&shared), vec![1, 2]);
    }
}
