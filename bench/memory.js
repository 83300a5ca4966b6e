// Memory across many reloads: heap after a forced GC and RSS every 100 reloads, for a
// tiny module and a ~64 KiB module, in the agent, hot-hook and a naive cache-busted
// import(). Each scenario runs in its own fresh process.
//   node bench/memory.js [--quick]
// The agent scenario follows bench/agent-memory.js (the agent engineer's script).
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeTempDir, removeTempDir } from './lib/cleanup.js';
import { startProcess } from './lib/proc.js';
import { distAgent, missing, nodeModules } from './lib/paths.js';
import { mb, table, targetsTable } from './lib/stats.js';
import { isMain, runStandalone, log as defaultLog } from './lib/standalone.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const worker = path.join(here, 'lib/memory-worker.js');
const modulesUrl = pathToFileURL(path.join(here, 'lib/modules.js')).href;
const TARGET_MB = 20;

// hot-hook needs its loader registered at start-up and a literal boundary import, so its
// loop is an entry module written into the temp dir. HOT_HOOK_WATCH=false: changes are
// announced with the same message its own watcher would send, so no chokidar delay.
const HOT_HOOK_LOOP = `import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { moduleFor } from ${JSON.stringify(modulesUrl)};
const [size, reloadsArg] = process.argv.slice(2);
const reloads = Number(reloadsArg);
const big = fileURLToPath(new URL('./big.js', import.meta.url));
function sample(n) {
  globalThis.gc();
  globalThis.gc();
  const m = process.memoryUsage();
  process.stdout.write(JSON.stringify({ reloads: n, heapUsed: m.heapUsed, rss: m.rss }) + '\\n');
}
let mod = await import('./big.js', import.meta.hot?.boundary);
sample(0);
for (let i = 1; i <= reloads; i++) {
  fs.writeFileSync(big, moduleFor(size, i));
  process.emit('message', { type: 'hot-hook:file-changed', path: big });
  const deadline = Date.now() + 5000;
  while (mod.revision !== i) {
    if (Date.now() > deadline) throw new Error('hot-hook did not reload revision ' + i);
    await new Promise((r) => setTimeout(r, 0));
    mod = await import('./big.js', import.meta.hot?.boundary);
  }
  if (i % 100 === 0) sample(i);
}
process.stdout.write(JSON.stringify({ done: true }) + '\\n');
`;

async function runScenario(scenario, size, reloads) {
  const dir = await makeTempDir(`mem-${scenario}-${size}`);
  try {
    let proc;
    const timeoutMs = 60000 + reloads * 200;
    if (scenario === 'hot-hook') {
      const { moduleFor } = await import('./lib/modules.js');
      await fsp.writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'bench-mem', private: true, type: 'module' }));
      await fsp.symlink(nodeModules, path.join(dir, 'node_modules'), 'dir');
      await fsp.writeFile(path.join(dir, 'big.js'), moduleFor(size, 0));
      await fsp.writeFile(path.join(dir, 'loop.js'), HOT_HOOK_LOOP);
      proc = startProcess(process.execPath, ['--expose-gc', '--import=hot-hook/register', 'loop.js', size, String(reloads)], {
        cwd: dir,
        env: { HOT_HOOK_WATCH: 'false' },
        label: `memory hot-hook ${size}`,
      });
    } else {
      proc = startProcess(process.execPath, ['--expose-gc', worker, scenario, size, String(reloads), dir], {
        cwd: dir,
        label: `memory ${scenario} ${size}`,
      });
    }
    try {
      await proc.waitForLine(/"done":true/, timeoutMs, `the end of ${reloads} reloads`);
    } finally {
      await proc.stop();
    }
    return proc.lines.map((l) => JSON.parse(l)).filter((s) => typeof s.reloads === 'number');
  } finally {
    await removeTempDir(dir);
  }
}

export async function run({ quick = false, log = defaultLog } = {}) {
  const reloads = quick ? 200 : 1000;
  const scenarios = [
    ['auto-hot-reload agent', 'agent', missing(distAgent, 'the agent')],
    ['hot-hook', 'hot-hook', null],
    ['naive import()', 'naive', null],
  ];
  const tables = [];
  const data = {};
  for (const size of ['tiny', '64k']) {
    const rows = [];
    const series = [];
    for (const [label, scenario, why] of scenarios) {
      if (why) {
        rows.push([label, '–', '–', '–', '–', '–', `n/a: ${why}`]);
        continue;
      }
      log(`memory: ${label}, ${size} module, ${reloads} reloads`);
      const t0 = performance.now();
      let samples;
      try {
        samples = await runScenario(scenario, size, reloads);
      } catch (e) {
        log(`memory: ${label} ${size} failed: ${e.message}`);
        rows.push([label, '–', '–', '–', '–', '–', `failed: ${e.message.split('\n')[0]}`]);
        continue;
      }
      const secs = (performance.now() - t0) / 1000;
      const first = samples[0];
      const last = samples[samples.length - 1];
      const growth = last.heapUsed - first.heapUsed;
      data[`${scenario}:${size}`] = samples;
      series.push([label, samples]);
      const target = scenario === 'agent' && size === '64k' ? (growth / 1048576 <= TARGET_MB ? `meets ≤ ${TARGET_MB} MB` : `misses ≤ ${TARGET_MB} MB`) : '';
      rows.push([
        label,
        mb(first.heapUsed),
        mb(last.heapUsed),
        mb(growth),
        `${((growth / 1024) / last.reloads).toFixed(1)} KB`,
        `${mb(first.rss, 0)} → ${mb(last.rss, 0)}`,
        [target, `${secs.toFixed(1)} s`].filter(Boolean).join('; '),
      ]);
    }
    const sizeLabel = size === '64k' ? '~64 KiB module' : 'tiny module';
    tables.push(
      table(`Memory, ${sizeLabel}, ${reloads} reloads (heap after forced GC)`, ['reloader', 'heap at 0', `heap at ${reloads}`, 'growth', 'per reload', 'RSS', 'notes'], rows),
    );
    if (series.length) {
      const points = series[0][1].map((s) => s.reloads);
      tables.push(
        table(
          `Heap after forced GC every 100 reloads, ${sizeLabel}`,
          ['reloads', ...series.map(([l]) => l)],
          points.map((n, k) => [String(n), ...series.map(([, s]) => mb(s[k]?.heapUsed))]),
        ),
      );
    }
  }
  const agent64 = data['agent:64k'];
  const growth64 = agent64 ? agent64[agent64.length - 1].heapUsed - agent64[0].heapUsed : NaN;
  tables.unshift(
    targetsTable('Targets (auto-hot-reload agent)', [
      [
        `heap growth ≤ ${TARGET_MB} MB over ${reloads} reloads of a ~64 KiB module`,
        agent64 ? mb(growth64) : null,
        agent64 ? growth64 / 1048576 <= TARGET_MB : null,
      ],
    ]),
  );
  const notes = [
    'Every scenario runs in a fresh `node --expose-gc` process; heap is measured after two forced GCs.',
    'The agent keeps earlier versions for instant rollback (default 5), so a bounded number of old versions stays alive by design.',
    'hot-hook is driven by its own file-changed message (HOT_HOOK_WATCH=false) and re-imported through its boundary until the new revision answers.',
    `Target: agent heap growth ≤ ${TARGET_MB} MB for the 64 KiB module.`,
  ];
  return { name: 'memory', title: 'Memory across reloads', tables, notes, data };
}

if (isMain(import.meta.url)) await runStandalone(run);
