// When to reload: a pure state machine (DESIGN.md "Scheduling").
// step(state, event) → [state, effects]. Time only enters through events (`now`), so the
// rules are tested with explicit time; the engine performs the effects with real timers and
// a monotonic clock (a wall-clock step — NTP, a resumed laptop — must not move a reload).
//
// Rules: a quiet window groups a burst into one batch (debounceMs while the burst touches
// one file, widened by BUSY and LEARN; wider once it touches several: MULTI and STORM);
// the first batch after a quiet period reloads at once; batches arriving while a reload
// runs or within the cooldown after the last reload *started* merge into one trailing
// reload that fires when the cooldown ends or the running reload finishes, whichever is
// later. Reloads never overlap and no change is ever dropped: paths leave `pending` only
// inside a reload effect.

export type ReloadTriggerReason = 'watch' | 'manual';

export type SchedulerEvent =
  | { type: 'change'; paths: readonly string[]; now: number }
  | { type: 'tick'; now: number }
  /** the runtime actually started the reload it was asked for (may be later than asked) */
  | { type: 'reloadStarted'; now: number }
  | { type: 'reloadFinished'; now: number }
  | { type: 'pause'; now: number }
  | { type: 'resume'; now: number }
  /** the machine's CPUs are (not) saturated: other processes' writes then come further apart */
  | { type: 'load'; busy: boolean; now: number }
  /** a user asked for a reload now; extra paths join the pending set */
  | { type: 'manualTrigger'; now: number; paths?: readonly string[] };

export type SchedulerEffect =
  | { type: 'reload'; paths: string[]; reason: ReloadTriggerReason }
  /** (re)arm the single wake-up timer; a later effect replaces an earlier one */
  | { type: 'scheduleTick'; at: number }
  | { type: 'cancelTick' };

export interface SchedulerOptions {
  debounceMs: number;
  cooldownMs: number;
  /** a never-ending burst still fires after this long (default 20 × debounceMs, min 1 s) */
  maxWaitMs?: number;
}

export interface SchedulerState {
  readonly debounceMs: number;
  readonly cooldownMs: number;
  readonly maxWaitMs: number;
  /** changed paths waiting for the next reload, in first-seen order */
  readonly pending: readonly string[];
  /** end of the current quiet window; null when no burst is open */
  readonly quietUntil: number | null;
  /** when the current burst began (bounds quietUntil by maxWaitMs) */
  readonly burstStartedAt: number | null;
  readonly running: boolean;
  readonly lastStartedAt: number | null;
  readonly paused: boolean;
  /** a manual trigger waits for the running reload */
  readonly manualQueued: boolean;
  /** the wake-up time the runtime currently has armed */
  readonly tickAt: number | null;
  /** the one-file window learned from multi-file writes seen so far (0: none wider than debounceMs) */
  readonly learnedQuietMs: number;
  /** the CPUs are saturated (a 'load' event) */
  readonly busy: boolean;
  /** the last change event, and the path of a one-file burst (to see a write that went on after it) */
  readonly lastChangeAt: number | null;
  readonly lonePath: string | null;
}

/**
 * The quiet window widens with the burst. One file's save is over within a millisecond or
 * two, so a short window (debounceMs) keeps save-to-serve low. A burst that has touched a
 * second file is a multi-file operation (save all, `git checkout`, a formatter) whose
 * writes may be several ms apart under load: it waits MULTI.quietMs of quiet, so it
 * stays ONE reload of the final files. A storm (50+ files: a checkout or a build writing
 * the tree) trickles in over a second or more and gets a wider window and a longer bound.
 * Measured by bench/batching.js: real writers' gaps, idle and under full CPU load.
 */
export const MULTI = { paths: 2, quietMs: 25 } as const;
/** A tick this late means the process was not running when the quiet window ended. */
export const STALL_MS = 2;
export const STORM = { paths: 50, quietMs: 300, maxWaitMs: 10_000 } as const;

