// The `demo` command (`npm start`): runs the demo service under the agent as a child
// process, then the ordinary watch mode (TUI on a terminal, lines otherwise) against it.
// The demo's files are found from this package's location, so it works from any cwd.
// Quitting stops the service: SIGTERM, then SIGKILL after a bounded wait.
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { visible } from '../protocol/visible.js';
import { processIo, type CliIo } from './main.js';
import { startService, type ServiceProcess } from './service-process.js';
import { parseSubcommandArgs, watchWithService } from './with-service.js';

export const DEMO_USAGE = `usage: auto-hot-reload demo [--port N] [--no-tui] [--json]
  the demo service (examples/demo/server/app.js) plus the client watching its source
  --port N   port of the demo service (default 8001, or the next free one; 0 picks any free port)
  --no-tui   plain lines even on a terminal
  --json     one JSON object per event (implies --no-tui)`;

const HOST = '127.0.0.1';
const DEFAULT_PORT = 8001;
/** how many ports after 8001 are tried when it is taken */
const PORT_TRIES = 20;
const READY_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 3_000;

export interface DemoArgs {
  port: number | undefined; // undefined: 8001 or the next free port
  tui: boolean;
  json: boolean;
}

export class DemoUsageError extends Error {
  override readonly name = 'DemoUsageError';
}

export function parseDemoArgs(argv: readonly string[]): DemoArgs | 'help' {
  let values: { port?: string; 'no-tui'?: boolean; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { port: { type: 'string' }, 'no-tui': { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    const unknown = /Unknown option '([^']+)'/.exec(text);
    const missing = /Option '(--[\w-]+)[^']*' argument missing/.exec(text);
    if (unknown) throw new DemoUsageError(`unknown option ${unknown[1]} (expected --port N, --no-tui, --json)`);
    if (missing) throw new DemoUsageError(`${missing[1]} needs a value`);
    throw new DemoUsageError(text.split('\n')[0]);
  }
  if (values.help) return 'help';
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d+$/.test(values.port.trim()) || port > 65535) {
      throw new DemoUsageError(`--port: ${JSON.stringify(values.port)} is not a port (expected a whole number 0..65535; 0 picks a free one)`);
    }
  }
  return { port, tui: !values['no-tui'], json: values.json ?? false };
}

/** This package's root: the nearest directory upward holding our package.json (src/ or dist/src/). */
export function packageRoot(from = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      try {
        if ((JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'auto-hot-reload') return dir;
      } catch {
        /* not ours: keep looking */
      }
    }
    dir = path.dirname(dir);
  }
  throw new Error(`cannot find the auto-hot-reload package above ${from}`);
}

export function demoPaths(root = packageRoot()) {
  const dir = path.join(root, 'examples', 'demo');
  return { root, dir, config: path.join(dir, 'hot-reload.config.json'), app: path.join(dir, 'server', 'app.js'), bin: path.join(root, 'bin', 'auto-hot-reload.js') };
}

/** true when nothing listens on HOST:port right now (a hint only: serve itself decides) */
function portLooksFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, HOST, () => probe.close(() => resolve(true)));
  });
}

export type DemoService = ServiceProcess;

/** a start-up failure with the exit code it maps to (2 usage, 3 service unreachable) */
class DemoFailure extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

type StartOutcome = { service: DemoService } | { inUse: true } | { error: string };

/** Spawns `serve` on one port and waits (bounded) for its "serving" line. */
async function startOn(paths: ReturnType<typeof demoPaths>, port: number): Promise<StartOutcome> {
  const env = { ...process.env };
  delete env.HOT_RELOAD_TOKEN; // a loopback demo needs no token; the client gets none either
  const rel = path.relative(paths.root, paths.app);
  const o = await startService({
    args: [paths.bin, 'serve', rel, '--port', String(port), '--host', HOST],
    cwd: paths.root,
    env,
    readyTimeoutMs: READY_TIMEOUT_MS,
    stopGraceMs: STOP_GRACE_MS,
  });
  if ('service' in o) return o;
  if ('timeout' in o) return { error: `the demo service ${o.timeout}` };
  if (/already in use/.test(o.output)) return { inUse: true };
  return { error: `the demo service exited before it was ready (${o.exited})${o.output ? `:\n${o.output}` : ''}` };
}

