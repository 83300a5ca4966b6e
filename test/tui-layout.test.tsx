// Pure parts of the TUI: the line budget, list scrolling, the throttled store mirror,
// and merging error log entries.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createStore } from 'zustand/vanilla';
import { detailLines, detailRows, location, mergeErrors } from '../components/view/errorEntries.js';
import { computeLayout, listTop, type LayoutCounts } from '../components/view/layout.js';
import { layoutCounts } from '../components/panels/layoutCounts.js';
import { attempt, rolledBackState, T0 } from './helpers/tui-state.js';
import { createThrottledView } from '../components/view/throttledView.js';
import type { ErrorEntry } from '../src/types.js';

const full: LayoutCounts = { targets: 1, warnings: 2, recent: 20, checks: 5, history: 50, restart: false };
/** lines the single-column screen uses: header 2 (+restart), titles 4, footer 1, bodies */
const used = (l: ReturnType<typeof computeLayout>, c: LayoutCounts) =>
  2 + (c.restart ? 1 : 0) + 5 + l.targets + l.warnings + l.recent + l.checks + l.history;

/** lines the two-column screen uses: header 2 (+restart), targets, warnings, middle, cooldown, verification title + checks, footer */
const usedTwo = (l: ReturnType<typeof computeLayout>, c: LayoutCounts) => 2 + (c.restart ? 1 : 0) + l.targets + l.warnings + l.middle + 1 + 1 + l.checks + 1;

describe('computeLayout', () => {
  it('80×24 with a full history fills exactly rows − 1 lines', () => {
    const l = computeLayout(80, 24, full);
    expect(l).toMatchObject({ width: 80, height: 23, twoColumns: false, warnings: 2, recent: 3, checks: 5, history: 6 });
    expect(used(l, full)).toBe(23);
  });

  it('an empty state keeps a placeholder line per panel and gives nothing away it has not', () => {
    const empty: LayoutCounts = { targets: 1, warnings: 0, recent: 0, checks: 0, history: 0, restart: false };
    const l = computeLayout(80, 24, empty);
    expect(l).toMatchObject({ targets: 0, warnings: 0, recent: 1, checks: 1, history: 1 });
  });

  it('a restart banner and fleet rows come out of the same budget', () => {
    const c: LayoutCounts = { ...full, targets: 3, restart: true };
    const l = computeLayout(80, 24, c);
    expect(l.targets).toBe(3);
    expect(used(l, c)).toBe(23);
  });

  it('more rows go to the reload log first', () => {
    const l = computeLayout(80, 50, full);
    expect(l).toMatchObject({ height: 49, warnings: 2, recent: 3, checks: 5, history: 32 });
    expect(used(l, full)).toBe(49);
  });

  it('never hands out more lines than the screen has, down to tiny terminals', () => {
    for (const rows of [5, 8, 10, 12, 16, 24, 30]) {
      for (const c of [full, { ...full, restart: true, targets: 5, warnings: 9 }]) {
        const l = computeLayout(80, rows, c);
        expect(l.targets + l.warnings + l.recent + l.checks + l.history).toBeLessThanOrEqual(Math.max(0, rows - 1 - 7 - (c.restart ? 1 : 0)));
      }
    }
  });

  it('two columns from 120 columns: Watch beside Reloads, Cooldown and Verification below them at full width', () => {
    const l = computeLayout(130, 40, full);
    // the reload log keeps the 80 columns it has in one column; the left column gets the rest
    expect(l).toMatchObject({ twoColumns: true, leftWidth: 49, rightWidth: 80, warnings: 2, middle: 27, recent: 20, history: 26, checks: 5 });
    expect(computeLayout(120, 40, full)).toMatchObject({ leftWidth: 39, rightWidth: 80 });
    // left: watch title + recent; right: reloads title + history; both within the middle
    expect(1 + l.recent).toBeLessThanOrEqual(l.middle);
    expect(1 + l.history).toBeLessThanOrEqual(l.middle);
    expect(usedTwo(l, full)).toBe(39);
    expect(computeLayout(119, 40, full).twoColumns).toBe(false);
    expect(computeLayout(80, 24, full).middle).toBe(0);
    // wider still: the left column stops at 56, the reload log gets the rest
    expect(computeLayout(160, 45, full)).toMatchObject({ leftWidth: 56, rightWidth: 103 });
  });

  it('with content, every size uses all rows − 1 lines (100×30, 120×34, 160×45)', () => {
    const plenty: LayoutCounts = { ...full, checks: 12, warnings: 3 };
    expect(used(computeLayout(100, 30, plenty), plenty)).toBe(29);
    for (const [cols, rows] of [
      [120, 34],
      [160, 45],
    ]) {
      const l = computeLayout(cols, rows, plenty);
      expect(l.twoColumns).toBe(true);
      expect(usedTwo(l, plenty)).toBe(rows - 1);
    }
  });

  it('two long warnings get two lines each (4) in both layouts', () => {
    const warned: LayoutCounts = { ...full, warnings: 4 };
    expect(computeLayout(80, 24, warned).warnings).toBe(4);
    expect(used(computeLayout(80, 24, warned), warned)).toBe(23);
    expect(computeLayout(120, 34, warned).warnings).toBe(4);
  });

  it('two columns with little content: each part gets what it has, the checks whole', () => {
    const few: LayoutCounts = { targets: 1, warnings: 0, recent: 7, checks: 9, history: 8, restart: false };
    expect(computeLayout(120, 34, few)).toMatchObject({ middle: 9, recent: 7, history: 8, checks: 9 });
    expect(computeLayout(120, 34, { ...few, recent: 12 })).toMatchObject({ middle: 13, recent: 12, history: 8 });
  });
});

