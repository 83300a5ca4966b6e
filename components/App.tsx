// The TUI's root: reads the engine store through a throttled mirror, lays the screen out
// within the terminal, and wires the ONE input listener (hooks/useKeys.ts) that turns keys
// into commands. No business logic: keys dispatch the store's actions, panels render its state.
import { Box } from 'ink';
import { useMemo } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { StoreApi } from 'zustand/vanilla';
import type { EngineStore } from '../src/types.js';
import { ClockContext, type Clock } from './view/clock.js';
import { mergeErrors, selectedIndex } from './view/errorEntries.js';
import { useErrorLog, type ErrorLogLoader } from './hooks/useErrorLog.js';
import { useKeys } from './hooks/useKeys.js';
import { useNotice } from './hooks/useNotice.js';
import { usePerform } from './hooks/usePerform.js';
import { useTerminalSize } from './hooks/useTerminalSize.js';
import { useThrottledView } from './hooks/useThrottledView.js';
import { computeLayout } from './view/layout.js';
import { layoutCounts } from './panels/layoutCounts.js';
import { Footer } from './panels/Footer.js';
import { Screen } from './panels/Screen.js';
import { rollbackPlan, rollbackQuestion } from './view/rollbackPlan.js';

/** Redraw at most this often under event storms (~15 frames per second). */
export const DEFAULT_THROTTLE_MS = 66;
/**
 * The first redraw after a quiet spell waits this long: past the one-file quiet window
 * (4 ms by default, at most 15 when widened), so a save's reload request is sent before
 * the screen holds the event loop (throttledView.ts).
 */
export const DEFAULT_LEAD_MS = 25;
/** How long the answer of an action replaces the key line (a key press clears it sooner). */
export const NOTICE_MS = 6000;

export interface AppProps {
  store: StoreApi<EngineStore>;
  /** reads the error log files; called each time the error log opens */
  loadErrors?: ErrorLogLoader;
  /** the quit command (q, Ctrl+C): the caller tears down */
  onQuit?: () => void;
  /** fixed size (tests); otherwise the terminal's, following resize events */
  width?: number;
  height?: number;
  clock?: Clock;
  throttleMs?: number;
  leadMs?: number;
  /** shown in the error log title */
  logDir?: string;
}

const defaultClock: Clock = () => Date.now();

export function App(props: AppProps) {
  const { store, onQuit } = props;
  const view = useThrottledView(store, props.throttleMs ?? DEFAULT_THROTTLE_MS, props.leadMs ?? DEFAULT_LEAD_MS);
  const { cols, rows } = useTerminalSize(props.width, props.height);
  const [notice, setNotice] = useNotice(NOTICE_MS);
  const errorLog = useErrorLog(props.loadErrors);

  const counts = useStore(
    view,
    useShallow((s) => layoutCounts(s, Math.max(20, cols))),
  );
  const paused = useStore(view, (s) => s.watch.paused);
  const runErrors = useStore(view, (s) => s.errors);
  // only what the rollback question needs: a status poll must not redraw the screen
  const plan = useStore(view, useShallow((s) => rollbackPlan(s.targets[0]?.service)));
  const layout = computeLayout(cols, rows, counts);
  const entries = useMemo(() => mergeErrors(errorLog.entries, runErrors), [errorLog.entries, runErrors]);
  const bodyRows = layout.height - 1; // all but the footer

  const perform = usePerform(store, setNotice, errorLog.load, onQuit);
  const ui = useKeys(store, { entries, bodyRows, width: layout.width, plan }, perform, () => setNotice(undefined));
  // the selection follows its entry when newer ones arrive above it
  const selected = selectedIndex(entries, ui.selectedKey, ui.selected);

  return (
    <ClockContext.Provider value={props.clock ?? defaultClock}>
      <Box flexDirection="column" width={layout.width} height={layout.height} overflow="hidden">
        <Box flexDirection="column" flexGrow={1} overflow="hidden">
          <Screen ui={ui} view={view} layout={layout} rows={bodyRows} entries={entries} selected={selected} errorLog={errorLog} runErrors={runErrors} logDir={props.logDir} />
        </Box>
        <Footer mode={ui.mode} width={layout.width} paused={paused} notice={notice} question={rollbackQuestion(plan)} />
      </Box>
    </ClockContext.Provider>
  );
}
