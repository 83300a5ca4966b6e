// Loads the error log files on demand without blocking the UI; a newer load wins over
// an older one that answers late.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ErrorEntry } from '../../src/types.js';

export type ErrorLogLoader = () => Promise<ErrorEntry[]>;

export interface ErrorLogState {
  status: 'idle' | 'loading' | 'ready' | 'error';
  entries: ErrorEntry[];
  error?: string;
}

export function useErrorLog(loader: ErrorLogLoader | undefined): ErrorLogState & { load(): void } {
  const [state, setState] = useState<ErrorLogState>({ status: 'idle', entries: [] });
  const request = useRef(0);
  const mounted = useRef(true);
  useEffect(
    () => () => {
      mounted.current = false;
    },
    [],
  );

  const load = useCallback(() => {
    const id = ++request.current;
    if (!loader) {
      setState({ status: 'ready', entries: [] });
      return;
    }
    setState((s) => ({ ...s, status: 'loading', error: undefined }));
    const settle = (next: ErrorLogState): void => {
      if (mounted.current && id === request.current) setState(next);
    };
    Promise.resolve()
      .then(loader)
      .then(
        (entries) => settle({ status: 'ready', entries: Array.isArray(entries) ? entries : [] }),
        (err: unknown) => settle({ status: 'error', entries: [], error: err instanceof Error ? err.message : String(err) }),
      );
  }, [loader]);

  return { ...state, load };
}
