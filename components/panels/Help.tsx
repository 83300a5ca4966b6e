// The help overlay, rendered from the keybinding table; scrolls (↑/↓) when the pane is short.
import { Box } from 'ink';
import { HELP_SECTIONS, helpItems } from '../view/keys.js';
import { padEnd } from '../view/format.js';
import { Row } from './Row.js';
import { titleSegs, type Seg } from '../view/segments.js';

export function helpLines(width: number): Seg[][] {
  const lines: Seg[][] = [];
  for (const section of HELP_SECTIONS) {
    lines.push(titleSegs(section.title, [], width));
    for (const item of helpItems(section.mode)) {
      lines.push([{ text: `  ${padEnd(item.label, 10)}`, bold: true, color: 'cyan' }, { text: ` ${item.help}` }]);
    }
  }
  return lines;
}

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
