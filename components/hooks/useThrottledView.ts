// The engine store seen through a throttled mirror for as long as the component lives.
// The App is mounted once per engine, so the first source and interval are kept.
import { useEffect, useState } from 'react';
import type { StoreApi } from 'zustand/vanilla';
import { createThrottledView } from '../view/throttledView.js';

export function useThrottledView<T>(source: StoreApi<T>, intervalMs: number, leadMs = 0): StoreApi<T> {
  const [mirror] = useState(() => createThrottledView(source, intervalMs, Date.now, leadMs));
  useEffect(() => () => mirror.dispose(), [mirror]);
  return mirror.view;
}
