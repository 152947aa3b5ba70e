//! Mapping a slice on the CPUs this process may use, results in the slice's order: how
//! kustomize reads many resource files and encodes its output, and how Helm's engine parses
//! templates, loads subcharts, executes templates and reads manifests side by side.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// How many threads [`map`] uses: the CPUs this process may run on, at most eight. Asked
/// once, as the answer reads cgroup files.
pub fn available_workers() -> usize {
    static WORKERS: OnceLock<usize> = OnceLock::new();
    *WORKERS.get_or_init(|| {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8)
    })
}

/// The stack of each helper thread: the main thread's usual size, as the work may recurse
/// (template calls, nested YAML) as deeply there as on the caller's thread.
const STACK_SIZE: usize = 8 << 20;

/// `items.iter().map(f).collect()`, on several threads when there are at least `min_items`
/// items and more than one CPU. The calling thread works too, and each thread takes the
/// next item as it finishes one, so uneven items still share out evenly. A panic in `f`
/// is resumed on the caller.
pub fn map<T: Sync, R: Send>(items: &[T], min_items: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = available_workers().min(items.len());
    if items.len() < min_items.max(2) || workers < 2 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::with_capacity(items.len());
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(item) = items.get(i) else {
                return done;
            };
            done.push((i, f(item)));
        }
    };
    let mut all = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..workers)
            .filter_map(|_| {
                std::thread::Builder::new()
                    .stack_size(STACK_SIZE)
                    .spawn_scoped(scope, work)
                    .ok()
            })
            .collect();
        let mut all = work();
        for h in helpers {
            match h.join() {
                Ok(part) => all.extend(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        all
    });
    all.sort_unstable_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_order_below_and_above_the_threshold() {
        let items: Vec<u32> = (0..1000).collect();
        let want: Vec<u64> = items.iter().map(|&i| u64::from(i) * 3).collect();
        assert_eq!(super::map(&items, 10, |&i| u64::from(i) * 3), want);
        assert_eq!(super::map(&items, 5000, |&i| u64::from(i) * 3), want);
        assert!(super::map(&[] as &[u32], 0, |&i| i).is_empty());
    }
}
