// Throughput comparisons on a small machine: the server under test on its own core and
// the load generator (this process) on another, so that they never take turns on one
// core; that turn-taking spread single runs by ±10 % and more. Linux with taskset only;
// elsewhere, or on one core, nothing is pinned and the runs say so.
import { spawnSync } from 'node:child_process';
import os from 'node:os';

const cores = os.availableParallelism();
export const pinning = cores >= 2 && spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;
export const SERVER_CPU = 1;
export const LOAD_CPU = 0;

/** [cmd, args] that run `cmd` on core `cpu` (taskset execs it: same pid). */
export function pinned(cmd, args, cpu = SERVER_CPU) {
  return pinning ? ['taskset', ['-c', String(cpu), cmd, ...args]] : [cmd, args];
}

/** Runs `fn` with this process (every thread) on core `cpu`, then gives it all cores back. */
export async function whilePinned(fn, cpu = LOAD_CPU) {
  if (!pinning) return fn();
  const set = (list) => spawnSync('taskset', ['-a', '-cp', list, String(process.pid)], { stdio: 'ignore' });
  set(String(cpu));
  try {
    return await fn();
  } finally {
    set(`0-${cores - 1}`);
  }
}

export const pinNote = pinning
  ? `server pinned to core ${SERVER_CPU}, load generator to core ${LOAD_CPU} (taskset)`
  : 'not pinned (needs Linux taskset and 2 cores)';

/** Moves a running process (every thread) to core `cpu`. */
export function pinProcess(pid, cpu = SERVER_CPU) {
  if (pinning) spawnSync('taskset', ['-a', '-cp', String(cpu), String(pid)], { stdio: 'ignore' });
}
