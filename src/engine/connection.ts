// Connection state of each target: start-up diagnostics, then status polling — every
// pollIntervalMs while connected, with backoff (0.5 s doubling to 5 s) while disconnected,
// exposing retryAt. Restarts seen between two polls are flagged. Never throws.
// The legacy server (client.dialect) is polled with GET health instead: its status read
// consumes its "changed" flag. A poll that times out while a run is in flight means the
// service is busy with it (the old server blocks every route while it reloads), not lost.
import type { StoreApi } from 'zustand/vanilla';
import { HttpError, TimeoutError } from '../client/errors.js';
import { toFailure, type ServiceClient } from './pipeline-runner.js';
import type { Status } from '../protocol/wire.js';
import { addWarning, RESTART_WARNING, updateTarget } from './store.js';
import type { Config, EngineStore } from '../types.js';

/** Reconnect backoff while disconnected: 0.5 s doubling, capped at 5 s. */
export const RETRY_MIN_MS = 500;
export const RETRY_MAX_MS = 5000;

export interface ConnectionMonitorOptions {
  clients: readonly ServiceClient[];
  config: Config;
  store: StoreApi<EngineStore>;
  clock: () => number;
  /** registers a request so the engine's close() can wait for it */
  track: <T>(p: Promise<T>) => Promise<T>;
  /** default 2000 ms, bounded to 250..60000 */
  pollIntervalMs?: number;
  /** every status a poll read, with the time its request was sent */
  onStatus?: (index: number, status: Status, sentAt: number) => void;
}

/** The reload timeout the old server's ~35 s reload-all needs (the default). */
const OLD_SERVER_RELOAD_MS = 60_000;

/** A function, not an inline test: the dialect changes under a status read TypeScript cannot see. */
const isLegacy = (c: ServiceClient) => c.dialect === 'legacy';

/** The status poll interval actually used: default 2000 ms, bounded to 250..60000. */
export const pollInterval = (ms?: number) => Math.min(60_000, Math.max(250, ms ?? 2000));

export interface ConnectionMonitor {
  start(): void;
  close(): void;
}

export function createConnectionMonitor(opts: ConnectionMonitorOptions): ConnectionMonitor {
  const { clients, config, store, clock, track } = opts;
  const pollMs = pollInterval(opts.pollIntervalMs);
  const pollTimers: (NodeJS.Timeout | undefined)[] = clients.map(() => undefined);
  const backoff: number[] = clients.map(() => RETRY_MIN_MS);
  let closed = false;

  /** One-line warnings with the fix; resolves with the delay until the next status poll. */
  async function startupDiagnostics(i: number): Promise<number> {
    const client = clients[i];
    const url = client.target.apiUrl;
    try {
      const h = await track(client.health());
      if (!h.ok) addWarning(store, `${url}${config.endpoints.health} answered HTTP ${h.httpStatus} — the service reports itself unhealthy; check its logs`);
    } catch (e) {
      if (!closed) addWarning(store, `${url}${config.endpoints.health} is not answering (${toFailure(e).message}) — start the service, or point --api-url at it`);
    }
    return pollStatus(i);
  }

  function schedulePoll(i: number, ms: number): void {
    clearTimeout(pollTimers[i]);
    if (closed) return;
    pollTimers[i] = setTimeout(() => void pollStatus(i).then((next) => schedulePoll(i, next)), ms);
  }

  /** The legacy server's poll: health alone (any HTTP answer is contact). */
  async function pollHealth(i: number): Promise<number> {
    try {
      const h = await track(clients[i].health());
      backoff[i] = RETRY_MIN_MS;
      if (closed) return pollMs;
      updateTarget(store, i, { connection: { state: 'connected', checkedAt: clock(), ...(h.ok ? {} : { lastError: `health HTTP ${h.httpStatus}` }) } });
      return pollMs;
    } catch (e) {
      return closed ? pollMs : pollFailed(i, e);
    }
  }

  /** One status poll; returns the delay until the next one (backoff while disconnected). */
  async function pollStatus(i: number): Promise<number> {
    if (closed) return pollMs;
    const client = clients[i];
    if (isLegacy(client)) return pollHealth(i);
    const prev = store.getState().targets[i];
    const sentAt = clock();
    try {
      const status = await track(client.status());
      backoff[i] = RETRY_MIN_MS;
      if (closed) return pollMs;
      noteRestart(prev?.service ?? null, status);
      updateTarget(store, i, { service: status, connection: { state: 'connected', checkedAt: clock() } });
      opts.onStatus?.(i, status, sentAt);
      // this read may be the one that told the dialect
      if (isLegacy(client) && config.timeouts.reloadMs < OLD_SERVER_RELOAD_MS) {
        addWarning(store, `${client.target.apiUrl} is the old hot-reload server, whose reload-all takes ~35 s; timeouts.reload is ${config.timeouts.reloadMs / 1000} s — set it to 60 or more`);
      }
      return pollMs;
    } catch (e) {
      if (closed) return pollMs;
      if (e instanceof HttpError && e.status === 404) {
        // connected but without status: health decides; "connected (no status endpoint)"
        // comes first, then the one warning that says what it costs and how to fix it
        const warning = `${client.target.apiUrl}${config.endpoints.status} answered 404 — connected without a hot-reload status endpoint (no versions, no restart detection); install the agent, or set "endpoints.status" in the config`;
        try {
          const h = await track(client.health());
          backoff[i] = RETRY_MIN_MS;
          if (closed) return pollMs;
          updateTarget(store, i, {
            connection: { state: 'connected', checkedAt: clock(), noStatusEndpoint: true, ...(h.ok ? {} : { lastError: `health HTTP ${h.httpStatus}` }) },
          });
          addWarning(store, warning);
          return pollMs;
        } catch (he) {
          addWarning(store, warning);
          e = he;
        }
      }
      return pollFailed(i, e);
    }
  }

  /** A poll got no usable answer: busy with a run in flight, or disconnected (with backoff). */
  function pollFailed(i: number, e: unknown): number {
    const run = store.getState().current;
    const t = store.getState().targets[i];
    if (e instanceof TimeoutError && run && t?.connection.state !== 'disconnected') {
      updateTarget(store, i, { connection: { state: 'connected', checkedAt: clock(), busySince: run.startedAt } });
      return pollMs;
    }
    const delay = backoff[i];
    backoff[i] = Math.min(RETRY_MAX_MS, delay * 2);
    const now = clock();
    updateTarget(store, i, {
      connection: { state: 'disconnected', lastError: toFailure(e).message, checkedAt: now, retryAt: now + delay },
    });
    return delay;
  }

  function noteRestart(before: Status | null, after: Status): void {
    if (!before) return;
    const changed = (['boot_id', 'pid', 'started_at'] as const).some(
      (k) => before[k] !== undefined && after[k] !== undefined && before[k] !== after[k],
    );
    if (changed && !store.getState().restartDetected) {
      store.setState({ restartDetected: true });
      addWarning(store, RESTART_WARNING);
    }
  }

  return {
    start() {
      if (closed) return;
      clients.forEach((_, i) => void track(startupDiagnostics(i).then((next) => schedulePoll(i, next))));
    },
    close() {
      closed = true;
      pollTimers.forEach((t) => clearTimeout(t));
    },
  };
}
