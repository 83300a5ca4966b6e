// One row per target when the engine drives several (a fleet); nothing for one target.
import { Box } from 'ink';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { EngineStore, TargetView } from '../../src/types.js';
import { padEnd } from '../format.js';
import { Row } from '../Row.js';
import type { Seg } from '../segments.js';
import { outcomeSegs } from './outcome.js';

function targetSegs(t: TargetView): Seg[] {
  const c = t.connection.state;
  return [
    { text: `  ${padEnd(t.name, 12)} ` },
    { text: padEnd(t.apiUrl, 28), dim: true },
    { text: ' ' },
    c === 'connected' ? { text: '● up  ', color: 'green' } : c === 'disconnected' ? { text: '○ down', color: 'red' } : { text: '◌ ?   ', color: 'yellow' },
    { text: `  ${t.service?.version !== undefined ? `v${t.service.version}` : 'v?'}  ` },
    ...(t.lastOutcome ? outcomeSegs(t.lastOutcome) : []),
  ];
}

export function Targets({ store, width, rows }: { store: StoreApi<EngineStore>; width: number; rows: number }) {
  const targets = useStore(store, (s) => s.targets);
  if (targets.length < 2 || rows <= 0) return null;
  const overflow = targets.length > rows;
  const shown = overflow ? targets.slice(0, rows - 1) : targets;
  return (
    <Box flexDirection="column">
      {shown.map((t) => (
        <Row key={t.name} width={width} segs={targetSegs(t)} />
      ))}
      {overflow && <Row width={width} segs={[{ text: `  … ${targets.length - shown.length} more targets`, dim: true }]} />}
    </Box>
  );
}
