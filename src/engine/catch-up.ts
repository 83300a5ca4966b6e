// Catching up after a client restart: which of the files a service reports stale (content
// on disk ≠ what it runs) the new client still has to reload. Pure; the engine calls it with
// the first status of each target in watch mode.
import path from 'node:path';
import { projectPath } from './paths.js';

/**
 * The stale files named as the watcher names files (relative to the root where inside it,
 * else absolute), without those the watcher has seen change since the start: they are
 * queued already. The service names files relative to its own root, which may differ from
 * ours, so "the same file" is a match of whole trailing path segments either way.
 */
export function staleToReload(stale: readonly unknown[], root: string, seen: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  const seenList = [...seen];
  for (const s of stale) {
    if (typeof s !== 'string' || s === '') continue;
    const p = path.isAbsolute(s) ? projectPath(root, s) : s.replace(/\\/g, '/');
    if (seenList.some((x) => x === p || x.endsWith(`/${p}`) || p.endsWith(`/${x}`))) continue;
    out.add(p);
  }
  return [...out];
}
