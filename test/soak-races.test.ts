// Changes racing reloads: a copy of the demo under a real `serve` agent, watched by the real
// CLI (`--watch --no-tui --json`, short cooldown), while seeded random edits land on a route
// module and a module it imports at random moments — in place, atomically (temp file + rename, in and outside the
// watched dir), and torn (truncate, then write). After the last edit of each seed the
// service must serve exactly the last content, from the same process: no edit lost.
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, PREFIX, REPO, startServe, type ServeProcess } from './helpers/agent-fixture.js';
import { BIN, buildOnce } from './helpers/cli-process.js';
import { createRng } from './helpers/prng.js';

const SEEDS = [0x50a101, 0x50a102, 0x50a103];
const EDITS_PER_SEED = 15;
const SETTLE_MS = 15_000; // bound on "the last edit is served", far above cooldown + reload + verify

let work: string;
let serve: ServeProcess;
let watcher: ChildProcess;
let watcherOut = '';
let watcherErr = '';

// Two modules race: the route, and a module it imports (so an edit there must reach the
// route through the importer chain). The route answers `gen ROUTE/SUFFIX`.
type Target = 'route' | 'suffix';
const FILES: Record<Target, string> = { route: 'server/routes/greeting.js', suffix: 'server/routes/suffix.js' };
const fileOf = (t: Target) => path.join(work, FILES[t]);
const SOURCES: Record<Target, (gen: number) => string> = {
  route: (gen) =>
    `// generation ${gen}, written by soak-races.test.ts\nimport { json } from '../http.js';\nimport { suffix } from './suffix.js';\n\n/** @param {import('../router.js').DemoRequest} _request */\nexport function greeting(_request) {\n  return json(200, { greeting: \`gen ${gen}/\${suffix}\`, version: ${gen}, pid: process.pid });\n}\n`,
  suffix: (gen) => `// generation ${gen}, written by soak-races.test.ts\nexport const suffix = ${gen};\n`,
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    const died = watcher?.exitCode !== null && watcher?.exitCode !== undefined ? ` (the watcher exited with ${watcher.exitCode})` : '';
    if (Date.now() > end || died) throw new Error(`${died ? `gave up${died}` : `timed out after ${timeoutMs} ms`} waiting for ${what}\nwatcher stdout (tail):\n${watcherOut.slice(-3000)}\nwatcher stderr:\n${watcherErr.slice(-2000)}\nagent output (tail):\n${serve.output().slice(-2000)}`);
    await sleep(25);
  }
}

const served = async () => {
  const r = await call(`${serve.base}/api/v1/greeting`);
  return r.status === 200 ? (r.body as { greeting: string }).greeting : `HTTP ${r.status}`;
};

