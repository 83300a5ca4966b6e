// The TUI's root: reads the engine store through a throttled mirror, lays the screen out
// within the terminal, and owns the ONE input listener that turns keys into commands.
// No business logic: keys dispatch the store's actions, panels render its state.
import { Box, useInput, type Key } from 'ink';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { StoreApi } from 'zustand/vanilla';
import type { EngineStore, RunResult } from '../src/types.js';
import { ClockContext, type Clock } from './view/clock.js';
import { clearRestart } from '../src/engine/store.js';
import { detailRows, keyOf, mergeErrors, newSince, selectedIndex } from './view/errorEntries.js';
import { useErrorLog, type ErrorLogLoader } from './hooks/useErrorLog.js';
import { useEscapeRuns } from './hooks/useEscapeRuns.js';
import { useTerminalSize } from './hooks/useTerminalSize.js';
import { useThrottledView } from './hooks/useThrottledView.js';
import { resolveCommand } from './view/keys.js';
import { computeLayout } from './view/layout.js';
import { layoutCounts } from './panels/layoutCounts.js';
import { ErrorDetail } from './panels/ErrorDetail.js';
import { ErrorLog } from './panels/ErrorLog.js';
import { Footer, type Notice } from './panels/Footer.js';
import { Help, helpLines } from './panels/Help.js';
import { MainScreen } from './panels/MainScreen.js';
import { outputRows, ServiceOutputView } from './panels/ServiceOutputView.js';
import { nothingToRollBack, rollbackPlan, rollbackQuestion } from './view/rollbackPlan.js';
import { initialUi, reduceUi, type UiEffect, type UiState } from './view/ui.js';

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

function describe(r: RunResult): Notice {
  // a service that keeps one version has nothing to go back to: an answer, not a failure
  if (!r.ok && r.kind === 'rollback' && /nothing to roll back/.test(r.message)) return { tone: 'info', text: 'nothing to roll back' };
  return { tone: r.ok ? 'ok' : 'fail', text: `${r.kind}: ${r.message || (r.ok ? 'ok' : 'failed')}` };
}

/**
 * One key repeated in one read (key repeat, `jjj` typed fast): each is a key press. Mixed
 * text (a paste) stays one input that means nothing: pasting "quit" must not quit.
 */
export function splitKeys(input: string, key: Partial<Key>): string[] {
  const chars = [...input];
  if (chars.length <= 1 || key.ctrl || key.meta || key.escape || key.return) return [input];
  return chars.every((c) => c === chars[0]) && chars[0] >= ' ' && chars[0] !== '\u007f' ? chars : [input];
}

