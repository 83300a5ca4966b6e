// The reload log's version column: a rolled-back attempt names the version that failed.
import { describe, expect, it } from 'vitest';
import { attemptSegs, versionCell } from '../components/panels/ReloadLog.js';
import type { ReloadAttempt } from '../src/types.js';

const attempt = (over: Partial<ReloadAttempt>): ReloadAttempt => ({
  id: 1,
  startedAt: Date.UTC(2026, 0, 1, 12, 0, 0),
  reason: 'watch',
  files: ['src/app.ts'],
  modules: [],
  message: 'verification failed: probe:greeting (expected 200, got 500); rolled back to version 2',
  checks: [],
  steps: [],
  ...over,
});

describe('reload log versions', () => {
  it('rolled back: before → activated ↩ after, shortened to fit 11 columns', () => {
    expect(versionCell(attempt({ outcome: 'rolled-back', versionBefore: 2, versionActivated: 3, versionAfter: 2 }))).toBe('v2→v3↩v2');
    expect(versionCell(attempt({ outcome: 'rolled-back', versionBefore: 120, versionActivated: 121, versionAfter: 120 }))).toBe('v121↩v120');
    expect(versionCell(attempt({ outcome: 'rolled-back', versionActivated: 3, versionAfter: 2 }))).toBe('v3↩v2');
  });

  it('anything else reads as before', () => {
    expect(versionCell(attempt({ outcome: 'ok', versionBefore: 2, versionActivated: 3, versionAfter: 3 }))).toBe('v2 → v3');
    expect(versionCell(attempt({ outcome: 'rolled-back', versionBefore: 2, versionAfter: 2 }))).toBe('v2');
    expect(versionCell(attempt({ outcome: 'failed', versionBefore: 2, versionAfter: 2 }))).toBe('v2');
  });

  it('the row keeps its columns', () => {
    const text = attemptSegs(attempt({ outcome: 'rolled-back', versionBefore: 2, versionActivated: 3, versionAfter: 2, durationMs: 120 }), 100)
      .map((s) => s.text)
      .join('');
    expect(text.slice(10)).toBe('↺ rolled back     v2→v3↩v2    120ms    src/app.ts — verification failed: probe:greeting (expected 200, got 500); rolled back to version 2');
  });
});
