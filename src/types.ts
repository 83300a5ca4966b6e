// Domain types shared by the engine, the headless output and the TUI.
// This is the contract between modules: the store's state shape and the normalized config.
import type { ReloadErrorInfo, Status } from './protocol/wire.js';

// ---- config (normalized once at the edge; the core sees it complete and readonly) ----

export interface Probe {
  name: string;
  method: string; // GET, POST, ...
  path: string; // relative to the target's apiUrl
  body?: unknown; // JSON body
  headers?: Record<string, string>;
  expectStatus: number; // default 200
  bodyContains?: string;
  /** dotted JSON path → expected value, e.g. {"data.greeting": "hello"} */
  jsonEquals?: Record<string, unknown>;
}

export interface Target {
  name: string;
  apiUrl: string;
  token?: string;
}

export interface Endpoints {
  health: string; // default /health
  status: string; // default {prefix}/status
  reload: string; // default {prefix}/reload-all
  verify: string; // default {prefix}/verify
  rollback: string; // default {prefix}/rollback
  /** the old server's one-reloader route, `{module}` replaced (default {prefix}/reload/{module}) */
  reloadModule?: string;
}

export interface Timeouts {
  reloadMs: number; // 60_000
  verifyMs: number; // 15_000
  rollbackMs: number; // 30_000
  statusMs: number; // 5_000 (status, health, probes)
}

export type Strategy = 'canary' | 'all-at-once';

export interface Config {
  readonly root: string; // absolute project root; relative paths are resolved against it
  readonly targets: readonly Target[]; // at least one; the first is the primary
  readonly dirs: readonly string[]; // absolute watched dirs
  readonly ignore: readonly string[]; // extra ignore globs/paths
  readonly modules: readonly string[]; // --module names sent with every reload
  readonly cooldownMs: number;
  readonly debounceMs: number;
  readonly timeouts: Readonly<Timeouts>;
  readonly endpoints: Readonly<Endpoints>;
  readonly probes: readonly Probe[];
  /** check names (`worker_sync` or `server:worker_sync`) shown but never failing verification */
  readonly advisoryChecks: readonly string[];
  readonly logDir: string; // absolute
  readonly verify: boolean; // verify after trigger (default true)
  readonly strategy: Strategy;
  readonly parallel: number;
  readonly allowMissing: boolean;
  readonly json: boolean;
  readonly tui: boolean;
}

// ---- state ----------------------------------------------------------------------------

export type ConnectionState = 'unknown' | 'connected' | 'disconnected';

export interface Connection {
  state: ConnectionState;
  /** why the last contact failed, in plain words */
  lastError?: string;
  /** epoch ms of the next automatic retry while disconnected */
  retryAt?: number;
  checkedAt?: number;
  /** connected, but the status endpoint answered 404 (no versions, no restart detection) */
  noStatusEndpoint?: boolean;
  /**
   * epoch ms a run started that the service is still busy with: a poll timed out while it
   * was in flight (the old server answers nothing while it reloads). Busy, not lost.
   */
  busySince?: number;
}

export type ChangeKind = 'add' | 'change' | 'unlink';

export interface FileChange {
  path: string; // relative to config.root, forward slashes
  kind: ChangeKind;
  at: number; // epoch ms
}

export interface CheckResult {
  /** e.g. "reload", "server:db", "no-restart", "health", "probe:greeting" */
  name: string;
  ok: boolean;
  skipped?: boolean;
  /** named in advisoryChecks: run and shown (⚠ when it fails) but never fails verification */
  advisory?: boolean;
  detail: string;
  durationMs?: number;
  /** a failed probe: the HTTP status it got and the start of the body (bounded, raw: sanitize to show) */
  httpStatus?: number;
  bodyExcerpt?: string;
}

export type PipelinePhase = 'idle' | 'triggering' | 'verifying' | 'rolling-back' | 'reverifying';

export type ReloadOutcome =
  | 'ok' // reloaded (and verified when verification is on)
  | 'failed' // reload failed or verification failed without anything to roll back
  | 'rolled-back' // verification failed, rollback succeeded
  | 'rollback-failed'
  | 'unreachable';

export interface StepRecord {
  step: 'status-before' | 'trigger' | 'verify' | 'rollback' | 'reverify';
  ok: boolean;
  detail: string;
  durationMs: number;
}

