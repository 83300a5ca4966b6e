// The imperative shell: wires watcher → scheduler → pipeline → client and reports it all
// into one store. Decisions live in the pure machines (scheduler.ts, pipeline.ts, fleet.ts);
// the units wired here perform their effects with real timers, files and HTTP:
// reload-queue.ts (the scheduler's shell), watch-mode.ts (watcher, CPU load, polling,
// catch-up), single-run.ts / fleet-run.ts (one attempt on one target or on several).
import type { StoreApi } from 'zustand/vanilla';
import { closedResult, type RunContext, type RunRequest } from './attempt.js';
import { createClient } from '../client/client.js';
import { createConnectionMonitor, pollInterval } from './connection.js';
import type { CpuMonitor } from './cpu-load.js';
import { createErrorLog, type ErrorLog } from './errorlog.js';
import { runFleetTargets } from './fleet-run.js';
import { createPolledStatuses } from './fresh-status.js';
import type { LogEntry, PipelineMode } from './pipeline.js';
import type { ServiceClient } from './pipeline-runner.js';
import { createReloadQueue } from './reload-queue.js';
import { runSingleTarget } from './single-run.js';
import { addError, addWarning, createEngineStore, outputSince } from './store.js';
import type { Config, EngineStore, ErrorEntry, ReloadAttempt, RunResult, Target } from '../types.js';
import { createWatchMode } from './watch-mode.js';

export interface Engine {
  readonly store: StoreApi<EngineStore>;
  readonly config: Config;
  /** watch mode: watcher + scheduler + status polling; start-up diagnostics go to state.warnings */
  start(): Promise<void>;
  trigger(opts?: { reason?: ReloadAttempt['reason']; files?: string[] }): Promise<RunResult>;
  verify(): Promise<RunResult>;
  rollback(): Promise<RunResult>;
  /** stops watcher and timers, aborts in-flight requests and waits for them; idempotent */
  close(): Promise<void>;
}

export interface EngineDeps {
  clientFactory?: (target: Target, config: Config, signal: AbortSignal) => ServiceClient;
  /** wall time (epoch ms): timestamps people read */
  clock?: () => number;
  /** the scheduler's time (ms, monotonic; default performance.now): a wall-clock step never moves a reload */
  monotonic?: () => number;
  errorLog?: ErrorLog;
  /** status polling while connected (default 2000 ms, bounded to 250..60000) */
  pollIntervalMs?: number;
  /** watch mode's CPU saturation signal for the scheduler (default: os.cpus(), sampled each second) */
  watchCpuLoad?: (onChange: (busy: boolean) => void) => CpuMonitor;
}

export { RETRY_MAX_MS, RETRY_MIN_MS } from './connection.js';

export function createEngine(config: Config, deps: EngineDeps = {}): Engine {
  const clock = deps.clock ?? Date.now;
  const mono = deps.monotonic ?? (() => performance.now());
  const abort = new AbortController();
  const clients = config.targets.map((t) =>
    deps.clientFactory ? deps.clientFactory(t, config, abort.signal) : createClient(t, config, { signal: abort.signal }),
  );
  let closed = false;
  let closing: Promise<void> | undefined;
  const isClosed = () => closed;
  const lane = createLane();

  const actions = {
    trigger: (opts?: { reason?: ReloadAttempt['reason']; files?: string[] }) => trigger(opts),
    verify: () => verify(),
    rollback: () => rollback(),
    pause: () => queue.pause(),
    resume: () => queue.resume(),
  };
  const store = createEngineStore(config, actions);
  const errorLog = deps.errorLog ?? createErrorLog(config.logDir, (w) => addWarning(store, w));
  const logError = reportError(store, errorLog, clock);
  const pollMs = pollInterval(deps.pollIntervalMs);
  const polled = createPolledStatuses({ config, store, clock, pollMs });
  const monitor = createConnectionMonitor({
    clients,
    config,
    store,
    clock,
    track: lane.track,
    pollIntervalMs: pollMs,
    onStatus: (i, status, at) => {
      polled.note(i, status, at);
      watch.catchUp(i, status);
    },
  });

  let attemptId = 0;
  const ctx: RunContext = { config, clients, store, clock, mono, isClosed, nextAttemptId: () => ++attemptId, knownStatus: polled.fresh, runEnded: polled.runEnded, logError };
  const runOnTargets = (mode: PipelineMode, req: RunRequest) => (config.targets.length > 1 ? runFleetTargets : runSingleTarget)(ctx, mode, req);
  /** a verify or rollback in the one lane (a closed engine answers without running) */
  const runInLane = (mode: 'verify' | 'rollback', reason: ReloadAttempt['reason']) =>
    lane.serial(() => (closed ? Promise.resolve(closedResult(mode)) : runOnTargets(mode, { files: [], reason })));

  const queue = createReloadQueue({
    config,
    store,
    clock,
    mono,
    isClosed,
    serial: lane.serial,
    track: lane.track,
    reload: (files, reason, startedAt) => runOnTargets('trigger', { files, reason, startedAt }),
    fileCount: () => watch.fileCount(),
  });
  const watch = createWatchMode({ config, store, clock, isClosed, queue, monitor, verify: () => void runInLane('verify', 'watch'), logError, watchCpuLoad: deps.watchCpuLoad });

  const trigger = (opts?: { reason?: ReloadAttempt['reason']; files?: string[] }) => queue.trigger(opts);
  const verify = () => (closed ? Promise.resolve(closedResult('verify')) : runInLane('verify', 'manual'));
  const rollback = () => (closed ? Promise.resolve(closedResult('rollback')) : runInLane('rollback', 'manual'));

  function close(): Promise<void> {
    closing ??= (async () => {
      closed = true;
      queue.close();
      monitor.close();
      await watch.close();
      abort.abort(); // in-flight requests fail fast as states
      await lane.settled();
    })();
    return closing;
  }

  return { store, config, start: watch.start, trigger, verify, rollback, close };
}

/** One lane: pipeline runs (reloads, verify, rollback) never overlap; every promise in flight is tracked for close(). */
function createLane() {
  const inflight = new Set<Promise<unknown>>();
  let lane: Promise<unknown> = Promise.resolve();
  const track = <T>(p: Promise<T>): Promise<T> => {
    inflight.add(p);
    void p.finally(() => inflight.delete(p)).catch(() => undefined);
    return p;
  };
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = lane.then(fn, fn);
    lane = run.catch(() => undefined);
    return track(run);
  };
  return { track, serial, settled: () => Promise.allSettled([...inflight]) };
}

/** A failure into the store and the error log, with what the service printed since `outputFrom`. */
function reportError(store: StoreApi<EngineStore>, errorLog: ErrorLog, clock: () => number) {
  return async (entry: LogEntry, target: string, outputFrom?: number): Promise<void> => {
    // what the service printed may still sit in its pipe: one turn of the loop reads it
    if (outputFrom !== undefined && store.getState().serviceOutput.lines.length) await new Promise((r) => setImmediate(r));
    const output = outputFrom !== undefined ? outputSince(store, outputFrom) : [];
    const full: ErrorEntry = { time: new Date(clock()).toISOString(), target, ...entry, ...(output.length ? { serviceOutput: output } : {}) };
    addError(store, full);
    await errorLog.append(full);
  };
}
