// Watch mode's polled statuses: a fresh one is the next trigger's baseline (no GET before the
// reload: one round trip less of save-to-serve). Fresh = polled after the last run on that
// target ended and younger than the poll interval; a fleet checks every target anyway.
import type { StoreApi } from 'zustand/vanilla';
import type { Status } from '../protocol/wire.js';
import type { Config, EngineStore } from '../types.js';

export interface PolledStatuses {
  /** a status a poll read, with the time its request was sent */
  note(index: number, status: Status, at: number): void;
  /** a run ended at this wall time: statuses polled before may predate what it changed */
  runEnded(at: number): void;
  /** the target's polled status if still fresh, else undefined */
  fresh(index: number): Status | undefined;
}

export function createPolledStatuses(opts: { config: Config; store: StoreApi<EngineStore>; clock: () => number; pollMs: number }): PolledStatuses {
  const { config, store, clock, pollMs } = opts;
  const polled: ({ status: Status; at: number } | undefined)[] = config.targets.map(() => undefined);
  let lastRunEnded = -Infinity;
  return {
    note: (i, status, at) => {
      polled[i] = { status, at };
    },
    runEnded: (at) => {
      lastRunEnded = at;
    },
    fresh: (i) => {
      const p = polled[i];
      const t = store.getState().targets[i];
      if (config.targets.length > 1 || !p || t?.connection.state !== 'connected') return undefined;
      if (p.at < lastRunEnded || clock() - p.at >= pollMs || p.status.state === 'reloading') return undefined;
      return p.status;
    },
  };
}
