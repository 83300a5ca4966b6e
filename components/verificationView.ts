// What the Verification panel lists. After an automatic rollback the store's `checks` are
// the re-verification (all green again), which hides the check that caused the rollback;
// the panel then lists the attempt's own checks, failures first, and sums up the
// re-verification in one line.
import type { CheckResult, ReloadAttempt } from '../src/types.js';

export interface VerificationView {
  /** the checks to list, one row each */
  checks: CheckResult[];
  /** the re-verification after a rollback, summed up in one row (absent otherwise) */
  after?: CheckResult[];
}

const isFailed = (c: CheckResult): boolean => !c.ok && !c.skipped;

export function tally(checks: readonly CheckResult[]): { passed: number; counted: number; failed: number } {
  const counted = checks.filter((c) => !c.skipped);
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

/** Rows the panel body wants (without its title): one per check, plus the re-verification line. */
export const verificationRows = (v: VerificationView): number => v.checks.length + (v.after ? 1 : 0);
