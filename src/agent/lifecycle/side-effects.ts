// What one module instance's code creates and must give back when the instance stops
// being active: timers, process listeners, and listeners it added while loading to
// emitters that outlive it. The module receives its own timer functions and its own view
// of `process` (injected like `require` and `module`), so the owner of a timer or a
// process listener is known without looking at stacks.
//
// Released at once: intervals, and timers set while loading or from the instance's own
// timer callbacks (its background work: a poll loop). A one-shot timer set from anywhere
// else (a request's delay, a retry) is left to fire, so that a request in flight finishes
// on the version it started with; whatever of the instance is still pending `drainMs`
// after the release is cleared then.
import { EventEmitter } from 'node:events';
import { promisify } from 'node:util';
import { SIGNALS } from '../serve/adopt.js';

type Listener = (...args: any[]) => void;
type TimerCallback = (...args: any[]) => void;

// Node's own functions, taken before anything can patch them.
const realSetTimeout = globalThis.setTimeout;
const realSetInterval = globalThis.setInterval;
const realSetImmediate = globalThis.setImmediate;
const realClearTimeout = globalThis.clearTimeout;
const realClearImmediate = globalThis.clearImmediate;
const { addListener, prependListener, once, prependOnceListener, removeListener } = EventEmitter.prototype;

/** The timer functions a module's code sees as its globals. */
export interface ModuleTimers {
  setTimeout: typeof globalThis.setTimeout;
  setInterval: typeof globalThis.setInterval;
  setImmediate: typeof globalThis.setImmediate;
  clearTimeout: typeof globalThis.clearTimeout;
  clearInterval: typeof globalThis.clearInterval;
  clearImmediate: typeof globalThis.clearImmediate;
}

export interface Released {
  /** timers cleared */
  timers: number;
  listeners: number;
  /** one-shot timers left to fire until the drain ends */
  draining: { Timeout: number; Immediate: number };
}

export const DRAIN_MS = 10_000;

/** Process signals whose listeners the agent runs itself on shutdown (serve), kept per instance. */
export const OWN_SIGNALS: ReadonlySet<string | symbol> = new Set(SIGNALS);

/** A signal listener an instance added; `seq` orders listeners across instances as added. */
export interface SignalListener {
  readonly seq: number;
  readonly fn: Listener;
}
let signalSeq = 0;

interface ListenerRecord {
  emitter: EventEmitter;
  event: string | symbol;
  fn: Listener;
}

// Node marks a timer or immediate `_destroyed` once it has fired or been cleared.
const alive = (t: object): boolean => !(t as { _destroyed?: boolean })._destroyed;
const NO_ARGS: unknown[] = [];

/**
 * Foreground one-shot timers (a timeout per request is common) are kept in an array, not a
 * Set: a Set hashes each Timeout, and creating its identity hash costs more than the timer
 * itself (~300 ns a timer). The array drops the finished ones whenever it has doubled, so it
 * holds at most about twice the live ones.
 */
class ForegroundTimers<T extends object> {
  private list: T[] = [];
  private compactAt = 256;

  add(t: T): void {
    this.list.push(t);
    if (this.list.length >= this.compactAt) {
      this.list = this.list.filter(alive);
      this.compactAt = Math.max(256, this.list.length * 2);
    }
  }

  /** The ones still pending. */
  live(): T[] {
    this.list = this.list.filter(alive);
    return this.list;
  }

  /** Forgets them all, returning those still pending. */
  takeAll(): T[] {
    const pending = this.live();
    this.list = [];
    return pending;
  }
}

export class SideEffects {
  // background: cleared at the release; foreground: one-shot timers left to drain
  private readonly timeouts = new Set<NodeJS.Timeout>();
  private readonly immediates = new Set<NodeJS.Immediate>();
  private readonly fgTimeouts = new ForegroundTimers<NodeJS.Timeout>();
  private readonly fgImmediates = new ForegroundTimers<NodeJS.Immediate>();
  private listeners: ListenerRecord[] = [];
  // OWN_SIGNALS listeners, when `ownSignals`: never on the real process, run by the agent
  private readonly signals = new Map<string | symbol, (SignalListener & { listener: Listener })[]>();
  private released = false;
  /** the module's top-level code is running */
  loading = false;
  private inCallback = 0;
  readonly timers: ModuleTimers;
  readonly process: NodeJS.Process;

