// Loading a version cannot take the service down: process.exit() called while a version
// loads or runs its checks is refused (it throws where it was called, and the load fails
// even if the app caught that), and synchronous top-level code that runs past a bound is
// interrupted by V8 (a vm script's timeout) instead of hanging the process.
import { randomUUID } from 'node:crypto';
import { Script } from 'node:vm';

/** process.exit() called while a version loaded or ran its checks. */
export class ExitRefused extends Error {
  override readonly name = 'ExitRefused';
  constructor(code: unknown) {
    super(`process.exit(${code === undefined ? '' : String(code)}) called while a new version loaded; refused, the service keeps running`);
  }
}

/** Synchronous top-level code ran longer than the bound and was interrupted. */
export class LoadTimeout extends Error {
  override readonly name = 'LoadTimeout';
  constructor(ms: number) {
    super(`top-level code ran longer than ${ms} ms (an endless loop?) and was interrupted`);
    // raised by the agent, not by the app's code: no frame of it is the user's
    this.stack = `${this.name}: ${this.message}`;
  }
}

const realExit = process.exit;
const guards = new Set<ExitRefused[]>();

function refusedExit(code?: unknown): never {
  const err = new ExitRefused(code);
  for (const attempts of guards) attempts.push(err);
  throw err;
}

/**
 * Refuses process.exit() until the returned function is called; that function gives the
 * first refused attempt, if any.
 */
export function guardExit(): () => ExitRefused | undefined {
  const attempts: ExitRefused[] = [];
  guards.add(attempts);
  process.exit = refusedExit;
  return () => {
    guards.delete(attempts);
    if (guards.size === 0) process.exit = realExit;
    return attempts[0];
  };
}

// A fixed script that calls a function kept on globalThis: the timeout of a vm script
// covers everything that runs synchronously inside it, the called function included.
// The global is set once: adding and deleting a global property per load would change
// the global object's shape, which costs the app's optimized code. Its key is this copy's
// own: two copies of the package in one process (a monorepo's) must not collide.
let bounded: (() => void) | null = null;
const key = `auto-hot-reload.bounded.${randomUUID()}`;
Object.defineProperty(globalThis, Symbol.for(key), { value: () => bounded?.() });
const caller = new Script(`globalThis[Symbol.for(${JSON.stringify(key)})]()`, { filename: 'auto-hot-reload:bounded' });

/** Runs `fn` synchronously; throws LoadTimeout when it runs longer than `ms`. */
export function runBounded<T>(fn: () => T, ms: number): T {
  if (bounded) return fn(); // already inside a bounded run: its bound applies
  let result: T | undefined;
  bounded = () => {
    result = fn();
  };
  try {
    caller.runInThisContext({ timeout: ms, displayErrors: false }); // no Node decoration of the app's error
  } catch (err) {
    if ((err as NodeJS.ErrnoException)?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw new LoadTimeout(ms);
    throw err;
  } finally {
    bounded = null;
  }
  return result as T;
}
