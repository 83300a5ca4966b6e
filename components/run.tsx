// Entry point of the interactive TUI. The CLI decided that we are on a TTY; this checks
// that raw mode really works, renders the App, starts the engine and owns the ONE
// teardown path (q, Ctrl+C): unmount (restores the terminal), close the engine, resolve
// the exit code.
import { render } from 'ink';
import type { StoreApi } from 'zustand/vanilla';
import { readErrorLog } from '../src/engine/errorlog.js';
import type { EngineStore } from '../src/types.js';
import { App } from './App.js';
import { followTally, summaryLine } from './view/summary.js';
import type { ErrorLogLoader } from './hooks/useErrorLog.js';

/**
 * Returned instead of an exit code when stdin cannot enter raw mode (not a terminal,
 * or a terminal without raw mode): nothing was rendered, the caller prints lines instead.
 */
export const FALLBACK_TO_LINES = -1;

/** What the TUI needs of the engine (the engine's `Engine` and the CLI's engine both fit). */
export interface TuiEngine {
  readonly store: StoreApi<EngineStore>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface RunTuiOptions {
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  /** reads the error log; default: every *.log file of the configured log dir */
  loadErrors?: ErrorLogLoader;
  /** frame rate cap for event storms (default 15) */
  maxFps?: number;
  /** quitting waits at most this long for in-flight requests to settle (default 5000) */
  closeTimeoutMs?: number;
  /** route console.* above the frame (default true; vitest's console cannot be patched) */
  patchConsole?: boolean;
  /** aborting quits as `q` does: SIGINT/SIGTERM/SIGHUP reach the CLI, not the keyboard */
  signal?: AbortSignal;
}

/** Bounded wait: quitting must never hang on a dead service. */
function settleWithin(p: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    p.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        resolve();
      },
    );
  });
}

/**
 * Runs the TUI until the user quits. Resolves the exit code: 0 after `q`/Ctrl+C, the
 * engine's failure code when it could not start, or FALLBACK_TO_LINES (-1) when raw mode
 * is unavailable (then nothing was started or rendered).
 */
export async function runTui(engine: TuiEngine, opts: RunTuiOptions = {}): Promise<number> {
  const stdin = opts.stdin ?? process.stdin;
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  // Ink's own test (isRawModeSupported); useInput would throw without it (ink #166)
  if (stdin.isTTY !== true || typeof stdin.setRawMode !== 'function') {
    stderr.write('auto-hot-reload: this terminal does not support raw mode; printing lines instead of the TUI\n');
    return FALLBACK_TO_LINES;
  }

  const { config } = engine.store.getState();
  const loadErrors = opts.loadErrors ?? (() => readErrorLog(config.logDir, { limit: 5000 }));
  const closeTimeoutMs = opts.closeTimeoutMs ?? 5000;

  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));
  let tearingDown = false;
  let instance: ReturnType<typeof render> | undefined;

  const tally = followTally(engine.store);
  const teardown = async (code: number, message?: string): Promise<void> => {
    if (tearingDown) return;
    tearingDown = true;
    instance?.unmount(); // leaves raw mode, shows the cursor, writes the last frame
    tally.stop();
    if (message) stderr.write(`${message}\n`);
    // what the run did, in one line under the last frame (Ink leaves the cursor on its last line)
    else stdout.write(`\n${summaryLine(tally.tally(), config.logDir)}\n`);
    await settleWithin(engine.close(), closeTimeoutMs);
    resolveExit(code);
  };

  instance = render(<App store={engine.store} loadErrors={loadErrors} onQuit={() => void teardown(0)} logDir={config.logDir} />, {
    stdin,
    stdout,
    stderr,
    exitOnCtrlC: false, // Ctrl+C is our quit command, so the teardown runs (ink #353)
    maxFps: opts.maxFps ?? 15,
    patchConsole: opts.patchConsole ?? true,
  });

  if (opts.signal?.aborted) void teardown(0);
  else opts.signal?.addEventListener('abort', () => void teardown(0), { once: true });

  // render first: the screen shows "starting…" while the watcher scans and the service answers
  engine.start().catch((err: unknown) => {
    const code = typeof (err as { exitCode?: unknown })?.exitCode === 'number' ? (err as { exitCode: number }).exitCode : 1;
    void teardown(code, `auto-hot-reload: could not start: ${err instanceof Error ? err.message : String(err)}`);
  });

  return exited;
}
