// The imperative shell: wires watcher → scheduler → pipeline → client and reports it all
// into one store. Decisions live in the pure machines (scheduler.ts, pipeline.ts); this
// file only performs their effects with real timers, files and HTTP, and feeds results back.
import type { StoreApi } from 'zustand/vanilla';
import { staleToReload } from './catch-up.js';
import { createClient } from '../client/client.js';
import { createConnectionMonitor, pollInterval } from './connection.js';
import { watchCpuLoad, type CpuMonitor } from './cpu-load.js';
import { createErrorLog, type ErrorLog } from './errorlog.js';
import { finalOutcome, type FleetState, type Slot } from './fleet.js';
import { runFleet } from './fleet-runner.js';
import type { LogEntry, PipelineMode, PipelineState, Stage } from './pipeline.js';
import { runPipeline, toFailure, type PipelineReport, type RunnerDeps, type ServiceClient } from './pipeline-runner.js';
import { notReleasedText, type Status } from '../protocol/wire.js';
import { cooldownDeadline, createSchedulerState, step, type SchedulerEvent, type SchedulerState } from './scheduler.js';
import {
  addError,
  addWarning,
  createEngineStore,
  finishAttempt,
  outputSince,
  recordChanges,
  setPending,
  setWatch,
  startAttempt,
  updateTarget,
} from './store.js';
import type {
  Config,
  EngineStore,
  ErrorEntry,
  FileChange,
  PipelinePhase,
  ReloadAttempt,
  ReloadOutcome,
  RunResult,
  Target,
  TargetOutcome,
  TargetResult,
} from '../types.js';
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

const PHASE: Record<Stage, PipelinePhase> = {
  'status-before': 'triggering',
  triggering: 'triggering',
  verifying: 'verifying',
  'rolling-back': 'rolling-back',
  reverifying: 'reverifying',
  done: 'idle',
};

/** A failure's entry takes the service's lines from this long before its run started (a save's own log lines). */
const OUTPUT_LEAD_MS = 1000;

const STARTING_PHASE: Record<PipelineMode, PipelinePhase> = { trigger: 'triggering', verify: 'verifying', rollback: 'rolling-back' };

type Waiter = { reason: ReloadAttempt['reason']; resolve: (r: RunResult) => void };

