// One line of output, cut to `width` (never wrapped). Every segment's text passes
// visibleLine here as a last guard (panels sanitize outside text before they measure it;
// this is idempotent), and NO_COLOR (https://no-color.org) drops the colours — bold, dim
// and inverse stay, they carry meaning without colour.
import { Text } from 'ink';
import { visibleLine } from '../../src/protocol/visible.js';
import { fitSegments, type Seg } from '../view/segments.js';

/** Colours are on unless NO_COLOR is set to a non-empty value (read at render: tests set it). */
export const colorsOn = (env: NodeJS.ProcessEnv = process.env): boolean => !env.NO_COLOR;

export function Row({ segs, width }: { segs: readonly Seg[]; width: number }) {
  const fitted = fitSegments(
    segs.map((s) => ({ ...s, text: visibleLine(s.text) })),
    width,
  );
  if (fitted.length === 0) return <Text> </Text>;
  const colors = colorsOn();
  return (
    <Text wrap="truncate-end">
      {fitted.map((s, i) => (
        <Text key={i} color={colors ? s.color : undefined} bold={s.bold} dimColor={s.dim} inverse={s.inverse}>
          {s.text}
        </Text>
      ))}
    </Text>
  );
}
