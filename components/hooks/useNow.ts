// The current time, re-read every `intervalMs` while a countdown runs and never otherwise:
// an idle TUI holds no timers (spinners and clocks cost CPU, ink #560).
import { useContext, useEffect, useState } from 'react';
import { ClockContext } from '../view/clock.js';

/** Ticks while `clock() < until`; `until` null/undefined means no countdown. */
export function useNow(until: number | null | undefined, intervalMs: number): number {
  const clock = useContext(ClockContext);
  const [, setTick] = useState(0);
  const running = until !== null && until !== undefined && clock() < until;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => {
      setTick((n) => n + 1);
      // one last tick renders the end of the countdown, then the timer stops
      if (clock() >= (until as number)) clearInterval(timer);
    }, intervalMs);
    return () => clearInterval(timer);
  }, [running, until, intervalMs, clock]);
  return clock();
}