/** 8001 or the next free port (or exactly --port); the result names what went wrong. */
export async function startDemoService(paths: ReturnType<typeof demoPaths>, port: number | undefined): Promise<DemoService> {
  const candidates = port !== undefined ? [port] : Array.from({ length: PORT_TRIES }, (_, i) => DEFAULT_PORT + i);
  for (const p of candidates) {
    if (port === undefined && !(await portLooksFree(p))) continue;
    const o = await startOn(paths, p);
    if ('service' in o) return o.service;
    if ('error' in o) throw new DemoFailure(3, o.error);
    if (port !== undefined) throw new DemoFailure(2, `port ${p} on ${HOST} is already in use (pick another with --port N; 0 picks a free one)`);
  }
  throw new DemoFailure(2, `ports ${DEFAULT_PORT}..${DEFAULT_PORT + PORT_TRIES - 1} on ${HOST} are all in use (pick one with --port N; 0 picks a free one)`);
}

/** relative to the cwd when inside it, absolute otherwise */
function shortPath(abs: string): string {
  const rel = path.relative(process.cwd(), abs);
  return rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel;
}

/** The process's io, but the demo's URL and token are ours to decide, not the shell's. */
function demoIo(): CliIo {
  const env = { ...process.env };
  delete env.API_BASE_URL;
  delete env.HOT_RELOAD_TOKEN;
  return processIo(env);
}

/** Entry point (src/cli/main.ts dispatches `demo …` here); leaves the exit code in process.exitCode. */
export async function main(argv: string[]): Promise<void> {
  const args = parseSubcommandArgs('demo', argv, parseDemoArgs, DEMO_USAGE);
  if (!args) return;
  const paths = demoPaths();
  if (!existsSync(paths.config) || !existsSync(paths.app)) {
    return fail(2, `the demo is not in this installation (expected ${paths.config} and ${paths.app})`);
  }
  const io = demoIo();
  const interactive = args.tui && !args.json && process.stdout.isTTY === true && io.stdinIsTTY && !io.env.CI;
  // the service takes a second or two to say it serves: never a blank terminal meanwhile
  if (interactive) process.stdout.write('auto-hot-reload demo: starting the demo service…\n');

  let service: DemoService;
  try {
    service = await startDemoService(paths, args.port);
  } catch (e) {
    return fail(e instanceof DemoFailure ? e.exitCode : 1, visible((e as Error).message)); // may quote the service's output
  }
  announce(service, paths, args, interactive);
  const cliArgs = ['--watch', '--config', paths.config, '--api-url', service.url, ...(args.json ? ['--json'] : []), ...(args.tui ? [] : ['--no-tui'])];
  const { code, died } = await watchWithService(service, { cliArgs, io, interactive, name: 'the demo service', restart: 'npm start', command: 'demo' });
  if (!died && !interactive && !args.json) process.stdout.write(`demo service stopped\n`);
  process.exitCode = code;
}

/** Where the service runs, for a script (--json) or a reader of plain lines; the TUI's header shows it itself. */
function announce(service: DemoService, paths: ReturnType<typeof demoPaths>, args: DemoArgs, interactive: boolean): void {
  const appRel = path.relative(paths.root, paths.app);
  if (args.json) process.stdout.write(`${JSON.stringify({ type: 'service', url: service.url, pid: service.pid, file: appRel })}\n`);
  else if (!interactive) process.stdout.write(`demo service: ${service.url} (pid ${service.pid}) — edit ${shortPath(path.dirname(paths.app))} and save to reload\n`);
}

function fail(code: number, message: string): void {
  process.stderr.write(`auto-hot-reload demo: ${message}\n`);
  process.exitCode = code;
}
