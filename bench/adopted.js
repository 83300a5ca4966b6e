// An ordinary Express app that calls app.listen() itself, run unchanged under `serve` (its
// server adopted) with the watcher CLI: save → new code served, failed requests under
// keep-alive load while it reloads, and throughput of the adopted server against the same
// app under plain `node app.js` (medians of alternating runs).
//   node bench/adopted.js [--quick]        (npm run bench:install first)
import fsp from 'node:fs/promises';
import path from 'node:path';
import { makeTempDir, removeTempDir } from './lib/cleanup.js';
import { freePort, keepAliveAgent, pollUntil, sleep } from './lib/http.js';
import { startLoad } from './lib/load.js';
import { cliBin, distCli, missing, nodeModules } from './lib/paths.js';
import { pinNote, pinned, whilePinned } from './lib/pin.js';
import { startProcess } from './lib/proc.js';
import { percentile, table, targetsTable } from './lib/stats.js';
import { isMain, runStandalone, log as defaultLog } from './lib/standalone.js';
import { AGENT_LINE, startWatcherCli } from './lib/tools.js';

const CONNECTIONS = 10;
const node = process.execPath;

const APP = `const express = require('express');
const { greeting, gen } = require('./routes/greeting');
let served = 0; // state of the entry: re-created when the entry re-runs
const app = express();
app.get('/', (req, res) => res.json({ greeting: greeting(), gen, served: ++served }));
app.listen(Number(process.env.PORT) || 3000, '127.0.0.1');
`;
const route = (gen) => `exports.gen = ${gen};\nexports.greeting = () => 'hello ' + ${gen};\n`;

async function writeApp(dir) {
  await fsp.mkdir(path.join(dir, 'routes'), { recursive: true });
  await fsp.writeFile(path.join(dir, 'app.js'), APP);
  await fsp.writeFile(path.join(dir, 'routes/greeting.js'), route(0));
  await fsp.symlink(nodeModules, path.join(dir, 'node_modules'), 'dir');
}

const servesGen = (gen) => (j) => j && j.gen === gen;

/** The app under plain node, or under `serve` (it listens on PORT itself either way). */
async function startApp(dir, how, { pin = false } = {}) {
  const port = await freePort();
  const args = how === 'node' ? ['app.js'] : [cliBin, 'serve', 'app.js'];
  const [cmd, argv] = pin ? pinned(node, args) : [node, args];
  const proc = startProcess(cmd, argv, { cwd: dir, env: { PORT: String(port), NODE_ENV: 'production' }, label: how });
  if (how === 'serve') await proc.waitForLine(AGENT_LINE, 20000, 'the agent start-up line');
  const base = `http://127.0.0.1:${port}`;
  const agent = keepAliveAgent();
  const r = await pollUntil(`${base}/`, servesGen(0), { agent, everyMs: 10, timeoutMs: 20000 });
  agent.destroy();
  if (r.at === null) throw new Error(`${how}: the app did not answer within 20 s`);
  return { base, proc };
}

/** CPU time (user + system) of a process so far, in µs, from /proc (Linux). */
async function cpuMicros(pid) {
  try {
    const f = (await fsp.readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1e6) / 100; // clock ticks (USER_HZ 100)
  } catch {
    return NaN;
  }
}

async function throughput(dir, runs, seconds, log) {
  const rps = { node: [], serve: [] };
  // CPU per request holds up better than req/s on a machine other work keeps busy
  const cpu = { node: [], serve: [] };
  for (let i = 0; i < runs; i++) {
    for (const how of i % 2 ? ['serve', 'node'] : ['node', 'serve']) {
      const app = await startApp(dir, how, { pin: true });
      try {
        // untimed first second: start-up work (the JIT, the agent's first transforms) is not the steady state
        await startLoad(`${app.base}/`, { connections: CONNECTIONS, maxSeconds: 1 }).done;
        const before = await cpuMicros(app.proc.pid);
        const r = await startLoad(`${app.base}/`, { connections: CONNECTIONS, maxSeconds: seconds }).done;
        const perRequest = ((await cpuMicros(app.proc.pid)) - before) / r.requests;
        rps[how].push(r.rps);
        cpu[how].push(perRequest);
        log(`  throughput run ${i + 1} ${how}: ${Math.round(r.rps)} req/s, ${perRequest.toFixed(1)} µs CPU per request`);
      } finally {
        await app.proc.stop();
      }
    }
  }
  return { rps, cpu };
}

