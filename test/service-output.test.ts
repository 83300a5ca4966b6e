// The service's output into the store (demo, dev): a real child process writing to
// stdout and stderr, split into lines per stream, bounded, the last line flushed at exit.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { captureServiceOutput, lineSplitter } from '../src/cli/service-output.js';
import { createEngineStore, LIMITS } from '../src/engine/store.js';
import type { EngineActions } from '../src/types.js';
import { makeConfig } from './helpers/config.js';

const noop = async () => ({ kind: 'verify' as const, ok: true, exitCode: 0 as const, message: '', checks: [] });
const actions: EngineActions = { trigger: noop, verify: noop, rollback: noop, pause() {}, resume() {} };

describe('service output capture', () => {
  it("a child's stdout and stderr become lines in the store, each with its stream; a last line without newline is kept", async () => {
    const store = createEngineStore(makeConfig(), actions);
    const script = [
      "process.stdout.write('serving on http://127.0.0.1:1\\nhalf a ');",
      "setTimeout(() => { process.stdout.write('line\\r\\n'); process.stderr.write('TypeError: boom\\n    at x (/a.js:1:2)\\n'); process.stdout.write('no newline at exit'); }, 20);",
    ].join('');
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    const stop = captureServiceOutput(child, store, { seed: ['started'] });
    await new Promise((r) => child.once('close', r));
    stop();
    const lines = store.getState().serviceOutput.lines.map((l) => [l.stream, l.text]);
    expect(lines.filter(([s]) => s === 'stdout')).toEqual([
      ['stdout', 'started'],
      ['stdout', 'serving on http://127.0.0.1:1'],
      ['stdout', 'half a line'],
      ['stdout', 'no newline at exit'],
    ]);
    expect(lines.filter(([s]) => s === 'stderr')).toEqual([
      ['stderr', 'TypeError: boom'],
      ['stderr', '    at x (/a.js:1:2)'],
    ]);
  });

  it('a line that never ends is flushed at the bound instead of growing', () => {
    const got: string[] = [];
    const split = lineSplitter((l) => got.push(...l));
    split.write('x'.repeat(LIMITS.lineChars + 1));
    expect(got).toHaveLength(1);
    split.write('tail');
    split.end();
    expect(got).toEqual(['x'.repeat(LIMITS.lineChars + 1), 'tail']);
  });
});
