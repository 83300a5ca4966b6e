// Child processes for the tools under test. Each child leads its own process group so
// that a restart tool's grandchildren (node --watch, nodemon, tsx all fork the service)
// die with it.
import { spawn } from 'node:child_process';
import { trackGroup, untrackGroup } from './cleanup.js';

/**
 * Spawn a command in its own process group; stdout is split into lines and offered to
 * `onLine` listeners with the arrival time (performance.now()).
 */
export function startProcess(cmd, args, { cwd, env, label = cmd } = {}) {
  const child = spawn(cmd, args, {
    cwd,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackGroup(child.pid);
  const listeners = new Set();
  const lines = [];
  let stderr = '';
  let buf = '';
  let exited = null;
  const exitWaiters = new Set();
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    const at = performance.now();
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (lines.length < 5000) lines.push(line);
      for (const fn of listeners) fn(line, at);
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    if (stderr.length < 20000) stderr += chunk;
  });
  child.on('exit', (code, signal) => {
    exited = { code, signal };
    untrackGroup(child.pid);
    for (const fn of exitWaiters) fn(exited);
  });

  const proc = {
    child,
    label,
    get pid() {
      return child.pid;
    },
    get exited() {
      return exited;
    },
    get stderr() {
      return stderr;
    },
    lines,
    onLine(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    /** Resolve with the first stdout line matching `re` (a RegExp or a predicate), bounded by `timeoutMs`. */
    waitForLine(re, timeoutMs, what = String(re)) {
      return new Promise((resolve, reject) => {
        const done = (fn) => {
          clearTimeout(timer);
          off();
          exitWaiters.delete(onExit);
          fn();
        };
        const off = proc.onLine((line, at) => {
          const m = typeof re === 'function' ? re(line) : line.match(re);
          if (m) done(() => resolve({ line, match: m, at }));
        });
        const onExit = (e) =>
          done(() => reject(new Error(`${label} exited (${e.code ?? e.signal}) before ${what}\n${tail(stderr)}`)));
        exitWaiters.add(onExit);
        const timer = setTimeout(
          () => done(() => reject(new Error(`${label}: no ${what} within ${timeoutMs} ms\n${tail(stderr)}`))),
          timeoutMs,
        );
        if (exited) onExit(exited);
      });
    },
    /** SIGTERM the whole group, SIGKILL after `graceMs`; resolves when the leader is gone. */
    async stop(graceMs = 2000) {
      if (exited) return exited;
      const gone = new Promise((resolve) => exitWaiters.add(resolve));
      signalGroup(child.pid, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), graceMs);
      const hard = new Promise((resolve) => setTimeout(resolve, graceMs + 2000));
      await Promise.race([gone, hard]);
      clearTimeout(timer);
      // grandchildren that ignored SIGTERM
      signalGroup(child.pid, 'SIGKILL');
      untrackGroup(child.pid);
      return exited;
    },
  };
  return proc;
}

function signalGroup(pid, sig) {
  try {
    process.kill(-pid, sig);
  } catch {
    /* group already gone */
  }
}

export function tail(text, n = 1500) {
  return text.length > n ? '…' + text.slice(-n) : text;
}