describe('computeLayout: whole layouts at the sizes people use', () => {
  const idle: LayoutCounts = { targets: 1, warnings: 0, recent: 0, checks: 0, history: 0, restart: false, output: 10 };
  const busy: LayoutCounts = { targets: 3, warnings: 4, recent: 20, checks: 12, history: 50, restart: true, output: 40 };
  const one = { twoColumns: false, middle: 0 };

  it('80×24: the reload log first, then the checks; spare rows go to the service output', () => {
    expect(computeLayout(80, 24, full)).toEqual({ width: 80, height: 23, ...one, leftWidth: 80, rightWidth: 80, targets: 0, warnings: 2, recent: 3, checks: 5, history: 6, output: 0 });
    // 23 − 7 fixed − 3 placeholders = 13 spare: the output's 10 lines and its title
    expect(computeLayout(80, 24, idle)).toEqual({ width: 80, height: 23, ...one, leftWidth: 80, rightWidth: 80, targets: 0, warnings: 0, recent: 1, checks: 1, history: 1, output: 11 });
    // restart banner, 3 targets, warnings: 15 free rows, handed out round by round
    expect(computeLayout(80, 24, busy)).toEqual({ width: 80, height: 23, ...one, leftWidth: 80, rightWidth: 80, targets: 3, warnings: 1, recent: 2, checks: 6, history: 3, output: 0 });
  });

  it('40×12: four free rows, three to the reload log and one to the checks', () => {
    expect(computeLayout(40, 12, full)).toEqual({ width: 40, height: 11, ...one, leftWidth: 40, rightWidth: 40, targets: 0, warnings: 0, recent: 0, checks: 1, history: 3, output: 0 });
    expect(computeLayout(40, 12, idle)).toEqual({ width: 40, height: 11, ...one, leftWidth: 40, rightWidth: 40, targets: 0, warnings: 0, recent: 1, checks: 1, history: 1, output: 0 });
    expect(computeLayout(40, 12, busy)).toEqual({ width: 40, height: 11, ...one, leftWidth: 40, rightWidth: 40, targets: 0, warnings: 0, recent: 0, checks: 0, history: 3, output: 0 });
  });

  it('120×40: two columns of 39 and 80; the middle, then the checks below it at full width', () => {
    const two = { width: 120, height: 39, twoColumns: true, leftWidth: 39, rightWidth: 80 };
    expect(computeLayout(120, 40, full)).toEqual({ ...two, targets: 0, warnings: 2, recent: 20, checks: 5, history: 26, middle: 27, output: 0 });
    expect(computeLayout(120, 40, idle)).toEqual({ ...two, targets: 0, warnings: 0, recent: 1, checks: 1, history: 1, middle: 2, output: 11 });
    expect(computeLayout(120, 40, busy)).toEqual({ ...two, targets: 3, warnings: 4, recent: 15, checks: 10, history: 15, middle: 16, output: 0 });
  });
});

describe('layoutCounts', () => {
  it('counts rows as the panels render them: the reason line, a failed detail in full, two-line warnings', () => {
    const s = rolledBackState();
    // 7 attempts + the newest failure's reason in 2 lines (79 characters beside a 12-column
    // indent); 7 checks + the failed detail's second line at 80 + the re-verification
    expect(layoutCounts(s, 80)).toEqual({ targets: 1, warnings: 0, recent: 7, checks: 9, history: 9, restart: false, output: 0 });
    expect(layoutCounts({ ...s, serviceOutput: { lines: [{ at: T0, stream: 'stdout', text: 'hi' }], dropped: 0 } }, 80).output).toBe(1);
    expect(layoutCounts(s, 120).checks).toBe(8);
    const warned = { ...s, warnings: ['short', `${'x'.repeat(90)} — fix it`], current: attempt(99, { outcome: undefined }) };
    expect(layoutCounts(warned, 80)).toMatchObject({ warnings: 3, history: 10 });
    expect(layoutCounts(warned, 120)).toMatchObject({ warnings: 2 });
  });
});

