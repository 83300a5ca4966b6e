// Fleet decisions as a pure machine: which target to check, reload, skip or roll back
// next, and what the fleet's verdict is. step(state, event) → [state, effects]; the
// runner (fleet-runner.ts) performs the effects with one per-target pipeline each.
//
// A fleet must never end up half on the new code:
// - check every target first; one unreachable fails the run before anything changes
//   (unless allowMissing: then it is skipped and said so);
// - canary: the first target reloads and verifies alone, the rest only after it passed;
//   then at most `parallel` at a time, and none starts after a failure;
// - any failure: every target that activated the new version and kept it is rolled back
//   (its own pipeline already rolled back the one that failed its verification).
import { exitCodeFor, type PipelineMode } from './pipeline.js';
import type { ExitCode, ReloadOutcome, Strategy, TargetOutcome } from '../types.js';

const SEVERITY: Record<ExitCode, number> = { 0: 0, 1: 1, 3: 2, 4: 3, 2: 4 };

export const worstExitCode = (codes: readonly ExitCode[]): ExitCode =>
  codes.reduce<ExitCode>((w, c) => (SEVERITY[c] > SEVERITY[w] ? c : w), 0);

export interface FleetInput {
  mode: PipelineMode;
  names: readonly string[];
  strategy: Strategy;
  parallel: number;
  allowMissing: boolean;
  /** check every target before acting (fleets; one target's pipeline checks itself) */
  preflight: boolean;
}

/** What the machine needs to know of one finished per-target pipeline run. */
export interface TargetRun {
  outcome: ReloadOutcome;
  exitCode: ExitCode;
  /** the run started serving a new version (reload answered activated, or an old server's success) */
  activated: boolean;
  /** the version it activated: the compare-and-swap of its rollback */
  activatedVersion?: number;
  versionBefore?: number;
  versionAfter?: number;
  message: string;
  /** the reload request got no answer (timeout, dropped): it may have activated all the same */
  unsure?: boolean;
}

export type SlotPhase = 'waiting' | 'checking' | 'ready' | 'missing' | 'queued' | 'running' | 'ran' | 'undoing' | 'skipped';

export interface Slot {
  readonly phase: SlotPhase;
  /** the version seen by the check before anything changed */
  readonly version?: number;
  /** why the target did not answer the check */
  readonly missing?: string;
  readonly run?: TargetRun;
  /** the rollback that undid this target's activated version */
  readonly undo?: TargetRun;
  /** why it was never touched */
  readonly skipped?: string;
  /** an unsure reload awaits a status read: did its version move? */
  readonly recheck?: boolean;
  /** the version an unsure reload turned out to have activated (rolled back from) */
  readonly movedTo?: number;
  /** an unsure reload whose status could not be read afterwards */
  readonly unconfirmed?: string;
}

export type FleetStage = 'checking' | 'canary' | 'rollout' | 'undoing' | 'done';

export interface FleetState {
  readonly input: FleetInput;
  readonly stage: FleetStage;
  readonly slots: readonly Slot[];
  readonly running: number;
  readonly warnings: readonly string[];
  readonly exitCode?: ExitCode;
  readonly message: string;
}

export type FleetEvent =
  | { type: 'start' }
  /** `reachable: false` when the target did not answer at all (refused, timed out) */
  | { type: 'checked'; index: number; reachable: boolean; version?: number; detail?: string }
  | { type: 'ran'; index: number; run: TargetRun }
  | { type: 'undone'; index: number; run: TargetRun }
  /** the status after an unsure reload; `reachable: false` leaves it unconfirmed */
  | { type: 'rechecked'; index: number; reachable: boolean; version?: number; detail?: string };

export type FleetEffect =
  | { type: 'check'; index: number }
  | { type: 'run'; index: number }
  /** read the status of a target whose reload got no answer */
  | { type: 'recheck'; index: number }
  /** roll back exactly `fromVersion` (absent: a server without versions) */
  | { type: 'undo'; index: number; fromVersion?: number }
  | { type: 'warn'; message: string }
  | { type: 'done' };