export function App(props: AppProps) {
  const { store, onQuit } = props;
  const view = useThrottledView(store, props.throttleMs ?? DEFAULT_THROTTLE_MS, props.leadMs ?? DEFAULT_LEAD_MS);
  const { cols, rows } = useTerminalSize(props.width, props.height);
  const [ui, setUi] = useState<UiState>(initialUi);
  const uiRef = useRef(ui);
  uiRef.current = ui;
  const [notice, setNotice] = useState<Notice | undefined>();
  const errorLog = useErrorLog(props.loadErrors);
  useEffect(() => {
    if (!notice) return;
    // one timer while a notice shows; none otherwise
    const timer = setTimeout(() => setNotice(undefined), NOTICE_MS);
    return () => clearTimeout(timer);
  }, [notice]);

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
  // the selection follows its entry when newer ones arrive above it
  const selected = selectedIndex(entries, ui.selectedKey, ui.selected);
  const selectedEntry = entries[selected];

  const perform = useCallback(
    (effect: UiEffect) => {
      const actions = store.getState().actions;
      const report = (p: Promise<RunResult>): void => {
        p.then(
          (r) => setNotice(describe(r)),
          (err: unknown) => setNotice({ tone: 'fail', text: err instanceof Error ? err.message : String(err) }),
        );
      };
      switch (effect) {
        case 'trigger':
          return report(actions.trigger({ reason: 'manual' }));
        case 'verify':
          return report(actions.verify());
        case 'rollback':
          return report(actions.rollback());
        case 'nothing-to-roll-back': {
          const p = rollbackPlan(store.getState().targets[0]?.service);
          return setNotice({ tone: 'info', text: p.kind === 'nothing' ? nothingToRollBack(p.version) : 'nothing to roll back' });
        }
        case 'toggle-pause':
          // read the live store, not the throttled mirror: a fast double p must toggle twice
          return store.getState().watch.paused ? actions.resume() : actions.pause();
        case 'load-errors':
          return errorLog.load();
        case 'quit':
          return onQuit?.();
      }
    },
    [store, onQuit, errorLog.load],
  );

  // what the keys act on, as of the last render: Ink re-subscribes the input listener in a
  // passive effect, so a key read right after a render may reach the previous listener
  const shown = useRef({ entries, bodyRows, width: layout.width, plan });
  shown.current = { entries, bodyRows, width: layout.width, plan };

  const onKey = (input: string, key: Partial<Key>): void => {
    const keys = splitKeys(input, key);
    if (keys.length > 1) return keys.forEach((k) => onKey(k, {}));
    const { entries, bodyRows, width, plan } = shown.current;
    const current = uiRef.current;
    const command = resolveCommand(current.mode, input, key);
    // a key press means the restart warning was seen
    if (store.getState().restartDetected && command !== 'quit') clearRestart(store);
    if (!command) return;
    const index = selectedIndex(entries, current.selectedKey, current.selected);
    const entry = entries[index];
    const { ui: reduced, effect } = reduceUi({ ...current, selected: index }, command, {
      entryCount: entries.length,
      pageSize: Math.max(1, bodyRows - 1),
      detailLines: current.mode === 'help' ? helpLines(width).length : entry ? detailRows(entry, width).length : 0,
      outputLines: outputRows(store.getState().serviceOutput.lines, width).length,
      canRollBack: plan.kind !== 'nothing',
      now: Date.now(),
    });
    const picked = entries[reduced.selected];
    const next = { ...reduced, selectedKey: reduced.mode === 'errors' || reduced.mode === 'detail' ? (picked ? keyOf(picked) : undefined) : undefined };
    uiRef.current = next;
    setUi(next);
    setNotice(undefined);
    if (effect) perform(effect);
  };
  useInput(onKey);
  // a quick Esc Esc reaches useInput as one Esc: apply the extra presses too
  useEscapeRuns((extra) => {
    for (let i = 0; i < extra; i++) onKey('', { escape: true, meta: true });
  });

  let body;
  if (ui.mode === 'help') body = <Help width={layout.width} rows={bodyRows} top={ui.detailTop} />;
  else if (ui.mode === 'output') body = <ServiceOutputView store={view} width={layout.width} rows={bodyRows} back={ui.outputBack} />;
  else if (ui.mode === 'errors' || (ui.mode === 'detail' && !selectedEntry))
    body = (
      <ErrorLog
        entries={entries}
        load={errorLog}
        selected={selected}
        newCount={newSince(runErrors, ui.openedAt)}
        width={layout.width}
        rows={bodyRows}
        logDir={props.logDir}
      />
    );
  else if (ui.mode === 'detail' && selectedEntry)
    body = <ErrorDetail entry={selectedEntry} index={selected} count={entries.length} top={ui.detailTop} width={layout.width} rows={bodyRows} />;
  else body = <MainScreen store={view} layout={layout} />;

  return (
    <ClockContext.Provider value={props.clock ?? defaultClock}>
      <Box flexDirection="column" width={layout.width} height={layout.height} overflow="hidden">
        <Box flexDirection="column" flexGrow={1} overflow="hidden">
          {body}
        </Box>
        <Footer mode={ui.mode} width={layout.width} paused={paused} notice={notice} question={rollbackQuestion(plan)} />
      </Box>
    </ClockContext.Provider>
  );
}
