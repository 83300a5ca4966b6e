// A module instance's timers (src/agent/lifecycle/side-effects.ts), with Node's real timers:
// the foreground ones (set while serving: a timeout per request) are kept without a Set and
// must still be released exactly: what release() reports, and what runs afterwards.
import { describe, expect, it } from 'vitest';
import { SideEffects } from '../src/agent/lifecycle/side-effects.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SideEffects timers', () => {
  it('a timer set and cleared per request leaves nothing behind, however many', () => {
    const effects = new SideEffects(50);
    const { setTimeout: set, clearTimeout: clear } = effects.timers;
    for (let i = 0; i < 10_000; i++) clear(set(() => {}, 5000));
    expect(effects.release()).toEqual({ timers: 0, listeners: 0, draining: { Timeout: 0, Immediate: 0 } });
  });

  it('drains pending foreground timers, not fired ones nor ones a package cleared with the real clearTimeout', async () => {
    const effects = new SideEffects(50);
    const t = effects.timers;
    let fired = 0;
    for (let i = 0; i < 700; i++) t.setTimeout(() => fired++, 5000); // pending
    for (let i = 0; i < 300; i++) clearTimeout(t.setTimeout(() => fired++, 5000)); // a package clears it
    t.setTimeout(() => fired++, 1);
    t.setImmediate(() => fired++);
    t.setImmediate(() => fired++);
    await sleep(30);
    expect(fired).toBe(3);
    // released: the 700 are left to drain (a request in flight may still need its timeout) …
    expect(effects.release()).toEqual({ timers: 0, listeners: 0, draining: { Timeout: 700, Immediate: 0 } });
    // … and cleared when the drain ends: none of them ever runs, and nothing is left to drain
    await sleep(120);
    expect(fired).toBe(3);
    expect(effects.release().draining).toEqual({ Timeout: 0, Immediate: 0 });
  });

  it('clears background timers (set while loading, or from a timer callback) at the release', async () => {
    const effects = new SideEffects(50);
    const t = effects.timers;
    let ticks = 0;
    effects.loading = true;
    t.setInterval(() => ticks++, 5);
    t.setTimeout(() => t.setTimeout(() => ticks++, 5000), 1); // sets a background timer when it fires
    effects.loading = false;
    await sleep(40);
    expect(ticks).toBeGreaterThan(0);
    // the interval and the nested timeout; nothing of the foreground
    expect(effects.release()).toEqual({ timers: 2, listeners: 0, draining: { Timeout: 0, Immediate: 0 } });
    const after = ticks;
    await sleep(30);
    expect(ticks).toBe(after);
  });
});
