#!/usr/bin/env node
// Fan-out reload: one module imported by 200 others is edited; a reload re-evaluates it,
// its 200 importers and the entry (202 modules, each resolving its specifiers: a
// relative file, a builtin, a package in node_modules). Prints p50/p90 of the agent's
// duration_ms and the CPU time per reload. Measures resolution on the reload path (issue 17: no regression beyond 10 %).
//   node bench/agent-fanout.js [reloads] [--dist DIR]   (npm run build first)
// --dist points at another build's dist/ (e.g. the commit before a change) to compare.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const distAt = args.indexOf('--dist');
const dist = distAt >= 0 ? resolve(args.splice(distAt, 2)[1]) : fileURLToPath(new URL('../dist', import.meta.url));
const RELOADS = Number(args[0] ?? 60);
const WARMUP = 10;
const IMPORTERS = 200;
const repo = fileURLToPath(new URL('..', import.meta.url));
const { createAgent } = await import(pathToFileURL(join(dist, 'src/agent/index.js')).href);

const dir = mkdtempSync(join(tmpdir(), 'ahr-bench-fanout-'));
let server;
try {
  cpSync(join(repo, 'node_modules/ms'), join(dir, 'node_modules/ms'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'fanout', type: 'module' }));
  mkdirSync(join(dir, 'mods'));
  const shared = (n) => `export const value = ${n};\n`;
  writeFileSync(join(dir, 'shared.js'), shared(0));
  const names = [];
  for (let i = 0; i < IMPORTERS; i++) {
    names.push(`m${i}`);
    writeFileSync(
      join(dir, `mods/m${i}.js`),
      `import { value } from '../shared.js';\nimport { join } from 'node:path';\nimport ms from 'ms';\nexport const m${i} = () => value + join('a', '${i}').length + ms('1s');\n`,
    );
  }
  writeFileSync(
    join(dir, 'app.js'),
    `${names.map((n) => `import { ${n} } from './mods/${n}.js';`).join('\n')}\nconst all = [${names.join(', ')}];\nexport default (req, res) => res.end(String(all.reduce((s, f) => s + f(), 0)));\n`,
  );
  const agent = await createAgent({ entry: join(dir, 'app.js'), root: dir });
  server = createServer(agent.handler);
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${server.address().port}/api/v1/hot-reload/reload-all`;
  const pct = (arr, p) => [...arr].sort((a, b) => a - b)[Math.min(arr.length - 1, Math.floor((p / 100) * arr.length))];

  const durations = [];
  let cpuMicros = 0;
  let evaluated = 0;
  for (let i = 1; i <= WARMUP + RELOADS; i++) {
    writeFileSync(join(dir, 'shared.js'), shared(i));
    await new Promise((r) => setTimeout(r, 50)); // as the client does after its debounce window
    const cpu0 = process.cpuUsage();
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ files: ['shared.js'], reason: 'watch' }), signal: AbortSignal.timeout(30_000) });
    const body = await res.json();
    if (!body.activated) throw new Error(`reload ${i} did not activate: ${body.message}`);
    evaluated = body.reloaded_modules.length;
    const cpu = process.cpuUsage(cpu0);
    if (i > WARMUP) {
      durations.push(body.duration_ms);
      cpuMicros += cpu.user + cpu.system;
    }
  }
  console.log(`fan-out reload (${dist}): ${evaluated} modules re-evaluated each, ${RELOADS} reloads after ${WARMUP} warm-up`);
  console.log(`  duration_ms (received → active): p50 ${pct(durations, 50).toFixed(2)}  p90 ${pct(durations, 90).toFixed(2)}  mean ${(durations.reduce((a, b) => a + b, 0) / durations.length).toFixed(2)}`);
  // CPU time is less at the mercy of a loaded machine than wall time (agent and client share this process)
  console.log(`  CPU ms per reload (request, reload, answer): ${(cpuMicros / 1000 / RELOADS).toFixed(2)}`);
  agent.close();
} finally {
  server?.closeAllConnections();
  server?.close();
  rmSync(dir, { recursive: true, force: true });
}
