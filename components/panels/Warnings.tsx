// Start-up diagnostics and drift warnings. A warning that is longer than a line takes two
// when the budget has them; otherwise its middle is shortened, never the fix at its end.
import { Box } from 'ink';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { RESTART_WARNING } from '../../src/engine/store.js';
import type { EngineStore } from '../../src/types.js';
import { visibleLine } from '../../src/protocol/visible.js';
import { warningLines, warningRowsWanted } from '../view/messages.js';
import { Row } from './Row.js';

/** Lines each shown warning gets within `rows`: one each, a second for the first long ones. */
export function warningBudget(warnings: readonly string[], width: number, rows: number): number[] {
  if (rows <= 0) return [];
  if (warnings.length > rows) return warnings.slice(0, Math.max(0, rows - 1)).map(() => 1);
  let spare = rows - warnings.length;
  return warnings.map((w) => {
    if (spare > 0 && warningRowsWanted(w, width) > 1) {
      spare--;
      return 2;
    }
    return 1;
  });
}

/** The warnings this panel lists: the restart has its own line in the header. */
export const shownWarnings = (warnings: readonly string[]): string[] => warnings.filter((w) => w !== RESTART_WARNING).map((w) => visibleLine(w.replace(/\s*\n\s*/g, ' ')));

export function Warnings({ store, width, rows }: { store: StoreApi<EngineStore>; width: number; rows: number }) {
  const all = useStore(store, (s) => s.warnings);
  const warnings = shownWarnings(all);
  if (rows <= 0 || warnings.length === 0) return null;
  const budget = warningBudget(warnings, width, rows);
  const hidden = warnings.length - budget.length;
  return (
    <Box flexDirection="column">
      {budget.flatMap((n, i) =>
        warningLines(warnings[i], width, n).map((line, j) => (
          <Row key={`${i}-${j}`} width={width} segs={[{ text: `${j === 0 ? '⚠' : ' '} ${line}`, color: 'yellow' }]} />
        )),
      )}
      {hidden > 0 && <Row width={width} segs={[{ text: `⚠ … ${hidden} more warnings`, color: 'yellow', dim: true }]} />}
    </Box>
  );
}
