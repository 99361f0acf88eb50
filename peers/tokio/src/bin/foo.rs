//! foo (tokio) - the article's foo1/foo2/bar as Tokio tasks.
//!
//! main spawns foo1, then foo2, on a current-thread runtime (one worker),
//! so tokio::spawn only queues them; they start when main reaches its
//! first .await, in the order they were spawned (the queue is FIFO), and
//! every piece of code between two .awaits runs to the end before another
//! starts: the same order as build/bin/tasks/foo. main awaits both handles
//! only because a Tokio runtime drops unfinished tasks when main returns.
//! --csv: the lines go to stderr, and stdout gets the rows (article_order
//! 1 when the eight lines came in the article's order, lines, elapsed_ms).
use peer::{Key, Prog, Rows};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::time::sleep;

const PROG: Prog = Prog {
    name: "foo",
    usage: "usage: foo [--unit-ms K] [--cpus LIST] [--csv] [--timeout S]\n\
Runs the article's foo1/foo2/bar workload as tasks on Tokio's current-thread runtime.\n  \
--unit-ms K   time unit: bar sleeps 2K ms, foo1 and foo2 sleep 3K ms (default 1)\n  \
--csv         the lines on stderr; rows article_order, lines, elapsed_ms on stdout\n  \
--timeout S   give up after S seconds (default 60)\n",
    accepts: &["--unit-ms", "--cpus"],
    modes: &[],
};

const ARTICLE: [&str; 8] = ["foo1 start", "bar start", "foo2 start", "bar end",
                            "foo1 between", "foo2 between", "foo1 end", "foo2 end"];

static SAID: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());

/// The article's print: one line, and a note of it for article_order.
fn say(line: &'static str) {
    peer::story(line);
    SAID.lock().expect("poisoned").push(line);
}

async fn bar(unit: Duration) {
    say("bar start");
    sleep(2 * unit).await;
    say("bar end");
}

async fn foo1(unit: Duration) {
    say("foo1 start");
    bar(unit).await; // bar's future lives inside foo1's: one task, one allocation
    say("foo1 between");
    sleep(3 * unit).await;
    say("foo1 end");
}

async fn foo2(unit: Duration) {
    say("foo2 start");
    sleep(3 * unit).await;
    say("foo2 between");
    sleep(3 * unit).await;
    say("foo2 end");
}

fn main() {
    let o = PROG.parse(peer::Opts { timeout: 60, ..peer::defaults() });
    let unit = Duration::from_millis(o.unit_ms);
    let t0 = Instant::now();
    peer::current_thread(&PROG).block_on(async move {
        let t1 = tokio::spawn(foo1(unit));
        let t2 = tokio::spawn(foo2(unit));
        for t in [t1, t2] {
            t.await.unwrap_or_else(|e| PROG.fail(&format!("a task failed: {e}")));
        }
    });
    if o.csv {
        let ms = t0.elapsed().as_nanos() as f64 / 1e6;
        let said = SAID.lock().expect("poisoned");
        let k = Key::new("foo", "spawn", &o.cpus);
        let mut rows = Rows::new(true);
        rows.row(&k, 8, "article_order", (said[..] == ARTICLE[..]) as u8 as f64, "bool");
        rows.row(&k, 8, "lines", said.len() as f64, "count");
        rows.row(&k, 8, "elapsed_ms", ms, "ms");
    }
}
