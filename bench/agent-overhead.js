#!/usr/bin/env node
// Throughput of the demo's handler on bare node:http versus under the agent (same
// process shape: the server in a child process, autocannon here), alternating runs.
//   node bench/agent-overhead.js [seconds-per-run] [rounds]     (npm run build first)
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const SECONDS = Number(process.argv[2] ?? 5);
const ROUNDS = Number(process.argv[3] ?? 3);
const repo = fileURLToPath(new URL('..', import.meta.url));
const entry = join(repo, 'examples/demo/server/app.js');
if (!existsSync(entry)) {
  console.error(`no demo at ${entry}`);
  process.exit(2);
}
const PATH = '/api/v1/greeting';

const servers = {
  bare: `const { createServer } = await import('node:http');
const app = (await import(${JSON.stringify(new URL(`file://${entry}`).href)})).default;
const s = createServer(app).listen(0, '127.0.0.1', () => console.log('PORT ' + s.address().port));
process.on('message', () => process.send(process.cpuUsage()));`,
  agent: `const { createServer } = await import('node:http');
const { createAgent } = await import(${JSON.stringify(join(repo, 'dist/src/agent/index.js'))});
const agent = await createAgent({ entry: ${JSON.stringify(entry)} });
const s = createServer(agent.handler).listen(0, '127.0.0.1', () => console.log('PORT ' + s.address().port));
process.on('message', () => process.send(process.cpuUsage()));`,
};

async function startServer(kind) {
  const proc = spawn(process.execPath, ['--input-type=module', '-e', servers[kind]], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} server did not start in 10 s`)), 10_000);
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = /PORT (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    proc.on('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
  return { proc, port };
}

function cpu(proc) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no cpu usage answer in 5 s')), 5000);
    proc.once('message', (m) => {
      clearTimeout(timer);
      resolve(m);
    });
    proc.send('cpu');
  });
}

async function measure(kind) {
  const { proc, port } = await startServer(kind);
  try {
    const url = `http://127.0.0.1:${port}${PATH}`;
    await autocannon({ url, connections: 10, duration: 1 }); // warm-up
    const before = await cpu(proc);
    const r = await autocannon({ url, connections: 10, pipelining: 1, duration: SECONDS });
    const after = await cpu(proc);
    if (r.errors || r.non2xx) throw new Error(`${kind}: ${r.errors} errors, ${r.non2xx} non-2xx`);
    // server CPU time per request: steadier than throughput when other work shares the cores
    const usPerRequest = (after.user + after.system - before.user - before.system) / r.requests.total;
    return { rps: r.requests.average, usPerRequest };
  } finally {
    proc.kill('SIGTERM');
  }
}

const totals = { bare: [], agent: [] };
const cpuCost = { bare: [], agent: [] };
for (let round = 1; round <= ROUNDS; round++) {
  for (const kind of round % 2 ? ['bare', 'agent'] : ['agent', 'bare']) {
    const { rps, usPerRequest } = await measure(kind);
    totals[kind].push(rps);
    cpuCost[kind].push(usPerRequest);
    console.log(`round ${round} ${kind.padEnd(5)} ${Math.round(rps)} req/s, ${usPerRequest.toFixed(1)} µs server CPU per request`);
  }
}
// the median, because on a small machine one run in a few is disturbed by other work
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const bare = median(totals.bare);
const agent = median(totals.agent);
// each round measures both back to back, so the paired ratio cancels slow drifts in
// the machine's load; its median is the figure to trust on a shared machine
const ratios = totals.bare.map((b, i) => (b - totals.agent[i]) / b);
console.log(`GET ${PATH}, 10 connections, ${SECONDS} s × ${ROUNDS} rounds`);
console.log(`paired overhead per round: ${ratios.map((r) => (r * 100).toFixed(1) + '%').join(' ')} → median ${(median(ratios) * 100).toFixed(1)}%`);
const cpuBare = median(cpuCost.bare);
const cpuAgent = median(cpuCost.agent);
console.log(`server CPU per request (medians): bare ${cpuBare.toFixed(1)} µs, agent ${cpuAgent.toFixed(1)} µs (agent ${cpuAgent >= cpuBare ? "+" : ""}${(((cpuAgent - cpuBare) / cpuBare) * 100).toFixed(1)}%)`);
console.log(`bare node:http ${Math.round(bare)} req/s · under the agent ${Math.round(agent)} req/s (medians) · overhead ${(((bare - agent) / bare) * 100).toFixed(1)}%`);
