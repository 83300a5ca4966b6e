// Is the machine's CPU saturated? When every core is busy, a process writing several files
// waits for a core between them, so the scheduler widens its one-file quiet window
// (scheduler.ts, BUSY). Sampled from os.cpus() times (every platform), once a second on
// an unref'd timer; a sample costs ~0.1 ms.
import os from 'node:os';

export interface CpuTimes {
  /** ms the CPUs were busy (user, nice, sys, irq), summed over all CPUs */
  busy: number;
  /** ms in total, summed over all CPUs */
  total: number;
}

/** Busy when this share of all CPU time, over one sample interval, went to work. */
export const BUSY_SHARE = 0.85;
export const SAMPLE_MS = 1000;

export function cpuTimes(cpus: readonly Pick<os.CpuInfo, 'times'>[] = os.cpus()): CpuTimes {
  let busy = 0;
  let total = 0;
  for (const { times: t } of cpus) {
    const work = t.user + t.nice + t.sys + t.irq;
    busy += work;
    total += work + t.idle;
  }
  return { busy, total };
}

/** Share of CPU time that was busy between two samples; null when no time passed (or none was counted). */
export function busyShare(before: CpuTimes, after: CpuTimes): number | null {
  const total = after.total - before.total;
  if (!(total > 0)) return null;
  return Math.min(1, Math.max(0, (after.busy - before.busy) / total));
}

export interface CpuMonitor {
  close(): void;
}

/**
 * Calls onChange(busy) whenever the saturation flips (never for the first idle sample).
 * `sample` is os.cpus() by default; tests pass recorded times.
 */
export function watchCpuLoad(
  onChange: (busy: boolean) => void,
  opts: { sampleMs?: number; share?: number; sample?: () => CpuTimes } = {},
): CpuMonitor {
  const sample = opts.sample ?? (() => cpuTimes());
  const share = opts.share ?? BUSY_SHARE;
  let prev = sample();
  let busy = false;
  const timer = setInterval(() => {
    const next = sample();
    const s = busyShare(prev, next);
    prev = next;
    if (s === null) return;
    const now = s >= share;
    if (now !== busy) {
      busy = now;
      onChange(busy);
    }
  }, opts.sampleMs ?? SAMPLE_MS);
  timer.unref();
  return { close: () => clearInterval(timer) };
}