  constructor(
    private readonly drainMs = DRAIN_MS,
    private readonly ownSignals = false,
  ) {
    this.timers = this.createTimers();
    this.process = this.createProcess();
  }

  /** Records a listener this instance added (to `process`, or to a shared emitter while loading). */
  track(emitter: EventEmitter, event: string | symbol, fn: Listener): void {
    if (this.released) return;
    this.listeners.push({ emitter, event, fn });
  }

  /** This instance's own listeners for a shutdown signal (none once released). */
  signalHandlers(signal: string): SignalListener[] {
    return [...(this.signals.get(signal) ?? [])];
  }

  /**
   * Clears the background timers, removes every recorded listener and leaves foreground
   * one-shot timers to fire until the drain ends; safe to call twice.
   */
  release(): Released {
    const timers = this.clearBackground();
    const draining = { Timeout: this.fgTimeouts.live().length, Immediate: this.fgImmediates.live().length };
    if (!this.released && draining.Timeout + draining.Immediate > 0) {
      realSetTimeout(() => this.clearAll(), this.drainMs).unref();
    }
    let listeners = 0;
    for (const { emitter, event, fn } of this.listeners) {
      const before = emitter.listenerCount(event);
      removeListener.call(emitter, event, fn);
      if (emitter.listenerCount(event) < before) listeners++;
    }
    this.listeners = [];
    for (const list of this.signals.values()) listeners += list.length;
    this.signals.clear();
    this.released = true;
    return { timers, listeners, draining };
  }

  private clearBackground(): number {
    const n = this.timeouts.size + this.immediates.size;
    for (const t of this.timeouts) realClearTimeout(t);
    for (const i of this.immediates) realClearImmediate(i);
    this.timeouts.clear();
    this.immediates.clear();
    return n;
  }

  private clearAll(): void {
    this.clearBackground();
    for (const t of this.fgTimeouts.takeAll()) realClearTimeout(t);
    for (const i of this.fgImmediates.takeAll()) realClearImmediate(i);
  }

  // A timer set while loading or from one of this instance's timer callbacks is its background work.
  private background(): boolean {
    return this.loading || this.inCallback > 0;
  }

  // Runs a timer callback, marking what it sets as background work.
  private fire(cb: TimerCallback, self: unknown, args: unknown[]): unknown {
    this.inCallback++;
    try {
      return cb.apply(self, args);
    } finally {
      this.inCallback--;
    }
  }

