#!/usr/bin/env node
// What the module lifecycle (side-effect tracking, load guards, leak report) costs:
//   1. reload cost, tracking on vs off: duration_ms of one-file reloads of a module with an
//      interval and a process listener (target: ≤ 1 ms added at p50);
//   2. request throughput of a handler that sets and clears a timer per request (a request
//      timeout), tracked timers vs the real ones: both servers running, alternating 1 s bursts
//      of load (lib/interleave.js), totals compared (target: ≤ 2 % overhead);
//   3. heap after forced GC over 1,000 reloads of a module with an interval and a listener
//      (target: flat, ≤ 20 MB growth).
//   node --expose-gc bench/agent-lifecycle.js [--reloads N] [--rounds N]   (npm run build first)
import { spawn, spawnSync } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { interleavedLoad } from './lib/interleave.js';
import { pinNote, pinned, whilePinned } from './lib/pin.js';

if (typeof globalThis.gc !== 'function') {
  const r = spawnSync(process.execPath, ['--expose-gc', ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const { values } = parseArgs({
  options: { reloads: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '30' } },
});
const RELOADS = Number(values.reloads);
// the untracked runs leak listeners on purpose (that is what tracking prevents): no warnings
process.setMaxListeners(0);
setMaxListeners(0);
const ROUNDS = Number(values.rounds);
const { createAgent } = await import('../dist/src/agent/index.js');

const dirs = [];
function app(files) {
  const dir = mkdtempSync(join(tmpdir(), 'ahr-bench-life-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];
const median = (xs) => quantile(xs, 0.5);
const fmt = (n, d = 3) => n.toFixed(d);

// a module with side effects of every kind the agent tracks
const worker = (rev) =>
  `import { EventEmitter } from 'node:events';\nimport { bus } from './bus.js';\nsetInterval(() => {}, 1000);\nprocess.on('SIGUSR2', () => {});\nbus.on('tick', () => ${rev});\nexport const rev = ${rev};\n`;
const files = {
  'bus.js': `import { EventEmitter } from 'node:events';\nexport const bus = new EventEmitter();\n`,
  'worker.js': worker(0),
  'app.js': `import { rev } from './worker.js';\nexport default (req, res) => res.end(String(rev));\n`,
};

async function reloadCost(track, n, loadTimeoutMs = 5000) {
  const dir = app(files);
  const agent = await createAgent({ entry: join(dir, 'app.js'), root: dir, prewarm: false, trackSideEffects: track, loadTimeoutMs });
  const times = [];
  const cpu = process.cpuUsage();
  for (let i = 1; i <= n; i++) {
    writeFileSync(join(dir, 'worker.js'), worker(i));
    const r = await agent.reload({ files: ['worker.js'] });
    if (!r.activated) throw new Error(`reload ${i} failed: ${r.message}`);
    times.push(r.duration_ms);
  }
  const used = process.cpuUsage(cpu);
  cpuPerReload[`${track}/${loadTimeoutMs}`] = [...(cpuPerReload[`${track}/${loadTimeoutMs}`] ?? []), (used.user + used.system) / n];
  agent.close();
  return times;
}
// process CPU per reload (all threads, the write of the file included): steadier than wall time on a shared machine
const cpuPerReload = {};

async function heap(n) {
  const dir = app(files);
  const agent = await createAgent({ entry: join(dir, 'app.js'), root: dir, prewarm: false });
  const mb = () => {
    globalThis.gc();
    globalThis.gc();
    return process.memoryUsage().heapUsed / 1048576;
  };
  const points = [[0, mb()]];
  for (let i = 1; i <= n; i++) {
    writeFileSync(join(dir, 'worker.js'), worker(i));
    const r = await agent.reload({ files: ['worker.js'] });
    if (!r.activated) throw new Error(`reload ${i} failed: ${r.message}`);
    if (i % 100 === 0 || i === n) points.push([i, mb()]);
  }
  agent.close();
  return points;
}

// a handler that arms and clears a per-request timeout, as request-timeout code does
const TIMED = {
  'app.js': `export default (req, res) => {\n  const t = setTimeout(() => { res.statusCode = 504; res.end(); }, 5000);\n  res.end('ok');\n  clearTimeout(t);\n};\n`,
};

// A server in a child process: the agent with tracking on or off, on node:http.
async function startServer(track) {
  const dir = app(TIMED);
  const code = `const { createServer } = await import('node:http');
const { createAgent } = await import(${JSON.stringify(new URL('../dist/src/agent/index.js', import.meta.url).href)});
const agent = await createAgent({ entry: ${JSON.stringify(join(dir, 'app.js'))}, prewarm: false, trackSideEffects: ${track} });
const s = createServer(agent.handler).listen(0, '127.0.0.1', () => console.log('PORT ' + s.address().port));`;
  const [cmd, args] = pinned(process.execPath, ['--input-type=module', '-e', code]);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((ok, fail) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /PORT (\d+)/.exec(out);
      if (m) ok(Number(m[1]));
    });
    child.on('exit', (c) => fail(new Error(`server exited ${c}`)));
  });
  return { url: `http://127.0.0.1:${port}/`, pid: child.pid, child };
}

// Both servers at once, bursts of load alternating between them (lib/interleave.js).
async function throughput(rounds) {
  const sides = { real: await startServer(false), tracked: await startServer(true) };
  try {
    return await interleavedLoad(sides, { rounds, seconds: 1, connections: 16 });
  } finally {
    for (const side of Object.values(sides)) side.child.kill();
  }
}

async function timerPair() {
  const { SideEffects } = await import('../dist/src/agent/lifecycle/side-effects.js');
  const tracked = new SideEffects().timers;
  const noop = () => {};
  const ns = (set, clear) => {
    for (let i = 0; i < 20_000; i++) clear(set(noop, 5000));
    const t = process.hrtime.bigint();
    for (let i = 0; i < 200_000; i++) clear(set(noop, 5000));
    return Number(process.hrtime.bigint() - t) / 200_000;
  };
  const runs = { tracked: [], real: [] };
  for (let r = 0; r < 5; r++) {
    runs.real.push(ns(setTimeout, clearTimeout));
    runs.tracked.push(ns(tracked.setTimeout, tracked.clearTimeout));
  }
  return { tracked: median(runs.tracked), real: median(runs.real) };
}

try {
  console.log(`load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  // warm-up: esbuild's service, the JIT
  await reloadCost(true, 30);
  await reloadCost(false, 30);
  const on = [];
  const unbounded = [];
  const off = [];
  for (let r = 0; r < 3; r++) {
    on.push(...(await reloadCost(true, 100)));
    unbounded.push(...(await reloadCost(true, 100, 0)));
    off.push(...(await reloadCost(false, 100)));
  }
  console.log('\n1. reload cost (duration_ms, one-file reloads of a module with an interval, a process listener and a bus listener)');
  console.log(`   tracking on : p50 ${fmt(median(on))} ms  p90 ${fmt(quantile(on, 0.9))} ms  (n=${on.length})`);
  console.log(`   tracking on, no load bound (loadTimeoutMs 0): p50 ${fmt(median(unbounded))} ms  p90 ${fmt(quantile(unbounded, 0.9))} ms`);
  console.log(`   tracking off: p50 ${fmt(median(off))} ms  p90 ${fmt(quantile(off, 0.9))} ms  (n=${off.length})`);
  console.log(`   added at p50: ${fmt(median(on) - median(off))} ms (target ≤ 1 ms), of which the load bound's watchdog ${fmt(median(on) - median(unbounded))} ms`);
  const cpuMs = (key) => median(cpuPerReload[key]) / 1000;
  console.log(`   process CPU per reload (medians of 3 runs): on ${fmt(cpuMs('true/5000'))} ms, no bound ${fmt(cpuMs('true/0'))} ms, off ${fmt(cpuMs('false/5000'))} ms → +${fmt(cpuMs('true/5000') - cpuMs('false/5000'))} ms`);

  const t = await whilePinned(() => throughput(ROUNDS));
  console.log(`\n2. a handler that sets and clears a timer per request (servers in child processes, both running; autocannon, 16 connections, ${ROUNDS} paired 1 s rounds; ${pinNote})`);
  console.log(`   tracked timers: server CPU ${fmt(t.cpuPerRequest.tracked, 1)} µs/request, ${fmt(t.rps.tracked, 0)} req/s`);
  console.log(`   real timers   : server CPU ${fmt(t.cpuPerRequest.real, 1)} µs/request, ${fmt(t.rps.real, 0)} req/s`);
  console.log(`   overhead (totals of the alternating rounds): CPU per request ${fmt((t.cpuRatio - 1) * 100, 1)} %, throughput ${fmt((1 - t.rpsRatio) * 100, 1)} % (target ≤ 2 %)`);
  // the timer pair alone, in this process: tracked (a module's injected functions) vs real
  const timers = await timerPair();
  console.log(`   one setTimeout + clearTimeout: tracked ${fmt(timers.tracked, 0)} ns, real ${fmt(timers.real, 0)} ns (+${fmt(timers.tracked - timers.real, 0)} ns per request)`);

  const signalsBefore = process.listenerCount('SIGUSR2'); // the untracked runs above left theirs
  const points = await heap(RELOADS);
  console.log(`\n3. heap after forced GC over ${RELOADS} reloads of a module with an interval and listeners (MB)`);
  console.log(`   ${points.map(([i, m]) => `${i}: ${fmt(m, 1)}`).join('  ')}`);
  console.log(`   growth: ${fmt(points[points.length - 1][1] - points[0][1], 1)} MB (target ≤ 20 MB); SIGUSR2 listeners added by these ${RELOADS} reloads: ${process.listenerCount('SIGUSR2') - signalsBefore} (1 = the active version's)`);
} finally {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
process.exit(0);
