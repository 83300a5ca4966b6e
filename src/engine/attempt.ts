// One attempt (a reload, a verify or a rollback) from start to record: what the single-target
// run (single-run.ts) and the fleet run (fleet-run.ts) share. Both drive the fleet machine
// through fleet-runner.ts with the performers built here (one pipeline run per target, one
// compensating rollback); they differ in how the store's live view follows the run and in
// the words the finished attempt is summed up with.
import type { StoreApi } from 'zustand/vanilla';
import { finalOutcome, type FleetInput, type FleetState, type Slot } from './fleet.js';
import type { FleetPerformers, FleetReport } from './fleet-runner.js';
import type { LogEntry, PipelineMode, PipelineState, Stage } from './pipeline.js';
import { runPipeline, type PipelineReport, type RunnerDeps, type ServiceClient } from './pipeline-runner.js';
import { notReleasedText, type Status } from '../protocol/wire.js';
import { addWarning, finishAttempt, startAttempt } from './store.js';
import { checkTarget, recheckTarget } from './target-status.js';
import type { Config, EngineStore, PipelinePhase, ReloadAttempt, RunResult, TargetResult } from '../types.js';

/** What a run needs of the engine: the targets, the store, the clocks and the error log. */
export interface RunContext {
  readonly config: Config;
  readonly clients: readonly ServiceClient[];
  readonly store: StoreApi<EngineStore>;
  /** wall time (epoch ms) */
  readonly clock: () => number;
  /** monotonic time (ms): bounded waits */
  readonly mono: () => number;
  readonly isClosed: () => boolean;
  readonly nextAttemptId: () => number;
  /** trigger mode: a status known to be current (watch mode's fresh poll), else undefined */
  readonly knownStatus: (index: number) => Status | undefined;
  /** a run ended at this wall time: a status polled before it may predate what it changed */
  readonly runEnded: (at: number) => void;
  /** one failure into the store and the error log; `outputFrom`: the service's lines since then go with it */
  readonly logError: (entry: LogEntry, target: string, outputFrom?: number) => Promise<void>;
}

export interface RunRequest {
  files: string[];
  reason: ReloadAttempt['reason'];
  /** when the reload started (watch mode reads the clock once for the cooldown and the attempt) */
  startedAt?: number;
}

/** How the store's live view follows a run: which target's steps it shows, and the phase. */
export interface LiveView {
  /** the target whose steps (and stages) the live view shows */
  live(index: number): boolean;
  onStage(stage: Stage): void;
}

export const PHASE: Record<Stage, PipelinePhase> = {
  'status-before': 'triggering',
  triggering: 'triggering',
  verifying: 'verifying',
  'rolling-back': 'rolling-back',
  reverifying: 'reverifying',
  done: 'idle',
};

export const STARTING_PHASE: Record<PipelineMode, PipelinePhase> = { trigger: 'triggering', verify: 'verifying', rollback: 'rolling-back' };

/** The fleet machine's input for one attempt; `preflight`: check every target before anything changes. */
export function fleetInput(config: Config, mode: PipelineMode, preflight: boolean): FleetInput {
  return { mode, names: config.targets.map((t) => t.name), strategy: config.strategy, parallel: config.parallel, allowMissing: config.allowMissing, preflight };
}

/** A failure's entry takes the service's lines from this long before its run started (a save's own log lines). */
const OUTPUT_LEAD_MS = 1000;

/** The attempt as it starts, shown in the store at once. */
export function beginAttempt(ctx: RunContext, mode: PipelineMode, req: RunRequest): ReloadAttempt {
  const attempt: ReloadAttempt = {
    id: ctx.nextAttemptId(),
    kind: mode,
    startedAt: req.startedAt ?? ctx.clock(),
    reason: req.reason,
    files: req.files,
    modules: [...ctx.config.modules],
    message: mode === 'trigger' ? 'reloading' : mode === 'verify' ? 'verifying' : 'rolling back',
    checks: [],
    steps: [],
  };
  startAttempt(ctx.store, attempt, STARTING_PHASE[mode]);
  return attempt;
}

/**
 * The fleet machine's performers for one attempt: a status check, one pipeline run per
 * target (into `runs`), one automatic rollback per target that kept the new version (into `undos`).
 */
export function performers(
  ctx: RunContext,
  mode: PipelineMode,
  attempt: ReloadAttempt,
  view: LiveView,
  runs: (PipelineReport | undefined)[],
  undos: (PipelineReport | undefined)[],
): FleetPerformers {
  const { config, clients, store } = ctx;
  const request = { files: attempt.files, modules: attempt.modules, reason: attempt.reason };
  return {
    check: (i) => checkTarget(ctx, i),
    recheck: (i) => recheckTarget(ctx, i),
    run: async (i) =>
      (runs[i] = await runPipeline(
        {
          mode,
          verify: mode !== 'trigger' || config.verify,
          request,
          baseline: store.getState().targets[i]?.service ?? null,
          root: config.root,
          legacy: clients[i].dialect === 'legacy',
          ...(mode === 'trigger' ? { knownStatus: ctx.knownStatus(i) } : {}),
        },
        pipelineDeps(ctx, i, view.live(i), attempt.startedAt, view.onStage),
      )),
    warn: (w) => addWarning(store, w),
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
        pipelineDeps(ctx, i, false, attempt.startedAt),
      )),
  };
}

