// The answer of the last action, shown in place of the key line for `showMs` (a key press
// clears it sooner): one timer while a notice shows, none otherwise.
import { useEffect, useState } from 'react';
import type { Notice } from '../view/notice.js';

export type SetNotice = (notice: Notice | undefined) => void;

export function useNotice(showMs: number): [Notice | undefined, SetNotice] {
  const [notice, setNotice] = useState<Notice | undefined>();
  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(undefined), showMs);
    return () => clearTimeout(timer);
  }, [notice, showMs]);
  return [notice, setNotice];
}
