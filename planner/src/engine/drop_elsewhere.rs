//! Large values freed on a second thread. A fleet's walk values, module inputs and scope
//! bookkeeping are millions of small allocations; freeing them one by one on the planning
//! thread holds up the plan that is already made, while the other core is idle by then.
//! Only for plain data whose drop has no effect beyond freeing memory (no locks, files or
//! child processes): the process may exit before the thread gets to it.

use std::sync::mpsc::{Sender, channel};
use std::sync::{Mutex, OnceLock};

/// Something to free.
type Garbage = Box<dyn Send>;

/// The channel to the thread that frees what it receives (`None`: it could not start).
static DROPPER: OnceLock<Option<Mutex<Sender<Garbage>>>> = OnceLock::new();

/// Frees `value` on the dropping thread, or here when that thread cannot be had.
pub(super) fn drop_elsewhere<T: Send + 'static>(value: T) {
    let dropper = DROPPER.get_or_init(|| {
        let (sender, receiver) = channel::<Garbage>();
        std::thread::Builder::new()
            .name("drop".into())
            .spawn(move || receiver.into_iter().for_each(drop))
            .ok()
            .map(|_| Mutex::new(sender))
    });
    if let Some(sender) = dropper {
        // A send fails only when the thread is gone; the value then comes back and is freed
        // here.
        let _ = crate::sync::locked(sender).send(Box::new(value));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    use super::drop_elsewhere;

    struct Counted(Arc<AtomicUsize>);

    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn every_value_handed_over_is_freed() {
        let freed = Arc::new(AtomicUsize::new(0));
        for _ in 0..100 {
            drop_elsewhere(vec![Counted(freed.clone()), Counted(freed.clone())]);
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        while freed.load(Ordering::SeqCst) < 200 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(freed.load(Ordering::SeqCst), 200);
    }
}
