// One error log entry in full: every field, the stack and the response excerpt; scrollable.
import { Box } from 'ink';
import type { ErrorEntry } from '../../src/types.js';
import { DETAIL_LABEL_WIDTH, detailRows } from '../view/errorEntries.js';
import { padEnd } from '../view/format.js';
import { Row } from './Row.js';
import { titleSegs } from '../view/segments.js';

export function ErrorDetail(props: { entry: ErrorEntry; index: number; count: number; top: number; width: number; rows: number }) {
  const { entry, index, count, top, width, rows } = props;
  const lines = detailRows(entry, width);
  const bodyRows = Math.max(0, rows - 1);
  const shown = lines.slice(top, top + bodyRows);
  const more = lines.length - top - shown.length;
  const info = [{ text: `${index + 1}/${count} · ${entry.kind}`, color: 'red' }, ...(more > 0 ? [{ text: ` · ${more} more lines (↓)`, dim: true }] : [])];
  return (
    <Box flexDirection="column">
      <Row width={width} segs={titleSegs('Error', info, width)} />
      {shown.map((l, i) => (
        <Row key={top + i} width={width} segs={[{ text: padEnd(l.label, DETAIL_LABEL_WIDTH - 1), bold: true, color: 'cyan' }, { text: ` ${l.text}` }]} />
      ))}
    </Box>
  );
}
