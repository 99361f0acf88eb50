// hello.js - eager promises: calling an async function starts it, so the
// greeting prints although nobody awaits it.
'use strict';
const { parse, Rows, nowNs, msSince, sleep } = require('./lib.js');

const USAGE = `usage: hello [--unit-ms K] [--await] [--csv] [--timeout S]
Calls an async function that sleeps K ms and prints Hello, and lets main
sleep 2K ms. Without --await nobody awaits it, and Node prints Hello all
the same: a promise runs from the moment it is created.
  --unit-ms K  the task sleeps K ms, main 2K ms (default 100)
  --await      await it before main's own sleep (prints Hello too)
  --csv        rows on stdout (printed 1|0, elapsed_ms), Hello on stderr
  --timeout S  give up after S seconds (default 60)
`;
const opts = parse('hello', USAGE, { '--unit-ms': 'int', '--await': 'bool', '--csv': 'bool' },
  { unitMs: 100, await: false, csv: false });
const out = new Rows(opts.csv, 'hello', 'node', opts.await ? 'awaited' : 'eager', '');
let printed = false;

async function sayHello() {
  await sleep(opts.unitMs);
  out.say('Hello');
  printed = true;
}

async function main() {
  const t0 = nowNs();
  const p = sayHello(); // running already: nobody needs to await it
  if (opts.await) await p;
  await sleep(2 * opts.unitMs);
  out.row(1, 'printed', printed ? 1 : 0, 'bool');
  out.row(1, 'elapsed_ms', msSince(t0), 'ms');
}

main();
