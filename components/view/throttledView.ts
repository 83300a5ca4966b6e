// A throttled mirror of the engine's store. A `git checkout` of thousands of files makes
// the engine update its store thousands of times; React would re-render for each (ink
// #212). The TUI reads this mirror instead: the first change after a quiet interval shows
// `leadMs` later, changes inside the interval collapse into one trailing update.
//
// Why a lead: a redraw holds the event loop for several ms. A saved file updates the store
// at once, and the engine's reload fires a few ms later (the quiet window); redrawing at
// once would make the save wait for the screen. With the lead, the reload request is on
// its way before the screen is drawn.
import { createStore, type StoreApi } from 'zustand/vanilla';

export interface ThrottledView<T> {
  view: StoreApi<T>;
  /** stop following the source and drop a pending update (safe to call twice) */
  dispose(): void;
}

export function createThrottledView<T>(source: StoreApi<T>, intervalMs: number, now: () => number = Date.now, leadMs = 0): ThrottledView<T> {
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
    const wait = Math.max(leadMs, intervalMs > 0 ? lastFlush + intervalMs - now() : 0);
    if (wait <= 0) flush();
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