  private createTimers(): ModuleTimers {
    const self = this;
    // one-shot timers leave their set when they fire, so a timer per request costs nothing lasting
    // (no rest parameters on the common path: a timer per request is a hot path)
    const setTimeout = function (cb: TimerCallback, ms?: number) {
      if (typeof cb !== 'function' || arguments.length > 2) return setTimeoutWithArgs(cb, ms, ...[...arguments].slice(2));
      if (self.background()) {
        const t = realSetTimeout(function (this: unknown) {
          self.timeouts.delete(t);
          return self.fire(cb, this, NO_ARGS);
        }, ms);
        self.timeouts.add(t);
        return t;
      }
      const t = realSetTimeout(function (this: unknown) {
        return self.fire(cb, this, NO_ARGS);
      }, ms);
      self.fgTimeouts.add(t);
      return t;
    } as typeof globalThis.setTimeout;
    const setTimeoutWithArgs = (cb: TimerCallback, ms: number | undefined, ...args: unknown[]) => {
      if (typeof cb !== 'function') return realSetTimeout(cb, ms, ...args); // Node's own error
      const background = self.background();
      const t = realSetTimeout(function (this: unknown, ...a: unknown[]) {
        if (background) self.timeouts.delete(t);
        return self.fire(cb, this, a);
      }, ms, ...args);
      if (background) self.timeouts.add(t);
      else self.fgTimeouts.add(t);
      return t;
    };
    const setInterval = function (cb: TimerCallback, ms?: number, ...args: unknown[]) {
      if (typeof cb !== 'function') return realSetInterval(cb, ms, ...args);
      const t = realSetInterval(function (this: unknown, ...a: unknown[]) {
        return self.fire(cb, this, a);
      }, ms, ...args);
      if (self.released) realClearTimeout(t); // a replaced instance starts no new background work
      else self.timeouts.add(t);
      return t;
    } as typeof globalThis.setInterval;
    const setImmediate = function (cb: TimerCallback, ...args: unknown[]) {
      if (typeof cb !== 'function') return realSetImmediate(cb, ...args);
      const background = self.background();
      const i = realSetImmediate(function (this: unknown, ...a: unknown[]) {
        if (background) self.immediates.delete(i);
        return self.fire(cb, this, a);
      }, ...args);
      if (background) self.immediates.add(i);
      else self.fgImmediates.add(i);
      return i;
    } as typeof globalThis.setImmediate;
    const clearTimer = (t: NodeJS.Timeout | string | number | undefined) => {
      // a foreground timer needs no bookkeeping: cleared, it is finished (`_destroyed`)
      if (t && typeof t === 'object') self.timeouts.delete(t);
      realClearTimeout(t);
    };
    const clearImmediate = (i: NodeJS.Immediate | undefined) => {
      if (i) self.immediates.delete(i);
      realClearImmediate(i);
    };
    // util.promisify(setTimeout) keeps working (the promise form is not tracked)
    copyCustom(setTimeout, realSetTimeout);
    copyCustom(setImmediate, realSetImmediate);
    return {
      setTimeout,
      setInterval,
      setImmediate,
      clearTimeout: clearTimer as typeof globalThis.clearTimeout,
      clearInterval: clearTimer as typeof globalThis.clearInterval,
      clearImmediate: clearImmediate as typeof globalThis.clearImmediate,
    };
  }

  // `process` as the module sees it: the real one, but the listeners it adds are its own.
  private createProcess(): NodeJS.Process {
    const track = (event: string | symbol, fn: Listener) => this.track(process, event, fn);
    const adding =
      (method: (this: EventEmitter, e: string | symbol, fn: Listener) => EventEmitter, onlyOnce: boolean, first: boolean) =>
      (event: string | symbol, fn: Listener) => {
        if (this.ownSignals && OWN_SIGNALS.has(event) && typeof fn === 'function') {
          this.addSignal(event, fn, onlyOnce, first);
          return view;
        }
        method.call(process, event, fn);
        if (typeof fn === 'function') track(event, fn);
        return view;
      };
    const removing = (event: string | symbol, fn: Listener) => {
      const list = this.signals.get(event);
      const i = list?.findIndex((h) => h.listener === fn) ?? -1;
      if (list && i >= 0) list.splice(i, 1);
      else removeListener.call(process, event, fn);
      return view;
    };
    const overrides: Record<PropertyKey, unknown> = {
      on: adding(addListener, false, false),
      addListener: adding(addListener, false, false),
      prependListener: adding(prependListener, false, true),
      once: adding(once, true, false),
      prependOnceListener: adding(prependOnceListener, true, true),
      ...(this.ownSignals ? { off: removing, removeListener: removing } : {}),
    };
    const view: NodeJS.Process = new Proxy(process, {
      get: (target, key) => (Object.hasOwn(overrides, key) ? overrides[key] : Reflect.get(target, key)),
      set: (target, key, value) => Reflect.set(target, key, value),
    });
    return view;
  }

  private addSignal(event: string | symbol, listener: Listener, onlyOnce: boolean, first: boolean): void {
    if (this.released) return;
    const list = this.signals.get(event) ?? [];
    const entry = {
      seq: first ? -++signalSeq : ++signalSeq,
      listener,
      fn: onlyOnce
        ? (...args: unknown[]) => {
            const i = list.indexOf(entry);
            if (i >= 0) list.splice(i, 1);
            return listener(...args);
          }
        : listener,
    };
    if (first) list.unshift(entry);
    else list.push(entry);
    this.signals.set(event, list);
  }
}

function copyCustom(to: object, from: object): void {
  const custom = (from as Record<symbol, unknown>)[promisify.custom];
  if (custom) Object.defineProperty(to, promisify.custom, { value: custom });
}
