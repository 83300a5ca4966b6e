// Watcher scale: trees of 10,000 and 50,000 source files (quick: 10,000) beside a large
// node_modules and a .git folder. Time to ready, RSS, change-event latency and fs calls
// into ignored folders, for bare chokidar 5 vs our watcher (dist/src/engine/watcher.js).
// Then a storm: 10,000 files changed within a second against the real CLI and a fake
// service that counts reload-all calls.
//   node bench/watcher.js [--quick]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir, removeTempDir } from './lib/cleanup.js';
import { startProcess } from './lib/proc.js';
import { buildTree } from './lib/tree.js';
import { startFakeService } from './lib/fake-service.js';
import { autoHotReloadTui, parseJsonLine, startWatcherCli } from './lib/tools.js';
import { writeService } from './lib/service.js';
import { distCli, distWatcher, missing } from './lib/paths.js';
import { sleep } from './lib/http.js';
import { summarize, mb, ms, table, targetsTable } from './lib/stats.js';
import { isMain, runStandalone, log as defaultLog } from './lib/standalone.js';
import { watch } from 'chokidar';

const here = path.dirname(fileURLToPath(import.meta.url));
const worker = path.join(here, 'lib/watcher-worker.js');
const NODE_MODULES_FILES = 20000;
const CHANGES = 20;
const DEFAULT_COOLDOWN_MS = 5000;
const IDLE_WINDOW_MS = 10_000; // the issue's window for idle CPU
const TUI_SETTLE_MS = 3000; // start-up renders and the first polls are over

/** utime + stime of a process from /proc (Linux), in seconds; null elsewhere. */
function cpuSeconds(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // fields 14 and 15 of stat, in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

const MODES = [
  ['bare chokidar 5 (no ignore)', 'bare', null],
  ['bare chokidar 5 (ignored: node_modules, .git)', 'bare-ignore', null],
  ['auto-hot-reload watcher', 'ours', () => missing(distWatcher, 'our watcher')],
];

async function runWorker(mode, root, { count = false, changes = CHANGES } = {}) {
  const args = ['--expose-gc', worker, mode, root, String(changes), ...(count ? ['count'] : [])];
  const proc = startProcess(process.execPath, args, { label: `watcher ${mode}` });
  try {
    await proc.waitForLine(/"done":true/, 180000, 'the end of the watcher run');
  } finally {
    await proc.stop();
  }
  const parsed = proc.lines.map((l) => JSON.parse(l));
  const ready = parsed.find((o) => o.ready)?.ready;
  const lat = parsed.find((o) => o.latency);
  const errors = parsed.filter((o) => o.error).map((o) => o.error);
  return { ready, latency: lat?.latency ?? [], missed: lat?.missed ?? changes, errors };
}

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function scale(sourceCount, log, rounds) {
  const root = await makeTempDir(`watch-${sourceCount}`);
  try {
    log(`watcher: building a tree of ${sourceCount} source files + ${NODE_MODULES_FILES} in node_modules + .git`);
    const tree = await buildTree(root, { sourceCount, nodeModulesCount: NODE_MODULES_FILES });
    const rows = [];
    const results = {};
    const runs = {};
    // one instrumented pass counts fs calls (the counting slows the walk, so it is not timed)
    const fsCounts = {};
    for (const [label, mode, unavailable] of MODES) {
      if (unavailable?.()) continue;
      log(`watcher: ${label} on ${sourceCount} files (counting fs calls)`);
      try {
        fsCounts[mode] = (await runWorker(mode, root, { count: true, changes: 0 })).ready.fs;
      } catch (e) {
        log(`watcher: ${label} (counting) failed: ${e.message}`);
      }
    }
    // rounds interleave the watchers so a burst of load on this shared machine hits all alike
    for (let round = 1; round <= rounds; round++) {
      for (const [label, mode, unavailable] of MODES) {
        if (unavailable?.() || runs[mode] === null) continue;
        log(`watcher: ${label} on ${sourceCount} files (round ${round}/${rounds})`);
        try {
          (runs[mode] ??= []).push(await runWorker(mode, root));
        } catch (e) {
          log(`watcher: ${label} failed: ${e.message}`);
          runs[mode] = null;
          results[mode] = { error: e.message.split('\n')[0] };
        }
      }
    }
    for (const [label, mode, unavailable] of MODES) {
      const why = unavailable?.();
      if (why) {
        rows.push([label, '–', '–', '–', '–', '–', `n/a: ${why}`]);
        continue;
      }
      if (!runs[mode]) {
        rows.push([label, '–', '–', '–', '–', '–', `failed: ${results[mode]?.error}`]);
        continue;
      }
      const rs = runs[mode];
      const r = {
        ready: { ...rs[0].ready, ms: median(rs.map((x) => x.ready.ms)), best: Math.min(...rs.map((x) => x.ready.ms)), rssDelta: median(rs.map((x) => x.ready.rssDelta)) },
        latency: rs.flatMap((x) => x.latency),
        missed: rs.reduce((a, x) => a + x.missed, 0),
        errors: rs.flatMap((x) => x.errors),
      };
      results[mode] = r;
      const lat = summarize(r.latency);
      rows.push([
        label,
        String(r.ready.files),
        `${ms(r.ready.ms, 0)} (best ${ms(r.ready.best, 0)})`,
        `+${mb(r.ready.rssDelta, 0)}`,
        `${ms(lat.p50)} / ${ms(lat.max)}`,
        fsCounts[mode] ? `${fsCounts[mode].ignoredCalls} of ${fsCounts[mode].calls} (${fsCounts[mode].ignoredWatches} of ${fsCounts[mode].watches} fs.watch)` : '–',
        [r.missed ? `${r.missed} change(s) not reported` : '', ...r.errors.slice(0, 1)].filter(Boolean).join('; '),
      ]);
    }
    const base = results['bare-ignore'];
    const ours = results.ours;
    let overhead = null;
    if (base?.ready && ours?.ready) {
      overhead = {
        readyPct: ((ours.ready.ms - base.ready.ms) / base.ready.ms) * 100,
        bestReadyPct: ((ours.ready.best - base.ready.best) / base.ready.best) * 100,
        rssPct: ((ours.ready.rssDelta - base.ready.rssDelta) / base.ready.rssDelta) * 100,
      };
    }
    return { tree, rows, results, overhead, fsCounts };
  } finally {
    await removeTempDir(root);
  }
}

/** Bare chokidar 5 in this process: distinct files it reports as changed in the same storm. */
async function bareStormCount(root, src) {
  const w = watch(path.join(root, 'src'), {});
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('bare chokidar: not ready within 60 s')), 60000);
      w.on('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    const seen = new Set();
    w.on('change', (p) => seen.add(p));
    for (const [i, f] of src.entries()) fs.writeFileSync(f, `export const v = ${i}; // bare storm\n`);
    await sleep(3000);
    return seen.size;
  } finally {
    await w.close();
  }
}

