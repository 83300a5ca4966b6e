// Performs the pipeline's effects against ONE target and feeds the results back.
// Fleet fan-out (several targets, canary first) layers on top by calling runPipeline
// once per target; nothing here knows about other targets.
import { HttpError, isClientError, UnreachableError } from '../client/errors.js';
import { boundCheck, boundReload, boundRollback, boundVerify, clip, MAX_TEXT } from './bounds.js';
import { healthCheck, noRestartCheck, reloadCheck, serverChecks } from './checks.js';
import {
  failedChecks,
  initialPipeline,
  transition,
  type Failure,
  type LogEntry,
  type PipelineEffect,
  type PipelineEvent,
  type PipelineInput,
  type PipelineState,
  type Stage,
} from './pipeline.js';
import type { ApiClient } from '../client/client.js';
import type { ReloadResult, Status } from '../protocol/wire.js';
import type { CheckResult, Probe, StepRecord } from '../types.js';

/** What the pipeline needs of the API client: all of it (a name of its own for fakes in tests). */
export type ServiceClient = ApiClient;

export interface RunnerDeps {
  client: ServiceClient;
  probes: readonly Probe[];
  /** check names shown but never failing verification (Config.advisoryChecks) */
  advisoryChecks?: readonly string[];
  clock?: () => number;
  healthPath?: string;
  /** every failure, as one error-log entry; a failing log must not fail the run */
  log?: (entry: LogEntry) => Promise<void> | void;
  onStage?: (stage: Stage) => void;
  onStep?: (step: StepRecord) => void;
}

export interface PipelineReport {
  state: PipelineState;
  steps: StepRecord[];
  /** the newest status seen during the run (for the UI and the next no-restart baseline) */
  lastStatus: Status | null;
  startedAt: number;
  finishedAt: number;
}

/** Map anything a client call threw to a Failure; non-client errors are bugs but still states. */
export function toFailure(e: unknown): Failure {
  if (isClientError(e)) {
    const status = e instanceof HttpError ? e.status : 'status' in e && typeof e.status === 'number' ? e.status : undefined;
    const excerpt = 'bodyExcerpt' in e && typeof e.bodyExcerpt === 'string' ? e.bodyExcerpt : undefined;
    return { kind: e.kind, message: clip(e.message, 2 * MAX_TEXT), ...(status !== undefined ? { httpStatus: status } : {}), ...(excerpt ? { bodyExcerpt: excerpt } : {}) };
  }
  return { kind: 'invalid-response', message: clip(e instanceof Error ? e.message : String(e), 2 * MAX_TEXT) };
}

const MAX_EFFECTS = 32; // the machine finishes in ≤ 6 steps; this only bounds a bug

export async function runPipeline(input: PipelineInput, deps: RunnerDeps): Promise<PipelineReport> {
  const clock = deps.clock ?? Date.now;
  const startedAt = clock();
  const steps: StepRecord[] = [];
  let lastStatus: Status | null = input.baseline;
  let state = initialPipeline(input);
  const queue: PipelineEffect[] = [];

  const feed = (event: PipelineEvent) => {
    const prevStage = state.stage;
    const [next, effects] = transition(state, event);
    state = next;
    if (next.stage !== prevStage) deps.onStage?.(next.stage);
    queue.push(...effects);
  };

  deps.onStage?.(state.stage);
  feed({ type: 'start' });
  for (let n = 0; queue.length > 0 && n < MAX_EFFECTS; n++) {
    const t0 = clock();
    const done = await perform(queue.shift()!, deps, clock);
    if (done.status) lastStatus = done.status;
    if (done.step) {
      const rec: StepRecord = { ...done.step, durationMs: clock() - t0 };
      steps.push(rec);
      deps.onStep?.(rec);
    }
    if (done.event) feed(done.event);
  }
  return { state, steps, lastStatus, startedAt, finishedAt: clock() };
}

/** What one effect did: the step it shows, the event it feeds back, the newest status it read. */
interface Performed {
  step?: Omit<StepRecord, 'durationMs'>;
  event?: PipelineEvent;
  status?: Status | null;
}

async function perform(effect: PipelineEffect, deps: RunnerDeps, clock: () => number): Promise<Performed> {
  switch (effect.type) {
    case 'getStatus':
      return ask(
        'status-before',
        () => deps.client.status(),
        (status) => ({ status, step: { step: 'status-before', ok: true, detail: status.version !== undefined ? `version ${status.version}` : 'status read' }, event: { type: 'status', status } }),
        (failure) => ({ type: 'statusFailed', failure }),
      );
    case 'reload':
      return ask(
        'trigger',
        async () => boundReload(await deps.client.reload(effect.request)),
        (result) => ({ step: { step: 'trigger', ok: result.success, detail: reloadCheck(result).detail }, event: { type: 'reloaded', result } }),
        (failure) => ({ type: 'reloadFailed', failure }),
      );
    case 'verify': {
      const v = await verifyService(deps, effect.baseline, effect.reload, clock, effect.readStatus);
      const failed = failedChecks(v.checks);
      const detail = failed.length ? `failed: ${failed.map((c) => c.name).join(', ')}` : `${v.checks.length} checks passed`;
      return { status: v.status, step: { step: effect.stage, ok: failed.length === 0 && !v.unreachable, detail }, event: { type: 'verified', ...v } };
    }
    case 'rollback':
      return ask(
        'rollback',
        async () => boundRollback(await deps.client.rollback(effect.request)),
        (response) => ({ step: { step: 'rollback', ok: response.success, detail: response.message || (response.success ? 'rolled back' : 'refused') }, event: { type: 'rolledBack', response } }),
        (failure) => ({ type: 'rollbackFailed', failure }),
      );
    case 'logError':
      try {
        await deps.log?.(effect.entry);
      } catch {
        // the error log reports its own write problems; the run goes on
      }
      return {};
    case 'done':
      return {};
  }
}

