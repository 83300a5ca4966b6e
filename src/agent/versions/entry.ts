// What the entry module offers: its request listener (default export), its checks,
// and who answers /health.
import type { RequestListener } from 'node:http';
import { readChecks, type Checks } from './checks.js';
import { healthMode, type HealthMode } from '../http/health.js';

export interface AppEntry {
  listener: RequestListener;
  checks: Checks;
  /** from the entry's `handlesHealth` export (see health.ts) */
  health: HealthMode;
}

/** `needListener` false (an app served by its own servers): the default export may be anything. */
export function readEntry(exports: unknown, name: string, needListener = true): AppEntry | { problem: string } {
  const ns = exports as Record<string, unknown> | undefined;
  const esm = !!ns && typeof ns === 'object' && ns.__esModule === true;
  let listener: unknown = esm ? ns.default : exports;
  if (!esm && listener && typeof listener === 'object' && 'default' in listener) listener = (listener as { default: unknown }).default;
  // a Koa app (not its callback) is accepted too
  if (listener && typeof listener === 'object' && typeof (listener as { callback?: unknown }).callback === 'function') {
    listener = (listener as { callback: () => unknown }).callback();
  }
  if (typeof listener !== 'function' && needListener) {
    return {
      problem: `the default export of ${name} must be a request listener ((req, res) => …), got ${listener === null ? 'null' : typeof listener}`,
    };
  }
  const checks = readChecks(exports);
  if ('problem' in checks) return { problem: checks.problem };
  const health = healthMode(ns && (typeof ns === 'object' || typeof ns === 'function') ? (ns as { handlesHealth?: unknown }).handlesHealth : undefined);
  if (typeof health === 'object') return { problem: `${health.problem} in ${name}` };
  return { listener: listener as RequestListener, checks: checks.checks, health };
}