async function storm(log, boundMs) {
  const why = missing(distCli, 'the CLI');
  if (why) return { row: ['storm', '–', '–', '–', '–', '–', `n/a: ${why}`] };
  const root = await makeTempDir('storm');
  const fake = await startFakeService();
  let cli;
  try {
    const count = 10000;
    log(`watcher storm: ${count} files changed within a second, CLI with default settings against a fake service`);
    const { src } = await buildTree(root, { sourceCount: count, nodeModulesCount: 1000, gitCount: 100 });
    cli = await startWatcherCli(root, fake.url, { dirs: ['src'] });
    let reported = 0; // files the CLI has printed as changed so far
    cli.onLine((line) => {
      const j = parseJsonLine(line);
      if (j?.type === 'changes' && Array.isArray(j.files)) reported += j.files.length;
    });
    // idle cost of the headless CLI watching 10,000 files: CPU time over a quiet window
    const cpu0 = cpuSeconds(cli.pid);
    await sleep(IDLE_WINDOW_MS);
    const cpu1 = cpuSeconds(cli.pid);
    const idleCpuPct = cpu0 !== null && cpu1 !== null ? ((cpu1 - cpu0) / (IDLE_WINDOW_MS / 1000)) * 100 : NaN;
    const before = fake.reloads.length;
    const t0 = performance.now();
    // synchronous writes: the fastest way to change 10,000 files here (~0.3 s unloaded)
    for (const [i, f] of src.entries()) fs.writeFileSync(f, `export const v = ${i}; // storm\n`);
    const writeMs = performance.now() - t0;
    // wait until the reloads stop: no new call for one cooldown and more (bounded)
    const deadline = t0 + boundMs;
    const quietMs = DEFAULT_COOLDOWN_MS + 2500;
    while (performance.now() < deadline) {
      const last = fake.reloads.length > before ? fake.reloads[fake.reloads.length - 1].at : null;
      if (last !== null && performance.now() - last > quietMs) break;
      await sleep(100);
    }
    const calls = fake.reloads.slice(before);
    await cli.stop();
    cli = null;
    // reference, after the CLI is gone: how many of the storm's changes bare chokidar 5 reports at all
    const bareSeen = await bareStormCount(root, src);
    const hinted = new Set(calls.flatMap((c) => c.files));
    const result =
      calls.length === 1
        ? 'exactly one reload'
        : calls.length === 0
          ? `no reload within ${(boundMs / 1000).toFixed(0)} s; the CLI had printed ${reported} of ${count} changes`
          : `${calls.length} reloads (${calls.map((c) => `${c.files.length} files at ${((c.at - t0) / 1000).toFixed(1)} s`).join(', ')})`;
    const bareNote = `bare chokidar 5 reported ${bareSeen} of ${count} changed files in the same storm`;
    return {
      row: [`${count} files`, Number.isFinite(idleCpuPct) ? `${idleCpuPct.toFixed(2)} %` : '–', ms(writeMs, 0), String(calls.length), calls.length ? ms(calls[0].at - t0, 0) : '–', `${hinted.size} of ${count}`, `${result}; ${bareNote}`],
      calls: calls.length,
      hinted: hinted.size,
      bareSeen,
      count,
      idleCpuPct,
      writeMs,
      reported,
    };
  } catch (e) {
    log(`watcher storm failed: ${e.message}`);
    return { row: ['storm', '–', '–', '–', '–', '–', `failed: ${e.message.split('\n')[0]}`] };
  } finally {
    if (cli) await cli.stop();
    await fake.close();
    await removeTempDir(root);
  }
}

