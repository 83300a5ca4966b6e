// Watched files: which dirs, how many files, the latest changes, and whether watching is paused.
import { Box } from 'ink';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { ChangeKind, EngineStore, WatchView } from '../../src/types.js';
import { visibleLine } from '../../src/protocol/visible.js';
import { formatClock, shortenPath } from '../view/format.js';
import { Row } from './Row.js';
import { titleSegs, type Seg } from '../view/segments.js';

const KIND: Record<ChangeKind, Seg> = {
  add: { text: '+', color: 'green' },
  change: { text: '~', color: 'yellow' },
  unlink: { text: '-', color: 'red' },
};

function stateSeg(w: WatchView): Seg {
  if (w.paused) return { text: '❚❚ PAUSED (p resumes)', color: 'yellow', bold: true };
  if (!w.ready) return { text: 'starting…', color: 'yellow' };
  return { text: '● watching', color: 'green' };
}

export function Watch({ store, width, rows }: { store: StoreApi<EngineStore>; width: number; rows: number }) {
  const watch = useStore(store, (s) => s.watch);
  const dirs = watch.dirs.length ? watch.dirs.map((d) => visibleLine(d.endsWith('/') ? d : `${d}/`)).join(' ') : '(no dirs)';
  const info: Seg[] = [stateSeg(watch), { text: ` · ${watch.fileCount} file${watch.fileCount === 1 ? '' : 's'} · ` }, { text: dirs, dim: true }];
  const recent = watch.recent.slice(0, rows);
  const prefix = 2 + 8 + 2 + 1 + 1; // "  HH:MM:SS  ~ "
  return (
    <Box flexDirection="column">
      <Row width={width} segs={titleSegs('Watch', info, width)} />
      {rows > 0 && recent.length === 0 && <Row width={width} segs={[{ text: '  no changes yet', dim: true }]} />}
      {recent.map((c, i) => (
        <Row
          key={`${c.at}-${c.path}-${i}`}
          width={width}
          segs={[{ text: `  ${formatClock(c.at)}  `, dim: true }, KIND[c.kind] ?? { text: '?' }, { text: ` ${shortenPath(visibleLine(c.path), width - prefix)}` }]}
        />
      ))}
    </Box>
  );
}
