// counter.js - the article's lost update on Node: every async function reads
// a counter file, awaits, and writes it back plus one. The reads and writes
// run on libuv's thread pool; between them the other functions run.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { parse, Rows, nowNs, msSince } = require('./lib.js');

const USAGE = `usage: counter [--n N] [--fix none|lock] [--file PATH] [--csv] [--timeout S]
N async functions each add 1 to a counter kept in a file, with
fs.promises: read, await, write.
  --n N        async functions, one increment each (default 1000)
  --fix F      none: read and write with awaits between (loses updates);
               lock: a promise-chain mutex around read and write
  --file PATH  the counter file (default: a temporary file, removed at exit)
  --csv        rows on stdout (expected, final, lost, units, elapsed_ms)
  --timeout S  give up after S seconds (default 60)
`;
const opts = parse('counter', USAGE, { '--n': 'int', '--fix': ['none', 'lock'], '--file': 'str', '--csv': 'bool' },
  { n: 1000, fix: 'none', file: '', csv: false });

// The value is written fixed width at offset 0, so a late, smaller write
// never leaves digits of a larger one behind.
const WIDTH = 20;
async function readCount(fh) {
  const buf = Buffer.alloc(WIDTH);
  const { bytesRead } = await fh.read(buf, 0, WIDTH, 0);
  return Number(buf.toString('ascii', 0, bytesRead).trim() || '0');
}
async function writeCount(fh, v) {
  await fh.write(String(v).padStart(WIDTH, '0'), 0, 'ascii');
}

// A mutex as a chain of promises: each critical section starts when the
// previous one has settled.
let tail = Promise.resolve();
function locked(fn) {
  const run = tail.then(fn);
  tail = run.catch(() => {});
  return run;
}

async function increment(fh) {
  const v = await readCount(fh); // a yield point: the others run here
  await writeCount(fh, v + 1);
}

async function main() {
  let dir = '';
  let file = opts.file;
  if (!file) {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yl-counter-'));
    file = path.join(dir, 'counter');
  }
  const cleanup = () => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); };
  process.on('exit', cleanup);
  fs.writeFileSync(file, '0'.padStart(WIDTH, '0'));
  const fh = await fs.promises.open(file, 'r+');
  const t0 = nowNs();
  const tasks = [];
  for (let i = 0; i < opts.n; i++)
    tasks.push(opts.fix === 'lock' ? locked(() => increment(fh)) : increment(fh));
  await Promise.all(tasks);
  const ms = msSince(t0);
  const final = await readCount(fh);
  await fh.close();
  const out = new Rows(opts.csv, 'counter', 'node', opts.fix, '');
  out.row(opts.n, 'expected', opts.n, 'count');
  out.row(opts.n, 'final', final, 'count');
  out.row(opts.n, 'lost', opts.n - final, 'count');
  out.row(opts.n, 'units', opts.n, 'count');
  out.row(opts.n, 'elapsed_ms', ms, 'ms');
}

main().catch((e) => {
  process.stderr.write(`counter: ${e.message}\n`);
  process.exit(1);
});
