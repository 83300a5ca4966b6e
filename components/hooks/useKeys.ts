// The TUI's ONE input listener: a key press becomes a command (view/keys.ts), the UI
// reducer (view/ui.ts) turns it into the next UI state and at most one effect, which
// `perform` runs. Returns the UI state (which screen, which entry is selected).
import { useInput, type Key } from 'ink';
import { useRef, useState } from 'react';
import type { StoreApi } from 'zustand/vanilla';
import { clearRestart } from '../../src/engine/store.js';
import type { EngineStore, ErrorEntry } from '../../src/types.js';
import { detailRows, keyOf, selectedIndex } from '../view/errorEntries.js';
import { helpLines } from '../view/helpRows.js';
import { resolveCommand, splitKeys } from '../view/keys.js';
import { outputRows } from '../view/outputRows.js';
import type { RollbackPlan } from '../view/rollbackPlan.js';
import { initialUi, reduceUi, type UiEffect, type UiState } from '../view/ui.js';
import { useEscapeRuns } from './useEscapeRuns.js';

/** What the keys act on, as the screen shows it. */
export interface KeyTargets {
  /** the error log's entries (loaded and this run's, merged) */
  entries: ErrorEntry[];
  /** rows above the footer */
  bodyRows: number;
  width: number;
  plan: RollbackPlan;
}

export function useKeys(
  store: StoreApi<EngineStore>,
  targets: KeyTargets,
  perform: (effect: UiEffect) => void,
  clearNotice: () => void,
): UiState {
  const [ui, setUi] = useState<UiState>(initialUi);
  const uiRef = useRef(ui);
  uiRef.current = ui;
  // what the keys act on, as of the last render: Ink re-subscribes the input listener in a
  // passive effect, so a key read right after a render may reach the previous listener
  const shown = useRef(targets);
  shown.current = targets;

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
    clearNotice();
    if (effect) perform(effect);
  };
  useInput(onKey);
  // a quick Esc Esc reaches useInput as one Esc: apply the extra presses too
  useEscapeRuns((extra) => {
    for (let i = 0; i < extra; i++) onKey('', { escape: true, meta: true });
  });
  return ui;
}
