// Availability during reloads: keep-alive load (autocannon) against the tiny service while
// it takes 100 reloads (quick: 20); failed requests (connection errors + non-2xx) per tool,
// and whether the in-memory counter (src/state.js) survived.
//   node bench/availability.js [--quick]
import { makeTempDir, removeTempDir } from './lib/cleanup.js';
import { keepAliveAgent, pollUntil, request, sleep } from './lib/http.js';
import { writeService, saveHandler } from './lib/service.js';
import { startAgent, agentUnavailable, hotHook, nodeWatch, nodemon, tsxWatch, selectTools } from './lib/tools.js';
import { startLoad } from './lib/load.js';
import { table, targetsTable } from './lib/stats.js';
import { isMain, runStandalone, log as defaultLog } from './lib/standalone.js';
import { DEFAULT_PREFIX } from './lib/protocol.js';

const CONNECTIONS = 10;
const SERVE_TIMEOUT_MS = 8000;
const GAP_MS = 50; // load keeps running between reloads too

// auto-hot-reload: the agent alone, each reload asked for over the protocol right after the
// save, as the watcher CLI would (the CLI's 5 s cooldown would make 100 reloads take 8 min).
const ahrTool = {
  name: 'auto-hot-reload',
  unavailable: agentUnavailable,
  async start(dir) {
    const a = await startAgent(dir);
    return {
      url: a.url,
      stop: () => a.proc.stop(),
      async reload(gen) {
        const r = await request(`${a.base}${DEFAULT_PREFIX}/reload-all`, {
          method: 'POST',
          body: { files: ['src/handler.js'], reason: 'manual' },
          timeoutMs: 10000,
        });
        if (r.status !== 200 || !r.json?.success || !r.json?.activated) {
          throw new Error(`reload to gen ${gen} failed: HTTP ${r.status} ${r.body.slice(0, 200)}`);
        }
      },
    };
  },
};

