// Save-to-serve latency: from a saved file to the first response carrying the new code,
// for auto-hot-reload (serve + watcher CLI, default settings) beside the restart tools
// and hot-hook, on the same tiny service. Also auto-hot-reload save-to-verified.
//   node bench/latency.js [--quick]
import { makeTempDir, removeTempDir } from './lib/cleanup.js';
import { keepAliveAgent, pollUntil, request, sleep } from './lib/http.js';
import { DEFAULT_PREFIX } from './lib/protocol.js';
import { writeService, saveHandler } from './lib/service.js';
import { ALL_TOOLS, autoHotReloadTui, parseJsonLine, selectTools } from './lib/tools.js';
import { summarize, ms, ratio, table, targetsTable } from './lib/stats.js';
import { isMain, runStandalone, log as defaultLog } from './lib/standalone.js';

const DEFAULT_COOLDOWN_MS = 5000; // DESIGN.md default; edits inside it would coalesce
const COOLDOWN_MARGIN_MS = 700; // covers the debounce window plus scheduling jitter
const RESTART_SETTLE_MS = 300; // let a restarted service finish booting before the next save
const SERVE_TIMEOUT_MS = 8000;
const VERIFIED_TIMEOUT_MS = 15000;

// A probe so that "verified" includes a functional check of the new code, not just health.
// BENCH_AHR_CONFIG='{"debounceMs":4}' merges settings in, to compare with the defaults.
const AHR_CONFIG = {
  probes: [{ name: 'gen', method: 'GET', path: '/', expectStatus: 200, bodyContains: '"gen"' }],
  ...JSON.parse(process.env.BENCH_AHR_CONFIG || '{}'),
};

/**
 * Does this CLI JSON line report a finished reload that verified? The engine's JSON
 * shape is matched leniently: an attempt with outcome "ok" and at least one check.
 */
export function verifiedLine(j) {
  if (!j) return false;
  const attempt = j.attempt ?? j.result?.attempt ?? j;
  const outcome = attempt.outcome ?? j.outcome;
  if (outcome !== 'ok') return false;
  const checks = attempt.checks ?? j.checks ?? j.result?.checks;
  return !Array.isArray(checks) || checks.length > 0;
}

/** Probe names the CLI reported as passed on a result line. */
function passedProbes(j) {
  const checks = [...(Array.isArray(j.checks) ? j.checks : []), ...(Array.isArray(j.attemptChecks) ? j.attemptChecks : [])];
  return [...new Set(checks.filter((c) => c?.ok && String(c.name).startsWith('probe:')).map((c) => c.name))];
}

/**
 * Follows the watcher CLI's JSON lines: reload starts (for spacing edits past the cooldown)
 * and verified results by version (for save-to-verified).
 */
function followCli(cli) {
  const state = { lastStart: -Infinity, lastChange: -Infinity, verified: [], starts: 0, changeTimes: [], startTimes: [] };
  cli.onLine((line, at) => {
    const j = parseJsonLine(line);
    if (!j) return;
    if (j.type === 'changes') {
      state.lastChange = at;
      state.changeTimes.push(at);
    }
    if (j.type === 'reload-started') {
      state.lastStart = at;
      state.starts++;
      state.startTimes.push(at);
    }
    if (j.type === 'result' && verifiedLine(j)) state.verified.push({ at, version: j.versionAfter, probes: passedProbes(j), files: j.files ?? [] });
  });
  return state;
}

/** Wait until the CLI is idle and out of its cooldown, so the next save reloads at once. */
async function waitCliIdle(follow, lastSave) {
  const deadline = performance.now() + 30000;
  for (;;) {
    const now = performance.now();
    const idleAt = Math.max(lastSave + DEFAULT_COOLDOWN_MS + COOLDOWN_MARGIN_MS, follow.lastStart + DEFAULT_COOLDOWN_MS + COOLDOWN_MARGIN_MS);
    const pending = follow.lastChange > follow.lastStart; // a change seen and not yet reloaded
    if ((now >= idleAt && !pending) || now > deadline) return;
    await sleep(Math.max(20, Math.min(500, idleAt - now)));
  }
}

