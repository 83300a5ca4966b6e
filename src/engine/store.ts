// The one vanilla zustand store the engine reports into (a factory: one per engine, so
// each test gets a fresh one). State is exactly EngineState; updates replace only what
// changed, so selectors see new references for changed slices only. Lists are bounded.
import { projectPath } from './paths.js';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Status } from '../protocol/wire.js';
import type {
  CheckResult,
  Config,
  Connection,
  EngineActions,
  EngineState,
  EngineStore,
  ErrorEntry,
  FileChange,
  ReloadAttempt,
  ServiceLine,
} from '../types.js';

export const LIMITS = { history: 50, recent: 20, errors: 200, warnings: 50, serviceLines: 500, lineChars: 2000, failureLines: 20 } as const;

/** Changes of one file closer together than this are one row of the Watch panel (a checkout writes a file several times). */
export const SAME_CHANGE_MS = 2000;

/** The warning the connection monitor adds when the service restarted (the TUI shows it in its header instead). */
export const RESTART_WARNING = 'the service restarted (boot id/pid changed) — something outside hot reload restarted it';

export function initialEngineState(config: Config): EngineState {
  return {
    config,
    targets: config.targets.map((t) => ({ name: t.name, apiUrl: t.apiUrl, connection: { state: 'unknown' }, service: null })),
    watch: { dirs: config.dirs.map((d) => projectPath(config.root, d)), fileCount: 0, ready: false, paused: false, recent: [] },
    pending: [],
    cooldownUntil: null,
    phase: 'idle',
    current: null,
    history: [],
    checks: [],
    restartDetected: false,
    errors: [],
    warnings: [],
    serviceOutput: { lines: [], dropped: 0 },
  };
}

export function createEngineStore(config: Config, actions: EngineActions): StoreApi<EngineStore> {
  return createStore<EngineStore>()(() => ({ ...initialEngineState(config), actions }));
}

// ---- updaters: each touches one slice -------------------------------------------------

type Store = StoreApi<EngineStore>;

const prepend = <T>(list: readonly T[], items: readonly T[], max: number): T[] => [...items, ...list].slice(0, max);

/**
 * Newest first, one row per file per change: a write to a file written (or added) less
 * than SAME_CHANGE_MS before replaces its earlier row (an add followed by writes stays an add).
 */
export function mergeChanges(recent: readonly FileChange[], changes: readonly FileChange[]): FileChange[] {
  let out = [...recent];
  for (const c of changes) {
    // writes right after a write (or after the add that created the file) are the same
    // change; an unlink, or an add after it, is a change of its own
    const prev = out.find((r) => r.path === c.path && c.at - r.at < SAME_CHANGE_MS && (r.kind === c.kind || (r.kind === 'add' && c.kind === 'change')));
    const kind = prev?.kind === 'add' ? 'add' : c.kind;
    out = [{ ...c, kind }, ...out.filter((r) => r !== prev)].slice(0, LIMITS.recent);
  }
  return out;
}

export function recordChanges(store: Store, changes: readonly FileChange[]): void {
  if (changes.length === 0) return;
  const s = store.getState();
  store.setState({ watch: { ...s.watch, recent: mergeChanges(s.watch.recent, changes) } });
}

export function setPending(store: Store, pending: readonly string[], cooldownUntil: number | null): void {
  const s = store.getState();
  const samePending = s.pending.length === pending.length && s.pending.every((p, i) => p === pending[i]);
  if (samePending && s.cooldownUntil === cooldownUntil) return;
  store.setState({ ...(samePending ? {} : { pending: [...pending] }), cooldownUntil });
}

export function setWatch(store: Store, patch: Partial<EngineState['watch']>): void {
  store.setState({ watch: { ...store.getState().watch, ...patch } });
}

export function updateTarget(
  store: Store,
  index: number,
  patch: { connection?: Connection; service?: Status | null; lastOutcome?: EngineState['targets'][number]['lastOutcome'] },
): void {
  const targets = store.getState().targets;
  if (!targets[index]) return;
  store.setState({ targets: targets.map((t, i) => (i === index ? { ...t, ...patch } : t)) });
}

export function startAttempt(store: Store, attempt: ReloadAttempt, phase: EngineState['phase'] = 'triggering'): void {
  store.setState({ current: attempt, phase });
}

export function finishAttempt(store: Store, attempt: ReloadAttempt, checks: CheckResult[], restartDetected: boolean): void {
  const s = store.getState();
  // a verified reload that saw no restart says the service is whole again
  const verified = attempt.outcome === 'ok' && checks.length > 0 && !restartDetected;
  const version = attempt.versionAfter;
  store.setState({
    current: null,
    phase: 'idle',
    history: prepend(s.history, [attempt], LIMITS.history),
    ...(checks.length ? { checks, checksFrom: { attemptId: attempt.id, at: attempt.finishedAt ?? attempt.startedAt, ...(version !== undefined ? { version } : {}) } } : {}),
    restartDetected: verified ? false : s.restartDetected || restartDetected,
    ...(verified && s.restartDetected ? { warnings: s.warnings.filter((w) => w !== RESTART_WARNING) } : {}),
  });
}

/** The user saw the restart warning (a key): it goes until the next restart. */
export function clearRestart(store: Store): void {
  const s = store.getState();
  if (!s.restartDetected) return;
  store.setState({ restartDetected: false, warnings: s.warnings.filter((w) => w !== RESTART_WARNING) });
}

/**
 * Lines the service wrote, appended in order; the oldest go past LIMITS.serviceLines, and a
 * line longer than LIMITS.lineChars is cut (a service may print a megabyte on one line).
 */
export function appendServiceOutput(store: Store, lines: readonly ServiceLine[]): void {
  if (lines.length === 0) return;
  const { serviceOutput } = store.getState();
  const bounded = lines.map((l) => (l.text.length > LIMITS.lineChars ? { ...l, text: `${l.text.slice(0, LIMITS.lineChars - 1)}…` } : l));
  const all = [...serviceOutput.lines, ...bounded];
  const over = Math.max(0, all.length - LIMITS.serviceLines);
  store.setState({ serviceOutput: { lines: over ? all.slice(over) : all, dropped: serviceOutput.dropped + over } });
}

/** The service's lines written from `since` on (at most LIMITS.failureLines, the last ones): what goes with a failure. */
export function outputSince(store: Store, since: number): string[] {
  const lines = store.getState().serviceOutput.lines.filter((l) => l.at >= since);
  return lines.slice(-LIMITS.failureLines).map((l) => l.text);
}

export function addError(store: Store, entry: ErrorEntry): void {
  store.setState({ errors: prepend(store.getState().errors, [entry], LIMITS.errors) });
}

export function addWarning(store: Store, warning: string): void {
  const warnings = store.getState().warnings;
  if (warnings.includes(warning)) return; // a repeated diagnostic is one line, not a flood
  store.setState({ warnings: [...warnings, warning].slice(-LIMITS.warnings) });
}
