// Start-up diagnostics and drift warnings. A warning that is longer than a line takes two
// when the budget has them; otherwise its middle is shortened, never the fix at its end.
import { Box } from 'ink';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { EngineStore } from '../../src/types.js';
import { warningLines, warningRowsWanted } from '../messages.js';
import { Row } from '../Row.js';

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

export function Warnings({ store, width, rows }: { store: StoreApi<EngineStore>; width: number; rows: number }) {
  const warnings = useStore(store, (s) => s.warnings);
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