async function measureTool(tool, { edits, log }) {
  const dir = await makeTempDir(`latency-${tool.name.replace(/\W+/g, '')}`);
  const isAhr = tool.name === 'auto-hot-reload';
  // the TUI row: the same settings; no JSON lines to follow, so each save waits out the cooldown
  const isTui = tool.name === autoHotReloadTui.name;
  const { handler } = await writeService(dir, {
    withNodeModules: tool.needsNodeModules,
    config: isAhr || isTui ? AHR_CONFIG : undefined,
  });
  const handle = await tool.start(dir, { config: isAhr || isTui ? 'hot-reload.config.json' : undefined });
  const follow = isAhr ? followCli(handle.cli) : null;
  const agent = keepAliveAgent();
  const res = { name: tool.name, inPlace: [], atomic: [], verified: [], missed: 0, unverified: 0, reloadsAfterServe: 0, seen: [], started: [] };
  let lastSave = -Infinity;
  try {
    for (let gen = 1; gen <= edits; gen++) {
      // in-place saves first, then atomic ones: a tool that loses the file after a
      // rename (node --watch does) still gets its in-place numbers
      const mode = gen <= edits / 2 ? 'in-place' : 'atomic';
      if (isAhr) await waitCliIdle(follow, lastSave);
      else if (isTui) await sleep(Math.max(0, lastSave + DEFAULT_COOLDOWN_MS + COOLDOWN_MARGIN_MS - performance.now()));
      else await sleep(RESTART_SETTLE_MS);
      const tBefore = performance.now();
      await saveHandler(handler, gen, mode);
      const t0 = performance.now();
      lastSave = t0;
      const r = await pollUntil(handle.url, (j) => j?.gen === gen, { agent, everyMs: 1, timeoutMs: SERVE_TIMEOUT_MS });
      if (r.at === null) {
        res.missed = edits - gen + 1;
        res.lostAfter = `${mode} save #${gen}`;
        log(`${tool.name}: edit ${gen} (${mode}) not served within ${SERVE_TIMEOUT_MS} ms (still gen ${r.json?.gen}); giving up on this tool`);
        break;
      }
      (mode === 'in-place' ? res.inPlace : res.atomic).push(r.at - t0);
      if (isAhr) {
        // the version now serving the new gen; its verified result line is the one that counts
        const st = await request(`${handle.base}${DEFAULT_PREFIX}/status`, { timeoutMs: 5000 });
        const version = st.json?.status?.version;
        const deadline = performance.now() + VERIFIED_TIMEOUT_MS;
        let hit;
        while (!(hit = follow.verified.find((v) => v.version === version && v.at >= t0)) && performance.now() < deadline) await sleep(5);
        const seen = follow.changeTimes.find((t) => t >= tBefore);
        const started = follow.startTimes.find((t) => t >= tBefore);
        if (seen !== undefined) res.seen.push(seen - t0);
        if (started !== undefined) res.started.push(started - t0);
        if (hit) {
          res.verified.push(hit.at - t0);
          res.probes = hit.probes;
        } else res.unverified++;
      }
    }
    if (isAhr) {
      await waitCliIdle(follow, lastSave); // let a trailing reload show up before counting
      res.reloads = follow.starts;
      res.reloadsAfterServe = follow.starts - (res.inPlace.length + res.atomic.length);
    }
  } finally {
    agent.destroy();
    await handle.stop();
    await removeTempDir(dir);
  }
  return res;
}

