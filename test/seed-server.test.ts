// The seed's old server: first that its test double answers as the recordings say, then
// the engine against it — one-shot runs, --module, advisory checks, a failed reloader,
// watch mode's polling without side effects and a long reload that is not a disconnection.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { diffEvents, eventLines } from '../src/cli/watch-lines.js';
import { styleFor } from '../src/cli/output.js';
import { createEngine, type Engine } from '../src/engine/engine.js';
import type { Config, EngineState, Probe } from '../src/types.js';
import { makeConfig } from './helpers/config.js';
import { RELOADERS, startSeedServer, type SeedServer } from './helpers/seed-server.js';
import { readWire } from './helpers/seed-wire.js';

const wire = readWire();
const recorded = (title: string) => {
  const a = wire.find((w) => w.title === title);
  if (!a) throw new Error(`no recorded answer "${title}"`);
  return a;
};

/** The shape of a JSON value: keys and types, recursively (an array by its first element). */
function shape(v: unknown): unknown {
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.length ? [shape(v[0])] : [];
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v as object).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, shape(x)]));
  return typeof v;
}

let seed: SeedServer;
let root: string;
let engine: Engine | undefined;

beforeEach(async () => {
  seed = await startSeedServer({ reloadAllMs: 50, moduleReloadMs: 20 });
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ahr-seed-'));
  await fs.mkdir(path.join(root, 'src'));
});
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  await seed.close();
  await fs.rm(root, { recursive: true, force: true });
});

async function ask(method: string, p: string): Promise<{ status: number; body: unknown }> {
  const r = await fetch(seed.url + p, { method });
  return { status: r.status, body: (await r.json()) as unknown };
}

describe('the seed double answers as the recorded server', () => {
  it('in the recorded shapes, nulls included, on every route the client uses', async () => {
    const P = seed.prefix;
    expect(shape((await ask('GET', `${P}/status`)).body)).toEqual(shape(recorded('GET /api/v1/hot-reload/status').body));
    expect(shape((await ask('POST', `${P}/verify`)).body)).toEqual(shape(recorded('POST /api/v1/hot-reload/verify').body));
    expect(shape((await ask('POST', `${P}/check`)).body)).toEqual(shape(recorded('POST /api/v1/hot-reload/check').body));
    expect(await ask('POST', `${P}/reload/nosuch`)).toEqual({ status: 400, body: recorded('POST /api/v1/hot-reload/reload/nosuch').body });
    expect(await ask('GET', `${P}/nosuch`)).toEqual({ status: 404, body: recorded('GET /api/v1/hot-reload/nosuch').body });
    const src = await ask('POST', `${P}/reload/source`);
    expect(src).toEqual({ status: 200, body: recorded('POST /api/v1/hot-reload/reload/source').body });
    const all = await ask('POST', `${P}/reload-all`);
    expect(shape(all.body)).toEqual(shape(recorded('POST /api/v1/hot-reload/reload-all').body));
    expect((all.body as { reloaded_modules: string[] }).reloaded_modules).toEqual([...RELOADERS]);
    const rb = await ask('POST', `${P}/rollback`);
    expect(shape(rb.body)).toEqual(shape(recorded('POST /api/v1/hot-reload/rollback').body));
    const health = (await ask('GET', '/health')).body as Record<string, unknown>;
    expect(Object.keys(health).sort()).toEqual(Object.keys(recorded('DB down: GET /health (app)').body as object).sort());
  });

  it('after a reload worker_sync fails verification (as recorded), and a rollback changes nothing', async () => {
    seed.edit({ greeting: 'hello v2' });
    await ask('POST', `${seed.prefix}/reload-all`);
    const v = (await ask('POST', `${seed.prefix}/verify`)).body as { success: boolean; message: string; checks: Record<string, { ok: boolean; detail: string }> };
    expect(v.success).toBe(false);
    expect(v.message).toBe("部分检查失败: ['worker_sync']");
    expect(v.checks.worker_sync).toEqual(recorded('DB down: POST /verify').body && { ok: false, detail: 'Worker 同步监控未运行' });
    seed.edit({ greeting: 'hello v3' });
    await ask('POST', `${seed.prefix}/rollback?version=1`);
    expect(seed.serving.greeting).toBe('hello v2');
    expect(seed.callsTo('rollback')[0].query).toBe('?version=1');
  });

  it('a failed reloader: HTTP 200, success:false, reloader names in failed_modules; a failed single module sends both lists null', async () => {
    seed.failReloaders(['rules']);
    const all = await ask('POST', `${seed.prefix}/reload-all`);
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ success: false, failed_modules: ['rules'], reloaded_modules: RELOADERS.filter((n) => n !== 'rules') });
    seed.failReloaders(['rules']);
    expect(await ask('POST', `${seed.prefix}/reload/rules`)).toEqual({ status: 200, body: recorded('DB down: POST /reload/rules').body });
  });

  it('reload-all blocks every other route while it runs; a status read consumes the "changed" flag', async () => {
    seed.edit({ greeting: 'hello v2' });
    const first = (await ask('GET', `${seed.prefix}/status`)).body as { status: { versions: { source: { changed: boolean } }; file_monitor: { changed_files: number } } };
    expect([first.status.versions.source.changed, first.status.file_monitor.changed_files]).toEqual([true, 1]);
    const again = (await ask('GET', `${seed.prefix}/status`)).body as typeof first;
    expect([again.status.versions.source.changed, again.status.file_monitor.changed_files]).toEqual([false, 0]);

    seed.setReloadAllMs(400);
    const reload = ask('POST', `${seed.prefix}/reload-all`);
    await new Promise((r) => setTimeout(r, 50));
    const health = ask('GET', '/health');
    await Promise.all([reload, health]);
    const [r] = seed.callsTo('reload-all');
    const [h] = seed.callsTo('health');
    expect(h.at).toBeLessThan(r.answeredAt!);
    expect(h.answeredAt!).toBeGreaterThanOrEqual(r.answeredAt!);
  });
});

