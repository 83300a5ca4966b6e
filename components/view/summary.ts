// The one line the TUI leaves behind when it quits: how many reloads ran, how many failed,
// and where the error log is. Counted as attempts finish (the store keeps only the last 50).
import path from 'node:path';
import type { StoreApi } from 'zustand/vanilla';
import type { EngineStore, ReloadAttempt } from '../../src/types.js';

export interface Tally {
  reloads: number;
  failed: number;
  rolledBack: number;
  verifies: number;
  errors: number;
}

export const emptyTally = (): Tally => ({ reloads: 0, failed: 0, rolledBack: 0, verifies: 0, errors: 0 });

export function countAttempt(t: Tally, a: ReloadAttempt): Tally {
  if (a.kind === 'verify') return { ...t, verifies: t.verifies + 1 };
  if (a.kind === 'rollback') return t;
  const rolledBack = a.outcome === 'rolled-back' ? 1 : 0;
  const failed = a.outcome !== 'ok' && !rolledBack ? 1 : 0;
  return { ...t, reloads: t.reloads + 1, rolledBack: t.rolledBack + rolledBack, failed: t.failed + failed };
}

/** Follows the store from now on; `tally()` reads the counts so far. */
export function followTally(store: StoreApi<EngineStore>): { tally(): Tally; stop(): void } {
  let tally = emptyTally();
  let lastId = store.getState().history[0]?.id;
  let errors = store.getState().errors;
  const stop = store.subscribe((s) => {
    const fresh: ReloadAttempt[] = [];
    for (const a of s.history) {
      if (a.id === lastId) break;
      fresh.push(a);
    }
    if (fresh.length) lastId = fresh[0].id;
    for (const a of fresh.reverse()) tally = countAttempt(tally, a);
    if (s.errors !== errors) {
      const known = new Set(errors);
      tally = { ...tally, errors: tally.errors + s.errors.filter((e) => !known.has(e)).length };
      errors = s.errors;
    }
  });
  return { tally: () => tally, stop };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `auto-hot-reload: 5 reloads (3 ok, 1 rolled back, 1 failed), 1 verify · 2 errors in logs/hot_reload_errors` */
export function summaryLine(t: Tally, logDir: string, cwd = process.cwd()): string {
  const ok = t.reloads - t.failed - t.rolledBack;
  const parts = [`${plural(t.reloads, 'reload')}${t.reloads ? ` (${[`${ok} ok`, ...(t.rolledBack ? [`${t.rolledBack} rolled back`] : []), ...(t.failed ? [`${t.failed} failed`] : [])].join(', ')})` : ''}`];
  if (t.verifies) parts.push(plural(t.verifies, 'verify'));
  const rel = path.relative(cwd, logDir);
  const where = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : logDir;
  return `auto-hot-reload: ${parts.join(', ')} · ${t.errors ? `${plural(t.errors, 'error')} in ${where}` : `no errors (log: ${where})`}`;
}
