// One line of output, cut to `width` (never wrapped).
import { Text } from 'ink';
import { fitSegments, type Seg } from './segments.js';

export function Row({ segs, width }: { segs: readonly Seg[]; width: number }) {
  const fitted = fitSegments(segs, width);
  if (fitted.length === 0) return <Text> </Text>;
  return (
    <Text wrap="truncate-end">
      {fitted.map((s, i) => (
        <Text key={i} color={s.color} bold={s.bold} dimColor={s.dim} inverse={s.inverse}>
          {s.text}
        </Text>
      ))}
    </Text>
  );
}
