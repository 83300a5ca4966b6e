// One row per target when the engine drives several (a fleet); nothing for one target.
// A version that differs from the others' is marked: a fleet should serve one version.
import { Box } from 'ink';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { EngineStore, TargetView } from '../../src/types.js';
import { padEnd } from '../view/format.js';
import { Row } from './Row.js';
import type { Seg } from '../view/segments.js';
import { outcomeSegs } from '../view/outcome.js';

/** The version most targets serve (the primary's on a tie), or undefined when they all agree. */
export function driftBaseline(targets: readonly TargetView[]): number | undefined {
  const versions = targets.map((t) => t.service?.version).filter((v): v is number => v !== undefined);
  if (new Set(versions).size < 2) return undefined;
  const count = (v: number) => versions.filter((x) => x === v).length;
  const primary = targets[0]?.service?.version;
  return versions.reduce((best, v) => (count(v) > count(best) || (count(v) === count(best) && v === primary) ? v : best), primary ?? versions[0]);
}

function targetSegs(t: TargetView, baseline: number | undefined): Seg[] {
  const c = t.connection.state;
  const v = t.service?.version;
  const drifted = baseline !== undefined && v !== undefined && v !== baseline;
  return [
    { text: `  ${padEnd(t.name, 12)} ` },
    { text: padEnd(t.apiUrl, 28), dim: true },
    { text: ' ' },
    c === 'connected' ? { text: '● up  ', color: 'green' } : c === 'disconnected' ? { text: '○ down', color: 'red' } : { text: '◌ ?   ', color: 'yellow' },
    drifted ? { text: `  ${`v${v}≠`}  `, color: 'yellow', bold: true } : { text: `  ${v !== undefined ? `v${v}` : 'v?'}  ` },
    ...(t.lastOutcome === 'skipped' ? [{ text: '– skipped', dim: true }] : t.lastOutcome ? outcomeSegs(t.lastOutcome) : []),
  ];
}

const SINGLE: readonly TargetView[] = [];

export function Targets({ store, width, rows }: { store: StoreApi<EngineStore>; width: number; rows: number }) {
  // one target has no rows here: its status polls must not redraw the screen
  const targets = useStore(store, (s) => (s.targets.length > 1 ? s.targets : SINGLE));
  if (targets.length < 2 || rows <= 0) return null;
  const baseline = driftBaseline(targets);
  const overflow = targets.length > rows;
  const shown = overflow ? targets.slice(0, rows - 1) : targets;
  return (
    <Box flexDirection="column">
      {shown.map((t) => (
        <Row key={t.name} width={width} segs={targetSegs(t, baseline)} />
      ))}
      {overflow && <Row width={width} segs={[{ text: `  … ${targets.length - shown.length} more targets`, dim: true }]} />}
    </Box>
  );
}
