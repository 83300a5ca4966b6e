// The leak report's words, the same in every place the client shows them.
import { describe, expect, it } from 'vitest';
import { attemptSegs } from '../components/panels/ReloadLog.js';
import { resultJson, resultLines, styleFor } from '../src/cli/output.js';
import { reloadResultSchema } from '../src/protocol/schemas.js';
import { notReleasedText } from '../src/protocol/wire.js';
import type { ReloadAttempt, RunResult } from '../src/types.js';

const plain = styleFor({ isTTY: false }, {});
const attempt: ReloadAttempt = {
  id: 1,
  startedAt: 1000,
  finishedAt: 1100,
  reason: 'watch',
  files: ['src/db.ts'],
  modules: [],
  outcome: 'ok',
  versionBefore: 4,
  versionAfter: 5,
  durationMs: 100,
  message: 'reloaded 1 module → version 5',
  checks: [],
  steps: [],
  notReleased: 'version 4 left 1 TCPServerWrap not released',
};

describe('not released', () => {
  it('names the version, the counts and the types', () => {
    expect(notReleasedText(5, { TCPServerWrap: 1 })).toBe('version 5 left 1 TCPServerWrap not released');
    expect(notReleasedText(2, { FSEventWrap: 1, TCPServerWrap: 2, Timeout: 3 })).toBe('version 2 left 1 FSEventWrap, 2 TCPServerWrap and 3 Timeout not released');
    expect(notReleasedText(undefined, { Timeout: 1 })).toBe('the previous version left 1 Timeout not released');
  });

  it('is read from a reload result, and a wrong type there is an error', () => {
    expect(reloadResultSchema.parse({ success: true, not_released: { TCPServerWrap: 1 } }).not_released).toEqual({ TCPServerWrap: 1 });
    expect(reloadResultSchema.safeParse({ success: true, not_released: { TCPServerWrap: 'one' } }).success).toBe(false);
  });

  it('is one line in headless output, a field in --json and a segment of the reload log row', () => {
    const r: RunResult = { kind: 'trigger', ok: true, exitCode: 0, message: attempt.message, attempt, checks: [] };
    expect(resultLines(r, plain).slice(-1)).toEqual(['⚠ version 4 left 1 TCPServerWrap not released']);
    expect(resultJson(r)).toMatchObject({ notReleased: 'version 4 left 1 TCPServerWrap not released' });
    const row = attemptSegs(attempt, 160).map((s) => s.text).join('');
    expect(row).toContain('⚠ version 4 left 1 TCPServerWrap not released');
    expect(attemptSegs({ ...attempt, notReleased: undefined }, 160).map((s) => s.text).join('')).not.toContain('not released');
  });

  it('shows control characters a server put in a type name, never obeys them', () => {
    const hostile = { ...attempt, notReleased: notReleasedText(4, { 'Evil\x1b[2J': 1 }) };
    const r: RunResult = { kind: 'trigger', ok: true, exitCode: 0, message: hostile.message, attempt: hostile, checks: [] };
    const line = resultLines(r, plain).slice(-1)[0];
    expect(line).not.toContain('\x1b');
    expect(line).toMatch(/^⚠ version 4 left 1 Evil.+\[2J not released$/);
    expect(attemptSegs(hostile, 200).map((s) => s.text).join('')).not.toContain('\x1b');
  });
});
