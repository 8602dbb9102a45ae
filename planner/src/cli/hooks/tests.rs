use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::*;

fn quiet_hooks() -> ProgressHooks {
    ProgressHooks::new(View::Json(crate::cli::json_view::JsonView))
}

#[test]
fn counts_only_successes() {
    let hooks = quiet_hooks();
    let addr: InstanceAddr = "tenant.a".parse().unwrap();
    hooks.started(&addr, Action::Create, None);
    hooks.finished(&addr, Action::Create, Some("t-1"), true);
    hooks.finished(&addr, Action::DeleteThenCreate, None, true);
    hooks.finished(&addr, Action::Delete, None, true);
    hooks.finished(&addr, Action::Delete, None, false);
    let data: InstanceAddr = "data.tenants.all".parse().unwrap();
    hooks.started(&data, Action::Delete, None);
    hooks.finished(&data, Action::Delete, None, true);
    assert_eq!(
        hooks.counts(),
        Counts {
            add: 2,
            change: 0,
            destroy: 1,
            import: 0
        },
        "a replacement counts its create; its delete step counts the destroy; a data \
         source's removal counts nothing"
    );
}

#[tokio::test(start_paused = true)]
async fn the_ticker_reports_every_period_until_aborted() {
    let ticks = Arc::new(AtomicU64::new(0));
    let last = Arc::new(AtomicU64::new(0));
    let (counted, seen) = (ticks.clone(), last.clone());
    let ticker = spawn_ticker(PROGRESS_PERIOD, move |elapsed| {
        counted.fetch_add(1, Ordering::SeqCst);
        seen.store(elapsed, Ordering::SeqCst);
    })
    .expect("inside a runtime");
    tokio::time::sleep(Duration::from_secs(9)).await;
    assert_eq!(ticks.load(Ordering::SeqCst), 0, "nothing before 10 s");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(ticks.load(Ordering::SeqCst), 1);
    assert_eq!(last.load(Ordering::SeqCst), 10);
    tokio::time::sleep(Duration::from_secs(20)).await;
    assert_eq!(ticks.load(Ordering::SeqCst), 3);
    assert_eq!(last.load(Ordering::SeqCst), 30);
    ticker.abort();
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(
        ticks.load(Ordering::SeqCst),
        3,
        "no tick after the operation ended"
    );
}

#[test]
fn no_ticker_outside_a_runtime() {
    assert!(spawn_ticker(PROGRESS_PERIOD, |_| {}).is_none());
}
