// An ordinary Express app that calls app.listen() itself, run unchanged under `serve` (its
// server adopted) with the watcher CLI: save → new code served, failed requests under
// keep-alive load while it reloads, and throughput of the adopted server against the same
// app under plain `node app.js` (both running, alternating bursts of load: lib/interleave.js).
//   node bench/adopted.js [--quick]        (npm run bench:install first)
import fsp from 'node:fs/promises';
import path from 'node:path';
import { makeTempDir, removeTempDir } from './lib/cleanup.js';
import { freePort, keepAliveAgent, pollUntil, sleep } from './lib/http.js';
import { interleavedLoad } from './lib/interleave.js';
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

// Both apps run at once on the same core; bursts of load alternate between them.
async function throughput(dir, rounds, log) {
  const apps = { node: await startApp(dir, 'node', { pin: true }), serve: await startApp(dir, 'serve', { pin: true }) };
  try {
    const sides = Object.fromEntries(Object.entries(apps).map(([k, app]) => [k, { url: `${app.base}/`, pid: app.proc.pid }]));
    return await interleavedLoad(sides, { rounds, seconds: 1, connections: CONNECTIONS, log });
  } finally {
    for (const app of Object.values(apps)) await app.proc.stop();
  }
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
  const rounds = quick ? 6 : 30;
  const edits = quick ? 10 : 30;
  const dir = await makeTempDir('adopted');
  try {
    await writeApp(dir);
    const t = await whilePinned(() => throughput(dir, rounds, log));
    await fsp.writeFile(path.join(dir, 'routes/greeting.js'), route(0));
    const { latencies, summary } = await reloadsUnderLoad(dir, edits, log);
    const med = (v) => percentile(v, 50);
    const overhead = 1 - t.rpsRatio;
    const pct = `${(overhead * 100).toFixed(1)} %`;
    const cpuOverhead = t.cpuRatio - 1;
    const cpuPct = `${(cpuOverhead * 100).toFixed(1)} %`;
    const of = `${rounds} alternating 1 s rounds a side`;
    const tables = [
      targetsTable('Targets (adopted Express app)', [
        [`0 failed requests during ${edits} reloads`, `${summary.failed} failed of ${summary.requests}`, summary.failed === 0],
        ['throughput overhead vs plain node ≤ 5 %', `${pct} (${of})`, overhead <= 0.05],
        ['server CPU per request vs plain node ≤ 5 %', `${cpuPct} (${of})`, cpuOverhead <= 0.05],
      ]),
      table(
        'Adopted app.listen() Express app: `serve app.js` + the watcher CLI (--cooldown 0) vs `node app.js`',
        ['measure', 'value'],
        [
          ['save → new code served, p50', `${med(latencies).toFixed(1)} ms`],
          ['save → new code served, p90', `${percentile(latencies, 90).toFixed(1)} ms`],
          [`failed requests during ${edits} reloads (${CONNECTIONS} keep-alive connections)`, `${summary.failed} of ${summary.requests}`],
          [`throughput, plain node (${rounds} × 1 s)`, `${Math.round(t.rps.node)} req/s`],
          [`throughput, adopted under serve (${rounds} × 1 s)`, `${Math.round(t.rps.serve)} req/s`],
          [`overhead (throughput, ${of})`, pct],
          [`server CPU per request, plain node / adopted (${of})`, `${t.cpuPerRequest.node.toFixed(1)} µs / ${t.cpuPerRequest.serve.toFixed(1)} µs (${cpuPct})`],
        ],
      ),
    ];
    const notes = [
      'The app is written the ordinary way: `app.listen(PORT)` in app.js, a route module in routes/; nothing in it knows about the agent. Each save rewrites routes/greeting.js; the entry re-runs (it imports the route), and its new app.listen() binds nothing: the new Express app takes over the same socket.',
      `Throughput: both apps run at once, warmed up 2 s each; 1 s bursts of load (autocannon, ${CONNECTIONS} keep-alive connections) alternate between them (A B B A …) for ${rounds} rounds, and the overhead compares the totals, so that the machine's drift costs both sides alike; ${pinNote}.`,
    ];
    return { name: 'adopted', title: 'An adopted app.listen() Express app', tables, notes, data: { throughput: t, latencies, summary } };
  } finally {
    await removeTempDir(dir);
  }
}

if (isMain(import.meta.url)) await runStandalone(run);