export interface ReloadAttempt {
  id: number;
  /** what ran: a reload (default when absent), a verification alone, or a rollback alone */
  kind?: 'trigger' | 'verify' | 'rollback';
  startedAt: number;
  finishedAt?: number;
  reason: 'watch' | 'manual' | 'git-hook' | 'deploy';
  files: string[];
  modules: string[];
  outcome?: ReloadOutcome; // undefined while running
  versionBefore?: number;
  versionAfter?: number;
  /** the version this reload activated (the one rolled back when it failed verification) */
  versionActivated?: number;
  /** why the reload failed to load, with its location, as the service reported it (bounded) */
  error?: ReloadErrorInfo;
  /** what the service named as failed: modules (the agent) or reloaders (the old server) */
  failedModules?: string[];
  durationMs?: number; // wall time of the whole attempt
  serverDurationMs?: number; // the agent's duration_ms
  message: string;
  checks: CheckResult[];
  /** checks of the verification after an automatic rollback (absent when none ran) */
  reverifyChecks?: CheckResult[];
  steps: StepRecord[];
  /** per-target outcome for fleet reloads (one entry per target otherwise) */
  targets?: TargetResult[];
  /** what the run noticed before it acted, e.g. versions drifting between targets */
  warnings?: string[];
  /** the agent's leak report: "version 5 left 1 TCPServerWrap not released" */
  notReleased?: string;
  /** changed files the service loaded through Node itself: stale until it restarts (a warning) */
  notReloadable?: string[];
}

/** A fleet target's result: `skipped` = never touched (another target failed first, or --allow-missing). */
export type TargetOutcome = ReloadOutcome | 'skipped';

export interface TargetResult {
  name: string;
  apiUrl?: string;
  outcome: TargetOutcome;
  versionBefore?: number;
  versionAfter?: number;
  message: string;
  /** the verification of this target's reload (or of the command) */
  checks?: CheckResult[];
  /** the verification after this target was rolled back (absent when it was not) */
  reverifyChecks?: CheckResult[];
}

export interface ErrorEntry {
  time: string; // ISO
  kind: string; // 'reload' | 'verify' | 'rollback' | 'unreachable' | 'timeout' | 'http' | 'invalid-response' | 'watcher' | ...
  message: string;
  files?: string[];
  version?: number;
  target?: string;
  httpStatus?: number;
  bodyExcerpt?: string;
  /** the service's output lines written around the failure (demo and dev capture it; bounded) */
  serviceOutput?: string[];
  detail?: { file?: string; line?: number; column?: number; stack?: string; [k: string]: unknown };
}

/** One line the service wrote (stdout or stderr), as captured by demo / dev. */
export interface ServiceLine {
  at: number; // epoch ms
  stream: 'stdout' | 'stderr';
  text: string; // raw: sanitize to show
}

export interface ServiceOutput {
  lines: ServiceLine[]; // oldest first, bounded
  /** lines dropped from the front to keep the bound */
  dropped: number;
}

/** Which run the store's `checks` belong to (the Verification panel labels stale ones). */
export interface ChecksSource {
  attemptId: number;
  at: number; // epoch ms the run finished
  version?: number;
}

export interface TargetView {
  name: string;
  apiUrl: string;
  connection: Connection;
  service: Status | null; // last status seen
  /** this target's result in the last run (`skipped`: the run did not touch it) */
  lastOutcome?: TargetOutcome;
}

export interface WatchView {
  dirs: string[]; // relative to root
  fileCount: number;
  ready: boolean;
  paused: boolean;
  recent: FileChange[]; // newest first, bounded
}

export interface EngineState {
  config: Config;
  targets: TargetView[]; // one per target; [0] is the primary
  watch: WatchView;
  pending: string[]; // changed paths waiting for the next reload
  cooldownUntil: number | null; // epoch ms; null when no cooldown runs
  phase: PipelinePhase;
  current: ReloadAttempt | null; // the attempt in flight
  history: ReloadAttempt[]; // newest first, bounded
  checks: CheckResult[]; // last verification results
  checksFrom?: ChecksSource; // the run those checks came from
  restartDetected: boolean; // boot id/pid changed between two statuses
  errors: ErrorEntry[]; // this run's errors, newest first, bounded
  warnings: string[]; // start-up diagnostics and drift warnings
  serviceOutput: ServiceOutput; // the service's own output, when we run it (demo, dev)
}

export interface EngineActions {
  trigger(opts?: { reason?: ReloadAttempt['reason']; files?: string[] }): Promise<RunResult>;
  verify(): Promise<RunResult>;
  rollback(): Promise<RunResult>;
  pause(): void;
  resume(): void;
}

export type ExitCode = 0 | 1 | 2 | 3 | 4;

export interface RunResult {
  kind: 'trigger' | 'verify' | 'rollback';
  ok: boolean;
  exitCode: ExitCode;
  message: string;
  attempt?: ReloadAttempt;
  checks: CheckResult[];
}

/** What the one vanilla zustand store holds: state plus the actions keys dispatch. */
export type EngineStore = EngineState & { actions: EngineActions };
