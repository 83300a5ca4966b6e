// A quick Esc Esc arrives as two ESC bytes in one read. Ink's input parser hands them to
// useInput as ONE escape key that looks exactly like a single Esc (useInput sets key.meta
// for every Esc), so the second press would be lost. The raw input is only visible on
// Ink's stdin event emitter (the one useInput itself listens to): this hook reports how
// many extra Esc presses such a run carried, so the App applies them as well.
import { useStdin } from 'ink';
import { useEffect, useRef } from 'react';

/** Extra Esc presses in one raw input: "\x1b\x1b" → 1; anything else → 0. */
export function extraEscapes(raw: unknown): number {
  return typeof raw === 'string' && raw.length >= 2 && /^\u001B+$/.test(raw) ? raw.length - 1 : 0;
}

export function useEscapeRuns(onExtra: (count: number) => void): void {
  const { internal_eventEmitter: emitter } = useStdin();
  const handler = useRef(onExtra);
  handler.current = onExtra;
  useEffect(() => {
    if (!emitter) return;
    const listener = (raw: unknown): void => {
      const extra = extraEscapes(raw);
      if (extra > 0) handler.current(extra);
    };
    emitter.on('input', listener);
    return () => {
      emitter.off('input', listener);
    };
  }, [emitter]);
}
