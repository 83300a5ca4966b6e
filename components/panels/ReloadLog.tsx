// The reload log: the attempt in flight with its phase, then finished attempts, newest first.
// A fleet reload is one group: its row carries a per-target tally, and the newest one lists
// each target's outcome beneath it as far as the rows allow.
import { Box } from 'ink';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { StoreApi } from 'zustand/vanilla';
import type { EngineStore, ReloadAttempt, TargetOutcome, TargetResult } from '../../src/types.js';
import { formatClock, formatDuration, formatVersionChange, padEnd, shortenPath } from '../format.js';
import { useNow } from '../hooks/useNow.js';
import { Row } from '../Row.js';
import { titleSegs, type Seg } from '../segments.js';
import { OUTCOME_LABEL, PHASE_LABEL, STALE_LABEL } from './outcome.js';

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
const VERSION_WIDTH = 11;
const FIXED = 10 + 2 + 15 + 1 + VERSION_WIDTH + 1 + 7 + 2;

/**
 * The version column. A rolled-back attempt names the version that failed as well as the
 * one left serving — `v2→v3↩v2` — shortened to `v3↩v2` when that does not fit.
 */
export function versionCell(
  a: Pick<ReloadAttempt, 'versionBefore' | 'versionAfter' | 'versionActivated' | 'outcome'>,
  width = VERSION_WIDTH,
): string {
  const plain = formatVersionChange(a.versionBefore, a.versionAfter);
  if (a.outcome !== 'rolled-back' || a.versionActivated === undefined || a.versionActivated === a.versionAfter) return plain;
  const after = a.versionAfter !== undefined ? `v${a.versionAfter}` : '?';
  const full = a.versionBefore !== undefined ? `v${a.versionBefore}→v${a.versionActivated}↩${after}` : '';
  return full && full.length <= width ? full : `v${a.versionActivated}↩${after}`;
}

const TARGET_MARK: Record<TargetOutcome, { symbol: string; label: string; color: string; bold?: boolean }> = {
  ...OUTCOME_LABEL,
  skipped: { symbol: '–', label: 'skipped', color: 'gray' },
};

const isFleet = (a: ReloadAttempt): a is ReloadAttempt & { targets: TargetResult[] } => (a.targets?.length ?? 0) > 1;

/** `✔2 ↺1 –1`: how many targets ended in each outcome, worst last. */
export function tallySegs(targets: readonly TargetResult[]): Seg[] {
  const order: TargetOutcome[] = ['ok', 'skipped', 'rolled-back', 'failed', 'unreachable', 'rollback-failed'];
  const segs: Seg[] = [{ text: ' [', dim: true }];
  for (const o of order) {
    const n = targets.filter((t) => t.outcome === o).length;
    if (n > 0) segs.push({ text: `${segs.length > 1 ? ' ' : ''}${TARGET_MARK[o].symbol}${n}`, color: TARGET_MARK[o].color, bold: TARGET_MARK[o].bold });
  }
  segs.push({ text: ']', dim: true });
  return segs;
}

/** One target of a fleet reload, beneath its group row. */
export function targetRowSegs(t: TargetResult, last: boolean): Seg[] {
  const m = TARGET_MARK[t.outcome];
  const head = `          ${last ? '└' : '├'} `;
  return [
    { text: head, dim: true },
    { text: `${padEnd(t.name, 12)} ` },
    { text: `${m.symbol} ${padEnd(m.label, 15)}`, color: m.color, bold: m.bold },
    { text: ` ${padEnd(formatVersionChange(t.versionBefore, t.versionAfter), 11)}` },
    ...(t.outcome !== 'ok' ? [{ text: ` ${t.message.replace(/\s*\n\s*/g, ' ')}`, color: m.color }] : []),
  ];
}

const stale = (a: ReloadAttempt) => a.outcome === 'ok' && (a.notReloadable?.length ?? 0) > 0;

