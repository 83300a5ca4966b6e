// What keeps the watcher from going blind (issue 14), beside the chokidar adapter
// (watcher.ts): watched dirs that disappear and come back, symlinks that lead out of the
// watched dirs or into themselves, and bursts of events the kernel's queue cannot hold.
import fs from 'node:fs/promises';
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';

/** How often a missing watched dir is looked for (one stat per dir). */
export const ROOT_CHECK_MS = 1000;

export interface RootMonitor {
  /** look now (e.g. after an unlinkDir event of a root) */
  check(): Promise<void>;
  close(): void;
}

/**
 * Notices a watched dir that is gone (deleted, renamed away) and one that is there again
 * (restored, or created after the start), by a stat per dir every ROOT_CHECK_MS: the
 * kernel's watch of a deleted dir is gone with it, so no event would ever say it is back.
 */
export function monitorRoots(
  roots: readonly string[],
  missingAtStart: readonly string[],
  on: { gone(dir: string): void; back(dir: string): void },
  intervalMs = ROOT_CHECK_MS,
): RootMonitor {
  const missing = new Set(missingAtStart);
  let closed = false;
  let running: Promise<void> | undefined;
  const check = () =>
    (running ??= (async () => {
      for (const dir of roots) {
        const there = await fs.stat(dir).then(
          (st) => st.isDirectory(),
          () => false,
        );
        if (closed) return;
        if (!there && !missing.has(dir)) {
          missing.add(dir);
          on.gone(dir);
        } else if (there && missing.delete(dir)) on.back(dir);
      }
    })().finally(() => (running = undefined)));
  const timer = setInterval(() => void check(), intervalMs);
  timer.unref();
  return {
    check,
    close() {
      closed = true;
      clearInterval(timer);
    },
  };
}

export type SymlinkVerdict =
  /** a link to a file: watched like the file */
  | { follow: true }
  /** a link to a dir inside the watched dirs (its files are watched where they are), or dangling */
  | { follow: false; warn?: undefined }
  | { follow: false; warn: string };

/**
 * What to do with a symlink found in a watched dir. Links are never followed into folders
 * (chokidar's followSymlinks is off): a link to a big tree (`server/x -> /usr`) would be
 * scanned whole, and a loop would never end. The one warning says how to watch it anyway.
 */
export function judgeSymlink(abs: string, shown: string, roots: readonly string[]): SymlinkVerdict {
  let real: string;
  let isDir: boolean;
  try {
    real = realpathSync(abs);
    isDir = statSync(real).isDirectory();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return { follow: false, warn: `${shown} is a symlink loop: ignored` };
    return { follow: false }; // dangling: nothing to watch until it points somewhere
  }
  if (!isDir) return { follow: true };
  const under = (dir: string, p: string) => p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
  if (under(real, abs)) return { follow: false, warn: `${shown} is a symlink loop (to ${real}, a folder it is in): ignored` };
  const inside = roots.some((r) => under(r, real));
  if (inside) return { follow: false };
  return { follow: false, warn: `${shown} is a symlink to ${real}, outside the watched dirs: not followed (to watch it, add --dir ${real})` };
}

/** A rescan lists at most this many entries (a mistaken --dir / must not hang the client). */
export const RESCAN_MAX_ENTRIES = 200_000;

/**
 * The files under dir now (absolute paths), as the watcher would see them: ignored paths
 * skipped, symlinks not entered. Bounded by RESCAN_MAX_ENTRIES; `stop` ends it early.
 */
export async function listFiles(
  dir: string,
  isIgnored: (abs: string) => boolean,
  stop: () => boolean,
): Promise<{ files: Set<string>; links: string[]; complete: boolean }> {
  const files = new Set<string>();
  const links: string[] = [];
  const queue = [dir];
  let seen = 0;
  while (queue.length > 0 && seen < RESCAN_MAX_ENTRIES && !stop()) {
    const d = queue.pop()!;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(d, { withFileTypes: true });
    } catch {
      continue; // gone or unreadable meanwhile: the watcher reports it
    }
    for (const e of entries) {
      seen++;
      const abs = path.join(d, e.name);
      if (isIgnored(abs)) continue;
      if (e.isDirectory()) queue.push(abs);
      else if (e.isFile()) files.add(abs);
      else if (e.isSymbolicLink()) links.push(abs);
    }
  }
  return { files, links, complete: queue.length === 0 && !stop() };
}
