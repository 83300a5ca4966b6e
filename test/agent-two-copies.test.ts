// Two copies of the package in one process (a monorepo with two versions, a tool that
// bundles its own) must both load and both bound their loads.
import { describe, expect, it } from 'vitest';

describe('two copies of the agent in one process', () => {
  it('each loads and bounds its own loads', async () => {
    const one = await import('../src/agent/lifecycle/load-guards.js');
    // a query makes a second, separate instance of the module (as a second copy on disk would)
    const second = '../src/agent/lifecycle/load-guards.js?copy=2';
    const two = (await import(/* @vite-ignore */ second)) as typeof one;
    expect(two).not.toBe(one);
    expect(one.runBounded(() => 'a', 1000)).toBe('a');
    expect(two.runBounded(() => 'b', 1000)).toBe('b');
    expect(() =>
      two.runBounded(() => {
        for (;;);
      }, 50),
    ).toThrow(two.LoadTimeout);
  });
});
