// The CLI entry (bin/auto-hot-reload.js calls run). Parses argv, loads the config, drives
// the engine for one command or watch mode, prints results, and maps them to exit codes:
// 0 ok · 1 reload/verification failed · 2 usage/config · 3 unreachable · 4 a rollback was
// needed or asked for and the service is not back in a verified state.
import path from 'node:path';
import type { StoreApi } from 'zustand/vanilla';
import { isConfigError } from '../config/errors.js';
import { loadConfig } from '../config/load.js';
import type { ReloadReason } from '../protocol/wire.js';
import type { Config, EngineStore, RunResult } from '../types.js';
import { jsonLine, visible, visibleLine } from '../protocol/visible.js';
import { parseCli, SUBCOMMANDS, UsageError, type ParsedCli, type Subcommand } from './args.js';
import { HELP, packageVersion } from './help.js';
import { committedFiles } from './hook.js';
import { resultJson, resultLines, styleFor, type Style } from './output.js';
import { printWatchEvents } from './watch-lines.js';

/** components/run.tsx's runTui answer when raw mode is unavailable: print lines instead */
const FALLBACK_TO_LINES = -1;

/** What the CLI needs of the engine (src/engine/engine.ts's createEngine returns it). */
export interface CliEngine {
  readonly store: StoreApi<EngineStore>;
  start(): Promise<void>;
  trigger(opts?: { reason?: ReloadReason; files?: string[] }): Promise<RunResult>;
  verify(): Promise<RunResult>;
  rollback(): Promise<RunResult>;
  close(): Promise<void>;
}

export interface CliIo {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  stdinIsTTY: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** calls back on SIGINT/SIGTERM/SIGHUP; the callback's second call means "give up now" */
  onSignal(handler: (second: boolean) => void): () => void;
  createEngine?: (config: Config) => CliEngine | Promise<CliEngine>;
}

/** Signals that quit the client the same way: Ctrl+C, `kill`, and the terminal closing. */
export const QUIT_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
// A quit signal ends the process within 2 s whatever runs (issue 14): the TUI gets this long
// to unmount, the engine this long to close, and then the process exits this long after.
const TUI_AFTER_SIGNAL_MS = 800;
const CLOSE_AFTER_SIGNAL_MS = 700;
const EXIT_AFTER_SIGNAL_MS = 300;
let quitSignal: NodeJS.Signals | undefined;

/** The real process's streams, environment and signals (`env` replaceable: the demo decides its own). */
export function processIo(env: NodeJS.ProcessEnv = process.env): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdinIsTTY: Boolean(process.stdin.isTTY),
    env,
    cwd: process.cwd(),
    onSignal(handler) {
      let count = 0;
      const h = (signal: NodeJS.Signals) => {
        quitSignal ??= signal;
        // the terminal is gone: writing to it fails (EIO); the quit path must still run
        if (signal === 'SIGHUP') for (const s of [process.stdout, process.stderr]) s.on('error', () => undefined);
        handler(++count > 1);
      };
      for (const s of QUIT_SIGNALS) process.on(s, h);
      return () => {
        for (const s of QUIT_SIGNALS) process.off(s, h);
      };
    },
  };
}