const GREETING: Probe = { name: 'greeting', method: 'GET', path: '/api/v1/greeting', expectStatus: 200 };

function start(overrides: Partial<Config> = {}, pollIntervalMs?: number): Engine {
  engine = createEngine(
    makeConfig({ root, dirs: [path.join(root, 'src')], apiUrl: seed.url, probes: [GREETING], logDir: path.join(root, 'logs'), ...overrides }),
    pollIntervalMs ? { pollIntervalMs } : {},
  );
  return engine;
}
const routes = () => seed.calls.map((c) => (c.route === 'reload-module' ? c.path.slice(seed.prefix.length + 1) : c.route));

describe('the engine against the seed double', () => {
  it('a reload with worker_sync advisory is verified: one status read, ⚠ not ✖, exit 0', async () => {
    seed.edit({ greeting: 'hello v2' });
    const r = await start({ advisoryChecks: ['worker_sync'] }).trigger();
    expect([r.attempt?.outcome, r.exitCode]).toEqual(['ok', 0]);
    expect(routes()).toEqual(['status', 'reload-all', 'verify', 'health', 'app']);
    const ws = r.checks.find((c) => c.name === 'server:worker_sync');
    expect(ws).toMatchObject({ ok: false, advisory: true, detail: 'Worker 同步监控未运行' });
    expect(r.checks.find((c) => c.name === 'no-restart')).toMatchObject({ skipped: true });
    expect(seed.serving.greeting).toBe('hello v2');
  });

  it('without advisoryChecks worker_sync fails; the rollback answers success but changes nothing: exit 4', async () => {
    const r = await start().trigger();
    expect([r.attempt?.outcome, r.exitCode]).toEqual(['rollback-failed', 4]);
    expect(routes()).toEqual(['status', 'reload-all', 'verify', 'health', 'app', 'rollback', 'verify', 'health', 'app']);
    expect(seed.callsTo('rollback')[0].rawBody).toBe('{}');
    expect(r.message).toBe(
      'verification failed: server:worker_sync (Worker 同步监控未运行); rolled back, but verification still fails: server:worker_sync (Worker 同步监控未运行)',
    );
  });

  it('a failed reloader with others reloaded (no version information): rolled back, the reloader named', async () => {
    seed.failReloaders(['rules']);
    const r = await start({ advisoryChecks: ['worker_sync'] }).trigger();
    expect(routes()).toEqual(['status', 'reload-all', 'rollback', 'verify', 'health', 'app']);
    expect([r.attempt?.outcome, r.exitCode]).toEqual(['rolled-back', 1]);
    expect(r.attempt?.failedModules).toEqual(['rules']);
    expect(r.message).toBe('reload failed: 重载完成: 7 成功, 1 失败 | 已通知所有 Worker (version: 1) (failed reloaders: rules); rolled back');
    expect(engine!.store.getState().errors[0]).toMatchObject({ kind: 'reload', bodyExcerpt: 'failed reloaders: rules' });
  });

  it('--module reloads exactly those reloaders through reload/{module}, one call each, in order', async () => {
    const r = await start({ modules: ['source', 'config'], advisoryChecks: ['worker_sync'] }).trigger();
    expect(r.exitCode).toBe(0);
    expect(routes()).toEqual(['status', 'reload/source', 'reload/config', 'verify', 'health', 'app']);
    expect(r.checks[0]).toEqual({ name: 'reload', ok: true, detail: '模块 source 重载成功; 模块 config 重载成功 (source, config)' });
  });

  it('--module with an unknown reloader: exit 1 quoting the server, nothing else reloaded', async () => {
    const r = await start({ modules: ['nosuch', 'source'] }).trigger();
    expect(r.exitCode).toBe(1);
    expect(r.message).toContain('HTTP 400 — 未知的模块: nosuch');
    expect(routes()).toEqual(['status', 'reload/nosuch']);
  });

  it('--rollback on a server left unverifiable by a reload: exit 4 (rollback asked for, not back in a verified state)', async () => {
    await fetch(`${seed.url}${seed.prefix}/reload-all`, { method: 'POST' });
    seed.calls.length = 0;
    const r = await start().rollback();
    expect([r.attempt?.outcome, r.exitCode]).toEqual(['rollback-failed', 4]);
    expect(routes()).toEqual(['status', 'rollback', 'verify', 'health', 'app']);
    await engine!.close();
    const ok = await start({ advisoryChecks: ['worker_sync'] }).rollback();
    expect([ok.attempt?.outcome, ok.exitCode]).toEqual(['rolled-back', 0]);
  });

  it('watch mode: status is read once to learn the dialect, then health is polled; a reload reads status at most once', async () => {
    const e = start({ advisoryChecks: ['worker_sync'], debounceMs: 20, cooldownMs: 0 }, 250);
    await e.start();
    await until(() => seed.callsTo('health').length >= 4, 'health polls');
    expect(seed.callsTo('status')).toHaveLength(1);
    seed.edit({ greeting: 'hello v2' });
    await fs.writeFile(path.join(root, 'src', 'greeting.py'), 'GREETING = "hello v2"\n');
    await until(() => e.store.getState().history.length === 1, 'the reload');
    expect(e.store.getState().history[0]).toMatchObject({ outcome: 'ok', reason: 'watch', files: ['src/greeting.py'] });
    expect(seed.callsTo('status')).toHaveLength(2);
    const target = e.store.getState().targets[0];
    expect(target.service?.versions?.source?.current).toBeGreaterThan(1);
    expect(target.connection.state).toBe('connected');
    // makeConfig's reload timeout is 5 s: too short for the real server's 35 s reload-all
    expect(e.store.getState().warnings).toContain(
      `${seed.url} is the old hot-reload server, whose reload-all takes ~35 s; timeouts.reload is 5 s — set it to 60 or more`,
    );
  });

  it('a long reload is not a disconnection: polls that time out while it runs show "reloading for Ns"', async () => {
    seed.setReloadAllMs(1800);
    const e = start({ advisoryChecks: ['worker_sync'], timeouts: { reloadMs: 60_000, verifyMs: 5000, rollbackMs: 5000, statusMs: 300 } }, 250);
    await e.start();
    await until(() => seed.callsTo('health').length >= 2, 'health polls');
    const states: EngineState[] = [e.store.getState()];
    const unsubscribe = e.store.subscribe((s) => void states.push(s));
    const r = await e.trigger();
    unsubscribe();
    expect([r.exitCode, r.attempt?.outcome]).toEqual([0, 'ok']);
    expect(states.some((s) => s.targets[0].connection.state === 'disconnected')).toBe(false);
    const busy = states.filter((s) => s.targets[0].connection.busySince !== undefined);
    expect(busy.length).toBeGreaterThan(0);
    expect(busy[0].targets[0].connection.busySince).toBe(r.attempt!.startedAt);
    expect(e.store.getState().targets[0].connection.busySince).toBeUndefined();
    // the headless lines say so
    const lines = states.slice(1).flatMap((s, i) => diffEvents(states[i], s, Date.now())).flatMap((ev) => eventLines(ev, styleFor({}, { NO_COLOR: '1' })));
    expect(lines.some((l) => /^⟳ primary: reloading for \ds — the service answers nothing until the reload ends$/.test(l))).toBe(true);
    expect(lines.some((l) => l.includes('connection lost'))).toBe(false);
  });
});

async function until(pred: () => boolean, what: string, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(routes())}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
