//! Heap bytes allocated by the server: a global allocator that counts, on the threads that
//! asked for it (and on threads whose name a runner declared the server's, for a stack whose
//! server runs a thread of its own), the bytes allocated minus the bytes freed. The server and
//! the clients share nothing but UDP, so what the server's threads allocate they also free.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicI64, Ordering};

/// A thread's standing: not yet decided, counted, not counted.
const UNKNOWN: u8 = 0;
const YES: u8 = 1;
const NO: u8 = 2;

thread_local! {
    static TRACKED: Cell<u8> = const { Cell::new(UNKNOWN) };
}
static LIVE: AtomicI64 = AtomicI64::new(0);
static PEAK: AtomicI64 = AtomicI64::new(0);
/// Names (prefixes) of threads that belong to the server, set once by the runner.
static SERVER_THREADS: OnceLock<Vec<String>> = OnceLock::new();

/// The counting allocator; a runner installs it with `#[global_allocator]`.
#[derive(Debug)]
pub struct CountingAlloc;

fn tracked() -> bool {
    TRACKED
        .try_with(|t| match t.get() {
            UNKNOWN => {
                // Decided once per thread, on its first allocation. `NO` first: an allocation
                // made while deciding is not counted, and cannot recurse into the decision.
                t.set(NO);
                let named = SERVER_THREADS.get().is_some_and(|names| {
                    let current = std::thread::current();
                    let name = current.name().unwrap_or("");
                    names.iter().any(|n| name.starts_with(n.as_str()))
                });
                if named {
                    t.set(YES);
                }
                named
            }
            s => s == YES,
        })
        .unwrap_or(false)
}

fn add(bytes: i64) {
    let now = LIVE.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is forwarded unchanged to the system allocator; the counting touches
// only atomics and a const-initialised thread-local, neither of which allocates.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is passed on.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() && tracked() {
            add(layout.size() as i64);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is passed on.
        unsafe { System.dealloc(ptr, layout) };
        if tracked() {
            add(-(layout.size() as i64));
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is passed on.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() && tracked() {
            add(layout.size() as i64);
        }
        p
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract is passed on.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() && tracked() {
            add(new_size as i64 - layout.size() as i64);
        }
        p
    }
}

/// Count this thread's allocations from now on.
pub fn track_this_thread() {
    TRACKED.with(|t| t.set(YES));
}

/// Count the allocations of threads whose names start with one of `names` (threads a stack's
/// server starts of its own), from their first. Set once, before those threads start; a later
/// call changes nothing.
pub fn track_threads_named(names: &[&str]) {
    let _ = SERVER_THREADS.set(names.iter().map(|n| (*n).to_string()).collect());
}

/// Live bytes of the tracked threads (0 unless the runner installed [`CountingAlloc`]).
pub fn live() -> i64 {
    LIVE.load(Ordering::Relaxed)
}

/// The most live bytes since the last [`reset_peak`].
pub fn peak() -> i64 {
    PEAK.load(Ordering::Relaxed)
}

/// Start a new peak from the live bytes now.
pub fn reset_peak() {
    PEAK.store(live(), Ordering::Relaxed);
}
