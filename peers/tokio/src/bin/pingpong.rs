//! pingpong (tokio) - two tasks hand a token back and forth M times on a
//! current-thread runtime; prints the cost of one switch.
//!
//! Each hand-off wakes the other task and parks this one on its next
//! .await: the scheduler polls the other task next, so one hand-off is one
//! task switch, with no thread switch (one worker; --cpus pins it).
//! oneshot: a fresh oneshot channel per hand-off, its sender travelling
//! with the token, as an async fn would hand a reply slot along. mpsc: two
//! bounded channels of capacity 1, made once and reused.
use peer::{Key, Prog, Rows};
use std::time::Instant;
use tokio::sync::{mpsc, oneshot};

const PROG: Prog = Prog {
    name: "pingpong",
    usage: "usage: pingpong [--iters M] [--variant oneshot|mpsc] [--cpus CPU] [--csv] [--timeout S]\n\
Two Tokio tasks hand a token back and forth M times; prints the cost of one switch.\n  \
--iters M       round trips (default 100000); each is 2 switches\n  \
--variant V     oneshot (default: a fresh channel per hand-off) or mpsc\n                  \
(two bounded channels, reused)\n  \
--cpus CPU      pin the process to this CPU (re-executed under taskset)\n  \
--csv           CSV rows on stdout, summary on stderr\n  \
--timeout S     give up after S seconds (default 60)\n\
Rows per variant (n = M): ns_per_switch, switches (2M, the divisor), elapsed_ms.\n",
    accepts: &["--iters", "--variant", "--cpus"],
    modes: &["oneshot", "mpsc"],
};

/// The token: the sender the receiver answers on.
struct Baton(oneshot::Sender<Baton>);

async fn oneshot_run(m: u64) {
    let (first_tx, mut rx) = oneshot::channel::<Baton>();
    let pong = tokio::spawn(async move {
        for _ in 0..m {
            let Baton(reply) = rx.await.expect("ping left");
            let (tx, next) = oneshot::channel();
            rx = next;
            if reply.send(Baton(tx)).is_err() {
                break;
            }
        }
    });
    let mut to_pong = first_tx;
    for _ in 0..m {
        let (tx, rx) = oneshot::channel();
        if to_pong.send(Baton(tx)).is_err() {
            break;
        }
        to_pong = rx.await.expect("pong left").0;
    }
    pong.await.expect("pong failed");
}

async fn mpsc_run(m: u64) {
    let (ping_tx, mut ping_rx) = mpsc::channel::<u64>(1);
    let (pong_tx, mut pong_rx) = mpsc::channel::<u64>(1);
    let pong = tokio::spawn(async move {
        while let Some(t) = ping_rx.recv().await {
            if pong_tx.send(t).await.is_err() {
                break;
            }
        }
    });
    for i in 0..m {
        ping_tx.send(i).await.expect("pong left");
        pong_rx.recv().await.expect("pong left");
    }
    drop(ping_tx);
    pong.await.expect("pong failed");
}

fn main() {
    let o = PROG.parse(peer::defaults());
    let variants: Vec<&str> = o.mode.as_deref().map_or(vec!["oneshot"], |v| vec![v]);
    let mut rows = Rows::new(o.csv);
    let rt = peer::current_thread(&PROG);
    for v in variants {
        let m = o.iters;
        let t0 = Instant::now();
        rt.block_on(async move {
            // Inside a task, not block_on's own future: both ends are
            // scheduled the same way.
            let h = if v == "oneshot" { tokio::spawn(oneshot_run(m)) } else { tokio::spawn(mpsc_run(m)) };
            h.await.unwrap_or_else(|e| PROG.fail(&format!("{e}")));
        });
        let ns = t0.elapsed().as_nanos() as f64;
        let k = Key::new("pingpong", v, &o.cpus);
        rows.row(&k, m, "ns_per_switch", ns / (2 * m) as f64, "ns");
        rows.row(&k, m, "switches", (2 * m) as f64, "count");
        rows.row(&k, m, "elapsed_ms", ns / 1e6, "ms");
    }
}
