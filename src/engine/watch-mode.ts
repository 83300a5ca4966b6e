// Watch mode: the watcher's changes into the reload queue, the CPU load into the scheduler,
// status polling in the background — and catching up after a client restart: a client killed
// in its cooldown lost its pending changes; one killed mid-reload left a version nobody
// verified. The first status of each target settles both: the files the service reports stale
// (content on disk ≠ what runs) are queued as changes, and a service that has reloaded since
// it booted, with nothing stale, is verified once.
import type { StoreApi } from 'zustand/vanilla';
import { staleToReload } from './catch-up.js';
import type { ConnectionMonitor } from './connection.js';
import { watchCpuLoad, type CpuMonitor } from './cpu-load.js';
import type { LogEntry } from './pipeline.js';
import type { ReloadQueue } from './reload-queue.js';
import { addWarning, setWatch } from './store.js';
import type { Status } from '../protocol/wire.js';
import type { Config, EngineStore } from '../types.js';
import { startWatcher, type Watcher } from './watcher.js';

export interface WatchModeDeps {
  config: Config;
  store: StoreApi<EngineStore>;
  /** wall time (epoch ms): when a change was seen */
  clock: () => number;
  isClosed: () => boolean;
  queue: Pick<ReloadQueue, 'change' | 'load'>;
  /** status polling; started with watch mode, closed by the engine */
  monitor: Pick<ConnectionMonitor, 'start'>;
  /** the one verify a service reloaded before this client started is owed */
  verify: () => void;
  logError: (entry: LogEntry, target: string) => Promise<void>;
  watchCpuLoad?: (onChange: (busy: boolean) => void) => CpuMonitor;
}

export interface WatchMode {
  /** watcher + CPU load + polling; a second call joins the first */
  start(): Promise<void>;
  /** a target's polled status: the first one (not mid-reload) catches up */
  catchUp(index: number, status: Status): void;
  /** the watcher's file count while watching */
  fileCount(): number | undefined;
  close(): Promise<void>;
}

export function createWatchMode(deps: WatchModeDeps): WatchMode {
  const { config, store, clock, isClosed, queue } = deps;
  let watcher: Watcher | undefined;
  let cpuLoad: CpuMonitor | undefined;
  let starting: Promise<void> | undefined;
  const caughtUp = config.targets.map(() => false);
  let verifiedAtStart = false;
  /** what the watcher saw change before every target caught up (those are queued already) */
  let seenBeforeCatchUp: Set<string> | undefined = new Set();

  function catchUp(i: number, status: Status): void {
    if (caughtUp[i] || isClosed() || status.state === 'reloading') return; // mid-reload: the next status decides
    caughtUp[i] = true;
    const stale = staleToReload(status.stale_files ?? [], config.root, seenBeforeCatchUp ?? new Set());
    if (caughtUp.every(Boolean)) seenBeforeCatchUp = undefined;
    if (stale.length > 0) {
      const at = clock();
      for (const path of stale) queue.change({ path, kind: 'change', at });
    } else if (!status.stale_files?.length && status.last_reload && !verifiedAtStart) {
      // (stale files the watcher saw change again are brought in by its own reload)
      verifiedAtStart = true;
      deps.verify();
    }
  }

  async function startWatching(): Promise<void> {
    if (isClosed()) return;
    const w = await startWatcher(
      { root: config.root, dirs: config.dirs, ignore: config.ignore, logDir: config.logDir, settleMs: Math.min(15, config.debounceMs) },
      {
        onChange: (c) => {
          seenBeforeCatchUp?.add(c.path);
          queue.change({ ...c, at: clock() });
        },
        onReady: (n) => setWatch(store, { fileCount: n, ready: true }),
        onWarning: (msg) => addWarning(store, msg),
        onError: (msg) => {
          addWarning(store, msg);
          void deps.logError({ kind: 'watcher', message: msg }, config.targets[0]?.name ?? 'primary');
        },
      },
    );
    if (isClosed()) return void (await w.close());
    watcher = w;
    // a saturated machine widens the one-file quiet window (other processes' writes come slower)
    cpuLoad = (deps.watchCpuLoad ?? watchCpuLoad)((busy) => queue.load(busy));
    // diagnostics and polling run in the background: start() never waits on the network
    deps.monitor.start();
    await w.ready;
    setWatch(store, { fileCount: w.fileCount, ready: true });
  }

  return {
    start: () => (starting ??= startWatching()),
    catchUp,
    fileCount: () => watcher?.fileCount,
    close: async () => {
      cpuLoad?.close();
      await watcher?.close();
    },
  };
}