/** `since`: when the run started; the service's lines written from shortly before go with its failures */
function pipelineDeps(ctx: RunContext, i: number, live: boolean, since: number, onStage?: (stage: Stage) => void): RunnerDeps {
  const { config, store } = ctx;
  const client = ctx.clients[i];
  return {
    client,
    probes: config.probes,
    advisoryChecks: config.advisoryChecks,
    clock: ctx.clock,
    healthPath: config.endpoints.health,
    log: (entry) => ctx.logError(entry, client.target.name, since - OUTPUT_LEAD_MS),
    onStage: live ? onStage : undefined,
    onStep: live
      ? (rec) => {
          const cur = store.getState().current;
          if (cur) store.setState({ current: { ...cur, steps: [...cur.steps, rec] } });
        }
      : undefined,
  };
}

/** One target's line in an attempt: what it ran, then what undid it. */
export function targetResult(config: Config, i: number, slot: Slot, runs: readonly (PipelineReport | undefined)[], undos: readonly (PipelineReport | undefined)[]): TargetResult {
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

/** The lead target's run (the first that ran) and what undid it: the attempt's own details come from it. */
export interface LeadRun {
  index: number;
  primary?: PipelineReport;
  undo?: PipelineReport;
}

/** The attempt's one-line summary: its outcome and message. */
export type Summary = (st: FleetState, lead: LeadRun) => { outcome: ReloadAttempt['outcome']; message: string };

/** Records the finished attempt in the store and answers the caller. */
export function endAttempt(ctx: RunContext, mode: PipelineMode, attempt: ReloadAttempt, report: FleetReport, summary: Summary): RunResult {
  const index = report.state.slots.findIndex((x) => x.run);
  const lead: LeadRun = { index, primary: index >= 0 ? report.runs[index] : undefined, undo: index >= 0 ? report.undos[index] : undefined };
  const { primary, undo: undoLead } = lead;
  const p = primary?.state;
  const finishedAt = ctx.clock();
  ctx.runEnded(finishedAt);
  const st = report.state;
  const exitCode = st.exitCode ?? 1;
  const words = summary(st, lead);
  const finished: ReloadAttempt = {
    ...attempt,
    finishedAt,
    durationMs: finishedAt - attempt.startedAt,
    outcome: words.outcome,
    versionBefore: p?.versionBefore,
    versionAfter: undoLead?.state.versionAfter ?? p?.versionAfter,
    ...activatedVersion(p, undoLead),
    ...(p?.reload?.error && !p.reload.success ? { error: p.reload.error } : {}),
    ...(p?.reload?.failed_modules.length ? { failedModules: p.reload.failed_modules } : {}),
    serverDurationMs: p?.reload?.duration_ms,
    ...(p?.reload?.not_released ? { notReleased: notReleasedText(p.reload.previous_version ?? p.versionBefore, p.reload.not_released) } : {}),
    message: words.message,
    checks: p?.checks ?? [],
    ...(p?.reverifyChecks.length ? { reverifyChecks: p.reverifyChecks } : undoLead?.state.reverifyChecks.length ? { reverifyChecks: undoLead.state.reverifyChecks } : {}),
    steps: [...(primary?.steps ?? []), ...(undoLead?.steps ?? [])],
    targets: st.slots.map((slot, i) => targetResult(ctx.config, i, slot, report.runs, report.undos)),
    ...(st.warnings.length ? { warnings: [...st.warnings] } : {}),
    ...(p?.reload?.not_reloadable?.length ? { notReloadable: p.reload.not_reloadable } : {}),
  };
  const finalChecks = finished.reverifyChecks?.length ? finished.reverifyChecks : finished.checks;
  const restarted = [...report.runs, ...report.undos].some((r) => r?.state.restartDetected);
  finishAttempt(ctx.store, finished, finalChecks, restarted);
  return { kind: mode, ok: exitCode === 0, exitCode, message: finished.message, attempt: finished, checks: finalChecks };
}

/** The version a reload activated: from its answer, or the one a read-back found and undid. */
function activatedVersion(p: PipelineState | undefined, undo: PipelineReport | undefined): Pick<ReloadAttempt, 'versionActivated'> {
  const r = p?.reload;
  const v = r?.activated && r.version !== undefined ? r.version : undo?.state.input.fromVersion;
  return v !== undefined ? { versionActivated: v } : {};
}

/** What a run asked of a closed engine answers. */
export function closedResult(kind: RunResult['kind']): RunResult {
  return { kind, ok: false, exitCode: 1, message: 'the engine is closed', checks: [] };
}

/** A run that threw (a bug): still an answer, never a rejection. */
export function internalFailure(kind: RunResult['kind'], e: unknown): RunResult {
  return { kind, ok: false, exitCode: 1, message: `internal error: ${e instanceof Error ? e.message : String(e)}`, checks: [] };
}
