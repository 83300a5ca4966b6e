// When a loaded version is ready to serve: its entry has finished loading and its servers
// have called listen(). The first load decides how the app is served: by its own servers
// (adopted) or, when it listens nowhere and its default export is a request listener, by
// the agent's server on --port. Every wait is bounded by the ready timeout.
import type { AppHandles } from './adopt.js';

export type Readiness = { mode: 'adopt' | 'listener' } | { problem: string };

// stdio streams are always there, close requests come and go
const IGNORED = new Set(['TTYWrap', 'PipeWrap', 'SignalWrap', 'CloseReq']);
/** Pending work (timers, sockets, file reads) by kind: what could still lead to a listen(). */
export function pendingWork(): Map<string, number> {
  const kinds = new Map<string, number>();
  for (const t of process.getActiveResourcesInfo()) if (!IGNORED.has(t)) kinds.set(t, (kinds.get(t) ?? 0) + 1);
  return kinds;
}

/** Some kind of work is pending now that was not before the load. */
function morePending(baseline: Map<string, number>): boolean {
  for (const [kind, n] of pendingWork()) if (n > (baseline.get(kind) ?? 0)) return true;
  return false;
}

/** one turn for a listen() right after startup (a resolved promise, a 0 ms timer) */
const SETTLE_MS = 20;
const POLL_MS = 25;

export async function firstLoadReady(
  h: AppHandles,
  opts: { exportsListener: boolean; timeoutMs: number; baseline: Map<string, number>; file: string },
): Promise<Readiness> {
  if (h.listens === 0) await sleep(SETTLE_MS);
  if (h.listens === 0 && !opts.exportsListener) {
    // wait for an asynchronous listen(), unless nothing is left that could make one
    const deadline = Date.now() + opts.timeoutMs;
    while (h.listens === 0 && Date.now() < deadline && morePending(opts.baseline)) {
      await h.waitFor(() => h.listens > 0, Math.min(POLL_MS, Math.max(1, deadline - Date.now())));
    }
    if (h.listens === 0) {
      const waited = Date.now() >= deadline ? ` within ${seconds(opts.timeoutMs)}` : '';
      return {
        problem: `nothing to serve: ${opts.file} called no listen()${waited} and its default export is no request listener — call app.listen(PORT) (or server.listen) in it, or export the request listener (module.exports = app / export default app)`,
      };
    }
  }
  if (h.listens === 0) return { mode: 'listener' };
  try {
    await Promise.all(h.binds);
  } catch (err) {
    const inUse = (err as NodeJS.ErrnoException).code === 'EADDRINUSE' ? ' (stop what uses it, or move the app with --port N; 0 picks a free one)' : '';
    return { problem: `listen failed: ${(err as Error).message}${inUse}` };
  }
  return { mode: 'adopt' };
}

/** A reload's version is ready when it has called listen() once per adopted server. */
export async function reloadReady(h: AppHandles, expected: number, timeoutMs: number, ports: string): Promise<Readiness> {
  if (await h.waitFor(() => h.listens >= expected, timeoutMs)) return { mode: 'adopt' };
  return {
    problem: `the new version called listen() ${h.listens} of ${expected} time${expected === 1 ? '' : 's'} within ${seconds(timeoutMs)} (the running version listens on ${ports}); it was not activated`,
  };
}

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