type Step = [FleetState, FleetEffect[]];

export function initialFleet(input: FleetInput): FleetState {
  return { input, stage: 'checking', slots: input.names.map(() => ({ phase: 'waiting' })), running: 0, warnings: [], message: '' };
}

const limitOf = (input: FleetInput) => Math.max(1, Math.floor(input.parallel) || 1);
const failed = (run: TargetRun | undefined) => run !== undefined && run.exitCode !== 0;
/** Activated and still serving the new version: its own pipeline did not roll it back. */
export const keptNewVersion = (run: TargetRun | undefined): boolean =>
  run !== undefined && run.activated && (run.outcome === 'ok' || run.outcome === 'unreachable');

const setSlot = (s: FleetState, index: number, patch: Partial<Slot>): FleetState => ({
  ...s,
  slots: s.slots.map((slot, i) => (i === index ? { ...slot, ...patch } : slot)),
});

export function step(s: FleetState, e: FleetEvent): Step {
  if (s.stage === 'done') return [s, []];
  switch (e.type) {
    case 'start': {
      if (s.slots.length === 0) return finish({ ...s, message: 'no targets' }, []);
      if (!s.input.preflight) return beginRollout(s, []);
      return pump({ ...s, slots: s.slots.map(() => ({ phase: 'queued' as const })) }, []);
    }
    case 'checked': {
      const slot = s.slots[e.index];
      if (s.stage !== 'checking' || slot?.phase !== 'checking') return [s, []];
      const patch: Partial<Slot> = e.reachable
        ? { phase: 'ready', ...(e.version !== undefined ? { version: e.version } : {}) }
        : { phase: 'missing', missing: e.detail ?? 'unreachable' };
      return pump(setSlot({ ...s, running: s.running - 1 }, e.index, patch), []);
    }
    case 'ran': {
      const slot = s.slots[e.index];
      if (slot?.phase !== 'running' || (s.stage !== 'canary' && s.stage !== 'rollout')) return [s, []];
      let next = setSlot({ ...s, running: s.running - 1 }, e.index, { phase: 'ran', run: e.run });
      // verification only reads: every target is verified; anything else stops on a failure
      if (failed(e.run) && next.input.mode !== 'verify') next = skipQueued(next, `not ${verb(next.input.mode)}: ${next.input.names[e.index]} failed first`);
      else if (next.stage === 'canary') {
        next = { ...next, stage: 'rollout', slots: next.slots.map((x) => (x.phase === 'ready' ? { ...x, phase: 'queued' } : x)) };
      }
      return pump(next, []);
    }
    case 'rechecked': {
      const slot = s.slots[e.index];
      if (s.stage !== 'undoing' || slot?.phase !== 'undoing' || !slot.recheck) return [s, []];
      const before = slot.run?.versionBefore;
      const moved = e.reachable && e.version !== undefined && before !== undefined && e.version > before;
      const patch: Partial<Slot> = !e.reachable
        ? { phase: 'ran', recheck: false, unconfirmed: e.detail ?? 'no answer' }
        : moved
          ? { phase: 'queued', recheck: false, movedTo: e.version }
          : { phase: 'ran', recheck: false };
      return pump(setSlot({ ...s, running: s.running - 1 }, e.index, patch), []);
    }
    case 'undone': {
      const slot = s.slots[e.index];
      if (s.stage !== 'undoing' || slot?.phase !== 'undoing') return [s, []];
      return pump(setSlot({ ...s, running: s.running - 1 }, e.index, { phase: 'ran', undo: e.run }), []);
    }
  }
}

