// The fleet's decisions as events in, effects out: no I/O, no timers.
import { describe, expect, it } from 'vitest';
import { driftWarning, finalOutcome, initialFleet, step, type FleetEffect, type FleetEvent, type FleetInput, type FleetState, type TargetRun } from '../src/engine/fleet.js';

const input = (over: Partial<FleetInput> = {}): FleetInput => ({
  mode: 'trigger',
  names: ['a', 'b', 'c'],
  strategy: 'canary',
  parallel: 4,
  allowMissing: false,
  preflight: true,
  ...over,
});

const ok = (version = 2): TargetRun => ({
  outcome: 'ok',
  exitCode: 0,
  activated: true,
  activatedVersion: version,
  versionBefore: version - 1,
  versionAfter: version,
  message: `reloaded 1 module → version ${version}, verified`,
});
/** failed verification; its own pipeline rolled it back */
const selfRolledBack: TargetRun = {
  outcome: 'rolled-back',
  exitCode: 1,
  activated: true,
  activatedVersion: 2,
  versionBefore: 1,
  versionAfter: 1,
  message: 'verification failed: probe:root (HTTP 500); rolled back to version 1',
};
const reloadFailed: TargetRun = { outcome: 'failed', exitCode: 1, activated: false, versionBefore: 1, message: 'reload failed: SyntaxError' };
const undone = (v = 1): TargetRun => ({ outcome: 'rolled-back', exitCode: 0, activated: false, versionBefore: 2, versionAfter: v, message: `rolled back to version ${v}, verified` });
const undoFailed: TargetRun = { outcome: 'rollback-failed', exitCode: 4, activated: false, versionBefore: 2, message: 'rollback failed: HTTP 500 — disk on fire' };

/** Feeds events one by one; returns the final state and the effects of every step, in order. */
function drive(s: FleetState, ...events: FleetEvent[]): { s: FleetState; steps: FleetEffect[][] } {
  const steps: FleetEffect[][] = [];
  for (const e of events) {
    const [next, fx] = step(s, e);
    s = next;
    steps.push(fx);
  }
  return { s, steps };
}
const reachable = (index: number, version?: number): FleetEvent => ({ type: 'checked', index, reachable: true, ...(version !== undefined ? { version } : {}) });
const ran = (index: number, run: TargetRun): FleetEvent => ({ type: 'ran', index, run });
const outcomes = (s: FleetState) => s.slots.map(finalOutcome);

