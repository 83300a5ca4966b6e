// The app's own checks (`export const checks = { name: async () => true | {ok, detail} }`),
// run before a version is activated and on /verify. Each is bounded by a timeout.
import type { CheckOutcome, ReloadErrorInfo } from '../../protocol/wire.js';
import { describeError, type SourceMapLookup } from '../errors.js';

export type CheckFn = () => unknown;
export type Checks = Record<string, unknown>;

export interface ChecksReport {
  ok: boolean;
  checks: Record<string, CheckOutcome>;
  /** the first failure, positioned in the user's file when a check threw */
  error?: ReloadErrorInfo;
}

/** The `checks` export, or an explanation of why it is unusable. */
export function readChecks(exports: unknown): { checks: Checks } | { problem: string } {
  // CommonJS apps hang them on the listener itself: module.exports.checks = {…}
  const holder = exports && (typeof exports === 'object' || typeof exports === 'function');
  const raw = holder ? (exports as { checks?: unknown }).checks : undefined;
  if (raw === undefined) return { checks: {} };
  if (!raw || typeof raw !== 'object') return { problem: `export "checks" must be an object of functions, got ${typeof raw}` };
  return { checks: raw as Checks };
}

export async function runChecks(checks: Checks, timeoutMs: number, lookup: SourceMapLookup): Promise<ChecksReport> {
  const names = Object.keys(checks);
  const results = await Promise.all(names.map((name) => runOne(checks[name], timeoutMs, lookup)));
  const report: ChecksReport = { ok: true, checks: {} };
  names.forEach((name, i) => {
    const r = results[i];
    report.checks[name] = r.outcome;
    if (!r.outcome.ok && report.ok) {
      report.ok = false;
      report.error = r.error
        ? { ...r.error, message: `check "${name}" failed: ${r.error.message}` }
        : { message: `check "${name}" failed: ${r.outcome.detail}` };
    }
  });
  return report;
}

async function runOne(
  fn: unknown,
  timeoutMs: number,
  lookup: SourceMapLookup,
): Promise<{ outcome: CheckOutcome; error?: ReloadErrorInfo }> {
  if (typeof fn !== 'function') return { outcome: { ok: false, detail: `expected a function, got ${typeof fn}` } };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckTimeout(timeoutMs)), timeoutMs);
  });
  try {
    const value = await Promise.race([Promise.resolve().then(() => (fn as CheckFn)()), timeout]);
    return { outcome: interpret(value) };
  } catch (err) {
    if (err instanceof CheckTimeout) return { outcome: { ok: false, detail: err.message } };
    const info = describeError(err, lookup);
    return { outcome: { ok: false, detail: info.message }, error: info };
  } finally {
    clearTimeout(timer);
  }
}

class CheckTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

function interpret(value: unknown): CheckOutcome {
  if (value === true || value === undefined) return { ok: true, detail: 'ok' };
  if (value === false) return { ok: false, detail: 'returned false' };
  if (value && typeof value === 'object' && 'ok' in value) {
    const v = value as { ok: unknown; detail?: unknown };
    return { ok: v.ok === true, detail: v.detail === undefined ? (v.ok === true ? 'ok' : 'not ok') : String(v.detail) };
  }
  return { ok: false, detail: `expected true, false or {ok, detail}, got ${typeof value}` };
}
