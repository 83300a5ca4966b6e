// What happens in one reload: trigger → verify → rollback → re-verify, as a pure state
// machine (DESIGN.md "What the client does with it"). transition(state, event) returns
// the next state and the effects to perform; pipeline-runner.ts performs them against one
// target's ApiClient and feeds the results back. All decisions live here, none in the runner.
import { notLoaded } from './checks.js';
import { listTotal } from './bounds.js';
import { reloadCheck } from './checks.js';
import { isLegacyStatus, type ReloadRequest, type ReloadResult, type RollbackRequest, type RollbackResponse, type Status } from '../protocol/wire.js';
import type { CheckResult, ErrorEntry, ExitCode, ReloadOutcome } from '../types.js';

export type PipelineMode = 'trigger' | 'verify' | 'rollback';

/** A failed request, already mapped from the client's typed errors (see pipeline-runner). */
export interface Failure {
  kind: 'unreachable' | 'timeout' | 'http' | 'invalid-response';
  message: string;
  httpStatus?: number;
  bodyExcerpt?: string;
}

export interface PipelineInput {
  mode: PipelineMode;
  /** verify after a trigger (and roll back on failure) */
  verify: boolean;
  request: ReloadRequest;
  /** the last status seen before this run: the no-restart baseline when none is fetched */
  baseline: Status | null;
  /** rollback mode: roll back exactly this version (compare-and-swap), not the one status reports */
  fromVersion?: number;
  /**
   * trigger mode: a status known to be current (watch mode's fresh poll, taken after the
   * last run): the baseline instead of a GET, saving a round trip before the reload
   */
  knownStatus?: Status;
  /** the project root: a load error's absolute file inside it is shown relative to it */
  root?: string;
  /** rollback mode: an automatic rollback (a fleet undoing a target that activated) */
  automatic?: boolean;
  /**
   * the target is known to speak the legacy dialect (the old server): its status read has a
   * side effect and tells no version, so no status is read before a reload or rollback, and
   * at most one per run
   */
  legacy?: boolean;
}

export type Stage = 'status-before' | 'triggering' | 'verifying' | 'rolling-back' | 'reverifying' | 'done';

export interface PipelineState {
  readonly input: PipelineInput;
  readonly stage: Stage;
  readonly before: Status | null;
  /** the status seen during verification: the re-verify's no-restart baseline */
  readonly after?: Status | null;
  readonly reload?: ReloadResult;
  readonly checks: CheckResult[];
  readonly reverifyChecks: CheckResult[];
  readonly rollback?: RollbackResponse;
  readonly versionBefore?: number;
  readonly versionAfter?: number;
  readonly restartDetected: boolean;
  readonly outcome?: ReloadOutcome;
  readonly exitCode?: ExitCode;
  readonly message: string;
  /** the reload request failed: without an answer (not `http`) it may still have activated */
  readonly reloadFailure?: Failure;
  /** legacy dialect: known before the run, or seen in its first status */
  readonly legacy: boolean;
  /** status reads this run made (the legacy server gets at most one) */
  readonly statusReads: number;
}

export type PipelineEvent =
  | { type: 'start' }
  | { type: 'status'; status: Status }
  | { type: 'statusFailed'; failure: Failure }
  | { type: 'reloaded'; result: ReloadResult }
  | { type: 'reloadFailed'; failure: Failure }
  /** `unreachable`: neither status nor health answered — the service is down */
  | { type: 'verified'; checks: CheckResult[]; status: Status | null; unreachable: boolean; failures?: Failure[] }
  | { type: 'rolledBack'; response: RollbackResponse }
  | { type: 'rollbackFailed'; failure: Failure };

export type LogEntry = Omit<ErrorEntry, 'time' | 'target'>;

export type PipelineEffect =
  | { type: 'getStatus' }
  | { type: 'reload'; request: ReloadRequest }
  /** `readStatus: false`: the no-restart check is skipped instead of reading status */
  | { type: 'verify'; stage: 'verify' | 'reverify'; baseline: Status | null; reload?: ReloadResult; readStatus: boolean }
  | { type: 'rollback'; request: RollbackRequest }
  | { type: 'logError'; entry: LogEntry }
  | { type: 'done' };

type Step = [PipelineState, PipelineEffect[]];

export function initialPipeline(input: PipelineInput): PipelineState {
  return {
    input,
    stage: input.mode === 'verify' ? 'verifying' : 'status-before',
    before: null,
    checks: [],
    reverifyChecks: [],
    restartDetected: false,
    message: '',
    legacy: input.legacy ?? false,
    statusReads: 0,
  };
}

