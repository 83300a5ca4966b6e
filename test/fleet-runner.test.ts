// The fleet runner's shell: effects performed concurrently up to the bound, results fed
// back in arrival order, a throwing performer a state (never a hang or a crash).
import { describe, expect, it } from 'vitest';
import type { FleetInput } from '../src/engine/fleet.js';
import { runFleet, summarize, type FleetPerformers } from '../src/engine/fleet-runner.js';
import type { PipelineReport } from '../src/engine/pipeline-runner.js';
import type { PipelineState } from '../src/engine/pipeline.js';

const input = (over: Partial<FleetInput> = {}): FleetInput => ({
  mode: 'trigger',
  names: ['a', 'b', 'c', 'd', 'e'],
  strategy: 'all-at-once',
  parallel: 2,
  allowMissing: false,
  preflight: true,
  ...over,
});

/** A finished per-target pipeline report, as runPipeline returns it. */
function report(state: Partial<PipelineState>): PipelineReport {
  const full = {
    input: { mode: 'trigger', verify: true, request: {}, baseline: null },
    stage: 'done',
    before: null,
    checks: [],
    reverifyChecks: [],
    restartDetected: false,
    message: '',
    ...state,
  } as PipelineState;
  return { state: full, steps: [], lastStatus: null, startedAt: 0, finishedAt: 0 };
}
const okReport = (v: number) =>
  report({
    outcome: 'ok',
    exitCode: 0,
    versionBefore: v - 1,
    versionAfter: v,
    message: 'ok',
    reload: { success: true, message: '', reloaded_modules: ['x'], failed_modules: [], activated: true, version: v },
  });
const tick = () => new Promise((r) => setTimeout(r, 1));

describe('runFleet', () => {
  it('never runs more than `parallel` effects at once, in any stage', async () => {
    let now = 0;
    let peak = 0;
    const track = async <T>(fn: () => T): Promise<T> => {
      now++;
      peak = Math.max(peak, now);
      await tick();
      await tick();
      now--;
      return fn();
    };
    const perform: FleetPerformers = {
      check: () => track(() => ({ reachable: true, version: 1 })),
      run: (i) => track(() => (i === 2 ? report({ outcome: 'failed', exitCode: 1, message: 'reload failed: boom' }) : okReport(2))),
      undo: () => track(() => report({ outcome: 'rolled-back', exitCode: 0, versionAfter: 1, message: 'rolled back to version 1, verified' })),
    };
    const { state, runs, undos } = await runFleet(input(), perform);
    expect(peak).toBe(2);
    expect(state.exitCode).toBe(1);
    // c failed while d ran: e never started; a, b and d kept version 2 and were undone
    expect(runs.map((r) => r !== undefined)).toEqual([true, true, true, true, false]);
    expect(undos.map((r) => r !== undefined)).toEqual([true, true, false, true, false]);
  });

  it('a performer that throws is a state: unreachable check, failed run, failed rollback', async () => {
    const down = await runFleet(input({ names: ['a', 'b'] }), {
      check: async (i) => {
        if (i === 1) throw new Error('socket exploded');
        return { reachable: true };
      },
      run: async () => okReport(2),
      undo: async () => okReport(1),
    });
    expect([down.state.exitCode, down.state.message]).toEqual([3, 'unreachable: b (internal error: socket exploded) — nothing was reloaded (--allow-missing skips unreachable targets)']);

    const broken = await runFleet(input({ names: ['a', 'b'], strategy: 'canary' }), {
      check: async () => ({ reachable: true }),
      run: async (i) => {
        if (i === 1) throw new Error('bug');
        return okReport(2);
      },
      undo: async () => {
        throw new Error('bug in undo');
      },
    });
    expect(broken.state.exitCode).toBe(4);
    expect(broken.state.slots.map((x) => [x.run?.message, x.undo?.outcome])).toEqual([
      ['ok', 'rollback-failed'],
      ['internal error: bug', undefined],
    ]);
  });

  it('warnings reach the warn performer; onState sees every step', async () => {
    const warned: string[] = [];
    const stages: string[] = [];
    await runFleet(input({ names: ['a', 'b'] }), {
      check: async (i) => ({ reachable: true, version: i + 1 }),
      run: async () => okReport(3),
      undo: async () => okReport(1),
      warn: (w) => warned.push(w),
      onState: (s) => stages.push(s.stage),
    });
    expect(warned).toEqual(['versions drift between targets: a v1, b v2 — they do not serve the same code']);
    expect(stages[0]).toBe('checking');
    expect(stages.at(-1)).toBe('done');
    expect(stages).toContain('rollout');
  });

  it('summarize: activation and the unsure reload come from the pipeline state', () => {
    expect(summarize(okReport(4))).toMatchObject({ activated: true, activatedVersion: 4, exitCode: 0 });
    const timedOut = report({ outcome: 'failed', exitCode: 1, message: 'reload failed: no answer', reloadFailure: { kind: 'timeout', message: 'no answer' } });
    expect(summarize(timedOut)).toMatchObject({ activated: false, unsure: true });
    const refused = report({ outcome: 'failed', exitCode: 1, message: 'reload failed: HTTP 500', reloadFailure: { kind: 'http', message: 'HTTP 500', httpStatus: 500 } });
    expect(summarize(refused).unsure).toBeUndefined();
  });
});
