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

const ALL = Number.MAX_SAFE_INTEGER;

/**
 * Fill parts round by round: each round raises one part up to `cap` (never past what it
 * wants) while rows are left. The order of the rounds is the layout's priorities.
 */
function allocate<P extends string>(free: number, want: Record<P, number>, rounds: readonly (readonly [P, number])[]): Record<P, number> {
  const got = Object.fromEntries(Object.keys(want).map((part) => [part, 0])) as Record<P, number>;
  let left = Math.max(0, free);
  for (const [part, cap] of rounds) {
    const take = Math.min(left, Math.max(0, Math.min(cap, want[part]) - got[part]));
    got[part] += take;
    left -= take;
  }
  return got;
}

/** The rows each panel's body would fill; an empty panel still shows one placeholder line ("no reloads yet"). */
function wantedRows(c: LayoutCounts): Record<Section, number> {
  return {
    targets: c.targets > 1 ? c.targets : 0,
    warnings: c.warnings,
    recent: Math.max(1, c.recent),
    checks: Math.max(1, c.checks),
    history: Math.max(1, c.history),
  };
}

/** One column: the reload log first, then the checks, the fleet, a warning, a recent change… */
const ONE_COLUMN_ROUNDS: readonly (readonly [Section, number])[] = [
  ['history', 3],
  ['checks', 2],
  ['targets', 4],
  ['warnings', 1],
  ['recent', 1],
  ['checks', 6],
  ['recent', 3],
  ['warnings', 4], // two long warnings in two lines each
  ['history', ALL],
  ['checks', ALL],
  ['recent', 10],
  ['targets', ALL],
];

function oneColumnLayout(width: number, height: number, c: LayoutCounts, want: Record<Section, number>): Layout {
  // header 2 (+ restart), watch title, cooldown, reloads title, verification title, footer
  const fixed = 2 + (c.restart ? 1 : 0) + 5;
  const got = allocate(height - fixed, want, ONE_COLUMN_ROUNDS);
  const used = fixed + got.targets + got.warnings + got.recent + got.checks + got.history;
  return { width, height, twoColumns: false, leftWidth: width, rightWidth: width, ...got, middle: 0, output: outputRows(height - used, c.output) };
}

/** Two columns: the two-column middle and the full-width checks below it take turns. */
const MIDDLE_ROUNDS: readonly (readonly ['middle' | 'checks', number])[] = [
  ['middle', 8],
  ['checks', 4],
  ['middle', 14],
  ['checks', 10],
  ['middle', ALL],
  ['checks', ALL],
];

function twoColumnLayout(width: number, height: number, c: LayoutCounts, want: Record<Section, number>): Layout {
  // the left column holds short lines (times and paths); the reload log's rows are long:
  // it keeps at least the 80 columns it has in one column, and past a left column of 56
  // every extra column goes to it
  const leftWidth = leftWidthOf(width);
  // full width: header 2 (+ restart), target rows, warnings, footer
  const frame = 2 + (c.restart ? 1 : 0) + 1;
  const top = allocate(height - frame - 6, { targets: want.targets, warnings: want.warnings }, [
    ['targets', 4],
    ['warnings', 4],
  ]);
  const body = Math.max(0, height - frame - top.targets - top.warnings);
  // the middle: Watch (title + recent) on the left, Reloads (title + history) on the right,
  // side by side; below it, full width, Cooldown (1) and Verification (title + checks), so
  // the pending files and the checks' details are not cut to half the screen
  const split = allocate(body - 2, { middle: Math.max(1 + want.recent, 1 + want.history), checks: want.checks }, MIDDLE_ROUNDS);
  return {
    width,
    height,
    twoColumns: true,
    leftWidth,
    rightWidth: width - 1 - leftWidth,
    targets: top.targets,
    warnings: top.warnings,
    recent: Math.min(want.recent, Math.max(0, split.middle - 1)),
    checks: split.checks,
    history: Math.min(want.history, Math.max(0, split.middle - 1)),
    middle: split.middle,
    output: outputRows(body - 2 - split.middle - split.checks, c.output),
  };
}

export function computeLayout(cols: number, rows: number, c: LayoutCounts): Layout {
  const width = Math.max(20, cols);
  const height = screenHeight(rows);
  const layout = width >= TWO_COLUMN_MIN ? twoColumnLayout : oneColumnLayout;
  return layout(width, height, c, wantedRows(c));
}

/** First visible row of a list of `count` rows shown in `rows` rows, keeping `selected` in view (centered). */
export function listTop(selected: number, count: number, rows: number): number {
  if (rows <= 0 || count <= rows) return 0;
  const centered = selected - Math.floor(rows / 2);
  return Math.max(0, Math.min(count - rows, centered));
}