/** A check failed when it ran and did not pass; skipped and advisory checks never fail. */
export const failedChecks = (checks: readonly CheckResult[]) => checks.filter(isFailure);

/** The one rule for "this check fails verification" (output and TUI use it too). */
export const isFailure = (c: CheckResult): boolean => !c.ok && !c.skipped && !c.advisory;

/** The old server answers no version information at all: roll back as the old script did. */
const noVersionInfo = (r: ReloadResult) =>
  r.version === undefined && r.activated === undefined && r.previous_version === undefined;

/**
 * Did this reload start serving a new version (as far as the answer tells)? Without
 * version information: when it succeeded, or failed with some modules reloaded (the old
 * server reloads reloader by reloader: `success:false` can leave half the code new).
 */
export const activatedNewVersion = (r: ReloadResult | undefined): boolean =>
  r !== undefined && (r.activated === true || (noVersionInfo(r) && (r.success || r.reloaded_modules.length > 0)));

/** Verify effect: the legacy server's status is read at most once a run (each read has a side effect). */
const verifyEffect = (s: PipelineState, stage: 'verify' | 'reverify', baseline: Status | null, reload?: ReloadResult): PipelineEffect => ({
  type: 'verify',
  stage,
  baseline,
  ...(reload ? { reload } : {}),
  readStatus: !(s.legacy && s.statusReads > 0),
});

export function transition(s: PipelineState, e: PipelineEvent): Step {
  const files = s.input.request.files ?? [];
  switch (e.type) {
    case 'start':
      if (s.input.mode === 'verify') return [s, [verifyEffect(s, 'verify', s.input.baseline)]];
      if (s.input.mode === 'trigger' && s.input.knownStatus) return afterStatusBefore(s, s.input.knownStatus);
      // the legacy server's status tells nothing to compare and consumes its "changed" flag
      if (s.legacy) return afterStatusBefore(s, s.input.baseline);
      return [s, [{ type: 'getStatus' }]];

    case 'status':
    case 'statusFailed': {
      if (e.type === 'statusFailed' && e.failure.kind === 'unreachable') {
        return finish(s, 'unreachable', e.failure.message, [
          { type: 'logError', entry: failureEntry(e.failure, files) },
        ]);
      }
      // a missing or odd status endpoint is not fatal: old servers may not have one
      if (e.type === 'statusFailed') return afterStatusBefore(s, null);
      return afterStatusBefore({ ...s, statusReads: s.statusReads + 1, legacy: s.legacy || isLegacyStatus(e.status) }, e.status);
    }

    case 'reloadFailed': {
      // no answer means we cannot know a version was activated: never roll back blindly
      const outcome: ReloadOutcome = e.failure.kind === 'unreachable' ? 'unreachable' : 'failed';
      return finish({ ...s, reloadFailure: e.failure }, outcome, `reload failed: ${e.failure.message}`, [
        { type: 'logError', entry: failureEntry(e.failure, files) },
      ]);
    }

    case 'reloaded': {
      const r = e.result;
      const next: PipelineState = {
        ...s,
        reload: r,
        versionBefore: s.versionBefore ?? r.previous_version,
        versionAfter: r.version,
      };
      if (!r.success && r.activated !== true) {
        const message = r.error?.message ?? (r.message || 'reload failed');
        const failedWhat = r.failed_modules.length ? `failed ${s.legacy ? 'reloaders' : 'modules'}: ${r.failed_modules.join(', ')}` : '';
        // the agent's load error already names its module and location; the old server's names reloaders only
        const named = s.legacy && failedWhat && !message.includes(failedWhat) ? ` (${failedWhat})` : '';
        const log: PipelineEffect = {
          type: 'logError',
          entry: {
            kind: 'reload',
            message,
            files,
            version: r.version,
            ...(r.error ? { detail: { file: r.error.file, line: r.error.line, column: r.error.column, stack: r.error.stack } } : {}),
            ...(failedWhat ? { bodyExcerpt: failedWhat } : {}),
          },
        };
        const summary = `reload failed: ${withLocation(message, r, s.input.root)}${named}`;
        // a server without versions that reloaded some of it: the code is half new — undo it
        // (its reload check is the attempt's own verdict: what the re-verify after the rollback is set against)
        if (s.input.verify && activatedNewVersion(r)) {
          return [{ ...next, stage: 'rolling-back', message: summary, checks: [reloadCheck(r)] }, [log, { type: 'rollback', request: {} }]];
        }
        return finish(next, 'failed', summary, [log]);
      }
      if (!s.input.verify) return finish(next, 'ok', reloadedMessage(r), []);
      return [{ ...next, stage: 'verifying' }, [verifyEffect(s, 'verify', s.before ?? s.input.baseline, r)]];
    }

    case 'verified':
      return s.stage === 'reverifying' ? afterReverify(s, e) : afterVerify(s, e);

    case 'rolledBack': {
      if (!e.response.success) {
        return rollbackFailed(s, e.response.message || 'the service refused the rollback', {});
      }
      const next: PipelineState = {
        ...s,
        stage: 'reverifying',
        rollback: e.response,
        versionAfter: e.response.version ?? s.versionAfter,
      };
      // a restart cannot be rolled back: the re-verify asks whether the rollback kept the
      // process that verification saw, so it compares with that status when there is one
      return [next, [verifyEffect(s, 'reverify', s.after ?? s.before ?? s.input.baseline)]];
    }

    case 'rollbackFailed':
      return rollbackFailed(s, e.failure.message, { httpStatus: e.failure.httpStatus, bodyExcerpt: e.failure.bodyExcerpt });
  }
}

