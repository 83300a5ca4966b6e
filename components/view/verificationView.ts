// What the Verification panel lists. After an automatic rollback the store's `checks` are
// the re-verification (all green again), which hides the check that caused the rollback;
// the panel then lists the attempt's own checks, failures first, and sums up the
// re-verification in one line.
import { isFailure } from '../../src/engine/pipeline.js';
import type { CheckResult, ReloadAttempt } from '../../src/types.js';
import { visibleLine } from '../../src/protocol/visible.js';
import { textWidth, wrapLine } from './format.js';

/**
 * What a check's row says: its detail, and for a failed probe the start of the body it got
 * (`expected 200, got 500 — {"error":"Do not know how to serialize a BigInt"}`), on one
 * line, control characters made visible.
 */
export function shownDetail(c: CheckResult): string {
  const detail = visibleLine(c.detail.replace(/\s*\n\s*/g, ' '));
  if (c.ok || c.skipped || !c.bodyExcerpt) return detail;
  const body = visibleLine(c.bodyExcerpt.replace(/\s*\n\s*/g, ' ⏎ ').trim());
  return body ? `${detail} — ${body}` : detail;
}

export interface VerificationView {
  /** the checks to list, one row each */
  checks: CheckResult[];
  /** the re-verification after a rollback, summed up in one row (absent otherwise) */
  after?: CheckResult[];
}

const isFailed = isFailure;

/** Skipped checks and failed advisory ones (shown ⚠) are not counted. */
export function tally(checks: readonly CheckResult[]): { passed: number; counted: number; failed: number } {
  const counted = checks.filter((c) => !c.skipped && !(c.advisory && !c.ok));
  const failed = counted.filter((c) => !c.ok).length;
  return { passed: counted.length - failed, counted: counted.length, failed };
}

/** Failed checks first, in their order, then the rest: the reader needs the failures. */
export const failuresFirst = (checks: readonly CheckResult[]): CheckResult[] => [...checks.filter(isFailed), ...checks.filter((c) => !isFailed(c))];

function sameChecks(a: readonly CheckResult[], b: readonly CheckResult[]): boolean {
  if (a === b) return true;
  return a.length === b.length && a.every((c, i) => c.name === b[i].name && c.ok === b[i].ok && c.detail === b[i].detail && c.skipped === b[i].skipped);
}

/**
 * The view of the last verification. `newest` is history[0]: when the store's checks are
 * its re-verification (the engine stores the final set), the attempt's own checks are
 * what explains the rollback.
 */
export function verificationView(checks: CheckResult[], newest: ReloadAttempt | undefined): VerificationView {
  const after = newest?.reverifyChecks;
  if (newest && after?.length && newest.checks.length && sameChecks(checks, after)) {
    return { checks: failuresFirst(newest.checks), after };
  }
  return { checks };
}

/** Width of the name column: the longest name, within 4..18. */
export const nameWidthOf = (checks: readonly CheckResult[]): number => Math.min(18, Math.max(4, ...checks.map((c) => textWidth(visibleLine(c.name)))));

/** A failed check's detail may continue on this many more lines when rows are free. */
export const MAX_DETAIL_LINES = 3;

/** Columns before a check's detail: `  ✖ name  `. */
export const detailIndent = (nameWidth: number): number => 2 + 1 + 1 + nameWidth + 2;

/**
 * The detail of a check in lines of the room beside the name: a failed check's whole
 * detail (up to MAX_DETAIL_LINES), anything else in one line (cut at render).
 */
export function detailChunks(c: CheckResult, nameWidth: number, width: number): string[] {
  const room = width - detailIndent(nameWidth);
  const detail = shownDetail(c);
  if (c.ok || c.skipped || room < 10 || textWidth(detail) <= room) return [detail];
  const lines = wrapLine(detail, room);
  // the last line takes the rest, cut at render with …
  return lines.length <= MAX_DETAIL_LINES ? lines : [...lines.slice(0, MAX_DETAIL_LINES - 1), lines.slice(MAX_DETAIL_LINES - 1).join(' ')];
}

/** Rows the panel body wants at `width` (without its title): the checks, failed details in full, the re-verification line. */
export function verificationRows(v: VerificationView, width: number): number {
  const nameWidth = nameWidthOf(v.checks);
  return v.checks.reduce((n, c) => n + detailChunks(c, nameWidth, width).length, 0) + (v.after ? 1 : 0);
}
