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
  const record = (step: StepRecord['step'], ok: boolean, detail: string, t0: number) => {
    const rec: StepRecord = { step, ok, detail, durationMs: clock() - t0 };
    steps.push(rec);
    deps.onStep?.(rec);
  };

  deps.onStage?.(state.stage);
  feed({ type: 'start' });
  for (let n = 0; queue.length > 0 && n < MAX_EFFECTS; n++) {
    const effect = queue.shift()!;
    const t0 = clock();
    switch (effect.type) {
      case 'getStatus':
        try {
          const status = await deps.client.status();
          lastStatus = status;
          record('status-before', true, status.version !== undefined ? `version ${status.version}` : 'status read', t0);
          feed({ type: 'status', status });
        } catch (e) {
          const failure = toFailure(e);
          record('status-before', false, failure.message, t0);
          feed({ type: 'statusFailed', failure });
        }
        break;
      case 'reload':
        try {
          const result = boundReload(await deps.client.reload(effect.request));
          record('trigger', result.success, reloadCheck(result).detail, t0);
          feed({ type: 'reloaded', result });
        } catch (e) {
          const failure = toFailure(e);
          record('trigger', false, failure.message, t0);
          feed({ type: 'reloadFailed', failure });
        }
        break;
      case 'verify': {
        const v = await verifyService(deps, effect.baseline, effect.reload, clock, effect.readStatus);
        if (v.status) lastStatus = v.status;
        const failed = failedChecks(v.checks);
        const detail = failed.length ? `failed: ${failed.map((c) => c.name).join(', ')}` : `${v.checks.length} checks passed`;
        record(effect.stage, failed.length === 0 && !v.unreachable, detail, t0);
        feed({ type: 'verified', ...v });
        break;
      }
      case 'rollback':
        try {
          const response = boundRollback(await deps.client.rollback(effect.request));
          record('rollback', response.success, response.message || (response.success ? 'rolled back' : 'refused'), t0);
          feed({ type: 'rolledBack', response });
        } catch (e) {
          const failure = toFailure(e);
          record('rollback', false, failure.message, t0);
          feed({ type: 'rollbackFailed', failure });
        }
        break;
      case 'logError':
        try {
          await deps.log?.(effect.entry);
        } catch {
          // the error log reports its own write problems; the run goes on
        }
        break;
      case 'done':
        break;
    }
  }
  return { state, steps, lastStatus, startedAt, finishedAt: clock() };
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
  if (reload) checks.push(reloadCheck(reload));

  await timed(async () => {
    try {
      const v = await client.verify();
      return serverChecks(v === null ? null : boundVerify(v));
    } catch (e) {
      return [{ name: 'server', ok: false, detail: failed(e).message }];
    }
  });

  let status: Status | null = null;
  let statusUnreachable = !readStatus; // not asked: health alone tells whether it answers
  await timed(async () => {
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
  });

  let healthUnreachable = false;
  await timed(async () => {
    try {
      const h = await client.health();
      return [healthCheck(h.ok, h.httpStatus, deps.healthPath)];
    } catch (e) {
      healthUnreachable = e instanceof UnreachableError;
      return [{ name: 'health', ok: false, detail: failed(e).message }];
    }
  });

  for (const p of deps.probes) {
    await timed(async () => {
      try {
        const c = await client.probe(p);
        return [{ ...c, name: c.name.startsWith('probe:') ? c.name : `probe:${p.name}` }];
      } catch (e) {
        // probe() is documented never to throw; still a state, not a crash
        return [{ name: `probe:${p.name}`, ok: false, detail: failed(e).message }];
      }
    });
  }
  return { checks, status, unreachable: statusUnreachable && healthUnreachable, failures };
}
