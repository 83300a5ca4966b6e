// The client's watch mode (TUI or lines) against a service the CLI runs itself (`demo`,
// `dev`): the service's output goes to the store (the TUI's service view) and, without the
// TUI, beside the lines; a service that dies is a warning, not a crash; quitting — `q`,
// Ctrl+C, SIGTERM, or the terminal closing (SIGHUP) — stops it.
import { createEngine } from '../engine/engine.js';
import { addWarning } from '../engine/store.js';
import type { Config } from '../types.js';
import { visible, visibleLine } from '../protocol/visible.js';
import { runCli, type CliEngine, type CliIo } from './main.js';
import { captureServiceOutput } from './service-output.js';
import type { ServiceProcess } from './service-process.js';

export interface WithServiceOptions {
  /** `--watch …` arguments for the client */
  cliArgs: string[];
  io: CliIo;
  interactive: boolean;
  /** "the demo service", "the service" */
  name: string;
  /** what to run to start it again */
  restart: string;
  /** `demo`, `dev`: messages start with `auto-hot-reload COMMAND:` */
  command: string;
}

export async function watchWithService(service: ServiceProcess, opts: WithServiceOptions): Promise<{ code: number; died: boolean }> {
  const err = (l: string) => process.stderr.write(`${l}\n`);
  let shuttingDown = false;
  let engine: CliEngine | undefined;
  let stopCapture = () => {};
  const unsubscribe = service.onLine((line) => {
    // beside the line output; kept back while the TUI owns the screen
    if (!opts.interactive && !shuttingDown && line.trim()) process.stderr.write(`service │ ${visibleLine(line)}\n`);
  });
  let died = false;
  service.child.once('close', (code, signal) => {
    if (shuttingDown) return;
    died = true;
    // shown, not a crash: the engine's polling turns the target red; this says why
    const why = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    if (engine) addWarning(engine.store, `${opts.name} (pid ${service.pid}) ${why}; restart with ${opts.restart}`);
    else err(`auto-hot-reload ${opts.command}: ${opts.name} ${why}`);
  });
  let code: number;
  try {
    code = await runCli(opts.cliArgs, {
      ...opts.io,
      createEngine: (config: Config) => {
        engine = createEngine(config) as CliEngine;
        // the TUI's service-output view and the error log's entries show what it wrote
        stopCapture = captureServiceOutput(service.child, engine.store, { seed: service.tail() });
        return engine;
      },
    });
  } finally {
    shuttingDown = true;
    unsubscribe();
    stopCapture();
    await service.stop();
  }
  if (died) err(`auto-hot-reload ${opts.command}: ${opts.name} had stopped; its last output:\n${visible(service.tail().slice(-20).join('\n'))}`);
  return { code, died };
}

/**
 * The shared start of `demo` and `dev`: their arguments parsed, or usage printed. Undefined
 * when there is nothing more to do (help shown, or a usage error: exit code 2 set).
 */
export function parseSubcommandArgs<T>(command: string, argv: string[], parse: (argv: string[]) => T | 'help', usage: string): T | undefined {
  let args: T | 'help';
  try {
    args = parse(argv);
  } catch (e) {
    process.stderr.write(`auto-hot-reload ${command}: ${(e as Error).message}\n${usage}\n`);
    process.exitCode = 2;
    return undefined;
  }
  if (args === 'help') {
    process.stdout.write(`${usage}\n`);
    return undefined;
  }
  return args;
}
