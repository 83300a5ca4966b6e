// The engine's units, each alone (createEngine only wires them): the single-target run, the
// fleet run, the reload queue (the scheduler's shell), watch mode with its catch-up, and the
// polled statuses a trigger may start from. Real HTTP services on 127.0.0.1, real files.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClient } from '../src/client/client.js';
import type { RunContext } from '../src/engine/attempt.js';
import { runFleetTargets } from '../src/engine/fleet-run.js';
import { createPolledStatuses } from '../src/engine/fresh-status.js';
import type { LogEntry } from '../src/engine/pipeline.js';
import { createReloadQueue, type ReloadQueue } from '../src/engine/reload-queue.js';
import { runSingleTarget } from '../src/engine/single-run.js';
import { createEngineStore, updateTarget } from '../src/engine/store.js';
import { createWatchMode, type WatchMode } from '../src/engine/watch-mode.js';
import type { Status } from '../src/protocol/wire.js';
import type { Config, EngineActions, FileChange, ReloadAttempt, RunResult } from '../src/types.js';
import { makeConfig } from './helpers/config.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { freePort } from './helpers/net.js';
import { until } from './helpers/wait.js';

const noActions: EngineActions = {
  trigger: async () => ({ kind: 'trigger', ok: true, exitCode: 0, message: '', checks: [] }),
  verify: async () => ({ kind: 'verify', ok: true, exitCode: 0, message: '', checks: [] }),
  rollback: async () => ({ kind: 'rollback', ok: true, exitCode: 0, message: '', checks: [] }),
  pause: () => undefined,
  resume: () => undefined,
};

/** A run's context on a fresh store: real clients, what it logs and when runs end, recorded. */
function runContext(config: Config, knownStatus: (i: number) => Status | undefined = () => undefined) {
  const store = createEngineStore(config, noActions);
  const logged: { entry: LogEntry; target: string; outputFrom?: number }[] = [];
  const ended: number[] = [];
  let id = 0;
  const ctx: RunContext = {
    config,
    clients: config.targets.map((t) => createClient(t, config)),
    store,
    clock: Date.now,
    mono: () => performance.now(),
    isClosed: () => false,
    nextAttemptId: () => ++id,
    knownStatus,
    runEnded: (at) => ended.push(at),
    logError: async (entry, target, outputFrom) => void logged.push({ entry, target, outputFrom }),
  };
  const phases: string[] = [];
  store.subscribe((s, prev) => s.phase !== prev.phase && phases.push(s.phase));
  return { ctx, store, logged, ended, phases };
}

const services: FakeService[] = [];
let root: string;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ahr-units-'));
  await fs.mkdir(path.join(root, 'src'));
});
afterEach(async () => {
  await Promise.all(services.splice(0).map((s) => s.close()));
  await fs.rm(root, { recursive: true, force: true });
});
async function service(): Promise<FakeService> {
  const s = await startFakeService({ dialect: 'v1' });
  services.push(s);
  return s;
}

