// Start-up diagnostics and drift warnings, one line each.
import { Box } from 'ink';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { EngineStore } from '../../src/types.js';
import { Row } from '../Row.js';

export function Warnings({ store, width, rows }: { store: StoreApi<EngineStore>; width: number; rows: number }) {
  const warnings = useStore(store, (s) => s.warnings);
  if (rows <= 0 || warnings.length === 0) return null;
  const overflow = warnings.length > rows;
  const shown = warnings.slice(0, overflow ? rows - 1 : rows);
  return (
    <Box flexDirection="column">
      {shown.map((w, i) => (
        <Row key={i} width={width} segs={[{ text: `⚠ ${w.replace(/\s*\n\s*/g, ' ')}`, color: 'yellow' }]} />
      ))}
      {overflow && <Row width={width} segs={[{ text: `⚠ … ${warnings.length - shown.length} more warnings`, color: 'yellow', dim: true }]} />}
    </Box>
  );
}