export async function run({ quick = false, log = defaultLog } = {}) {
  const reloads = quick ? 20 : 100;
  const selected = new Set(selectTools([ahrTool, hotHook, nodeWatch, nodemon, tsxWatch]));
  // the in-process reloaders also take atomic saves (temp file + rename): an in-place save
  // is a truncate then a write, and a reloader may read the file in between
  const runsOf = [
    [ahrTool, 'in-place'],
    [ahrTool, 'atomic'],
    [hotHook, 'in-place'],
    [hotHook, 'atomic'],
    [nodeWatch, 'in-place'],
    [nodemon, 'in-place'],
    [tsxWatch, 'in-place'],
  ].filter(([t]) => selected.has(t));
  const rows = [];
  const data = [];
  for (const [tool, saveMode] of runsOf) {
    const label = `${tool.name}, ${saveMode} saves`;
    const why = tool.unavailable();
    if (why) {
      rows.push([label, '–', '–', '–', '–', '–', '–', `n/a: ${why}`]);
      continue;
    }
    log(`availability: ${label}, ${reloads} reloads under ${CONNECTIONS}-connection load`);
    const dir = await makeTempDir(`avail-${tool.name.replace(/\W+/g, '')}`);
    const poller = keepAliveAgent();
    let handle;
    let load;
    try {
      const { handler } = await writeService(dir, { withNodeModules: tool.needsNodeModules });
      handle = await tool.start(dir);
      const before = await request(handle.url, { agent: poller });
      const c0 = before.json.count;
      load = startLoad(handle.url, { connections: CONNECTIONS, maxSeconds: reloads * 3 + 30 });
      let done = 0;
      let note = '';
      for (let gen = 1; gen <= reloads; gen++) {
        await sleep(GAP_MS);
        await saveHandler(handler, gen, saveMode);
        if (handle.reload) await handle.reload(gen);
        const r = await pollUntil(handle.url, (j) => j?.gen === gen, { agent: poller, everyMs: 2, timeoutMs: SERVE_TIMEOUT_MS });
        if (r.at === null) {
          const last = r.status === undefined ? 'no answer' : `last answer HTTP ${r.status}${r.json?.error ? ` ${r.json.error.slice(0, 80)}` : ''}`;
          note = `gen ${gen} never served within ${SERVE_TIMEOUT_MS / 1000} s (${last}); stopped after ${done} reloads`;
          break;
        }
        done++;
      }
      await sleep(GAP_MS);
      const res = await load.stop();
      load = null;
      const after = await request(handle.url, { agent: poller }).catch(() => null);
      const c1 = after?.json?.count;
      // every 2xx answer and the poller's requests incremented the counter; a restart resets it
      const survived = typeof c1 === 'number' && c1 >= c0 + res.ok2xx;
      data.push({ tool: tool.name, saveMode, reloads: done, ...res, countBefore: c0, countAfter: c1, survived });
      rows.push([
        label,
        String(done),
        String(res.ok2xx),
        String(res.failed),
        done ? (res.failed / done).toFixed(1) : '–',
        `${res.errors} / ${res.non2xx}`,
        typeof c1 !== 'number'
          ? `unknown (service answers HTTP ${after?.status ?? 'nothing'})`
          : survived
            ? `yes (counter ${c1})`
            : `no (counter ${c1} after ${res.ok2xx} answers)`,
        note,
      ]);
    } catch (e) {
      const exits = (handle?.procs ?? []).filter((p) => p.exited).map((p) => `${p.label} exited (${p.exited.code ?? p.exited.signal}): ${p.stderr.slice(-600)}`);
      log(`availability: ${label} failed: ${e.message}${exits.length ? `\n${exits.join('\n')}` : ''}`);
      rows.push([label, '–', '–', '–', '–', '–', '–', `failed: ${e.message.split('\n')[0]}`]);
    } finally {
      if (load) await load.stop().catch(() => {});
      poller.destroy();
      if (handle) await handle.stop();
      await removeTempDir(dir);
    }
  }
  const ahrRuns = data.filter((d) => d.tool === 'auto-hot-reload');
  const ahrFailed = ahrRuns.reduce((a, d) => a + d.failed, 0);
  const complete = ahrRuns.length > 0 && ahrRuns.every((d) => d.reloads === reloads);
  const tables = [
    targetsTable('Targets (auto-hot-reload)', [
      [`0 failed requests during ${reloads} reloads`, ahrRuns.length ? `${ahrFailed} failed over ${ahrRuns.length} run(s)${complete ? '' : ' (not all reloads done)'}` : null, ahrRuns.length ? ahrFailed === 0 && complete : null],
      ['in-memory state survives', ahrRuns.length ? ahrRuns.map((d) => (d.survived ? 'yes' : 'no')).join(', ') : null, ahrRuns.length ? ahrRuns.every((d) => d.survived) : null],
    ]),
    table(
      `Availability during ${reloads} reloads (${CONNECTIONS} keep-alive connections, autocannon)`,
      ['tool', 'reloads', '2xx answers', 'failed', 'failed per reload', 'errors / non-2xx', 'in-memory state survived', 'notes'],
      rows,
    ),
  ];
  const notes = [
    'Each reload: save src/handler.js (in place: writeFile; atomic: temp file + rename), then wait until the service answers the new gen (the restart tools restart the process; hot-hook and the agent reload in-process).',
    'auto-hot-reload here is the agent (`serve`) with each reload asked for over HTTP right after the save, so the watcher\'s 5 s cooldown does not stretch the run; the watcher path is measured in the latency benchmark.',
    'State: a counter module increments on every request; it survived if its final value covers every 2xx answer served during the run.',
    'Target: 0 failed requests for auto-hot-reload.',
  ];
  return { name: 'availability', title: 'Availability during reloads', tables, notes, data };
}

if (isMain(import.meta.url)) await runStandalone(run);