/** Entry point used by bin/auto-hot-reload.js: sets process.exitCode, never throws. */
export async function run(argv: string[]): Promise<void> {
  process.exitCode = await runCli(argv, processIo());
  // quit by a signal: the quit path has run; nothing left over (a scan of a huge tree, a
  // hung socket) may keep the process alive past this
  if (quitSignal) setTimeout(() => process.exit(), EXIT_AFTER_SIGNAL_MS).unref();
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves when p settles or after ms, whichever is first. */
function within(p: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    p.finally(() => {
      clearTimeout(t);
      resolve();
    }).catch(() => undefined);
  });
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const out = (l: string) => io.stdout.write(`${l}\n`);
  const err = (l: string) => io.stderr.write(`${l}\n`);
  try {
    const sub = argv[0] as Subcommand | undefined;
    if (sub && (SUBCOMMANDS as readonly string[]).includes(sub)) return await runSubcommand(sub, argv.slice(1), io);
    const parsed = parseCli(argv);
    if (parsed.command === 'help') {
      io.stdout.write(HELP);
      return 0;
    }
    if (parsed.command === 'version') {
      out(packageVersion());
      return 0;
    }
    const config = await loadConfig({ flags: parsed.flags, env: io.env, cwd: io.cwd });
    if (parsed.command === 'watch') return await runWatch(config, io);
    return await runOnce(parsed, config, io);
  } catch (e) {
    // messages quote argv, config values, paths and server text: shown, never obeyed
    if (e instanceof UsageError || isConfigError(e)) {
      err(`auto-hot-reload: ${visible(e.message)}`);
      return 2;
    }
    const exitCode = (e as { exitCode?: unknown } | null)?.exitCode;
    if (typeof exitCode === 'number' && exitCode >= 1 && exitCode <= 4) {
      // a typed failure from the engine (e.g. the watcher could not start)
      err(`auto-hot-reload: ${visible(e instanceof Error ? e.message : String(e))}`);
      return exitCode;
    }
    // a bug, not a state: one line, no stack unless asked for
    err(`auto-hot-reload: unexpected error: ${visible(e instanceof Error ? e.message : String(e))}`);
    if (io.env.DEBUG && e instanceof Error && e.stack) err(visible(e.stack));
    return 1;
  }
}

async function runSubcommand(sub: Subcommand, rest: string[], io: CliIo): Promise<number> {
  if (sub === 'install-hook') {
    const hook = await import('./hook.js');
    return hook.main(rest, { cwd: io.cwd, env: io.env, out: (l) => io.stdout.write(`${l}\n`) });
  }
  // serve (agent), dev and demo live in other modules; load them only when asked for
  const spec = sub === 'serve' ? '../agent/serve/serve.js' : sub === 'dev' ? './dev.js' : './demo.js';
  let mod: { main(argv: string[]): Promise<unknown> };
  try {
    mod = (await import(spec)) as typeof mod;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND') {
      io.stderr.write(`auto-hot-reload: the "${sub}" command is not available in this build (${spec} is missing; run npm run build)\n`);
      return 2;
    }
    throw e;
  }
  await mod.main(rest);
  // those commands own their process and exit code
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}

async function makeEngine(config: Config, io: CliIo): Promise<CliEngine> {
  if (io.createEngine) return io.createEngine(config);
  const { createEngine } = await import('../engine/engine.js');
  return createEngine(config) as CliEngine;
}

/** Files of HEAD inside the watched dirs, relative to the root (for the git hook). */
async function hookFiles(config: Config): Promise<string[]> {
  const { top, files } = await committedFiles(config.root);
  const inside = (abs: string) => config.dirs.some((d) => abs === d || abs.startsWith(d + path.sep));
  return files
    .map((f) => path.resolve(top, f))
    .filter(inside)
    .map((abs) => path.relative(config.root, abs).split(path.sep).join('/'));
}

function printWarnings(engine: CliEngine, io: CliIo, style: Style) {
  for (const w of engine.store.getState().warnings) io.stderr.write(`${style.warn('⚠')} ${visibleLine(w)}\n`);
}

/** Quitting inside the cooldown leaves changes unreloaded: say which, and how to reload them. */
export function pendingNotice(pending: readonly string[], max = 5): string | undefined {
  const n = pending.length;
  if (n === 0) return undefined;
  const names = pending.slice(0, max).map(visibleLine).join(', ') + (n > max ? ` (+${n - max} more)` : '');
  return n === 1
    ? `1 change was pending and not reloaded: ${names} (run auto-hot-reload --trigger to reload it)`
    : `${n} changes were pending and not reloaded: ${names} (run auto-hot-reload --trigger to reload them)`;
}

function printPendingNotice(engine: CliEngine, io: CliIo, style: Style): void {
  const line = pendingNotice(engine.store.getState().pending);
  if (line) io.stderr.write(`${style.warn('⚠')} ${line}\n`);
}