/**
 * While a burst touches one file its window is debounceMs (short: save-to-serve), widened
 * when the next file of a multi-file write may come later than that:
 * - BUSY: the CPUs are saturated, so the writing process waits for a core between files
 *   (bench/batching.js: first gaps up to 14 ms under full load, 9 ms idle);
 * - LEARN: this project's writers have left a gap of g ms between a first and a second
 *   file (seen in a burst, or as a second file arriving just after a one-file reload fired:
 *   a split); from then on the window is g × factor, at most capMs. It only grows: the
 *   writers in a session stay the same (an editor's save-all, a formatter, git).
 */
export const BUSY = { quietMs: 15 } as const;
export const LEARN = { factor: 1.5, capMs: 15 } as const;

/** The one-file quiet window now in force. */
export function currentQuietMs(s: Pick<SchedulerState, 'debounceMs' | 'learnedQuietMs' | 'busy'>): number {
  return Math.max(s.debounceMs, s.learnedQuietMs, s.busy ? BUSY.quietMs : 0);
}

/** The one-file window after seeing a gap of `gapMs` between a first and a second file. */
function learn(s: SchedulerState, gapMs: number): SchedulerState {
  const quietMs = Math.min(LEARN.capMs, Math.ceil(gapMs * LEARN.factor));
  return quietMs > s.learnedQuietMs ? { ...s, learnedQuietMs: quietMs } : s;
}

/** The quiet window (and the bound on the whole burst) for a burst of `paths` files. */
function burstWindow(s: SchedulerState, paths: number): { quietMs: number; maxWaitMs: number } {
  if (paths >= STORM.paths) return { quietMs: Math.max(s.debounceMs, STORM.quietMs), maxWaitMs: Math.max(s.maxWaitMs, STORM.maxWaitMs) };
  if (paths >= MULTI.paths) return { quietMs: Math.max(s.debounceMs, MULTI.quietMs), maxWaitMs: s.maxWaitMs };
  return { quietMs: currentQuietMs(s), maxWaitMs: s.maxWaitMs };
}

export function createSchedulerState(opts: SchedulerOptions): SchedulerState {
  if (!(opts.debounceMs >= 0) || !(opts.cooldownMs >= 0)) {
    throw new RangeError(
      `scheduler: debounceMs and cooldownMs must be numbers ≥ 0, got ${opts.debounceMs} and ${opts.cooldownMs}`,
    );
  }
  return {
    debounceMs: opts.debounceMs,
    cooldownMs: opts.cooldownMs,
    maxWaitMs: opts.maxWaitMs ?? Math.max(1000, opts.debounceMs * 20),
    pending: [],
    quietUntil: null,
    burstStartedAt: null,
    running: false,
    lastStartedAt: null,
    paused: false,
    manualQueued: false,
    tickAt: null,
    learnedQuietMs: 0,
    busy: false,
    lastChangeAt: null,
    lonePath: null,
  };
}

/** When the cooldown ends (on the clock of the events: monotonic in the engine), or null when none runs at `now`. */
export function cooldownDeadline(state: SchedulerState, now: number): number | null {
  if (state.lastStartedAt === null) return null;
  const until = state.lastStartedAt + state.cooldownMs;
  return until > now ? until : null;
}

function mergePaths(pending: readonly string[], paths: readonly string[]): readonly string[] {
  const seen = new Set(pending);
  const fresh: string[] = [];
  for (const p of paths) {
    if (seen.has(p)) continue;
    seen.add(p);
    fresh.push(p);
  }
  return fresh.length === 0 ? pending : [...pending, ...fresh];
}

