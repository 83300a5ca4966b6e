// One memory scenario in a fresh process (so heaps never mix):
//   node --expose-gc bench/lib/memory-worker.js <agent|naive|hot-hook-loop> <tiny|64k> <reloads> <dir>
// Prints one JSON line per sample: {reloads, heapUsed, rss}, then {done: true}.
// hot-hook runs through a generated entry in <dir> (see memory.js), not through here.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { moduleFor } from './modules.js';
import { distAgent } from './paths.js';

const [scenario, size, reloadsArg, dir] = process.argv.slice(2);
const reloads = Number(reloadsArg);
if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc');
if (!['agent', 'naive'].includes(scenario) || !['tiny', '64k'].includes(size) || !(reloads > 0) || !dir) {
  throw new Error('usage: memory-worker.js <agent|naive> <tiny|64k> <reloads> <dir>');
}

function sample(n) {
  globalThis.gc();
  globalThis.gc();
  const m = process.memoryUsage();
  process.stdout.write(JSON.stringify({ reloads: n, heapUsed: m.heapUsed, rss: m.rss }) + '\n');
}

const big = path.join(dir, scenario === 'naive' ? 'big.mjs' : 'big.js');
fs.writeFileSync(big, moduleFor(size, 0));

if (scenario === 'agent') {
  const { createAgent } = await import(pathToFileURL(distAgent).href);
  fs.writeFileSync(path.join(dir, 'app.js'), `import { revision, f1 } from './big.js';\nexport default (req, res) => res.end(String(revision) + f1('x'));\n`);
  const agent = await createAgent({ entry: path.join(dir, 'app.js'), root: dir });
  sample(0);
  for (let i = 1; i <= reloads; i++) {
    fs.writeFileSync(big, moduleFor(size, i));
    const r = await agent.reload({ files: ['big.js'] });
    if (!r.activated) throw new Error(`agent reload ${i} did not activate: ${r.message}`);
    if (i % 100 === 0) sample(i);
  }
} else {
  let current = await import(`${pathToFileURL(big).href}?v=0`);
  sample(0);
  for (let i = 1; i <= reloads; i++) {
    fs.writeFileSync(big, moduleFor(size, i));
    current = await import(`${pathToFileURL(big).href}?v=${i}`);
    if (current.revision !== i) throw new Error(`naive import served revision ${current.revision}, expected ${i}`);
    if (i % 100 === 0) sample(i);
  }
}
process.stdout.write(JSON.stringify({ done: true }) + '\n');
