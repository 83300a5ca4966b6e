// The reload log: the attempt in flight with its phase, then finished attempts, newest first.
import { Box } from 'ink';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { StoreApi } from 'zustand/vanilla';
import type { EngineStore, ReloadAttempt } from '../../src/types.js';
import { formatClock, formatDuration, formatVersionChange, padEnd, shortenPath } from '../format.js';
import { useNow } from '../hooks/useNow.js';
import { Row } from '../Row.js';
import { titleSegs, type Seg } from '../segments.js';
import { OUTCOME_LABEL, PHASE_LABEL } from './outcome.js';

/** Files (first one, shortened, `+N`), else modules, else nothing. */
export function whatText(a: ReloadAttempt, max: number): string {
  if (a.files.length) {
    const more = a.files.length > 1 ? ` +${a.files.length - 1}` : '';
    return shortenPath(a.files[0], Math.max(8, max - more.length)) + more;
  }
  if (a.modules.length) return a.modules.join(', ');
  return a.reason === 'manual' ? '(manual)' : '';
}

// "HH:MM:SS  " + "✔ " + 15 + " " + 11 + " " + 7 + "  "
const FIXED = 10 + 2 + 15 + 1 + 11 + 1 + 7 + 2;

export function attemptSegs(a: ReloadAttempt, width: number): Seg[] {
  const o = a.outcome ? OUTCOME_LABEL[a.outcome] : { symbol: '?', label: 'unknown', color: 'gray', bold: false };
  const failed = a.outcome !== undefined && a.outcome !== 'ok';
  // on a failure the message matters more than the full file list
  const what = whatText(a, failed ? Math.min(24, width - FIXED) : width - FIXED);
  return [
    { text: `${formatClock(a.startedAt)}  `, dim: true },
    { text: `${o.symbol} ${padEnd(o.label, 15)}`, color: o.color, bold: o.bold },
    { text: ` ${padEnd(formatVersionChange(a.versionBefore, a.versionAfter), 11)}` },
    { text: ` ${padEnd(a.durationMs !== undefined ? formatDuration(a.durationMs) : '', 7)}  `, dim: true },
    { text: what },
    ...(failed && a.message ? [{ text: `${what ? ' — ' : ''}${a.message}`, color: o.color }] : []),
  ];
}

export function ReloadLog({ store, width, rows }: { store: StoreApi<EngineStore>; width: number; rows: number }) {
  const { current, phase, history } = useStore(store, useShallow((s) => ({ current: s.current, phase: s.phase, history: s.history })));
  // the elapsed time of a running attempt ticks once a second, only while it runs
  const now = useNow(current ? Infinity : null, 1000);
  const total = history.length;
  const info: Seg[] = [{ text: total ? `${total} attempt${total === 1 ? '' : 's'}` : '', dim: true }];
  let room = Math.max(0, rows - (current ? 1 : 0));
  // the newest attempt failed: its reason gets a line of its own (the row cuts it short)
  const newest = history[0];
  const explain = newest !== undefined && newest.outcome !== 'ok' && newest.message !== '' && room >= 3;
  if (explain) room -= 1;
  const shown = history.slice(0, room);
  return (
    <Box flexDirection="column">
      <Row width={width} segs={titleSegs('Reloads', total ? info : [], width)} />
      {current && rows > 0 && (
        <Row
          width={width}
          segs={[
            { text: `${formatClock(current.startedAt)}  `, dim: true },
            { text: `▸ ${padEnd(PHASE_LABEL[phase], 15)}`, color: 'yellow', bold: true },
            { text: ` ${padEnd(formatVersionChange(current.versionBefore, current.versionAfter), 11)}` },
            { text: ` ${padEnd(formatDuration(Math.max(0, now - current.startedAt)), 7)}  `, dim: true },
            { text: whatText(current, width - FIXED) },
          ]}
        />
      )}
      {rows > 0 && !current && total === 0 && <Row width={width} segs={[{ text: 'no reloads yet — edit a watched file or press t', dim: true }]} />}
      {shown.map((a, i) => (
        <Box key={a.id} flexDirection="column">
          <Row width={width} segs={attemptSegs(a, width)} />
          {i === 0 && explain && (
            <Row width={width} segs={[{ text: '          └ ', dim: true }, { text: a.message.replace(/\s*\n\s*/g, ' '), color: a.outcome ? OUTCOME_LABEL[a.outcome].color : undefined }]} />
          )}
        </Box>
      ))}
    </Box>
  );
}
