// Batching: does a multi-file operation (save all, git checkout, sed -i, a formatter)
// stay ONE reload with a short quiet window? Real writers, each its own process, change
// 10 files at once, idle and under full CPU load.
//   Part A: event gaps as our watcher (dist/src/watcher.js) reports them — why the window.
//   Part B: the real CLI (cooldown 0, so a split is a second reload-all call at once)
//           against a fake service, with the default debounce and the old 10 ms.
//   node bench/batching.js [--quick]   (BATCHING_DEBUG=1 logs every split: event and call times;
//   BATCHING_SOLO=1 runs the default-settings CLI alone: no Part A watcher, no 10 ms CLI beside it)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeTempDir, removeTempDir, trackGroup, untrackGroup } from './lib/cleanup.js';
import { startProcess } from './lib/proc.js';
import { startFakeService } from './lib/fake-service.js';
import { startWatcherCli } from './lib/tools.js';
import { distCli, distWatcher, missing, pkgRoot } from './lib/paths.js';
import { sleep } from './lib/http.js';
import { summarize, ms, table, targetsTable } from './lib/stats.js';
import { isMain, runStandalone, log as defaultLog } from './lib/standalone.js';

const FILES = 10;
const OLD_DEBOUNCE_MS = 10;
const QUIET_MS = 300; // an operation is over when nothing (event or call) came for this long
const OP_BOUND_MS = 4000; // …or at the latest this long after the writer exited
const WRITER_TIMEOUT_MS = 15000;
const LOAD_PROCS = 2; // this machine has 2 cores

const names = Array.from({ length: FILES }, (_, i) => `m${i}.js`);
const text = (name, n) => `// ${name}\nexport const value = ${n};\nexport function twice() {\n  return value * 2;\n}\n`;

// The node writers get the file list and the new value on argv; the content template is
// the same as text() above.
const NODE_TEXT = 'const text = (f, n) => `// ${require("path").basename(f)}\\nexport const value = ${n};\\nexport function twice() {\\n  return value * 2;\\n}\\n`;';
const nodeWriter = (body) => (ctx, n) => [process.execPath, ['-e', `const fs = require("fs/promises"); ${NODE_TEXT} const [n, ...files] = process.argv.slice(1); (async () => { ${body} })().catch((e) => { console.error(e); process.exit(1); });`, String(n), ...ctx.files]];

const vimMissing = () => (fs.existsSync('/usr/bin/vim') ? null : 'vim not installed (/usr/bin/vim missing)');

/** Each writer: (ctx, n) → [cmd, args, {cwd}] run as its own process; n is the new value. */
const WRITERS = [
  { name: 'save all: Promise.all writeFile (VS Code style)', cmd: nodeWriter('await Promise.all(files.map((f) => fs.writeFile(f, text(f, n))));') },
  { name: 'sequential await writeFile loop', cmd: nodeWriter('for (const f of files) await fs.writeFile(f, text(f, n));') },
  {
    // write-file-atomic names its temp `<file>.<hex>` (not an editor-temp pattern)
    name: 'temp file + rename, one by one (write-file-atomic)',
    cmd: nodeWriter('for (const [i, f] of files.entries()) { const tmp = `${f}.${(process.pid * 16 + i).toString(16)}`; await fs.writeFile(tmp, text(f, n)); await fs.rename(tmp, f); }'),
  },
  { name: 'sed -i (one process, 10 files)', cmd: (ctx, n) => ['sed', ['-i', `s/value = [0-9]*/value = ${n}/`, ...names], { cwd: ctx.src }] },
  {
    name: 'git checkout -qf (other branch, all 10 differ)',
    cmd: (ctx) => {
      ctx.branch = ctx.branch === 'a' ? 'b' : 'a';
      return ['git', ['checkout', '-qf', ctx.branch], { cwd: ctx.root }];
    },
  },
  {
    name: 'vim: bufdo substitute | update (10 buffers)',
    unavailable: vimMissing,
    cmd: (ctx, n) => ['/usr/bin/vim', ['-N', '-u', 'NONE', '-i', 'NONE', '-es', ...names, '-c', `bufdo %s/value = \\d\\+/value = ${n}/ | update`, '-c', 'qa!'], { cwd: ctx.src }],
  },
  {
    name: 'cp -r stage/. src (over existing files)',
    prepare: (ctx, n) => Promise.all(names.map((f) => fsp.writeFile(path.join(ctx.stage, f), text(f, n)))),
    cmd: (ctx) => ['cp', ['-r', `${ctx.stage}/.`, ctx.src], { cwd: ctx.root }],
  },
];

