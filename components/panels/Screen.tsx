// What fills the screen above the footer in each mode: the main panels, or one of the
// overlays (help, the service's output, the error log, one error in detail).
import type { StoreApi } from 'zustand/vanilla';
import type { EngineStore, ErrorEntry } from '../../src/types.js';
import type { ErrorLogState } from '../hooks/useErrorLog.js';
import { newSince } from '../view/errorEntries.js';
import type { Layout } from '../view/layout.js';
import type { UiState } from '../view/ui.js';
import { ErrorDetail } from './ErrorDetail.js';
import { ErrorLog } from './ErrorLog.js';
import { Help } from './Help.js';
import { MainScreen } from './MainScreen.js';
import { ServiceOutputView } from './ServiceOutputView.js';

export interface ScreenProps {
  ui: UiState;
  /** the throttled mirror of the engine's store */
  view: StoreApi<EngineStore>;
  layout: Layout;
  /** rows above the footer */
  rows: number;
  /** the error log: loaded and this run's entries merged, the selected one, how loading went */
  entries: ErrorEntry[];
  selected: number;
  errorLog: ErrorLogState;
  /** this run's errors: those since the log opened count as new */
  runErrors: readonly ErrorEntry[];
  logDir?: string;
}

export function Screen({ ui, view, layout, rows, entries, selected, errorLog, runErrors, logDir }: ScreenProps) {
  const width = layout.width;
  const selectedEntry = entries[selected];
  if (ui.mode === 'help') return <Help width={width} rows={rows} top={ui.detailTop} />;
  if (ui.mode === 'output') return <ServiceOutputView store={view} width={width} rows={rows} back={ui.outputBack} />;
  if (ui.mode === 'errors' || (ui.mode === 'detail' && !selectedEntry))
    return <ErrorLog entries={entries} load={errorLog} selected={selected} newCount={newSince(runErrors, ui.openedAt)} width={width} rows={rows} logDir={logDir} />;
  if (ui.mode === 'detail' && selectedEntry)
    return <ErrorDetail entry={selectedEntry} index={selected} count={entries.length} top={ui.detailTop} width={width} rows={rows} />;
  return <MainScreen store={view} layout={layout} />;
}
