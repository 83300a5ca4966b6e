// What `r` would do, read from the last status: roll back vN → vM, or nothing (the service
// keeps a single version). Without version information the question stays generic.
import type { Status } from '../../src/protocol/wire.js';

export type RollbackPlan = { kind: 'nothing'; version: number } | { kind: 'ask'; from?: number; to?: number };

export function rollbackPlan(service: Status | null | undefined): RollbackPlan {
  const from = service?.version;
  if (from === undefined) return { kind: 'ask' };
  const kept = service?.versions_kept;
  if (!kept) return { kind: 'ask', from };
  const older = kept.filter((v) => v < from);
  if (older.length === 0) return { kind: 'nothing', version: from };
  return { kind: 'ask', from, to: Math.max(...older) };
}

/** The question the footer asks: `Roll back v3 → v2?` (or to the previous version). */
export function rollbackQuestion(plan: RollbackPlan): string {
  if (plan.kind === 'ask' && plan.from !== undefined && plan.to !== undefined) return `Roll back v${plan.from} → v${plan.to}?`;
  if (plan.kind === 'ask' && plan.from !== undefined) return `Roll back v${plan.from} to the previous version?`;
  return 'Roll back to the previous version?';
}

export const nothingToRollBack = (version: number): string => `nothing to roll back: v${version} is the only version the service keeps`;