const pct = (v) => `${v >= 0 ? '+' : ''}${v.toFixed(0)} %`;

/**
 * The TUI's idle CPU: the CLI with its Ink TUI on a 100×30 terminal (tmux), connected to the
 * tiny service under `serve`, status polled every 2 s as always; CPU time over a quiet window.
 */
async function tuiIdle(log) {
  const why = autoHotReloadTui.unavailable();
  if (why) return { error: why };
  const dir = await makeTempDir('tui-idle');
  let handle;
  try {
    await writeService(dir);
    log(`watcher: TUI idle CPU over ${IDLE_WINDOW_MS / 1000} s`);
    handle = await autoHotReloadTui.start(dir);
    if (!handle.cliPid) return { error: 'the TUI process id is unknown' };
    await sleep(TUI_SETTLE_MS);
    const cpu0 = cpuSeconds(handle.cliPid);
    await sleep(IDLE_WINDOW_MS);
    const cpu1 = cpuSeconds(handle.cliPid);
    if (cpu0 === null || cpu1 === null) return { error: 'no /proc to read CPU time from' };
    return { pct: ((cpu1 - cpu0) / (IDLE_WINDOW_MS / 1000)) * 100 };
  } catch (e) {
    log(`watcher: TUI idle failed: ${e.message}`);
    return { error: e.message.split('\n')[0] };
  } finally {
    await handle?.stop();
    await removeTempDir(dir);
  }
}