/** Start queued work up to the concurrency limit; move on when a stage has nothing left. */
function pump(s: FleetState, effects: FleetEffect[]): Step {
  const limit = limitOf(s.input);
  let slots = s.slots;
  let running = s.running;
  const out = [...effects];
  for (let i = 0; i < slots.length && running < limit; i++) {
    const slot = slots[i];
    if (slot.phase !== 'queued') continue;
    if (s.stage === 'checking') {
      slots = slots.map((x, j) => (j === i ? { ...x, phase: 'checking' } : x));
      out.push({ type: 'check', index: i });
    } else if (s.stage === 'undoing') {
      slots = slots.map((x, j) => (j === i ? { ...x, phase: 'undoing' } : x));
      const from = slot.movedTo ?? slot.run?.activatedVersion;
      out.push(slot.recheck ? { type: 'recheck', index: i } : { type: 'undo', index: i, ...(from !== undefined ? { fromVersion: from } : {}) });
    } else {
      slots = slots.map((x, j) => (j === i ? { ...x, phase: 'running' } : x));
      out.push({ type: 'run', index: i });
    }
    running++;
  }
  const next: FleetState = { ...s, slots, running };
  if (running > 0 || slots.some((x) => x.phase === 'queued')) return [next, out];
  if (next.stage === 'checking') return afterChecks(next, out);
  if (next.stage === 'canary' || next.stage === 'rollout') return afterRollout(next, out);
  return finish(next, out);
}

function afterChecks(s: FleetState, effects: FleetEffect[]): Step {
  const { names, allowMissing } = s.input;
  const missing = s.slots.map((x, i) => (x.phase === 'missing' ? i : -1)).filter((i) => i >= 0);
  const out = [...effects];
  let next = s;
  if (missing.length > 0 && !allowMissing) {
    const who = missing.map((i) => `${names[i]} (${s.slots[i].missing})`).join(', ');
    next = {
      ...s,
      slots: s.slots.map((x) => (x.phase === 'missing' ? x : { ...x, phase: 'skipped', skipped: `not ${verb(s.input.mode)}: another target is unreachable` })),
    };
    const message = `unreachable: ${who} — nothing was ${verb(s.input.mode)} (--allow-missing skips unreachable targets)`;
    return finish({ ...next, message }, out);
  }
  for (const i of missing) {
    const warning = `skipping ${names[i]}: unreachable at the start (${s.slots[i].missing}); --allow-missing`;
    next = setSlot({ ...next, warnings: [...next.warnings, warning] }, i, { phase: 'skipped', skipped: `unreachable at the start (${s.slots[i].missing}); skipped (--allow-missing)` });
    out.push({ type: 'warn', message: warning });
  }
  const drift = driftWarning(next);
  if (drift) {
    next = { ...next, warnings: [...next.warnings, drift] };
    out.push({ type: 'warn', message: drift });
  }
  return beginRollout(next, out);
}

/** Different versions on the reachable targets before anything changed, or undefined. */
export function driftWarning(s: FleetState): string | undefined {
  const seen = s.slots
    .map((x, i) => ({ name: s.input.names[i], version: x.version }))
    .filter((x, i) => s.slots[i].phase === 'ready' && x.version !== undefined);
  if (new Set(seen.map((x) => x.version)).size < 2) return undefined;
  return `versions drift between targets: ${seen.map((x) => `${x.name} v${x.version}`).join(', ')} — they do not serve the same code`;
}

function beginRollout(s: FleetState, effects: FleetEffect[]): Step {
  const eligible = s.slots.map((x, i) => (x.phase === 'ready' || x.phase === 'waiting' ? i : -1)).filter((i) => i >= 0);
  if (eligible.length === 0) return finish({ ...s, message: `every target is unreachable — nothing was ${verb(s.input.mode)}` }, effects);
  const canary = s.input.strategy === 'canary' && s.input.mode !== 'verify' && eligible.length > 1;
  const slots = s.slots.map((x, i) => (eligible.includes(i) && (!canary || i === eligible[0]) ? { ...x, phase: 'queued' as const } : x));
  return pump({ ...s, stage: canary ? 'canary' : 'rollout', slots }, effects);
}

