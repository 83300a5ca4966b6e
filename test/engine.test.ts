import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { readErrorLog } from '../src/engine/errorlog.js';
import { worstExitCode } from '../src/engine/fleet.js';
import { appendServiceOutput, createEngineStore, LIMITS, addError } from '../src/engine/store.js';
import type { EngineActions } from '../src/types.js';
import { makeConfig } from './helpers/config.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { until as waitFor } from './helpers/wait.js';
import { freePort } from './helpers/net.js';

let root: string;
let svc: FakeService;
let engine: Engine | undefined;

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ahr-engine-'));
  await fs.mkdir(path.join(root, 'src'));
  svc = await startFakeService({ dialect: 'v1' });
});
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  await svc.close();
  await fs.rm(root, { recursive: true, force: true });
});


describe('store', () => {
  const noop = async () => ({ kind: 'verify' as const, ok: true, exitCode: 0 as const, message: '', checks: [] });
  const actions: EngineActions = { trigger: noop, verify: noop, rollback: noop, pause() {}, resume() {} };

  it('is a fresh store per call, shaped as EngineState, with relative dirs', () => {
    const config = makeConfig({ root: '/p', dirs: ['/p/src', '/p/server'] });
    const a = createEngineStore(config, actions);
    const b = createEngineStore(config, actions);
    expect(a).not.toBe(b);
    const s = a.getState();
    expect(s.watch).toEqual({ dirs: ['src', 'server'], fileCount: 0, ready: false, paused: false, recent: [] });
    expect(s.targets).toEqual([{ name: 'primary', apiUrl: 'http://127.0.0.1:9', connection: { state: 'unknown' }, service: null }]);
    expect(s.actions).toBe(actions);
  });

  it('bounds errors and keeps untouched slices referentially equal', () => {
    const store = createEngineStore(makeConfig(), actions);
    const before = store.getState();
    for (let i = 0; i < LIMITS.errors + 5; i++) addError(store, { time: 't', kind: 'reload', message: `e${i}` });
    const after = store.getState();
    expect(after.errors).toHaveLength(LIMITS.errors);
    expect(after.errors[0].message).toBe(`e${LIMITS.errors + 4}`);
    expect(after.history).toBe(before.history);
    expect(after.watch).toBe(before.watch);
  });

  it('worstExitCode ranks rollback-failed over unreachable over failed', () => {
    expect(worstExitCode([0, 1, 3])).toBe(3);
    expect(worstExitCode([3, 4, 1])).toBe(4);
    expect(worstExitCode([0, 0])).toBe(0);
  });
});

