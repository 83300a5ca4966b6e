// The service's own output (what demo and dev capture from the child they run): the full
// view on `o`, scrollable, newest at the bottom; and the tail that fills spare rows of the
// main screen. Each line is outside text: shown with its control characters made visible.
import { Box } from 'ink';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { EngineStore } from '../../src/types.js';
import { outputLineSegs, outputRows } from '../view/outputRows.js';
import { Row } from './Row.js';
import { titleSegs, type Seg } from '../view/segments.js';

const NONE = 'no output captured — demo and dev show what the service they run writes';

export function ServiceOutputView({ store, width, rows, back }: { store: StoreApi<EngineStore>; width: number; rows: number; back: number }) {
  const { lines, dropped } = useStore(store, (s) => s.serviceOutput);
  const listRows = Math.max(0, rows - 1);
  const all = outputRows(lines, width);
  const end = Math.max(0, all.length - back);
  const shown = all.slice(Math.max(0, end - listRows), end);
  const info: Seg[] = [
    { text: `${lines.length} line${lines.length === 1 ? '' : 's'}` },
    ...(dropped ? [{ text: ` · ${dropped} older dropped`, dim: true }] : []),
    ...(back > 0 ? [{ text: ` · ${back} newer rows below (G)`, color: 'yellow' }] : []),
    { text: ' · ┃ stderr', dim: true },
  ];
  return (
    <Box flexDirection="column">
      <Row width={width} segs={titleSegs('Service output', info, width)} />
      {lines.length === 0 && <Row width={width} segs={[{ text: `  ${NONE}`, dim: true }]} />}
      {shown.map((segs, i) => (
        <Row key={i} width={width} segs={segs} />
      ))}
    </Box>
  );
}

/** The last lines of the service's output under the main panels, when rows are to spare. */
export function ServiceTail({ store, width, rows }: { store: StoreApi<EngineStore>; width: number; rows: number }) {
  const lines = useStore(store, (s) => s.serviceOutput.lines);
  if (rows < 2 || lines.length === 0) return null;
  const shown = lines.slice(-(rows - 1));
  return (
    <Box flexDirection="column">
      <Row width={width} segs={titleSegs('Service output', [{ text: 'o for all', dim: true }], width)} />
      {shown.map((l, i) => (
        <Row key={i} width={width} segs={outputLineSegs(l)} />
      ))}
    </Box>
  );
}