describe('the single-target run', () => {
  it('a reload: its stages are the phase, its steps the attempt, its status the target', async () => {
    const svc = await service();
    const { ctx, store, phases, ended } = runContext(makeConfig({ root, apiUrl: svc.url, modules: ['app'] }));
    const r = await runSingleTarget(ctx, 'trigger', { files: ['src/a.js'], reason: 'watch', startedAt: 1000 });
    expect([r.kind, r.ok, r.exitCode, r.message]).toEqual(['trigger', true, 0, r.attempt?.message]);
    expect(r.attempt).toMatchObject({ id: 1, kind: 'trigger', reason: 'watch', startedAt: 1000, files: ['src/a.js'], modules: ['app'], outcome: 'ok', versionBefore: 1, versionAfter: 2, versionActivated: 2 });
    expect(r.attempt?.steps.map((s) => s.step)).toEqual(['status-before', 'trigger', 'verify']);
    expect(r.attempt?.targets?.map((t) => [t.name, t.outcome, t.versionBefore, t.versionAfter])).toEqual([['primary', 'ok', 1, 2]]);
    expect(phases).toEqual(['triggering', 'verifying', 'idle']);
    expect(ended).toEqual([r.attempt?.finishedAt]);
    const s = store.getState();
    expect([s.current, s.history.length, s.targets[0].lastOutcome, s.targets[0].service?.version, s.targets[0].connection.state]).toEqual([null, 1, 'ok', 2, 'connected']);
    expect(svc.callsTo('reload')[0].body).toEqual({ files: ['src/a.js'], modules: ['app'], reason: 'watch' });
  });

  it('a status known to be fresh is the baseline: no status read before the reload', async () => {
    const svc = await service();
    const config = makeConfig({ root, apiUrl: svc.url, verify: false });
    const known = await createClient(config.targets[0], config).status();
    const { ctx } = runContext(config, (i) => (i === 0 ? known : undefined));
    const before = svc.callsTo('status').length;
    const r = await runSingleTarget(ctx, 'trigger', { files: [], reason: 'manual' });
    expect(r.attempt?.steps.map((s) => s.step)).toEqual(['trigger']);
    expect([r.attempt?.versionBefore, r.attempt?.versionAfter]).toEqual([1, 2]);
    expect(svc.callsTo('status').length).toBe(before);
  });

  it('a failed reload is logged for its target with the service output from 1 s before the run', async () => {
    const svc = await service();
    const { ctx, store, logged } = runContext(makeConfig({ root, apiUrl: svc.url }));
    svc.script('reload', { do: 'fail', message: 'SyntaxError: nope' });
    const r = await runSingleTarget(ctx, 'trigger', { files: ['src/x.js'], reason: 'manual', startedAt: 50_000 });
    expect([r.ok, r.exitCode, r.attempt?.outcome, r.message]).toEqual([false, 1, 'failed', r.attempt?.message]);
    expect(r.attempt?.message).toMatch(/SyntaxError: nope/);
    expect(logged.map((l) => [l.entry.kind, l.entry.message, l.target, l.outputFrom])).toEqual([['reload', 'SyntaxError: nope', 'primary', 49_000]]);
    expect(store.getState().targets[0].lastOutcome).toBe('failed');
  });
});

describe('the fleet run', () => {
  it('the second of two fails verification: both are rolled back, the canary by the fleet', async () => {
    const [a, b] = [await service(), await service()];
    const config = makeConfig({ root, targets: [{ name: 'a', apiUrl: a.url }, { name: 'b', apiUrl: b.url }], strategy: 'canary' });
    const { ctx, store, phases } = runContext(config);
    const through: string[][] = [];
    store.subscribe((s) => s.current?.targets && through.push(s.current.targets.map((t) => `${t.name}:${t.outcome}`)));
    b.script('reload', { do: 'activate-broken' });
    const r = await runFleetTargets(ctx, 'trigger', { files: ['src/a.js'], reason: 'manual' });
    expect([r.ok, r.exitCode, r.attempt?.outcome]).toEqual([false, 1, 'rolled-back']);
    expect(r.message).toMatch(/^1 of 2 targets failed \(b: .*\); rolled back a, b; no target is left on the new version$/);
    expect(r.attempt?.targets?.map((t) => [t.name, t.outcome, t.versionBefore, t.versionAfter])).toEqual([
      ['a', 'rolled-back', 1, 1],
      ['b', 'rolled-back', 1, 1],
    ]);
    // the canary's stages while it runs alone, then the fleet's: rollout, undoing
    expect(phases).toEqual(['triggering', 'verifying', 'triggering', 'rolling-back', 'idle']);
    expect(through.at(-1)).toEqual(['a:rolled-back', 'b:rolled-back']);
    expect([a.callsTo('rollback').length, b.callsTo('rollback').length]).toEqual([1, 1]);
    expect(store.getState().targets.map((t) => t.lastOutcome)).toEqual(['rolled-back', 'rolled-back']);
  });

  it('one target unreachable: nothing is reloaded anywhere, and the missing one is noted', async () => {
    const a = await service();
    const config = makeConfig({ root, targets: [{ name: 'a', apiUrl: a.url }, { name: 'gone', apiUrl: `http://127.0.0.1:${await freePort()}` }] });
    const { ctx, store } = runContext(config);
    const r = await runFleetTargets(ctx, 'trigger', { files: [], reason: 'manual' });
    expect([r.ok, r.exitCode, r.attempt?.outcome]).toEqual([false, 3, 'unreachable']);
    expect(a.callsTo('reload')).toEqual([]);
    expect(store.getState().targets.map((t) => [t.lastOutcome, t.connection.state])).toEqual([
      ['skipped', 'connected'],
      ['unreachable', 'disconnected'],
    ]);
  });
});

