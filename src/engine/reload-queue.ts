// The scheduler's shell (scheduler.ts decides): file changes and manual triggers in, reloads
// out, on real timers. Changes of one turn of the event loop arrive as one batch; a reload
// starts when the scheduler says (quiet window, cooldown, pause, CPU load) and runs in the
// engine's one lane; the pending files and the cooldown's end are kept in the store.
import type { StoreApi } from 'zustand/vanilla';
import { closedResult, internalFailure } from './attempt.js';
import { cooldownDeadline, createSchedulerState, step, type SchedulerEvent, type SchedulerState } from './scheduler.js';
import { recordChanges, setPending, setWatch } from './store.js';
import type { Config, EngineStore, FileChange, ReloadAttempt, RunResult } from '../types.js';

export interface ReloadQueueDeps {
  config: Pick<Config, 'debounceMs' | 'cooldownMs'>;
  store: StoreApi<EngineStore>;
  /** wall time (epoch ms): the cooldown's end as people read it */
  clock: () => number;
  /** the scheduler's time (monotonic ms) */
  mono: () => number;
  isClosed: () => boolean;
  /** runs a reload in the engine's one lane (never overlapping another run) */
  serial: <T>(fn: () => Promise<T>) => Promise<T>;
  /** registers a promise the engine's close() waits for */
  track: <T>(p: Promise<T>) => Promise<T>;
  /** performs one reload of these files, started at `startedAt` (wall time) */
  reload: (paths: string[], reason: ReloadAttempt['reason'], startedAt: number) => Promise<RunResult>;
  /** the watcher's file count while watching: kept current in the store with each batch */
  fileCount?: () => number | undefined;
}

export interface ReloadQueue {
  /** a file change (watch mode, or a catch-up's stale file) */
  change(c: FileChange): void;
  /** a reload now (after the cooldown); resolves with its result */
  trigger(opts?: { reason?: ReloadAttempt['reason']; files?: string[] }): Promise<RunResult>;
  pause(): void;
  resume(): void;
  /** the machine is saturated (or not): the scheduler widens the one-file quiet window */
  load(busy: boolean): void;
  /** stops the timers; a trigger still waiting is answered "closed" */
  close(): void;
}

type Waiter = { reason: ReloadAttempt['reason']; resolve: (r: RunResult) => void };

export function createReloadQueue(deps: ReloadQueueDeps): ReloadQueue {
  const { store, clock, mono, isClosed } = deps;
  let sched: SchedulerState = createSchedulerState({ debounceMs: deps.config.debounceMs, cooldownMs: deps.config.cooldownMs });
  let tickTimer: NodeJS.Timeout | undefined;
  let cooldownTimer: NodeJS.Timeout | undefined;
  const manualWaiters: Waiter[] = [];
  // the last reload's start on both clocks: the cooldown's end is shown as wall time
  let lastStart: { wall: number; mono: number } | undefined;
  const wallOf = (m: number) => (lastStart ? lastStart.wall + (m - lastStart.mono) : clock() + (m - mono()));

  function dispatch(event: SchedulerEvent): void {
    if (isClosed()) return;
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
        void deps.serial(() => reloadNow(eff.paths, reason)).then(
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
    cooldownTimer = until === null || isClosed() ? undefined : setTimeout(syncSchedulerView, Math.max(0, until - mono()) + 1);
  }

  async function reloadNow(paths: string[], reason: ReloadAttempt['reason']): Promise<RunResult> {
    if (isClosed()) return closedResult('trigger');
    // one reading of each clock: the cooldown and the attempt start at the same instant
    const startedAt = clock();
    lastStart = { wall: startedAt, mono: mono() };
    dispatch({ type: 'reloadStarted', now: lastStart.mono });
    try {
      return await deps.reload(paths, reason, startedAt);
    } finally {
      dispatch({ type: 'reloadFinished', now: mono() });
    }
  }

  // A checkout or a formatter touches hundreds of files at once: events of one turn of the
  // event loop reach the store and the scheduler as one batch, not one update each.
  let batch: FileChange[] = [];
  let flushScheduled = false;
  function change(c: FileChange): void {
    batch.push(c);
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(flushChanges);
  }
  function flushChanges(): void {
    flushScheduled = false;
    const changes = batch;
    batch = [];
    if (isClosed() || changes.length === 0) return;
    recordChanges(store, changes);
    const count = deps.fileCount?.();
    if (count !== undefined && count !== store.getState().watch.fileCount) setWatch(store, { fileCount: count });
    dispatch({ type: 'change', paths: changes.map((x) => x.path), now: mono() });
  }

  function trigger(opts?: { reason?: ReloadAttempt['reason']; files?: string[] }): Promise<RunResult> {
    if (isClosed()) return Promise.resolve(closedResult('trigger'));
    const files = (opts?.files ?? []).filter((f) => typeof f === 'string' && f.length > 0);
    return deps.track(
      new Promise<RunResult>((resolve) => {
        manualWaiters.push({ reason: opts?.reason ?? 'manual', resolve });
        dispatch({ type: 'manualTrigger', now: mono(), paths: files });
      }),
    );
  }

  return {
    change,
    trigger,
    pause: () => {
      setWatch(store, { paused: true });
      dispatch({ type: 'pause', now: mono() });
    },
    resume: () => {
      setWatch(store, { paused: false });
      dispatch({ type: 'resume', now: mono() });
    },
    load: (busy) => dispatch({ type: 'load', busy, now: mono() }),
    close: () => {
      clearTimeout(tickTimer);
      clearTimeout(cooldownTimer);
      for (const w of manualWaiters.splice(0)) w.resolve(closedResult('trigger'));
    },
  };
}
