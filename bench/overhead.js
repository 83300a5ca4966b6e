// Throughput overhead of the agent: autocannon against the demo service's handler
// (examples/demo/server/app.js, GET /api/v1/greeting) on bare node:http vs under
// `auto-hot-reload serve`. Both run at once on one pinned core and 1 s bursts of load
// alternate between them (lib/interleave.js), so that the machine's drift hits both alike.
//   node bench/overhead.js [--quick]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess } from './lib/proc.js';
import { startAgent, agentUnavailable } from './lib/tools.js';
import { interleavedLoad } from './lib/interleave.js';
import { pinNote, pinProcess, whilePinned } from './lib/pin.js';
import { request } from './lib/http.js';
import { repoRoot, exists } from './lib/paths.js';
import { table, targetsTable } from './lib/stats.js';
import { isMain, runStandalone, log as defaultLog } from './lib/standalone.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const DEMO_APP = path.join(repoRoot, 'examples/demo/server/app.js');
const ROUTE = '/api/v1/greeting';
const CONNECTIONS = 10;
const TARGET_PCT = 5;

async function startBare() {
  const proc = startProcess(process.execPath, [path.join(here, 'lib/bare-server.js'), DEMO_APP], { label: 'bare node:http' });
  const { match } = await proc.waitForLine(/listening on (http:\/\/\S+)/, 15000, 'the listening line');
  return { base: match[1], pid: proc.pid, stop: () => proc.stop() };
}

async function startUnderAgent() {
  const a = await startAgent(path.dirname(DEMO_APP), { entry: DEMO_APP, readyPath: ROUTE, accept: (j) => j !== undefined });
  return { base: a.base, pid: a.proc.pid, stop: () => a.proc.stop() };
}

async function check(server) {
  const check = await request(`${server.base}${ROUTE}`, { timeoutMs: 5000 });
  if (check.status !== 200) throw new Error(`GET ${ROUTE} answered ${check.status}: ${check.body.slice(0, 200)}`);
}

export async function run({ quick = false, log = defaultLog } = {}) {
  const rounds = quick ? 6 : 30;
  const title = `Throughput: demo handler (GET ${ROUTE}), ${CONNECTIONS} keep-alive connections, both servers running, ${rounds} alternating 1 s bursts a side`;
  const cols = ['server', 'req/s', 'server CPU per request', 'overhead'];
  const why = !exists(DEMO_APP) ? `the demo (${path.relative(repoRoot, DEMO_APP)}) is missing` : agentUnavailable();
  if (why) return { name: 'overhead', title: 'Throughput overhead', tables: [table(title, cols, [['auto-hot-reload agent', '–', '–', `n/a: ${why}`]])], notes: [] };

  const servers = { bare: await startBare(), agent: await startUnderAgent() };
  let t;
  try {
    for (const server of Object.values(servers)) {
      await check(server);
      pinProcess(server.pid);
    }
    const sides = Object.fromEntries(Object.entries(servers).map(([k, v]) => [k, { url: `${v.base}${ROUTE}`, pid: v.pid }]));
    t = await whilePinned(() => interleavedLoad(sides, { rounds, seconds: 1, connections: CONNECTIONS, log: (l) => log(`overhead:${l}`) }));
  } finally {
    for (const server of Object.values(servers)) await server.stop();
  }
  const overheadPct = (1 - t.rpsRatio) * 100;
  const cpuPct = (t.cpuRatio - 1) * 100;
  const signed = (p) => `${p >= 0 ? '+' : '−'}${Math.abs(p).toFixed(1)} %`;
  const tables = [
    targetsTable('Targets (auto-hot-reload agent)', [[`throughput cost ≤ ${TARGET_PCT} % of bare node:http`, `${overheadPct.toFixed(1)} % (${t.rps.agent.toFixed(0)} vs ${t.rps.bare.toFixed(0)} req/s; CPU per request ${signed(cpuPct)})`, overheadPct <= TARGET_PCT]]),
    table(title, cols, [
      ['bare node:http', t.rps.bare.toFixed(0), `${t.cpuPerRequest.bare.toFixed(1)} µs`, 'baseline'],
      ['auto-hot-reload agent (serve)', t.rps.agent.toFixed(0), `${t.cpuPerRequest.agent.toFixed(1)} µs`, `${overheadPct.toFixed(1)} % throughput, ${signed(cpuPct)} CPU per request (${overheadPct <= TARGET_PCT ? 'meets' : 'misses'} ≤ ${TARGET_PCT} %)`],
    ]),
  ];
  const notes = [
    'Both servers run the same module in child processes, at once; autocannon runs in the benchmark process; each side is warmed up for 2 s.',
    `Bursts of 1 s alternate between the sides (A B B A …) for ${rounds} rounds and the totals are compared: separate runs of fresh processes spread ±7–13 % on this machine; ${pinNote}.`,
    `Target: the agent costs ≤ ${TARGET_PCT} % of bare node:http throughput.`,
  ];
  return { name: 'overhead', title: 'Throughput overhead', tables, notes, data: t };
}

if (isMain(import.meta.url)) await runStandalone(run);
