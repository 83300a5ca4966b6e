// Bounds on text a service sends us, applied where its answers enter the pipeline: a
// message ends up in several places (message, steps, checks, JSON, the error log), so a
// 3,000-character one must not become 10,000 characters of output.
import type { ReloadErrorInfo, ReloadResult, RollbackResponse, VerifyResponse } from '../protocol/wire.js';
import type { CheckResult } from '../types.js';

export const MAX_TEXT = 500; // a message, a detail, a file name
export const MAX_STACK = 2000; // a stack or code frame
export const MAX_STACK_LINES = 20;
export const MAX_LIST = 50; // module lists, checks

/** At most `max` characters; a cut is marked with an ellipsis. */
export function clip(s: string, max = MAX_TEXT): string {
  return s.length > max ? `${s.slice(0, Math.max(0, max - 1))}…` : s;
}

function clipList(list: readonly string[]): string[] {
  const kept = list.slice(0, MAX_LIST).map((x) => clip(x));
  return list.length > MAX_LIST ? [...kept, `… ${list.length - MAX_LIST} more`] : kept;
}

/** How many entries a list had before `clipList`: counts say the truth, not the clipped length. */
export function listTotal(list: readonly string[]): number {
  if (list.length !== MAX_LIST + 1) return list.length;
  const more = /^… (\d+) more$/.exec(list[MAX_LIST]);
  return more ? MAX_LIST + Number(more[1]) : list.length;
}

function clipStack(stack: string): string {
  const lines = stack.split('\n');
  const kept = lines.slice(0, MAX_STACK_LINES).join('\n');
  return clip(lines.length > MAX_STACK_LINES ? `${kept}\n    … ${lines.length - MAX_STACK_LINES} more lines` : kept, MAX_STACK);
}

export function boundError(e: ReloadErrorInfo): ReloadErrorInfo {
  return {
    ...e,
    message: clip(e.message),
    ...(e.file !== undefined ? { file: clip(e.file) } : {}),
    ...(e.stack !== undefined ? { stack: clipStack(e.stack) } : {}),
  };
}

export function boundReload(r: ReloadResult): ReloadResult {
  return {
    ...r,
    message: clip(r.message),
    reloaded_modules: clipList(r.reloaded_modules),
    failed_modules: clipList(r.failed_modules),
    ...(r.not_loaded ? { not_loaded: clipList(r.not_loaded) } : {}),
    ...(r.not_reloadable ? { not_reloadable: clipList(r.not_reloadable) } : {}),
    ...(r.error ? { error: boundError(r.error) } : {}),
  };
}

export function boundVerify(v: VerifyResponse): VerifyResponse {
  const entries = Object.entries(v.checks).slice(0, MAX_LIST);
  return { ...v, checks: Object.fromEntries(entries.map(([name, c]) => [clip(name, 100), { ...c, detail: clip(c.detail) }])) };
}

export function boundRollback(r: RollbackResponse): RollbackResponse {
  return { ...r, message: clip(r.message) };
}

export function boundCheck(c: CheckResult): CheckResult {
  const long = c.detail.length > MAX_TEXT || (c.bodyExcerpt?.length ?? 0) > MAX_TEXT;
  if (!long) return c;
  return { ...c, detail: clip(c.detail), ...(c.bodyExcerpt !== undefined ? { bodyExcerpt: clip(c.bodyExcerpt) } : {}) };
}