describe('the reload queue', () => {
  function queueWith(config: Config, opts: { closed?: () => boolean; gate?: Promise<void> } = {}) {
    const store = createEngineStore(config, noActions);
    const reloads: { paths: string[]; reason: ReloadAttempt['reason']; startedAt: number }[] = [];
    let lane: Promise<unknown> = Promise.resolve();
    const queue: ReloadQueue = createReloadQueue({
      config,
      store,
      clock: Date.now,
      mono: () => performance.now(),
      isClosed: opts.closed ?? (() => false),
      serial: <T>(fn: () => Promise<T>) => {
        const run = lane.then(fn, fn);
        lane = run.catch(() => undefined);
        return run;
      },
      track: (p) => p,
      reload: async (paths, reason, startedAt) => {
        reloads.push({ paths, reason, startedAt });
        await opts.gate;
        return { kind: 'trigger', ok: true, exitCode: 0, message: `reloaded ${paths.join(' ')}`, checks: [] } satisfies RunResult;
      },
      fileCount: () => 7,
    });
    return { queue, store, reloads };
  }
  const change = (p: string): FileChange => ({ path: p, kind: 'change', at: Date.now() });

  it('changes of one turn are one batch: recorded, pending, then one reload of all of them', async () => {
    const { queue, store, reloads } = queueWith(makeConfig({ root, debounceMs: 30, cooldownMs: 0 }));
    queue.change(change('src/a.js'));
    queue.change(change('src/b.js'));
    await until(() => store.getState().pending.length > 0, 'pending');
    expect(store.getState().pending).toEqual(['src/a.js', 'src/b.js']);
    expect(store.getState().watch.recent.map((c) => c.path)).toEqual(['src/b.js', 'src/a.js']);
    expect(store.getState().watch.fileCount).toBe(7);
    await until(() => reloads.length > 0, 'the reload');
    expect(reloads.map((r) => [r.paths, r.reason])).toEqual([[['src/a.js', 'src/b.js'], 'watch']]);
    queue.close();
  });

  it('a manual trigger resolves with its reload; paused changes wait for resume', async () => {
    const { queue, store, reloads } = queueWith(makeConfig({ root, debounceMs: 20, cooldownMs: 0 }));
    const r = await queue.trigger({ files: ['src/x.js', ''], reason: 'git-hook' });
    expect(r.message).toBe('reloaded src/x.js');
    expect(reloads.map((x) => [x.paths, x.reason])).toEqual([[['src/x.js'], 'git-hook']]);
    queue.pause();
    expect(store.getState().watch.paused).toBe(true);
    queue.change(change('src/y.js'));
    await new Promise((res) => setTimeout(res, 150));
    expect(reloads).toHaveLength(1);
    queue.resume();
    await until(() => reloads.length === 2, 'the reload after resume');
    expect(reloads[1].paths).toEqual(['src/y.js']);
    queue.close();
  });

  it('after a reload the cooldown holds the next change, its end in the store as wall time', async () => {
    const { queue, store, reloads } = queueWith(makeConfig({ root, debounceMs: 10, cooldownMs: 60_000 }));
    await queue.trigger();
    queue.change(change('src/z.js'));
    await until(() => store.getState().pending.length > 0, 'pending');
    await new Promise((res) => setTimeout(res, 100));
    expect(reloads).toHaveLength(1);
    expect(store.getState().pending).toEqual(['src/z.js']);
    expect(store.getState().cooldownUntil).toBeGreaterThanOrEqual(reloads[0].startedAt + 60_000 - 1);
    expect(store.getState().cooldownUntil).toBeLessThanOrEqual(reloads[0].startedAt + 60_000 + 50);
    queue.close();
  });

  it('close() answers a trigger waiting for the running reload "closed"', async () => {
    let closed = false;
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const { queue, reloads } = queueWith(makeConfig({ root, debounceMs: 10, cooldownMs: 0 }), { closed: () => closed, gate });
    const first = queue.trigger();
    await until(() => reloads.length === 1, 'the first reload');
    const waiting = queue.trigger({ files: ['src/z.js'] });
    closed = true;
    queue.close();
    expect(await waiting).toEqual({ kind: 'trigger', ok: false, exitCode: 1, message: 'the engine is closed', checks: [] });
    open();
    expect((await first).ok).toBe(true);
    expect(reloads).toHaveLength(1);
  });
});

