// Batching: does a multi-file operation (save all, git checkout, sed -i, a formatter)
// stay ONE reload with a short quiet window? Real writers, each its own process, change
// 10 files at once, idle and under full CPU load.
//   Part A: event gaps as our watcher (dist/src/engine/watcher.js) reports them — why the window.
//   Part B: ONE real CLI at a time (cooldown 0, so a split is a second reload-all call at
//           once) against a fake service, with the default debounce and with 10 ms.
// Every pass runs alone: a second watcher on 2 cores would be load of its own.
//   node bench/batching.js [--quick]   (BATCHING_DEBUG=1 logs every split's call times)
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
const OLD_DEBOUNCE_MS = 10; // the default before the adaptive window (and when the build does not say)
// an operation is over when nothing came for this long: Part A, no event (a re-check reports
// ~100 ms after an event); Part B, no reload-all call (a re-report's call comes ~100 ms + a window after)
const EVENT_QUIET_MS = 150;
const CALL_QUIET_MS = 250;
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
  return { root, src, stage, files: names.map((f) => path.join(src, f)), branch: 'a', n: 1000 };
}

/** The build's own default debounce and scheduler (for labels, and to replay Part A's events). */
async function buildDefaults() {
  const out = { debounceMs: null, multi: null, scheduler: null };
  try {
    out.debounceMs = (await import(pathToFileURL(path.join(pkgRoot, 'dist/src/config/merge.js')).href)).DEFAULT_DEBOUNCE_MS ?? null;
  } catch {
    /* older build: unknown */
  }
  try {
    out.scheduler = await import(pathToFileURL(path.join(pkgRoot, 'dist/src/engine/scheduler.js')).href);
    out.multi = out.scheduler.MULTI ?? null;
  } catch {
    /* no scheduler to replay */
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
 * Which of one writer's operations would the build's scheduler with this debounce have
 * kept in one batch? All of them go through ONE scheduler state in order (its step(), every
 * timer on time, cooldown 0), so what it learns from one operation's gaps holds for the
 * next, as in a CLI that runs all session; under load it is told the CPUs are busy. An
 * operation splits when a reload fires before its last event. (The CLI sees the same
 * events a little later, and on a stalled loop its timers come late; this explains Part B,
 * it does not replace it.)
 */
function replay({ createSchedulerState, step }, ops, debounceMs, busy) {
  let s = createSchedulerState({ debounceMs, cooldownMs: 0 });
  let fires = 0;
  const feed = (event) => {
    const [next, effects] = step(s, event);
    s = next;
    if (!effects.some((e) => e.type === 'reload')) return;
    fires++;
    [s] = step(s, { type: 'reloadFinished', now: event.now });
  };
  const due = (until) => {
    for (let n = 0; n < 100 && s.tickAt !== null && s.tickAt <= until; n++) feed({ type: 'tick', now: s.tickAt });
  };
  if (busy) feed({ type: 'load', busy: true, now: 0 });
  return ops.map((events) => {
    const before = fires;
    for (const e of events) {
      due(e.at);
      feed({ type: 'change', paths: [e.path], now: e.at });
    }
    const one = events.length > 0 && fires === before;
    due(Infinity);
    return one;
  });
}

async function startLoadProcs(log) {
  log(`batching: CPU load on (${LOAD_PROCS} × node -e 'for(;;){}')`);
  const procs = [];
  for (let i = 0; i < LOAD_PROCS; i++) procs.push(startProcess(process.execPath, ['-e', 'for(;;){}'], { label: `cpu burner ${i + 1}` }));
  await sleep(500); // let them take the cores
  const dead = procs.find((p) => p.exited);
  if (dead) {
    await stopLoadProcs(procs, () => {});
    throw new Error(`${dead.label} exited at once (${dead.exited.code ?? dead.exited.signal})`);
  }
  return procs;
}

async function stopLoadProcs(procs, log) {
  await Promise.all(procs.map((p) => p.stop(500)));
  if (procs.length) log('batching: CPU load off');
}

/** Wait until `quiet()` says nothing came for a while, at most OP_BOUND_MS after the writer exited. */
async function settle(exitAt, quietMs, lastAt, done) {
  const deadline = exitAt + OP_BOUND_MS;
  for (;;) {
    const now = performance.now();
    if ((done() && now - Math.max(exitAt, lastAt()) >= quietMs) || now >= deadline) return;
    await sleep(20);
  }
}

/**
 * Run every writer `reps` times (after one uncounted warm-up round; rounds interleave the
 * writers so a drift in load hits all of them alike). `observe()` starts an operation and
 * returns {lastAt, done, finish}; finish() gives what the operation caused.
 */
async function rounds(ctx, writers, reps, { log, label, observe, quietMs }) {
  const ops = new Map(writers.map((w) => [w.name, []]));
  for (let rep = 0; rep <= reps; rep++) {
    for (const w of writers) {
      const n = ++ctx.n; // new content every operation, across passes too
      if (w.prepare) await w.prepare(ctx, n);
      const o = observe();
      const res = await runChild(w.cmd(ctx, n));
      const exitAt = performance.now();
      await settle(exitAt, quietMs, o.lastAt, o.done);
      const op = { ok: res.ok, error: res.error, ...o.finish() };
      if (rep === 0) {
        // uncounted, but kept: a CLI's very first multi-file operation is the one nothing was learned for
        (ops.warm ??= new Map()).set(w.name, op);
        continue;
      }
      ops.get(w.name).push(op);
      if (process.env.BATCHING_DEBUG && op.calls && !isOne(op.calls)) {
        log(`split (${label}) ${w.name}: calls ${op.calls.map((r) => `${(r.at - exitAt).toFixed(1)} ms after exit: ${r.files.length} files`).join(', ')}`);
      }
    }
    if (rep > 0 && (rep % 5 === 0 || rep === reps)) log(`batching (${label}): ${rep}/${reps} rounds`);
  }
  return ops;
}

/** Part A, alone: our watcher in the bench process, no CLI running. */
async function gapPass(ctx, writers, reps, { log, condition }) {
  const events = [];
  const { startWatcher } = await import(pathToFileURL(distWatcher).href);
  const watcher = await startWatcher({ root: ctx.root, dirs: [ctx.src], ignore: [] }, { onChange: (c) => events.push({ at: performance.now(), path: c.path, kind: c.kind }) });
  try {
    await watcher.ready;
    return await rounds(ctx, writers, reps, {
      log,
      label: `event gaps, ${condition}`,
      quietMs: EVENT_QUIET_MS,
      observe: () => {
        const e0 = events.length;
        return { lastAt: () => events.at(-1)?.at ?? 0, done: () => events.length > e0, finish: () => ({ events: events.slice(e0) }) };
      },
    });
  } finally {
    await watcher.close();
  }
}

/** Part B, alone: ONE real CLI (cooldown 0) against a fake service, nothing else watching. */
async function reloadPass(ctx, writers, reps, { log, condition, setting }) {
  const fake = await startFakeService();
  let cli;
  try {
    cli = await startWatcherCli(ctx.root, fake.url, { config: path.join(ctx.root, setting.config), extraArgs: ['--cooldown', '0'] });
    const ops = await rounds(ctx, writers, reps, {
      log,
      label: `${setting.short}, ${condition}`,
      quietMs: CALL_QUIET_MS,
      observe: () => {
        const c0 = fake.reloads.length;
        return { lastAt: () => fake.reloads.at(-1)?.at ?? 0, done: () => fake.reloads.length > c0, finish: () => ({ calls: fake.reloads.slice(c0) }) };
      },
    });
    if (cli.exited) throw new Error(`the CLI exited (${cli.exited.code ?? cli.exited.signal}): ${cli.stderr.slice(-500)}`);
    return ops;
  } finally {
    await cli?.stop();
    await fake.close();
  }
}

/** Exactly one reload-all call, naming all 10 files. */
const covers = (call) => names.every((f) => call.files.some((p) => path.basename(p) === f));
const isOne = (calls) => calls.length === 1 && covers(calls[0]);

/**
 * Why an operation was not one reload: the first call named one file and the rest came
 * after (a real split), or the first call was complete and a later call re-reported files
 * (the watcher's re-check caught bytes that landed after the first read: nothing lost).
 */
function kind(calls) {
  if (isOne(calls)) return 'one';
  if (calls.length === 0) return 'no call';
  if (calls.length > 1 && covers(calls[0])) return 're-reported later';
  if (calls.length > 1 && calls[0].files.length === 1) return 'first file alone';
  if (calls.length === 1) return `1 call, ${calls[0].files.length} files`;
  return `first call ${calls[0].files.length} files, ${calls.length} calls`;
}

function tally(list) {
  const good = (list ?? []).filter((o) => o.ok);
  const kinds = {};
  for (const o of good) {
    const k = kind(o.calls);
    if (k !== 'one') kinds[k] = (kinds[k] ?? 0) + 1;
  }
  return { one: good.filter((o) => isOne(o.calls)).length, all: good.length, kinds, failed: (list?.length ?? 0) - good.length };
}

function addTally(into, t) {
  into.one += t.one;
  into.all += t.all;
  into.failed += t.failed;
  for (const [k, v] of Object.entries(t.kinds)) into.kinds[k] = (into.kinds[k] ?? 0) + v;
  return into;
}

const emptyTally = () => ({ one: 0, all: 0, kinds: {}, failed: 0 });

function cellText(t) {
  const misses = Object.entries(t.kinds).map(([k, v]) => `${v}× ${k}`);
  return `${t.one}/${t.all}${misses.length ? ` (${misses.join(', ')})` : ''}${t.failed ? `; ${t.failed} writer run(s) failed` : ''}`;
}

const fmt3 = (s) => `${ms(s.p50)} / ${ms(s.p90)} / ${ms(s.max)}`;
const CONDITIONS = [
  ['idle', 'idle'],
  ['load', 'full CPU load'],
];

export async function run({ quick = false, log = defaultLog } = {}) {
  const why = missing(distCli, 'the CLI') ?? missing(distWatcher, 'our watcher');
  if (why) return { name: 'batching', title: 'Batching: multi-file operations → reloads', tables: [table('Batching', ['result'], [[`n/a: ${why}`]])], notes: [] };
  const reps = quick ? 5 : 15;
  const defaults = await buildDefaults();
  const def = defaults.debounceMs ?? OLD_DEBOUNCE_MS;
  const multi = defaults.multi?.quietMs ?? null;
  const SETTINGS = [
    { key: 'default', config: 'cfg-default.json', debounceMs: def, short: `default ${defaults.debounceMs ?? '?'} ms`, label: `default (${defaults.debounceMs ?? '?'} ms, adaptive)` },
    { key: 'old', config: `cfg-${OLD_DEBOUNCE_MS}.json`, debounceMs: OLD_DEBOUNCE_MS, short: `${OLD_DEBOUNCE_MS} ms`, label: `debounceMs ${OLD_DEBOUNCE_MS}` },
  ];
  const writers = WRITERS.filter((w) => !w.unavailable?.());
  const skipped = WRITERS.filter((w) => w.unavailable?.()).map((w) => `${w.name}: skipped, ${w.unavailable()}`);
  const root = await makeTempDir('batching');
  const gapsBy = {};
  const reloadsBy = {}; // `${setting}/${condition}` → ops by writer
  try {
    const ctx = await buildProject(root);
    log(`batching: ${writers.length} writers × ${reps} operations, ${FILES} files each; each pass alone: event gaps, then one CLI per setting; idle, then under load`);
    const conditionPasses = async (condition) => {
      gapsBy[condition] = await gapPass(ctx, writers, reps, { log, condition });
      for (const s of SETTINGS) reloadsBy[`${s.key}/${condition}`] = await reloadPass(ctx, writers, reps, { log, condition, setting: s });
    };
    await conditionPasses('idle');
    let load = [];
    try {
      load = await startLoadProcs(log);
      await conditionPasses('load');
    } finally {
      await stopLoadProcs(load, log);
    }
  } finally {
    await removeTempDir(root);
  }

  const gapRows = [];
  for (const w of writers) {
    for (const [cond, condLabel] of CONDITIONS) {
      const list = gapsBy[cond].get(w.name).filter((o) => o.ok);
      const g = list.map((o) => gaps(o.events)).filter(Boolean);
      const seen = list.map((o) => new Set(o.events.map((e) => path.basename(e.path)).filter((b) => names.includes(b))).size);
      const allSeen = seen.filter((s) => s === FILES).length;
      gapRows.push([
        w.name,
        condLabel,
        fmt3(summarize(g.map((x) => x.firstGap).filter(Number.isFinite))),
        fmt3(summarize(g.map((x) => x.maxGap))),
        ms(summarize(g.map((x) => x.span)).p50),
        `${summarize(list.map((o) => o.events.length)).p50}`,
        ...SETTINGS.map((s) => (defaults.scheduler ? `${replay(defaults.scheduler, list.map((o) => o.events), s.debounceMs, cond === 'load').filter(Boolean).length}/${list.length}` : '–')),
        allSeen === list.length ? '' : `all ${FILES} files reported in ${allSeen}/${list.length}`,
      ]);
    }
  }

  const totals = Object.fromEntries(Object.keys(reloadsBy).map((k) => [k, emptyTally()]));
  const oneRows = writers.map((w) => [
    w.name,
    ...CONDITIONS.flatMap(([cond]) =>
      SETTINGS.map((s) => {
        const t = tally(reloadsBy[`${s.key}/${cond}`].get(w.name));
        addTally(totals[`${s.key}/${cond}`], t);
        return cellText(t);
      }),
    ),
  ]);
  oneRows.push(['all writers', ...CONDITIONS.flatMap(([cond]) => SETTINGS.map((s) => cellText(totals[`${s.key}/${cond}`])))]);
  // each CLI's first operation of each writer (the warm-up round, not counted above)
  oneRows.push([
    'warm-up round (first operation of each writer, uncounted above)',
    ...CONDITIONS.flatMap(([cond]) =>
      SETTINGS.map((s) => {
        const warm = reloadsBy[`${s.key}/${cond}`].warm;
        return cellText(writers.reduce((t, w) => addTally(t, tally(warm?.has(w.name) ? [warm.get(w.name)] : [])), emptyTally()));
      }),
    ),
  ]);

  const failures = Object.entries({ ...Object.fromEntries(Object.entries(gapsBy).map(([c, m]) => [`event gaps/${c}`, m])), ...reloadsBy }).flatMap(([pass, m]) =>
    writers.flatMap((w) => m.get(w.name).filter((o) => !o.ok).map((o) => `${w.name} (${pass}): ${o.error}`)),
  );
  const target = (cond, what) => {
    const t = totals[`default/${cond}`];
    return [`default settings: every multi-file operation → exactly one reload (${what})`, cellText(t).replace(/^(\d+\/\d+)/, '$1 operations'), t.all ? t.one === t.all && t.failed === 0 : null];
  };
  const multiText = multi === null ? 'none' : `${multi} ms`;
  const tables = [
    targetsTable('Targets (auto-hot-reload batching)', [target('idle', 'idle'), target('load', 'under full CPU load')]),
    table(
      `Part A: event gaps per operation of ${FILES} files, as our watcher reports them, no CLI running (p50 / p90 / max over ${reps} operations)`,
      ['writer', 'condition', 'first gap (1st → 2nd file)', 'max gap (consecutive events)', 'span p50', 'events p50', ...SETTINGS.map((s) => `one batch, debounceMs ${s.debounceMs} (predicted)`), 'notes'],
      gapRows,
    ),
    table(
      `Part B: operations that became exactly one reload-all naming all ${FILES} files (one real CLI at a time, cooldown 0, fake service)`,
      ['writer', ...CONDITIONS.flatMap(([, condLabel]) => SETTINGS.map((s) => `${s.label}, ${condLabel}`))],
      oneRows,
    ),
  ];
  const notes = [
    `Every writer is a real, separate process (an editor is its own process): node -e children for the three Node styles, sed, git, vim, cp. Each operation changes all ${FILES} files of src/ with new content; ${reps} operations per writer and pass after one uncounted warm-up round, writers interleaved round by round.`,
    `Every pass runs alone, so nothing else watches the files: Part A is our watcher (dist/src/engine/watcher.js, the one the CLI uses) in the bench process with no CLI; Part B is ONE real CLI per setting and condition, running through all of its operations (config {} → the build's default debounce ${defaults.debounceMs ?? '?'} ms; {"debounceMs": ${OLD_DEBOUNCE_MS}}, the default before the window adapted). In both the one-file window widens while the CPUs are saturated and with what the CLI learns from the gaps between files it has seen (scheduler.ts BUSY and LEARN), and a burst of two or more files waits the multi-file window (${multiText}). "One batch (predicted)" feeds each writer's operations of Part A, in order, through the build's own scheduler (its step(), timers on time, told the CPUs are busy under load); a stalled CLI's late timers (which get one more window) are not replayed, Part B has them.`,
    `--cooldown 0 only so that a split shows up at once as a second reload-all call instead of a trailing one 5 s later. An operation ends when no call came for ${CALL_QUIET_MS} ms, at most ${OP_BOUND_MS / 1000} s after the writer exited (Part A: no event for ${EVENT_QUIET_MS} ms); it is one reload when exactly one call came and it named all ${FILES} files. Misses: "first file alone" = the first call named 1 file and the rest followed (the window split the save); "re-reported later" = the first call was complete and a later one re-reported files (the watcher's re-check caught bytes that landed after its first read: a safety net working, no edit lost, but one reload more).`,
    `Load: ${LOAD_PROCS} node -e 'for(;;){}' processes (one per core here) run through all loaded passes; the writers, the watcher and the CLI compete with them.`,
    ...skipped,
    ...failures.slice(0, 5),
  ];
  const data = { reps, defaults, totals };
  return { name: 'batching', title: 'Batching: multi-file operations → one reload?', tables, notes, data };
}

if (isMain(import.meta.url)) await runStandalone(run);
