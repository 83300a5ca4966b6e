// The TUI on the real engine against the seed's old server (its double): the header shows
// what that server reports (reloaders and their versions, monitored files; no "version ?"),
// an advisory check is ⚠ not ✖, a failed reloader is named, and a long reload reads
// "reloading for Ns", never "disconnected".
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cleanup, render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App } from '../components/App.js';
import { serviceSegs } from '../components/panels/Header.js';
import { segsText } from '../components/view/segments.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import type { Config } from '../src/types.js';
import { makeConfig } from './helpers/config.js';
import { startSeedServer, type SeedServer } from './helpers/seed-server.js';
import { plain, waitForFrame, waitForText } from './helpers/tui-state.js';

let seed: SeedServer;
let root: string;
let engine: Engine | undefined;

beforeEach(async () => {
  seed = await startSeedServer({ reloadAllMs: 50 });
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ahr-seed-tui-'));
  await fs.mkdir(path.join(root, 'src'));
});
afterEach(async () => {
  cleanup();
  await engine?.close();
  engine = undefined;
  await seed.close();
  await fs.rm(root, { recursive: true, force: true });
});

/** The real engine in watch mode against the double, and the App on its store. */
async function startTui(overrides: Partial<Config> = {}, opts: { width?: number; height?: number; pollIntervalMs?: number } = {}) {
  engine = createEngine(
    makeConfig({
      root,
      dirs: [path.join(root, 'src')],
      apiUrl: seed.url,
      logDir: path.join(root, 'logs'),
      advisoryChecks: ['worker_sync'],
      probes: [{ name: 'greeting', method: 'GET', path: '/api/v1/greeting', expectStatus: 200 }],
      timeouts: { reloadMs: 60_000, verifyMs: 5000, rollbackMs: 5000, statusMs: 2000 },
      tui: true,
      ...overrides,
    }),
    opts.pollIntervalMs ? { pollIntervalMs: opts.pollIntervalMs } : {},
  );
  await engine.start();
  return render(<App store={engine.store} width={opts.width ?? 100} height={opts.height ?? 30} />);
}

describe('the TUI against the seed server', () => {
  it('header: reloaders and versions, monitored files, no "version ?"; a reload verified with ⚠ worker_sync', async () => {
    const r = await startTui({}, { pollIntervalMs: 250 });
    const header = await waitForText(r.lastFrame, '46 files monitored', 5000);
    expect(header).toMatch(/reloaders rules 1, content 1, source \d{10} · 46 files monitored/);
    expect(header).not.toContain('version ?');
    r.stdin.write('t');
    const done = await waitForFrame(r.lastFrame, (f) => f.includes('advisory: Worker 同步监控未运行') && /reloaders rules 2/.test(f), 8000);
    expect(done).toMatch(/⚠ server:worker_sync\s+advisory: Worker 同步监控未运行/);
    // the advisory check is shown, not counted
    expect(done).toMatch(/Verification 7\/7 passed/);
    expect(done).not.toContain('✖');
    expect(seed.callsTo('status')).toHaveLength(2); // the dialect once, the reload's verification once
  });

  it('a failed reloader is named; the rollback shows', async () => {
    const r = await startTui({}, { pollIntervalMs: 250 });
    await waitForText(r.lastFrame, '46 files monitored', 5000);
    seed.failReloaders(['rules']);
    r.stdin.write('t');
    const f = await waitForText(r.lastFrame, '↺ after rollback', 8000);
    expect(f).toMatch(/✖ reload {2}重载完成: 7 成功, 1 失败 \| 已通知所有 Worker \(version: 1\); failed: rules/);
    expect(f).toContain('↺ rolled back');
    expect(seed.rollbacks).toBe(1);
  });

  it('a long reload reads "reloading for Ns" while polls time out, never "disconnected"', async () => {
    seed.setReloadAllMs(2500);
    const r = await startTui({ timeouts: { reloadMs: 60_000, verifyMs: 5000, rollbackMs: 5000, statusMs: 300 } }, { pollIntervalMs: 250 });
    await waitForText(r.lastFrame, '46 files monitored', 5000);
    const frames: string[] = [];
    const seen = setInterval(() => frames.push(plain(r.lastFrame())), 20);
    r.stdin.write('t');
    const busy = await waitForFrame(r.lastFrame, (f) => /● connected · reloading for [12]s/.test(f), 8000);
    expect(busy.split('\n')[0]).toMatch(/auto-hot-reload {2}http:\/\/127\.0\.0\.1:\d+ {2}● connected · reloading for [12]s/);
    await waitForText(r.lastFrame, 'advisory: Worker 同步监控未运行', 8000);
    clearInterval(seen);
    expect(frames.some((f) => f.includes('disconnected'))).toBe(false);
    expect(plain(r.lastFrame())).not.toContain('reloading for');
  });

  it('the real server\'s 35 s reload-all, with the default timeouts: "reloading for 30s", then the result', async () => {
    seed.setReloadAllMs(35_000);
    // the defaults: status/health polls every 2 s with a 5 s timeout, a 60 s reload timeout
    const r = await startTui({ probes: [], timeouts: { reloadMs: 60_000, verifyMs: 15_000, rollbackMs: 30_000, statusMs: 5000 } }, { width: 80, height: 24 });
    await waitForText(r.lastFrame, '46 files monitored', 5000);
    r.stdin.write('t');
    const busy = await waitForFrame(r.lastFrame, (f) => /reloading for 3[0-4]s/.test(f), 40_000);
    expect(busy).not.toContain('disconnected');
    // the panels redraw at their own pace: wait for the whole screen to agree
    const done = await waitForFrame(r.lastFrame, (f) => f.includes('✔ trigger: reloaded 8 modules, verified') && f.includes('✔ ok'), 20_000);
    await waitForFrame(r.lastFrame, (f) => !f.includes('reloading for'), 5000);
    expect(done).toMatch(/reloaders rules 2, content 2, source \d{10} · 46 files monitored/);
    expect(engine!.store.getState().history[0]).toMatchObject({ outcome: 'ok' });
    expect(engine!.store.getState().history[0].durationMs).toBeGreaterThanOrEqual(35_000);
  }, 70_000);

  it('the header line of that dialect, compact, with the server\'s names shown and never obeyed', () => {
    const service = { running: true, interval: 60, versions: { rules: { current: 1 }, 'x\u001b[2J': { current: 2 }, cache: {} }, file_monitor: { monitored_files: 1 } };
    const t = { name: 'p', apiUrl: 'http://h', connection: { state: 'connected' as const, checkedAt: 0 }, service };
    expect(segsText(serviceSegs(t, 0))).toBe('reloaders rules 1, x\u241b[2J 2, cache · 1 file monitored');
    expect(segsText(serviceSegs({ ...t, service: { running: true } }, 0))).toBe('no version information');
  });
});
