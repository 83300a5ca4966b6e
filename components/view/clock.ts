// The TUI's clock, replaceable in tests. Read through Date at call time so fake timers apply.
import { createContext } from 'react';

export type Clock = () => number;
export const ClockContext = createContext<Clock>(() => Date.now());
