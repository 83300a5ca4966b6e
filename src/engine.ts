// The imperative shell: wires watcher → scheduler → pipeline → client and reports it all
// into one store. Decisions live in the pure machines (scheduler.ts, pipeline.ts); this
// file only performs their effects with real timers, files and HTTP, and feeds results back.
import type { StoreApi } from 'zustand/vanilla';
import { createClient } from './client/client.js';
import { createConnectionMonitor } from './connection.js';
import { createErrorLog, type ErrorLog } from './errorlog.js';
import { fanOut, worstExitCode } from './fleet.js';
import type { LogEntry, PipelineMode, Stage } from './pipeline.js';
import { runPipeline, type PipelineReport, type ServiceClient } from './pipeline-runner.js';
import { cooldownDeadline, createSchedulerState, step, type SchedulerEvent, type SchedulerState } from './scheduler.js';
import {
  addError,
  addWarning,
  createEngineStore,
  finishAttempt,
  recordChanges,
  setPending,
  setWatch,
  startAttempt,
  updateTarget,
} from './store.js';
import type { Config, EngineStore, ErrorEntry, FileChange, PipelinePhase, ReloadAttempt, RunResult, Target } from './types.js';
import { startWatcher, type Watcher } from './watcher.js';

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
  clock?: () => number;
  errorLog?: ErrorLog;
  /** status polling while connected (default 2000 ms, bounded to 250..60000) */
  pollIntervalMs?: number;
}

export { RETRY_MAX_MS, RETRY_MIN_MS } from './connection.js';

const PHASE: Record<Stage, PipelinePhase> = {
  'status-before': 'triggering',
  triggering: 'triggering',
  verifying: 'verifying',
  'rolling-back': 'rolling-back',
  reverifying: 'reverifying',
  done: 'idle',
};

type Waiter = { reason: ReloadAttempt['reason']; resolve: (r: RunResult) => void };