export function attemptSegs(a: ReloadAttempt, width: number): Seg[] {
  const o = stale(a) ? STALE_LABEL : a.outcome ? OUTCOME_LABEL[a.outcome] : { symbol: '?', label: 'unknown', color: 'gray', bold: false };
  const failed = (a.outcome !== undefined && a.outcome !== 'ok') || stale(a);
  // on a failure the message matters more than the full file list
  const what = whatText(a, failed ? Math.min(24, width - FIXED) : width - FIXED);
  return [
    { text: `${formatClock(a.startedAt)}  `, dim: true },
    { text: `${o.symbol} ${padEnd(o.label, 15)}`, color: o.color, bold: o.bold },
    { text: ` ${padEnd(versionCell(a), VERSION_WIDTH)}` },
    { text: ` ${padEnd(a.durationMs !== undefined ? formatDuration(a.durationMs) : '', 7)}  `, dim: true },
    { text: what },
    ...(isFleet(a) ? tallySegs(a.targets) : []),
    ...(failed && a.message ? [{ text: `${what || isFleet(a) ? ' — ' : ''}${a.message}`, color: o.color }] : []),
  ];
}

export function ReloadLog({ store, width, rows }: { store: StoreApi<EngineStore>; width: number; rows: number }) {
  const { current, phase, history } = useStore(store, useShallow((s) => ({ current: s.current, phase: s.phase, history: s.history })));
  // the elapsed time of a running attempt ticks once a second, only while it runs
  const now = useNow(current ? Infinity : null, 1000);
  const total = history.length;
  const info: Seg[] = [{ text: total ? `${total} attempt${total === 1 ? '' : 's'}` : '', dim: true }];
  let room = Math.max(0, rows - (current ? 1 : 0));
  // the newest attempt failed: its reason gets a line of its own (the row cuts it short);
  // a fleet's per-target rows say it better, as many as fit beside one older attempt
  const newest = history[0];
  const fleetRows = newest && isFleet(newest) ? Math.min(newest.targets.length, Math.max(0, room - 1 - (total > 1 ? 1 : 0))) : 0;
  const explain = fleetRows === 0 && newest !== undefined && (newest.outcome !== 'ok' || stale(newest)) && newest.message !== '' && room >= 3;
  if (explain) room -= 1;
  room -= fleetRows;
  const shown = history.slice(0, room);
  const groupRows = fleetRows > 0 && newest && isFleet(newest) ? fleetGroup(newest.targets, fleetRows, width) : [];
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
            ...(current.targets?.length ? tallySegs(current.targets) : []),
          ]}
        />
      )}
      {rows > 0 && !current && total === 0 && <Row width={width} segs={[{ text: 'no reloads yet — edit a watched file or press t', dim: true }]} />}
      {shown.map((a, i) => (
        <Box key={a.id} flexDirection="column">
          <Row width={width} segs={attemptSegs(a, width)} />
          {i === 0 && groupRows.map((segs, j) => <Row key={j} width={width} segs={segs} />)}
          {i === 0 && explain && (
            <Row width={width} segs={[{ text: '          └ ', dim: true }, { text: a.message.replace(/\s*\n\s*/g, ' '), color: stale(a) ? STALE_LABEL.color : a.outcome ? OUTCOME_LABEL[a.outcome].color : undefined }]} />
          )}
        </Box>
      ))}
    </Box>
  );
}

/** The rows beneath a fleet reload: one per target, or `… N more` in the last row that fits. */
function fleetGroup(targets: readonly TargetResult[], rows: number, width: number): Seg[][] {
  if (targets.length <= rows) return targets.map((t, i) => targetRowSegs(t, i === targets.length - 1));
  const shown = targets.slice(0, rows - 1).map((t) => targetRowSegs(t, false));
  return [...shown, [{ text: `          └ … ${targets.length - shown.length} more targets`, dim: true }]];
}
