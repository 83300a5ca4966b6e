#!/usr/bin/env node
// Swap speed: one-file reloads of the demo service (a copy of examples/demo/server),
// through the real HTTP API. Prints p50/p90/p99 of the agent's duration_ms (request
// received → new version active) and of the client's round trip.
//   node bench/agent-swap.js [reloads]     (npm run build first)
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RELOADS = Number(process.argv[2] ?? 300);
const WARMUP = 20;
const repo = fileURLToPath(new URL('..', import.meta.url));
const { createAgent } = await import('../dist/src/agent/index.js');

const dir = mkdtempSync(join(tmpdir(), 'ahr-bench-swap-'));
let server;
try {
  const demo = join(repo, 'examples/demo/server');
  let edited;
  if (existsSync(join(demo, 'app.js'))) {
    cpSync(demo, dir, { recursive: true });
    edited = 'routes/greeting.js';
  } else {
    // the demo is not there: a small stand-in of the same shape
    writeFileSync(join(dir, 'app.js'), `import { greeting } from './routes/greeting.js';\nexport default (req, res) => res.end(JSON.stringify(greeting()));\n`);
    mkdirSync(join(dir, 'routes'));
    writeFileSync(join(dir, 'routes/greeting.js'), `export const greeting = () => ({ greeting: 'hello' });\n`);
    edited = 'routes/greeting.js';
  }
  const original = readFileSync(join(dir, edited), 'utf8');
  const agent = await createAgent({ entry: join(dir, 'app.js'), root: dir });
  server = createServer(agent.handler);
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${server.address().port}/api/v1/hot-reload/reload-all`;

  const pct = (arr, p) => {
    const s = [...arr].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
  };
  // `gapMs` between the save and the request: 0 = at once (the transform happens inside
  // the reload), 50 = as the client does after its debounce window (the agent has
  // transformed the saved file in the background by then).
  async function run(gapMs, label) {
    const durations = [];
    const roundTrips = [];
    for (let i = 1; i <= WARMUP + RELOADS; i++) {
      writeFileSync(join(dir, edited), `${original}\n// ${label} edit ${i}\n`);
      if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      const t0 = performance.now();
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ files: [edited], reason: 'watch' }), signal: AbortSignal.timeout(10_000) });
      const body = await res.json();
      const rt = performance.now() - t0;
      if (!body.activated) throw new Error(`reload ${i} did not activate: ${body.message}`);
      if (i > WARMUP) {
        durations.push(body.duration_ms);
        roundTrips.push(rt);
      }
    }
    console.log(`${label}:`);
    console.log(`  duration_ms (received → active): p50 ${pct(durations, 50).toFixed(2)}  p90 ${pct(durations, 90).toFixed(2)}  p99 ${pct(durations, 99).toFixed(2)}`);
    console.log(`  client round trip ms:             p50 ${pct(roundTrips, 50).toFixed(2)}  p90 ${pct(roundTrips, 90).toFixed(2)}  p99 ${pct(roundTrips, 99).toFixed(2)}`);
  }
  const modules = (await agent.reload({ files: [edited] })).reloaded_modules.length;
  console.log(`one-file reloads of ${existsSync(join(demo, 'app.js')) ? 'the demo' : 'a stand-in app'} (${edited}; ${modules} modules re-evaluated each), ${RELOADS} after ${WARMUP} warm-up`);
  await run(0, 'request at once after the save');
  await run(50, 'request 50 ms after the save (client debounce)');
  agent.close();
} finally {
  server?.closeAllConnections();
  server?.close();
  rmSync(dir, { recursive: true, force: true });
}
