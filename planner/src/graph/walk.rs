//! A parallel walk over a directed acyclic graph: each node starts once all of its
//! dependencies have succeeded, at most `parallelism` at a time. When a node fails, every node
//! that depends on it (directly or not) is skipped while independent branches go on; when the
//! walk is told to stop, no new node starts and the running ones finish.
//!
//! The walk runs its visits concurrently on the calling task, so visits may borrow from the
//! caller; the work they wait on (provider calls) proceeds in parallel.

use std::collections::VecDeque;
use std::future::Future;

use futures_util::stream::{FuturesUnordered, StreamExt};

/// Nodes `0..len` and the edges between them, from a dependency to its dependent.
#[derive(Clone, Debug, Default)]
pub(crate) struct Dag {
    dependency_counts: Vec<usize>,
    dependents: Vec<Vec<usize>>,
}

/// How a node's visit ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Succeeded,
    Failed,
    /// Not visited because something it depends on failed.
    Skipped,
    /// Not visited because the walk was stopped (or the node sits on a cycle).
    NotStarted,
}

impl Dag {
    pub(crate) fn new(len: usize) -> Dag {
        Dag {
            dependency_counts: vec![0; len],
            dependents: vec![Vec::new(); len],
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.dependents.len()
    }

    /// Adds a node and returns its id.
    pub(crate) fn add_node(&mut self) -> usize {
        self.dependency_counts.push(0);
        self.dependents.push(Vec::new());
        self.dependents.len() - 1
    }

    /// Makes `dependent` wait for `dependency`.
    pub(crate) fn add_edge(&mut self, dependency: usize, dependent: usize) {
        self.dependents[dependency].push(dependent);
        self.dependency_counts[dependent] += 1;
    }
}

/// Visits every node of `dag` in dependency order. `visit` returns whether the node
/// succeeded; `should_stop` is asked before each start.
pub(crate) async fn walk<F, Fut>(
    dag: &Dag,
    parallelism: usize,
    mut should_stop: impl FnMut() -> bool,
    mut visit: F,
) -> Vec<Outcome>
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = bool>,
{
    let parallelism = parallelism.max(1);
    let mut waiting_on = dag.dependency_counts.clone();
    let mut outcomes: Vec<Option<Outcome>> = vec![None; dag.len()];
    let mut ready: VecDeque<usize> = (0..dag.len())
        .filter(|&node| waiting_on[node] == 0)
        .collect();
    let mut running = FuturesUnordered::new();
    let mut stopped = false;
    loop {
        while running.len() < parallelism && !ready.is_empty() && !stopped {
            if should_stop() {
                stopped = true;
                break;
            }
            let Some(node) = ready.pop_front() else {
                break;
            };
            let visit = visit(node);
            running.push(async move { (node, visit.await) });
        }
        let Some((node, succeeded)) = running.next().await else {
            break;
        };
        if succeeded {
            outcomes[node] = Some(Outcome::Succeeded);
            for &dependent in &dag.dependents[node] {
                waiting_on[dependent] -= 1;
                if waiting_on[dependent] == 0 && outcomes[dependent].is_none() {
                    ready.push_back(dependent);
                }
            }
        } else {
            outcomes[node] = Some(Outcome::Failed);
            skip_dependents(dag, node, &mut outcomes);
        }
    }
    outcomes
        .into_iter()
        .map(|o| o.unwrap_or(Outcome::NotStarted))
        .collect()
}

fn skip_dependents(dag: &Dag, failed: usize, outcomes: &mut [Option<Outcome>]) {
    let mut stack = dag.dependents[failed].clone();
    while let Some(node) = stack.pop() {
        if outcomes[node].is_none() {
            outcomes[node] = Some(Outcome::Skipped);
            stack.extend(dag.dependents[node].iter().copied());
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    fn chain_with_branch() -> Dag {
        // 0 -> 1 -> 2, and 3 independent.
        let mut dag = Dag::new(4);
        dag.add_edge(0, 1);
        dag.add_edge(1, 2);
        dag
    }

    #[tokio::test]
    async fn visits_in_dependency_order() {
        let seen = Mutex::new(Vec::new());
        let outcomes = walk(
            &chain_with_branch(),
            1,
            || false,
            |n| {
                seen.lock().unwrap().push(n);
                async { true }
            },
        )
        .await;
        assert_eq!(outcomes, vec![Outcome::Succeeded; 4]);
        let seen = seen.into_inner().unwrap();
        let pos = |n| seen.iter().position(|&x| x == n).unwrap();
        assert!(pos(0) < pos(1) && pos(1) < pos(2));
    }

    #[tokio::test]
    async fn a_failure_skips_only_dependents() {
        let outcomes = walk(&chain_with_branch(), 4, || false, |n| async move { n != 0 }).await;
        assert_eq!(
            outcomes,
            vec![
                Outcome::Failed,
                Outcome::Skipped,
                Outcome::Skipped,
                Outcome::Succeeded
            ]
        );
    }

    #[tokio::test]
    async fn stopping_starts_nothing_new() {
        let started = Mutex::new(0);
        let outcomes = walk(
            &chain_with_branch(),
            1,
            || *started.lock().unwrap() >= 1,
            |_| {
                *started.lock().unwrap() += 1;
                async { true }
            },
        )
        .await;
        assert_eq!(
            outcomes
                .iter()
                .filter(|o| **o == Outcome::Succeeded)
                .count(),
            1
        );
        assert_eq!(
            outcomes
                .iter()
                .filter(|o| **o == Outcome::NotStarted)
                .count(),
            3
        );
    }

    #[tokio::test]
    async fn parallelism_bounds_concurrency() {
        let current = Mutex::new(0usize);
        let peak = Mutex::new(0usize);
        let dag = Dag::new(20);
        walk(
            &dag,
            3,
            || false,
            |_| async {
                {
                    let mut c = current.lock().unwrap();
                    *c += 1;
                    let mut p = peak.lock().unwrap();
                    *p = (*p).max(*c);
                }
                tokio::task::yield_now().await;
                *current.lock().unwrap() -= 1;
                true
            },
        )
        .await;
        assert_eq!(*peak.lock().unwrap(), 3);
    }
}
