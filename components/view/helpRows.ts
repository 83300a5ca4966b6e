// The help overlay's rows, from the keybinding table: the overlay draws them, the keys
// scroll through them (how many there are bounds ↓).
import { HELP_SECTIONS, helpItems } from './keys.js';
import { padEnd } from './format.js';
import { titleSegs, type Seg } from './segments.js';

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
