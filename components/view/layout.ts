// The line budget: how many rows each panel gets so the live output never grows taller
// than the terminal (Ink clears the whole screen on every frame otherwise: ink #382, #935).

/** Wide enough for two columns. */
export const TWO_COLUMN_MIN = 120;
/** The left column (recent changes: a time and a path) never needs more. */
const LEFT_MAX = 56;
/** The reload log beside it is never narrower than in one column at 80. */
const RIGHT_MIN = 80;

/** Columns of the reload log at `cols` (the right column when wide, the full width otherwise). */
export function reloadLogWidth(cols: number): number {
  const width = Math.max(20, cols);
  return width >= TWO_COLUMN_MIN ? width - 1 - leftWidthOf(width) : width;
}

const leftWidthOf = (width: number): number => Math.min(LEFT_MAX, Math.max(30, width - 1 - RIGHT_MIN));

/**
 * Ink treats output of `rows` lines or more as full-screen and clears the terminal on
 * every following frame; one line less keeps its incremental redraw.
 */
export const screenHeight = (rows: number): number => Math.max(1, rows - 1);

export interface LayoutCounts {
  targets: number; // entries of state.targets
  warnings: number; // lines the warnings want (a long one wants two)
  recent: number; // recent file changes available
  checks: number; // rows the verification wants
  history: number; // rows the reload log wants: attempts, the current one, the newest one's extra rows
  restart: boolean;
  /** lines of the service's output (they take rows nothing else wants) */
  output?: number;
}

export interface Layout {
  width: number;
  height: number; // lines the screen uses (rows - 1)
  twoColumns: boolean;
  leftWidth: number; // == width in one column
  rightWidth: number; // == width in one column
  /** rows per panel body (titles, header and footer are fixed) */
  targets: number;
  warnings: number;
  recent: number;
  checks: number;
  history: number;
  /** rows of the two-column part (Watch beside Reloads); 0 in one column */
  middle: number;
  /** rows of the service-output tail at the bottom (title included); 0 when none */
  output: number;
}

/** Rows nothing else wants go to the service's output (a title and at least two lines). */
const outputRows = (spare: number, lines: number | undefined): number => (lines && spare >= 3 ? Math.min(spare, lines + 1) : 0);

type Section = 'targets' | 'warnings' | 'recent' | 'checks' | 'history';

/** Fill sections round by round: each round raises a section up to `cap` (never past what it has). */
function allocate(free: number, want: Record<Section, number>, rounds: [Section, number][]): Record<Section, number> {
  const got: Record<Section, number> = { targets: 0, warnings: 0, recent: 0, checks: 0, history: 0 };
  let left = Math.max(0, free);
  for (const [section, cap] of rounds) {
    const add = Math.max(0, Math.min(cap, want[section]) - got[section]);
    const take = Math.min(add, left);
    got[section] += take;
    left -= take;
  }
  return got;
}

export function computeLayout(cols: number, rows: number, c: LayoutCounts): Layout {
  const width = Math.max(20, cols);
  const height = screenHeight(rows);
  const twoColumns = width >= TWO_COLUMN_MIN;
  const restart = c.restart ? 1 : 0;
  // an empty panel still shows one placeholder line ("no reloads yet")
  const want: Record<Section, number> = {
    targets: c.targets > 1 ? c.targets : 0,
    warnings: c.warnings,
    recent: Math.max(1, c.recent),
    checks: Math.max(1, c.checks),
    history: Math.max(1, c.history),
  };
  const inf = Number.MAX_SAFE_INTEGER;

  if (!twoColumns) {
    // header 2, watch title, cooldown, reloads title, verification title, footer
    const fixed = 2 + restart + 5;
    const got = allocate(height - fixed, want, [
      ['history', 3],
      ['checks', 2],
      ['targets', 4],
      ['warnings', 1],
      ['recent', 1],
      ['checks', 6],
      ['recent', 3],
      ['warnings', 4], // two long warnings in two lines each
      ['history', inf],
      ['checks', inf],
      ['recent', 10],
      ['targets', inf],
    ]);
    const used = fixed + got.targets + got.warnings + got.recent + got.checks + got.history;
    return { width, height, twoColumns, leftWidth: width, rightWidth: width, ...got, middle: 0, output: outputRows(height - used, c.output) };
  }

  // the left column holds short lines (times and paths); the reload log's rows are long:
  // it keeps at least the 80 columns it has in one column, and past a left column of 56
  // every extra column goes to it
  const leftWidth = leftWidthOf(width);
  const rightWidth = width - 1 - leftWidth;
  // full width: header 2 (+ restart), target rows, warnings, footer
  const top = allocate(height - (2 + restart + 1) - 6, want, [
    ['targets', 4],
    ['warnings', 4],
  ]);
  const body = Math.max(0, height - (2 + restart + 1) - top.targets - top.warnings);
  // the middle: Watch (title + recent) on the left, Reloads (title + history) on the right,
  // side by side; below it, full width, Cooldown (1) and Verification (title + checks), so
  // the pending files and the checks' details are not cut to half the screen
  const wantMiddle = Math.max(1 + want.recent, 1 + want.history);
  const split = allocateMiddle(body - 2, wantMiddle, want.checks);
  return {
    width,
    height,
    twoColumns,
    leftWidth,
    rightWidth,
    targets: top.targets,
    warnings: top.warnings,
    recent: Math.min(want.recent, Math.max(0, split.middle - 1)),
    checks: split.checks,
    history: Math.min(want.history, Math.max(0, split.middle - 1)),
    middle: split.middle,
    output: outputRows(body - 2 - split.middle - split.checks, c.output),
  };
}

/** Rows of the two-column middle and of the checks, round by round, never past what they want. */
function allocateMiddle(free: number, wantMiddle: number, wantChecks: number): { middle: number; checks: number } {
  const got = { middle: 0, checks: 0 };
  let left = Math.max(0, free);
  const rounds: ['middle' | 'checks', number][] = [
    ['middle', 8],
    ['checks', 4],
    ['middle', 14],
    ['checks', 10],
    ['middle', Number.MAX_SAFE_INTEGER],
    ['checks', Number.MAX_SAFE_INTEGER],
  ];
  for (const [part, cap] of rounds) {
    const take = Math.min(left, Math.max(0, Math.min(cap, part === 'middle' ? wantMiddle : wantChecks) - got[part]));
    got[part] += take;
    left -= take;
  }
  return got;
}

/** First visible row of a list of `count` rows shown in `rows` rows, keeping `selected` in view (centered). */
export function listTop(selected: number, count: number, rows: number): number {
  if (rows <= 0 || count <= rows) return 0;
  const centered = selected - Math.floor(rows / 2);
  return Math.max(0, Math.min(count - rows, centered));
}
