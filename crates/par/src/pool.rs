//! The helper threads behind [`crate::map`], started once and kept: on the VMs this runs on,
//! starting a thread costs 90–180 µs and waking a sleeping one 20–30 µs, so a short run that
//! maps several times (load, parse, execute, read heads) would spend more on thread starts
//! than it saves. Helpers spin a little after each job, so the next one starts at once, then
//! sleep.
//!
//! A job is a borrowed closure: [`Pool::run`] does not return until every helper that took the
//! job has finished it, which is what makes lending the borrow to other threads sound.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

/// How long an idle helper keeps looking for the next job before it sleeps (and the caller
/// for helpers to finish): enough for back-to-back maps, short enough not to steal much from
/// other work on a loaded machine.
const SPIN: Duration = Duration::from_micros(200);

/// The job's closure with its lifetime erased; see the module comment for why that is sound.
#[derive(Clone, Copy)]
struct JobRef(*const (dyn Fn() + Sync));

// SAFETY: the pointee is `Sync`, and it outlives every use (`Pool::run` waits for helpers).
unsafe impl Send for JobRef {}

#[derive(Default)]
struct Slot {
    /// The job helpers may still join, if any.
    open: Option<JobRef>,
    /// The first panic of a helper in the current job.
    panic: Option<Box<dyn std::any::Any + Send>>,
    /// Helpers asleep on `wake`.
    sleeping: usize,
}

pub(crate) struct Pool {
    slot: Mutex<Slot>,
    /// Bumped when a job opens, so spinning helpers see it without taking the lock.
    generation: AtomicU64,
    /// Helpers running the current job: changed under `slot`'s lock, read by the spinning
    /// caller without it.
    users: AtomicUsize,
    /// Helpers sleep here.
    wake: Condvar,
    /// The caller sleeps here, when helpers take long, until `users` falls to zero.
    done: Condvar,
    caller_sleeping: AtomicBool,
    /// Held by the caller of a job: one job at a time; a second caller works alone.
    busy: Mutex<()>,
    helpers: AtomicUsize,
}

/// Spins while `busy` holds, at most [`SPIN`]; whether it stopped holding.
fn spin_while(busy: impl Fn() -> bool) -> bool {
    let start = Instant::now();
    loop {
        for _ in 0..64 {
            if !busy() {
                return true;
            }
            std::hint::spin_loop();
        }
        if start.elapsed() >= SPIN {
            return !busy();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Pool {
    /// The process's pool with `helpers` helper threads, started on first use.
    pub(crate) fn get(helpers: usize, stack_size: usize) -> &'static Pool {
        static POOL: OnceLock<&'static Pool> = OnceLock::new();
        POOL.get_or_init(|| {
            let pool: &'static Pool = Box::leak(Box::new(Pool {
                slot: Mutex::new(Slot::default()),
                generation: AtomicU64::new(0),
                users: AtomicUsize::new(0),
                wake: Condvar::new(),
                done: Condvar::new(),
                caller_sleeping: AtomicBool::new(false),
                busy: Mutex::new(()),
                helpers: AtomicUsize::new(0),
            }));
            let started = (0..helpers)
                .filter(|i| {
                    std::thread::Builder::new()
                        .name(format!("ferroflux-par-{i}"))
                        .stack_size(stack_size)
                        .spawn(move || pool.helper())
                        .is_ok()
                })
                .count();
            pool.helpers.store(started, Ordering::Relaxed);
            pool
        })
    }

    /// The helpers that really started.
    pub(crate) fn helpers(&self) -> usize {
        self.helpers.load(Ordering::Relaxed)
    }

    /// Runs `job` on the caller and on every helper free to take it, returning once all are
    /// done; `None` when another job holds the pool (the caller should then work alone).
    pub(crate) fn run(&self, job: &(dyn Fn() + Sync)) -> Option<()> {
        let _busy = self.busy.try_lock().ok()?;
        // SAFETY: only the lifetime is changed; `job` outlives this call, which waits below
        // until no helper uses it.
        let erased: *const (dyn Fn() + Sync) = unsafe { std::mem::transmute(job) };
        {
            let mut slot = lock(&self.slot);
            slot.open = Some(JobRef(erased));
            slot.panic = None;
            self.generation.fetch_add(1, Ordering::Release);
            if slot.sleeping > 0 {
                self.wake.notify_all();
            }
        }
        let mine = catch_unwind(AssertUnwindSafe(job));
        lock(&self.slot).open = None;
        // No helper joins from here on: wait for those that did.
        if !spin_while(|| self.users.load(Ordering::Acquire) > 0) {
            let mut slot = lock(&self.slot);
            while self.users.load(Ordering::Acquire) > 0 {
                self.caller_sleeping.store(true, Ordering::Relaxed);
                slot = self.done.wait(slot).unwrap_or_else(|e| e.into_inner());
            }
            self.caller_sleeping.store(false, Ordering::Relaxed);
        }
        let theirs = lock(&self.slot).panic.take();
        if let Err(p) = mine {
            std::panic::resume_unwind(p);
        }
        if let Some(p) = theirs {
            std::panic::resume_unwind(p);
        }
        Some(())
    }

    fn helper(&self) {
        let mut seen = 0u64;
        loop {
            // Spin on the generation for a while, then sleep until a job opens.
            spin_while(|| self.generation.load(Ordering::Acquire) == seen);
            let mut slot = lock(&self.slot);
            loop {
                let generation = self.generation.load(Ordering::Acquire);
                if generation != seen {
                    seen = generation;
                    if slot.open.is_some() {
                        break;
                    }
                }
                slot.sleeping += 1;
                slot = self.wake.wait(slot).unwrap_or_else(|e| e.into_inner());
                slot.sleeping -= 1;
            }
            let Some(JobRef(job)) = slot.open else {
                continue;
            };
            self.users.fetch_add(1, Ordering::AcqRel);
            drop(slot);
            // SAFETY: the caller of `run` waits for `users` to fall to zero before `job` dies.
            let outcome = catch_unwind(AssertUnwindSafe(|| unsafe { (*job)() }));
            let mut slot = lock(&self.slot);
            if let Err(p) = outcome {
                slot.panic.get_or_insert(p);
            }
            if self.users.fetch_sub(1, Ordering::AcqRel) == 1
                && self.caller_sleeping.load(Ordering::Relaxed)
            {
                self.done.notify_all();
            }
        }
    }
}
