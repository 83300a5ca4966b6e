// How many rows each panel would fill if it had the room: the input of the line budget
// (layout.ts). Counted from the state the way the panels render it, so a budget never
// hands a panel rows it leaves empty, nor starves one that has content.
import type { EngineState } from '../src/types.js';
import type { LayoutCounts } from './layout.js';
import { warningRowsWanted } from './messages.js';
import { verificationRows, verificationView } from './verificationView.js';

/** Rows the reload log wants beneath its newest row: one per fleet target, or the failure's reason. */
function newestExtraRows(s: Pick<EngineState, 'history'>): number {
  const newest = s.history[0];
  if (!newest) return 0;
  if ((newest.targets?.length ?? 0) > 1) return newest.targets!.length;
  return newest.outcome !== 'ok' && newest.message !== '' ? 1 : 0;
}

/** `width`: the terminal's columns (warnings and, in both layouts, the verification are full width). */
export function layoutCounts(s: EngineState, width: number): LayoutCounts {
  return {
    targets: s.targets.length,
    warnings: s.warnings.reduce((n, w) => n + warningRowsWanted(w, width), 0),
    recent: s.watch.recent.length,
    checks: verificationRows(verificationView(s.checks, s.history[0]), width),
    history: s.history.length + (s.current ? 1 : 0) + newestExtraRows(s),
    restart: s.restartDetected,
  };
}
