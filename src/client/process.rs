//! One value per process, for what cannot cross a `fork()`: the client's runtime (its worker
//! threads do not exist in a forked child) and its connection pool (pooled connections are
//! sockets shared with the parent).
//!
//! gunicorn `--preload`, uWSGI and Celery's prefork pool build the application, and so the
//! client, in a parent process and then fork workers. Each value records the process that
//! made it; a process that finds the newest value made by another process (its parent or an
//! older ancestor) makes its own and appends it. Only a process itself appends to its copy
//! of the chain (a fork copies memory), so the newest value is this process's when, and only
//! when, its process id is this process's.
//!
//! A value made by another process is never dropped here: its threads, locks and sockets
//! belong to that process (a lock held by a thread that the fork did not copy would never be
//! released), so dropping it could block forever or close what the parent still uses. It is
//! leaked instead, once per fork: a few kilobytes and the parent's idle connections' file
//! descriptors, never used.
//!
//! The fast path is lock-free: a walk over `OnceLock`s (atomic loads) and one `getpid`.

use std::process;
use std::sync::OnceLock;

/// A value of type `T` for each process that uses it, made on first use in that process.
pub(crate) struct PerProcess<T> {
    first: Generation<T>,
}

/// A value and the process that made it, followed by the next process's (a forked child's).
struct Generation<T> {
    pid: u32,
    /// Always `Some`; taken and leaked when dropped by another process (see `Drop`).
    value: Option<T>,
    next: OnceLock<Box<Generation<T>>>,
}

impl<T> Generation<T> {
    fn new(pid: u32, value: T) -> Self {
        Generation {
            pid,
            value: Some(value),
            next: OnceLock::new(),
        }
    }

    fn value(&self) -> &T {
        match &self.value {
            Some(value) => value,
            None => unreachable!("a generation's value is only taken while it is dropped"),
        }
    }
}

impl<T> PerProcess<T> {
    /// Starts the chain with this process's value.
    pub(crate) fn new(value: T) -> Self {
        PerProcess::made_by(process::id(), value)
    }

    /// Starts the chain with a value that process `pid` made (tests pretend another process).
    fn made_by(pid: u32, value: T) -> Self {
        PerProcess {
            first: Generation::new(pid, value),
        }
    }

    /// This process's value; `make` is called to make it when this process has none yet
    /// (the first use after a fork). An error of `make` is returned and nothing is kept, so a
    /// later call tries again.
    pub(crate) fn current<E>(&self, make: impl FnOnce() -> Result<T, E>) -> Result<&T, E> {
        let pid = process::id();
        let newest = self.newest();
        if newest.pid == pid {
            return Ok(newest.value());
        }
        let made = Box::new(Generation::new(pid, make()?));
        // Threads of this process may race here: one value wins, and the others are dropped
        // in the process that made them, which is safe.
        Ok(newest.next.get_or_init(|| made).value())
    }

    fn newest(&self) -> &Generation<T> {
        let mut generation = &self.first;
        while let Some(next) = generation.next.get() {
            generation = next;
        }
        generation
    }
}

impl<T> Drop for Generation<T> {
    fn drop(&mut self) {
        if self.pid != process::id() {
            // Another process made it: leaked on purpose (see the module docs).
            std::mem::forget(self.value.take());
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    /// Counts its drops.
    struct Counted(Arc<AtomicUsize>, &'static str);

    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// No process has this id (Linux's pid_max is at most 2^22).
    const ANOTHER_PROCESS: u32 = u32::MAX;

    #[test]
    fn this_process_keeps_its_value() {
        let drops = Arc::new(AtomicUsize::new(0));
        let chain = PerProcess::new(Counted(Arc::clone(&drops), "ours"));
        for _ in 0..3 {
            let value = chain
                .current(|| -> Result<_, ()> { panic!("nothing to make") })
                .unwrap();
            assert_eq!(value.1, "ours");
        }
        drop(chain);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_value_of_another_process_is_replaced_and_never_dropped() {
        let theirs = Arc::new(AtomicUsize::new(0));
        let ours = Arc::new(AtomicUsize::new(0));
        let chain = PerProcess::made_by(ANOTHER_PROCESS, Counted(Arc::clone(&theirs), "theirs"));
        let failed = chain.current(|| Err("no threads"));
        assert_eq!(failed.err(), Some("no threads"), "a failure is returned");
        let made = chain
            .current(|| Ok::<_, ()>(Counted(Arc::clone(&ours), "ours")))
            .unwrap();
        assert_eq!(made.1, "ours");
        let again = chain
            .current(|| -> Result<_, ()> { panic!("made once") })
            .unwrap();
        assert_eq!(again.1, "ours");
        drop(chain);
        assert_eq!(ours.load(Ordering::SeqCst), 1, "ours is dropped");
        assert_eq!(theirs.load(Ordering::SeqCst), 0, "theirs is leaked");
    }

    #[test]
    fn racing_threads_get_one_value() {
        let drops = Arc::new(AtomicUsize::new(0));
        let chain = PerProcess::made_by(ANOTHER_PROCESS, Counted(Arc::clone(&drops), "theirs"));
        let made = AtomicUsize::new(0);
        let winners: Vec<usize> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    scope.spawn(|| {
                        let value = chain
                            .current(|| {
                                let n = made.fetch_add(1, Ordering::SeqCst);
                                Ok::<_, ()>(Counted(Arc::new(AtomicUsize::new(n)), "ours"))
                            })
                            .unwrap();
                        value.0.load(Ordering::SeqCst)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(winners.windows(2).all(|w| w[0] == w[1]), "{winners:?}");
    }
}
