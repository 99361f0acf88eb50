//! hello (tokio) - lazy and eager, the article's say_hello.
//!
//! main makes a task that sleeps one unit and prints "Hello", then sleeps
//! two units itself and never awaits it. Calling an async fn only builds a
//! future, a description of the work: nothing runs until it is polled, so
//! the default, `--mode lazy`, prints nothing (the future is dropped
//! unrun at the end of main). `--mode eager` hands the future to
//! tokio::spawn, and the runtime polls it without anybody awaiting it: it
//! prints Hello, as JavaScript does. `--await` awaits the future (or the
//! handle) before main's own sleep, so Hello is printed (variant awaited).
use peer::{story, Key, Prog, Rows};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::time::sleep;

const PROG: Prog = Prog {
    name: "hello",
    usage: "usage: hello [--mode lazy|eager] [--await] [--unit-ms K] [--csv] [--timeout S]\n  \
--mode lazy   call the async fn and never await the future: it never runs (default)\n  \
--mode eager  tokio::spawn it and never await the handle: it runs, prints Hello\n  \
--await       await it before main's own sleep: it prints Hello (variant awaited)\n  \
--unit-ms K   the task sleeps K ms, main 2K ms (default 100)\n  \
--csv         Hello (if printed) on stderr; rows printed (1 or 0), elapsed_ms on stdout\n  \
--timeout S   give up after S seconds (default 60)\n",
    accepts: &["--mode", "--await", "--unit-ms", "--cpus"],
    modes: &["lazy", "eager"],
};

static PRINTED: AtomicBool = AtomicBool::new(false);

async fn say_hello(unit: Duration) {
    sleep(unit).await;
    story("Hello");
    PRINTED.store(true, Ordering::SeqCst);
}

fn main() {
    let o = PROG.parse(peer::Opts { unit_ms: 100, ..peer::defaults() });
    let unit = Duration::from_millis(o.unit_ms);
    let mode = o.mode.clone().unwrap_or_else(|| "lazy".into());
    let (eager, wait) = (mode == "eager", o.wait);
    let t0 = Instant::now();
    peer::current_thread(&PROG).block_on(async move {
        if eager {
            let handle = tokio::spawn(say_hello(unit));
            if wait {
                handle.await.unwrap_or_else(|e| PROG.fail(&format!("the task failed: {e}")));
            }
        } else {
            let future = say_hello(unit); // nothing runs yet
            if wait {
                future.await;
            }
        }
        sleep(2 * unit).await;
    });
    if o.csv {
        let k = Key::new("hello", if wait { "awaited" } else { &mode }, &o.cpus);
        let mut rows = Rows::new(true);
        rows.row(&k, 1, "printed", PRINTED.load(Ordering::SeqCst) as u8 as f64, "bool");
        rows.row(&k, 1, "elapsed_ms", t0.elapsed().as_nanos() as f64 / 1e6, "ms");
    }
}