/** One request to the service: its answer as a step and an event, or its failure as a failed step and event. */
async function ask<T>(
  step: StepRecord['step'],
  request: () => Promise<T>,
  answered: (answer: T) => Performed,
  failedEvent: (failure: Failure) => PipelineEvent,
): Promise<Performed> {
  try {
    return answered(await request());
  } catch (e) {
    const failure = toFailure(e);
    return { step: { step, ok: false, detail: failure.message }, event: failedEvent(failure) };
  }
}

/** `worker_sync` names the server check `server:worker_sync`; a full check name works too. */
export function markAdvisory(c: CheckResult, names: readonly string[]): CheckResult {
  const named = names.some((n) => n === c.name || `server:${n}` === c.name);
  return named ? { ...c, advisory: true } : c;
}

/**
 * All verification checks, in the order the UI lists them. Never throws. `readStatus:
 * false` skips the status read (the legacy server's has a side effect; one a run is enough).
 */
export async function verifyService(
  deps: Pick<RunnerDeps, 'client' | 'probes' | 'healthPath' | 'advisoryChecks'>,
  baseline: Status | null,
  reload: ReloadResult | undefined,
  clock: () => number = Date.now,
  readStatus = true,
): Promise<{ checks: CheckResult[]; status: Status | null; unreachable: boolean; failures: Failure[] }> {
  const { client } = deps;
  const checks: CheckResult[] = [];
  // failed requests, with their HTTP status and body excerpt, for the error log
  const failures: Failure[] = [];
  const failed = (e: unknown): Failure => {
    const f = toFailure(e);
    failures.push(f);
    return f;
  };
  const timed = async (fn: () => Promise<CheckResult[]>) => {
    const t0 = clock();
    const out = await fn();
    const ms = clock() - t0;
    checks.push(...out.map((c) => markAdvisory(boundCheck({ ...c, durationMs: c.durationMs ?? ms }), deps.advisoryChecks ?? [])));
  };
  const askServer = async (): Promise<CheckResult[]> => {
    try {
      const v = await client.verify();
      return serverChecks(v === null ? null : boundVerify(v));
    } catch (e) {
      return [{ name: 'server', ok: false, detail: failed(e).message }];
    }
  };
  let status: Status | null = null;
  let statusUnreachable = !readStatus; // not asked: health alone tells whether it answers
  const askStatus = async (): Promise<CheckResult[]> => {
    if (!readStatus) {
      return [{ name: 'no-restart', ok: true, skipped: true, detail: 'the service reports no boot_id, pid or started_at (status read once a run: each read has a side effect there)' }];
    }
    try {
      status = await client.status();
      return [noRestartCheck(baseline, status)];
    } catch (e) {
      statusUnreachable = e instanceof UnreachableError;
      if (e instanceof HttpError && e.status === 404) {
        return [{ name: 'no-restart', ok: true, skipped: true, detail: 'the service has no status endpoint (404)' }];
      }
      return [{ name: 'no-restart', ok: false, detail: `cannot read status: ${failed(e).message}` }];
    }
  };
  let healthUnreachable = false;
  const askHealth = async (): Promise<CheckResult[]> => {
    try {
      const h = await client.health();
      return [healthCheck(h.ok, h.httpStatus, deps.healthPath)];
    } catch (e) {
      healthUnreachable = e instanceof UnreachableError;
      return [{ name: 'health', ok: false, detail: failed(e).message }];
    }
  };
  const askProbe = (p: Probe) => async (): Promise<CheckResult[]> => {
    try {
      const c = await client.probe(p);
      return [{ ...c, name: c.name.startsWith('probe:') ? c.name : `probe:${p.name}` }];
    } catch (e) {
      // probe() is documented never to throw; still a state, not a crash
      return [{ name: `probe:${p.name}`, ok: false, detail: failed(e).message }];
    }
  };

  if (reload) checks.push(reloadCheck(reload));
  await timed(askServer);
  await timed(askStatus);
  await timed(askHealth);
  for (const p of deps.probes) await timed(askProbe(p));
  return { checks, status, unreachable: statusUnreachable && healthUnreachable, failures };
}
