// `serve` arguments: FILE [--port N] [--host H] [--token T] [--keep N] [--prefix P] [--load-timeout MS].
import { isIP } from 'node:net';

export interface ServeArgs {
  file: string;
  port: number;
  host: string;
  token: string | undefined;
  keep: number;
  prefix: string | undefined;
  /** bound on a version's synchronous top-level code, ms */
  loadTimeoutMs: number;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const SERVE_USAGE = `usage: auto-hot-reload serve FILE [--port N] [--host H] [--token T] [--keep N] [--prefix P] [--load-timeout MS]
  FILE      a module whose default export is a request listener (.js .mjs .cjs .ts)
  --port    port to listen on (default 8001; 0 picks a free port)
  --host    address to bind (default 127.0.0.1; any other than loopback needs a token)
  --token   require Authorization: Bearer T on the hot-reload API (env HOT_RELOAD_TOKEN)
  --keep    versions kept for rollback (default 5)
  --prefix  path of the hot-reload API (default /api/v1/hot-reload)
  --load-timeout  ms a version's top-level code may run before the load is interrupted (default 5000; 0: no bound)`;

const VALUE_FLAGS = new Set(['--port', '--host', '--token', '--keep', '--prefix', '--load-timeout']);

export function parseServeArgs(argv: readonly string[], env: NodeJS.ProcessEnv): ServeArgs | 'help' {
  const values = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return 'help';
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg : arg.slice(0, eq);
      if (!VALUE_FLAGS.has(name)) throw new UsageError(`unknown option ${name}`);
      const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined) throw new UsageError(`${name} expects a value`);
      values.set(name, value);
    } else positional.push(arg);
  }
  if (positional.length === 0) throw new UsageError('missing FILE: the module to serve');
  if (positional.length > 1) throw new UsageError(`expected one FILE, got ${positional.length}: ${positional.join(' ')}`);

  const port = integer(values.get('--port') ?? '8001', '--port', 0, 65535);
  const keep = integer(values.get('--keep') ?? '5', '--keep', 1, 1000);
  const loadTimeoutMs = integer(values.get('--load-timeout') ?? '5000', '--load-timeout', 0, 3_600_000);
  const host = values.get('--host') ?? '127.0.0.1';
  if (host === '') throw new UsageError('--host: expected an address, got ""');
  const token = values.get('--token') ?? (env.HOT_RELOAD_TOKEN || undefined);
  if (token === '') throw new UsageError('--token: expected a non-empty token');
  if (!token && !isLoopback(host)) {
    throw new UsageError(
      `refusing to serve the hot-reload API on non-loopback host ${host} without a token: pass --token T or set HOT_RELOAD_TOKEN (or bind --host 127.0.0.1)`,
    );
  }
  return { file: positional[0], port, host, token, keep, prefix: values.get('--prefix'), loadTimeoutMs };
}

function integer(raw: string, name: string, min: number, max: number): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) throw new UsageError(`${name}: expected an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return n;
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h.startsWith('::ffff:127.');
}
