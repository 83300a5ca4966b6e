// Fan-out of one pipeline run over the configured targets. The per-target pipeline
// (pipeline-runner.ts) knows nothing of other targets; this decides the order:
// canary = the primary first, the rest only if it succeeded; all-at-once = every target,
// at most `parallel` at a time. The worst result decides the exit code.
import type { PipelineReport } from './pipeline-runner.js';
import type { ExitCode, Strategy } from './types.js';

const SEVERITY: Record<ExitCode, number> = { 0: 0, 1: 1, 3: 2, 4: 3, 2: 4 };

export const worstExitCode = (codes: readonly ExitCode[]): ExitCode =>
  codes.reduce<ExitCode>((w, c) => (SEVERITY[c] > SEVERITY[w] ? c : w), 0);

export async function fanOut(
  count: number,
  opts: { strategy: Strategy; parallel: number },
  runOne: (index: number) => Promise<PipelineReport>,
): Promise<(PipelineReport | undefined)[]> {
  const reports: (PipelineReport | undefined)[] = new Array(count).fill(undefined);
  if (count === 0) return reports;
  let start = 0;
  if (opts.strategy === 'canary' || count === 1) {
    reports[0] = await runOne(0);
    if (count === 1 || reports[0].state.exitCode !== 0) return reports; // a failed canary stops the fleet
    start = 1;
  }
  const limit = Math.max(1, Math.floor(opts.parallel) || 1);
  let next = start;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      reports[i] = await runOne(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count - start) }, worker));
  return reports;
}