/** Run one writer process to its end (bounded); it leads its own group so Ctrl+C kills it. */
function runChild([cmd, args, opts = {}]) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (c) => (stderr = (stderr + c).slice(-2000)));
    trackGroup(child.pid);
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, WRITER_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ ok: false, error: e.message });
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      untrackGroup(child.pid);
      resolve(code === 0 ? { ok: true } : { ok: false, error: `${path.basename(cmd)} exited ${code ?? signal}: ${stderr.trim().split('\n')[0] ?? ''}` });
    });
  });
}

function git(root, ...args) {
  return runChild(['git', ['-c', 'user.name=bench', '-c', 'user.email=bench@127.0.0.1', '-c', 'init.defaultBranch=a', '-c', 'commit.gpgsign=false', ...args], { cwd: root }]).then((r) => {
    if (!r.ok) throw new Error(`git ${args.join(' ')}: ${r.error}`);
  });
}

/** The project: src/ with 10 files, stage/ for cp, a git repo with branches a and b differing in all 10. */
async function buildProject(root) {
  const src = path.join(root, 'src');
  const stage = path.join(root, 'stage');
  await fsp.mkdir(src);
  await fsp.mkdir(stage);
  const write = (n) => Promise.all(names.map((f) => fsp.writeFile(path.join(src, f), text(f, n))));
  await write(900001);
  await git(root, 'init', '-q');
  await git(root, 'add', 'src');
  await git(root, 'commit', '-qm', 'a');
  await git(root, 'checkout', '-qb', 'b');
  await write(900002);
  await git(root, 'commit', '-qam', 'b');
  await git(root, 'checkout', '-qf', 'a');
  await fsp.writeFile(path.join(root, 'cfg-default.json'), '{}\n');
  await fsp.writeFile(path.join(root, `cfg-${OLD_DEBOUNCE_MS}.json`), `${JSON.stringify({ debounceMs: OLD_DEBOUNCE_MS })}\n`);
  return { root, src, stage, files: names.map((f) => path.join(src, f)), branch: 'a' };
}

/** The build's own numbers (default debounce, multi-file window), for labels and predictions. */
async function buildDefaults() {
  const out = { debounceMs: null, multi: null };
  try {
    out.debounceMs = (await import(pathToFileURL(path.join(pkgRoot, 'dist/src/config/merge.js')).href)).DEFAULT_DEBOUNCE_MS ?? null;
  } catch {
    /* older build: unknown */
  }
  try {
    out.multi = (await import(pathToFileURL(path.join(pkgRoot, 'dist/src/scheduler.js')).href)).MULTI ?? null;
  } catch {
    /* no multi-file window in this build */
  }
  return out;
}

/**
 * Gaps in one operation's events: first gap (first event → first event of a second,
 * distinct file), max gap (consecutive events), span.
 */
function gaps(events) {
  if (events.length < 2) return null;
  const first = events[0];
  const second = events.find((e) => e.path !== first.path);
  let maxGap = 0;
  for (let i = 1; i < events.length; i++) maxGap = Math.max(maxGap, events[i].at - events[i - 1].at);
  return { firstGap: second ? second.at - first.at : NaN, maxGap, span: events[events.length - 1].at - first.at };
}

/**
 * Would a scheduler with a `single` ms window for a one-file burst and `multi` ms once two
 * or more files are pending have kept these events in one batch? (The CLI sees the same
 * events a little later; this explains Part B, it does not replace it.)
 */
