// Verification checks, named as the UI shows them: "reload", "server:<name>",
// "no-restart", "health", "probe:<name>". Pure builders from what the service answered.
import type { ReloadResult, Status, VerifyResponse } from '../protocol/wire.js';
import type { CheckResult } from '../types.js';

export function reloadCheck(r: ReloadResult): CheckResult {
  const modules = r.reloaded_modules.length ? ` (${r.reloaded_modules.join(', ')})` : '';
  const failed = r.failed_modules.length ? `; failed: ${r.failed_modules.join(', ')}` : '';
  const detail = r.success
    ? `${r.message || 'reloaded'}${modules}${notLoaded(r, r.message)}`
    : `${r.error?.message ?? (r.message || 'reload failed')}${failed}`;
  return { name: 'reload', ok: r.success, detail };
}

/** Saved files no loaded module is: said, unless the server's message says it already. */
export function notLoaded(r: ReloadResult, already = ''): string {
  if (!r.not_loaded?.length || already.includes('not loaded by the service')) return '';
  return `; not loaded by the service: ${r.not_loaded.join(', ')}`;
}

/** `null` = the server has no verify endpoint (404): one skipped check. */
export function serverChecks(resp: VerifyResponse | null): CheckResult[] {
  if (resp === null) return [{ name: 'server', ok: true, skipped: true, detail: 'the service has no verify endpoint (404)' }];
  const checks: CheckResult[] = Object.entries(resp.checks).map(([name, c]) => ({
    name: `server:${name}`,
    ok: c.ok,
    detail: c.detail || (c.ok ? 'ok' : 'failed'),
  }));
  // a server that says "failed" without naming a failing check still failed
  if (!resp.success && checks.every((c) => c.ok)) {
    checks.push({ name: 'server', ok: false, detail: 'the service reported verification failed' });
  }
  if (checks.length === 0) checks.push({ name: 'server', ok: true, detail: 'the service reported success' });
  return checks;
}

const IDENTITY = ['boot_id', 'pid', 'started_at'] as const;

/**
 * Did the process restart between two statuses? Compares boot_id, pid and started_at where
 * both sides have them; with nothing to compare the check is skipped, never passed silently.
 */
export function noRestartCheck(before: Status | null, after: Status | null): CheckResult {
  if (!before || !after) {
    return { name: 'no-restart', ok: true, skipped: true, detail: 'no earlier status to compare with' };
  }
  const compared = IDENTITY.filter((k) => before[k] !== undefined && after[k] !== undefined);
  if (compared.length === 0) {
    return { name: 'no-restart', ok: true, skipped: true, detail: 'the service reports no boot_id, pid or started_at' };
  }
  const changed = compared.filter((k) => before[k] !== after[k]);
  if (changed.length > 0) {
    const what = changed.map((k) => `${k} ${String(before[k])} → ${String(after[k])}`).join(', ');
    return { name: 'no-restart', ok: false, detail: `the service restarted: ${what}` };
  }
  return { name: 'no-restart', ok: true, detail: `same process (${compared.join(', ')} unchanged)` };
}

export function healthCheck(ok: boolean, httpStatus: number, path = '/health'): CheckResult {
  return { name: 'health', ok, detail: `GET ${path} answered HTTP ${httpStatus}` };
}
