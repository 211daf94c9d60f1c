//! Data parallelism inside the tick's hot systems. The schedule stays a chain of ordered
//! steps on the tick thread (its systems mostly take the whole world, so an executor would
//! find nothing to run side by side); where a step's loop reads shared state and writes only
//! per item (choosing targets, shifting observers, diffing session views), [`Parallel`] deals the items into
//! pieces and runs them on bevy's compute task pool, the tick thread included.
//! Results come back in the items' order, so a tick sends the same bytes with one thread
//! or many (`game/tests/parallel_tick.rs`).

use bevy_ecs::prelude::*;
use bevy_tasks::{ComputeTaskPool, TaskPool, TaskPoolBuilder};

/// Name of the compute pool's worker threads (what a profiler or the benchmark's CPU count
/// finds them by).
pub const COMPUTE_THREAD: &str = "region-compute";

/// How many threads run the tick's data-parallel loops: the `tick_threads` setting, the tick
/// thread included.
#[derive(Resource, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parallel {
    threads: usize,
}

impl Parallel {
    /// `tick_threads` threads (0: one per core the process may use).
    pub fn new(tick_threads: u32) -> Self {
        let threads = match tick_threads {
            0 => std::thread::available_parallelism().map_or(1, usize::from),
            n => usize::try_from(n).unwrap_or(1),
        };
        Self { threads }
    }

    /// Everything on the calling thread.
    pub fn serial() -> Self {
        Self { threads: 1 }
    }

    /// The process-wide compute pool, built on first use with `threads - 1` workers (the
    /// thread waiting for a scope runs its tasks too). A second region in the same process
    /// shares the first one's pool.
    fn pool(&self) -> &'static TaskPool {
        ComputeTaskPool::get_or_init(|| {
            TaskPoolBuilder::new()
                .num_threads(self.threads.saturating_sub(1).max(1))
                .thread_name(COMPUTE_THREAD.into())
                .build()
        })
    }

    /// How many pieces `len` items are cut into when no piece may be shorter than `min`.
    fn pieces(&self, len: usize, min: usize) -> usize {
        self.threads.min(len / min.max(1)).max(1)
    }

    /// `f` of every item, in the items' order; pieces of at least `min` items run in
    /// parallel. Piece `k` of `n` takes items `k`, `k + n`, `k + 2n`, ..., so that runs of
    /// costly items (one fight's shooters, one crowd's sessions) are shared out.
    pub fn map<T, R, F>(&self, items: &[T], min: usize, f: F) -> Vec<R>
    where
        T: Sync,
        R: Send + 'static,
        F: Fn(&T) -> R + Sync,
    {
        self.deal(items.iter(), min, f)
    }

    /// `f` of every item, with the item borrowed mutably, in the items' order; pieces of at
    /// least `min` items run in parallel, shared out as in [`Parallel::map`].
    pub fn map_mut<T, R, F>(&self, items: &mut [T], min: usize, f: F) -> Vec<R>
    where
        T: Send,
        R: Send + 'static,
        F: Fn(&mut T) -> R + Sync,
    {
        self.deal(items.iter_mut(), min, f)
    }

    /// The body of [`Parallel::map`] and [`Parallel::map_mut`]: `items` (borrows) dealt one
    /// by one to the pieces, `f` run on each piece, the results interleaved back.
    fn deal<I, R, F>(&self, items: I, min: usize, f: F) -> Vec<R>
    where
        I: ExactSizeIterator<Item: Send>,
        R: Send + 'static,
        F: Fn(I::Item) -> R + Sync,
    {
        let len = items.len();
        let pieces = self.pieces(len, min);
        if pieces == 1 {
            return items.map(f).collect();
        }
        let mut dealt: Vec<Vec<I::Item>> = (0..pieces)
            .map(|_| Vec::with_capacity(len / pieces + 1))
            .collect();
        for (i, item) in items.enumerate() {
            if let Some(piece) = dealt.get_mut(i % pieces) {
                piece.push(item);
            }
        }
        let f = &f;
        let parts = self.pool().scope(|scope| {
            for piece in dealt {
                scope.spawn(async move { piece.into_iter().map(f).collect::<Vec<R>>() });
            }
        });
        interleave(parts, len)
    }

    /// `f` of every item, the items dealt to the threads by `weight` (heaviest first, each to
    /// the least loaded thread) when they weigh at least `min` in all; for work whose items
    /// differ widely in cost and whose order does not matter.
    pub fn for_each_balanced<T, W, F>(&self, items: Vec<T>, min: usize, weight: W, f: F)
    where
        T: Send,
        W: Fn(&T) -> usize,
        F: Fn(T) + Sync,
    {
        let total: usize = items.iter().map(&weight).sum();
        if self.threads == 1 || items.len() < 2 || total < min {
            items.into_iter().for_each(f);
            return;
        }
        let mut items: Vec<(usize, T)> = items.into_iter().map(|t| (weight(&t), t)).collect();
        items.sort_by_key(|(w, _)| std::cmp::Reverse(*w));
        let mut bins: Vec<(usize, Vec<T>)> = (0..self.threads).map(|_| (0, Vec::new())).collect();
        for (w, item) in items {
            if let Some(bin) = bins.iter_mut().min_by_key(|(load, _)| *load) {
                bin.0 += w;
                bin.1.push(item);
            }
        }
        let f = &f;
        self.pool().scope(|scope| {
            for (_, bin) in bins.into_iter().filter(|(_, b)| !b.is_empty()) {
                scope.spawn(async move { bin.into_iter().for_each(f) });
            }
        });
    }
}