describe('watch mode', () => {
  let watch: WatchMode | undefined;
  afterEach(async () => {
    await watch?.close();
    watch = undefined;
  });

  function watchWith(config: Config) {
    const store = createEngineStore(config, noActions);
    const changes: FileChange[] = [];
    const verified: number[] = [];
    let monitorStarts = 0;
    watch = createWatchMode({
      config,
      store,
      clock: Date.now,
      isClosed: () => false,
      queue: { change: (c) => void changes.push(c), load: () => undefined },
      monitor: { start: () => void monitorStarts++ },
      verify: () => void verified.push(Date.now()),
      logError: async () => undefined,
      watchCpuLoad: () => ({ close: () => undefined }) as never,
    });
    return { watch, store, changes, verified, starts: () => monitorStarts };
  }

  it('a saved file reaches the queue as a change relative to the root; polling starts once', async () => {
    await fs.writeFile(path.join(root, 'src', 'old.js'), 'x');
    const { watch: w, store, changes, starts } = watchWith(makeConfig({ root, dirs: [path.join(root, 'src')] }));
    await Promise.all([w.start(), w.start()]);
    expect([store.getState().watch.ready, store.getState().watch.fileCount, w.fileCount(), starts()]).toEqual([true, 1, 1, 1]);
    await fs.writeFile(path.join(root, 'src', 'a.js'), 'export const a = 1;\n');
    await until(() => changes.some((c) => c.path === 'src/a.js'), 'the change');
    expect(changes.find((c) => c.path === 'src/a.js')?.kind).toBe('add');
  });

  it('catching up: stale files are queued once; a reloaded service with nothing stale is verified once', async () => {
    const config = makeConfig({ root, dirs: [path.join(root, 'src')] });
    const { watch: w, changes, verified } = watchWith(config);
    w.catchUp(0, { state: 'reloading', stale_files: ['src/ignored-mid-reload.js'] } as Status);
    w.catchUp(0, { state: 'idle', stale_files: ['src/a.js', path.join(root, 'src', 'b.js')] } as Status);
    w.catchUp(0, { state: 'idle', stale_files: ['src/c.js'] } as Status); // caught up already
    expect(changes.map((c) => [c.path, c.kind])).toEqual([
      ['src/a.js', 'change'],
      ['src/b.js', 'change'],
    ]);
    expect(verified).toEqual([]);

    const other = watchWith(config);
    other.watch.catchUp(0, { state: 'idle', stale_files: [], last_reload: { version: 3 } } as unknown as Status);
    expect([other.changes, other.verified.length]).toEqual([[], 1]);
  });
});

describe('polled statuses', () => {
  it('fresh: one target, connected, polled after the last run and within the poll interval, not mid-reload', () => {
    let now = 10_000;
    const config = makeConfig({ root });
    const store = createEngineStore(config, noActions);
    const polled = createPolledStatuses({ config, store, clock: () => now, pollMs: 2000 });
    const status = { state: 'idle', version: 4 } as Status;
    polled.note(0, status, 9_500);
    expect(polled.fresh(0)).toBeUndefined(); // not connected yet
    updateTarget(store, 0, { connection: { state: 'connected', checkedAt: now } });
    expect(polled.fresh(0)).toBe(status);
    polled.runEnded(9_600);
    expect(polled.fresh(0)).toBeUndefined(); // polled before the last run ended
    polled.note(0, status, 9_700);
    expect(polled.fresh(0)).toBe(status);
    now = 11_700;
    expect(polled.fresh(0)).toBeUndefined(); // as old as the poll interval
    polled.note(0, { state: 'reloading', version: 4 } as Status, 11_600);
    expect(polled.fresh(0)).toBeUndefined();

    const fleet = makeConfig({ root, targets: [{ name: 'a', apiUrl: 'http://127.0.0.1:9' }, { name: 'b', apiUrl: 'http://127.0.0.1:9' }] });
    const fleetStore = createEngineStore(fleet, noActions);
    const fleetPolled = createPolledStatuses({ config: fleet, store: fleetStore, clock: () => now, pollMs: 2000 });
    updateTarget(fleetStore, 0, { connection: { state: 'connected', checkedAt: now } });
    fleetPolled.note(0, status, now);
    expect(fleetPolled.fresh(0)).toBeUndefined(); // a fleet checks every target anyway
  });
});
