// Headless watch mode: subscribes to the engine store and prints one line (or one JSON
// object) per event — ready, changes seen, reload started, result, connection lost or
// restored, warnings. No business logic: it only diffs consecutive states.
import type { StoreApi } from 'zustand/vanilla';
import { exitCodeFor } from '../engine/pipeline.js';
import type { EngineState, EngineStore, ReloadAttempt, RunResult } from '../types.js';
import { jsonLine, visibleLine } from '../protocol/visible.js';
import { resultJson, resultLines, type Style } from './output.js';

export type WatchEvent =
  | { type: 'ready'; dirs: string[]; fileCount: number }
  | { type: 'changes'; files: string[]; pending: number; reloadInMs: number | null }
  | { type: 'reload-started'; id: number; reason: ReloadAttempt['reason']; files: string[] }
  | { type: 'connection'; target: string; state: 'connected' | 'disconnected'; detail?: string; version?: number; noStatusEndpoint?: boolean }
  /** a poll timed out while a run was in flight: the service is busy with it, not lost */
  | { type: 'busy'; target: string; forMs: number }
  | { type: 'warning'; message: string }
  | { type: 'paused' | 'resumed' }
  | { type: 'result'; result: RunResult };

/** The RunResult an attempt in the history stands for (the exit code of a one-shot trigger). */
export function attemptResult(a: ReloadAttempt): RunResult {
  const kind = a.kind ?? 'trigger';
  const exitCode = a.outcome ? exitCodeFor(kind, a.outcome) : 1;
  return { kind, ok: exitCode === 0, exitCode, message: a.message, attempt: a, checks: a.checks };
}

/** Pure: the events between two consecutive states. */
export function diffEvents(prev: EngineState, next: EngineState, now: number): WatchEvent[] {
  const out: WatchEvent[] = [];
  if (next.watch.ready && !prev.watch.ready) out.push({ type: 'ready', dirs: next.watch.dirs, fileCount: next.watch.fileCount });
  if (next.watch.paused !== prev.watch.paused) out.push({ type: next.watch.paused ? 'paused' : 'resumed' });
  for (const w of next.warnings) if (!prev.warnings.includes(w)) out.push({ type: 'warning', message: w });

  // a Set: a storm of 10,000 pending paths must not cost 10,000² per store update
  const seen = next.pending === prev.pending ? null : new Set(prev.pending);
  const added = seen ? next.pending.filter((p) => !seen.has(p)) : [];
  if (added.length > 0) {
    out.push({
      type: 'changes',
      files: added,
      pending: next.pending.length,
      reloadInMs: next.cooldownUntil !== null ? Math.max(0, next.cooldownUntil - now) : null,
    });
  }
  if (next.current && next.current.id !== prev.current?.id) {
    out.push({ type: 'reload-started', id: next.current.id, reason: next.current.reason, files: next.current.files });
  }
  const prevTop = prev.history[0]?.id;
  const fresh: ReloadAttempt[] = [];
  for (const a of next.history) {
    if (a.id === prevTop) break;
    fresh.push(a);
  }
  for (const a of fresh.reverse()) out.push({ type: 'result', result: attemptResult(a) });

  next.targets.forEach((t, i) => {
    const c = t.connection;
    if (c.busySince !== undefined && c.checkedAt !== prev.targets[i]?.connection.checkedAt) {
      out.push({ type: 'busy', target: t.name, forMs: Math.max(0, (c.checkedAt ?? now) - c.busySince) });
    }
  });
  next.targets.forEach((t, i) => {
    const before = prev.targets[i]?.connection.state ?? 'unknown';
    const now = t.connection.state;
    if (now === before || now === 'unknown') return;
    out.push({
      type: 'connection',
      target: t.name,
      state: now,
      ...(now === 'disconnected' && t.connection.lastError ? { detail: t.connection.lastError } : {}),
      ...(now === 'connected' && t.service?.version !== undefined ? { version: t.service.version } : {}),
      ...(now === 'connected' && t.connection.noStatusEndpoint ? { noStatusEndpoint: true } : {}),
    });
  });
  return out;
}

// file names, warnings, targets' errors come from outside: shown, never obeyed (visibleLine)
const list = (files: string[], max = 3) => {
  const shown = files.slice(0, max).map(visibleLine).join(', ');
  return files.length <= max ? shown : `${shown} (+${files.length - max} more)`;
};

export function eventLines(e: WatchEvent, s: Style, prevConnection?: string): string[] {
  switch (e.type) {
    case 'ready':
      return [`${s.ok('●')} watching ${e.fileCount} file${e.fileCount === 1 ? '' : 's'} in ${e.dirs.map(visibleLine).join(', ')}`];
    case 'paused':
      return [`${s.warn('‖')} watching paused`];
    case 'resumed':
      return [`${s.ok('●')} watching resumed`];
    case 'warning':
      return [`${s.warn('⚠')} ${visibleLine(e.message)}`];
    case 'changes':
      return [
        `${s.dim('•')} changed: ${list(e.files)}${e.reloadInMs !== null && e.reloadInMs > 0 ? s.dim(` — reload in ${(e.reloadInMs / 1000).toFixed(1)} s`) : ''}`,
      ];
    case 'busy':
      return [`${s.warn('⟳')} ${visibleLine(e.target)}: reloading for ${Math.floor(e.forMs / 1000)}s — the service answers nothing until the reload ends`];
    case 'reload-started':
      return [`${s.warn('⟳')} reload #${e.id} (${e.reason})${e.files.length ? `: ${list(e.files)}` : ''}`];
    case 'connection':
      if (e.state === 'connected') {
        const word = (prevConnection === 'disconnected' ? 'connection restored' : 'connected') + (e.noStatusEndpoint ? ' (no status endpoint)' : '');
        return [`${s.ok('✔')} ${word}: ${visibleLine(e.target)}${e.version !== undefined ? ` (version ${e.version})` : ''}`];
      }
      return [`${s.bad('✖')} connection lost: ${visibleLine(e.target)}${e.detail ? ` — ${visibleLine(e.detail)}` : ''}`];
    case 'result':
      return resultLines(e.result, s);
  }
}

export function eventJson(e: WatchEvent): Record<string, unknown> {
  return e.type === 'result' ? resultJson(e.result) : { ...e };
}

/** Subscribes and writes; returns the unsubscribe function. */
export function printWatchEvents(
  store: StoreApi<EngineStore>,
  write: (line: string) => void,
  opts: { json: boolean; style: Style; now?: () => number },
): () => void {
  const now = opts.now ?? Date.now;
  const connections = new Map<string, string>();
  const emit = (prev: EngineState, next: EngineState) => {
    for (const e of diffEvents(prev, next, now())) {
      if (opts.json) write(jsonLine(eventJson(e)));
      else for (const line of eventLines(e, opts.style, e.type === 'connection' ? connections.get(e.target) : undefined)) write(line);
      if (e.type === 'connection') connections.set(e.target, e.state);
    }
  };
  // events that already happened before we subscribed (e.g. start-up warnings)
  const initial = store.getState();
  const empty: EngineState = {
    ...initial,
    targets: initial.targets.map((t) => ({ ...t, connection: { state: 'unknown' } })),
    warnings: [],
    watch: { ...initial.watch, ready: false, paused: false },
    pending: [],
    current: null,
    history: [],
  };
  emit(empty, initial);
  return store.subscribe((next, prev) => emit(prev, next));
}