describe('fleet machine: trigger, canary', () => {
  it('checks every target, reloads the canary alone, then the rest together; all ok → exit 0', () => {
    const { s, steps } = drive(
      initialFleet(input()),
      { type: 'start' },
      reachable(0, 1),
      reachable(1, 1),
      reachable(2, 1),
      ran(0, ok()),
      ran(1, ok()),
      ran(2, ok()),
    );
    expect(steps).toEqual([
      [{ type: 'check', index: 0 }, { type: 'check', index: 1 }, { type: 'check', index: 2 }],
      [],
      [],
      [{ type: 'run', index: 0 }],
      [{ type: 'run', index: 1 }, { type: 'run', index: 2 }],
      [],
      [{ type: 'done' }],
    ]);
    expect([s.stage, s.exitCode, s.message, outcomes(s)]).toEqual(['done', 0, 'all 3 of 3 targets reloaded', ['ok', 'ok', 'ok']]);
  });

  it('the second of three fails verification → every target that kept the new version is rolled back, each from its own version', () => {
    const { s, steps } = drive(
      initialFleet(input()),
      { type: 'start' },
      reachable(0, 1),
      reachable(1, 1),
      reachable(2, 1),
      ran(0, ok(2)),
      ran(1, selfRolledBack),
      ran(2, ok(5)),
      { type: 'undone', index: 0, run: undone(1) },
      { type: 'undone', index: 2, run: undone(4) },
    );
    // b rolled itself back; c was already running when b failed, so it is undone too
    expect(steps.slice(5)).toEqual([[], [{ type: 'undo', index: 0, fromVersion: 2 }, { type: 'undo', index: 2, fromVersion: 5 }], [], [{ type: 'done' }]]);
    expect([s.exitCode, outcomes(s)]).toEqual([1, ['rolled-back', 'rolled-back', 'rolled-back']]);
    expect(s.message).toBe(
      '1 of 3 targets failed (b: verification failed: probe:root (HTTP 500); rolled back to version 1); rolled back a, b, c; no target is left on the new version',
    );
  });

  it('with --parallel 1 a failure stops the rollout: later targets are never reloaded', () => {
    const { s, steps } = drive(
      initialFleet(input({ parallel: 1 })),
      { type: 'start' },
      reachable(0),
      reachable(1),
      reachable(2),
      ran(0, ok()),
      ran(1, reloadFailed),
      { type: 'undone', index: 0, run: undone() },
    );
    expect(steps.flat().filter((e) => e.type === 'run')).toEqual([{ type: 'run', index: 0 }, { type: 'run', index: 1 }]);
    expect(steps.slice(5)).toEqual([[{ type: 'undo', index: 0, fromVersion: 2 }], [{ type: 'done' }]]);
    expect([s.exitCode, outcomes(s)]).toEqual([1, ['rolled-back', 'failed', 'skipped']]);
    expect(s.slots[2].skipped).toBe('not reloaded: b failed first');
  });

  it('a failing canary: the others are never reloaded, nothing to undo', () => {
    const { s, steps } = drive(initialFleet(input()), { type: 'start' }, reachable(0), reachable(1), reachable(2), ran(0, selfRolledBack));
    expect(steps.flat().filter((e) => e.type === 'run' || e.type === 'undo')).toEqual([{ type: 'run', index: 0 }]);
    expect(steps[4]).toEqual([{ type: 'done' }]);
    expect([s.exitCode, outcomes(s)]).toEqual([1, ['rolled-back', 'skipped', 'skipped']]);
    expect(s.message).toBe('1 of 3 targets failed (a: verification failed: probe:root (HTTP 500); rolled back to version 1); rolled back a; no target is left on the new version; 2 skipped (b, c)');
  });

  it('a rollback that fails on one target → exit 4 naming it', () => {
    const { s } = drive(
      initialFleet(input()),
      { type: 'start' },
      reachable(0),
      reachable(1),
      reachable(2),
      ran(0, ok()),
      ran(1, ok()),
      ran(2, selfRolledBack),
      { type: 'undone', index: 1, run: undoFailed },
      { type: 'undone', index: 0, run: undone() },
    );
    expect([s.exitCode, outcomes(s)]).toEqual([4, ['rolled-back', 'rollback-failed', 'rolled-back']]);
    expect(s.message).toContain('ROLLBACK FAILED on b — it may still serve the new version');
    expect(s.message).not.toContain('no target is left');
  });

  it('a target that activated and then stopped answering is rolled back too; one that activated nothing is not', () => {
    const wentDown: TargetRun = { ...ok(), outcome: 'unreachable', exitCode: 3, message: 'service unreachable during verification' };
    const nothingChanged: TargetRun = { outcome: 'ok', exitCode: 0, activated: false, versionBefore: 1, versionAfter: 1, message: 'reloaded 0 modules, verified' };
    const { s, steps } = drive(
      initialFleet(input({ strategy: 'all-at-once' })),
      { type: 'start' },
      reachable(0),
      reachable(1),
      reachable(2),
      ran(0, nothingChanged),
      ran(1, wentDown),
      ran(2, ok(7)),
    );
    expect(steps[6]).toEqual([{ type: 'undo', index: 1, fromVersion: 2 }, { type: 'undo', index: 2, fromVersion: 7 }]);
    expect(s.stage).toBe('undoing');
  });
});

