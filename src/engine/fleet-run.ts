// Several targets' run: every target is checked first, the lead (the canary) runs alone and
// its stages are the phase while it does; after it the fleet's stage is the phase and the live
// view lists the targets that are through. The attempt is summed up by the worst target.
import { fleetOutcome, finalOutcome, type FleetState } from './fleet.js';
import { runFleet } from './fleet-runner.js';
import type { PipelineMode } from './pipeline.js';
import type { PipelineReport } from './pipeline-runner.js';
import { updateTarget } from './store.js';
import { noteTarget } from './target-status.js';
import type { RunResult } from '../types.js';
import {
  beginAttempt,
  endAttempt,
  fleetInput,
  performers,
  PHASE,
  STARTING_PHASE,
  targetResult,
  type LiveView,
  type RunContext,
  type RunRequest,
} from './attempt.js';

export async function runFleetTargets(ctx: RunContext, mode: PipelineMode, req: RunRequest): Promise<RunResult> {
  const { config, store } = ctx;
  const attempt = beginAttempt(ctx, mode, req);
  const runs: (PipelineReport | undefined)[] = [];
  const undos: (PipelineReport | undefined)[] = [];
  let lead = 0;
  let stage: FleetState['stage'] = 'checking';
  const view: LiveView = {
    live: (i) => i === lead,
    onStage: (s) => {
      if (stage === 'canary' && s !== 'done') store.setState({ phase: PHASE[s] });
    },
  };
  const onState = (st: FleetState) => {
    lead = Math.max(0, st.slots.findIndex((x) => x.phase !== 'skipped' && x.phase !== 'missing'));
    if (st.stage !== stage && (st.stage === 'rollout' || st.stage === 'undoing')) {
      store.setState({ phase: st.stage === 'undoing' ? 'rolling-back' : STARTING_PHASE[mode] });
    }
    stage = st.stage;
    const cur = store.getState().current;
    // live progress: the targets that are through (a slot still running has no outcome yet)
    const through = st.slots.flatMap((slot, i) => (['ran', 'skipped', 'missing'].includes(slot.phase) ? [targetResult(config, i, slot, runs, undos)] : []));
    if (cur) store.setState({ current: { ...cur, targets: through } });
  };
  const report = await runFleet(fleetInput(config, mode, true), { ...performers(ctx, mode, attempt, view, runs, undos), onState });
  report.state.slots.forEach((slot, i) => {
    const last = report.undos[i] ?? report.runs[i];
    if (last) noteTarget(ctx, i, last, finalOutcome(slot));
    else updateTarget(store, i, { lastOutcome: finalOutcome(slot) }); // skipped or missing: the check updated its status
  });
  return endAttempt(ctx, mode, attempt, report, (st) => ({ outcome: fleetOutcome(st), message: st.message }));
}
