// A target's status around a run, into the store's view of it: read before anything changes
// (a fleet's preflight), read back after a reload that got no answer, noted after the run.
import { toFailure, type PipelineReport } from './pipeline-runner.js';
import { updateTarget } from './store.js';
import type { TargetOutcome } from '../types.js';
import type { RunContext } from './attempt.js';

export interface TargetCheck {
  reachable: boolean;
  version?: number;
  detail?: string;
}

/** The status before anything changes: only no answer at all makes a target missing. */
export async function checkTarget(ctx: RunContext, i: number): Promise<TargetCheck> {
  const { clients, store, clock } = ctx;
  // the old server's status read has a side effect and tells no version: health says it answers
  if (clients[i].dialect === 'legacy') return clients[i].health().then(() => ({ reachable: true }), (e: unknown) => ({ reachable: false, detail: toFailure(e).message }));
  try {
    const status = await clients[i].status();
    updateTarget(store, i, { service: status, connection: { state: 'connected', checkedAt: clock() } });
    return { reachable: true, ...(status.version !== undefined ? { version: status.version } : {}) };
  } catch (e) {
    const f = toFailure(e);
    if (f.kind === 'unreachable' || f.kind === 'timeout') {
      const t = store.getState().targets[i];
      updateTarget(store, i, { connection: { state: 'disconnected', lastError: f.message, checkedAt: clock(), retryAt: t?.connection.retryAt } });
      return { reachable: false, detail: f.message };
    }
    return { reachable: true }; // an old server without a status endpoint still reloads
  }
}

/**
 * After a reload that got no answer: the status once the agent is idle again (it
 * serializes reloads, so one still running reports `reloading`), bounded by the reload timeout.
 */
export async function recheckTarget(ctx: RunContext, i: number): Promise<TargetCheck> {
  const { clients, store, clock, mono } = ctx;
  const deadline = mono() + ctx.config.timeouts.reloadMs;
  for (let n = 0; n < 1000; n++) {
    try {
      const status = await clients[i].status();
      if (status.state !== 'reloading') {
        updateTarget(store, i, { service: status, connection: { state: 'connected', checkedAt: clock() } });
        return { reachable: true, ...(status.version !== undefined ? { version: status.version } : {}) };
      }
    } catch (e) {
      return { reachable: false, detail: toFailure(e).message };
    }
    if (ctx.isClosed() || mono() >= deadline) return { reachable: false, detail: 'still reloading' };
    await new Promise((r) => setTimeout(r, 100));
  }
  return { reachable: false, detail: 'still reloading' };
}

/** After the run: the target's last outcome, the newest status seen, and whether it answered. */
export function noteTarget(ctx: RunContext, i: number, r: PipelineReport, outcome: TargetOutcome): void {
  const { store, clock } = ctx;
  const t = store.getState().targets[i];
  const unreachable = r.state.outcome === 'unreachable';
  updateTarget(store, i, {
    lastOutcome: outcome,
    service: r.lastStatus ?? t?.service ?? null,
    connection: unreachable
      ? { state: 'disconnected', lastError: r.state.message, checkedAt: clock(), retryAt: t?.connection.retryAt }
      : { state: 'connected', checkedAt: clock() },
  });
}
