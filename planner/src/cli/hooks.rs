//! The progress of an operation, reported through the [`View`] as Terraform reports it
//! (`tenant.acme: Creating...`, every 10 seconds `tenant.acme: Still creating... [00m10s
//! elapsed]`, `tenant.acme: Creation complete after 2s [id=t-1]`, refreshes and data source
//! reads while planning), and the counts of the final summary.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::view::{Event, View};
use crate::addrs::InstanceAddr;
use crate::engine::{ApplyHooks, PlanHooks};
use crate::plan::render::Counts;
use crate::plan::{Action, removes_data_result};

/// How often a running operation reports that it is still running.
const PROGRESS_PERIOD: Duration = Duration::from_secs(10);

/// An instance's operation in flight: when it started, and its progress ticker.
struct Running {
    began: Instant,
    ticker: Option<tokio::task::JoinHandle<()>>,
}

/// Reports progress and counts the instances that completed.
pub(super) struct ProgressHooks {
    view: View,
    running: Mutex<HashMap<InstanceAddr, Running>>,
    counts: Mutex<Counts>,
}

impl ProgressHooks {
    pub(super) fn new(view: View) -> ProgressHooks {
        ProgressHooks {
            view,
            running: Mutex::new(HashMap::new()),
            counts: Mutex::new(Counts::default()),
        }
    }

    /// What completed successfully so far.
    pub(super) fn counts(&self) -> Counts {
        self.counts.lock().map(|c| *c).unwrap_or_default()
    }

    /// Notes that `addr`'s operation started, with a ticker reporting it every
    /// [`PROGRESS_PERIOD`] while it runs.
    fn begin(&self, addr: &InstanceAddr, action: Action, id: Option<&str>) {
        let view = self.view;
        let (ticking_addr, id) = (addr.clone(), id.map(str::to_string));
        let ticker = spawn_ticker(PROGRESS_PERIOD, move |elapsed| {
            view.event(&Event::ApplyProgress {
                addr: ticking_addr.clone(),
                action,
                id: id.clone(),
                elapsed,
            });
        });
        let running = Running {
            began: Instant::now(),
            ticker,
        };
        if let Ok(mut all) = self.running.lock()
            && let Some(replaced) = all.insert(addr.clone(), running)
        {
            replaced.stop();
        }
    }

    /// Stops `addr`'s ticker; the whole seconds its operation took.
    fn end(&self, addr: &InstanceAddr) -> u64 {
        let running = self
            .running
            .lock()
            .ok()
            .and_then(|mut all| all.remove(addr));
        running.map_or(0, |running| {
            let seconds = running.began.elapsed().as_secs();
            running.stop();
            seconds
        })
    }

    fn count(&self, action: Action) {
        if let Ok(mut counts) = self.counts.lock() {
            match action {
                Action::Create => counts.add += 1,
                Action::Update => counts.change += 1,
                Action::Delete => counts.destroy += 1,
                // The replaced object's deletion is a step of its own, counted as a Delete.
                Action::DeleteThenCreate | Action::CreateThenDelete => counts.add += 1,
                Action::Read | Action::NoOp | Action::Forget => {}
            }
        }
    }
}

impl Running {
    fn stop(self) {
        if let Some(ticker) = self.ticker {
            ticker.abort();
        }
    }
}

impl Drop for ProgressHooks {
    fn drop(&mut self) {
        if let Ok(mut all) = self.running.lock() {
            all.drain().for_each(|(_, running)| running.stop());
        }
    }
}

/// Calls `tick` with the whole seconds elapsed every `period` until aborted; `None` outside
/// a tokio runtime (no progress is reported then).
fn spawn_ticker(
    period: Duration,
    tick: impl Fn(u64) + Send + 'static,
) -> Option<tokio::task::JoinHandle<()>> {
    let runtime = tokio::runtime::Handle::try_current().ok()?;
    Some(runtime.spawn(async move {
        let began = tokio::time::Instant::now();
        let mut interval = tokio::time::interval_at(began + period, period);
        loop {
            interval.tick().await;
            tick(began.elapsed().as_secs());
        }
    }))
}

/// Whether the step is the removal of a data source's result, which Terraform does not
/// report or count.
impl ApplyHooks for ProgressHooks {
    fn started(&self, addr: &InstanceAddr, action: Action, prior_id: Option<&str>) {
        if removes_data_result(addr, action) {
            return;
        }
        let id = match action {
            Action::Update | Action::Delete => prior_id.map(str::to_string),
            _ => None,
        };
        self.view.event(&Event::ApplyStart {
            addr: addr.clone(),
            action,
            id: id.clone(),
        });
        self.begin(addr, action, id.as_deref());
    }

    fn finished(&self, addr: &InstanceAddr, action: Action, id: Option<&str>, ok: bool) {
        if removes_data_result(addr, action) {
            return;
        }
        let elapsed = self.end(addr);
        let (addr, id) = (addr.clone(), id.map(str::to_string));
        if !ok {
            self.view.event(&Event::ApplyErrored {
                addr,
                action,
                elapsed,
            });
            return;
        }
        self.count(action);
        self.view.event(&Event::ApplyComplete {
            addr,
            action,
            id,
            elapsed,
        });
    }

    fn provisioning(&self, addr: &InstanceAddr, kind: &str) {
        self.view.event(&Event::ProvisionStart {
            addr: addr.clone(),
            kind: kind.to_string(),
        });
    }

    fn provision_output(&self, addr: &InstanceAddr, kind: &str, line: &str) {
        self.view.event(&Event::ProvisionProgress {
            addr: addr.clone(),
            kind: kind.to_string(),
            output: line.to_string(),
        });
    }

    fn provisioned(&self, addr: &InstanceAddr, kind: &str, ok: bool) {
        let (addr, kind) = (addr.clone(), kind.to_string());
        self.view.event(&if ok {
            Event::ProvisionComplete { addr, kind }
        } else {
            Event::ProvisionErrored { addr, kind }
        });
    }

    fn importing(&self, addr: &InstanceAddr, id: &str) {
        self.view.event(&Event::Importing {
            addr: addr.clone(),
            id: id.to_string(),
        });
    }

    fn imported(&self, addr: &InstanceAddr, id: &str) {
        if let Ok(mut counts) = self.counts.lock() {
            counts.import += 1;
        }
        self.view.event(&Event::Imported {
            addr: addr.clone(),
            id: id.to_string(),
        });
    }
}

impl PlanHooks for ProgressHooks {
    fn refreshing(&self, addr: &InstanceAddr, id: Option<&str>) {
        self.view.event(&Event::RefreshStart {
            addr: addr.clone(),
            id: id.map(str::to_string),
        });
    }

    fn refreshed(&self, addr: &InstanceAddr, id: Option<&str>) {
        self.view.event(&Event::RefreshComplete {
            addr: addr.clone(),
            id: id.map(str::to_string),
        });
    }

    fn reading(&self, addr: &InstanceAddr) {
        self.started(addr, Action::Read, None);
    }

    fn read(&self, addr: &InstanceAddr, id: Option<&str>, ok: bool) {
        self.finished(addr, Action::Read, id, ok);
    }
}

#[cfg(test)]
mod tests;