function skipQueued(s: FleetState, why: string): FleetState {
  return { ...s, slots: s.slots.map((x) => (x.phase === 'queued' || x.phase === 'ready' ? { ...x, phase: 'skipped', skipped: why } : x)) };
}

function afterRollout(s: FleetState, effects: FleetEffect[]): Step {
  const anyFailed = s.slots.some((x) => failed(x.run));
  if (s.input.mode !== 'trigger' || !anyFailed) return finish(s, effects);
  // an unsure reload is read back first: rolled back only if its version moved
  const slots = s.slots.map((x) =>
    keptNewVersion(x.run) ? { ...x, phase: 'queued' as const } : x.run?.unsure ? { ...x, phase: 'queued' as const, recheck: true } : x,
  );
  if (!slots.some((x) => x.phase === 'queued')) return finish(s, effects);
  return pump({ ...s, stage: 'undoing', slots }, effects);
}

/** A target's final result: what it ran, then what undid it. */
export function finalOutcome(slot: Slot): TargetOutcome {
  if (slot.phase === 'missing') return 'unreachable';
  if (slot.undo) return slot.undo.outcome === 'rolled-back' ? 'rolled-back' : 'rollback-failed';
  return slot.run?.outcome ?? 'skipped';
}

/** One word for a whole fleet run: the worst target, as the exit code ranks them. */
export function fleetOutcome(st: FleetState): ReloadOutcome {
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

function finish(s: FleetState, effects: FleetEffect[]): Step {
  const { mode, names } = s.input;
  const codes: ExitCode[] = s.slots.map((slot) => {
    const o = finalOutcome(slot);
    return o === 'skipped' ? 0 : exitCodeFor(mode, o);
  });
  const touched = s.slots.some((x) => x.run);
  // nothing ran: a target was missing (3), unless there were no targets at all
  const exitCode: ExitCode = touched ? worstExitCode(codes) : s.slots.length === 0 ? 2 : 3;
  const message = s.message || verdict(s, exitCode);
  return [{ ...s, stage: 'done', exitCode, message }, [...effects, { type: 'done' }]];
  function verdict(st: FleetState, code: ExitCode): string {
    const n = st.slots.length;
    const by = (o: TargetOutcome) => st.slots.map((x, i) => (finalOutcome(x) === o ? names[i] : '')).filter(Boolean);
    const skipped = by('skipped');
    const notes = skipped.length ? `; ${skipped.length} skipped (${skipped.join(', ')})` : '';
    if (code === 0) return `all ${n - skipped.length} of ${n} targets ${mode === 'trigger' ? 'reloaded' : mode === 'verify' ? 'verified' : 'rolled back'}${notes}`;
    const culprits = st.slots
      .map((x, i) => (failed(x.run) && x.run ? `${names[i]}: ${x.run.message}` : ''))
      .filter(Boolean);
    const rolledBack = by('rolled-back');
    const stuck = by('rollback-failed');
    const unknown = st.slots.map((x, i) => (x.unconfirmed ? names[i] : '')).filter(Boolean);
    const parts = [`${culprits.length} of ${n} targets failed (${culprits.join('; ')})`];
    if (mode === 'trigger') {
      if (rolledBack.length) parts.push(`rolled back ${rolledBack.join(', ')}`);
      if (stuck.length) parts.push(`ROLLBACK FAILED on ${stuck.join(', ')} — it may still serve the new version`);
      if (unknown.length) parts.push(`cannot tell whether ${unknown.join(', ')} activated the new version (no answer to the reload or to status)`);
      else if (!stuck.length && rolledBack.length && st.slots.every((x) => !x.run || ['rolled-back', 'failed'].includes(finalOutcome(x)))) {
        parts.push('no target is left on the new version');
      }
    }
    return parts.join('; ') + notes;
  }
}

function verb(mode: PipelineMode): string {
  return mode === 'trigger' ? 'reloaded' : mode === 'verify' ? 'verified' : 'rolled back';
}
