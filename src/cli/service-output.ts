// The service's own output (a child we run: demo, dev) into the store, line by line, so the
// TUI can show it and a failure's error-log entry can carry the lines written around it.
// Bounded twice: a line without a newline is flushed at MAX_PARTIAL characters, and the
// store keeps the last LIMITS.serviceLines lines.
import type { Readable } from 'node:stream';
import type { StoreApi } from 'zustand/vanilla';
import { appendServiceOutput, LIMITS } from '../engine/store.js';
import type { EngineStore, ServiceLine } from '../types.js';

const MAX_PARTIAL = LIMITS.lineChars;

/** Splits one stream's chunks into lines; `end()` flushes a last line without a newline. */
export function lineSplitter(onLines: (lines: string[]) => void): { write(chunk: string): void; end(): void } {
  let partial = '';
  return {
    write(chunk) {
      const parts = (partial + chunk).split(/\r?\n/);
      partial = parts.pop() ?? '';
      if (partial.length > MAX_PARTIAL) {
        parts.push(partial);
        partial = '';
      }
      if (parts.length) onLines(parts);
    },
    end() {
      if (partial) onLines([partial]);
      partial = '';
    },
  };
}

/**
 * Feeds a child's stdout and stderr into the store from now on; `seed` are lines it wrote
 * before the store existed (its start-up lines). Returns a function that stops listening.
 */
export function captureServiceOutput(
  streams: { stdout?: Readable | null; stderr?: Readable | null },
  store: StoreApi<EngineStore>,
  opts: { seed?: readonly string[]; clock?: () => number } = {},
): () => void {
  const clock = opts.clock ?? Date.now;
  const push = (stream: ServiceLine['stream'], lines: readonly string[]) =>
    appendServiceOutput(
      store,
      lines.map((text) => ({ at: clock(), stream, text })),
    );
  if (opts.seed?.length) push('stdout', opts.seed);
  const stops: (() => void)[] = [];
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = streams[name];
    if (!stream) continue;
    const split = lineSplitter((lines) => push(name, lines));
    const onData = (d: Buffer | string) => split.write(d.toString());
    const onEnd = () => split.end();
    stream.on('data', onData);
    stream.once('end', onEnd);
    stops.push(() => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      split.end();
    });
  }
  return () => stops.splice(0).forEach((stop) => stop());
}
