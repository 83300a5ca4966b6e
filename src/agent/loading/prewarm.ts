// Transforms edited modules as soon as the file system reports the edit, before the
// reload request arrives (the client waits a debounce window first): the reload then
// finds esbuild's output ready and the swap costs no transform round trip.
// Only the directories of modules the agent has loaded are watched; a request never
// names a path to watch.
// the callback readFile: fs/promises' costs several extra round trips per small file
import { readFile, watch, type FSWatcher } from 'node:fs';
import { dirname, join } from 'node:path';
import { hashSource } from '../versions/changes.js';
import { prepareModule } from './transform.js';

// Coalesces the few events of one save (truncate, write). Short: the client's quiet window
// is 10 ms and a cold esbuild round trip 1–3 ms, and a transform not ready when the reload
// arrives is paid in full.
const SETTLE_MS = 1;

export class Prewarmer {
  private readonly watchers = new Map<string, FSWatcher>();
  private files = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private closed = false;

  /** Watches exactly the directories of `files` from now on. */
  track(files: Iterable<string>): void {
    if (this.closed) return;
    this.files = new Set(files);
    const dirs = new Set([...this.files].map((f) => dirname(f)));
    for (const [dir, w] of this.watchers) {
      if (!dirs.has(dir)) {
        w.close();
        this.watchers.delete(dir);
      }
    }
    for (const dir of dirs) {
      if (this.watchers.has(dir)) continue;
      try {
        const w = watch(dir, { persistent: false }, (_event, name) => name && this.changed(join(dir, name.toString())));
        w.on('error', () => this.forget(dir));
        this.watchers.set(dir, w);
      } catch {
        // no watch available (e.g. inotify limit): reloads still work, only colder
      }
    }
  }

  close(): void {
    this.closed = true;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private forget(dir: string): void {
    this.watchers.get(dir)?.close();
    this.watchers.delete(dir);
  }

  private changed(file: string): void {
    if (!this.files.has(file) || file.endsWith('.json')) return;
    clearTimeout(this.timers.get(file));
    const timer = setTimeout(() => {
      this.timers.delete(file);
      readFile(file, (err, buf) => {
        if (err) return; // gone or unreadable: the reload will say so
        void prepareModule(file, buf.toString('utf8'), hashSource(buf));
      });
    }, SETTLE_MS);
    timer.unref();
    this.timers.set(file, timer);
  }
}
