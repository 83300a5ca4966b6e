// Performs the fleet machine's effects (fleet.ts): a status check per target, one
// pipeline run per target, one compensating rollback per target that kept the new
// version. Effects run concurrently as the machine allows; results come back as events.
import { activatedNewVersion } from './pipeline.js';
import { initialFleet, step, type FleetEffect, type FleetEvent, type FleetInput, type FleetState, type TargetRun } from './fleet.js';
import type { PipelineReport } from './pipeline-runner.js';

export interface FleetPerformers {
  /** status before anything changes; never rejects */
  check(index: number): Promise<{ reachable: boolean; version?: number; detail?: string }>;
  run(index: number): Promise<PipelineReport>;
  undo(index: number, fromVersion: number | undefined): Promise<PipelineReport>;
  /** the status after a reload that got no answer; never rejects (default: check) */
  recheck?(index: number): Promise<{ reachable: boolean; version?: number; detail?: string }>;
  warn?(message: string): void;
  /** after every event: the machine's state (for live progress) */
  onState?(state: FleetState): void;
}

export interface FleetReport {
  state: FleetState;
  runs: (PipelineReport | undefined)[];
  undos: (PipelineReport | undefined)[];
}

/** A finished pipeline run as the fleet machine sees it. */
export function summarize(r: PipelineReport): TargetRun {
  const s = r.state;
  const activated = activatedNewVersion(s.reload);
  return {
    outcome: s.outcome ?? 'failed',
    exitCode: s.exitCode ?? 1,
    activated,
    ...(activated && s.reload?.version !== undefined ? { activatedVersion: s.reload.version } : {}),
    ...(s.versionBefore !== undefined ? { versionBefore: s.versionBefore } : {}),
    ...(s.versionAfter !== undefined ? { versionAfter: s.versionAfter } : {}),
    message: s.message,
    ...(s.reloadFailure && s.reloadFailure.kind !== 'http' ? { unsure: true } : {}),
  };
}

export async function runFleet(input: FleetInput, perform: FleetPerformers): Promise<FleetReport> {
  const runs: (PipelineReport | undefined)[] = input.names.map(() => undefined);
  const undos: (PipelineReport | undefined)[] = input.names.map(() => undefined);
  let state = initialFleet(input);
  const inbox: FleetEvent[] = [];
  let wake: (() => void) | undefined;
  let inFlight = 0;

  const post = (event: FleetEvent) => {
    inFlight--;
    inbox.push(event);
    wake?.();
  };
  const crashed = (e: unknown) => `internal error: ${e instanceof Error ? e.message : String(e)}`;
  const broken = (message: string): TargetRun => ({ outcome: 'failed', exitCode: 1, activated: false, message });

  const launch = (eff: FleetEffect) => {
    switch (eff.type) {
      case 'check':
        inFlight++;
        void perform.check(eff.index).then(
          (c) => post({ type: 'checked', index: eff.index, ...c }),
          (e) => post({ type: 'checked', index: eff.index, reachable: false, detail: crashed(e) }),
        );
        break;
      case 'run':
        inFlight++;
        void perform.run(eff.index).then(
          (r) => {
            runs[eff.index] = r;
            post({ type: 'ran', index: eff.index, run: summarize(r) });
          },
          (e) => post({ type: 'ran', index: eff.index, run: broken(crashed(e)) }),
        );
        break;
      case 'recheck':
        inFlight++;
        void (perform.recheck ?? perform.check)(eff.index).then(
          (c) => post({ type: 'rechecked', index: eff.index, ...c }),
          (e) => post({ type: 'rechecked', index: eff.index, reachable: false, detail: crashed(e) }),
        );
        break;
      case 'undo':
        inFlight++;
        void perform.undo(eff.index, eff.fromVersion).then(
          (r) => {
            undos[eff.index] = r;
            post({ type: 'undone', index: eff.index, run: summarize(r) });
          },
          (e) => post({ type: 'undone', index: eff.index, run: { ...broken(crashed(e)), outcome: 'rollback-failed', exitCode: 4 } }),
        );
        break;
      case 'warn':
        perform.warn?.(eff.message);
        break;
      case 'done':
        break;
    }
  };
  const feed = (event: FleetEvent) => {
    const [next, effects] = step(state, event);
    state = next;
    perform.onState?.(state);
    effects.forEach(launch);
  };

  feed({ type: 'start' });
  // every launched effect posts exactly one event, so this ends after at most 4 per target
  for (let n = 0; state.stage !== 'done' && n <= input.names.length * 4 + 1; n++) {
    if (inbox.length === 0) {
      if (inFlight === 0) break; // a machine bug: nothing runs and nothing is done
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
    }
    const event = inbox.shift();
    if (event) feed(event);
  }
  return { state, runs, undos };
}