/** The status before the reload or rollback is known (read, given, or not to be read): act. */
function afterStatusBefore(s: PipelineState, before: Status | null): Step {
  const next: PipelineState = { ...s, before, versionBefore: before?.version };
  if (s.input.mode === 'rollback') {
    const from = s.input.fromVersion ?? before?.version;
    const request: RollbackRequest = from !== undefined ? { from_version: from } : {};
    return [{ ...next, stage: 'rolling-back' }, [{ type: 'rollback', request }]];
  }
  return [{ ...next, stage: 'triggering' }, [{ type: 'reload', request: s.input.request }]];
}

/** A verification's status counts as a read and may reveal the legacy dialect. */
const sawStatus = (s: PipelineState, status: Status | null): PipelineState =>
  status ? { ...s, statusReads: s.statusReads + 1, legacy: s.legacy || isLegacyStatus(status) } : s;

function afterVerify(s0: PipelineState, e: Extract<PipelineEvent, { type: 'verified' }>): Step {
  const s = sawStatus(s0, e.status);
  const restartDetected = e.checks.some((c) => c.name === 'no-restart' && !c.ok && !c.skipped);
  const next: PipelineState = {
    ...s,
    checks: e.checks,
    after: e.status,
    restartDetected,
    versionAfter: s.versionAfter ?? e.status?.version,
  };
  const files = s.input.request.files ?? [];
  if (e.unreachable) {
    const message = 'service unreachable during verification';
    return finish(next, 'unreachable', message, [{ type: 'logError', entry: { kind: 'unreachable', message, files } }]);
  }
  const failed = failedChecks(e.checks);
  if (failed.length === 0) {
    const advisory = e.checks.filter((c) => c.advisory && !c.ok && !c.skipped).length;
    const aside = advisory ? ` (${advisory} advisory failing)` : '';
    const message = s.input.mode === 'verify' ? `all ${e.checks.length - advisory} checks passed${aside}` : `${reloadedMessage(s.reload)}, verified${aside}`;
    return finish(next, 'ok', message, []);
  }
  const summary = failed.map((c) => `${c.name} (${c.detail})`).join('; ');
  const log: PipelineEffect = {
    type: 'logError',
    entry: { kind: 'verify', message: `verification failed: ${summary}`, files, version: next.versionAfter, ...httpOf(e.failures, failed), detail: { checks: failed } },
  };
  const r = s.reload;
  if (s.input.mode !== 'trigger' || !activatedNewVersion(r)) {
    return finish(next, 'failed', `verification failed: ${summary}`, [log]);
  }
  // compare-and-swap: roll back exactly the version this reload activated
  const request: RollbackRequest = r?.version !== undefined ? { from_version: r.version } : {};
  return [{ ...next, stage: 'rolling-back', message: `verification failed: ${summary}` }, [log, { type: 'rollback', request }]];
}

function afterReverify(s0: PipelineState, e: Extract<PipelineEvent, { type: 'verified' }>): Step {
  const s = sawStatus(s0, e.status);
  const next: PipelineState = { ...s, reverifyChecks: e.checks, versionAfter: e.status?.version ?? s.versionAfter };
  const failed = failedChecks(e.checks);
  const rolledTo = next.versionAfter !== undefined ? ` to version ${next.versionAfter}` : '';
  if (failed.length === 0 && !e.unreachable) {
    const message = s.input.mode === 'rollback' ? `rolled back${rolledTo}, verified` : `${s.message}; rolled back${rolledTo}`;
    return finish(next, 'rolled-back', message, []);
  }
  const summary = e.unreachable ? 'service unreachable' : failed.map((c) => `${c.name} (${c.detail})`).join('; ');
  // after a trigger: why it was rolled back first, as when the rollback verifies
  const why = s.input.mode === 'trigger' && s.message ? `${s.message}; ` : '';
  const message = `${why}rolled back${rolledTo}, but verification still fails: ${summary}`;
  const entry: LogEntry = {
    kind: 'verify',
    message,
    version: next.versionAfter,
    files: s.input.request.files ?? [],
    ...httpOf(e.failures, failed),
    detail: { checks: failed },
  };
  // one meaning of exit 4 in every mode: a rollback was needed or asked for, and the
  // service is not back in a verified state
  return finish(next, 'rollback-failed', message, [{ type: 'logError', entry }]);
}