/// Put back in order the results of pieces dealt item by item: item `i` is the
/// `i / n`-th result of piece `i % n`.
fn interleave<R>(parts: Vec<Vec<R>>, len: usize) -> Vec<R> {
    let n = parts.len().max(1);
    let mut parts: Vec<std::vec::IntoIter<R>> = parts.into_iter().map(Vec::into_iter).collect();
    let mut out = Vec::with_capacity(len);
    for i in 0..len {
        if let Some(next) = parts.get_mut(i % n).and_then(Iterator::next) {
            out.push(next);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_keep_the_items_order() {
        let items: Vec<u32> = (0..1000).collect();
        for threads in [1, 2, 3, 8] {
            let p = Parallel { threads };
            assert_eq!(
                p.map(&items, 10, |x| x * 2),
                (0..1000).map(|x| x * 2).collect::<Vec<_>>()
            );
            let mut owned = items.clone();
            let seen = p.map_mut(&mut owned, 10, |x| {
                *x += 1;
                *x
            });
            assert_eq!(seen, (1..=1000).collect::<Vec<_>>());
            assert_eq!(owned, seen);
        }
    }

    #[test]
    fn short_lists_stay_on_the_calling_thread() {
        let p = Parallel { threads: 4 };
        assert_eq!(p.pieces(10, 64), 1);
        assert_eq!(p.pieces(130, 64), 2);
        assert_eq!(p.pieces(10_000, 64), 4);
        assert_eq!(Parallel::serial().pieces(10_000, 1), 1);
        let caller = std::thread::current().id();
        let ids = p.map(&[1, 2, 3], 64, |_| std::thread::current().id());
        assert!(ids.iter().all(|id| *id == caller));
    }

    #[test]
    fn balanced_work_runs_every_item_once() {
        use std::sync::atomic::{AtomicU64, Ordering};
        for threads in [1, 2, 4] {
            let p = Parallel { threads };
            let sum = AtomicU64::new(0);
            let mut items: Vec<u64> = (1..=100).collect();
            items.push(10_000);
            p.for_each_balanced(
                items,
                1,
                |x| *x as usize,
                |x| {
                    sum.fetch_add(x, Ordering::Relaxed);
                },
            );
            assert_eq!(sum.into_inner(), 5_050 + 10_000);
        }
    }
}
