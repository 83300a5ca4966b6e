// Save-to-serve latency: from a saved file to the first response carrying the new code,
// for auto-hot-reload (serve + watcher CLI, default settings) beside the restart tools
// and hot-hook, on the same tiny service. Also auto-hot-reload save-to-verified.
//   node bench/latency.js [--quick]
import { makeTempDir, removeTempDir } from './lib/cleanup.js';
import { keepAliveAgent, pollUntil, sleep } from './lib/http.js';
import { writeService, saveHandler } from './lib/service.js';
import { ALL_TOOLS, parseJsonLine, selectTools } from './lib/tools.js';
import { summarize, ms, ratio, table } from './lib/stats.js';
import { isMain, runStandalone, log as defaultLog } from './lib/standalone.js';

const DEFAULT_COOLDOWN_MS = 5000; // DESIGN.md default; edits inside it would coalesce
const COOLDOWN_MARGIN_MS = 700; // covers the debounce window plus scheduling jitter
const RESTART_SETTLE_MS = 300; // let a restarted service finish booting before the next save
const SERVE_TIMEOUT_MS = 8000;
const VERIFIED_TIMEOUT_MS = 15000;

// A probe so that "verified" includes a functional check of the new code, not just health.
const AHR_CONFIG = {
  probes: [{ name: 'gen', method: 'GET', path: '/', expectStatus: 200, bodyContains: '"gen"' }],
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

async function measureTool(tool, { edits, log }) {
  const dir = await makeTempDir(`latency-${tool.name.replace(/\W+/g, '')}`);
  const isAhr = tool.name === 'auto-hot-reload';
  const { handler } = await writeService(dir, {
    withNodeModules: tool.needsNodeModules,
    config: isAhr ? AHR_CONFIG : undefined,
  });
  const handle = await tool.start(dir, { config: isAhr ? 'hot-reload.config.json' : undefined });
  const agent = keepAliveAgent();
  const res = { name: tool.name, inPlace: [], atomic: [], verified: [], missed: 0, unverified: 0 };
  let lastSave = -Infinity;
  try {
    for (let gen = 1; gen <= edits; gen++) {
      // in-place saves first, then atomic ones: a tool that loses the file after a
      // rename (node --watch does) still gets its in-place numbers
      const mode = gen <= edits / 2 ? 'in-place' : 'atomic';
      if (isAhr) {
        const wait = lastSave + DEFAULT_COOLDOWN_MS + COOLDOWN_MARGIN_MS - performance.now();
        if (wait > 0) await sleep(wait);
      } else {
        await sleep(RESTART_SETTLE_MS);
      }
      let verifiedAt = null;
      let off = () => {};
      const verified = isAhr
        ? new Promise((resolve) => {
            const timer = setTimeout(() => resolve(null), VERIFIED_TIMEOUT_MS);
            off = handle.cli.onLine((line, at) => {
              if (verifiedLine(parseJsonLine(line))) {
                clearTimeout(timer);
                resolve(at);
              }
            });
          })
        : null;
      await saveHandler(handler, gen, mode);
      const t0 = performance.now();
      lastSave = t0;
      const r = await pollUntil(handle.url, (j) => j?.gen === gen, { agent, everyMs: 1, timeoutMs: SERVE_TIMEOUT_MS });
      if (r.at === null) {
        res.missed = edits - gen + 1;
        res.lostAfter = `${mode} save #${gen}`;
        log(`${tool.name}: edit ${gen} (${mode}) not served within ${SERVE_TIMEOUT_MS} ms (still gen ${r.json?.gen}); giving up on this tool`);
        off();
        break;
      } else {
        (mode === 'in-place' ? res.inPlace : res.atomic).push(r.at - t0);
      }
      if (verified) {
        verifiedAt = await verified;
        off();
        if (verifiedAt === null) res.unverified++;
        else res.verified.push(verifiedAt - t0);
      }
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
        'auto-hot-reload save-to-verified (CLI JSON line: reload verified, probes passed; timestamped on arrival)',
        ['tool', 'verified', 'p50', 'p90', 'max', 'notes'],
        [['auto-hot-reload', `${v.n}/${edits}`, ms(v.p50), ms(v.p90), ms(v.max), ahr.unverified ? `${ahr.unverified} without a verified line` : '']],
      ),
    );
  }
  const notes = [
    'Poller: one keep-alive connection, a GET every ~1 ms until the body carries the new gen (bounded 8 s per edit; a tool that misses an edit is not asked again).',
    `auto-hot-reload runs with default settings (debounce and the ${DEFAULT_COOLDOWN_MS / 1000} s cooldown included); its edits are spaced ${(DEFAULT_COOLDOWN_MS + COOLDOWN_MARGIN_MS) / 1000} s apart so that each one starts a reload at once instead of coalescing into the trailing reload of the previous one. The other tools get ${RESTART_SETTLE_MS} ms after the previous edit was served.`,
    'Targets: auto-hot-reload p50 save-to-serve ≤ 20 ms, save-to-verified ≤ 50 ms, ≥ 10× faster than node --watch and nodemon.',
  ];
  return { name: 'latency', title: 'Save-to-serve latency', tables, notes, data: results };
}

if (isMain(import.meta.url)) await runStandalone(run);