beforeAll(async () => {
  await buildOnce();
  work = await mkdtemp(path.join(os.tmpdir(), 'ahr-soak-'));
  await cp(path.join(REPO, 'examples/demo'), work, { recursive: true });
  await writeFile(fileOf('suffix'), SOURCES.suffix(0));
  await writeFile(fileOf('route'), SOURCES.route(0));
  serve = await startServe([path.join(work, 'server/app.js')], {}, 'cli');
  watcher = spawn(
    process.execPath,
    [BIN, '--watch', '--no-tui', '--json', '--config', path.join(work, 'hot-reload.config.json'), '--api-url', serve.base, '--cooldown', '0.2', '--log-dir', path.join(work, 'logs')],
    { cwd: work, env: { ...process.env, NO_COLOR: '1', API_BASE_URL: '', HOT_RELOAD_TOKEN: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  watcher.stdout!.on('data', (d: Buffer) => (watcherOut += d.toString()));
  watcher.stderr!.on('data', (d: Buffer) => (watcherErr += d.toString()));
  await waitFor('the watcher to be ready', 15_000, async () => (/"type":"ready"/.test(watcherOut) ? true : undefined));
}, 120_000);

afterAll(async () => {
  if (watcher && watcher.exitCode === null) {
    const closed = new Promise((r) => watcher.once('close', r));
    watcher.kill('SIGKILL');
    await closed;
  }
  await serve?.stop('SIGKILL');
  if (work) await rm(work, { recursive: true, force: true });
});

type Style = 'in-place' | 'atomic-swp' | 'atomic-outside' | 'atomic-jb' | 'torn';

async function edit(target: Target, gen: number, style: Style): Promise<void> {
  const file = fileOf(target);
  const text = SOURCES[target](gen);
  const base = path.basename(file);
  switch (style) {
    case 'in-place':
      return writeFile(file, text);
    case 'atomic-swp': {
      // vim-like: a temp file the watcher ignores, renamed over the original
      const tmp = path.join(path.dirname(file), `.${base}.${gen}.swp`);
      await writeFile(tmp, text);
      return rename(tmp, file);
    }
    case 'atomic-outside': {
      const tmp = path.join(work, `${base}.${gen}.tmp`);
      await writeFile(tmp, text);
      return rename(tmp, file);
    }
    case 'atomic-jb': {
      // JetBrains-like: a temp file the watcher does see appear and vanish
      const tmp = `${file}___jb_tmp___${gen}`;
      await writeFile(tmp, text);
      return rename(tmp, file);
    }
    case 'torn':
      // truncated first, filled a moment later: a reload may catch the empty file in between
      await writeFile(file, '');
      await sleep(3);
      return writeFile(file, text);
  }
}

describe('changes racing reloads', () => {
  it(`${SEEDS.length} seeds × ${EDITS_PER_SEED} random edits of a route and a module it imports: the last content is served every time, by the same process`, async () => {
    const bootStatus = (await call(`${serve.base}${PREFIX}/status`)).body.status as { pid: number; boot_id: string; version: number };
    expect(await served()).toBe('gen 0/0');
    let gen = 0;
    const last: Record<Target, number> = { route: 0, suffix: 0 };
    const log: string[] = [];
    for (const seed of SEEDS) {
      const rng = createRng(seed);
      for (let i = 0; i < EDITS_PER_SEED; i++) {
        gen++;
        const target: Target = rng.chance(0.7) ? 'route' : 'suffix';
        last[target] = gen;
        const style = rng.pick<Style>(['in-place', 'in-place', 'atomic-swp', 'atomic-outside', 'atomic-jb', 'torn']);
        // bursts, gaps inside the cooldown, and gaps past it (while a reload or verify runs)
        const gap = rng.pick([0, 0, 5, 20, 60, 150, 250, 400, 700]);
        await sleep(gap);
        await edit(target, gen, style);
        log.push(`seed=${seed} #${i} ${target} gen ${gen} ${style} after ${gap} ms`);
      }
      const want = `gen ${last.route}/${last.suffix}`;
      await waitFor(`"${want}" to be served (seed=${seed}; edits: ${log.slice(-EDITS_PER_SEED).join('; ')})`, SETTLE_MS, async () => ((await served()) === want ? true : undefined));
      // and it stays: nothing older comes back once the watcher has settled
      await waitFor(`the watcher to settle (seed=${seed})`, SETTLE_MS, async () => {
        const s = (await call(`${serve.base}${PREFIX}/status`)).body.status as { state: string };
        return s.state === 'idle' ? true : undefined;
      });
      await sleep(600); // longer than cooldown + debounce: a late trailing reload would land here
      expect(await served(), `seed=${seed}`).toBe(want);
    }
    const status = (await call(`${serve.base}${PREFIX}/status`)).body.status as { pid: number; boot_id: string; version: number; last_reload: { ok: boolean } };
    expect([status.pid, status.boot_id]).toEqual([bootStatus.pid, bootStatus.boot_id]);
    expect(status.pid).toBe(serve.pid);
    // coalescing: never more versions than edits, at least one per seed
    expect(status.version).toBeGreaterThanOrEqual(1 + SEEDS.length);
    expect(status.version).toBeLessThanOrEqual(1 + gen);
    // the watcher saw it all without a crash and without a stack trace
    expect(watcher.exitCode).toBeNull();
    expect(watcherOut + watcherErr).not.toMatch(/\n\s+at |unexpected error/);
    const results = watcherOut
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { type: string; ok?: boolean; kind?: string })
      .filter((e) => e.type === 'result');
    expect(results.length).toBeGreaterThanOrEqual(SEEDS.length);
    // the last reload of the run succeeded
    expect(results.at(-1)).toMatchObject({ type: 'result', kind: 'trigger', ok: true });
  }, 120_000);
  it('a torn save (truncated, filled 15 ms later: a writer that lost the CPU) is reloaded once, whole: no failed reload of the empty file', async () => {
    const results = () =>
      watcherOut
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { type: string; ok?: boolean; files?: string[] })
        .filter((e) => e.type === 'result');
    await sleep(1500); // past the cooldown of whatever ran before
    const before = results().length;
    const gen = 9001;
    const text = SOURCES.route(gen);
    await writeFile(fileOf('route'), ''); // the truncate of a save…
    await sleep(15); // …the writer descheduled (the one-file window is 4 ms)…
    await writeFile(fileOf('route'), text); // …and the bytes land
    const want = `gen ${gen}/`;
    await waitFor(`"${want}…" to be served`, SETTLE_MS, async () => ((await served()).startsWith(want) ? true : undefined));
    await sleep(1500); // a re-check's re-report and a trailing reload would land here
    const mine = results().slice(before);
    expect(mine.map((r) => r.ok)).toEqual([true]);
  }, 30_000);
});