function oneBatch(events, single, multi) {
  const seen = new Set();
  for (let i = 0; i < events.length; i++) {
    if (i > 0 && events[i].at - events[i - 1].at > (seen.size >= 2 ? multi : single)) return false;
    seen.add(events[i].path);
  }
  return true;
}

async function startLoadProcs(log) {
  log(`batching: CPU load on (${LOAD_PROCS} × node -e 'for(;;){}')`);
  const procs = [];
  for (let i = 0; i < LOAD_PROCS; i++) procs.push(startProcess(process.execPath, ['-e', 'for(;;){}'], { label: `cpu burner ${i + 1}` }));
  await sleep(500); // let them take the cores
  const dead = procs.find((p) => p.exited);
  if (dead) throw new Error(`${dead.label} exited at once (${dead.exited.code ?? dead.exited.signal})`);
  return procs;
}

async function stopLoadProcs(procs, log) {
  await Promise.all(procs.map((p) => p.stop(500)));
  if (procs.length) log('batching: CPU load off');
}

/**
 * One condition (idle or loaded): the in-process watcher and both CLIs see every operation
 * at once. Returns per writer the list of operations measured.
 */
async function pass(ctx, writers, reps, { log, condition, solo }) {
  const events = [];
  const { startWatcher } = await import(pathToFileURL(distWatcher).href);
  const watcher = solo ? null : await startWatcher({ root: ctx.root, dirs: [ctx.src], ignore: [] }, { onChange: (c) => events.push({ at: performance.now(), path: c.path, kind: c.kind }) });
  const fakes = [];
  const clis = [];
  try {
    await watcher?.ready;
    for (const cfg of solo ? ['cfg-default.json'] : ['cfg-default.json', `cfg-${OLD_DEBOUNCE_MS}.json`]) {
      const fake = await startFakeService();
      fakes.push(fake);
      clis.push(await startWatcherCli(ctx.root, fake.url, { config: path.join(ctx.root, cfg), extraArgs: ['--cooldown', '0'] }));
    }
    const ops = new Map(writers.map((w) => [w.name, []]));
    let n = 1000 * (condition === 'idle' ? 1 : 2);
    // round 0 warms up (first reloads, first spawns) and is not counted; rounds interleave
    // the writers so a drift in load hits all of them alike
    for (let rep = 0; rep <= reps; rep++) {
      for (const w of writers) {
        n++;
        if (w.prepare) await w.prepare(ctx, n);
        const e0 = events.length;
        const c0 = fakes.map((f) => f.reloads.length);
        const res = await runChild(w.cmd(ctx, n));
        const exitAt = performance.now();
        const deadline = exitAt + OP_BOUND_MS;
        for (;;) {
          const now = performance.now();
          const last = Math.max(exitAt, events.at(-1)?.at ?? 0, ...fakes.map((f) => f.reloads.at(-1)?.at ?? 0));
          const allCalled = fakes.every((f, i) => f.reloads.length > c0[i]);
          if ((allCalled && now - last >= QUIET_MS) || now >= deadline) break;
          await sleep(20);
        }
        if (rep === 0) continue;
        const exited = clis.find((c) => c.exited);
        if (exited) throw new Error(`the CLI exited (${exited.exited.code ?? exited.exited.signal}): ${exited.stderr.slice(-500)}`);
        ops.get(w.name).push({ ok: res.ok, error: res.error, events: events.slice(e0), calls: fakes.map((f, i) => f.reloads.slice(c0[i])) });
        if (process.env.BATCHING_DEBUG) {
          const op = ops.get(w.name).at(-1);
          const t0 = op.events[0]?.at ?? exitAt;
          if (!op.calls.every(isOne)) log(`split (${condition}) ${w.name}: events ${op.events.map((e) => `${(e.at - t0).toFixed(1)}:${path.basename(e.path)}:${e.kind}`).join(' ')} | calls ${op.calls.map((c) => c.map((r) => `${(r.at - t0).toFixed(1)}:${r.files.length}`).join(',')).join(' ; ')}`);
        }
      }
      if (rep > 0 && (rep % 5 === 0 || rep === reps)) log(`batching (${condition}): ${rep}/${reps} rounds`);
    }
    return ops;
  } finally {
    for (const c of clis) await c.stop();
    for (const f of fakes) await f.close();
    await watcher?.close();
  }
}

