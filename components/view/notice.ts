// The answer of an action, shown in place of the key line for a while (the Footer draws it).
import type { RunResult } from '../../src/types.js';
import { nothingToRollBack, type RollbackPlan } from './rollbackPlan.js';

export interface Notice {
  /** ok ✔, fail ✖, info – (a neutral answer such as "nothing to roll back") */
  tone: 'ok' | 'fail' | 'info';
  text: string;
}

/** What a finished trigger, verify or rollback says. */
export function resultNotice(r: RunResult): Notice {
  // a service that keeps one version has nothing to go back to: an answer, not a failure
  if (!r.ok && r.kind === 'rollback' && /nothing to roll back/.test(r.message)) return { tone: 'info', text: 'nothing to roll back' };
  return { tone: r.ok ? 'ok' : 'fail', text: `${r.kind}: ${r.message || (r.ok ? 'ok' : 'failed')}` };
}

/** An action that failed without a result. */
export const errorNotice = (err: unknown): Notice => ({ tone: 'fail', text: err instanceof Error ? err.message : String(err) });

/** `r` when the service keeps a single version: no question, an answer. */
export const nothingToRollBackNotice = (plan: RollbackPlan): Notice => ({
  tone: 'info',
  text: plan.kind === 'nothing' ? nothingToRollBack(plan.version) : 'nothing to roll back',
});
