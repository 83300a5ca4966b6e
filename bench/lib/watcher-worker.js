// One watcher in a fresh process (so RSS is its own):
//   node bench/lib/watcher-worker.js <bare|bare-ignore|ours> <root> <changes> [count]
// With "count", fs calls are counted (which slows the walk: timing runs leave it off).
// Prints JSON lines: {ready: {ms, files, rssDelta, heapDelta, fs}}, then
// {latency: [ms...]}, then {done: true}.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { distWatcher } from './paths.js';

const [mode, root, changesArg, countArg] = process.argv.slice(2);
// must patch node:fs before chokidar is loaded
const { counts } = countArg === 'count' ? await import('./fs-count.js') : { counts: null };
const changes = Number(changesArg);
if (!['bare', 'bare-ignore', 'ours'].includes(mode) || !root || !(changes >= 0)) {
  throw new Error('usage: watcher-worker.js <bare|bare-ignore|ours> <root> <changes>');
}
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const IGNORED_DIR = /(^|[\\/])(node_modules|\.git)([\\/]|$)/;

const { watch } = await import('chokidar');
const ours = mode === 'ours' ? await import(pathToFileURL(distWatcher).href) : null;
globalThis.gc?.();
const base = process.memoryUsage();
const before = counts ? { ...counts } : null;

let onChange = () => {};
let files = 0;
let close;
const t0 = performance.now();
if (ours) {
  const w = await ours.startWatcher(
    { root, dirs: [root], ignore: [] },
    { onChange: (c) => onChange(path.join(root, c.path)), onReady: (n) => (files = n), onError: (m) => out({ error: m }) },
  );
  await w.ready;
  files = w.fileCount;
  close = () => w.close();
} else {
  const w = watch(root, mode === 'bare-ignore' ? { ignored: (p) => IGNORED_DIR.test(path.relative(root, p)) } : {});
  w.on('add', () => files++);
  w.on('change', (p) => onChange(path.resolve(p)));
  w.on('error', (e) => out({ error: String(e?.message ?? e) }));
  await new Promise((r) => w.on('ready', r));
  close = () => w.close();
}
const readyMs = performance.now() - t0;
globalThis.gc?.();
const after = process.memoryUsage();
out({
  ready: {
    ms: readyMs,
    files,
    rssDelta: after.rss - base.rss,
    heapDelta: after.heapUsed - base.heapUsed,
    rss: after.rss,
    fs: counts && {
      calls: counts.calls - before.calls,
      ignoredCalls: counts.ignoredCalls - before.ignoredCalls,
      watches: counts.watches - before.watches,
      ignoredWatches: counts.ignoredWatches - before.ignoredWatches,
      firstIgnored: counts.firstIgnored,
    },
  },
});

// change-event latency: write a watched file in place, time until the watcher reports it
const target = path.join(root, 'src/m0/d0/f0.js');
const latency = [];
for (let i = 0; i < changes; i++) {
  await new Promise((r) => setTimeout(r, 60));
  const seen = new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), 3000);
    onChange = (p) => {
      if (p === target) {
        clearTimeout(timer);
        resolve(performance.now());
      }
    };
  });
  const t = performance.now();
  fs.writeFileSync(target, `export const v = ${i};\n`);
  const at = await seen;
  onChange = () => {};
  if (at !== null) latency.push(at - t);
}
out({ latency, missed: changes - latency.length });
await close();
out({ done: true });
process.exit(0);
