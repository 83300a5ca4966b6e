/**
 * A real terminal for end-to-end tests and screenshots: a detached tmux session on a
 * private socket (`-L`, unique per session, so the user's tmux is never touched), no
 * user config (`-f /dev/null`), a fixed size, and a pane that stays after its command
 * exits (remain-on-exit) so a test can read the last screen. The exit status is written
 * to a file by a tiny sh wrapper: tmux 3.3 sometimes leaves #{pane_dead_status} empty
 * when the pty closes before it reaps the child.
 * Every tmux call and every wait is bounded.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const CALL_TIMEOUT_MS = 5_000;

function tmux(socket: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('tmux', ['-L', socket, '-f', '/dev/null', ...args], { timeout: CALL_TIMEOUT_MS, env: env ?? process.env }, (err, stdout, stderr) => {
      if (err) reject(new Error(`tmux ${args[0]} failed: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

/** POSIX shell quoting for one argument */
export function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

export interface PaneState {
  /** the command has exited */
  exited: boolean;
  /** its exit status once exited (128+N when signal N ended it, as sh reports) */
  status: number | null;
}

export interface TmuxSession {
  readonly socket: string;
  readonly name: string;
  /** the visible screen; `ansi` keeps colours and attributes as SGR sequences */
  capture(opts?: { ansi?: boolean }): Promise<string>;
  /** tmux key names: 'q', 't', 'Enter', 'Escape', 'Up', 'C-c', … (each one key press) */
  sendKeys(...keys: string[]): Promise<void>;
  /** polls the screen until `test` matches; throws with the last screen after `timeoutMs` */
  waitFor(test: RegExp | ((screen: string) => boolean), timeoutMs?: number, what?: string): Promise<string>;
  pane(): Promise<PaneState>;
  /** waits (bounded) until the command in the pane has exited */
  waitForExit(timeoutMs?: number): Promise<PaneState>;
  resize(cols: number, rows: number): Promise<void>;
  /** kills the session's tmux server (and with it the pane's process); safe to call twice */
  kill(): Promise<void>;
}

export interface StartTmuxOptions {
  cols?: number;
  rows?: number;
  cwd: string;
  /** the pane's environment (default: this process's, without CI so a TUI may start) */
  env?: NodeJS.ProcessEnv;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startTmux(argv: string[], opts: StartTmuxOptions): Promise<TmuxSession> {
  const socket = `ahr-test-${process.pid}-${randomBytes(4).toString('hex')}`;
  const name = 'main';
  const env: NodeJS.ProcessEnv = { ...(opts.env ?? process.env), TERM: 'xterm-256color' };
  // CI=true makes the CLI print lines instead of the TUI; TMUX would nest sessions
  delete env.CI;
  delete env.TMUX;
  const scratch = mkdtempSync(path.join(tmpdir(), 'ahr-tmux-'));
  const statusFile = path.join(scratch, 'status');
  const wrapped = ['sh', '-c', '"$@"; s=$?; printf %s "$s" > "$0"; exit "$s"', statusFile, ...argv];
  const command = wrapped.map(shellQuote).join(' ');
  await tmux(
    socket,
    [
      'new-session', '-d', '-s', name, '-x', String(opts.cols ?? 80), '-y', String(opts.rows ?? 24), '-c', opts.cwd, command,
      ';', 'set-option', '-g', 'remain-on-exit', 'on',
      ';', 'set-option', '-g', 'status', 'off',
    ],
    env,
  );
  let killed = false;

  const session: TmuxSession = {
    socket,
    name,
    capture: (o = {}) => tmux(socket, ['capture-pane', '-p', ...(o.ansi ? ['-e'] : []), '-t', name]),
    async sendKeys(...keys) {
      for (const k of keys) await tmux(socket, ['send-keys', '-t', name, k]);
    },
    async waitFor(test, timeoutMs = 15_000, what) {
      const ok = typeof test === 'function' ? test : (s: string) => test.test(s);
      const deadline = Date.now() + timeoutMs;
      let screen = '';
      for (;;) {
        screen = await session.capture();
        if (ok(screen)) return screen;
        if (Date.now() > deadline) break;
        await sleep(50);
      }
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what ?? String(test)}; the screen was:\n${screen}`);
    },
    async pane() {
      let text: string;
      try {
        text = readFileSync(statusFile, 'utf8');
      } catch {
        return { exited: false, status: null };
      }
      return { exited: true, status: text === '' ? null : Number(text) };
    },
    async waitForExit(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const p = await session.pane();
        if (p.exited) return p;
        if (Date.now() > deadline) {
          const screen = await session.capture().catch((e: Error) => e.message);
          throw new Error(`the pane's command did not exit within ${timeoutMs} ms; the screen was:\n${screen}`);
        }
        await sleep(50);
      }
    },
    async resize(cols, rows) {
      await tmux(socket, ['resize-window', '-t', name, '-x', String(cols), '-y', String(rows)]);
    },
    async kill() {
      if (killed) return;
      killed = true;
      await tmux(socket, ['kill-server']).catch(() => undefined);
      rmSync(scratch, { recursive: true, force: true });
    },
  };
  return session;
}