function rollbackFailed(s: PipelineState, reason: string, extra: Pick<LogEntry, 'httpStatus' | 'bodyExcerpt'>): Step {
  const message = `rollback failed: ${reason}`;
  const entry: LogEntry = {
    kind: 'rollback',
    message,
    files: s.input.request.files ?? [],
    version: s.versionAfter,
    ...(extra.httpStatus !== undefined ? { httpStatus: extra.httpStatus } : {}),
    ...(extra.bodyExcerpt ? { bodyExcerpt: extra.bodyExcerpt } : {}),
  };
  const prefix = s.input.mode === 'trigger' && s.message ? `${s.message}; ` : '';
  return finish(s, 'rollback-failed', prefix + message, [{ type: 'logError', entry }]);
}

function finish(s: PipelineState, outcome: ReloadOutcome, message: string, effects: PipelineEffect[]): Step {
  return [
    { ...s, stage: 'done', outcome, message, exitCode: exitCodeFor(s.input.mode, outcome) },
    [...effects, { type: 'done' }],
  ];
}

export function exitCodeFor(mode: PipelineMode, outcome: ReloadOutcome): ExitCode {
  switch (outcome) {
    case 'ok':
      return 0;
    case 'rolled-back':
      return mode === 'rollback' ? 0 : 1; // a requested rollback that worked is success
    case 'failed':
      return 1;
    case 'unreachable':
      return 3;
    case 'rollback-failed':
      return 4;
  }
}

function failureEntry(f: Failure, files: string[]): LogEntry {
  return {
    kind: f.kind,
    message: f.message,
    files,
    ...(f.httpStatus !== undefined ? { httpStatus: f.httpStatus } : {}),
    ...(f.bodyExcerpt ? { bodyExcerpt: f.bodyExcerpt } : {}),
  };
}

/** The HTTP status and body excerpt of the first failed request or probe that had them (for the error log). */
function httpOf(failures: readonly Failure[] | undefined, checks: readonly CheckResult[] = []): Pick<LogEntry, 'httpStatus' | 'bodyExcerpt'> {
  const f = failures?.find((x) => x.httpStatus !== undefined || x.bodyExcerpt) ?? checks.find((c) => c.httpStatus !== undefined || c.bodyExcerpt);
  if (!f) return {};
  return { ...(f.httpStatus !== undefined ? { httpStatus: f.httpStatus } : {}), ...(f.bodyExcerpt ? { bodyExcerpt: f.bodyExcerpt } : {}) };
}

/**
 * Where a load error is: `file:line:column`, with the file as the agent names its modules
 * (relative to its root, from `failed_modules`) when it sent an absolute one.
 */
export function errorLocation(r: Pick<ReloadResult, 'error' | 'failed_modules'>, root?: string): string | undefined {
  const e = r.error;
  if (!e?.file) return undefined;
  const file = e.file;
  const base = root?.replace(/[\\/]+$/, '');
  const inRoot = base && (file.startsWith(`${base}/`) || file.startsWith(`${base}\\`)) ? file.slice(base.length + 1).replace(/\\/g, '/') : undefined;
  const named = r.failed_modules.find((m) => m.length > 0 && m !== file && file.endsWith(`/${m}`));
  const shown = named ?? inRoot ?? file;
  return e.line !== undefined ? `${shown}:${e.line}${e.column !== undefined ? `:${e.column}` : ''}` : shown;
}

function withLocation(message: string, r: ReloadResult, root?: string): string {
  const loc = errorLocation(r, root);
  return loc && !message.includes(loc) ? `${message} (${loc})` : message;
}

function reloadedMessage(r: ReloadResult | undefined): string {
  if (!r) return 'reloaded';
  const n = listTotal(r.reloaded_modules); // the list may have been clipped (bounds.ts)
  const v = r.activated && r.version !== undefined ? ` → version ${r.version}` : '';
  const stale = r.not_reloadable?.length ? `; loaded by Node, not reloadable: ${r.not_reloadable.join(', ')} (restart the service to run them)` : '';
  return `reloaded ${n} module${n === 1 ? '' : 's'}${v}${notLoaded(r)}${stale}`;
}
