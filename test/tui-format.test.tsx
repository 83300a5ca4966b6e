import { describe, expect, it } from 'vitest';
import {
  formatAgo,
  formatClock,
  formatDateTime,
  formatDuration,
  formatUptime,
  formatSecondsLeft,
  formatVersionChange,
  padEnd,
  progressBar,
  shortenPath,
  truncateEnd,
  truncateMiddle,
  wrapLine,
} from '../components/view/format.js';
import { fitSegments, segsText, titleSegs } from '../components/view/segments.js';

process.env.TZ = 'UTC';

describe('truncation', () => {
  it('truncateEnd keeps short text and cuts long text with an ellipsis', () => {
    expect(truncateEnd('hello', 5)).toBe('hello');
    expect(truncateEnd('hello world', 6)).toBe('hello…');
    expect(truncateEnd('hello', 1)).toBe('…');
    expect(truncateEnd('hello', 0)).toBe('');
  });

  it('truncateMiddle keeps both ends', () => {
    expect(truncateMiddle('abcdefghij', 10)).toBe('abcdefghij');
    expect(truncateMiddle('abcdefghij', 7)).toBe('abc…hij');
    expect(truncateMiddle('abcdefghij', 6)).toBe('ab…hij');
    expect(truncateMiddle('abcdefghij', 2)).toBe('…j');
  });

  it('shortenPath drops middle segments first: src/…/deep/file.ts', () => {
    const p = 'src/services/billing/internal/deep/file.ts';
    expect(shortenPath(p, 100)).toBe(p);
    expect(shortenPath(p, 18)).toBe('src/…/deep/file.ts');
    expect(shortenPath(p, 27)).toBe('src/…/internal/deep/file.ts');
    expect(shortenPath(p, 12)).toBe('…/file.ts');
    // the file name alone is too long: cut from the middle of the string
    expect(shortenPath('a/b/an-extremely-long-file-name.ts', 12)).toBe('a/b/a…ame.ts');
    expect(shortenPath(p, 18).length).toBeLessThanOrEqual(18);
  });

  it('padEnd pads or cuts to an exact width', () => {
    expect(padEnd('ok', 5)).toBe('ok   ');
    expect(padEnd('rollback failed', 8)).toBe('rollbac…');
  });
});

describe('time and numbers', () => {
  it('formatUptime shows whole minutes (an idle header changes once a minute)', () => {
    expect(formatUptime(0)).toBe('<1m');
    expect(formatUptime(59_999)).toBe('<1m');
    expect(formatUptime(60_000)).toBe('1m');
    expect(formatUptime(302_000)).toBe('5m');
    expect(formatUptime(2 * 3_600_000 + 5 * 60_000 + 59_000)).toBe('2h 05m');
    expect(formatUptime(3 * 86_400_000 + 4 * 3_600_000)).toBe('3d 04h');
    expect(formatUptime(-1)).toBe('–');
  });

  it('formatDuration picks a readable unit', () => {
    expect(formatDuration(0)).toBe('0ms');
    expect(formatDuration(120)).toBe('120ms');
    expect(formatDuration(999)).toBe('999ms');
    expect(formatDuration(1000)).toBe('1.0s');
    expect(formatDuration(1234)).toBe('1.2s');
    expect(formatDuration(59_999)).toBe('59.9s');
    expect(formatDuration(60_000)).toBe('1m 00s');
    expect(formatDuration(302_000)).toBe('5m 02s');
    expect(formatDuration(2 * 3_600_000 + 5 * 60_000)).toBe('2h 05m');
    expect(formatDuration(3 * 86_400_000 + 4 * 3_600_000)).toBe('3d 04h');
    expect(formatDuration(-1)).toBe('–');
    expect(formatDuration(Number.NaN)).toBe('–');
  });

  it('formatAgo counts from an explicit now', () => {
    const now = 1_000_000_000;
    expect(formatAgo(now - 200, now)).toBe('just now');
    expect(formatAgo(now - 5_000, now)).toBe('5s ago');
    expect(formatAgo(now - 3 * 60_000 - 10, now)).toBe('3m ago');
    expect(formatAgo(now - 2 * 3_600_000, now)).toBe('2h ago');
    expect(formatAgo(now - 4 * 86_400_000, now)).toBe('4d ago');
  });

  it('formatSecondsLeft rounds up and never goes negative', () => {
    expect(formatSecondsLeft(3001)).toBe('4s');
    expect(formatSecondsLeft(3000)).toBe('3s');
    expect(formatSecondsLeft(1)).toBe('1s');
    expect(formatSecondsLeft(-50)).toBe('0s');
  });

  it('formats clock times in local time (UTC here)', () => {
    const t = Date.UTC(2026, 10, 25, 9, 5, 7);
    expect(formatClock(t)).toBe('09:05:07');
    expect(formatDateTime(t)).toBe('11-25 09:05:07');
    expect(formatDateTime(Number.NaN)).toBe('??-?? ??:??:??');
  });

  it('progressBar fills a fraction of the cells', () => {
    expect(progressBar(0.5, 10)).toBe('█████░░░░░');
    expect(progressBar(0, 4)).toBe('░░░░');
    expect(progressBar(2, 4)).toBe('████');
    expect(progressBar(Number.NaN, 3)).toBe('░░░');
  });

  it('formatVersionChange shows what the server told', () => {
    expect(formatVersionChange(11, 12)).toBe('v11 → v12');
    expect(formatVersionChange(11, 11)).toBe('v11');
    expect(formatVersionChange(11, undefined)).toBe('v11');
    expect(formatVersionChange(undefined, 3)).toBe('→ v3');
    expect(formatVersionChange(undefined, undefined)).toBe('–');
  });
});

describe('wrapLine', () => {
  it('breaks at spaces in the second half of a chunk, after path separators otherwise, hard only without either', () => {
    expect(wrapLine('short', 10)).toEqual(['short']);
    expect(wrapLine('check greeting failed: expected a non-empty string', 20)).toEqual(['check greeting', 'failed: expected a', 'non-empty string']);
    // a path breaks after a separator, never inside a name: file:line can be copied whole
    expect(wrapLine('/tmp/a/very/long/path/without/spaces.js', 16)).toEqual(['/tmp/a/very/', 'long/path/', 'without/', 'spaces.js']);
    expect(wrapLine('at greeting (/srv/demo/server/routes/greeting.js:7:9)', 40)).toEqual(['at greeting (/srv/demo/server/routes/', 'greeting.js:7:9)']);
    expect(wrapLine('C:\\app\\server\\greeting.js:7:9', 20)).toEqual(['C:\\app\\server\\', 'greeting.js:7:9']);
    expect(wrapLine('abcdefghijklmnopqrstuvwxyz', 10)).toEqual(['abcdefghij', 'klmnopqrst', 'uvwxyz']);
    expect(wrapLine('', 5)).toEqual(['']);
  });
});

describe('segments', () => {
  it('fitSegments cuts the overflowing segment and drops the rest', () => {
    const segs = [{ text: 'abc' }, { text: 'defgh', color: 'red' }, { text: 'xyz' }];
    expect(fitSegments(segs, 20)).toEqual(segs);
    expect(fitSegments(segs, 6)).toEqual([{ text: 'abc' }, { text: 'de…', color: 'red' }]);
    expect(fitSegments(segs, 3)).toEqual([{ text: 'abc' }]);
  });

  it('titleSegs rules the title out to the full width', () => {
    const t = segsText(titleSegs('Reloads', [{ text: '3 attempts' }], 30));
    expect(t).toBe('Reloads 3 attempts ───────────');
    expect([...t].length).toBe(30);
  });
});
