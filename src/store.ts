// The one vanilla zustand store the engine reports into (a factory: one per engine, so
// each test gets a fresh one). State is exactly EngineState; updates replace only what
// changed, so selectors see new references for changed slices only. Lists are bounded.
import { projectPath } from './paths.js';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Status } from './protocol.js';
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
} from './types.js';

export const LIMITS = { history: 50, recent: 20, errors: 200, warnings: 50, serviceOutput: 200 } as const;

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
    serviceOutput: [],
  };
}

export function createEngineStore(config: Config, actions: EngineActions): StoreApi<EngineStore> {
  return createStore<EngineStore>()(() => ({ ...initialEngineState(config), actions }));
}

// ---- updaters: each touches one slice -------------------------------------------------

type Store = StoreApi<EngineStore>;

const prepend = <T>(list: readonly T[], items: readonly T[], max: number): T[] => [...items, ...list].slice(0, max);

export function recordChanges(store: Store, changes: readonly FileChange[]): void {
  if (changes.length === 0) return;
  const s = store.getState();
  store.setState({ watch: { ...s.watch, recent: prepend(s.watch.recent, [...changes].reverse(), LIMITS.recent) } });
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
  store.setState({
    current: null,
    phase: 'idle',
    history: prepend(s.history, [attempt], LIMITS.history),
    ...(checks.length ? { checks } : {}),
    restartDetected: s.restartDetected || restartDetected,
  });
}

export function addError(store: Store, entry: ErrorEntry): void {
  store.setState({ errors: prepend(store.getState().errors, [entry], LIMITS.errors) });
}

/** Lines the service the CLI runs (dev, demo) printed; the store keeps the last ones. */
export function appendServiceOutput(store: Store, lines: readonly string[]): void {
  if (lines.length === 0) return;
  store.setState({ serviceOutput: [...store.getState().serviceOutput, ...lines].slice(-LIMITS.serviceOutput) });
}

export function addWarning(store: Store, warning: string): void {
  const warnings = store.getState().warnings;
  if (warnings.includes(warning)) return; // a repeated diagnostic is one line, not a flood
  store.setState({ warnings: [...warnings, warning].slice(-LIMITS.warnings) });
}