describe('fleet machine: a reload that got no answer', () => {
  const noAnswer: TargetRun = { outcome: 'failed', exitCode: 1, activated: false, versionBefore: 1, message: 'reload failed: no answer within 500 ms', unsure: true };
  const start = () => drive(initialFleet(input({ strategy: 'all-at-once' })), { type: 'start' }, reachable(0, 1), reachable(1, 1), reachable(2, 1));

  it('its status is read back; a version that moved is rolled back from that version', () => {
    const { s, steps } = drive(
      start().s,
      ran(0, ok()),
      ran(1, noAnswer),
      ran(2, ok()),
      { type: 'rechecked', index: 1, reachable: true, version: 2 },
      { type: 'undone', index: 0, run: undone() },
      { type: 'undone', index: 2, run: undone() },
      { type: 'undone', index: 1, run: undone() },
    );
    expect(steps[2]).toEqual([{ type: 'undo', index: 0, fromVersion: 2 }, { type: 'recheck', index: 1 }, { type: 'undo', index: 2, fromVersion: 2 }]);
    expect(steps[3]).toEqual([{ type: 'undo', index: 1, fromVersion: 2 }]);
    expect([s.exitCode, outcomes(s)]).toEqual([1, ['rolled-back', 'rolled-back', 'rolled-back']]);
    expect(s.message).toMatch(/; rolled back a, b, c; no target is left on the new version$/);
  });

  it('a version that did not move needs nothing', () => {
    const { s, steps } = drive(start().s, ran(0, ok()), ran(1, noAnswer), ran(2, ok()), { type: 'rechecked', index: 1, reachable: true, version: 1 });
    expect(steps[3]).toEqual([]);
    expect(s.slots[1]).toMatchObject({ phase: 'ran', recheck: false });
    expect(s.slots[1].movedTo).toBeUndefined();
  });

  it('no answer to the status either: the verdict says it cannot tell', () => {
    const { s } = drive(
      start().s,
      ran(0, reloadFailed),
      ran(1, noAnswer),
      ran(2, reloadFailed),
      { type: 'rechecked', index: 1, reachable: false, detail: 'still reloading' },
    );
    expect([s.stage, s.exitCode, s.slots[1].unconfirmed]).toEqual(['done', 1, 'still reloading']);
    expect(s.message).toBe(
      '3 of 3 targets failed (a: reload failed: SyntaxError; b: reload failed: no answer within 500 ms; c: reload failed: SyntaxError); cannot tell whether b activated the new version (no answer to the reload or to status)',
    );
  });
});

