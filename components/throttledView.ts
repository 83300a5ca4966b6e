// A throttled mirror of the engine's store. A `git checkout` of thousands of files makes
// the engine update its store thousands of times; React would re-render for each (ink
// #212). The TUI reads this mirror instead: the first change shows at once, changes
// inside the interval collapse into one trailing update.
import { createStore, type StoreApi } from 'zustand/vanilla';

export interface ThrottledView<T> {
  view: StoreApi<T>;
  /** stop following the source and drop a pending update (safe to call twice) */
  dispose(): void;
}

export function createThrottledView<T>(source: StoreApi<T>, intervalMs: number, now: () => number = Date.now): ThrottledView<T> {
  const view = createStore<T>()(() => source.getState());
  let lastFlush = -Infinity;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const flush = (): void => {
    timer = undefined;
    lastFlush = now();
    view.setState(source.getState(), true);
  };

  const unsubscribe = source.subscribe(() => {
    if (timer !== undefined) return; // a trailing update is already due
    const wait = lastFlush + intervalMs - now();
    if (wait <= 0 || intervalMs <= 0) flush();
    else timer = setTimeout(flush, wait);
  });

  return {
    view,
    dispose() {
      unsubscribe();
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