export function createEngine(config: Config, deps: EngineDeps = {}): Engine {
  const clock = deps.clock ?? Date.now;
  const abort = new AbortController();
  const clients = config.targets.map((t) =>
    deps.clientFactory ? deps.clientFactory(t, config, abort.signal) : createClient(t, config, { signal: abort.signal }),
  );

  let closed = false;
  let closing: Promise<void> | undefined;
  let watcher: Watcher | undefined;
  let attemptId = 0;
  let sched: SchedulerState = createSchedulerState({ debounceMs: config.debounceMs, cooldownMs: config.cooldownMs });
  let tickTimer: NodeJS.Timeout | undefined;
  let cooldownTimer: NodeJS.Timeout | undefined;
  const manualWaiters: Waiter[] = [];
  const inflight = new Set<Promise<unknown>>();

  // One lane: pipeline runs (reloads, verify, rollback) never overlap.
  let lane: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = lane.then(fn, fn);
    lane = run.catch(() => undefined);
    return track(run);
  };
  const track = <T>(p: Promise<T>): Promise<T> => {
    inflight.add(p);
    void p.finally(() => inflight.delete(p)).catch(() => undefined);
    return p;
  };

  const actions = {
    trigger: (opts?: { reason?: ReloadAttempt['reason']; files?: string[] }) => trigger(opts),
    verify: () => verify(),
    rollback: () => rollback(),
    pause: () => {
      setWatch(store, { paused: true });
      dispatch({ type: 'pause', now: clock() });
    },
    resume: () => {
      setWatch(store, { paused: false });
      dispatch({ type: 'resume', now: clock() });
    },
  };
  const store = createEngineStore(config, actions);
  const errorLog = deps.errorLog ?? createErrorLog(config.logDir, (w) => addWarning(store, w));
  const monitor = createConnectionMonitor({ clients, config, store, clock, track, pollIntervalMs: deps.pollIntervalMs });

  // ---- scheduler shell ------------------------------------------------------------------

  function dispatch(event: SchedulerEvent): void {
    if (closed) return;
    const [next, effects] = step(sched, event);
    sched = next;
    for (const eff of effects) {
      if (eff.type === 'scheduleTick') {
        clearTimeout(tickTimer);
        tickTimer = setTimeout(() => dispatch({ type: 'tick', now: clock() }), Math.max(0, eff.at - clock()));
      } else if (eff.type === 'cancelTick') {
        clearTimeout(tickTimer);
        tickTimer = undefined;
      } else {
        const waiters = eff.reason === 'manual' ? manualWaiters.splice(0) : [];
        const reason = waiters[0]?.reason ?? eff.reason;
        void serial(() => reloadNow(eff.paths, reason)).then(
          (result) => waiters.forEach((w) => w.resolve(result)),
          (e) => waiters.forEach((w) => w.resolve(internalFailure('trigger', e))),
        );
      }
    }
    syncSchedulerView();
  }

  /** pending + cooldown deadline into the store; one timer clears the countdown when it ends */
  function syncSchedulerView(): void {
    const until = cooldownDeadline(sched, clock());
    setPending(store, sched.pending, until);
    clearTimeout(cooldownTimer);
    cooldownTimer = until === null || closed ? undefined : setTimeout(syncSchedulerView, Math.max(0, until - clock()) + 1);
  }

  async function reloadNow(paths: string[], reason: ReloadAttempt['reason']): Promise<RunResult> {
    if (closed) return closedResult('trigger');
    dispatch({ type: 'reloadStarted', now: clock() });
    try {
      return await runOnTargets('trigger', { files: paths, reason });
    } finally {
      dispatch({ type: 'reloadFinished', now: clock() });
    }
  }

  // ---- pipeline runs ----------------------------------------------------------------------

  async function runOnTargets(mode: PipelineMode, req: { files: string[]; reason: ReloadAttempt['reason'] }): Promise<RunResult> {
    const modules = [...config.modules];
    const attempt: ReloadAttempt = {
      id: ++attemptId,
      kind: mode,
      startedAt: clock(),
      reason: req.reason,
      files: req.files,
      modules,
      message: mode === 'trigger' ? 'reloading' : mode === 'verify' ? 'verifying' : 'rolling back',
      checks: [],
      steps: [],
    };
    startAttempt(store, attempt, mode === 'verify' ? 'verifying' : mode === 'rollback' ? 'rolling-back' : 'triggering');

    const reports = await fanOut(config.targets.length, config, (i) => {
      const client = clients[i];
      const state = store.getState();
      return runPipeline(
        {
          mode,
          verify: mode !== 'trigger' || config.verify,
          request: { files: req.files, modules, reason: req.reason },
          baseline: state.targets[i]?.service ?? null,
        },
        {
          client,
          probes: config.probes,
          clock,
          healthPath: config.endpoints.health,
          log: (entry) => logError(entry, client.target.name),
          onStage: i === 0 ? (stage) => store.setState({ phase: PHASE[stage] }) : undefined,
          onStep:
            i === 0
              ? (rec) => {
                  const cur = store.getState().current;
                  if (cur) store.setState({ current: { ...cur, steps: [...cur.steps, rec] } });
                }
              : undefined,
        },
      );
    });

    reports.forEach((r, i) => r && noteTarget(i, r));
    const done = reports.filter((r): r is PipelineReport => r !== undefined);
    const primary = done[0];
    const p = primary.state;
    const exitCode = worstExitCode(done.map((r) => r.state.exitCode ?? 1));
    const finishedAt = clock();
    const skipped = config.targets.length - done.length;
    const finished: ReloadAttempt = {
      ...attempt,
      finishedAt,
      durationMs: finishedAt - attempt.startedAt,
      outcome: p.outcome,
      versionBefore: p.versionBefore,
      versionAfter: p.versionAfter,
      serverDurationMs: p.reload?.duration_ms,
      message: p.message + (skipped > 0 ? ` (${skipped} target(s) skipped after the canary failed)` : ''),
      checks: p.checks,
      ...(p.reverifyChecks.length ? { reverifyChecks: p.reverifyChecks } : {}),
      steps: primary.steps,
      targets: done.map((r, i) => ({
        name: config.targets[i].name,
        outcome: r.state.outcome ?? 'failed',
        versionBefore: r.state.versionBefore,
        versionAfter: r.state.versionAfter,
        message: r.state.message,
      })),
    };
    const finalChecks = p.reverifyChecks.length ? p.reverifyChecks : p.checks;
    finishAttempt(store, finished, finalChecks, done.some((r) => r.state.restartDetected));
    return { kind: mode, ok: exitCode === 0, exitCode, message: finished.message, attempt: finished, checks: finalChecks };
  }

  function noteTarget(i: number, r: PipelineReport): void {
    const t = store.getState().targets[i];
    const unreachable = r.state.outcome === 'unreachable';
    updateTarget(store, i, {
      lastOutcome: r.state.outcome,
      service: r.lastStatus ?? t?.service ?? null,
      connection: unreachable
        ? { state: 'disconnected', lastError: r.state.message, checkedAt: clock(), retryAt: t?.connection.retryAt }
        : { state: 'connected', checkedAt: clock() },
    });
  }

  async function logError(entry: LogEntry, target: string): Promise<void> {
    const full: ErrorEntry = { time: new Date(clock()).toISOString(), target, ...entry };
    addError(store, full);
    await errorLog.append(full);
  }

  function trigger(opts?: { reason?: ReloadAttempt['reason']; files?: string[] }): Promise<RunResult> {
    if (closed) return Promise.resolve(closedResult('trigger'));
    const files = (opts?.files ?? []).filter((f) => typeof f === 'string' && f.length > 0);
    return track(
      new Promise<RunResult>((resolve) => {
        manualWaiters.push({ reason: opts?.reason ?? 'manual', resolve });
        dispatch({ type: 'manualTrigger', now: clock(), paths: files });
      }),
    );
  }

  function verify(): Promise<RunResult> {
    if (closed) return Promise.resolve(closedResult('verify'));
    return serial(() => (closed ? Promise.resolve(closedResult('verify')) : runOnTargets('verify', { files: [], reason: 'manual' })));
  }

  function rollback(): Promise<RunResult> {
    if (closed) return Promise.resolve(closedResult('rollback'));
    return serial(() => (closed ? Promise.resolve(closedResult('rollback')) : runOnTargets('rollback', { files: [], reason: 'manual' })));
  }

  // ---- watch mode -------------------------------------------------------------------------

  let starting: Promise<void> | undefined;
  function start(): Promise<void> {
    starting ??= startWatching(); // a second call joins the first
    return starting;
  }

  async function startWatching(): Promise<void> {
    if (closed) return;
    const w = await startWatcher(
      { root: config.root, dirs: config.dirs, ignore: config.ignore, logDir: config.logDir, settleMs: Math.min(15, config.debounceMs) },
      {
        onChange: (c) => queueChange({ ...c, at: clock() }),
        onReady: (n) => setWatch(store, { fileCount: n, ready: true }),
        onWarning: (msg) => addWarning(store, msg),
        onError: (msg) => {
          addWarning(store, msg);
          void logError({ kind: 'watcher', message: msg }, config.targets[0]?.name ?? 'primary');
        },
      },
    );
    if (closed) return void (await w.close());
    watcher = w;
    // diagnostics and polling run in the background: start() never waits on the network
    monitor.start();
    await w.ready;
    setWatch(store, { fileCount: w.fileCount, ready: true });
  }

  // A checkout or a formatter touches hundreds of files at once: events of one turn of the
  // event loop reach the store and the scheduler as one batch, not one update each.
  let batch: FileChange[] = [];
  let flushScheduled = false;
  function queueChange(c: FileChange): void {
    batch.push(c);
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(() => {
      flushScheduled = false;
      const changes = batch;
      batch = [];
      if (closed || changes.length === 0) return;
      recordChanges(store, changes);
      if (watcher && watcher.fileCount !== store.getState().watch.fileCount) setWatch(store, { fileCount: watcher.fileCount });
      dispatch({ type: 'change', paths: changes.map((x) => x.path), now: clock() });
    });
  }

  // ---- teardown ---------------------------------------------------------------------------

  function close(): Promise<void> {
    closing ??= (async () => {
      closed = true;
      clearTimeout(tickTimer);
      clearTimeout(cooldownTimer);
      monitor.close();
      for (const w of manualWaiters.splice(0)) w.resolve(closedResult('trigger'));
      await watcher?.close();
      abort.abort(); // in-flight requests fail fast as states
      await Promise.allSettled([...inflight]);
    })();
    return closing;
  }

  return { store, config, start, trigger, verify, rollback, close };
}

function closedResult(kind: RunResult['kind']): RunResult {
  return { kind, ok: false, exitCode: 1, message: 'the engine is closed', checks: [] };
}

function internalFailure(kind: RunResult['kind'], e: unknown): RunResult {
  return { kind, ok: false, exitCode: 1, message: `internal error: ${e instanceof Error ? e.message : String(e)}`, checks: [] };
}
