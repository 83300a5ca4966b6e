// Validation of the API's request bodies; a bad field gets a 400 that names it.
import type { ReloadReason, ReloadRequest } from '../protocol.js';
import { hintProblem } from './changes.js';

const REASONS: readonly ReloadReason[] = ['watch', 'manual', 'git-hook', 'deploy'];

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

export function parseReloadRequest(body: Record<string, unknown>): Parsed<ReloadRequest> {
  const out: ReloadRequest = {};
  for (const key of ['files', 'modules'] as const) {
    const raw = body[key];
    if (raw === undefined || raw === null) continue;
    if (!Array.isArray(raw)) return { ok: false, message: `${key}: expected an array of paths, got ${typeof raw}` };
    for (let i = 0; i < raw.length; i++) {
      const problem = hintProblem(raw[i]);
      if (problem) return { ok: false, message: `${key}[${i}]: ${problem}` };
    }
    out[key] = raw as string[];
  }
  const reason = body.reason;
  if (reason !== undefined && reason !== null) {
    if (typeof reason !== 'string' || !REASONS.includes(reason as ReloadReason)) {
      return { ok: false, message: `reason: expected one of ${REASONS.join(', ')}, got ${JSON.stringify(reason)}` };
    }
    out.reason = reason as ReloadReason;
  }
  return { ok: true, value: out };
}

export function parseRollbackRequest(body: Record<string, unknown>): Parsed<{ fromVersion?: number }> {
  const raw = body.from_version;
  if (raw === undefined || raw === null) return { ok: true, value: {} };
  if (typeof raw !== 'number' || !Number.isInteger(raw)) {
    return { ok: false, message: `from_version: expected an integer version, got ${JSON.stringify(raw)}` };
  }
  return { ok: true, value: { fromVersion: raw } };
}
