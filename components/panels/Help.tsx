// The help overlay, rendered from the keybinding table; scrolls (↑/↓) when the pane is short.
import { Box } from 'ink';
import { helpLines } from '../view/helpRows.js';
import { Row } from './Row.js';

export function Help({ width, rows, top = 0 }: { width: number; rows: number; top?: number }) {
  const all = helpLines(width);
  const more = all.length - top - rows;
  // the last row says there is more rather than hiding it
  const lines = more > 0 ? [...all.slice(top, top + rows - 1), [{ text: `  … ${more + 1} more lines (↓)`, dim: true }]] : all.slice(top, top + rows);
  return (
    <Box flexDirection="column">
      {lines.map((segs, i) => (
        <Row key={i} width={width} segs={segs} />
      ))}
    </Box>
  );
}
