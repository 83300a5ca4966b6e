// How each reload outcome and pipeline phase reads on screen.
import type { PipelinePhase, ReloadOutcome } from '../../src/types.js';
import type { Seg } from './segments.js';

export const OUTCOME_LABEL: Record<ReloadOutcome, { symbol: string; label: string; color: string; bold?: boolean }> = {
  ok: { symbol: '✔', label: 'ok', color: 'green' },
  failed: { symbol: '✖', label: 'failed', color: 'red' },
  'rolled-back': { symbol: '↺', label: 'rolled back', color: 'yellow' },
  'rollback-failed': { symbol: '‼', label: 'rollback failed', color: 'red', bold: true },
  unreachable: { symbol: '⚠', label: 'unreachable', color: 'red' },
};

/** An `ok` reload that left files loaded by Node stale (ReloadAttempt.notReloadable). */
export const STALE_LABEL = { symbol: '⚠', label: 'not reloadable', color: 'yellow', bold: false };

export const PHASE_LABEL: Record<PipelinePhase, string> = {
  idle: 'starting…',
  triggering: 'reloading…',
  verifying: 'verifying…',
  'rolling-back': 'rolling back…',
  reverifying: 're-verifying…',
};

export function outcomeSegs(outcome: ReloadOutcome, pad = 0): Seg[] {
  const o = OUTCOME_LABEL[outcome];
  return [{ text: `${o.symbol} ${o.label.padEnd(pad)}`, color: o.color, bold: o.bold }];
}
