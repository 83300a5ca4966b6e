// What the entry module offers: its request listener (default export), its checks,
// and whether it answers /health itself.
import type { RequestListener } from 'node:http';
import { readChecks, type Checks } from './checks.js';

export interface AppEntry {
  listener: RequestListener;
  checks: Checks;
  /** the entry exports `handlesHealth = true`: /health goes to the app */
  appHealth: boolean;
}

export function readEntry(exports: unknown, name: string): AppEntry | { problem: string } {
  const ns = exports as Record<string, unknown> | undefined;
  const esm = !!ns && typeof ns === 'object' && ns.__esModule === true;
  let listener: unknown = esm ? ns.default : exports;
  if (!esm && listener && typeof listener === 'object' && 'default' in listener) listener = (listener as { default: unknown }).default;
  // a Koa app (not its callback) is accepted too
  if (listener && typeof listener === 'object' && typeof (listener as { callback?: unknown }).callback === 'function') {
    listener = (listener as { callback: () => unknown }).callback();
  }
  if (typeof listener !== 'function') {
    return {
      problem: `the default export of ${name} must be a request listener ((req, res) => …), got ${listener === null ? 'null' : typeof listener}`,
    };
  }
  const checks = readChecks(exports);
  if ('problem' in checks) return { problem: checks.problem };
  const appHealth = !!ns && (ns as { handlesHealth?: unknown }).handlesHealth === true;
  return { listener: listener as RequestListener, checks: checks.checks, appHealth };
}
