// The reload log: the attempt in flight with its phase, then finished attempts, newest first.
// A fleet reload is one group: its row carries a per-target tally, and the newest one lists
// each target's outcome beneath it as far as the rows allow.
import { Box } from 'ink';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { StoreApi } from 'zustand/vanilla';
import type { EngineStore, ReloadAttempt, TargetOutcome, TargetResult } from '../../src/types.js';
import { visibleLine } from '../../src/protocol/visible.js';
import { failureLines } from '../view/failureText.js';
import { baseName, formatClock, formatDuration, formatVersionChange, padEnd, shortenPath, textWidth } from '../view/format.js';
import { reloadLogWidth } from '../view/layout.js';
import { useNow } from '../hooks/useNow.js';
import { Row } from './Row.js';
import { titleSegs, type Seg } from '../view/segments.js';
import { OUTCOME_LABEL, PHASE_LABEL, STALE_LABEL } from '../view/outcome.js';
import { tally } from '../view/verificationView.js';

/** Files (first one, shortened — its base name when the room is short — and `+N`), else modules, else nothing. */
export function whatText(a: ReloadAttempt, max: number): string {
  if (a.files.length) {
    const more = a.files.length > 1 ? ` +${a.files.length - 1}` : '';
    const first = visibleLine(a.files[0]);
    const room = Math.max(8, max - more.length);
    return (textWidth(first) <= room ? first : shortenPath(first.includes('/') ? baseName(first) : first, room)) + more;
  }
  if (a.kind === 'verify' && a.checks.length) {
    const t = tally(a.checks); // skipped and failed advisory checks are not counted
    return `${t.passed}/${t.counted} checks`;
  }
  if (a.modules.length) return visibleLine(a.modules.join(', '));
  if (a.kind === 'rollback') return ''; // its label says it all
  return a.reason === 'manual' ? '(manual)' : '';
}

const VERSION_WIDTH = 11;
/** Below this width the least needed columns give way: the status becomes its glyph, the duration goes. */
export const COMPACT_BELOW = 72;

/** Column widths of a row at `width`: `HH:MM:SS  ✔ ok              v1 → v2     120ms    what`. */
export function columns(width: number): { compact: boolean; label: number; version: number; fixed: number; indent: number } {
  const compact = width < COMPACT_BELOW;
  // time 10 · status (glyph + label) · version · duration 7 + 2
  return compact
    ? { compact, label: 0, version: 7, fixed: 10 + 2 + 8 + 1, indent: 4 }
    : { compact, label: 15, version: VERSION_WIDTH, fixed: 10 + 2 + 15 + 1 + VERSION_WIDTH + 1 + 7 + 2, indent: 12 };
}

/**
 * The version column. A rolled-back attempt names the version that failed as well as the
 * one left serving — `v2→v3↩v2` — shortened to `v3↩v2` when that does not fit.
 */
export function versionCell(
  a: Pick<ReloadAttempt, 'versionBefore' | 'versionAfter' | 'versionActivated' | 'outcome'>,
  width = VERSION_WIDTH,
): string {
  const change = formatVersionChange(a.versionBefore, a.versionAfter);
  const plain = change.length > width ? change.replace(' → ', '→') : change;
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
    { text: `${padEnd(visibleLine(t.name), 12)} ` },
    { text: `${m.symbol} ${padEnd(m.label, 15)}`, color: m.color, bold: m.bold },
    { text: ` ${padEnd(formatVersionChange(t.versionBefore, t.versionAfter), 11)}` },
    ...(t.outcome !== 'ok' ? [{ text: ` ${visibleLine(t.message.replace(/\s*\n\s*/g, ' '))}`, color: m.color }] : []),
  ];
}

// an ok reload that left files loaded by Node stale: a warning, with its reason beneath
const stale = (a: ReloadAttempt) => a.outcome === 'ok' && (a.notReloadable?.length ?? 0) > 0;

type Mark = { symbol: string; label: string; color: string; bold?: boolean; neutral?: boolean };

/**
 * How a finished attempt reads: a reload by its outcome; a verification alone as
 * `verified` / `verify failed` (it changed nothing); a rollback the service had nothing
 * for as a neutral `no rollback`.
 */
export function attemptMark(a: ReloadAttempt): Mark {
  if (!a.outcome) return { symbol: '?', label: 'unknown', color: 'gray' };
  if (stale(a)) return STALE_LABEL;
  if (a.kind === 'verify' && a.outcome === 'ok') return { symbol: '✔', label: 'verified', color: 'green' };
  if (a.kind === 'verify' && a.outcome === 'failed') return { symbol: '✖', label: 'verify failed', color: 'red' };
  if (a.kind === 'rollback' && a.outcome !== 'rolled-back' && /nothing to roll back/.test(a.message)) {
    return { symbol: '–', label: 'no rollback', color: 'gray', neutral: true };
  }
  return OUTCOME_LABEL[a.outcome];
}

