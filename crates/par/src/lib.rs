//! Mapping a slice on the CPUs this process may use, results in the slice's order: how
//! kustomize reads many resource files and encodes its output, and how Helm's engine parses
//! templates, loads subcharts, executes templates and reads manifests side by side.

mod pool;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

/// How many threads [`map`] uses: the CPUs this process may run on, at most eight. Asked
/// once.
pub fn available_workers() -> usize {
    static WORKERS: OnceLock<usize> = OnceLock::new();
    *WORKERS.get_or_init(|| cpus().min(8))
}

/// The CPUs in this process's affinity mask: one system call, where the standard library's
/// `available_parallelism` also reads the cgroup's CPU quota from several files (a fifth of a
/// millisecond here, a twentieth of a small chart's whole `helm template`). A quota smaller
/// than the mask only means a helper thread that waits its turn.
#[cfg(target_os = "linux")]
fn cpus() -> usize {
    // SAFETY: `set` is a plain bit set the kernel fills; its size is passed with it.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) == 0 {
            return (libc::CPU_COUNT(&set) as usize).max(1);
        }
    }
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

#[cfg(not(target_os = "linux"))]
fn cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The stack of each helper thread: the main thread's usual size, as the work may recurse
/// (template calls, nested YAML) as deeply there as on the caller's thread.
const STACK_SIZE: usize = 8 << 20;

/// `items.iter().map(f).collect()`, on several threads when there are at least `min_items`
/// items and more than one CPU. The calling thread works too, beside helper threads started
/// once for the process, and each thread takes the next item as it finishes one, so uneven
/// items still share out evenly. A panic in `f` is resumed on the caller. A map called while
/// another holds the helpers (from inside `f`, or on another thread) runs on its caller alone.
pub fn map<T: Sync, R: Send>(items: &[T], min_items: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = available_workers().min(items.len());
    if items.len() < min_items.max(2) || workers < 2 {
        return items.iter().map(f).collect();
    }
    let pool = pool::Pool::get(available_workers() - 1, STACK_SIZE);
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                return done;
            };
            done.push((i, f(item)));
        }
    };
    let parts = Mutex::new(Vec::with_capacity(pool.helpers() + 1));
    let job = || {
        let part = work();
        parts.lock().unwrap_or_else(|e| e.into_inner()).push(part);
    };
    if pool.run(&job).is_none() {
        // Another map holds the helpers (a map inside a map, or another thread's).
        return items.iter().map(f).collect();
    }
    let mut all: Vec<(usize, R)> = parts
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .flatten()
        .collect();
    all.sort_unstable_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, r)| r).collect()
}

/// Starts the helper threads now, so that a later [`map`] finds them running: a command that
/// will map soon calls this first thing, and the threads start while it reads its input.
pub fn warm_up() {
    if available_workers() > 1 {
        pool::Pool::get(available_workers() - 1, STACK_SIZE);
    }
}

static EXIT_FOLLOWS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Declares that the process ends as soon as the command it runs is done (a command-line
/// run, not the long-running engine): from then on [`dispose`] leaves what it is given for
/// the exit to reclaim.
pub fn exit_follows() {
    EXIT_FOLLOWS.store(true, Ordering::Relaxed);
}

/// Drops `v`, unless [`exit_follows`] was called: then its memory is left to the process's
/// end. Freeing a rendered chart's tables piece by piece (templates, values, every map of
/// them) was a twentieth of a `helm template` run, for memory the exit returns whole.
pub fn dispose<T>(v: T) {
    if EXIT_FOLLOWS.load(Ordering::Relaxed) {
        std::mem::forget(v);
    } else {
        drop(v);
    }
}

#[cfg(test)]
mod tests {
    /// Dropped before [`super::exit_follows`], left alone after it.
    #[test]
    fn dispose_drops_until_the_exit_is_declared() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static DROPS: AtomicUsize = AtomicUsize::new(0);
        struct Counted;
        impl Drop for Counted {
            fn drop(&mut self) {
                DROPS.fetch_add(1, Ordering::SeqCst);
            }
        }
        super::dispose(Counted);
        assert_eq!(DROPS.load(Ordering::SeqCst), 1);
        super::exit_follows();
        super::dispose(Counted);
        assert_eq!(DROPS.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn keeps_order_below_and_above_the_threshold() {
        let items: Vec<u32> = (0..1000).collect();
        let want: Vec<u64> = items.iter().map(|&i| u64::from(i) * 3).collect();
        assert_eq!(super::map(&items, 10, |&i| u64::from(i) * 3), want);
        assert_eq!(super::map(&items, 5000, |&i| u64::from(i) * 3), want);
        assert!(super::map(&[] as &[u32], 0, |&i| i).is_empty());
    }

    #[test]
    fn maps_inside_maps_and_on_many_threads_keep_order() {
        let items: Vec<u64> = (0..200).collect();
        let inner = |&i: &u64| -> u64 { super::map(&items, 2, |&j| i * j).iter().sum() };
        let want: Vec<u64> = items.iter().map(|&i| i * 199 * 200 / 2).collect();
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|_| s.spawn(|| super::map(&items, 2, inner)))
                .collect();
            for h in handles {
                assert_eq!(h.join().unwrap(), want);
            }
        });
    }

    #[test]
    fn a_panic_on_any_thread_reaches_the_caller_and_the_pool_goes_on() {
        let items: Vec<u32> = (0..64).collect();
        for bad in [0, 63] {
            let r = std::panic::catch_unwind(|| {
                super::map(&items, 2, |&i| {
                    // Slow items keep every thread busy, so the bad one may land anywhere.
                    std::thread::sleep(std::time::Duration::from_millis(1));
                    assert_ne!(i, bad, "item {bad}");
                    i
                })
            });
            let msg = r.unwrap_err();
            assert!(
                msg.downcast_ref::<String>()
                    .unwrap()
                    .contains(&format!("item {bad}"))
            );
        }
        assert_eq!(super::map(&items, 2, |&i| i + 1)[63], 64);
    }
}
