// Pure helpers of the error log view: merge the log files with this run's errors, and
// turn one entry into the lines of its detail view.
import type { ErrorEntry } from '../../src/types.js';
import { visible, visibleLine } from '../../src/protocol/visible.js';
import { wrapLine } from './format.js';

/** An entry's identity in the merged list (the selection follows it). */
export const keyOf = (e: ErrorEntry): string => `${e.time}\u0000${e.kind}\u0000${e.message}\u0000${e.target ?? ''}`;
const timeOf = (e: ErrorEntry): number => {
  const t = Date.parse(e.time);
  return Number.isNaN(t) ? -Infinity : t;
};

/**
 * This run's errors are also in the log files once written; show each entry once,
 * newest first (the sort is stable, so entries of the same instant keep their order).
 */
export function mergeErrors(loaded: readonly ErrorEntry[], current: readonly ErrorEntry[]): ErrorEntry[] {
  const seen = new Set<string>();
  const out: ErrorEntry[] = [];
  for (const e of [...current, ...loaded]) {
    const k = keyOf(e);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(e);
  }
  return out.sort((a, b) => timeOf(b) - timeOf(a));
}

/**
 * The selected row for a selection made on `key` (it follows its entry when new ones
 * arrive above it), else `fallback` within the list.
 */
export function selectedIndex(entries: readonly ErrorEntry[], key: string | undefined, fallback: number): number {
  if (key !== undefined) {
    const i = entries.findIndex((e) => keyOf(e) === key);
    if (i >= 0) return i;
  }
  return Math.min(Math.max(0, fallback), Math.max(0, entries.length - 1));
}

/** Entries logged since `openedAt` (epoch ms): the ones that arrived while the log was open. */
export const newSince = (entries: readonly ErrorEntry[], openedAt: number | undefined): number =>
  openedAt === undefined ? 0 : entries.filter((e) => timeOf(e) >= openedAt).length;

/** `src/app.ts:12:5`, `src/app.ts:12`, `src/app.ts`, or undefined. */
export function location(e: ErrorEntry): string | undefined {
  const d = e.detail;
  if (!d?.file) return undefined;
  return [visibleLine(String(d.file)), d.line, d.line !== undefined ? d.column : undefined].filter((x) => x !== undefined).join(':');
}

export interface DetailLine {
  label: string; // '' for continuation lines
  text: string;
}

// outside text: control characters shown, never obeyed (newlines split the block)
const splitLines = (s: string): string[] => visible(s.replace(/\r\n/g, '\n')).split('\n');

function block(label: string, value: string): DetailLine[] {
  return splitLines(value).map((text, i) => ({ label: i === 0 ? label : '', text }));
}

/** Every field of an entry, one line each; multi-line values (stack, body) continue unlabeled. */
export function detailLines(e: ErrorEntry): DetailLine[] {
  const lines: DetailLine[] = [{ label: 'time', text: visibleLine(e.time) }, { label: 'kind', text: visibleLine(e.kind) }];
  if (e.target) lines.push({ label: 'target', text: visibleLine(e.target) });
  lines.push(...block('message', e.message));
  const loc = location(e);
  if (loc) lines.push({ label: 'at', text: loc });
  if (e.files?.length) lines.push(...e.files.map((f, i) => ({ label: i === 0 ? 'files' : '', text: visibleLine(f) })));
  if (e.version !== undefined) lines.push({ label: 'version', text: `v${e.version}` });
  if (e.httpStatus !== undefined) lines.push({ label: 'HTTP', text: String(e.httpStatus) });
  if (e.bodyExcerpt) lines.push(...block('body', e.bodyExcerpt));
  if (typeof e.detail?.stack === 'string') lines.push(...block('stack', e.detail.stack));
  // what the service printed around the failure (its own stack, e.g. Express's 500)
  if (Array.isArray(e.serviceOutput) && e.serviceOutput.length) {
    lines.push(...e.serviceOutput.map((l, i) => ({ label: i === 0 ? 'output' : '', text: visibleLine(String(l)) })));
  }
  return lines;
}

/** Width of the label column of the detail view (label + one space). */
export const DETAIL_LABEL_WIDTH = 10;

/** The detail lines wrapped to the screen width: what the detail view shows and scrolls. */
export function detailRows(e: ErrorEntry, width: number): DetailLine[] {
  const textWidth = Math.max(10, width - DETAIL_LABEL_WIDTH);
  return detailLines(e).flatMap((l) => wrapLine(l.text, textWidth).map((text, i) => ({ label: i === 0 ? l.label : '', text })));
}
