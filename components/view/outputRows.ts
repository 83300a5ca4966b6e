// The service's output as rows: the output view and the main screen's tail draw them, the
// keys scroll through them. Each line is outside text: its control characters made visible.
import type { ServiceLine } from '../../src/types.js';
import { visibleLine } from '../../src/protocol/visible.js';
import { formatClock, wrapLine } from './format.js';
import type { Seg } from './segments.js';

export function outputLineSegs(l: ServiceLine): Seg[] {
  return [{ text: `${formatClock(l.at)} `, dim: true }, { text: l.stream === 'stderr' ? '┃ ' : '│ ', color: l.stream === 'stderr' ? 'red' : undefined, dim: l.stream !== 'stderr' }, { text: visibleLine(l.text) }];
}

/** Every line wrapped to `width` (a stack line's file:line must stay readable), as rows. */
export function outputRows(lines: readonly ServiceLine[], width: number): Seg[][] {
  const room = Math.max(10, width - 11); // "HH:MM:SS │ "
  return lines.flatMap((l) => {
    const [first, ...rest] = outputLineSegs(l);
    return wrapLine(visibleLine(l.text), room).map((text, i) => [i === 0 ? first : { text: ' '.repeat(9) }, rest[0], { text }]);
  });
}