export function createEngine(config: Config, deps: EngineDeps = {}): Engine {
  const clock = deps.clock ?? Date.now;
  const mono = deps.monotonic ?? (() => performance.now());
  // the last reload's start on both clocks: the cooldown's end is shown as wall time
  let lastStart: { wall: number; mono: number } | undefined;
  const wallOf = (m: number) => (lastStart ? lastStart.wall + (m - lastStart.mono) : clock() + (m - mono()));
  const abort = new AbortController();
  const clients = config.targets.map((t) =>
    deps.clientFactory ? deps.clientFactory(t, config, abort.signal) : createClient(t, config, { signal: abort.signal }),
  );

  let closed = false;
  let closing: Promise<void> | undefined;
  let watcher: Watcher | undefined;
  let cpuLoad: CpuMonitor | undefined;
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
      dispatch({ type: 'pause', now: mono() });
    },
    resume: () => {
      setWatch(store, { paused: false });
      dispatch({ type: 'resume', now: mono() });
    },
  };
  const store = createEngineStore(config, actions);
  const errorLog = deps.errorLog ?? createErrorLog(config.logDir, (w) => addWarning(store, w));
  // Watch mode's polled statuses: a fresh one is the next trigger's baseline (no GET before
  // the reload: one round trip less of save-to-serve). Fresh = polled after the last run on
  // that target ended and younger than the poll interval; a fleet checks every target anyway.
  const pollMs = pollInterval(deps.pollIntervalMs);
  const polled: ({ status: Status; at: number } | undefined)[] = config.targets.map(() => undefined);
  let lastRunEnded = -Infinity;
  const monitor = createConnectionMonitor({
    clients,
    config,
    store,
    clock,
    track,
    pollIntervalMs: pollMs,
    onStatus: (i, status, at) => {
      polled[i] = { status, at };
      catchUp(i, status);
    },
  });

  function freshStatus(i: number): Status | undefined {
    const p = polled[i];
    const t = store.getState().targets[i];
    if (config.targets.length > 1 || !p || t?.connection.state !== 'connected') return undefined;
    if (p.at < lastRunEnded || clock() - p.at >= pollMs || p.status.state === 'reloading') return undefined;
    return p.status;
  }

  // ---- catching up after a client restart --------------------------------------------------
  // A client killed in its cooldown lost its pending changes; one killed mid-reload left a
  // version nobody verified. The first status of each target in watch mode settles both:
  // the files the service reports stale (content on disk ≠ what runs) are queued as changes,
  // and a service that has reloaded since it booted, with nothing stale, is verified once.
  const caughtUp = config.targets.map(() => false);
  let verifiedAtStart = false;
  /** what the watcher saw change before every target caught up (those are queued already) */
  let seenBeforeCatchUp: Set<string> | undefined = new Set();
  function catchUp(i: number, status: Status): void {
    if (caughtUp[i] || closed || status.state === 'reloading') return; // mid-reload: the next status decides
    caughtUp[i] = true;
    const stale = staleToReload(status.stale_files ?? [], config.root, seenBeforeCatchUp ?? new Set());
    if (caughtUp.every(Boolean)) seenBeforeCatchUp = undefined;
    if (stale.length > 0) {
      const at = clock();
      for (const path of stale) queueChange({ path, kind: 'change', at });
    } else if (!status.stale_files?.length && status.last_reload && !verifiedAtStart) {
      // (stale files the watcher saw change again are brought in by its own reload)
      verifiedAtStart = true;
      void serial(() => (closed ? Promise.resolve(closedResult('verify')) : runOnTargets('verify', { files: [], reason: 'watch' })));
    }
  }

  // ---- scheduler shell ------------------------------------------------------------------

  function dispatch(event: SchedulerEvent): void {
    if (closed) return;
    const [next, effects] = step(sched, event);
    sched = next;
    for (const eff of effects) {
      if (eff.type === 'scheduleTick') {
        clearTimeout(tickTimer);
        tickTimer = setTimeout(() => {
          // file events already received go first: a quiet window must not end on them
          flushChanges();
          dispatch({ type: 'tick', now: mono() });
        }, Math.max(0, eff.at - mono()));
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
    const until = cooldownDeadline(sched, mono());
    setPending(store, sched.pending, until === null ? null : wallOf(until));
    clearTimeout(cooldownTimer);
    cooldownTimer = until === null || closed ? undefined : setTimeout(syncSchedulerView, Math.max(0, until - mono()) + 1);
  }

  async function reloadNow(paths: string[], reason: ReloadAttempt['reason']): Promise<RunResult> {
    if (closed) return closedResult('trigger');
    // one reading of each clock: the cooldown and the attempt start at the same instant
    const startedAt = clock();
    lastStart = { wall: startedAt, mono: mono() };
    dispatch({ type: 'reloadStarted', now: lastStart.mono });
    try {
      return await runOnTargets('trigger', { files: paths, reason, startedAt });
    } finally {
      dispatch({ type: 'reloadFinished', now: mono() });
    }
  }

  // ---- pipeline runs ----------------------------------------------------------------------

  async function runOnTargets(
    mode: PipelineMode,
    req: { files: string[]; reason: ReloadAttempt['reason']; startedAt?: number },
  ): Promise<RunResult> {
    const modules = [...config.modules];
    const attempt: ReloadAttempt = {
      id: ++attemptId,
      kind: mode,
      startedAt: req.startedAt ?? clock(),
      reason: req.reason,
      files: req.files,
      modules,
      message: mode === 'trigger' ? 'reloading' : mode === 'verify' ? 'verifying' : 'rolling back',
      checks: [],
      steps: [],
    };
    startAttempt(store, attempt, STARTING_PHASE[mode]);
    const request = { files: req.files, modules, reason: req.reason };
    const fleet = config.targets.length > 1;
    // the lead target's steps drive the live view, and its stages the phase — in a fleet
    // only while it runs alone (the canary); after it the fleet's stage is the phase
    const live = (i: number) => i === fleetLead;
    let fleetLead = 0;
    let fleetStage: FleetState['stage'] = 'checking';
    const setPhase = (stage: Stage) => {
      if (!fleet || (fleetStage === 'canary' && stage !== 'done')) store.setState({ phase: PHASE[stage] });
    };
    const runs: (PipelineReport | undefined)[] = [];
    const undos: (PipelineReport | undefined)[] = [];

    const report = await runFleet(
      {
        mode,
        names: config.targets.map((t) => t.name),
        strategy: config.strategy,
        parallel: config.parallel,
        allowMissing: config.allowMissing,
        preflight: fleet,
      },
      {
        check: (i) => checkTarget(i),
        recheck: (i) => recheckTarget(i),
        run: async (i) =>
          (runs[i] = await runPipeline(
            {
              mode,
              verify: mode !== 'trigger' || config.verify,
              request,
              baseline: store.getState().targets[i]?.service ?? null,
              root: config.root,
              legacy: clients[i].dialect === 'legacy',
              ...(mode === 'trigger' ? { knownStatus: freshStatus(i) } : {}),
            },
            pipelineDeps(i, live(i), attempt.startedAt, setPhase),
          )),
        undo: async (i, fromVersion) =>
          (undos[i] = await runPipeline(
            {
              mode: 'rollback',
              verify: true,
              request,
              baseline: runs[i]?.lastStatus ?? null,
              automatic: true,
              legacy: clients[i].dialect === 'legacy',
              ...(fromVersion !== undefined ? { fromVersion } : {}),
            },
            pipelineDeps(i, false, attempt.startedAt),
          )),
        warn: (w) => addWarning(store, w),
        onState: (st) => {
          fleetLead = Math.max(0, st.slots.findIndex((x) => x.phase !== 'skipped' && x.phase !== 'missing'));
          if (!fleet) return;
          if (st.stage !== fleetStage && (st.stage === 'rollout' || st.stage === 'undoing')) {
            store.setState({ phase: st.stage === 'undoing' ? 'rolling-back' : STARTING_PHASE[mode] });
          }
          fleetStage = st.stage;
          const cur = store.getState().current;
          // live progress: the targets that are through (a slot still running has no outcome yet)
          const through = st.slots.flatMap((slot, i) => (['ran', 'skipped', 'missing'].includes(slot.phase) ? [targetResult(i, slot, runs, undos)] : []));
          if (cur) store.setState({ current: { ...cur, targets: through } });
        },
      },
    );

    report.state.slots.forEach((slot, i) => {
      const last = report.undos[i] ?? report.runs[i];
      const outcome = finalOutcome(slot);
      if (last) noteTarget(i, last, outcome);
      else if (fleet) updateTarget(store, i, { lastOutcome: outcome }); // skipped or missing: the check updated its status
    });
    const lead = report.state.slots.findIndex((x) => x.run);
    const primary = lead >= 0 ? report.runs[lead] : undefined;
    const p = primary?.state;
    const finishedAt = clock();
    lastRunEnded = finishedAt; // a status polled before now may predate what this run changed
    const st = report.state;
    const exitCode = st.exitCode ?? 1;
    const undoLead = lead >= 0 ? report.undos[lead] : undefined;
    const finished: ReloadAttempt = {
      ...attempt,
      finishedAt,
      durationMs: finishedAt - attempt.startedAt,
      // one target: its own words, with what undid it (a reload read back after no answer)
      outcome: fleet || !p ? fleetOutcome(st) : undoLead ? (finalOutcome(st.slots[lead]) as ReloadOutcome) : p.outcome,
      versionBefore: p?.versionBefore,
      versionAfter: undoLead?.state.versionAfter ?? p?.versionAfter,
      ...activatedVersion(p, undoLead),
      ...(p?.reload?.error && !p.reload.success ? { error: p.reload.error } : {}),
      ...(p?.reload?.failed_modules.length ? { failedModules: p.reload.failed_modules } : {}),
      serverDurationMs: p?.reload?.duration_ms,
      ...(p?.reload?.not_released ? { notReleased: notReleasedText(p.reload.previous_version ?? p.versionBefore, p.reload.not_released) } : {}),
      message: fleet || !p ? st.message : undoLead ? `${p.message}; then ${undoLead.state.message}` : p.message,
      checks: p?.checks ?? [],
      ...(p?.reverifyChecks.length ? { reverifyChecks: p.reverifyChecks } : undoLead?.state.reverifyChecks.length ? { reverifyChecks: undoLead.state.reverifyChecks } : {}),
      steps: [...(primary?.steps ?? []), ...(undoLead?.steps ?? [])],
      targets: st.slots.map((slot, i) => targetResult(i, slot, report.runs, report.undos)),
      ...(st.warnings.length ? { warnings: [...st.warnings] } : {}),
      ...(p?.reload?.not_reloadable?.length ? { notReloadable: p.reload.not_reloadable } : {}),
    };
    const finalChecks = finished.reverifyChecks?.length ? finished.reverifyChecks : finished.checks;
    const restarted = [...report.runs, ...report.undos].some((r) => r?.state.restartDetected);
    finishAttempt(store, finished, finalChecks, restarted);
    return { kind: mode, ok: exitCode === 0, exitCode, message: finished.message, attempt: finished, checks: finalChecks };
  }

  /** `since`: when the run started; the service's lines written from shortly before go with its failures */
  function pipelineDeps(i: number, live: boolean, since: number, onStage?: (stage: Stage) => void): RunnerDeps {
    const client = clients[i];
    return {
      client,
      probes: config.probes,
      advisoryChecks: config.advisoryChecks,
      clock,
      healthPath: config.endpoints.health,
      log: (entry) => logError(entry, client.target.name, since - OUTPUT_LEAD_MS),
      onStage: live ? onStage : undefined,
      onStep: live
        ? (rec) => {
            const cur = store.getState().current;
            if (cur) store.setState({ current: { ...cur, steps: [...cur.steps, rec] } });
          }
        : undefined,
    };
  }

  /** The status before anything changes: only no answer at all makes a target missing. */
  async function checkTarget(i: number): Promise<{ reachable: boolean; version?: number; detail?: string }> {
    // the old server's status read has a side effect and tells no version: health says it answers
    if (clients[i].dialect === 'legacy') return clients[i].health().then(() => ({ reachable: true }), (e: unknown) => ({ reachable: false, detail: toFailure(e).message }));
    try {
      const status = await clients[i].status();
      updateTarget(store, i, { service: status, connection: { state: 'connected', checkedAt: clock() } });
      return { reachable: true, ...(status.version !== undefined ? { version: status.version } : {}) };
    } catch (e) {
      const f = toFailure(e);
      if (f.kind === 'unreachable' || f.kind === 'timeout') {
        const t = store.getState().targets[i];
        updateTarget(store, i, { connection: { state: 'disconnected', lastError: f.message, checkedAt: clock(), retryAt: t?.connection.retryAt } });
        return { reachable: false, detail: f.message };
      }
      return { reachable: true }; // an old server without a status endpoint still reloads
    }
  }

  /**
   * After a reload that got no answer: the status once the agent is idle again (it
   * serializes reloads, so one still running reports `reloading`), bounded by the reload timeout.
   */
  async function recheckTarget(i: number): Promise<{ reachable: boolean; version?: number; detail?: string }> {
    const deadline = mono() + config.timeouts.reloadMs;
    for (let n = 0; n < 1000; n++) {
      try {
        const status = await clients[i].status();
        if (status.state !== 'reloading') {
          updateTarget(store, i, { service: status, connection: { state: 'connected', checkedAt: clock() } });
          return { reachable: true, ...(status.version !== undefined ? { version: status.version } : {}) };
        }
      } catch (e) {
        return { reachable: false, detail: toFailure(e).message };
      }
      if (closed || mono() >= deadline) return { reachable: false, detail: 'still reloading' };
      await new Promise((r) => setTimeout(r, 100));
    }
    return { reachable: false, detail: 'still reloading' };
  }

  function targetResult(i: number, slot: Slot, runs: readonly (PipelineReport | undefined)[], undos: readonly (PipelineReport | undefined)[]): TargetResult {
    const t = config.targets[i];
    const ran = runs[i]?.state;
    const undone = undos[i]?.state;
    const message =
      slot.phase === 'missing'
        ? `unreachable: ${slot.missing}`
        : slot.skipped
          ? slot.skipped
          : undone
            ? `${slot.run?.message ?? ''}; then ${undone.message}`
            : (slot.run?.message ?? (slot.phase === 'skipped' ? 'skipped' : 'waiting'));
    const reverify = ran?.reverifyChecks.length ? ran.reverifyChecks : undone?.reverifyChecks;
    return {
      name: t.name,
      apiUrl: t.apiUrl,
      outcome: finalOutcome(slot),
      versionBefore: ran?.versionBefore ?? slot.version,
      versionAfter: undone?.versionAfter ?? ran?.versionAfter,
      message,
      checks: ran?.checks ?? [],
      ...(reverify?.length ? { reverifyChecks: reverify } : {}),
    };
  }

  function noteTarget(i: number, r: PipelineReport, outcome: TargetOutcome): void {
    const t = store.getState().targets[i];
    const unreachable = r.state.outcome === 'unreachable';
    updateTarget(store, i, {
      lastOutcome: outcome,
      service: r.lastStatus ?? t?.service ?? null,
      connection: unreachable
        ? { state: 'disconnected', lastError: r.state.message, checkedAt: clock(), retryAt: t?.connection.retryAt }
        : { state: 'connected', checkedAt: clock() },
    });
  }

  async function logError(entry: LogEntry, target: string, outputFrom?: number): Promise<void> {
    // what the service printed may still sit in its pipe: one turn of the loop reads it
    if (outputFrom !== undefined && store.getState().serviceOutput.lines.length) await new Promise((r) => setImmediate(r));
    const output = outputFrom !== undefined ? outputSince(store, outputFrom) : [];
    const full: ErrorEntry = { time: new Date(clock()).toISOString(), target, ...entry, ...(output.length ? { serviceOutput: output } : {}) };
    addError(store, full);
    await errorLog.append(full);
  }

  function trigger(opts?: { reason?: ReloadAttempt['reason']; files?: string[] }): Promise<RunResult> {
    if (closed) return Promise.resolve(closedResult('trigger'));
    const files = (opts?.files ?? []).filter((f) => typeof f === 'string' && f.length > 0);
    return track(
      new Promise<RunResult>((resolve) => {
        manualWaiters.push({ reason: opts?.reason ?? 'manual', resolve });
        dispatch({ type: 'manualTrigger', now: mono(), paths: files });
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
        onChange: (c) => {
          seenBeforeCatchUp?.add(c.path);
          queueChange({ ...c, at: clock() });
        },
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
    // a saturated machine widens the one-file quiet window (other processes' writes come slower)
    cpuLoad = (deps.watchCpuLoad ?? watchCpuLoad)((busy) => dispatch({ type: 'load', busy, now: mono() }));
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
    setImmediate(flushChanges);
  }
  function flushChanges(): void {
    flushScheduled = false;
    const changes = batch;
    batch = [];
    if (closed || changes.length === 0) return;
    recordChanges(store, changes);
    if (watcher && watcher.fileCount !== store.getState().watch.fileCount) setWatch(store, { fileCount: watcher.fileCount });
    dispatch({ type: 'change', paths: changes.map((x) => x.path), now: mono() });
  }

  // ---- teardown ---------------------------------------------------------------------------

  function close(): Promise<void> {
    closing ??= (async () => {
      closed = true;
      clearTimeout(tickTimer);
      clearTimeout(cooldownTimer);
      monitor.close();
      cpuLoad?.close();
      for (const w of manualWaiters.splice(0)) w.resolve(closedResult('trigger'));
      await watcher?.close();
      abort.abort(); // in-flight requests fail fast as states
      await Promise.allSettled([...inflight]);
    })();
    return closing;
  }

  return { store, config, start, trigger, verify, rollback, close };
}

/** The version a reload activated: from its answer, or the one a read-back found and undid. */
function activatedVersion(p: PipelineState | undefined, undo: PipelineReport | undefined): Pick<ReloadAttempt, 'versionActivated'> {
  const r = p?.reload;
  const v = r?.activated && r.version !== undefined ? r.version : undo?.state.input.fromVersion;
  return v !== undefined ? { versionActivated: v } : {};
}

/** One word for a whole fleet run: the worst target, as the exit code ranks them. */
function fleetOutcome(st: FleetState): ReloadOutcome {
  switch (st.exitCode) {
    case 0:
      return st.input.mode === 'rollback' ? 'rolled-back' : 'ok';
    case 3:
      return 'unreachable';
    case 4:
      return 'rollback-failed';
    default:
      return st.slots.some((x) => finalOutcome(x) === 'rolled-back') && st.input.mode === 'trigger' ? 'rolled-back' : 'failed';
  }
}

function closedResult(kind: RunResult['kind']): RunResult {
  return { kind, ok: false, exitCode: 1, message: 'the engine is closed', checks: [] };
}

function internalFailure(kind: RunResult['kind'], e: unknown): RunResult {
  return { kind, ok: false, exitCode: 1, message: `internal error: ${e instanceof Error ? e.message : String(e)}`, checks: [] };
}
