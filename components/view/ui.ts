// The TUI's own state (which screen, which entry is selected) as a pure reducer:
// command in, new UI state and at most one effect out. The App performs the effect
// (an engine action, loading the error log, quitting); nothing here touches I/O.
import type { Command, Mode } from './keys.js';

export interface UiState {
  mode: Mode;
  /** the error log selection (index into the merged, newest-first list) */
  selected: number;
  /** the selected entry's identity: the selection follows it when new entries arrive above */
  selectedKey?: string;
  /** first visible line of the detail view, or of the help */
  detailTop: number;
  /** the service-output view: lines scrolled back from the newest (0 follows new lines) */
  outputBack: number;
  /** when the error log was opened (epoch ms): entries from then on count as new */
  openedAt?: number;
}

export type UiEffect =
  | 'trigger'
  | 'verify'
  | 'rollback'
  | 'nothing-to-roll-back'
  | 'toggle-pause'
  | 'load-errors'
  | 'quit';

export interface UiContext {
  /** entries in the error log list */
  entryCount: number;
  /** rows of the list (or of the detail view): how far PgUp/PgDn move */
  pageSize: number;
  /** lines of the open entry's detail, or of the help */
  detailLines: number;
  /** lines the service-output view holds */
  outputLines?: number;
  /** false when the service's status shows a single version: `r` says so instead of asking */
  canRollBack?: boolean;
  now?: number;
}

export const initialUi: UiState = { mode: 'main', selected: 0, detailTop: 0, outputBack: 0 };

const clamp = (n: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, n));

function move(ui: UiState, ctx: UiContext, delta: number | 'top' | 'bottom'): UiState {
  if (ui.mode === 'detail' || ui.mode === 'help') {
    const maxTop = Math.max(0, ctx.detailLines - ctx.pageSize);
    const next = delta === 'top' ? 0 : delta === 'bottom' ? maxTop : ui.detailTop + delta;
    return { ...ui, detailTop: clamp(next, 0, maxTop) };
  }
  if (ui.mode === 'output') {
    // newest at the bottom: up goes back in time; g is the oldest line, G follows the newest
    const maxBack = Math.max(0, (ctx.outputLines ?? 0) - ctx.pageSize);
    const next = delta === 'top' ? maxBack : delta === 'bottom' ? 0 : ui.outputBack - delta;
    return { ...ui, outputBack: clamp(next, 0, maxBack) };
  }
  const last = Math.max(0, ctx.entryCount - 1);
  const next = delta === 'top' ? 0 : delta === 'bottom' ? last : ui.selected + delta;
  return { ...ui, selected: clamp(next, 0, last) };
}

export function reduceUi(ui: UiState, command: Command, ctx: UiContext): { ui: UiState; effect?: UiEffect } {
  const page = Math.max(1, ctx.pageSize);
  switch (command) {
    case 'quit':
      return { ui, effect: 'quit' };
    case 'trigger':
    case 'verify':
    case 'toggle-pause':
      return { ui, effect: command };
    case 'rollback':
      // nothing to ask when there is nothing to go back to; otherwise never roll back on a
      // single stray key press: ask first
      if (ctx.canRollBack === false) return { ui, effect: 'nothing-to-roll-back' };
      return { ui: { ...ui, mode: 'confirm-rollback' } };
    case 'confirm':
      return { ui: { ...ui, mode: 'main' }, effect: 'rollback' };
    case 'cancel':
      return { ui: { ...ui, mode: 'main' } };
    case 'help':
      return { ui: { ...ui, mode: ui.mode === 'help' ? 'main' : 'help', detailTop: 0 } };
    case 'error-log':
      return { ui: { ...ui, mode: 'errors', selected: 0, selectedKey: undefined, detailTop: 0, openedAt: ctx.now }, effect: 'load-errors' };
    case 'service-output':
      return { ui: { ...ui, mode: 'output', outputBack: 0 } };
    case 'open':
      return ctx.entryCount > 0 ? { ui: { ...ui, mode: 'detail', detailTop: 0 } } : { ui };
    case 'back':
      return { ui: { ...ui, mode: ui.mode === 'detail' ? 'errors' : 'main', detailTop: 0 } };
    case 'up':
      return { ui: move(ui, ctx, -1) };
    case 'down':
      return { ui: move(ui, ctx, 1) };
    case 'page-up':
      return { ui: move(ui, ctx, -page) };
    case 'page-down':
      return { ui: move(ui, ctx, page) };
    case 'top':
      return { ui: move(ui, ctx, 'top') };
    case 'bottom':
      return { ui: move(ui, ctx, 'bottom') };
  }
}
