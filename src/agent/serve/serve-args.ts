// `serve` arguments: FILE [--port N] [--host H] [--token T] [--keep N] [--prefix P]
// [--allow-origin URL]… [--allow-host NAME]… [--ready-timeout S] [--grace S] [--load-timeout MS] [-- ARGS…].
import { isLoopbackName as isLoopback, parseAllowHosts, parseAllowOrigins } from '../http/guard.js';

export interface ServeArgs {
  file: string;
  port: number;
  /** --port was given: it moves the app's first server too */
  portGiven: boolean;
  /** the app's own arguments (after `--`): its process.argv.slice(2) */
  appArgs: string[];
  readyTimeoutMs: number;
  graceMs: number;
  host: string;
  token: string | undefined;
  keep: number;
  prefix: string | undefined;
  /** bound on a version's synchronous top-level code, ms */
  loadTimeoutMs: number;
  /** origins whose pages may call the API (repeatable --allow-origin) */
  allowOrigins: string[];
  /** extra names accepted in Host: --allow-host, and --host when it is a name */
  allowHosts: string[];
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const SERVE_USAGE = `usage: auto-hot-reload serve FILE [options] [-- ARGS…]
  FILE      your app, run as \`node FILE ARGS…\` would (.js .mjs .cjs .ts): the servers it
            listen()s are adopted (the hot-reload API answers on them); an app that listens
            nowhere is served from its default export (a request listener) on --port
  --port    the port of the app's first server, or of the default export (default 8001; 0 picks a free port)
  --host    address to bind a default export on (default 127.0.0.1; any other than loopback needs a token)
  --token   require Authorization: Bearer T on the hot-reload API (env HOT_RELOAD_TOKEN)
  --keep    versions kept for rollback (default 5)
  --prefix  path of the hot-reload API (default /api/v1/hot-reload)
  --allow-origin URL  let web pages from this origin call the API (repeatable; default none)
  --allow-host NAME   accept this name in the Host header besides localhost (repeatable)
  --ready-timeout S   seconds a loading version may take to call listen() (default 10)
  --grace S           seconds from SIGINT/SIGTERM/SIGHUP to exit, even with handles open (default 10)
  --load-timeout MS   how long a version's top-level code may run before its load is interrupted (default 5000; 0: no bound)`;

const VALUE_FLAGS = new Set(['--port', '--host', '--token', '--keep', '--prefix', '--allow-origin', '--allow-host', '--ready-timeout', '--grace', '--load-timeout']);
const REPEATABLE = new Set(['--allow-origin', '--allow-host']);

export function parseServeArgs(argv: readonly string[], env: NodeJS.ProcessEnv): ServeArgs | 'help' {
  const values = new Map<string, string>();
  const repeated = new Map<string, string[]>([...REPEATABLE].map((f) => [f, []]));
  const positional: string[] = [];
  let appArgs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      appArgs = argv.slice(i + 1);
      break;
    }
    if (arg === '-h' || arg === '--help') return 'help';
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg : arg.slice(0, eq);
      if (!VALUE_FLAGS.has(name)) throw new UsageError(`unknown option ${name}`);
      const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined) throw new UsageError(`${name} expects a value`);
      if (REPEATABLE.has(name)) repeated.get(name)!.push(value);
      else values.set(name, value);
    } else positional.push(arg);
  }
  if (positional.length === 0) throw new UsageError('missing FILE: the module to serve');
  if (positional.length > 1) throw new UsageError(`expected one FILE, got ${positional.length}: ${positional.join(' ')}`);

  const port = integer(values.get('--port') ?? '8001', '--port', 0, 65535);
  const keep = integer(values.get('--keep') ?? '5', '--keep', 1, 1000);
  const loadTimeoutMs = integer(values.get('--load-timeout') ?? '5000', '--load-timeout', 0, 3_600_000);
  // an IPv6 literal may come bracketed, as in a URL: [::1]
  const host = (values.get('--host') ?? '127.0.0.1').replace(/^\[(.*)\]$/, '$1');
  if (host === '') throw new UsageError('--host: expected an address, got ""');
  const token = values.get('--token') ?? (env.HOT_RELOAD_TOKEN || undefined);
  if (token === '') throw new UsageError('--token: expected a non-empty token');
  if (!token && !isLoopback(host)) {
    throw new UsageError(
      `refusing to serve the hot-reload API on non-loopback host ${host} without a token: pass --token T or set HOT_RELOAD_TOKEN (or bind --host 127.0.0.1)`,
    );
  }
  for (const [flag, parse] of [['--allow-origin', parseAllowOrigins], ['--allow-host', parseAllowHosts]] as const) {
    const parsed = parse(repeated.get(flag)!);
    if ('problem' in parsed) throw new UsageError(`${flag}: ${parsed.problem}`);
  }
  const allowHosts = [...repeated.get('--allow-host')!];
  if (!isWildcard(host)) allowHosts.push(host);
  const readyTimeoutMs = seconds(values.get('--ready-timeout') ?? '10', '--ready-timeout');
  const graceMs = seconds(values.get('--grace') ?? '10', '--grace');
  return {
    file: positional[0], port, portGiven: values.has('--port'), appArgs, readyTimeoutMs, graceMs,
    host, token, keep, prefix: values.get('--prefix'), allowOrigins: repeated.get('--allow-origin')!, allowHosts, loadTimeoutMs,
  };
}

function seconds(raw: string, name: string): number {
  const n = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || n <= 0 || n > 3600) throw new UsageError(`${name}: expected a number of seconds above 0, up to 3600, got ${JSON.stringify(raw)}`);
  return Math.round(n * 1000);
}

function integer(raw: string, name: string, min: number, max: number): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) throw new UsageError(`${name}: expected an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return n;
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '0:0:0:0:0:0:0:0';
}

export { isLoopbackName as isLoopback } from '../http/guard.js';
