// Files Node loaded itself (third-party packages, a file the app loaded with Node's own
// require): the agent cannot reload them, but a reload must never answer "nothing
// changed" while one of them is stale. Node's require cache lists every CommonJS file and
// every ES module loaded through require(esm); each is stamped when first seen.
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute } from 'node:path';
import { HintIndex } from './hints.js';

interface Stamp {
  mtimeMs: number;
  size: number;
}

const nodeCache = createRequire(import.meta.url).cache;

export class NodeLoadedFiles {
  private readonly stamps = new Map<string, Stamp>();
  // found changed once, stale until the process restarts: named on every reload after
  private readonly known = new Set<string>();
  private seen = 0;
  private index: HintIndex | null = null;

  /** Stamps the files Node loaded since the last call (cheap when none were). */
  track(): void {
    const files = Object.keys(nodeCache);
    if (files.length === this.seen) return;
    this.seen = files.length;
    for (const file of files) {
      if (this.stamps.has(file) || !isAbsolute(file)) continue;
      const st = statSync(file, { throwIfNoEntry: false });
      if (st) this.stamps.set(file, { mtimeMs: st.mtimeMs, size: st.size });
    }
    this.index = null;
  }

  /**
   * The stale ones: those found changed before, plus those of `files` (all by default)
   * whose file on disk is no longer what Node loaded (a stat each).
   */
  stale(files: Iterable<string> = this.stamps.keys()): string[] {
    for (const file of files) {
      const was = this.stamps.get(file);
      if (!was || this.known.has(file)) continue;
      const st = statSync(file, { throwIfNoEntry: false });
      if (!st || st.mtimeMs !== was.mtimeMs || st.size !== was.size) this.known.add(file);
    }
    return [...this.known];
  }

  /** The stale ones, checking only those the `files` hints name (matched as the agent's own modules). */
  staleAmong(hints: readonly string[], root: string): string[] {
    if (!hints.length) return [...this.known];
    const index = (this.index ??= new HintIndex(this.stamps.keys(), root));
    const named = hints.map((hint) => index.file(hint)).filter((f): f is string => f !== null && f !== 'ambiguous');
    return this.stale(named);
  }
}
