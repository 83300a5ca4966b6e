// Service header: where the service is, whether we reach it, what version it serves.
import { Box } from 'ink';
import { useContext, useRef } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { isLegacyStatus, type Status } from '../../src/protocol/wire.js';
import type { EngineStore, TargetView } from '../../src/types.js';
import { ClockContext } from '../view/clock.js';
import { visibleLine } from '../../src/protocol/visible.js';
import { formatSecondsLeft, formatUptime, shortId, textWidth, truncateMiddle } from '../view/format.js';
import { shortReason } from '../view/messages.js';
import { useNow } from '../hooks/useNow.js';
import { Row } from './Row.js';
import { segsText, type Seg } from '../view/segments.js';

export function connectionSegs(t: TargetView | undefined, now: number): Seg[] {
  const c = t?.connection;
  if (!c || c.state === 'unknown') return [{ text: '◌ connecting…', color: 'yellow' }];
  if (c.state === 'connected') {
    const word: Seg = { text: c.noStatusEndpoint ? '● connected (no status endpoint)' : '● connected', color: 'green' };
    // a poll timed out during a run: the service is busy with it (the old server answers nothing meanwhile)
    if (c.busySince !== undefined) return [word, { text: ` · reloading for ${Math.max(0, Math.floor((now - c.busySince) / 1000))}s`, color: 'yellow' }];
    return [word];
  }
  // the reason first: it is what a cut line must not lose (the URL is already shown)
  const retry =
    c.retryAt === undefined ? '' : c.retryAt > now ? ` · retry in ${formatSecondsLeft(c.retryAt - now)}` : ' · retrying…';
  return [
    { text: '✖ disconnected', color: 'red', bold: true },
    ...(c.lastError ? [{ text: ` — ${visibleLine(shortReason(c.lastError))}`, color: 'red' }] : []),
    ...(retry ? [{ text: retry, dim: true }] : []),
  ];
}

export function serviceSegs(t: TargetView | undefined, now: number): Seg[] {
  const s = t?.service;
  if (!s && t?.connection.noStatusEndpoint) return [{ text: 'no version information: the service answers no status endpoint', dim: true }];
  if (!s) return [{ text: 'no status yet', dim: true }];
  const connected = t?.connection.state === 'connected';
  const parts: string[] = isLegacyStatus(s) ? legacyParts(s) : [s.version !== undefined ? `v${s.version}` : 'version ?'];
  if (s.boot_id) parts.push(`boot ${visibleLine(shortId(String(s.boot_id)))}`);
  if (s.pid !== undefined) parts.push(`pid ${s.pid}`);
  if (s.uptime_ms !== undefined) {
    // uptime as of the last status, advanced to now while the service is reachable
    const seen = t?.connection.checkedAt;
    const extra = connected && seen !== undefined ? Math.max(0, now - seen) : 0;
    parts.push(`up ${formatUptime(s.uptime_ms + extra)}`);
  }
  if (s.agent?.name) parts.push(visibleLine(`${s.agent.name}${s.agent.version ? ` ${s.agent.version}` : ''}`));
  if (s.state === 'reloading') parts.push('reloading');
  // while disconnected these are old news: say so, and do not pretend they are live
  if (!connected) return [{ text: 'last seen: ', color: 'yellow' }, { text: parts.join(' · '), dim: true }];
  return [{ text: parts.join(' · ') }];
}

/** The old server reports no version of its own: its reloaders' versions and its file monitor instead. */
function legacyParts(s: Status): string[] {
  // reloader names are the server's words: shown, never obeyed
  const reloaders = Object.entries(s.versions ?? {}).map(([name, v]) => (v.current !== undefined ? `${visibleLine(name)} ${v.current}` : visibleLine(name)));
  const files = s.file_monitor?.monitored_files;
  return [
    ...(reloaders.length ? [`reloaders ${reloaders.join(', ')}`] : ['no version information']),
    ...(files !== undefined ? [`${files} file${files === 1 ? '' : 's'} monitored`] : []),
  ];
}

/**
 * The first line. The connection state is never cut: when the line is too narrow the
 * product name gives way first, then the URL is shortened from its middle.
 */
export function titleLineSegs(t: TargetView | undefined, now: number, width: number): Seg[] {
  const state = connectionSegs(t, now);
  const url = visibleLine(t?.apiUrl ?? '(no target)');
  const name: Seg[] = [{ text: 'auto-hot-reload', bold: true }, { text: '  ' }];
  const rest: Seg[] = [{ text: url, color: 'cyan' }, { text: '  ' }, ...state];
  if (textWidth(segsText([...name, ...rest])) <= width) return [...name, ...rest];
  // the state's first word (● connected, ✖ disconnected) must show; its reason may be cut
  const stateWidth = textWidth(state[0]?.text ?? '');
  const urlRoom = width - 2 - stateWidth;
  if (urlRoom >= 12) return [{ text: truncateMiddle(url, Math.min(textWidth(url), urlRoom)), color: 'cyan' }, { text: '  ' }, ...state];
  return state;
}

type HeaderState = { target: TargetView | undefined; restart: boolean };

export function Header({ store, width }: { store: StoreApi<EngineStore>; width: number }) {
  const clock = useContext(ClockContext);
  // Every status poll brings a new target object (uptime, checked-at) that mostly shows the
  // same: the selector keeps the last one while the lines it draws are unchanged, so an
  // idle screen is not redrawn every poll (a redraw of the whole screen costs several ms).
  const shown = useRef<{ key: string; state: HeaderState }>(undefined);
  const { target, restart } = useStore(store, (s) => {
    const state = { target: s.targets[0], restart: s.restartDetected };
    const now = clock();
    const key = JSON.stringify([titleLineSegs(state.target, now, width), serviceSegs(state.target, now), state.restart]);
    if (shown.current?.key !== key) shown.current = { key, state };
    return shown.current.state;
  });
  const c = target?.connection;
  // ticks while a retry counts down, or while the service is busy with a run ("reloading for Ns")
  const until = c?.state === 'disconnected' ? c.retryAt : c?.busySince !== undefined ? Infinity : undefined;
  const now = useNow(until, 1000);
  return (
    <Box flexDirection="column">
      <Row width={width} segs={titleLineSegs(target, now, width)} />
      <Row width={width} segs={serviceSegs(target, now)} />
      {restart && (
        <Row
          width={width}
          segs={[
            { text: '⚠ service restarted', color: 'red', bold: true, inverse: true },
            { text: ' boot id/pid changed: hot state was lost', color: 'red' },
            { text: ' · any key hides this', dim: true },
          ]}
        />
      )}
    </Box>
  );
}
