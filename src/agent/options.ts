// Agent options, validated and defaulted once; the rest of the agent sees them complete.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_PREFIX } from '../protocol/wire.js';
import { parseAllowHosts, parseAllowOrigins } from './http/guard.js';

export interface AgentOptions {
  /** the module whose default export is a request listener (absolute, or relative to cwd) */
  entry: string;
  /** when set, every hot-reload API call needs `Authorization: Bearer <token>` */
  token?: string;
  /** versions kept in memory for rollback, the active one included (default 5) */
  keep?: number;
  /** where the hot-reload API lives (default /api/v1/hot-reload) */
  prefix?: string;
  /** module paths in answers are shown relative to this directory (default cwd) */
  root?: string;
  /** bound on each app check (default 5000 ms) */
  checkTimeoutMs?: number;
  /**
   * how long the app may take to begin its answer to GET /health before the agent
   * answers instead, when the entry does not export `handlesHealth` (default 2000 ms)
   */
  healthTimeoutMs?: number;
  /** one line per reload/rollback, for a terminal (serve prints them) */
  log?: (line: string) => void;
  /** transform edited modules as soon as they are saved (default true); close() stops it */
  prewarm?: boolean;
  /** bound on a version's synchronous top-level code; past it the load is interrupted and fails (default 5000 ms; 0: no bound) */
  loadTimeoutMs?: number;
  /**
   * @internal only to measure what the module lifecycle costs (bench/agent-lifecycle.js):
   * false turns off side-effect tracking, the load guards and the leak report
   */
  trackSideEffects?: boolean;
  /**
   * run the app as `node FILE` would and adopt the servers it listen()s itself (serve);
   * `port` moves its first server
   */
  adopt?: { port?: number };
  /** how long a loading version may take to call listen() (default 10000 ms) */
  readyTimeoutMs?: number;
  /**
   * origins (`http://host:port`) whose web pages may call the hot-reload API; any other
   * request that carries an `Origin` header is refused (403). Default: none.
   */
  allowOrigins?: string[];
  /**
   * host names accepted in the `Host` header besides localhost and loopback addresses
   * (DNS rebinding guard; not applied to the API when a token is set). Default: none.
   */
  allowHosts?: string[];
}

export interface NormalizedAgentOptions {
  readonly entry: string;
  readonly token: string | undefined;
  readonly keep: number;
  readonly prefix: string;
  readonly root: string;
  readonly checkTimeoutMs: number;
  readonly healthTimeoutMs: number;
  readonly log: (line: string) => void;
  readonly prewarm: boolean;
  readonly loadTimeoutMs: number;
  readonly trackSideEffects: boolean;
  readonly adopt: { port?: number } | undefined;
  readonly readyTimeoutMs: number;
  readonly allowOrigins: ReadonlySet<string>;
  readonly allowHosts: ReadonlySet<string>;
}

export class AgentOptionsError extends Error {
  override readonly name = 'AgentOptionsError';
}

export function normalizeOptions(o: AgentOptions): NormalizedAgentOptions {
  if (!o || typeof o.entry !== 'string' || o.entry === '') {
    throw new AgentOptionsError('entry: expected the path of a module whose default export is a request listener');
  }
  const entry = resolve(o.entry);
  if (!statSync(entry, { throwIfNoEntry: false })?.isFile()) {
    throw new AgentOptionsError(`entry: no such file: ${entry}`);
  }
  const keep = o.keep ?? 5;
  if (!Number.isInteger(keep) || keep < 1 || keep > 1000) {
    throw new AgentOptionsError(`keep: expected an integer from 1 to 1000, got ${String(o.keep)}`);
  }
  const prefix = (o.prefix ?? DEFAULT_PREFIX).replace(/\/+$/, '');
  if (!prefix.startsWith('/') || /[?#\s]/.test(prefix)) {
    throw new AgentOptionsError(`prefix: expected a path of at least one segment starting with "/", got ${JSON.stringify(o.prefix)}`);
  }
  if (o.token !== undefined && (typeof o.token !== 'string' || o.token === '')) {
    throw new AgentOptionsError('token: expected a non-empty string');
  }
  const checkTimeoutMs = o.checkTimeoutMs ?? 5000;
  if (!Number.isFinite(checkTimeoutMs) || checkTimeoutMs <= 0) {
    throw new AgentOptionsError(`checkTimeoutMs: expected a positive number, got ${String(o.checkTimeoutMs)}`);
  }
  const healthTimeoutMs = o.healthTimeoutMs ?? 2000;
  if (!Number.isFinite(healthTimeoutMs) || healthTimeoutMs <= 0) {
    throw new AgentOptionsError(`healthTimeoutMs: expected a positive number, got ${String(o.healthTimeoutMs)}`);
  }
  const loadTimeoutMs = o.loadTimeoutMs ?? 5000;
  if (!Number.isFinite(loadTimeoutMs) || loadTimeoutMs < 0) {
    throw new AgentOptionsError(`loadTimeoutMs: expected a number of ms (0: no bound), got ${String(o.loadTimeoutMs)}`);
  }
  const readyTimeoutMs = o.readyTimeoutMs ?? 10_000;
  if (!Number.isFinite(readyTimeoutMs) || readyTimeoutMs <= 0) {
    throw new AgentOptionsError(`readyTimeoutMs: expected a positive number, got ${String(o.readyTimeoutMs)}`);
  }
  const allowOrigins = parseAllowOrigins(list(o.allowOrigins, 'allowOrigins'));
  if ('problem' in allowOrigins) throw new AgentOptionsError(`allowOrigins: ${allowOrigins.problem}`);
  const allowHosts = parseAllowHosts(list(o.allowHosts, 'allowHosts'));
  if ('problem' in allowHosts) throw new AgentOptionsError(`allowHosts: ${allowHosts.problem}`);
  return {
    entry,
    token: o.token,
    keep,
    prefix,
    root: resolve(o.root ?? process.cwd()),
    checkTimeoutMs,
    healthTimeoutMs,
    log: o.log ?? (() => {}),
    prewarm: o.prewarm ?? true,
    loadTimeoutMs,
    trackSideEffects: o.trackSideEffects !== false,
    adopt: o.adopt,
    readyTimeoutMs,
    allowOrigins,
    allowHosts,
  };
}

function list(value: unknown, name: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new AgentOptionsError(`${name}: expected an array of strings, got ${typeof value}`);
  return value;
}
