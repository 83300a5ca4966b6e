// `import.meta.hot` / `module.hot`: what a module says about its own reloads, in the subset
// users know from Vite and dynohot. `data` is one object per module file, shared by all its
// instances (as Vite's): what an instance stores there, at load or in dispose, the next one
// finds. Dispose callbacks run when the instance stops being active, which is after its
// replacement loaded and passed its checks, so keep what must survive in `data` as you
// create it: `hot.data.pool ??= createPool()`.
export type HotData = Record<string, any>;
export type DisposeCallback = (data: HotData) => void | Promise<void>;

/** What a module sees as `import.meta.hot` / `module.hot`. */
export interface Hot {
  /** shared by this module's instances: `{}` on the first load */
  readonly data: HotData;
  /** `cb(data)` runs when this instance stops being active */
  dispose(cb: DisposeCallback): void;
  /** a change to this module is refused: the service must restart to take it */
  decline(): void;
  /** the next reload re-evaluates this module even if its file did not change */
  invalidate(): void;
  /** accepted for compatibility (Vite); every local module is reloadable */
  accept(): void;
}

export class HotContext implements Hot {
  private readonly disposers: DisposeCallback[] = [];
  declined = false;
  invalidated = false;

  constructor(readonly data: HotData) {}

  /** `cb(data)` runs when this instance is replaced, rolled back or its load fails. */
  dispose(cb: DisposeCallback): void {
    if (typeof cb !== 'function') throw new TypeError(`hot.dispose() expects a function, got ${typeof cb}`);
    this.disposers.push(cb);
  }

  /** A change to this module is refused (the service must restart to take it). */
  decline(): void {
    this.declined = true;
  }

  /** The next reload re-evaluates this module (and its importers) even if its file did not change. */
  invalidate(): void {
    this.invalidated = true;
  }

  /** Accepted for compatibility: every local module is reloadable here. */
  accept(): void {}

  get disposeCount(): number {
    return this.disposers.length;
  }

  /** Runs the dispose callbacks once, in order; a throw is reported, never propagated. */
  runDispose(report: (err: unknown) => void): number {
    const list = this.disposers.splice(0);
    for (const cb of list) {
      try {
        const r = cb(this.data);
        if (r && typeof (r as Promise<void>).catch === 'function') (r as Promise<void>).catch(report);
      } catch (err) {
        report(err);
      }
    }
    return list.length;
  }
}
