// The cooldown: how long until the trailing reload fires, and how many changes wait for it.
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { StoreApi } from 'zustand/vanilla';
import type { EngineStore } from '../../src/types.js';
import { visibleLine } from '../../src/protocol/visible.js';
import { formatSecondsLeft, progressBar, shortenPath } from '../view/format.js';
import { useNow } from '../hooks/useNow.js';
import { Row } from './Row.js';
import type { Seg } from '../view/segments.js';

export function Cooldown({ store, width }: { store: StoreApi<EngineStore>; width: number }) {
  const { until, cooldownMs, pending, busy } = useStore(
    store,
    useShallow((s) => ({ until: s.cooldownUntil, cooldownMs: s.config.cooldownMs, pending: s.pending, busy: s.phase !== 'idle' })),
  );
  const now = useNow(until, 200);
  const label: Seg = { text: 'Cooldown ', bold: true, color: 'cyan' };
  const waiting: Seg[] = pending.length
    ? [{ text: `${pending.length} pending`, color: 'yellow', bold: true }, { text: ` (${shortenPath(visibleLine(pending[0]), 40)}${pending.length > 1 ? ', …' : ''})`, dim: true }]
    : [{ text: 'nothing pending', dim: true }];

  if (until !== null && until > now) {
    const left = until - now;
    const barWidth = Math.max(6, Math.min(30, width - 40));
    const fraction = cooldownMs > 0 ? left / cooldownMs : 0;
    const segs: Seg[] = [label, { text: `▕${progressBar(fraction, barWidth)}▏`, color: 'yellow' }, { text: ` ${formatSecondsLeft(left)} left · ` }, ...waiting];
    return <Row width={width} segs={segs} />;
  }
  const status: Seg = pending.length && busy ? { text: 'after the current reload · ' } : { text: 'idle · ', dim: true };
  return <Row width={width} segs={[label, status, ...waiting]} />;
}
