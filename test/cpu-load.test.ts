import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { busyShare, cpuTimes, watchCpuLoad, type CpuTimes } from '../src/engine/cpu-load.js';

const times = (user: number, sys: number, idle: number) => ({ times: { user, nice: 0, sys, idle, irq: 0 } });

describe('cpu load', () => {
  afterEach(() => vi.useRealTimers());

  it('sums busy and total time over all CPUs', () => {
    expect(cpuTimes([times(100, 50, 850), times(300, 0, 700)])).toEqual({ busy: 450, total: 2000 });
    const real = cpuTimes();
    expect(real.total).toBeGreaterThan(real.busy);
    expect(real.busy).toBeGreaterThan(0);
  });

  it('the busy share is the work done between two samples, bounded to 0..1', () => {
    expect(busyShare({ busy: 100, total: 1000 }, { busy: 1000, total: 2000 })).toBe(0.9);
    expect(busyShare({ busy: 100, total: 1000 }, { busy: 100, total: 2000 })).toBe(0);
    expect(busyShare({ busy: 100, total: 1000 }, { busy: 100, total: 1000 })).toBeNull();
    // a counter that went backwards (a CPU taken offline) is not "negative load"
    expect(busyShare({ busy: 900, total: 1000 }, { busy: 500, total: 2000 })).toBe(0);
  });

  it('reports each flip of saturation once, from sampled times', () => {
    vi.useFakeTimers();
    const samples: CpuTimes[] = [
      { busy: 0, total: 0 },
      { busy: 500, total: 1000 }, // 50 %: idle, no report (it starts idle)
      { busy: 1400, total: 2000 }, // 90 %
      { busy: 2350, total: 3000 }, // 95 %: still busy, no second report
      { busy: 2450, total: 4000 }, // 10 %
    ];
    const seen: boolean[] = [];
    const m = watchCpuLoad((b) => seen.push(b), { sampleMs: 100, sample: () => samples.shift()! });
    vi.advanceTimersByTime(400);
    m.close();
    vi.advanceTimersByTime(1000);
    expect(seen).toEqual([true, false]);
  });

  it('sees a real machine whose every core is busy', async () => {
    const spinners: ChildProcess[] = [];
    const cores = os.availableParallelism();
    for (let i = 0; i < cores; i++) spinners.push(spawn(process.execPath, ['-e', 'const end = Date.now() + 10000; while (Date.now() < end);'], { stdio: 'ignore' }));
    try {
      const busy = await new Promise<boolean>((resolve) => {
        const m = watchCpuLoad((b) => b && (m.close(), clearTimeout(t), resolve(true)), { sampleMs: 250 });
        const t = setTimeout(() => (m.close(), resolve(false)), 5000);
      });
      expect(busy).toBe(true);
    } finally {
      for (const s of spinners) s.kill('SIGKILL');
    }
  });
});