/** The version column: a verification names the version it checked, a reload its change. */
function versionText(a: ReloadAttempt, width: number): string {
  if (a.kind === 'verify') {
    const v = a.versionAfter ?? a.versionBefore;
    return v !== undefined ? `v${v}` : '–';
  }
  return versionCell(a, width);
}

export function attemptSegs(a: ReloadAttempt, width: number): Seg[] {
  const o = attemptMark(a);
  const col = columns(width);
  const failed = (a.outcome !== undefined && a.outcome !== 'ok' && !o.neutral) || stale(a);
  // on a failure the message matters more than the full file list
  const what = whatText(a, failed ? Math.min(24, width - col.fixed) : width - col.fixed);
  // a neutral answer reads as itself, not as the failure it was reported as
  const message = visibleLine(a.message.replace(/\s*\n\s*/g, ' ').replace(o.neutral ? /^rollback failed: / : /^$/, ''));
  return [
    { text: `${formatClock(a.startedAt)}  `, dim: true },
    { text: col.compact ? `${o.symbol} ` : `${o.symbol} ${padEnd(o.label, col.label)}`, color: o.color, bold: o.bold },
    { text: ` ${padEnd(versionText(a, col.version), col.version)}` },
    col.compact ? { text: ' ' } : { text: ` ${padEnd(a.durationMs !== undefined ? formatDuration(a.durationMs) : '', 7)}  `, dim: true },
    { text: what },
    ...(isFleet(a) ? tallySegs(a.targets) : []),
    ...((failed || o.neutral) && message ? [{ text: `${what || isFleet(a) ? ' — ' : ''}${message}`, color: o.color, dim: o.neutral }] : []),
    ...(a.notReleased ? [{ text: ` ⚠ ${visibleLine(a.notReleased)}`, color: 'yellow' }] : []),
  ];
}

/**
 * Rows beneath the newest attempt that say more than its row can: the failure's reason,
 * file:line first, over up to 3 lines. (Other notes about the attempt belong here too.)
 */
export function attemptNotes(a: ReloadAttempt, width: number): Seg[][] {
  const o = attemptMark(a);
  if (!a.outcome || (a.outcome === 'ok' && !stale(a)) || o.neutral || isFleet(a)) return [];
  const col = columns(width);
  const head = col.compact ? '  └ ' : '          └ ';
  return failureLines(a.message, width - col.indent).map((line, i) => [
    { text: i === 0 ? head : ' '.repeat(col.indent), dim: true },
    { text: line, color: o.color },
  ]);
}

/** Rows the reload log wants beneath its newest attempt at `cols` terminal columns. */
export function newestExtraRows(newest: ReloadAttempt | undefined, cols: number): number {
  if (!newest) return 0;
  if (isFleet(newest)) return newest.targets.length;
  return attemptNotes(newest, reloadLogWidth(cols)).length;
}

export function ReloadLog({ store, width, rows }: { store: StoreApi<EngineStore>; width: number; rows: number }) {
  const { current, phase, history } = useStore(store, useShallow((s) => ({ current: s.current, phase: s.phase, history: s.history })));
  // the elapsed time of a running attempt ticks once a second, only while it runs
  const now = useNow(current ? Infinity : null, 1000);
  const total = history.length;
  const col = columns(width);
  const info: Seg[] = [{ text: total ? `${total} attempt${total === 1 ? '' : 's'}` : '', dim: true }];
  let room = Math.max(0, rows - (current ? 1 : 0));
  // the newest attempt: a fleet's per-target rows (as many as fit beside one older
  // attempt), or its notes — the failure's reason — beneath its own row
  const newest = history[0];
  const fleetRows = newest && isFleet(newest) ? Math.min(newest.targets.length, Math.max(0, room - 1 - (total > 1 ? 1 : 0))) : 0;
  const notes = fleetRows === 0 && newest ? attemptNotes(newest, width) : [];
  const noteRows = notes.slice(0, Math.max(0, room - 1));
  room -= noteRows.length + fleetRows;
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
            { text: `▸ ${col.compact ? `${PHASE_LABEL[phase]} ` : padEnd(PHASE_LABEL[phase], 15)}`, color: 'yellow', bold: true },
            { text: ` ${padEnd(formatVersionChange(current.versionBefore, current.versionAfter), col.version)}` },
            { text: ` ${padEnd(formatDuration(Math.max(0, now - current.startedAt)), 7)}  `, dim: true },
            { text: whatText(current, width - col.fixed) },
            ...(current.targets?.length ? tallySegs(current.targets) : []),
          ]}
        />
      )}
      {rows > 0 && !current && total === 0 && <Row width={width} segs={[{ text: 'no reloads yet — edit a watched file or press t', dim: true }]} />}
      {shown.map((a, i) => (
        <Box key={a.id} flexDirection="column">
          <Row width={width} segs={attemptSegs(a, width)} />
          {i === 0 && groupRows.map((segs, j) => <Row key={j} width={width} segs={segs} />)}
          {i === 0 && noteRows.map((segs, j) => <Row key={`n${j}`} width={width} segs={segs} />)}
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
