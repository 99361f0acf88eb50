// foo.js - the article's foo1/foo2/bar on Node: main calls both async
// functions without awaiting them; they run anyway (promises are eager).
'use strict';
const { parse, Rows, nowNs, msSince, sleep } = require('./lib.js');

const USAGE = `usage: foo [--unit-ms K] [--csv] [--timeout S]
Runs foo1 and foo2 as un-awaited async calls; prints the 8 lines.
  --unit-ms K  bar sleeps 2K ms, foo1 and foo2 3K ms (default 1)
  --csv        rows on stdout (article_order, lines, elapsed_ms), lines on stderr
  --timeout S  give up after S seconds (default 60)
`;
const ARTICLE = ['foo1 start', 'bar start', 'foo2 start', 'bar end',
  'foo1 between', 'foo2 between', 'foo1 end', 'foo2 end'];

const opts = parse('foo', USAGE, { '--unit-ms': 'int', '--csv': 'bool' }, { unitMs: 1, csv: false });
const out = new Rows(opts.csv, 'foo', 'node', 'promise', '');
const seen = [];
const log = (line) => { seen.push(line); out.say(line); };
const u = opts.unitMs;

async function bar() {
  log('bar start');
  await sleep(2 * u);
  log('bar end');
}

async function foo1() {
  log('foo1 start');
  await bar();
  log('foo1 between');
  await sleep(3 * u);
  log('foo1 end');
}

async function foo2() {
  log('foo2 start');
  await sleep(3 * u);
  log('foo2 between');
  await sleep(3 * u);
  log('foo2 end');
}

const t0 = nowNs();
foo1();
foo2();
// Nothing awaits them: the rows come once the event loop has run dry.
process.once('beforeExit', () => {
  const inOrder = seen.length === ARTICLE.length && seen.every((l, i) => l === ARTICLE[i]);
  out.row(8, 'article_order', inOrder ? 1 : 0, 'bool');
  out.row(8, 'lines', seen.length, 'count');
  out.row(8, 'elapsed_ms', msSince(t0), 'ms');
});
