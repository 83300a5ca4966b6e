// The `dev` command: your own app in one command, as `demo` is for the demo. It runs
// `serve FILE -- ARGS…` as a child (the app as `node FILE ARGS…` would run it, its servers
// adopted), asks the agent which files the app loaded, and watches their folders with the
// client (TUI on a terminal, lines otherwise) against the port the app listens on.
// No config file needed; the cooldown defaults to 1 s here.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_PREFIX } from '../protocol/wire.js';
import { visible, visibleLine } from '../protocol/visible.js';
import { demoPaths } from './demo.js';
import { processIo } from './main.js';
import { startService } from './service-process.js';
import { parseSubcommandArgs, watchWithService } from './with-service.js';

export const DEV_USAGE = `usage: auto-hot-reload dev FILE [options] [-- ARGS…]
  runs FILE as \`node FILE ARGS…\` would, under the agent, plus the client watching the files it loaded
  --port N         move the app's first server to port N (default: where the app listens)
  --dir DIR        watch this folder too (repeatable)
  --cooldown S     seconds between reloads (default 1)
  --config FILE    a config file (probes, ignore, …); none is needed
  --no-tui         plain lines even on a terminal
  --json           one JSON object per event (implies --no-tui)`;

const READY_TIMEOUT_MS = 30_000;
const LOADED_TIMEOUT_MS = 5_000;

export interface DevArgs {
  file: string;
  appArgs: string[];
  port?: string;
  dirs: string[];
  cooldown?: string;
  config?: string;
  tui: boolean;
  json: boolean;
}

export class DevUsageError extends Error {
  override readonly name = 'DevUsageError';
}

export function parseDevArgs(argv: readonly string[]): DevArgs | 'help' {
  const dashes = argv.indexOf('--');
  const own = dashes < 0 ? [...argv] : argv.slice(0, dashes);
  const appArgs = dashes < 0 ? [] : argv.slice(dashes + 1);
  let parsed;
  try {
    parsed = parseArgs({
      args: own,
      options: {
        port: { type: 'string' },
        dir: { type: 'string', multiple: true },
        cooldown: { type: 'string' },
        config: { type: 'string' },
        'no-tui': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (e) {
    const text = e instanceof Error ? e.message : String(e);
    const unknown = /Unknown option '([^']+)'/.exec(text);
    if (unknown) throw new DevUsageError(`unknown option ${unknown[1]} (the app's own options go after --)`);
    throw new DevUsageError(text.split('\n')[0]);
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length === 0) throw new DevUsageError('missing FILE: the app to run (as in node FILE)');
  if (positionals.length > 1) throw new DevUsageError(`expected one FILE, got ${positionals.join(' ')} (the app's own arguments go after --)`);
  if (values.port !== undefined && !/^\d+$/.test(values.port)) throw new DevUsageError(`--port: ${JSON.stringify(values.port)} is not a port (expected 0..65535)`);
  return {
    file: positionals[0],
    appArgs,
    port: values.port,
    dirs: values.dir ?? [],
    cooldown: values.cooldown,
    config: values.config,
    tui: !values['no-tui'],
    json: values.json ?? false,
  };
}

/** The fewest folders that hold every file: each file's folder, minus those inside another. */
export function coveringDirs(files: readonly string[]): string[] {
  const dirs = [...new Set(files.map((f) => path.dirname(f)))].sort();
  return dirs.filter((d) => !dirs.some((o) => o !== d && d.startsWith(o.endsWith(path.sep) ? o : o + path.sep)));
}

async function loadedFiles(url: string): Promise<string[]> {
  const res = await fetch(`${url}${DEFAULT_PREFIX}/loaded`, {
    signal: AbortSignal.timeout(LOADED_TIMEOUT_MS),
    headers: process.env.HOT_RELOAD_TOKEN ? { authorization: `Bearer ${process.env.HOT_RELOAD_TOKEN}` } : {},
  });
  const body = (await res.json()) as { files?: unknown };
  if (!res.ok || !Array.isArray(body.files)) throw new Error(`GET ${DEFAULT_PREFIX}/loaded answered ${res.status}`);
  return body.files.filter((f): f is string => typeof f === 'string');
}

/** Entry point (src/cli/main.ts dispatches `dev …` here); leaves the exit code in process.exitCode. */
export async function main(argv: string[]): Promise<void> {
  const err = (l: string) => process.stderr.write(`${l}\n`);
  const args = parseSubcommandArgs('dev', argv, parseDevArgs, DEV_USAGE);
  if (!args) return;
  if (!existsSync(args.file)) {
    err(`auto-hot-reload dev: no such file: ${visibleLine(args.file)}`);
    process.exitCode = 2;
    return;
  }
  const io = processIo();
  const interactive = args.tui && !args.json && process.stdout.isTTY === true && io.stdinIsTTY && !io.env.CI;
  // the app takes a moment to say it serves: never a blank terminal meanwhile
  if (interactive) process.stdout.write(`auto-hot-reload dev: starting ${visibleLine(args.file)}…\n`);
  const serveArgs = [demoPaths().bin, 'serve', args.file, ...(args.port !== undefined ? ['--port', args.port] : []), '--', ...args.appArgs];
  const started = await startService({ args: serveArgs, cwd: process.cwd(), env: { ...process.env }, readyTimeoutMs: READY_TIMEOUT_MS });
  if (!('service' in started)) {
    // the service's own message names what failed (file:line:column, nothing to serve, …)
    err('exited' in started ? `${visible(started.output)}\nauto-hot-reload dev: the app exited before it was serving (${started.exited})` : `auto-hot-reload dev: the app ${started.timeout}`);
    process.exitCode = 1;
    return;
  }
  const service = started.service;
  let dirs: string[];
  try {
    dirs = coveringDirs(await loadedFiles(service.url));
  } catch (e) {
    await service.stop();
    err(`auto-hot-reload dev: cannot ask the app's agent which files it loaded: ${visible((e as Error).message)}`);
    process.exitCode = 3;
    return;
  }
  if (args.json) process.stdout.write(`${JSON.stringify({ type: 'service', url: service.url, pid: service.pid, file: args.file })}\n`);
  else if (!interactive) process.stdout.write(`dev: ${visibleLine(args.file)} serving on ${service.url} (pid ${service.pid}) — save a file it loaded to reload\n`);
  const cliArgs = ['--watch', '--api-url', service.url, '--cooldown', args.cooldown ?? '1'];
  for (const d of [...dirs, ...args.dirs]) cliArgs.push('--dir', d);
  if (args.config) cliArgs.push('--config', args.config);
  if (args.json) cliArgs.push('--json');
  if (!args.tui) cliArgs.push('--no-tui');
  const { code } = await watchWithService(service, { cliArgs, io, interactive, name: 'the app', restart: `auto-hot-reload dev ${args.file}`, command: 'dev' });
  process.exitCode = code;
}
