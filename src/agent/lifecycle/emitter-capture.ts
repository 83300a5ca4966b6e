// Listeners a module adds to emitters that outlive it while it loads (a shared bus in a
// module that is not reloaded, a package's emitter, `process` reached without the injected
// view): while a module's top-level code runs, EventEmitter's adding methods are wrapped
// and a listener is recorded on that module's SideEffects when the code that added it is
// the app's own (a local module), not a package's internals, and the emitter was not
// created by this same instance's top-level code: what a module builds while it loads (a
// pool that hot.data then keeps) keeps the listeners it was built with.
import { EventEmitter } from 'node:events';
import type { SideEffects } from './side-effects.js';

type Adder = (this: EventEmitter, event: string | symbol, fn: (...a: any[]) => void) => EventEmitter;
const METHODS = ['on', 'addListener', 'prependListener', 'once', 'prependOnceListener'] as const;
const proto = EventEmitter.prototype as unknown as Record<(typeof METHODS)[number], Adder>;
const originals = Object.fromEntries(METHODS.map((m) => [m, proto[m]])) as Record<(typeof METHODS)[number], Adder>;

const originalInit = (EventEmitter as unknown as { init: (this: EventEmitter, ...a: unknown[]) => void }).init;
const owners: SideEffects[] = [];
// the module instance whose top-level code created an emitter (EventEmitter.init runs in every constructor)
const bornIn = new WeakMap<object, SideEffects>();
let isLocal: (file: string) => boolean = () => false;
let inside = false; // once() calls on() itself: record the outer call only

/** Starts recording for `owner` until the matching leave(); nests with require(). */
export function enter(owner: SideEffects, localFile: (file: string) => boolean): void {
  if (owners.length === 0) install();
  isLocal = localFile;
  owners.push(owner);
}

export function leave(): void {
  owners.pop();
  if (owners.length === 0) uninstall();
}

/** After an interrupted load (its finally blocks never ran): stop recording entirely. */
export function reset(): void {
  owners.length = 0;
  inside = false;
  uninstall();
}

function install(): void {
  (EventEmitter as unknown as { init: unknown }).init = function (this: EventEmitter, ...args: unknown[]) {
    const owner = owners[owners.length - 1];
    if (owner) bornIn.set(this, owner);
    return originalInit.apply(this, args);
  };
  for (const m of METHODS) {
    const original = originals[m];
    const wrapper: Adder = function (this: EventEmitter, event, fn) {
      const owner = owners[owners.length - 1];
      if (!owner || inside || typeof fn !== 'function' || bornIn.get(this) === owner) return original.call(this, event, fn);
      inside = true;
      try {
        const result = original.call(this, event, fn);
        if (callerIsLocal(wrapper)) owner.track(this, event, fn);
        return result;
      } finally {
        inside = false;
      }
    };
    proto[m] = wrapper;
  }
}

function uninstall(): void {
  for (const m of METHODS) proto[m] = originals[m];
  (EventEmitter as unknown as { init: unknown }).init = originalInit;
}

// The first frame below the wrapped method: the code that called emitter.on().
function callerIsLocal(wrapped: Function): boolean {
  const holder: { stack?: NodeJS.CallSite[] } = {};
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  Error.prepareStackTrace = (_e, frames) => frames;
  Error.stackTraceLimit = 4;
  try {
    Error.captureStackTrace(holder, wrapped);
    const frames = holder.stack ?? [];
    for (const frame of frames) {
      const file = frame.getFileName();
      if (!file || file.startsWith('node:')) continue; // Node's own helpers (once, pipe)
      return isLocal(file);
    }
    return false;
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
}
