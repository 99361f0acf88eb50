//! counter (tokio) - N increments of one counter by tasks on two worker
//! threads (one increment per task, or N shared by --units U tasks).
//!
//! The article's lost update needs two tasks writing one plain integer at
//! the same time, and safe Rust refuses to compile that: a `u64` shared by
//! tasks that may run on two threads has to be behind a Mutex or be an
//! atomic (a `static mut` needs `unsafe`, an `Rc<Cell<u64>>` is not Send,
//! so tokio::spawn rejects it). What does compile is the same mistake one
//! level up: `none` reads an AtomicU64 and then stores the value plus one,
//! two atomic operations with a gap between them, and two workers lose
//! updates in that gap. Rust rules out data races, not lost updates.
//! The fixes: mutex (std::sync::Mutex, held for the increment only),
//! async-mutex (tokio::sync::Mutex, whose lock is an .await) and atomic
//! (one fetch_add). A task that does several increments (--units) yields
//! after each, so the tasks interleave.
use peer::{Key, Prog, Rows};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

const WORKERS: usize = 2;

const PROG: Prog = Prog {
    name: "counter",
    usage: "usage: counter [--n N] [--units U] [--fix none|mutex|async-mutex|atomic] [--csv] [--timeout S]\n\
Tokio tasks on a 2-worker runtime make N increments of one in-memory counter.\n  \
--n N        increments, one task each (default 1000)\n  \
--units U    U tasks share the N increments instead\n  \
--fix F      none (load, then store: loses updates; default), mutex\n               \
(std::sync::Mutex), async-mutex (tokio::sync::Mutex) or atomic (fetch_add)\n  \
--csv        CSV rows on stdout, summary on stderr\n  \
--timeout S  give up after S seconds (default 60)\n\
Rows (n = N): expected, final, lost, elapsed_ms, units, workers.\n",
    accepts: &["--n", "--units", "--fix", "--cpus"],
    modes: &["none", "mutex", "async-mutex", "atomic"],
};

/// The counter behind the fix under test.
#[derive(Clone)]
enum Shared {
    None(Arc<AtomicU64>),
    Mutex(Arc<Mutex<u64>>),
    AsyncMutex(Arc<tokio::sync::Mutex<u64>>),
    Atomic(Arc<AtomicU64>),
}

impl Shared {
    async fn add_one(&self) {
        match self {
            Shared::None(a) => {
                let v = a.load(Ordering::Relaxed);
                a.store(v + 1, Ordering::Relaxed);
            }
            Shared::Mutex(m) => *m.lock().expect("poisoned") += 1,
            Shared::AsyncMutex(m) => *m.lock().await += 1,
            Shared::Atomic(a) => {
                a.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    async fn value(&self) -> u64 {
        match self {
            Shared::Mutex(m) => *m.lock().expect("poisoned"),
            Shared::AsyncMutex(m) => *m.lock().await,
            Shared::None(a) | Shared::Atomic(a) => a.load(Ordering::SeqCst),
        }
    }
}

fn main() {
    let o = PROG.parse(peer::Opts { units: 0, ..peer::defaults() });
    let fix = o.mode.as_deref().unwrap_or("none");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .build()
        .unwrap_or_else(|e| PROG.fail(&format!("cannot start the runtime: {e}")));
    let mut rows = Rows::new(o.csv);
    let n = o.n;
    let units = if o.units == 0 { n } else { o.units.min(n) };
    let shared = match fix {
        "none" => Shared::None(Arc::default()),
        "mutex" => Shared::Mutex(Arc::default()),
        "async-mutex" => Shared::AsyncMutex(Arc::default()),
        _ => Shared::Atomic(Arc::default()),
    };
    let t0 = Instant::now();
    let last = rt.block_on(async {
        let tasks: Vec<_> = (0..units)
            .map(|u| {
                let c = shared.clone();
                // Task u does its share; the first n % units do one more.
                let share = n / units + u64::from(u < n % units);
                tokio::spawn(async move {
                    for i in 0..share {
                        if i > 0 {
                            tokio::task::yield_now().await;
                        }
                        c.add_one().await;
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap_or_else(|e| PROG.fail(&format!("a task failed: {e}")));
        }
        shared.value().await
    });
    let ms = t0.elapsed().as_nanos() as f64 / 1e6;
    let k = Key::new("counter", fix, &o.cpus);
    rows.row(&k, n, "expected", n as f64, "count");
    rows.row(&k, n, "final", last as f64, "count");
    rows.row(&k, n, "lost", n as f64 - last as f64, "count");
    rows.row(&k, n, "elapsed_ms", ms, "ms");
    rows.row(&k, n, "units", units as f64, "count");
    rows.row(&k, n, "workers", WORKERS as f64, "count");
}