export function step(state: SchedulerState, event: SchedulerEvent): [SchedulerState, SchedulerEffect[]] {
  let s = state;
  switch (event.type) {
    case 'change': {
      if (event.paths.length === 0) break;
      const inBurst = s.quietUntil !== null && s.quietUntil > event.now && s.burstStartedAt !== null;
      const burstStartedAt = inBurst ? s.burstStartedAt! : event.now;
      // a second file within the multi-file window of a one-file burst's last event (in the
      // same burst, or just after its reload fired): a multi-file write with this gap
      const other = s.lonePath !== null && event.paths.some((p) => p !== s.lonePath);
      if (other && s.lastChangeAt !== null && event.now - s.lastChangeAt <= MULTI.quietMs) s = learn(s, event.now - s.lastChangeAt);
      const pending = mergePaths(s.pending, event.paths);
      const { quietMs, maxWaitMs } = burstWindow(s, pending.length);
      const quietUntil = Math.min(event.now + quietMs, burstStartedAt + maxWaitMs);
      // the lone path: the one file of this burst so far (null once it has several)
      const lonePath = inBurst ? (other ? null : s.lonePath) : event.paths.length === 1 ? event.paths[0] : null;
      s = { ...s, pending, quietUntil, burstStartedAt, lastChangeAt: event.now, lonePath };
      break;
    }
    case 'tick': {
      // the armed timer has fired (timers may fire a little early): re-arm if still needed
      const stalled = s.tickAt !== null && s.tickAt === s.quietUntil && event.now - s.tickAt > STALL_MS;
      s = { ...s, tickAt: null };
      if (stalled && s.burstStartedAt !== null) {
        // The quiet window ended while this process was not running (a starved event loop
        // runs its timers before reading the file events queued meanwhile): that was no
        // quiet. The burst gets one more window from now, within its bound.
        const w = burstWindow(s, s.pending.length);
        s = { ...s, quietUntil: Math.min(event.now + w.quietMs, s.burstStartedAt + w.maxWaitMs) };
      }
      break;
    }
    case 'reloadStarted':
      // the cooldown counts from the real start, which the runtime may have delayed
      if (s.running) s = { ...s, lastStartedAt: event.now };
      break;
    case 'reloadFinished':
      s = { ...s, running: false };
      break;
    case 'pause':
      s = { ...s, paused: true };
      break;
    case 'resume':
      s = { ...s, paused: false };
      break;
    case 'load':
      if (s.busy !== event.busy) {
        s = { ...s, busy: event.busy };
        // an open one-file window takes the new width from its last event
        if (s.quietUntil !== null && s.burstStartedAt !== null && s.lastChangeAt !== null && s.pending.length < MULTI.paths) {
          s = { ...s, quietUntil: Math.min(s.lastChangeAt + currentQuietMs(s), s.burstStartedAt + s.maxWaitMs) };
        }
      }
      break;
    case 'manualTrigger':
      s = { ...s, pending: mergePaths(s.pending, event.paths ?? []), manualQueued: true };
      break;
  }
  return decide(s, event.now);
}

function decide(s: SchedulerState, now: number): [SchedulerState, SchedulerEffect[]] {
  if (s.quietUntil !== null && s.quietUntil <= now) s = { ...s, quietUntil: null, burstStartedAt: null };
  if (s.running) return armTick(s, null);

  if (s.manualQueued) {
    // an explicit request does not wait for the debounce or the cooldown
    return fire({ ...s, quietUntil: null, burstStartedAt: null, manualQueued: false }, now, 'manual');
  }
  if (s.pending.length === 0 || s.paused) return armTick(s, null);

  const cooldownEnd = s.lastStartedAt === null ? -Infinity : s.lastStartedAt + s.cooldownMs;
  const wakeAt = Math.max(s.quietUntil ?? -Infinity, cooldownEnd);
  if (wakeAt > now) return armTick(s, wakeAt);
  return fire(s, now, 'watch');
}

function fire(s: SchedulerState, now: number, reason: ReloadTriggerReason): [SchedulerState, SchedulerEffect[]] {
  const paths = [...s.pending];
  const [next, effects] = armTick({ ...s, pending: [], running: true, lastStartedAt: now }, null);
  return [next, [...effects, { type: 'reload', paths, reason }]];
}

function armTick(s: SchedulerState, at: number | null): [SchedulerState, SchedulerEffect[]] {
  if (s.tickAt === at) return [s, []];
  return [{ ...s, tickAt: at }, [at === null ? { type: 'cancelTick' } : { type: 'scheduleTick', at }]];
}
