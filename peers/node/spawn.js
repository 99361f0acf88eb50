// spawn.js - N async functions alive at once, each awaiting a long timer:
// the peer side of yl-peer-spawn, which measures this process's memory
// (protocol in peers/README.md).
'use strict';
const v8 = require('v8');
const vm = require('vm');
const { parse, nowNs, sleep } = require('./lib.js');

const USAGE = `usage: spawn --n N [--sleep-ms S] [--timeout S]
Run by yl-peer-spawn, which measures the memory: prints "base", waits for a
line on stdin, starts N async functions that each await a timer of S ms,
prints "ready N CREATE_NS promise" once all N wait, and exits 0 when stdin
closes.
  --n N         async functions alive at once (default 1000)
  --sleep-ms S  each one's timer (default 60000)
  --timeout S   give up after S seconds (default 600)
`;
const opts = parse('spawn', USAGE, { '--n': 'int', '--sleep-ms': 'int' }, { n: 1000, sleepMs: 60000, timeout: 600 });

// A full collection before each snapshot, so both count live objects only.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

let waiting = 0;
async function unit(ms) {
  waiting++;
  await sleep(ms);
  waiting--;
}

function start() {
  const t0 = nowNs();
  const units = [];
  for (let i = 0; i < opts.n; i++) units.push(unit(opts.sleepMs));
  const ns = nowNs() - t0;
  // An async function runs to its first await when called: all N wait now.
  if (waiting !== opts.n) {
    process.stderr.write(`spawn: only ${waiting} of ${opts.n} are waiting\n`);
    process.exit(1);
  }
  gc();
  process.stdout.write(`ready ${opts.n} ${ns} promise\n`);
  return units;
}

let started = null;
process.stdin.on('data', () => {
  if (!started) started = start();
});
process.stdin.on('end', () => process.exit(0));
gc();
process.stdout.write('base\n');