export async function run({ quick = false, log = defaultLog } = {}) {
  const edits = quick ? 10 : 30;
  const results = [];
  for (const tool of selectTools(ALL_TOOLS)) {
    const why = tool.unavailable();
    if (why) {
      results.push({ name: tool.name, error: why });
      continue;
    }
    log(`latency: ${tool.name}, ${edits} edits`);
    try {
      results.push(await measureTool(tool, { edits, log }));
    } catch (e) {
      log(`latency: ${tool.name} failed: ${e.message}`);
      results.push({ name: tool.name, error: e.message.split('\n')[0] });
    }
  }

  const ahr = results.find((r) => r.name === 'auto-hot-reload' && !r.error);
  const ahrP50 = ahr ? summarize([...ahr.inPlace, ...ahr.atomic]).p50 : NaN;
  const rows = results.map((r) => {
    if (r.error) return [r.name, '–', '–', '–', '–', '–', '–', '–', `n/a: ${r.error}`];
    const all = summarize([...r.inPlace, ...r.atomic]);
    return [
      r.name,
      `${all.n}/${edits}`,
      ms(all.p50),
      ms(all.p90),
      ms(all.max),
      ms(summarize(r.inPlace).p50),
      ms(summarize(r.atomic).p50),
      r.name === 'auto-hot-reload' ? '1.0×' : ratio(all.p50, ahrP50),
      r.missed ? `stopped serving new code at the ${r.lostAfter} (${r.missed} edit(s) not served)` : '',
    ];
  });
  const tables = [
    table(
      `Save-to-serve latency, ${edits} edits per tool (first half in-place writeFile, second half temp-file + rename)`,
      ['tool', 'served', 'p50', 'p90', 'max', 'p50 in-place', 'p50 atomic', 'p50 / auto-hot-reload p50', 'notes'],
      rows,
    ),
  ];
  if (ahr) {
    const v = summarize(ahr.verified);
    tables.push(
      table(
        'auto-hot-reload save-to-verified: arrival of the CLI JSON result line (outcome ok, checks and probes passed) for the version that serves the new code',
        ['tool', 'verified', 'p50', 'p90', 'max', 'notes'],
        [
          [
            'auto-hot-reload',
            `${v.n}/${ahr.inPlace.length + ahr.atomic.length}`,
            ms(v.p50),
            ms(v.p90),
            ms(v.max),
            [
              ahr.probes?.length ? `checks passed include ${ahr.probes.join(', ')}` : 'no probe check reported',
              ahr.unverified ? `${ahr.unverified} without a verified line` : '',
            ]
              .filter(Boolean)
              .join('; '),
          ],
        ],
      ),
    );
  }
  const p50Of = (name) => {
    const r = results.find((x) => x.name === name && !x.error);
    return r ? summarize([...r.inPlace, ...r.atomic]).p50 : NaN;
  };
  const verifiedP50 = ahr ? summarize(ahr.verified).p50 : NaN;
  const fin = (v) => (Number.isFinite(v) ? v : null);
  const speedup = (name) => {
    const x = p50Of(name) / ahrP50;
    return [`≥ 10× faster than ${name} (p50)`, Number.isFinite(x) ? `${x.toFixed(1)}× (${ms(p50Of(name))} vs ${ms(ahrP50)})` : null, Number.isFinite(x) ? x >= 10 : null];
  };
  tables.unshift(
    targetsTable('Targets (auto-hot-reload, default settings)', [
      ['p50 save-to-serve ≤ 20 ms', fin(ahrP50) && ms(ahrP50), fin(ahrP50) && ahrP50 <= 20],
      ['p50 save-to-verified ≤ 50 ms', fin(verifiedP50) && ms(verifiedP50), fin(verifiedP50) && verifiedP50 <= 50],
      speedup('node --watch'),
      speedup('nodemon'),
    ]),
  );
  if (ahr?.reloadsAfterServe) {
    tables[1].rows[results.indexOf(ahr)][8] = `${ahr.reloads} reloads for ${ahr.inPlace.length + ahr.atomic.length} saves: ${ahr.reloadsAfterServe} extra reload(s) after the new code was served (trailing, after the cooldown)`;
  }
  if (ahr) {
    const row = (label, v) => {
      const x = summarize(v);
      return [label, String(x.n), ms(x.p50), ms(x.p90), ms(x.max)];
    };
    tables.push(
      table('auto-hot-reload, where the time goes (from the end of the save; CLI lines timestamped on arrival)', ['step', 'n', 'p50', 'p90', 'max'], [
        row('change reported by the CLI', ahr.seen),
        row('reload started (after the debounce)', ahr.started),
        row('new code served', [...ahr.inPlace, ...ahr.atomic]),
        row('verified (result line)', ahr.verified),
      ]),
    );
  }
  const notes = [
    'Poller: one keep-alive connection, a GET every ~1 ms until the body carries the new gen (bounded 8 s per edit; a tool that misses an edit is not asked again).',
    `auto-hot-reload runs with default settings (debounce and the ${DEFAULT_COOLDOWN_MS / 1000} s cooldown included); each edit waits until the CLI is idle and ${(DEFAULT_COOLDOWN_MS + COOLDOWN_MARGIN_MS) / 1000} s past both the previous save and the last reload it started, so that each save starts a reload at once instead of joining a trailing reload after the cooldown. The other tools get ${RESTART_SETTLE_MS} ms after the previous edit was served.`,
    `${autoHotReloadTui.name}: the same service and settings with the CLI's Ink TUI on a 100×30 terminal (scripts/tmux.js, a private tmux server), as people run it while coding; each save waits out the cooldown. The targets use the headless row.`,
    'Targets: auto-hot-reload p50 save-to-serve ≤ 20 ms, save-to-verified ≤ 50 ms, ≥ 10× faster than node --watch and nodemon.',
  ];
  return { name: 'latency', title: 'Save-to-serve latency', tables, notes, data: results };
}

if (isMain(import.meta.url)) await runStandalone(run);