/** Saves under load with the watcher CLI running: save → the app answers the new gen. */
async function reloadsUnderLoad(dir, edits, log) {
  const app = await startApp(dir, 'serve');
  const cli = await startWatcherCli(dir, app.base, { dirs: ['routes'], extraArgs: ['--cooldown', '0'] });
  const load = startLoad(`${app.base}/`, { connections: CONNECTIONS, maxSeconds: 600 });
  const agent = keepAliveAgent();
  const latencies = [];
  try {
    await sleep(300);
    for (let gen = 1; gen <= edits; gen++) {
      const t0 = performance.now();
      await fsp.writeFile(path.join(dir, 'routes/greeting.js'), route(gen));
      const r = await pollUntil(`${app.base}/`, servesGen(gen), { agent, everyMs: 1, timeoutMs: 10000 });
      if (r.at === null) throw new Error(`gen ${gen} was not served within 10 s`);
      latencies.push(r.at - t0);
      await sleep(150);
    }
    const summary = await load.stop();
    log(`  ${edits} reloads under load: ${summary.requests} requests, ${summary.failed} failed`);
    return { latencies, summary };
  } finally {
    agent.destroy();
    await load.stop().catch(() => {});
    await cli.stop();
    await app.proc.stop();
  }
}

export async function run({ quick = false, log = defaultLog } = {}) {
  const why = missing(distCli, 'the CLI');
  if (why) return { name: 'adopted', title: 'An adopted app.listen() Express app', tables: [], notes: [why], data: [] };
  const runs = quick ? 3 : 7;
  const seconds = quick ? 2 : 5;
  const edits = quick ? 10 : 30;
  const dir = await makeTempDir('adopted');
  try {
    await writeApp(dir);
    const { rps, cpu } = await whilePinned(() => throughput(dir, runs, seconds, log));
    await fsp.writeFile(path.join(dir, 'routes/greeting.js'), route(0));
    const { latencies, summary } = await reloadsUnderLoad(dir, edits, log);
    const med = (v) => percentile(v, 50);
    const overhead = (med(rps.node) - med(rps.serve)) / med(rps.node);
    const pct = `${(overhead * 100).toFixed(1)} %`;
    const cpuOverhead = (med(cpu.serve) - med(cpu.node)) / med(cpu.node);
    const cpuPct = `${(cpuOverhead * 100).toFixed(1)} %`;
    const tables = [
      targetsTable('Targets (adopted Express app)', [
        [`0 failed requests during ${edits} reloads`, `${summary.failed} failed of ${summary.requests}`, summary.failed === 0],
        ['throughput overhead vs plain node ≤ 5 %', `${pct} (medians of ${runs})`, overhead <= 0.05],
        ['server CPU per request vs plain node ≤ 5 %', `${cpuPct} (medians of ${runs})`, cpuOverhead <= 0.05],
      ]),
      table(
        'Adopted app.listen() Express app: `serve app.js` + the watcher CLI (--cooldown 0) vs `node app.js`',
        ['measure', 'value'],
        [
          ['save → new code served, p50', `${med(latencies).toFixed(1)} ms`],
          ['save → new code served, p90', `${percentile(latencies, 90).toFixed(1)} ms`],
          [`failed requests during ${edits} reloads (${CONNECTIONS} keep-alive connections)`, `${summary.failed} of ${summary.requests}`],
          [`throughput, plain node (median of ${runs} × ${seconds} s)`, `${Math.round(med(rps.node))} req/s`],
          [`throughput, adopted under serve (median of ${runs} × ${seconds} s)`, `${Math.round(med(rps.serve))} req/s`],
          ['overhead (throughput)', pct],
          [`server CPU per request, plain node / adopted (medians)`, `${med(cpu.node).toFixed(1)} µs / ${med(cpu.serve).toFixed(1)} µs (${cpuPct})`],
        ],
      ),
    ];
    const notes = [
      'The app is written the ordinary way: `app.listen(PORT)` in app.js, a route module in routes/; nothing in it knows about the agent. Each save rewrites routes/greeting.js; the entry re-runs (it imports the route), and its new app.listen() binds nothing: the new Express app takes over the same socket.',
      `Throughput alternates plain node and serve runs (autocannon, 10 keep-alive connections; a fresh process each, 1 s of untimed warm-up, then ${seconds} s measured) and compares medians; ${pinNote}.`,
    ];
    return { name: 'adopted', title: 'An adopted app.listen() Express app', tables, notes, data: { rps, cpu, latencies, summary } };
  } finally {
    await removeTempDir(dir);
  }
}

if (isMain(import.meta.url)) await runStandalone(run);
