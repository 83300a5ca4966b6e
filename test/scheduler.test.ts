import { describe, expect, it } from 'vitest';
import {
  BUSY,
  cooldownDeadline,
  createSchedulerState,
  currentQuietMs,
  LEARN,
  MULTI,
  STALL_MS,
  STORM,
  step,
  type SchedulerEffect,
  type SchedulerEvent,
  type SchedulerState,
} from '../src/engine/scheduler.js';

const opts = { debounceMs: 50, cooldownMs: 5000 };

/** Feeds events in order; returns the final state and every effect, tagged with the event's time. */
function run(events: SchedulerEvent[], state = createSchedulerState(opts)) {
  const log: { now: number; effect: SchedulerEffect }[] = [];
  let s: SchedulerState = state;
  for (const e of events) {
    const [next, effects] = step(s, e);
    s = next;
    for (const effect of effects) log.push({ now: e.now, effect });
  }
  return { state: s, log, reloads: log.filter((l) => l.effect.type === 'reload') };
}

describe('scheduler', () => {
  it('groups a burst within the quiet window into one batch, then reloads at once', () => {
    const { state, log } = run([
      { type: 'change', paths: ['a.js'], now: 1000 },
      { type: 'change', paths: ['b.js', 'a.js'], now: 1020 },
      { type: 'change', paths: ['c.js'], now: 1060 },
    ]);
    expect(log.map((l) => l.effect)).toEqual([
      { type: 'scheduleTick', at: 1050 },
      { type: 'scheduleTick', at: 1070 },
      { type: 'scheduleTick', at: 1110 },
    ]);
    expect(state.pending).toEqual(['a.js', 'b.js', 'c.js']);
    const [after, effects] = step(state, { type: 'tick', now: 1110 });
    expect(effects).toEqual([{ type: 'reload', paths: ['a.js', 'b.js', 'c.js'], reason: 'watch' }]);
    expect(after.pending).toEqual([]);
    expect(after.running).toBe(true);
    expect(cooldownDeadline(after, 1110)).toBe(6110);
  });

  it('a tick before the quiet window ends does not fire but re-arms', () => {
    const { state } = run([{ type: 'change', paths: ['a.js'], now: 0 }]);
    const [, effects] = step(state, { type: 'tick', now: 49 });
    // a timer that fires early is re-armed, never lost
    expect(effects).toEqual([{ type: 'scheduleTick', at: 50 }]);
  });

  it('merges changes during a reload and the cooldown into exactly one trailing reload at cooldown end', () => {
    const { state, reloads, log } = run([
      { type: 'change', paths: ['a.js'], now: 0 },
      { type: 'tick', now: 50 }, // reload #1 starts at 50
      { type: 'change', paths: ['b.js'], now: 100 }, // while running
      { type: 'reloadFinished', now: 300 },
      { type: 'change', paths: ['c.js'], now: 2000 }, // inside the cooldown
      { type: 'tick', now: 2050 },
      { type: 'change', paths: ['b.js'], now: 3000 },
      { type: 'tick', now: 3050 },
    ]);
    expect(reloads.map((r) => r.effect)).toEqual([{ type: 'reload', paths: ['a.js'], reason: 'watch' }]);
    expect(state.pending).toEqual(['b.js', 'c.js']);
    expect(log.at(-1)?.effect).toEqual({ type: 'scheduleTick', at: 5050 });
    expect(cooldownDeadline(state, 3050)).toBe(5050);
    const [after, effects] = step(state, { type: 'tick', now: 5050 });
    expect(effects.filter((e) => e.type === 'reload')).toEqual([
      { type: 'reload', paths: ['b.js', 'c.js'], reason: 'watch' },
    ]);
    expect(after.lastStartedAt).toBe(5050);
  });

  it('fires the trailing reload when a long reload finishes after the cooldown', () => {
    const { state, reloads } = run([
      { type: 'change', paths: ['a.js'], now: 0 },
      { type: 'tick', now: 50 },
      { type: 'change', paths: ['b.js'], now: 100 },
      { type: 'tick', now: 5050 }, // cooldown over but still running → nothing
      { type: 'reloadFinished', now: 9000 },
    ]);
    expect(reloads.map((r) => [r.now, r.effect])).toEqual([
      [50, { type: 'reload', paths: ['a.js'], reason: 'watch' }],
      [9000, { type: 'reload', paths: ['b.js'], reason: 'watch' }],
    ]);
    expect(state.running).toBe(true);
  });

  it('counts the cooldown from the reported real start', () => {
    const { state } = run([
      { type: 'change', paths: ['a.js'], now: 0 },
      { type: 'tick', now: 50 },
      { type: 'reloadStarted', now: 400 },
      { type: 'reloadFinished', now: 500 },
      { type: 'change', paths: ['b.js'], now: 600 },
    ]);
    expect(state.tickAt).toBe(5400);
  });

  it('keeps changes pending while paused and fires them on resume', () => {
    const { state, reloads } = run([
      { type: 'pause', now: 0 },
      { type: 'change', paths: ['a.js'], now: 10 },
      { type: 'tick', now: 100 },
    ]);
    expect(reloads).toEqual([]);
    expect(state.pending).toEqual(['a.js']);
    expect(state.tickAt).toBeNull();
    const [, effects] = step(state, { type: 'resume', now: 200 });
    expect(effects.filter((e) => e.type === 'reload')).toEqual([{ type: 'reload', paths: ['a.js'], reason: 'watch' }]);
  });

  it('a manual trigger fires at once with pending and extra paths, ignoring debounce and cooldown', () => {
    const { reloads } = run([
      { type: 'change', paths: ['a.js'], now: 0 },
      { type: 'tick', now: 50 },
      { type: 'reloadFinished', now: 60 },
      { type: 'change', paths: ['b.js'], now: 100 },
      { type: 'manualTrigger', paths: ['x.js'], now: 110 },
    ]);
    expect(reloads.map((r) => [r.now, r.effect])).toEqual([
      [50, { type: 'reload', paths: ['a.js'], reason: 'watch' }],
      [110, { type: 'reload', paths: ['b.js', 'x.js'], reason: 'manual' }],
    ]);
  });

  it('queues a manual trigger while a reload runs instead of overlapping', () => {
    const { state, reloads } = run([
      { type: 'manualTrigger', now: 0 },
      { type: 'manualTrigger', now: 10 },
    ]);
    expect(reloads).toHaveLength(1);
    expect(state.manualQueued).toBe(true);
    const [, effects] = step(state, { type: 'reloadFinished', now: 20 });
    expect(effects.filter((e) => e.type === 'reload')).toEqual([{ type: 'reload', paths: [], reason: 'manual' }]);
  });

  it('a never-ending burst still fires after maxWaitMs', () => {
    // a change every 40 ms never leaves a 50 ms quiet window; the runtime ticks when asked
    let s = createSchedulerState({ debounceMs: 50, cooldownMs: 0, maxWaitMs: 500 });
    const reloadTimes: number[] = [];
    for (let t = 0; t <= 2000; t += 40) {
      if (s.tickAt !== null && s.tickAt <= t) {
        const [next, effects] = step(s, { type: 'tick', now: s.tickAt });
        if (effects.some((e) => e.type === 'reload')) reloadTimes.push(s.tickAt);
        s = next;
      }
      s = step(s, { type: 'change', paths: [`f${t}.js`], now: t })[0];
    }
    expect(reloadTimes).toEqual([500]);
  });

  it('a storm (git checkout: 10,000 files trickling in over a second, with gaps) is ONE reload of the final tree', () => {
    let s = createSchedulerState({ debounceMs: 10, cooldownMs: 5000 });
    const reloads: { at: number; paths: string[] }[] = [];
    const advance = (to: number) => {
      while (s.tickAt !== null && s.tickAt <= to) {
        const at = s.tickAt;
        const [next, effects] = step(s, { type: 'tick', now: at });
        s = next;
        for (const e of effects) if (e.type === 'reload') reloads.push({ at, paths: e.paths });
      }
    };
    // clumps of 100 files every 10 ms, with a 150 ms stall after every 2,000 (disk, inotify queue)
    let t = 1000;
    for (let i = 0; i < 10_000; i += 100) {
      t += i % 2000 === 0 && i > 0 ? 150 : 10;
      advance(t - 1);
      s = step(s, { type: 'change', paths: Array.from({ length: 100 }, (_, k) => `src/f${i + k}.js`), now: t })[0];
    }
    advance(t + STORM.quietMs);
    expect(reloads.map((r) => r.at)).toEqual([t + STORM.quietMs]);
    expect(reloads[0].paths).toHaveLength(10_000);
    expect(new Set(reloads[0].paths).size).toBe(10_000);
  });

  it('one file waits debounceMs; a second file widens the quiet window to the multi-file window', () => {
    const fast = createSchedulerState({ debounceMs: 4, cooldownMs: 5000 });
    // one file (however many events): fires debounceMs after the last event
    const single = run(
      [
        { type: 'change', paths: ['a.js'], now: 1000 },
        { type: 'change', paths: ['a.js'], now: 1002 },
        { type: 'tick', now: 1006 },
      ],
      fast,
    );
    expect(single.reloads).toEqual([{ now: 1006, effect: { type: 'reload', paths: ['a.js'], reason: 'watch' } }]);
    // a second file 3 ms later: the burst is a multi-file operation and waits MULTI.quietMs of quiet,
    // so a third file 20 ms later (a loaded machine) still joins the same reload
    const multi = run(
      [
        { type: 'change', paths: ['a.js'], now: 1000 },
        { type: 'change', paths: ['b.js'], now: 1003 },
        { type: 'tick', now: 1007 },
        { type: 'change', paths: ['c.js'], now: 1023 },
        { type: 'tick', now: 1023 + MULTI.quietMs - 1 },
        { type: 'tick', now: 1023 + MULTI.quietMs },
      ],
      fast,
    );
    // (an early tick re-arms the same time: the wake-up times in order, repeats dropped)
    const armed = multi.log.flatMap((l) => (l.effect.type === 'scheduleTick' ? [l.effect.at] : []));
    expect(armed.filter((at, i) => at !== armed[i - 1])).toEqual([1004, 1003 + MULTI.quietMs, 1023 + MULTI.quietMs]);
    expect(multi.reloads).toEqual([{ now: 1023 + MULTI.quietMs, effect: { type: 'reload', paths: ['a.js', 'b.js', 'c.js'], reason: 'watch' } }]);
  });

  it('a quiet window that ended while the process was stalled (late tick) is extended once more, within the bound', () => {
    const fast = createSchedulerState({ debounceMs: 4, cooldownMs: 5000, maxWaitMs: 1000 });
    // the tick armed for 1004 comes at 1030: the events queued meanwhile get read first
    const late = run(
      [
        { type: 'change', paths: ['a.js'], now: 1000 },
        { type: 'tick', now: 1030 },
        { type: 'change', paths: ['b.js'], now: 1031 }, // read after the stall
        { type: 'tick', now: 1031 + MULTI.quietMs },
      ],
      fast,
    );
    expect(late.reloads).toEqual([{ now: 1031 + MULTI.quietMs, effect: { type: 'reload', paths: ['a.js', 'b.js'], reason: 'watch' } }]);
    // a tick late by no more than STALL_MS fires
    const onTime = run([{ type: 'change', paths: ['a.js'], now: 1000 }, { type: 'tick', now: 1004 + STALL_MS }], fast);
    expect(onTime.reloads).toHaveLength(1);
    // a process stalled on every tick still reloads once the burst reaches its bound
    const starved = run(
      [
        { type: 'change', paths: ['a.js'], now: 1000 },
        ...Array.from({ length: 40 }, (_, k) => ({ type: 'tick' as const, now: 1030 + k * 30 })),
      ],
      fast,
    );
    expect(starved.reloads.map((r) => r.now)).toEqual([2020]);
  });

  it('learns a wider one-file window from the gap a multi-file write left between its first two files', () => {
    const fast = createSchedulerState({ debounceMs: 5, cooldownMs: 5000 });
    // a second file 4 ms after the first joined the burst (4 < 5), but a writer this slow
    // may leave 6 next time: the one-file window becomes 4 × 1.5 = 6 ms
    const caught = run(
      [
        { type: 'change', paths: ['a.js'], now: 1000 },
        { type: 'change', paths: ['b.js'], now: 1004 },
        { type: 'tick', now: 1004 + MULTI.quietMs },
      ],
      fast,
    );
    expect(caught.reloads.map((r) => r.effect)).toEqual([{ type: 'reload', paths: ['a.js', 'b.js'], reason: 'watch' }]);
    expect(currentQuietMs(caught.state)).toBe(6);
    const [next] = step({ ...caught.state, running: false, lastStartedAt: null }, { type: 'change', paths: ['c.js'], now: 9000 });
    expect(next.tickAt).toBe(9006);
    // gaps that fit well inside the window teach nothing
    const quick = run(
      [
        { type: 'change', paths: ['a.js'], now: 1000 },
        { type: 'change', paths: ['b.js'], now: 1002 },
      ],
      fast,
    );
    expect(currentQuietMs(quick.state)).toBe(5);
  });

  it('a second file just after a one-file reload fired (a split write) widens the window, up to the cap', () => {
    const fast = createSchedulerState({ debounceMs: 5, cooldownMs: 5000 });
    const split = run(
      [
        { type: 'change', paths: ['a.js'], now: 1000 },
        { type: 'tick', now: 1005 }, // the one-file window ended: a.js reloads alone
        { type: 'change', paths: ['b.js'], now: 1008 }, // 8 ms after a.js: the same write went on
      ],
      fast,
    );
    expect(split.reloads.map((r) => (r.effect.type === 'reload' ? r.effect.paths : []))).toEqual([['a.js']]);
    expect(split.state.pending).toEqual(['b.js']); // the rules still hold: it waits for the cooldown
    expect(currentQuietMs(split.state)).toBe(12);
    // a later, wider split: 20 ms × 1.5 is capped
    const wider = run(
      [
        { type: 'reloadFinished', now: 1010 },
        { type: 'tick', now: 6005 }, // b.js: the trailing reload
        { type: 'reloadFinished', now: 6010 },
        { type: 'change', paths: ['c.js'], now: 20_000 },
        { type: 'tick', now: 20_012 },
        { type: 'change', paths: ['d.js'], now: 20_020 },
      ],
      split.state,
    );
    expect(wider.reloads.map((r) => [r.now, (r.effect.type === 'reload' ? r.effect.paths : [])])).toEqual([
      [6005, ['b.js']],
      [20_012, ['c.js']],
    ]);
    expect(currentQuietMs(wider.state)).toBe(LEARN.capMs);
  });

  it('the same file saved again, or another file after the multi-file window, teaches nothing', () => {
    const fast = createSchedulerState({ debounceMs: 5, cooldownMs: 0 });
    const { state } = run(
      [
        { type: 'change', paths: ['a.js'], now: 1000 },
        { type: 'change', paths: ['a.js'], now: 1004 }, // a second write of the same save
        { type: 'tick', now: 1009 },
        { type: 'reloadFinished', now: 1012 },
        { type: 'change', paths: ['a.js'], now: 1020 }, // format-on-save rewrites it
        { type: 'tick', now: 1025 },
        { type: 'reloadFinished', now: 1027 },
        { type: 'change', paths: ['b.js'], now: 1025 + MULTI.quietMs + 1 }, // a human's next save
      ],
      fast,
    );
    expect(currentQuietMs(state)).toBe(5);
  });

  it('a saturated CPU widens the one-file window (an open one too) until the load is gone', () => {
    const fast = createSchedulerState({ debounceMs: 5, cooldownMs: 0 });
    const busy = run(
      [
        { type: 'change', paths: ['a.js'], now: 1000 },
        { type: 'load', busy: true, now: 1002 },
      ],
      fast,
    );
    expect(busy.state.tickAt).toBe(1000 + BUSY.quietMs);
    expect(busy.reloads).toEqual([]);
    const idle = run(
      [
        { type: 'tick', now: 1000 + BUSY.quietMs },
        { type: 'reloadFinished', now: 1020 },
        { type: 'load', busy: false, now: 2000 },
        { type: 'change', paths: ['b.js'], now: 3000 },
      ],
      busy.state,
    );
    expect(idle.reloads.map((r) => r.now)).toEqual([1000 + BUSY.quietMs]);
    expect(idle.state.tickAt).toBe(3005);
    // a multi-file burst keeps its own window whatever the load
    const multi = run([{ type: 'change', paths: ['a.js', 'b.js'], now: 1000 }, { type: 'load', busy: true, now: 1001 }], fast);
    expect(multi.state.tickAt).toBe(1000 + MULTI.quietMs);
  });

  it('a debounceMs longer than the multi-file window is kept for every burst', () => {
    const { state } = run([
      { type: 'change', paths: ['a.js'], now: 1000 },
      { type: 'change', paths: ['b.js'], now: 1001 },
    ]);
    expect(opts.debounceMs).toBeGreaterThan(MULTI.quietMs);
    expect(state.tickAt).toBe(1051);
  });

  it('a burst below the storm size waits the multi-file window, not the storm window', () => {
    const { state } = run(
      [
        { type: 'change', paths: Array.from({ length: STORM.paths - 1 }, (_, k) => `f${k}.js`), now: 1000 },
      ],
      createSchedulerState({ debounceMs: 10, cooldownMs: 5000 }),
    );
    expect(state.tickAt).toBe(1000 + MULTI.quietMs);
    const [, effects] = step(state, { type: 'change', paths: ['one-more.js'], now: 1005 });
    expect(effects).toEqual([{ type: 'scheduleTick', at: 1005 + STORM.quietMs }]);
  });

  it('rejects invalid options with a clear message', () => {
    expect(() => createSchedulerState({ debounceMs: -1, cooldownMs: 5 })).toThrow(/debounceMs and cooldownMs must be numbers ≥ 0, got -1 and 5/);
  });

  it('randomized: no overlap, every change covered by a reload started after it, one final reload', () => {
    // mulberry32 with a fixed seed: reproducible
    let seed = 0x5eed1234;
    const rand = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = seed;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    let s = createSchedulerState({ debounceMs: 30, cooldownMs: 400 });
    let now = 0;
    let running = false;
    let finishAt = 0;
    let lastChangeAt = -1;
    const seen = new Map<string, number>(); // path → time first seen and not yet covered
    const reloadStarts: number[] = [];
    let violations = 0;
    let timerAt: number | null = null; // the runtime's one timer, armed only by effects
    const fireTimer = (early: boolean) => {
      const at = timerAt!;
      timerAt = null; // a fired timer is gone
      apply({ type: 'tick', now: early ? at - 1 : at });
    };

    const apply = (e: SchedulerEvent) => {
      const [next, effects] = step(s, e);
      s = next;
      for (const eff of effects) {
        if (eff.type === 'scheduleTick') timerAt = eff.at;
        if (eff.type === 'cancelTick') timerAt = null;
        if (eff.type !== 'reload') continue;
        if (running) violations++; // overlap
        running = true;
        reloadStarts.push(e.now);
        finishAt = e.now + 1 + Math.floor(rand() * 600);
        for (const p of eff.paths) {
          const at = seen.get(p);
          if (at !== undefined && at <= e.now) seen.delete(p);
        }
      }
    };

    for (let i = 0; i < 4000; i++) {
      now += Math.floor(rand() * 120);
      if (running && finishAt <= now) {
        running = false;
        apply({ type: 'reloadFinished', now: finishAt });
      }
      // real timers sometimes fire a millisecond early; the scheduler must re-arm, not stall
      if (timerAt !== null && timerAt <= now) fireTimer(rand() < 0.2);
      if (timerAt !== null && timerAt <= now) fireTimer(false);
      if (rand() < 0.6) {
        const path = `f${Math.floor(rand() * 25)}.js`;
        if (!seen.has(path)) seen.set(path, now);
        lastChangeAt = now;
        apply({ type: 'change', paths: [path], now });
      }
    }
    // drain: let time run on until nothing is left to do (bounded)
    for (let guard = 0; guard < 1000; guard++) {
      if (running) {
        running = false;
        now = Math.max(now, finishAt);
        apply({ type: 'reloadFinished', now });
      } else if (timerAt !== null) {
        now = Math.max(now, timerAt);
        fireTimer(false);
      } else break;
    }
    expect(violations).toBe(0);
    expect([...seen.keys()]).toEqual([]);
    expect(s.pending).toEqual([]);
    expect(reloadStarts.filter((t) => t >= lastChangeAt)).toHaveLength(1);
    expect(reloadStarts.length).toBeGreaterThan(50);
  });
});
