// The last verification, one line per check: ✔ passed, ✖ failed, – skipped. After an
// automatic rollback: the attempt's own checks (the ✖ that caused it first), then one line
// for the re-verification of the version that serves again.
import { Box } from 'ink';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { StoreApi } from 'zustand/vanilla';
import { isFailure } from '../../src/engine/pipeline.js';
import type { CheckResult, ChecksSource, EngineStore, ReloadAttempt } from '../../src/types.js';
import { padEnd } from '../view/format.js';
import { Row } from './Row.js';
import { titleSegs, type Seg } from '../view/segments.js';
import { visibleLine } from '../../src/protocol/visible.js';
import { formatClock } from '../view/format.js';
import { detailChunks, detailIndent, failuresFirst, nameWidthOf, shownDetail, tally, verificationView } from '../view/verificationView.js';

function checkSegs(c: CheckResult, nameWidth: number, detail = shownDetail(c)): Seg[] {
  const failed = isFailure(c);
  const advisory = !c.ok && !c.skipped && c.advisory; // shown ⚠, never counted as a failure
  const mark: Seg = c.skipped ? { text: '–', dim: true } : c.ok ? { text: '✔', color: 'green' } : advisory ? { text: '⚠', color: 'yellow' } : { text: '✖', color: 'red', bold: true };
  return [
    { text: '  ' },
    mark,
    { text: ` ${padEnd(visibleLine(c.name), nameWidth)}  `, bold: failed },
    { text: c.skipped ? `skipped${detail ? `: ${detail}` : ''}` : advisory ? `advisory: ${detail}` : detail, dim: c.skipped || c.ok, color: failed ? 'red' : advisory ? 'yellow' : undefined },
  ];
}

/** A check's rows: a failed one's detail continues beneath itself in `lines` rows at most. */
function checkRows(c: CheckResult, nameWidth: number, width: number, lines: number): Seg[][] {
  const chunks = detailChunks(c, nameWidth, width);
  if (lines <= 1 || chunks.length <= 1) return [checkSegs(c, nameWidth)];
  // the last row that fits takes the rest, cut at the width
  const shown = [...chunks.slice(0, lines - 1), chunks.slice(lines - 1).join(' ')].filter((t) => t !== '');
  const indent = ' '.repeat(detailIndent(nameWidth));
  return shown.map((text, i) => (i === 0 ? checkSegs(c, nameWidth, text) : [{ text: indent }, { text, color: 'red' }]));
}

/** `  ↺ after rollback: 7/7 passed`, or with the first check that still fails. */
export function afterRollbackSegs(after: readonly CheckResult[]): Seg[] {
  const t = tally(after);
  const failed = after.find(isFailure);
  return [
    { text: '  ↺ after rollback: ', color: 'yellow' },
    { text: `${t.passed}/${t.counted} passed`, color: failed ? 'red' : 'green', bold: failed !== undefined },
    ...(failed ? [{ text: ` — ✖ ${visibleLine(failed.name)}: ${shownDetail(failed)}`, color: 'red' }] : []),
  ];
}

/**
 * Which checks get rows, and how many each (a failed check's detail may continue beneath
 * it). When they do not all fit, failures come first — they are what the reader needs —
 * and the last row says how many more there are.
 */
export function planRows(list: readonly CheckResult[], rows: number, wanted: (c: CheckResult) => number): { shown: CheckResult[]; lines: number[] } {
  if (list.length <= rows) {
    // every check gets a row; rows left over go to the failed details, in order
    let spare = rows - list.length;
    const lines = list.map((c) => {
      const extra = Math.min(spare, wanted(c) - 1);
      spare -= extra;
      return 1 + extra;
    });
    return { shown: [...list], lines };
  }
  const ordered = failuresFirst(list);
  if (rows <= 1) return { shown: ordered.slice(0, rows), lines: ordered.slice(0, rows).map(() => 1) };
  let left = rows - 1; // the last row: "… N more"
  const shown: CheckResult[] = [];
  const lines: number[] = [];
  for (const c of ordered) {
    if (left <= 0) break;
    const n = isFailure(c) ? Math.min(wanted(c), left) : 1;
    shown.push(c);
    lines.push(n);
    left -= n;
  }
  return { shown, lines };
}

/**
 * When the listed checks are not the newest attempt's (it failed before verifying, or ran
 * without verification), which run they belong to: `· of v2 at 10:01:02, before the last reload`.
 */
export function staleSegs(from: ChecksSource | undefined, newest: ReloadAttempt | undefined): Seg[] {
  if (!from || !newest || from.attemptId === newest.id) return [];
  const version = from.version !== undefined ? `v${from.version} ` : '';
  const why = newest.outcome === 'ok' ? 'the last reload was not verified' : 'not the failed reload';
  return [{ text: ` · ${version}at ${formatClock(from.at)}, ${why}`, color: 'yellow', bold: newest.outcome !== 'ok' }];
}

export function Verification({ store, width, rows }: { store: StoreApi<EngineStore>; width: number; rows: number }) {
  const { checks, newest, from } = useStore(store, useShallow((s) => ({ checks: s.checks, newest: s.history[0], from: s.checksFrom })));
  const view = verificationView(checks, newest);
  const list = view.checks;
  const t = tally(list);
  const info: Seg[] = list.length
    ? [
        { text: `${t.passed}/${t.counted} passed`, color: t.failed ? 'red' : 'green', bold: t.failed > 0 },
        ...(view.after ? [{ text: ' · rolled back', color: 'yellow' }] : []),
        ...staleSegs(from, newest),
      ]
    : [];
  // the failed check outranks the summary line when only one row is left
  const afterRow = view.after && rows >= 2 ? view.after : undefined;
  const listRows = Math.max(0, rows - (afterRow ? 1 : 0));
  const nameWidth = nameWidthOf(list);
  const { shown, lines } = planRows(list, listRows, (c) => detailChunks(c, nameWidth, width).length);
  const more = list.length - shown.length;
  const rowsOf = shown.map((c, i) => checkRows(c, nameWidth, width, lines[i]));
  return (
    <Box flexDirection="column">
      <Row width={width} segs={titleSegs('Verification', info, width)} />
      {rows > 0 && list.length === 0 && <Row width={width} segs={[{ text: '  no verification yet — press v', dim: true }]} />}
      {rowsOf.flatMap((segsList, i) => segsList.map((segs, j) => <Row key={`${shown[i].name}-${i}-${j}`} width={width} segs={segs} />))}
      {more > 0 && listRows >= 2 && <Row width={width} segs={[{ text: `  … ${more} more`, dim: true }]} />}
      {afterRow && <Row width={width} segs={afterRollbackSegs(afterRow)} />}
    </Box>
  );
}
