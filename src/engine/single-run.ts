// One target's run (the common case): its pipeline's stages are the phase, its steps the live
// view, and the attempt is summed up in its own words — with what undid it, when a reload that
// got no answer was read back and rolled back (the fleet machine does that for one target too).
import { fleetOutcome, finalOutcome } from './fleet.js';
import { runFleet } from './fleet-runner.js';
import type { PipelineMode } from './pipeline.js';
import type { PipelineReport } from './pipeline-runner.js';
import { noteTarget } from './target-status.js';
import type { ReloadOutcome, RunResult } from '../types.js';
import { beginAttempt, endAttempt, fleetInput, performers, PHASE, type LiveView, type RunContext, type RunRequest, type Summary } from './attempt.js';

export async function runSingleTarget(ctx: RunContext, mode: PipelineMode, req: RunRequest): Promise<RunResult> {
  const attempt = beginAttempt(ctx, mode, req);
  const runs: (PipelineReport | undefined)[] = [];
  const undos: (PipelineReport | undefined)[] = [];
  const view: LiveView = { live: (i) => i === 0, onStage: (stage) => ctx.store.setState({ phase: PHASE[stage] }) };
  const report = await runFleet(fleetInput(ctx.config, mode, false), performers(ctx, mode, attempt, view, runs, undos));
  report.state.slots.forEach((slot, i) => {
    const last = report.undos[i] ?? report.runs[i];
    if (last) noteTarget(ctx, i, last, finalOutcome(slot));
  });
  return endAttempt(ctx, mode, attempt, report, ownWords);
}

/** The target's own outcome and message; with what undid it, after a read-back. */
const ownWords: Summary = (st, { index, primary, undo }) => {
  const p = primary?.state;
  if (!p) return { outcome: fleetOutcome(st), message: st.message };
  if (!undo) return { outcome: p.outcome, message: p.message };
  return { outcome: finalOutcome(st.slots[index]) as ReloadOutcome, message: `${p.message}; then ${undo.state.message}` };
};