describe('fleet machine: checks before anything changes', () => {
  it('one target unreachable → exit 3 naming it, and no run effect at all', () => {
    const { s, steps } = drive(
      initialFleet(input()),
      { type: 'start' },
      reachable(0, 1),
      { type: 'checked', index: 1, reachable: false, detail: 'connection refused' },
      reachable(2, 1),
    );
    expect(steps.flat().some((e) => e.type === 'run' || e.type === 'undo')).toBe(false);
    expect(steps[3]).toEqual([{ type: 'done' }]);
    expect([s.exitCode, outcomes(s)]).toEqual([3, ['skipped', 'unreachable', 'skipped']]);
    expect(s.message).toBe('unreachable: b (connection refused) — nothing was reloaded (--allow-missing skips unreachable targets)');
  });

  it('--allow-missing skips it, says so, and reloads the rest', () => {
    const { s, steps } = drive(
      initialFleet(input({ allowMissing: true })),
      { type: 'start' },
      { type: 'checked', index: 0, reachable: false, detail: 'no answer within 2000 ms' },
      reachable(1, 1),
      reachable(2, 1),
      ran(1, ok()),
      ran(2, ok()),
    );
    const warning = 'skipping a: unreachable at the start (no answer within 2000 ms); --allow-missing';
    expect(steps[3]).toEqual([{ type: 'warn', message: warning }, { type: 'run', index: 1 }]);
    expect([s.exitCode, outcomes(s), s.warnings]).toEqual([0, ['skipped', 'ok', 'ok'], [warning]]);
    expect(s.message).toBe('all 2 of 3 targets reloaded; 1 skipped (a)');
  });

  it('--allow-missing with every target unreachable is still exit 3', () => {
    const down = (index: number): FleetEvent => ({ type: 'checked', index, reachable: false, detail: 'refused' });
    const { s } = drive(initialFleet(input({ allowMissing: true, names: ['a', 'b'] })), { type: 'start' }, down(0), down(1));
    expect([s.stage, s.exitCode, s.message]).toEqual(['done', 3, 'every target is unreachable — nothing was reloaded']);
  });

  it('versions drifting between targets → a warning before the rollout', () => {
    const { s, steps } = drive(initialFleet(input()), { type: 'start' }, reachable(0, 3), reachable(1, 4), reachable(2, 3));
    const drift = 'versions drift between targets: a v3, b v4, c v3 — they do not serve the same code';
    expect(steps[3]).toEqual([{ type: 'warn', message: drift }, { type: 'run', index: 0 }]);
    expect(s.warnings).toEqual([drift]);
    expect(driftWarning(drive(initialFleet(input()), { type: 'start' }, reachable(0, 3), reachable(1, 3), reachable(2)).s)).toBeUndefined();
  });

  it('concurrency is bounded in every stage: checks, runs and rollbacks', () => {
    const names = ['a', 'b', 'c', 'd', 'e'];
    let { s, steps } = drive(initialFleet(input({ names, parallel: 2, strategy: 'all-at-once' })), { type: 'start' });
    expect(steps[0]).toEqual([{ type: 'check', index: 0 }, { type: 'check', index: 1 }]);
    ({ s, steps } = drive(s, reachable(1), reachable(0), reachable(2), reachable(3), reachable(4)));
    expect(steps).toEqual([[{ type: 'check', index: 2 }], [{ type: 'check', index: 3 }], [{ type: 'check', index: 4 }], [], [{ type: 'run', index: 0 }, { type: 'run', index: 1 }]]);
    ({ s, steps } = drive(s, ran(0, ok()), ran(1, reloadFailed), ran(2, ok(3)), ran(4, ok())));
    // b failed while c was running: d and e never start, and c is undone with a
    expect(steps.slice(0, 2)).toEqual([[{ type: 'run', index: 2 }], []]);
    expect(steps[2]).toEqual([{ type: 'undo', index: 0, fromVersion: 2 }, { type: 'undo', index: 2, fromVersion: 3 }]);
    expect(steps[3]).toEqual([]); // a stale event for a target that never ran changes nothing
    expect(s.slots.map((x) => x.phase)).toEqual(['undoing', 'ran', 'undoing', 'skipped', 'skipped']);
    expect(s.running).toBe(2);
  });
});

describe('fleet machine: verify, rollback and one target', () => {
  it('verify: every target is verified even when one fails; nothing is undone', () => {
    const bad: TargetRun = { outcome: 'failed', exitCode: 1, activated: false, message: 'verification failed: health (HTTP 503)' };
    const good: TargetRun = { outcome: 'ok', exitCode: 0, activated: false, message: 'all 3 checks passed' };
    const { s, steps } = drive(initialFleet(input({ mode: 'verify' })), { type: 'start' }, reachable(0), reachable(1), reachable(2), ran(0, bad), ran(1, good), ran(2, good));
    expect(steps[3]).toEqual([{ type: 'run', index: 0 }, { type: 'run', index: 1 }, { type: 'run', index: 2 }]);
    expect([s.exitCode, outcomes(s)]).toEqual([1, ['failed', 'ok', 'ok']]);
    expect(s.message).toBe('1 of 3 targets failed (a: verification failed: health (HTTP 503))');
  });

  it('rollback: a requested rollback that worked everywhere is exit 0', () => {
    const back: TargetRun = { outcome: 'rolled-back', exitCode: 0, activated: false, message: 'rolled back to version 1, verified' };
    const { s } = drive(initialFleet(input({ mode: 'rollback', names: ['a', 'b'] })), { type: 'start' }, reachable(0), reachable(1), ran(0, back), ran(1, back));
    expect([s.exitCode, outcomes(s), s.message]).toEqual([0, ['rolled-back', 'rolled-back'], 'all 2 of 2 targets rolled back']);
  });

  it('one target without the fleet check: runs at once, and its pipeline owns its rollback', () => {
    const { s, steps } = drive(initialFleet(input({ names: ['only'], preflight: false })), { type: 'start' }, ran(0, selfRolledBack));
    expect(steps).toEqual([[{ type: 'run', index: 0 }], [{ type: 'done' }]]);
    expect([s.exitCode, outcomes(s)]).toEqual([1, ['rolled-back']]);
  });
});
