// The error log list: this run and earlier runs, newest first, with a movable selection.
import { Box } from 'ink';
import type { ErrorEntry } from '../../src/types.js';
import { visibleLine } from '../../src/protocol/visible.js';
import { location } from '../view/errorEntries.js';
import { formatDateTime, padEnd, shortenPath } from '../view/format.js';
import type { ErrorLogState } from '../hooks/useErrorLog.js';
import { listTop } from '../view/layout.js';
import { Row } from './Row.js';
import { titleSegs, type Seg } from '../view/segments.js';

function entrySegs(e: ErrorEntry, selected: boolean, width: number): Seg[] {
  const loc = location(e);
  const segs: Seg[] = [
    { text: selected ? '› ' : '  ', color: 'cyan', bold: true },
    { text: `${formatDateTime(Date.parse(e.time))}  `, dim: !selected },
    { text: `${padEnd(visibleLine(String(e.kind)), 11)} `, color: 'red' },
    ...(loc ? [{ text: `${shortenPath(loc, Math.max(12, Math.floor(width / 3)))}  `, color: 'cyan' }] : []),
    { text: visibleLine(String(e.message).split('\n')[0]) },
  ];
  return selected ? segs.map((s) => ({ ...s, inverse: true })) : segs;
}

export function ErrorLog(props: {
  entries: ErrorEntry[];
  load: ErrorLogState;
  selected: number;
  /** entries logged since the log was opened (the selection stayed on its entry) */
  newCount?: number;
  width: number;
  rows: number;
  logDir?: string;
}) {
  const { entries, load, selected, width, rows } = props;
  const listRows = Math.max(0, rows - 1);
  const info: Seg[] = [{ text: `${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}` }];
  if (props.newCount) info.push({ text: ` · ${props.newCount} new ↑`, color: 'yellow', bold: true });
  if (load.status === 'loading') info.push({ text: ' · loading…', color: 'yellow' });
  if (load.status === 'error') info.push({ text: ` · could not read the log files: ${load.error ?? 'unknown error'}`, color: 'red' });
  if (props.logDir) info.push({ text: ` · ${props.logDir}`, dim: true });
  const top = listTop(selected, entries.length, listRows);
  const shown = entries.slice(top, top + listRows);
  return (
    <Box flexDirection="column">
      <Row width={width} segs={titleSegs('Error log', info, width)} />
      {entries.length === 0 && load.status !== 'loading' && <Row width={width} segs={[{ text: '  no errors logged', dim: true }]} />}
      {shown.map((e, i) => (
        <Row key={top + i} width={width} segs={entrySegs(e, top + i === selected, width)} />
      ))}
    </Box>
  );
}