/** Exactly one reload-all call, naming all 10 files. */
const isOne = (calls) => calls.length === 1 && names.every((f) => calls[0].files.some((p) => path.basename(p) === f));

function oneCell(list, i) {
  if (!list || list.some((o) => !o.calls[i])) return '–';
  const good = list.filter((o) => o.ok);
  const one = good.filter((o) => isOne(o.calls[i])).length;
  const counts = {};
  for (const o of good) if (!isOne(o.calls[i])) counts[o.calls[i].length] = (counts[o.calls[i].length] ?? 0) + 1;
  const misses = Object.entries(counts).map(([c, k]) => `${k}× ${c} call${c === '1' ? ' (files missing)' : 's'}`);
  const failed = list.length - good.length;
  return `${one}/${good.length}${misses.length ? ` (${misses.join(', ')})` : ''}${failed ? `; ${failed} writer run(s) failed` : ''}`;
}

const fmt3 = (s) => `${ms(s.p50)} / ${ms(s.p90)} / ${ms(s.max)}`;

export async function run({ quick = false, log = defaultLog } = {}) {
  const why = missing(distCli, 'the CLI') ?? missing(distWatcher, 'our watcher');
  if (why) return { name: 'batching', title: 'Batching: multi-file operations → reloads', tables: [table('Batching', ['result'], [[`n/a: ${why}`]])], notes: [] };
  const reps = quick ? 5 : 20;
  const solo = Boolean(process.env.BATCHING_SOLO);
  const defaults = await buildDefaults();
  const defLabel = `default (${defaults.debounceMs ?? '?'} ms)`;
  const single = defaults.debounceMs ?? OLD_DEBOUNCE_MS;
  const multi = defaults.multi?.quietMs ?? single;
  const writers = WRITERS.filter((w) => !w.unavailable?.());
  const skipped = WRITERS.filter((w) => w.unavailable?.()).map((w) => `${w.name}: skipped, ${w.unavailable()}`);
  const root = await makeTempDir('batching');
  const results = {};
  try {
    const ctx = await buildProject(root);
    log(`batching: ${writers.length} writers × ${reps} operations, ${FILES} files each; idle, then under load`);
    results.idle = await pass(ctx, writers, reps, { log, condition: 'idle', solo });
    const load = await startLoadProcs(log);
    try {
      results.load = await pass(ctx, writers, reps, { log, condition: 'load', solo });
    } finally {
      await stopLoadProcs(load, log);
    }
  } finally {
    await removeTempDir(root);
  }

  const gapRows = [];
  const oneRows = [];
  const totals = { idle: [0, 0], load: [0, 0] };
  for (const w of writers) {
    for (const cond of ['idle', 'load']) {
      const list = results[cond].get(w.name).filter((o) => o.ok);
      const g = list.map((o) => gaps(o.events)).filter(Boolean);
      const seen = list.map((o) => new Set(o.events.map((e) => path.basename(e.path)).filter((b) => names.includes(b))).size);
      const allSeen = seen.filter((s) => s === FILES).length;
      gapRows.push([
        w.name,
        cond === 'idle' ? 'idle' : 'full CPU load',
        fmt3(summarize(g.map((x) => x.firstGap).filter(Number.isFinite))),
        fmt3(summarize(g.map((x) => x.maxGap))),
        ms(summarize(g.map((x) => x.span)).p50),
        `${summarize(list.map((o) => o.events.length)).p50}`,
        `${list.filter((o) => oneBatch(o.events, single, multi)).length}/${list.length}`,
        `${list.filter((o) => oneBatch(o.events, OLD_DEBOUNCE_MS, OLD_DEBOUNCE_MS)).length}/${list.length}`,
        allSeen === list.length ? '' : `all ${FILES} files reported in ${allSeen}/${list.length}`,
      ]);
      const good = list.filter((o) => isOne(o.calls[0])).length;
      totals[cond][0] += good;
      totals[cond][1] += list.length;
    }
    oneRows.push([w.name, oneCell(results.idle.get(w.name), 0), oneCell(results.idle.get(w.name), 1), oneCell(results.load.get(w.name), 0), oneCell(results.load.get(w.name), 1)]);
  }
  const failures = writers.flatMap((w) => ['idle', 'load'].flatMap((c) => results[c].get(w.name).filter((o) => !o.ok).map((o) => `${w.name} (${c}): ${o.error}`)));
  const target = (cond, what) => {
    const [good, all] = totals[cond];
    return [`default settings: every multi-file operation → exactly one reload (${what})`, `${good}/${all} operations`, all ? good === all : null];
  };
  const tables = [
    targetsTable('Targets (auto-hot-reload batching)', [target('idle', 'idle'), target('load', 'under full CPU load')]),
    solo ? null : table(
      `Part A: event gaps per operation of ${FILES} files, as our watcher reports them (p50 / p90 / max over ${reps} operations)`,
      ['writer', 'condition', 'first gap (1st → 2nd file)', 'max gap (consecutive events)', 'span p50', 'events p50', `one batch at ${single}/${multi} ms (predicted)`, `one batch at flat ${OLD_DEBOUNCE_MS} ms (predicted)`, 'notes'],
      gapRows,
    ),
    table(
      `Part B: operations that became exactly one reload-all naming all ${FILES} files (real CLI, cooldown 0, fake service)`,
      ['writer', `${defLabel}, idle`, `debounceMs ${OLD_DEBOUNCE_MS}, idle`, `${defLabel}, load`, `debounceMs ${OLD_DEBOUNCE_MS}, load`],
      oneRows,
    ),
  ].filter(Boolean);
  const notes = [
    ...(solo ? ['BATCHING_SOLO: the default-settings CLI ran alone (no Part A watcher, no 10 ms CLI beside it).'] : []),
    `Every writer is a real, separate process (an editor is its own process): node -e children for the three Node styles, sed, git, vim, cp. Each operation changes all ${FILES} files of src/ with new content; ${reps} operations per writer and condition after one uncounted warm-up round, writers interleaved round by round.`,
    `Part A times the events in the bench process from our watcher (dist/src/watcher.js, the one the CLI uses). "One batch at S/M ms" replays the scheduler's rule on those events: a gap longer than S ms while one file is pending, or longer than M ms once two or more are, would split the batch; "flat ${OLD_DEBOUNCE_MS} ms" is the rule before the multi-file window.`,
    `Part B runs two real CLIs at once (config {} → the build's default debounce ${defaults.debounceMs ?? '?'} ms, multi-file window ${defaults.multi?.quietMs ?? 'none'} ms; and {"debounceMs": ${OLD_DEBOUNCE_MS}}) against two fake services. --cooldown 0 only so that a split shows up at once as a second reload-all call instead of a trailing one 5 s later. An operation ends when no event and no call came for ${QUIET_MS} ms (at most ${OP_BOUND_MS / 1000} s after the writer exited); it counts as one reload when exactly one call came and it named all ${FILES} files.`,
    `Load: ${LOAD_PROCS} node -e 'for(;;){}' processes (one per core here) run through the whole loaded pass; the writers, the watcher and both CLIs compete with them. Part A's watcher and both CLIs always run side by side, so even "idle" has three watchers awake on every event.`,
    ...skipped,
    ...failures.slice(0, 5),
  ];
  return { name: 'batching', title: 'Batching: multi-file operations → one reload?', tables, notes, data: { totals, defaults } };
}

if (isMain(import.meta.url)) await runStandalone(run);
