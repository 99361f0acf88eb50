//! spawn (tokio) - the peer side of bench's yl-peer-spawn: N tasks alive
//! at once, each awaiting a long timer (peers/README.md, "spawn").
//!
//! With the runtime up it prints `base` and waits for a line (the
//! harness's baseline snapshot); then it spawns N tasks on the
//! current-thread runtime and lets them run until each has been polled
//! once, so each has armed its timer and holds all it will hold; then it
//! prints `ready N CREATE_NS task` and waits, the tasks alive, until stdin
//! reaches end of file. A task is one allocation: a header and the future,
//! and a Sleep future carries its timer entry inline, so much of a task's
//! bytes are the timer. --variant pending awaits a future that never
//! completes instead (unit `task-pending`): the difference is the timer.
use peer::{say, Prog};
use std::io::BufRead;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const PROG: Prog = Prog {
    name: "spawn",
    usage: "usage: spawn [--n N] [--variant sleep|pending] [--cpus LIST] [--timeout S]\n\
The peer side of yl-peer-spawn: prints `base`, waits for a line on stdin, starts\n\
N Tokio tasks on a current-thread runtime, each awaiting a 60 s timer, prints\n\
`ready N CREATE_NS task` once all N are alive, exits 0 at end of stdin.\n  \
--n N         tasks (default 1000)\n  \
--variant V   sleep (default: each awaits tokio::time::sleep) or pending (each\n                \
awaits a future that never completes; unit task-pending)\n  \
--cpus LIST   pin the process to these CPUs (re-executed under taskset)\n  \
--timeout S   give up after S seconds (default 60)\n",
    accepts: &["--n", "--variant", "--cpus"],
    modes: &["sleep", "pending"],
};

static POLLED: AtomicU64 = AtomicU64::new(0);

/// A task's first step: count itself in.
fn arrived() {
    POLLED.fetch_add(1, Ordering::Relaxed);
}

/// Spawns n tasks, each running a future make() returns (it calls
/// arrived() first), then yields until every one has been polled once.
/// Returns the size of that future: the part of a task that is the
/// program's own (its state across .awaits, here the Sleep).
async fn spawn_all<F, M>(n: u64, make: M) -> usize
where
    F: std::future::Future<Output = ()> + Send + 'static,
    M: Fn() -> F,
{
    for _ in 0..n {
        tokio::spawn(make());
    }
    // The tasks run when this future yields; wait for the last one.
    while POLLED.load(Ordering::Relaxed) < n {
        tokio::task::yield_now().await;
    }
    std::mem::size_of::<F>()
}

fn main() {
    let o = PROG.parse(peer::defaults());
    let timer = o.mode.as_deref() != Some("pending");
    let n = o.n;
    let rt = peer::current_thread(&PROG);
    say("base");
    let mut stdin = std::io::stdin().lock();
    let mut line = String::new();
    if stdin.read_line(&mut line).unwrap_or(0) == 0 {
        std::process::exit(0); // the harness went away before the baseline
    }
    let t0 = Instant::now();
    // Two spawn_all calls, not one future with an if inside: a future is
    // as large as its largest state, so that one would carry the Sleep in
    // both variants.
    let size = rt.block_on(async move {
        if timer {
            spawn_all(n, || async {
                arrived();
                tokio::time::sleep(Duration::from_secs(60)).await
            })
            .await
        } else {
            spawn_all(n, || async {
                arrived();
                std::future::pending::<()>().await
            })
            .await
        }
    });
    let unit = if timer { "task" } else { "task-pending" };
    say(&format!("ready {n} {} {unit}", t0.elapsed().as_nanos()));
    eprintln!("spawn: each {unit} awaits a future of {size} bytes");
    // The tasks stay in the runtime between block_on calls; nothing has to
    // run while we wait.
    let mut rest = Vec::new();
    if let Err(e) = std::io::Read::read_to_end(&mut stdin, &mut rest) {
        PROG.fail(&format!("stdin: {e}"));
    }
    // Exit without dropping N tasks one by one.
    std::process::exit(0);
}
