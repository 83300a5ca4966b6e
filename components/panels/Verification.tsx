// The last verification, one line per check: ✔ passed, ✖ failed, – skipped. After an
// automatic rollback: the attempt's own checks (the ✖ that caused it first), then one line
// for the re-verification of the version that serves again.
import { Box } from 'ink';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { StoreApi } from 'zustand/vanilla';
import type { CheckResult, EngineStore } from '../../src/types.js';
import { padEnd } from '../format.js';
import { Row } from '../Row.js';
import { titleSegs, type Seg } from '../segments.js';
import { failuresFirst, tally, verificationView } from '../verificationView.js';

function checkSegs(c: CheckResult, nameWidth: number): Seg[] {
  const mark: Seg = c.skipped ? { text: '–', dim: true } : c.ok ? { text: '✔', color: 'green' } : { text: '✖', color: 'red', bold: true };
  return [
    { text: '  ' },
    mark,
    { text: ` ${padEnd(c.name, nameWidth)}  `, bold: !c.ok && !c.skipped },
    { text: c.skipped ? `skipped${c.detail ? `: ${c.detail}` : ''}` : c.detail, dim: c.skipped || c.ok, color: !c.ok && !c.skipped ? 'red' : undefined },
  ];
}

/** `  ↺ after rollback: 7/7 passed`, or with the first check that still fails. */
export function afterRollbackSegs(after: readonly CheckResult[]): Seg[] {
  const t = tally(after);
  const failed = after.find((c) => !c.ok && !c.skipped);
  return [
    { text: '  ↺ after rollback: ', color: 'yellow' },
    { text: `${t.passed}/${t.counted} passed`, color: failed ? 'red' : 'green', bold: failed !== undefined },
    ...(failed ? [{ text: ` — ✖ ${failed.name}: ${failed.detail}`, color: 'red' }] : []),
  ];
}

export function Verification({ store, width, rows }: { store: StoreApi<EngineStore>; width: number; rows: number }) {
  const { checks, newest } = useStore(store, useShallow((s) => ({ checks: s.checks, newest: s.history[0] })));
  const view = verificationView(checks, newest);
  const list = view.checks;
  const t = tally(list);
  const info: Seg[] = list.length
    ? [{ text: `${t.passed}/${t.counted} passed`, color: t.failed ? 'red' : 'green', bold: t.failed > 0 }, ...(view.after ? [{ text: ' · rolled back', color: 'yellow' }] : [])]
    : [];
  // the failed check outranks the summary line when only one row is left
  const afterRow = view.after && rows >= 2 ? view.after : undefined;
  const listRows = Math.max(0, rows - (afterRow ? 1 : 0));
  // when they do not all fit, failures come first: they are what the reader needs
  const overflow = list.length > listRows;
  const ordered = overflow ? failuresFirst(list) : list;
  const more = overflow && listRows >= 2;
  const shown = ordered.slice(0, more ? listRows - 1 : listRows);
  const nameWidth = Math.min(18, Math.max(4, ...list.map((c) => c.name.length)));
  return (
    <Box flexDirection="column">
      <Row width={width} segs={titleSegs('Verification', info, width)} />
      {rows > 0 && list.length === 0 && <Row width={width} segs={[{ text: '  no verification yet — press v', dim: true }]} />}
      {shown.map((c, i) => (
        <Row key={`${c.name}-${i}`} width={width} segs={checkSegs(c, nameWidth)} />
      ))}
      {more && <Row width={width} segs={[{ text: `  … ${list.length - shown.length} more`, dim: true }]} />}
      {afterRow && <Row width={width} segs={afterRollbackSegs(afterRow)} />}
    </Box>
  );
}
