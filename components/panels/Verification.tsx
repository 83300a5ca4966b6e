// The last verification, one line per check: ✔ passed, ✖ failed, – skipped.
import { Box } from 'ink';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { CheckResult, EngineStore } from '../../src/types.js';
import { padEnd } from '../format.js';
import { Row } from '../Row.js';
import { titleSegs, type Seg } from '../segments.js';

function checkSegs(c: CheckResult, nameWidth: number): Seg[] {
  const mark: Seg = c.skipped ? { text: '–', dim: true } : c.ok ? { text: '✔', color: 'green' } : { text: '✖', color: 'red', bold: true };
  return [
    { text: '  ' },
    mark,
    { text: ` ${padEnd(c.name, nameWidth)}  `, bold: !c.ok && !c.skipped },
    { text: c.skipped ? `skipped${c.detail ? `: ${c.detail}` : ''}` : c.detail, dim: c.skipped || c.ok, color: !c.ok && !c.skipped ? 'red' : undefined },
  ];
}

export function Verification({ store, width, rows }: { store: StoreApi<EngineStore>; width: number; rows: number }) {
  const checks = useStore(store, (s) => s.checks);
  const failed = checks.filter((c) => !c.ok && !c.skipped).length;
  const passed = checks.filter((c) => c.ok && !c.skipped).length;
  const counted = checks.filter((c) => !c.skipped).length;
  const info: Seg[] = checks.length ? [{ text: `${passed}/${counted} passed`, color: failed ? 'red' : 'green', bold: failed > 0 }] : [];
  // when they do not all fit, failures come first: they are what the reader needs
  const overflow = checks.length > rows;
  const ordered = overflow ? [...checks.filter((c) => !c.ok && !c.skipped), ...checks.filter((c) => c.ok || c.skipped)] : checks;
  const shown = ordered.slice(0, overflow ? Math.max(0, rows - 1) : rows);
  const nameWidth = Math.min(18, Math.max(4, ...checks.map((c) => c.name.length)));
  return (
    <Box flexDirection="column">
      <Row width={width} segs={titleSegs('Verification', info, width)} />
      {rows > 0 && checks.length === 0 && <Row width={width} segs={[{ text: '  no verification yet — press v', dim: true }]} />}
      {shown.map((c, i) => (
        <Row key={`${c.name}-${i}`} width={width} segs={checkSegs(c, nameWidth)} />
      ))}
      {overflow && rows > 0 && <Row width={width} segs={[{ text: `  … ${checks.length - shown.length} more`, dim: true }]} />}
    </Box>
  );
}
