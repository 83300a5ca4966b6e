// Builds engine states and stores for TUI tests: real zustand stores, fake actions that
// record their calls (the engine is another part; the TUI only dispatches).
import { createStore, type StoreApi } from 'zustand/vanilla';
import { initialEngineState } from '../../src/engine/store.js';
import { makeConfig as baseConfig } from './config.js';
import type { CheckResult, Config, EngineActions, EngineState, EngineStore, ReloadAttempt, RunResult, TargetView } from '../../src/types.js';

/** Fixed instant all tests count from: 2026-11-25 12:00:00 UTC. */
export const T0 = Date.UTC(2026, 10, 25, 12, 0, 0);

/** The engine tests' Config, rooted at /proj as the TUI shows it. */
export function makeConfig(overrides: Partial<Config> = {}): Config {
  return baseConfig({
    root: '/proj',
    apiUrl: 'http://127.0.0.1:8001',
    debounceMs: 100,
    timeouts: { reloadMs: 60_000, verifyMs: 15_000, rollbackMs: 30_000, statusMs: 5000 },
    tui: true,
    ...overrides,
  });
}

export function connectedTarget(overrides: Partial<TargetView> = {}): TargetView {
  return {
    name: 'primary',
    apiUrl: 'http://127.0.0.1:8001',
    connection: { state: 'connected', checkedAt: T0 },
    service: {
      running: true,
      state: 'idle',
      version: 12,
      boot_id: '3f2a9c1d-77aa-4c1e-9d0b-0123456789ab',
      pid: 4242,
      uptime_ms: 302_000,
      agent: { name: 'ahr-agent', version: '0.1.0' },
    },
    ...overrides,
  };
}

export function makeState(overrides: Partial<EngineState> = {}): EngineState {
  return {
    ...initialEngineState(makeConfig()),
    targets: [connectedTarget()],
    watch: { dirs: ['src'], fileCount: 128, ready: true, paused: false, recent: [] },
    ...overrides,
  };
}

export function attempt(id: number, overrides: Partial<ReloadAttempt> = {}): ReloadAttempt {
  return {
    id,
    startedAt: T0 - id * 1000,
    finishedAt: T0 - id * 1000 + 120,
    reason: 'watch',
    files: ['src/app.ts'],
    modules: [],
    outcome: 'ok',
    versionBefore: 11,
    versionAfter: 12,
    durationMs: 120,
    message: 'reloaded 1 module',
    checks: [],
    steps: [],
    ...overrides,
  };
}

export const check = (name: string, ok: boolean, detail: string, extra: Partial<CheckResult> = {}): CheckResult => ({ name, ok, detail, ...extra });

/** The demo after a probe failed and the reload was rolled back: 7 changes, 7 attempts, 7 checks. */
export function rolledBackState(): EngineState {
  const checks = [
    check('server:greeting', true, 'says "Hello again!"'),
    check('server:items', true, '2 items listed'),
    check('no-restart', true, 'same process (boot_id, pid, started_at unchanged)'),
    check('health', true, 'GET /health answered HTTP 200'),
    check('probe:greeting', false, 'expected 200, got 500: {"success":false,"message":"Do not know how to serialize a BigInt"}'),
    check('probe:items', true, 'GET /api/v1/items → 200'),
    check('probe:counter', true, 'GET /api/v1/counter → 200'),
  ];
  const reverify = checks.map((c) => (c.ok ? c : { ...c, ok: true, detail: 'GET /api/v1/greeting → 200' }));
  const message = 'verification failed: probe:greeting (expected 200, got 500); rolled back to v7';
  return makeState({
    history: [
      attempt(1, { outcome: 'rolled-back', versionBefore: 7, versionAfter: 7, files: ['server/routes/greeting.js'], message, checks, reverifyChecks: reverify }),
      ...Array.from({ length: 6 }, (_, i) => attempt(i + 2, { files: ['server/routes/items.js'] })),
    ],
    checks: reverify,
    watch: {
      dirs: ['server'],
      fileCount: 8,
      ready: true,
      paused: false,
      recent: Array.from({ length: 7 }, (_, i) => ({ path: i % 2 ? 'server/routes/items.js' : 'server/routes/greeting.js', kind: 'change' as const, at: T0 - i * 4000 })),
    },
  });
}

export type ActionCall = { name: keyof EngineActions; args: unknown[] };

export interface TestStore {
  store: StoreApi<EngineStore>;
  calls: ActionCall[];
  /** patch the state the way the engine would */
  set(patch: Partial<EngineState>): void;
}

/** A fresh store per test; actions record their calls and answer `result`. */
export function makeStore(state: EngineState = makeState(), result?: Partial<RunResult>): TestStore {
  const calls: ActionCall[] = [];
  const answer = (kind: RunResult['kind']): Promise<RunResult> =>
    Promise.resolve({ kind, ok: true, exitCode: 0, message: 'done', checks: [], ...result });
  const actions: EngineActions = {
    trigger: (...args) => (calls.push({ name: 'trigger', args }), answer('trigger')),
    verify: (...args) => (calls.push({ name: 'verify', args }), answer('verify')),
    rollback: (...args) => (calls.push({ name: 'rollback', args }), answer('rollback')),
    pause: (...args) => {
      calls.push({ name: 'pause', args });
      store.setState((s) => ({ watch: { ...s.watch, paused: true } }));
    },
    resume: (...args) => {
      calls.push({ name: 'resume', args });
      store.setState((s) => ({ watch: { ...s.watch, paused: false } }));
    },
  };
  const store = createStore<EngineStore>()(() => ({ ...state, actions }));
  return { store, calls, set: (patch) => store.setState(patch) };
}

// ---- frames ---------------------------------------------------------------------------

import { stripVTControlCharacters } from 'node:util';

// captured before any test fakes timers: the waits below keep working under fake timers
const realSetTimeout = globalThis.setTimeout;
const realNow = Date.now;
const pause = (ms: number) => new Promise((r) => realSetTimeout(r, ms));

/** A frame without ANSI styling, for text assertions. */
export const plain = (frame: string | undefined): string => stripVTControlCharacters(frame ?? '');

/** Waits (bounded) until the last frame satisfies `predicate`; returns that frame, plain. */
export async function waitForFrame(lastFrame: () => string | undefined, predicate: (frame: string) => boolean, timeoutMs = 3000): Promise<string> {
  const deadline = realNow() + timeoutMs;
  for (;;) {
    const frame = plain(lastFrame());
    if (predicate(frame)) return frame;
    if (realNow() > deadline) throw new Error(`frame did not match within ${timeoutMs} ms; last frame:\n${frame}`);
    await pause(5);
  }
}

/** Waits until the frame contains `text`. */
export const waitForText = (lastFrame: () => string | undefined, text: string, timeoutMs?: number): Promise<string> =>
  waitForFrame(lastFrame, (f) => f.includes(text), timeoutMs);

/** Waits (bounded) until `cond()` holds. */
export async function until(cond: () => boolean, what = 'condition', timeoutMs = 3000): Promise<void> {
  const deadline = realNow() + timeoutMs;
  while (!cond()) {
    if (realNow() > deadline) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await pause(5);
  }
}

/** Key sequences as a terminal sends them. */
export const KEYS = {
  up: '\u001B[A',
  down: '\u001B[B',
  pageUp: '\u001B[5~',
  pageDown: '\u001B[6~',
  enter: '\r',
  escape: '\u001B',
  ctrlC: '\u0003',
} as const;
