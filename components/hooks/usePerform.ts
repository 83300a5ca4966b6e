// Runs what a key asked for (the UI reducer's effect): one of the store's actions, whose
// answer becomes the notice; loading the error log; pause/resume; quit. No logic of its own.
import { useCallback } from 'react';
import type { StoreApi } from 'zustand/vanilla';
import type { EngineStore, RunResult } from '../../src/types.js';
import { errorNotice, nothingToRollBackNotice, resultNotice } from '../view/notice.js';
import { rollbackPlan } from '../view/rollbackPlan.js';
import type { UiEffect } from '../view/ui.js';
import type { SetNotice } from './useNotice.js';

export function usePerform(
  store: StoreApi<EngineStore>,
  setNotice: SetNotice,
  loadErrors: () => void,
  onQuit: (() => void) | undefined,
): (effect: UiEffect) => void {
  return useCallback(
    (effect: UiEffect) => {
      const actions = store.getState().actions;
      const report = (p: Promise<RunResult>): void => {
        p.then(
          (r) => setNotice(resultNotice(r)),
          (err: unknown) => setNotice(errorNotice(err)),
        );
      };
      switch (effect) {
        case 'trigger':
          return report(actions.trigger({ reason: 'manual' }));
        case 'verify':
          return report(actions.verify());
        case 'rollback':
          return report(actions.rollback());
        case 'nothing-to-roll-back':
          return setNotice(nothingToRollBackNotice(rollbackPlan(store.getState().targets[0]?.service)));
        case 'toggle-pause':
          // read the live store, not the throttled mirror: a fast double p must toggle twice
          return store.getState().watch.paused ? actions.resume() : actions.pause();
        case 'load-errors':
          return loadErrors();
        case 'quit':
          return onQuit?.();
      }
    },
    [store, setNotice, loadErrors, onQuit],
  );
}
