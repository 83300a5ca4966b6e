// A service run as a child of the CLI (`dev`, `demo`): `auto-hot-reload serve …` in its own
// process group, its output kept in a bounded ring of lines (for the TUI and for the
// message when it dies), stopped with SIGTERM then SIGKILL. It never outlives the CLI: the
// child holds an IPC channel to us and stops itself when that channel closes (the CLI was
// killed, even by SIGKILL), and the CLI stops it on exit.
import { spawn, type ChildProcess } from 'node:child_process';

export const SERVING = /^auto-hot-reload agent: serving .+ on (https?:\/\/\S+):(\d+) \(pid (\d+)\)$/m;

export interface ServiceOptions {
  /** node arguments: the CLI's bin and `serve FILE …` */
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** bound on the wait for the "serving" line */
  readyTimeoutMs: number;
  /** lines kept (default 200) */
  ringLines?: number;
  stopGraceMs?: number;
}

export interface ServiceProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** the last lines of its stdout and stderr, oldest first */
  tail(): string[];
  /** called with each complete line of output from now on; returns the unsubscriber */
  onLine(fn: (line: string) => void): () => void;
  /** SIGTERM, SIGKILL after the grace; resolves when it is gone; safe to call twice */
  stop(): Promise<void>;
}

export type StartOutcome = { service: ServiceProcess } | { exited: string; output: string } | { timeout: string };

/** A bounded ring of output lines, fed with chunks. */
export class LineRing {
  private lines: string[] = [];
  private partial = '';
  constructor(private readonly max: number) {}

  /** Adds a chunk; returns the lines it completed. */
  push(chunk: string): string[] {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    const done = parts.map((l) => l.replace(/\r$/, ''));
    this.lines.push(...done);
    if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
    return done;
  }

  all(): string[] {
    return this.partial ? [...this.lines, this.partial] : [...this.lines];
  }
}

export function startService(opts: ServiceOptions): Promise<StartOutcome> {
  const child = spawn(process.execPath, opts.args, {
    cwd: opts.cwd,
    env: opts.env,
    // the IPC channel: `serve` stops itself when it closes (see src/agent/serve/serve.ts)
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    // its own process group: a Ctrl+C in the terminal reaches us, and we stop it in order
    detached: true,
  });
  // the channel must not keep the CLI alive
  child.unref();
  (child.channel as { unref?: () => void } | undefined)?.unref?.();
  const ring = new LineRing(opts.ringLines ?? 200);
  const listeners = new Set<(line: string) => void>();
  const collect = (d: Buffer) => {
    for (const line of ring.push(d.toString())) for (const fn of listeners) fn(line);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), opts.stopGraceMs ?? 3000);
        await exited;
        clearTimeout(timer);
      }
      process.off('exit', killOnExit);
    })());

  return new Promise<StartOutcome>((resolve) => {
    let text = '';
    const done = (o: StartOutcome) => {
      clearTimeout(timer);
      child.stdout!.off('data', watchReady);
      child.off('close', onClose);
      resolve(o);
    };
    const watchReady = (d: Buffer) => {
      text += d.toString();
      const m = SERVING.exec(text);
      if (!m) return;
      const service: ServiceProcess = {
        url: `${m[1]}:${m[2]}`,
        pid: Number(m[3]),
        child,
        tail: () => ring.all(),
        onLine: (fn) => {
          listeners.add(fn);
          return () => listeners.delete(fn);
        },
        stop,
      };
      done({ service });
    };
    const onClose = (code: number | null, signal: NodeJS.Signals | null) => {
      process.off('exit', killOnExit);
      done({ exited: signal ?? `exit code ${code}`, output: ring.all().join('\n').trim() });
    };
    const timer = setTimeout(() => {
      void stop();
      done({ timeout: `did not say it was serving within ${opts.readyTimeoutMs / 1000} s; stopped it` });
    }, opts.readyTimeoutMs);
    child.stdout!.on('data', watchReady);
    child.once('close', onClose);
  });
}
