// Validation of the API's request bodies; a bad field gets a 400 that names it.
import { MAX_HINTS, type ReloadReason, type ReloadRequest } from '../../protocol/wire.js';
import { hintProblem } from '../versions/changes.js';

const REASONS: readonly ReloadReason[] = ['watch', 'manual', 'git-hook', 'deploy'];

/**
 * A request value as an error message shows it: short, and safe for any JSON (a deeply
 * nested value overflows JSON.stringify's stack; a 1 MiB string is no message).
 */
export function brief(value: unknown): string {
  if (value !== null && typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

export function parseReloadRequest(body: Record<string, unknown>): Parsed<ReloadRequest> {
  const out: ReloadRequest = {};
  const count = (Array.isArray(body.files) ? body.files.length : 0) + (Array.isArray(body.modules) ? body.modules.length : 0);
  if (count > MAX_HINTS) {
    return { ok: false, message: `files and modules: at most ${MAX_HINTS} entries together, got ${count}; send none and the agent compares every loaded file` };
  }
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
      return { ok: false, message: `reason: expected one of ${REASONS.join(', ')}, got ${brief(reason)}` };
    }
    out.reason = reason as ReloadReason;
  }
  return { ok: true, value: out };
}

export function parseRollbackRequest(body: Record<string, unknown>): Parsed<{ fromVersion?: number }> {
  const raw = body.from_version;
  if (raw === undefined || raw === null) return { ok: true, value: {} };
  if (typeof raw !== 'number' || !Number.isInteger(raw)) {
    return { ok: false, message: `from_version: expected an integer version, got ${brief(raw)}` };
  }
  return { ok: true, value: { fromVersion: raw } };
}
