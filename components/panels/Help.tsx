// The help overlay, rendered from the keybinding table.
import { Box } from 'ink';
import { HELP_SECTIONS, helpItems } from '../keys.js';
import { padEnd } from '../format.js';
import { Row } from '../Row.js';
import { titleSegs, type Seg } from '../segments.js';

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

export function Help({ width, rows }: { width: number; rows: number }) {
  const lines = helpLines(width).slice(0, rows);
  return (
    <Box flexDirection="column">
      {lines.map((segs, i) => (
        <Row key={i} width={width} segs={segs} />
      ))}
    </Box>
  );
}
