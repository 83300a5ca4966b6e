// A real terminal to drive and read: a detached tmux session on a private socket (`-L`,
// unique per session, so the user's tmux is never touched), no user config
// (`-f /dev/null`) and a fixed size. A tiny sh wrapper writes the command's exit status
// to a file and then keeps the pane open, so the last screen and the terminal state the
// command left can be read (tmux 3.3 sometimes leaves #{pane_dead_status} empty, and a
// dead pane's cursor state is tmux's, not the program's). Every call and wait is bounded.
// Used by `npm run screenshots` and, through test/helpers/tmux.ts, by the e2e tests.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const CALL_TIMEOUT_MS = 5_000;

/** @param {string} socket @param {string[]} args @param {NodeJS.ProcessEnv} [env] @returns {Promise<string>} */
function tmux(socket, args, env) {
  return new Promise((resolve, reject) => {
    execFile('tmux', ['-L', socket, '-f', '/dev/null', ...args], { timeout: CALL_TIMEOUT_MS, env: env ?? process.env }, (err, stdout, stderr) => {
      if (err) reject(new Error(`tmux ${args[0]} failed: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

/** POSIX shell quoting for one argument. @param {string} arg */
export function shellQuote(arg) {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs argv in a new detached tmux session.
 * @param {string[]} argv
 * @param {import('./tmux.js').StartTmuxOptions} opts
 * @returns {Promise<import('./tmux.js').TmuxSession>}
 */
export async function startTmux(argv, opts) {
  const socket = `ahr-tmux-${process.pid}-${randomBytes(4).toString('hex')}`;
  const name = 'main';
  const env = { ...(opts.env ?? process.env), TERM: 'xterm-256color' };
  // CI=true makes the CLI print lines instead of the TUI; TMUX would nest sessions
  delete env.CI;
  delete env.TMUX;
  const scratch = mkdtempSync(path.join(tmpdir(), 'ahr-tmux-'));
  const statusFile = path.join(scratch, 'status');
  // after the command, the shell waits on the pty so the screen (and the cursor state the
  // command left) stays as it was; killing the server hangs it up
  const wrapped = ['sh', '-c', '"$@"; printf %s "$?" > "$0"; read -r _', statusFile, ...argv];
  await tmux(
    socket,
    [
      'new-session', '-d', '-s', name, '-x', String(opts.cols ?? 80), '-y', String(opts.rows ?? 24), '-c', opts.cwd, wrapped.map(shellQuote).join(' '),
      ';', 'set-option', '-g', 'remain-on-exit', 'on',
      ';', 'set-option', '-g', 'status', 'off',
    ],
    env,
  );
  let killed = false;

  /** @type {import('./tmux.js').TmuxSession} */
  const session = {
    socket,
    name,
    capture: (o = {}) => tmux(socket, ['capture-pane', '-p', ...(o.ansi ? ['-e'] : []), '-t', name]),
    async sendKeys(...keys) {
      for (const k of keys) await tmux(socket, ['send-keys', '-t', name, k]);
    },
    async waitFor(test, timeoutMs = 15_000, what) {
      const ok = typeof test === 'function' ? test : (/** @type {string} */ s) => test.test(s);
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
      let text;
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
          const screen = await session.capture().catch((e) => e.message);
          throw new Error(`the pane's command did not exit within ${timeoutMs} ms; the screen was:\n${screen}`);
        }
        await sleep(50);
      }
    },
    async display(format) {
      return (await tmux(socket, ['display-message', '-p', '-t', name, format])).replace(/\n$/, '');
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