describe('listTop', () => {
  it('keeps the selection in view, centered when it can', () => {
    expect(listTop(0, 100, 10)).toBe(0);
    expect(listTop(4, 100, 10)).toBe(0);
    expect(listTop(20, 100, 10)).toBe(15);
    expect(listTop(99, 100, 10)).toBe(90);
    expect(listTop(3, 5, 10)).toBe(0);
  });
});

describe('createThrottledView', () => {
  afterEach(() => vi.useRealTimers());

  it('shows the first change at once and collapses a storm into one trailing update', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const source = createStore<{ n: number }>()(() => ({ n: 0 }));
    const { view, dispose } = createThrottledView(source, 50);
    const seen: number[] = [];
    view.subscribe((s) => seen.push(s.n));
    for (let i = 1; i <= 10_000; i++) source.setState({ n: i });
    expect(seen).toEqual([1]);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(50);
    expect(seen).toEqual([1, 10_000]);
    expect(view.getState().n).toBe(10_000);
    expect(vi.getTimerCount()).toBe(0);
    // after a quiet interval the next change is shown at once again
    vi.advanceTimersByTime(100);
    source.setState({ n: 10_001 });
    expect(seen).toEqual([1, 10_000, 10_001]);
    dispose();
  });

  it('with a lead, the first change after a quiet interval shows leadMs later, the rest still collapse', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const source = createStore<{ n: number }>()(() => ({ n: 0 }));
    const { view, dispose } = createThrottledView(source, 50, Date.now, 25);
    const seen: number[] = [];
    view.subscribe((s) => seen.push(s.n));
    source.setState({ n: 1 }); // a saved file: the engine's reload goes out before the redraw
    expect(seen).toEqual([]);
    vi.advanceTimersByTime(24);
    source.setState({ n: 2 });
    expect(seen).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual([2]);
    source.setState({ n: 3 }); // inside the interval: one trailing update at 25 + 50
    vi.advanceTimersByTime(49);
    expect(seen).toEqual([2]);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual([2, 3]);
    expect(vi.getTimerCount()).toBe(0);
    dispose();
  });

  it('dispose stops following and drops a pending update', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const source = createStore<{ n: number }>()(() => ({ n: 0 }));
    const { view, dispose } = createThrottledView(source, 50);
    source.setState({ n: 1 });
    source.setState({ n: 2 });
    dispose();
    dispose();
    vi.advanceTimersByTime(100);
    source.setState({ n: 3 });
    expect(view.getState().n).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('error log entries', () => {
  const a: ErrorEntry = { time: '2026-11-25T12:00:03.000Z', kind: 'reload', message: 'SyntaxError: Unexpected token' };
  const b: ErrorEntry = { time: '2026-11-24T08:00:00.000Z', kind: 'unreachable', message: 'connect ECONNREFUSED' };
  const c: ErrorEntry = { time: '2026-11-25T12:00:05.000Z', kind: 'verify', message: 'probe greeting failed' };

  it('merges this run with the log files, once each, newest first', () => {
    expect(mergeErrors([a, b], [c, a])).toEqual([c, a, b]);
    expect(mergeErrors([], [])).toEqual([]);
  });

  it('detail lists every field; multi-line values continue unlabeled', () => {
    const e: ErrorEntry = {
      ...a,
      target: 'primary',
      files: ['src/app.ts', 'src/util.ts'],
      version: 13,
      httpStatus: 500,
      bodyExcerpt: '{"success":false}',
      detail: { file: 'src/app.ts', line: 3, column: 7, stack: 'SyntaxError: x\n    at src/app.ts:3:7' },
    };
    expect(location(e)).toBe('src/app.ts:3:7');
    expect(detailLines(e)).toEqual([
      { label: 'time', text: '2026-11-25T12:00:03.000Z' },
      { label: 'kind', text: 'reload' },
      { label: 'target', text: 'primary' },
      { label: 'message', text: 'SyntaxError: Unexpected token' },
      { label: 'at', text: 'src/app.ts:3:7' },
      { label: 'files', text: 'src/app.ts' },
      { label: '', text: 'src/util.ts' },
      { label: 'version', text: 'v13' },
      { label: 'HTTP', text: '500' },
      { label: 'body', text: '{"success":false}' },
      { label: 'stack', text: 'SyntaxError: x' },
      { label: '', text: '    at src/app.ts:3:7' },
    ]);
    expect(location({ ...a, detail: { file: 'x.ts' } })).toBe('x.ts');
    // the view wraps long values under their label
    expect(detailRows({ ...a, message: 'check greeting failed: expected a non-empty string' }, 40).slice(2)).toEqual([
      { label: 'message', text: 'check greeting failed:' },
      { label: '', text: 'expected a non-empty string' },
    ]);
    expect(location(a)).toBeUndefined();
  });
});
