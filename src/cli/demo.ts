// The `demo` command (`npm start`): runs the demo service under the agent as a child
// process, then the ordinary watch mode (TUI on a terminal, lines otherwise) against it.
// The demo's files are found from this package's location, so it works from any cwd.
// Quitting stops the service: SIGTERM, then SIGKILL after a bounded wait.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createEngine } from '../engine.js';
import { addWarning } from '../store.js';
import type { Config } from '../types.js';
import { processIo, runCli, type CliEngine, type CliIo } from './main.js';
import { captureServiceOutput } from './service-output.js';

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
const SERVING = /^auto-hot-reload agent: serving .+ on (http:\/\/\S+):(\d+) \(pid (\d+)\)$/m;
/** service output kept for the message when it dies */
const TAIL_LINES = 20;

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

export interface DemoService {
  url: string;
  pid: number;
  child: ChildProcess;
  /** the service's last output lines */
  tail(): string[];
  /** SIGTERM, SIGKILL after the grace; resolves when it is gone; safe to call twice */
  stop(): Promise<void>;
}

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
function startOn(paths: ReturnType<typeof demoPaths>, port: number): Promise<StartOutcome> {
  const env = { ...process.env };
  delete env.HOT_RELOAD_TOKEN; // a loopback demo needs no token; the client gets none either
  const rel = path.relative(paths.root, paths.app);
  const child = spawn(process.execPath, [paths.bin, 'serve', rel, '--port', String(port), '--host', HOST], {
    cwd: paths.root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // its own process group: a Ctrl+C in the terminal reaches us, and we stop it in order
    detached: true,
  });
  const lines: string[] = [];
  let output = '';
  const collect = (d: Buffer) => {
    output += d.toString();
    const parts = output.split('\n');
    output = parts.pop() ?? '';
    lines.push(...parts);
    if (lines.length > TAIL_LINES) lines.splice(0, lines.length - TAIL_LINES);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    })());

  return new Promise<StartOutcome>((resolve) => {
    const done = (o: StartOutcome) => {
      clearTimeout(timer);
      child.stdout!.off('data', watchReady);
      child.off('close', onClose);
      resolve(o);
    };
    const watchReady = () => {
      const m = SERVING.exec(lines.join('\n'));
      if (m) done({ service: { url: `${m[1]}:${m[2]}`, pid: Number(m[3]), child, tail: () => [...lines, ...(output ? [output] : [])], stop } });
    };
    const onClose = (code: number | null, signal: NodeJS.Signals | null) => {
      const text = [...lines, output].join('\n').trim();
      if (/already in use/.test(text)) return done({ inUse: true });
      done({ error: `the demo service exited before it was ready (${signal ?? `exit code ${code}`})${text ? `:\n${text}` : ''}` });
    };
    const timer = setTimeout(() => {
      void stop();
      done({ error: `the demo service did not say it was serving within ${READY_TIMEOUT_MS / 1000} s; stopped it` });
    }, READY_TIMEOUT_MS);
    child.stdout!.on('data', watchReady);
    child.once('close', onClose);
  });
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
  const err = (l: string) => process.stderr.write(`${l}\n`);
  let args: DemoArgs | 'help';
  try {
    args = parseDemoArgs(argv);
  } catch (e) {
    err(`auto-hot-reload demo: ${(e as Error).message}\n${DEMO_USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (args === 'help') {
    process.stdout.write(`${DEMO_USAGE}\n`);
    return;
  }
  const paths = demoPaths();
  if (!existsSync(paths.config) || !existsSync(paths.app)) {
    err(`auto-hot-reload demo: the demo is not in this installation (expected ${paths.config} and ${paths.app})`);
    process.exitCode = 2;
    return;
  }

  const io = demoIo();
  const interactive = args.tui && !args.json && process.stdout.isTTY === true && io.stdinIsTTY && !io.env.CI;
  // the service takes a second or two to say it serves: never a blank terminal meanwhile
  if (interactive) process.stdout.write('auto-hot-reload demo: starting the demo service…\n');

  let service: DemoService;
  try {
    service = await startDemoService(paths, args.port);
  } catch (e) {
    err(`auto-hot-reload demo: ${(e as Error).message}`);
    process.exitCode = e instanceof DemoFailure ? e.exitCode : 1;
    return;
  }
  // last resort: never leave the service running behind a crashed client
  const killOnExit = () => service.child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const appRel = path.relative(paths.root, paths.app);
  if (args.json) process.stdout.write(`${JSON.stringify({ type: 'service', url: service.url, pid: service.pid, file: appRel })}\n`);
  else if (!interactive) process.stdout.write(`demo service: ${service.url} (pid ${service.pid}) — edit ${shortPath(path.dirname(paths.app))} and save to reload\n`);

  let shuttingDown = false;
  let engine: CliEngine | undefined;
  // the service's own lines: beside the line output, kept back while the TUI owns the screen
  const echo = (d: Buffer) => {
    if (!interactive && !shuttingDown) for (const l of d.toString().split('\n')) if (l.trim()) process.stderr.write(`service │ ${l}\n`);
  };
  service.child.stdout!.on('data', echo);
  service.child.stderr!.on('data', echo);
  let died = false;
  service.child.once('close', (code, signal) => {
    if (shuttingDown) return;
    died = true;
    // shown, not a crash: the engine's polling turns the target red; this says why
    const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    if (engine) addWarning(engine.store, `the demo service (pid ${service.pid}) ${why}; restart with npm start`);
    else err(`auto-hot-reload demo: the demo service ${why}`);
  });

  const cliArgs = ['--watch', '--config', paths.config, '--api-url', service.url];
  if (args.json) cliArgs.push('--json');
  if (!args.tui) cliArgs.push('--no-tui');
  let code: number;
  try {
    code = await runCli(cliArgs, {
      ...io,
      createEngine: (config: Config) => {
        engine = createEngine(config) as CliEngine;
        // the TUI's service-output view and the error log's entries show what it wrote
        captureServiceOutput(service.child, engine.store, { seed: service.tail() });
        return engine;
      },
    });
  } finally {
    shuttingDown = true;
    await service.stop();
    process.off('exit', killOnExit);
  }
  if (died) err(`auto-hot-reload demo: the demo service had stopped; its last output:\n${service.tail().join('\n')}`);
  else if (!interactive && !args.json) process.stdout.write(`demo service stopped\n`);
  process.exitCode = code;
}
