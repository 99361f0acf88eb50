// pingpong.js - two async functions hand a baton back and forth: each hand-
// off resolves a promise and resumes the other side from the microtask queue.
'use strict';
const { parse, pin, Rows, nowNs } = require('./lib.js');

const USAGE = `usage: pingpong [--iters M] [--cpus LIST] [--csv] [--timeout S]
Two async functions pass a token M times each way through promises; one
switch is one hand-off. Node runs them on one thread: --cpus pins it.
  --iters M    round trips, 2 switches each (default 100000)
  --cpus LIST  run on these CPUs (re-runs itself under taskset -c)
  --csv        rows on stdout (ns_per_switch, switches, elapsed_ms)
  --timeout S  give up after S seconds (default 60)
`;
const opts = parse('pingpong', USAGE, { '--iters': 'int', '--csv': 'bool' }, { iters: 100000, csv: false });
pin(opts.cpus);

// A baton one side waits for and the other gives: the waiter's promise is
// resolved by the giver; a gift with nobody waiting is kept for later.
class Baton {
  constructor() {
    this.resolve = null;
    this.kept = false;
  }
  take() {
    if (this.kept) {
      this.kept = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => { this.resolve = resolve; });
  }
  give() {
    const r = this.resolve;
    this.resolve = null;
    if (r) r(); else this.kept = true;
  }
}

async function pong(toPong, toPing, m) {
  for (let i = 0; i < m; i++) {
    await toPong.take();
    toPing.give();
  }
}

async function ping(toPong, toPing, m) {
  for (let i = 0; i < m; i++) {
    toPong.give();
    await toPing.take();
  }
}

async function main() {
  const m = opts.iters;
  const toPong = new Baton();
  const toPing = new Baton();
  const t0 = nowNs();
  await Promise.all([pong(toPong, toPing, m), ping(toPong, toPing, m)]);
  const ns = Number(nowNs() - t0);
  const out = new Rows(opts.csv, 'pingpong', 'node', 'promise', opts.cpus);
  out.row(m, 'ns_per_switch', m ? ns / (2 * m) : 0, 'ns');
  out.row(m, 'switches', 2 * m, 'count');
  out.row(m, 'elapsed_ms', ns / 1e6, 'ms');
}

main();