async function runOnce(parsed: ParsedCli, config: Config, io: CliIo): Promise<number> {
  const style = styleFor(io.stdout, io.env);
  let files: string[] | undefined;
  if (parsed.gitHook) {
    files = await hookFiles(config);
    if (files.length === 0) {
      if (!config.json) io.stdout.write('auto-hot-reload: the commit touched no watched files; nothing to reload\n');
      return 0;
    }
  }
  const engine = await makeEngine(config, io);
  let interrupted = false;
  const stop = io.onSignal((second) => {
    if (second) process.exit(130);
    interrupted = true;
    void engine.close();
  });
  try {
    let result: RunResult;
    if (parsed.command === 'trigger') result = await engine.trigger({ reason: parsed.reason ?? 'manual', ...(files ? { files } : {}) });
    else if (parsed.command === 'verify') result = await engine.verify();
    else result = await engine.rollback();
    if (interrupted) {
      io.stderr.write('auto-hot-reload: interrupted\n');
      return 130;
    }
    printWarnings(engine, io, style);
    if (config.json) io.stdout.write(`${jsonLine(resultJson(result))}\n`);
    else for (const line of resultLines(result, style)) io.stdout.write(`${line}\n`);
    return result.exitCode;
  } finally {
    stop();
    await engine.close();
  }
}

async function runWatch(config: Config, io: CliIo): Promise<number> {
  const engine = await makeEngine(config, io);
  let resolveStop!: () => void;
  const stopped = new Promise<void>((r) => (resolveStop = r));
  const quit = new AbortController();
  const stop = io.onSignal((second) => {
    if (second) process.exit(130);
    quit.abort();
    resolveStop();
  });
  const style = styleFor(io.stdout, io.env);
  try {
    // Shopify cli-kit / gemini-cli rule: interactive only with both TTYs and not in CI
    const wanted = config.tui && !config.json && !io.env.CI;
    const interactive = wanted && io.stdout.isTTY === true && io.stdinIsTTY;
    // a terminal that gets lines instead of the TUI says why (`</dev/null`, a pipe into it)
    if (wanted && io.stdout.isTTY === true && !io.stdinIsTTY) {
      io.stderr.write('auto-hot-reload: stdin is not a terminal; printing lines (use --no-tui to silence this)\n');
    }
    if (interactive) {
      let runTui: ((engine: CliEngine, opts: { signal: AbortSignal }) => Promise<number>) | undefined;
      try {
        // a variable specifier: the TUI is another part; this file must compile without it
        const tuiModule = '../../components/run.js';
        ({ runTui } = (await withProductionReact(() => import(tuiModule))) as { runTui: typeof runTui });
      } catch (e) {
        io.stderr.write(`auto-hot-reload: the TUI could not be loaded (${visibleLine((e as Error).message)}); printing lines instead\n`);
      }
      if (runTui) {
        // the TUI starts the engine itself and owns quitting (a signal quits it as `q` does);
        // -1: no raw mode, nothing started
        const code = await Promise.race([runTui(engine, { signal: quit.signal }), stopped.then(() => sleep(TUI_AFTER_SIGNAL_MS)).then(() => 0)]);
        if (code !== FALLBACK_TO_LINES) {
          // after the TUI unmounted: on the restored screen, where it stays readable
          printPendingNotice(engine, io, style);
          return code;
        }
      }
    }
    // a signal during the start (a long first scan) quits at once
    await Promise.race([engine.start(), stopped]);
    if (!quit.signal.aborted) {
      const unsubscribe = printWatchEvents(engine.store, (l) => io.stdout.write(`${l}\n`), { json: config.json, style });
      try {
        await stopped;
      } finally {
        unsubscribe();
      }
    }
    printPendingNotice(engine, io, style);
    return 0;
  } finally {
    stop();
    await (quit.signal.aborted ? within(engine.close(), CLOSE_AFTER_SIGNAL_MS) : engine.close());
  }
}

/**
 * React picks its build from NODE_ENV when it is first loaded. Its development build (the
 * default when NODE_ENV is unset, and what a backend developer's shell often says) renders
 * several times slower, and a redraw holds the event loop that sends the reloads. The TUI
 * loads with "production" and the variable is put back at once, so nothing else in the
 * process (or a process it starts) sees the change.
 */
async function withProductionReact<T>(load: () => Promise<T>): Promise<T> {
  const had = Object.prototype.hasOwnProperty.call(process.env, 'NODE_ENV');
  const before = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    return await load();
  } finally {
    if (had) process.env.NODE_ENV = before;
    else delete process.env.NODE_ENV;
  }
}
