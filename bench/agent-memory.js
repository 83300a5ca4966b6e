#!/usr/bin/env node
// Heap growth of 1,000 reloads of a 64 KiB module: the agent's module graph versus the
// naive cache-busted ESM import(). Prints heap after a forced GC every 100 reloads.
//   node --expose-gc bench/agent-memory.js [reloads]     (npm run build first)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

if (typeof globalThis.gc !== 'function') {
  // re-run with --expose-gc, so that `node bench/agent-memory.js` works too
  const r = spawnSync(process.execPath, ['--expose-gc', ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const RELOADS = Number(process.argv[2] ?? 1000);
const { createAgent } = await import('../dist/src/agent/index.js');

/** ~64 KiB of real code: functions and data, different per revision. */
function bigModule(rev) {
  const parts = [`export const revision = ${rev};`];
  for (let i = 0; parts.join('\n').length < 64 * 1024; i++) {
    parts.push(`export function f${i}(x) { const t = [${i}, ${rev}, 'item-${i}-${rev}']; return t.map((v) => String(v) + x).join('|'); }`);
  }
  return parts.join('\n') + '\n';
}

function heapMB() {
  globalThis.gc();
  globalThis.gc();
  return process.memoryUsage().heapUsed / 1048576;
}

const dir = mkdtempSync(join(tmpdir(), 'ahr-bench-mem-'));
const results = { agent: [], naive: [] };
try {
  // --- the agent -------------------------------------------------------------------
  writeFileSync(join(dir, 'big.js'), bigModule(0));
  writeFileSync(join(dir, 'app.js'), `import { revision, f1 } from './big.js';\nexport default (req, res) => res.end(String(revision) + f1('x'));\n`);
  const agent = await createAgent({ entry: join(dir, 'app.js'), root: dir, keep: 5 });
  console.log(`module size: ${(bigModule(1).length / 1024).toFixed(1)} KiB, ${RELOADS} reloads, heap after forced GC (MB)`);
  console.log('reloads   agent   naive-import()');
  results.agent.push(heapMB());
  for (let i = 1; i <= RELOADS; i++) {
    writeFileSync(join(dir, 'big.js'), bigModule(i));
    const r = await agent.reload({ files: ['big.js'] });
    if (!r.activated) throw new Error(`reload ${i} failed: ${r.message}`);
    if (i % 100 === 0) results.agent.push(heapMB());
  }
  agent.close();

  // --- naive cache-busted import() ---------------------------------------------------
  let current = null;
  results.naive.push(heapMB());
  for (let i = 1; i <= RELOADS; i++) {
    writeFileSync(join(dir, 'big.mjs'), bigModule(i));
    current = await import(`${pathToFileURL(join(dir, 'big.mjs')).href}?v=${i}`);
    if (current.revision !== i) throw new Error('naive import served the wrong revision');
    if (i % 100 === 0) results.naive.push(heapMB());
  }
  for (let k = 0; k < results.agent.length; k++) {
    const n = results.naive[k];
    console.log(`${String(k * 100).padStart(7)}   ${results.agent[k].toFixed(1).padStart(5)}   ${n === undefined ? '-' : n.toFixed(1).padStart(5)}`);
  }
  const growth = (a) => a[a.length - 1] - a[0];
  console.log(`growth over ${RELOADS} reloads: agent ${growth(results.agent).toFixed(1)} MB, naive import() ${growth(results.naive).toFixed(1)} MB`);
  console.log(`per reload: agent ${((growth(results.agent) * 1024) / RELOADS).toFixed(1)} KB, naive ${((growth(results.naive) * 1024) / RELOADS).toFixed(1)} KB`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
