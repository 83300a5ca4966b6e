// How many rows each panel would fill if it had the room: the input of the line budget
// (layout.ts). Counted from the state the way the panels render it, so a budget never
// hands a panel rows it leaves empty, nor starves one that has content.
import type { EngineState } from '../../src/types.js';
import type { LayoutCounts } from '../view/layout.js';
import { warningRowsWanted } from '../view/messages.js';
import { newestExtraRows } from './ReloadLog.js';
import { shownWarnings } from './Warnings.js';
import { verificationRows, verificationView } from '../view/verificationView.js';

/** `width`: the terminal's columns (warnings and, in both layouts, the verification are full width). */
export function layoutCounts(s: EngineState, width: number): LayoutCounts {
  return {
    targets: s.targets.length,
    warnings: shownWarnings(s.warnings).reduce((n, w) => n + warningRowsWanted(w, width), 0),
    recent: s.watch.recent.length,
    checks: verificationRows(verificationView(s.checks, s.history[0]), width),
    history: s.history.length + (s.current ? 1 : 0) + newestExtraRows(s.history[0], width),
    restart: s.restartDetected,
    output: s.serviceOutput.lines.length,
  };
}
