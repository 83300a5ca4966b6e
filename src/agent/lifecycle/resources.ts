// The leak report: the process's live resources (process.getActiveResourcesInfo(), by
// type) before and after a reload. What grew was made by the new version while the old
// one's went on living — what the automatic release could not give back (a server, a
// socket, a watcher). Counts are process-wide: a connection a client opened during the
// reload is counted too.

export type ResourceCounts = Map<string, number>;

// Requests in flight (fs, dns, writes) come and go within a tick; they are no leak.
const TRANSIENT = /Req(Wrap|Callback|Promise)?$|ConnectWrap$|^WriteWrap$|^ShutdownWrap$/;

export function countResources(): ResourceCounts {
  const counts: ResourceCounts = new Map();
  for (const type of process.getActiveResourcesInfo()) {
    if (TRANSIENT.test(type)) continue;
    counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  return counts;
}

/**
 * The types that grew, with how many more there are; empty when nothing grew. `expected`
 * is growth that is not a leak (one-shot timers of a replaced version left to fire).
 */
export function growth(before: ResourceCounts, after: ResourceCounts, expected: Record<string, number> = {}): Record<string, number> {
  const grown: Record<string, number> = {};
  for (const [type, n] of [...after].sort(([a], [b]) => a.localeCompare(b))) {
    const more = n - (before.get(type) ?? 0) - (expected[type] ?? 0);
    if (more > 0) grown[type] = more;
  }
  return grown;
}

export { notReleasedText as describeNotReleased } from '../../protocol/wire.js';