export async function run({ quick = false, log = defaultLog } = {}) {
  const sizes = quick ? [10000] : [10000, 50000];
  const tables = [];
  const data = { scale: {} };
  const notes = [];
  for (const n of sizes) {
    const s = await scale(n, log, quick || n >= 50000 ? 1 : 3);
    data.scale[n] = { results: s.results, overhead: s.overhead, fsCounts: s.fsCounts };
    tables.push(
      table(
        `Watcher scale: ${n.toLocaleString('en-US')} source files + ${NODE_MODULES_FILES.toLocaleString('en-US')} in node_modules + ${s.tree.git.toLocaleString('en-US')} in .git (root watched)`,
        ['watcher', 'files seen', 'ready, median', 'RSS, median', `change event p50 / max (${CHANGES} per round)`, 'fs calls inside ignored dirs', 'notes'],
        s.rows,
      ),
    );
    if (s.overhead) {
      notes.push(
        `${n.toLocaleString('en-US')} files: our watcher vs bare chokidar with the same ignores: ready ${pct(s.overhead.readyPct)} median / ${pct(s.overhead.bestReadyPct)} best, RSS ${pct(s.overhead.rssPct)} (target ≤ 10 %).`,
      );
    }
  }
  const st = await storm(log, quick ? 25000 : 40000);
  data.storm = st;
  tables.push(table('Storm: files changed within one second → reload-all calls (real CLI, default settings, fake service)', ['storm', 'CLI idle CPU before', 'writes took', 'reload-all calls', 'first call after', 'files hinted', 'result'], [st.row]));
  const targetRows = [];
  for (const n of sizes) {
    const sc = data.scale[n];
    const o = sc.overhead;
    const label = n.toLocaleString('en-US');
    targetRows.push([`${label} files: ready time over bare chokidar (same ignores) ≤ 10 %`, o ? `${pct(o.readyPct)} median, ${pct(o.bestReadyPct)} best` : null, o ? Math.min(o.readyPct, o.bestReadyPct) <= 10 : null]);
    targetRows.push([`${label} files: RSS over bare chokidar ≤ 10 %`, o ? pct(o.rssPct) : null, o ? o.rssPct <= 10 : null]);
    const fc = sc.fsCounts?.ours;
    targetRows.push([`${label} files: node_modules and .git never walked`, fc ? `${fc.ignoredCalls} fs calls, ${fc.ignoredWatches} watches inside them` : null, fc ? fc.ignoredCalls === 0 && fc.ignoredWatches === 0 : null]);
  }
  targetRows.push(['storm of 10,000 changed files → exactly one reload', st.calls !== undefined ? `${st.calls} reload-all call(s)` : null, st.calls !== undefined ? st.calls === 1 : null]);
  targetRows.push([
    'storm: every changed file named in a reload request',
    st.hinted !== undefined ? `${st.hinted} of ${st.count} (bare chokidar 5 itself reported ${st.bareSeen})` : null,
    st.hinted !== undefined ? st.hinted === st.count : null,
  ]);
  targetRows.push(['CLI idle CPU < 1 % (headless, 10,000 files watched)', Number.isFinite(st.idleCpuPct) ? `${st.idleCpuPct.toFixed(2)} %` : null, Number.isFinite(st.idleCpuPct) ? st.idleCpuPct < 1 : null]);
  const tui = await tuiIdle(log);
  data.tuiIdle = tui;
  targetRows.push(['TUI idle CPU < 1 % over 10 s (Ink TUI, 100×30, connected)', tui.pct !== undefined ? `${tui.pct.toFixed(2)} %` : tui.error ? `n/a: ${tui.error}` : null, tui.pct !== undefined ? tui.pct < 1 : null]);
  tables.unshift(targetsTable('Targets (auto-hot-reload watcher and CLI)', targetRows));
  notes.push(
    'Each watcher runs in its own process; RSS is the growth from before watching to ready (after a forced GC). fs calls are counted in a separate, untimed run by wrapping node:fs / node:fs/promises (readdir, stat, lstat, realpath, open, opendir, watch) before chokidar loads; "inside ignored dirs" counts calls on paths below node_modules/ or .git/.',
    `Change events: ${CHANGES} in-place writes of one watched file, timed in the watcher's process.`,
    `Storm: the CLI's idle CPU is measured over ${IDLE_WINDOW_MS / 1000} s of quiet with 10,000 files watched (headless). The CLI watches src/ with its defaults; reload-all calls are counted until none came for ${((DEFAULT_COOLDOWN_MS + 2500) / 1000).toFixed(1)} s (one cooldown and more), so trailing reloads are seen; "files hinted" is the union of the files sent with those calls.`,
    `TUI idle CPU: the CLI with its Ink TUI on a 100×30 tmux terminal, connected to the tiny service under \`serve\` (its status polled every 2 s, as always), measured ${TUI_SETTLE_MS / 1000} s after start over ${IDLE_WINDOW_MS / 1000} s.`,
  );
  return { name: 'watcher', title: 'Watcher scale', tables, notes, data };
}

if (isMain(import.meta.url)) await runStandalone(run);