describe('engine', () => {
  it('trigger() runs the pipeline and reports into the store; store actions are the same methods', async () => {
    const config = makeConfig({ root, dirs: [path.join(root, 'src')], apiUrl: svc.url, modules: ['app'] });
    engine = createEngine(config);
    const phases: string[] = [];
    engine.store.subscribe((s, prev) => s.phase !== prev.phase && phases.push(s.phase));
    const result = await engine.store.getState().actions.trigger({ files: ['src/a.js'] });
    expect(result).toMatchObject({ kind: 'trigger', ok: true, exitCode: 0 });
    const s = engine.store.getState();
    expect(s.phase).toBe('idle');
    expect(phases).toEqual(['triggering', 'verifying', 'idle']);
    expect(s.history).toHaveLength(1);
    expect(s.history[0]).toMatchObject({ id: 1, reason: 'manual', files: ['src/a.js'], modules: ['app'], outcome: 'ok', versionBefore: 1, versionAfter: 2 });
    expect(s.history[0].steps.map((x) => x.step)).toEqual(['status-before', 'trigger', 'verify']);
    expect(s.targets[0].connection.state).toBe('connected');
    expect(s.targets[0].service?.version).toBe(2);
    expect(s.checks.map((c) => c.name)).toEqual(['reload', 'server:modules_loaded', 'server:smoke', 'no-restart', 'health']);
    expect(svc.callsTo('reload')[0].body).toEqual({ files: ['src/a.js'], modules: ['app'], reason: 'manual' });
  });

  it('manual actions while a reload runs queue instead of overlapping', async () => {
    const config = makeConfig({ root, apiUrl: svc.url, verify: false });
    engine = createEngine(config);
    svc.script('reload', { do: 'delay', ms: 200 });
    const [r1, r2, v] = await Promise.all([engine.trigger(), engine.trigger({ reason: 'git-hook' }), engine.verify()]);
    expect([r1.ok, r2.ok, v.ok]).toEqual([true, true, true]);
    const history = [...engine.store.getState().history].reverse();
    expect(history.map((h) => h.reason)).toEqual(['manual', 'manual', 'git-hook']);
    for (let i = 1; i < history.length; i++) expect(history[i].startedAt).toBeGreaterThanOrEqual(history[i - 1].finishedAt!);
    expect(svc.callsTo('reload')).toHaveLength(2);
  });

  it('writes every failure to the error log and the store', async () => {
    const config = makeConfig({ root, apiUrl: svc.url, logDir: path.join(root, 'logs') });
    engine = createEngine(config);
    svc.script('reload', { do: 'fail', message: 'SyntaxError: nope' });
    const r = await engine.trigger({ files: ['src/x.js'] });
    expect([r.ok, r.exitCode, r.attempt?.outcome]).toEqual([false, 1, 'failed']);
    const entries = await readErrorLog(config.logDir);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ kind: 'reload', message: 'SyntaxError: nope', files: ['src/x.js'], target: 'primary', detail: { line: 3, column: 7 } });
    expect(engine.store.getState().errors).toEqual(entries);
  });

  it("a failed probe's status and body excerpt, and the service's lines written meanwhile, go into its error-log entry", async () => {
    const config = makeConfig({
      root,
      apiUrl: svc.url,
      logDir: path.join(root, 'logs'),
      probes: [{ name: 'greeting', method: 'GET', path: '/api/v1/greeting', expectStatus: 200 }],
    });
    engine = createEngine(config);
    svc.setProbe('GET', '/api/v1/greeting', { status: 200, body: { greeting: 'hi' } });
    appendServiceOutput(engine.store, [{ at: Date.now() - 60_000, stream: 'stdout', text: 'long ago' }]);
    svc.script('reload', { do: 'activate-broken' });
    // what a service prints while its new version fails (demo and dev capture it)
    const printing = setInterval(() => appendServiceOutput(engine!.store, [{ at: Date.now(), stream: 'stderr', text: 'TypeError: Do not know how to serialize a BigInt' }]), 1);
    const r = await engine.trigger({ files: ['src/greeting.js'] }).finally(() => clearInterval(printing));
    expect(r.attempt?.outcome).toBe('rolled-back');
    const failedProbe = r.attempt?.checks.find((c) => c.name === 'probe:greeting');
    expect(failedProbe).toMatchObject({ ok: false, detail: 'expected 200, got 500', httpStatus: 500, bodyExcerpt: '{"error":"broken version"}' });
    const [entry] = await readErrorLog(config.logDir);
    expect(entry).toMatchObject({ kind: 'verify', httpStatus: 500, bodyExcerpt: '{"error":"broken version"}' });
    expect(entry.serviceOutput?.length).toBeGreaterThan(0);
    expect(entry.serviceOutput).not.toContain('long ago');
    expect(new Set(entry.serviceOutput)).toEqual(new Set(['TypeError: Do not know how to serialize a BigInt']));
  });

  it('rollback() and verify() run alone', async () => {
    engine = createEngine(makeConfig({ root, apiUrl: svc.url, verify: false }));
    await engine.trigger();
    const rb = await engine.rollback();
    expect([rb.ok, rb.exitCode, rb.attempt?.versionAfter]).toEqual([true, 0, 1]);
    expect(svc.callsTo('rollback')[0].body).toEqual({ from_version: 2 });
    const v = await engine.verify();
    expect([v.ok, v.exitCode]).toEqual([true, 0]);
    expect(svc.callsTo('reload')).toHaveLength(1);
  });

  it('start(): watch-mode diagnostics for a service that is down, then disconnected with a retry time', async () => {
    const url = `http://127.0.0.1:${await freePort()}`; // nothing listens
    engine = createEngine(makeConfig({ root, dirs: [path.join(root, 'src'), path.join(root, 'missing')], apiUrl: url }), { pollIntervalMs: 250 });
    await engine.start();
    expect(engine.store.getState().watch.ready).toBe(true);
    await waitFor(() => engine!.store.getState().targets[0].connection.state === 'disconnected', 'disconnected');
    const s = engine.store.getState();
    expect(s.warnings).toContain('watch dir missing does not exist — create it (it is watched once it does), or pass existing folders with --dir (or "dirs" in the config)');
    expect(s.warnings.some((w) => w.startsWith(`${url}/health is not answering`) && w.includes('--api-url'))).toBe(true);
    expect(s.targets[0].connection.state).toBe('disconnected');
    expect(s.targets[0].connection.retryAt).toBeGreaterThan(s.targets[0].connection.checkedAt!);
  });

  it('reconnects with backoff when the service comes back on the same port', async () => {
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    engine = createEngine(makeConfig({ root, apiUrl: `http://127.0.0.1:${port}` }), { pollIntervalMs: 250 });
    await engine.start();
    await waitFor(() => engine!.store.getState().targets[0].connection.state === 'disconnected', 'disconnected');
    const back = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ success: true, status: { version: 7, boot_id: 'b1' } }));
    });
    await new Promise<void>((r) => back.listen(port, '127.0.0.1', r));
    try {
      await waitFor(() => engine!.store.getState().targets[0].connection.state === 'connected', 'reconnect', 8000);
      const t = engine.store.getState().targets[0];
      expect(t.service).toEqual({ version: 7, boot_id: 'b1' });
      expect(t.connection.retryAt).toBeUndefined();
    } finally {
      await engine.close();
      back.closeAllConnections();
      await new Promise((r) => back.close(r));
    }
  });

  it('fleet, canary: a failing primary stops the fan-out; all-at-once reaches every target', async () => {
    const second = await startFakeService({ dialect: 'v1' });
    try {
      const targets = [
        { name: 'canary', apiUrl: svc.url },
        { name: 'rest', apiUrl: second.url },
      ];
      svc.script('reload', { do: 'fail' });
      engine = createEngine(makeConfig({ root, targets, strategy: 'canary', verify: false }));
      const r = await engine.trigger();
      // issue #5: every target is reported; the one the failed canary kept from reloading is 'skipped'
      expect([r.exitCode, r.attempt?.targets?.map((t) => [t.name, t.outcome])]).toEqual([1, [['canary', 'failed'], ['rest', 'skipped']]]);
      expect(second.callsTo('reload')).toHaveLength(0);
      await engine.close();
      engine = createEngine(makeConfig({ root, targets, strategy: 'all-at-once', parallel: 2, verify: false }));
      const r2 = await engine.trigger();
      expect([r2.exitCode, r2.attempt?.targets?.map((t) => [t.name, t.outcome])]).toEqual([0, [['canary', 'ok'], ['rest', 'ok']]]);
      expect(second.callsTo('reload')).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  it('start(): status 404 → a warning with the fix, connected through health', async () => {
    svc.script('status', { do: 'http', status: 404, body: { detail: 'Not Found' } }, { times: Infinity });
    engine = createEngine(makeConfig({ root, apiUrl: svc.url }));
    await engine.start();
    await waitFor(() => engine!.store.getState().targets[0].connection.state === 'connected', 'connected');
    const s = engine.store.getState();
    expect(s.warnings.some((w) => w.includes('/api/v1/hot-reload/status answered 404') && w.includes('endpoints.status'))).toBe(true);
    expect(s.targets[0].connection.state).toBe('connected');
  });

  it('pause keeps changes pending and resume fires them; close is idempotent', async () => {
    engine = createEngine(makeConfig({ root, apiUrl: svc.url, cooldownMs: 0, debounceMs: 30, verify: false }));
    await engine.start();
    engine.store.getState().actions.pause();
    expect(engine.store.getState().watch.paused).toBe(true);
    await fs.writeFile(path.join(root, 'src', 'p.js'), 'x');
    await waitFor(() => engine!.store.getState().pending.includes('src/p.js'), 'pending change while paused');
    await new Promise((r) => setTimeout(r, 200)); // past the debounce: still nothing may fire
    expect(svc.callsTo('reload')).toHaveLength(0);
    engine.store.getState().actions.resume();
    await waitFor(() => svc.callsTo('reload').length === 1 && engine!.store.getState().history.length === 1, 'reload on resume');
    expect(svc.callsTo('reload')[0].body).toMatchObject({ files: ['src/p.js'], reason: 'watch' });
    expect(engine.store.getState().pending).toEqual([]);
    await engine.close();
    await engine.close();
    const r = await engine.trigger();
    expect([r.ok, r.message]).toEqual([false, 'the engine is closed']);
  });

  it('exposes the cooldown deadline while it runs and clears it afterwards', async () => {
    engine = createEngine(makeConfig({ root, apiUrl: svc.url, cooldownMs: 300, verify: false }));
    await engine.trigger();
    const until = engine.store.getState().cooldownUntil;
    expect(until).not.toBeNull();
    expect(until).toBe(engine.store.getState().history[0].startedAt + 300);
    await waitFor(() => engine!.store.getState().cooldownUntil === null, 'cooldown to clear', 3000);
  });

  it('close() aborts an in-flight reload and settles it as a state', async () => {
    engine = createEngine(makeConfig({ root, apiUrl: svc.url }));
    svc.script('reload', { do: 'delay', ms: 5000 });
    const pending = engine.trigger();
    await waitFor(() => svc.callsTo('reload').length === 1, 'reload request to arrive');
    await engine.close();
    const r = await pending;
    expect(r.ok).toBe(false);
    expect(engine.store.getState().phase).toBe('idle');
  });
});

describe('engine: acceptance-review fixes', () => {
  it('a failed verify step logs its HTTP status and body excerpt (500 with HTML)', async () => {
    const config = makeConfig({ root, apiUrl: svc.url, logDir: path.join(root, 'logs') });
    engine = createEngine(config);
    svc.script('verify', { do: 'html500' });
    const r = await engine.trigger({ files: ['src/v.js'] });
    // the reload activated, verification could not run: rolled back and verified again
    expect([r.exitCode, r.attempt?.outcome, r.attempt?.versionActivated]).toEqual([1, 'rolled-back', 2]);
    const entries = await readErrorLog(config.logDir);
    const verify = entries.filter((e) => e.kind === 'verify');
    expect(verify).toHaveLength(1);
    expect(verify[0]).toMatchObject({ httpStatus: 500, files: ['src/v.js'], version: 2 });
    expect(verify[0].bodyExcerpt).toContain('<h1>Internal Server Error</h1>');
    expect(verify[0].message).toMatch(/^verification failed: server \(POST http:\/\/127\.0\.0\.1:\d+\/api\/v1\/hot-reload\/verify: HTTP 500\)$/);
  });

  it('the cooldown and the attempt start at the same instant (one clock reading)', async () => {
    // a clock that moves on every reading: two readings can never agree
    let ticks = 0;
    const clock = () => Date.now() + ticks++;
    engine = createEngine(makeConfig({ root, apiUrl: svc.url, cooldownMs: 1000, verify: false }), { clock });
    await engine.trigger();
    const s = engine.store.getState();
    expect(s.cooldownUntil).toBe(s.history[0].startedAt + 1000);
  });

  it('watch mode: a fresh polled status is the baseline (no GET before the reload); a stale one is fetched again', async () => {
    let offset = 0;
    const clock = () => Date.now() + offset;
    engine = createEngine(makeConfig({ root, apiUrl: svc.url, cooldownMs: 0, debounceMs: 10, verify: true }), { clock, pollIntervalMs: 60_000 });
    await engine.start();
    await waitFor(() => svc.callsTo('status').length === 1 && engine!.store.getState().targets[0].connection.state === 'connected', 'the first poll');
    const endpoints = () => svc.calls.map((c) => c.endpoint ?? c.path);

    // fresh: the poll is the baseline
    await fs.writeFile(path.join(root, 'src', 'a.js'), 'a');
    await waitFor(() => engine!.store.getState().history.length === 1, 'the first reload');
    expect(endpoints()).toEqual(['health', 'status', 'reload', 'verify', 'status', 'health']);
    const first = engine.store.getState().history[0];
    expect([first.outcome, first.versionBefore, first.versionAfter]).toEqual(['ok', 1, 2]);
    expect(first.steps.map((x) => x.step)).toEqual(['trigger', 'verify']);

    // the poll predates that reload: the next one reads the status again
    svc.clearCalls();
    await fs.writeFile(path.join(root, 'src', 'b.js'), 'b');
    await waitFor(() => engine!.store.getState().history.length === 2, 'the second reload');
    expect(endpoints()).toEqual(['status', 'reload', 'verify', 'status', 'health']);
    expect(engine.store.getState().history[0]).toMatchObject({ outcome: 'ok', versionBefore: 2, versionAfter: 3 });
  });

  it('watch mode: a polled status older than the poll interval is fetched again; a restart since the poll is a restart', async () => {
    let offset = 0;
    const clock = () => Date.now() + offset;
    engine = createEngine(makeConfig({ root, apiUrl: svc.url, cooldownMs: 0, debounceMs: 10 }), { clock, pollIntervalMs: 60_000 });
    await engine.start();
    await waitFor(() => svc.callsTo('status').length === 1 && engine!.store.getState().targets[0].connection.state === 'connected', 'the first poll');
    offset = 61_000; // the poll is now older than the interval
    svc.clearCalls();
    await fs.writeFile(path.join(root, 'src', 'a.js'), 'a');
    await waitFor(() => engine!.store.getState().history.length === 1, 'the reload');
    expect(svc.calls.map((c) => c.endpoint)).toEqual(['status', 'reload', 'verify', 'status', 'health']);
    await engine.close();

    // fresh again, but the service restarted after the poll: the no-restart check fails
    engine = createEngine(makeConfig({ root, apiUrl: svc.url, cooldownMs: 0, debounceMs: 10 }), { pollIntervalMs: 60_000 });
    await engine.start();
    await waitFor(() => engine!.store.getState().targets[0].connection.state === 'connected', 'the first poll');
    svc.restart();
    await fs.writeFile(path.join(root, 'src', 'c.js'), 'c');
    await waitFor(() => engine!.store.getState().history.length === 1, 'the reload after the restart');
    const a = engine.store.getState().history[0];
    expect(a.outcome).toBe('rolled-back');
    expect(a.checks.find((c) => c.name === 'no-restart')).toMatchObject({ ok: false });
  });
});
