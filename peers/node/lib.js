// lib.js - what every Node.js peer shares: our flags, our CSV rows, the
// clock and pinning (peers/README.md). The measurements stay in each program.
'use strict';
const { spawnSync } = require('child_process');
const path = require('path');

const HEADER = 'experiment,model,variant,cpus,n,metric,value,unit';

// Exits 2 with one line naming what was wrong, as our C programs do.
function usageError(prog, msg) {
  process.stderr.write(`${prog}: ${msg}\n`);
  process.exit(2);
}

// Parses argv against spec ({'--n': 'int', '--csv': 'bool', '--fix': ['none',
// 'lock']}) with defaults; --help prints usage; --timeout S arms a watchdog.
function parse(prog, usage, spec, defaults) {
  const opts = { timeout: 60, cpus: '', ...defaults };
  const all = { ...spec, '--timeout': 'int', '--cpus': 'cpus' };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help') {
      process.stdout.write(usage);
      process.exit(0);
    }
    const kind = all[a];
    if (kind === undefined) usageError(prog, `unknown argument '${a}' (try --help)`);
    const key = a.slice(2).replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (kind === 'bool') {
      opts[key] = true;
      continue;
    }
    const v = argv[++i];
    if (v === undefined) usageError(prog, `${a}: needs a value`);
    if (kind === 'int') {
      if (!/^[0-9]+$/.test(v) || Number(v) > 1e12) usageError(prog, `${a}: not a whole number '${v}'`);
      opts[key] = Number(v);
    } else if (kind === 'cpus') {
      if (!/^[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$/.test(v)) usageError(prog, `${a}: not a CPU list '${v}' (like 0 or 0,1)`);
      opts[key] = v;
    } else if (kind === 'str') {
      if (v === '') usageError(prog, `${a}: needs a value`);
      opts[key] = v;
    } else if (Array.isArray(kind)) {
      if (!kind.includes(v)) usageError(prog, `${a}: '${v}' is not one of ${kind.join(', ')}`);
      opts[key] = v;
    }
  }
  if (opts.timeout > 0) {
    setTimeout(() => {
      process.stderr.write(`${prog}: timed out after ${opts.timeout} s\n`);
      process.exit(124);
    }, opts.timeout * 1000).unref();
  }
  return opts;
}

// Runs this program again under `taskset -c LIST` unless it already runs
// there; returns only in the pinned process. Node cannot pin itself.
function pin(cpus) {
  if (!cpus || process.env.YL_PEER_PINNED === cpus) return;
  const r = spawnSync('taskset', ['-c', cpus, process.execPath, ...process.execArgv,
    path.resolve(process.argv[1]), ...process.argv.slice(2)],
  { stdio: 'inherit', env: { ...process.env, YL_PEER_PINNED: cpus } });
  if (r.error) {
    process.stderr.write(`${path.basename(process.argv[1], '.js')}: taskset: ${r.error.message}\n`);
    process.exit(1);
  }
  process.exit(r.status === null ? 128 : r.status);
}

// The cpus column: "0,1" -> "0+1", "" -> "-".
function cpusColumn(cpus) {
  return cpus ? cpus.split(',').join('+') : '-';
}

// A value as our CSV writes it: integers bare, others to 10 digits, never
// in exponent form.
function fmt(v) {
  if (Number.isInteger(v)) return String(v);
  if (Math.abs(v) < 1e-6) return '0';
  return String(Number(v.toPrecision(10)));
}

// Where a program's rows go: with csv the header and rows on stdout and
// the story on stderr; without, human lines on stdout.
class Rows {
  constructor(csv, experiment, model, variant, cpus) {
    Object.assign(this, { csv, experiment, model, variant, cpus: cpusColumn(cpus) });
    if (csv) process.stdout.write(HEADER + '\n');
  }
  say(line) {
    (this.csv ? process.stderr : process.stdout).write(line + '\n');
  }
  row(n, metric, value, unit) {
    const k = `${this.experiment},${this.model},${this.variant},${this.cpus},${n}`;
    if (this.csv) process.stdout.write(`${k},${metric},${fmt(value)},${unit}\n`);
    process.stderr.write(`${this.experiment} ${this.model}/${this.variant} cpus=${this.cpus} n=${n}: ${metric} = ${fmt(value)} ${unit}\n`);
  }
}

const nowNs = () => process.hrtime.bigint();
const msSince = (t0) => Number(nowNs() - t0) / 1e6;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = { parse, pin, Rows, nowNs, msSince, sleep, usageError };
