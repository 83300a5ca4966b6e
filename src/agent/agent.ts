// The agent's core: reload (find what changed, load, check, activate), rollback, verify
// and status. Reloads and rollbacks run one at a time through a queue.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { relative, resolve, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type {
  LastReload,
  ReloadErrorInfo,
  ReloadRequest,
  ReloadResult,
  RollbackResponse,
  Status,
  VerifyResponse,
} from '../protocol/wire.js';
import { visibleLine } from '../protocol/visible.js';
import { AppHandles, ServerAdopter, type ShutdownSignal } from './serve/adopt.js';
import { hasChanged, readStamped, type Stamped } from './versions/changes.js';
import { HintIndex } from './versions/hints.js';
import { runChecks, type ChecksReport } from './versions/checks.js';
import { readEntry, type AppEntry } from './versions/entry.js';
import { describeError } from './errors.js';
import { guardExit } from './lifecycle/load-guards.js';
import { ModuleGraph, staleClosure, type LoadOptions, type ModuleMap, type ModuleRecord } from './loading/module-graph.js';
import { NodeLoadedFiles } from './versions/node-loaded.js';
import type { NormalizedAgentOptions } from './options.js';
import { createHttpHandler } from './http/http.js';
import { Prewarmer } from './loading/prewarm.js';
import { firstLoadReady, pendingWork, reloadReady, type Readiness } from './serve/ready.js';
import { Resolver } from './loading/resolve.js';
import { countResources, describeNotReleased, growth, type ResourceCounts } from './lifecycle/resources.js';
import { isTransformable, prepareModule, transformsSettled } from './loading/transform.js';
import { VersionRing, type Version } from './versions/versions.js';
import { AGENT_NAME, AGENT_VERSION } from './version-info.js';

// hints matched between two turns of the event loop (a few ms of work)
const HINT_SLICE = 1000;
// module names in one reload line of the agent's output
const LOG_MODULES = 20;
// status.stale_files lists at most this many (a reload without hints catches every one)
const MAX_STALE_LISTED = 1000;

/** The first version of the app could not be loaded. */
export class AgentStartError extends Error {
  override readonly name = 'AgentStartError';
  constructor(readonly info: ReloadErrorInfo) {
    super(info.file ? `${info.message} (${info.file}${info.line ? `:${info.line}:${info.column ?? 1}` : ''})` : info.message);
  }
}

export interface RollbackOutcome {
  status: 200 | 409;
  body: RollbackResponse;
}

/** A candidate version: loaded, its entry read and its checks passed, or why not. */
type Candidate =
  | { ok: true; modules: ModuleMap; evaluated: string[]; entry: VersionEntry }
  | { ok: false; error: ReloadErrorInfo; evaluated: string[] };
type VersionEntry = AppEntry & { handles?: AppHandles };

export class HotReloadAgent {
  readonly bootId = randomUUID();
  readonly startedAt = new Date();
  private readonly ring: VersionRing;
  private readonly graph: ModuleGraph;
  private queue: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private reloads = 0;
  private lastReload: LastReload | null = null;
  private prewarmer: Prewarmer | undefined;
  private readonly nodeLoaded = new NodeLoadedFiles();
  /** adopts the servers the app listen()s itself (serve); undefined for an embedded agent */
  readonly adopter: ServerAdopter | undefined;
  /** how the app is served: its own servers (adopted), or its default export on our server */
  mode: 'adopt' | 'listener' = 'listener';

  constructor(readonly options: NormalizedAgentOptions) {
    this.ring = new VersionRing(options.keep);
    this.graph = new ModuleGraph(() => this.ring.active?.modules, new Resolver(options.root, options.entry), {
      loadTimeoutMs: options.loadTimeoutMs,
      track: options.trackSideEffects,
      // under serve, the app's SIGINT/SIGTERM/SIGHUP handlers are run by the agent (its shutdown)
      ownSignals: options.adopt !== undefined,
      onDisposeError: (file, err) =>
        options.log(`auto-hot-reload agent: a dispose callback of ${this.display(file)} threw: ${(err as Error)?.message ?? String(err)}`),
    });
    if (options.adopt) {
      this.adopter = new ServerAdopter({
        portOverride: options.adopt.port,
        active: () => this.ring.active?.handles,
        log: options.log,
        dispatch: (slot) => {
          const handler = createHttpHandler(this, (v) => v.handles?.handlers[slot] ?? v.listener);
          return (req: IncomingMessage, res: ServerResponse) => {
            // requests that reach the first version's socket before it is active
            if (!this.ring.active) return this.firstHandles?.handlers[slot]?.(req, res);
            // the app may listen on every interface: without a token the API is loopback-only
            if (!options.token && req.url?.startsWith(options.prefix) && !isLoopbackPeer(req)) {
              res.writeHead(403, { 'content-type': 'application/json; charset=utf-8' });
              return res.end(JSON.stringify({ success: false, message: 'the hot-reload API answers loopback callers only unless a token is configured (--token / HOT_RELOAD_TOKEN)' }));
            }
            handler(req, res);
          };
        },
      });
    }
  }

  private firstHandles: AppHandles | undefined;

  /** Loads the first version. Throws AgentStartError when it cannot serve. */
  async start(): Promise<void> {
    const options = this.options;
    this.adopter?.install();
    const baseline = pendingWork();
    const handles = (this.firstHandles = this.adopter?.begin());
    try {
      const outcome = this.loadModules({});
      if (!outcome.ok) throw new AgentStartError(outcome.error);
      const exportsListener = !('problem' in this.readEntry(outcome.modules));
      let ready: Readiness = { mode: 'listener' };
      if (handles) ready = await firstLoadReady(handles, { exportsListener, timeoutMs: options.readyTimeoutMs, baseline, file: this.display(options.entry) });
      // "nothing to serve" names the file itself
      if ('problem' in ready) throw new AgentStartError({ message: ready.problem, ...(ready.problem.startsWith('nothing') ? {} : { file: options.entry }) });
      this.mode = ready.mode;
      const entry = this.versionEntry(outcome.modules, handles);
      if ('problem' in entry) throw new AgentStartError({ message: entry.problem, file: options.entry });
      this.ring.activate({ modules: outcome.modules, ...entry });
      this.prewarmer = options.prewarm ? new Prewarmer() : undefined;
      this.prewarmer?.track(outcome.modules.keys());
    } finally {
      this.adopter?.end();
      this.firstHandles = undefined;
    }
  }

  /** Stops watching for edits. The agent keeps answering; safe to call twice. */
  close(): void {
    this.prewarmer?.close();
  }

  /** The local module files the active version has loaded (absolute paths). */
  loadedFiles(): string[] {
    return [...this.active.modules.keys()];
  }

  /**
   * The active version's own handlers for a shutdown signal, in the order they were added:
   * those of the modules it re-ran and those modules it did not re-run still hold (a db
   * module's pool.end), each instance's own.
   */
  signalHandlers(signal: ShutdownSignal): ((...args: unknown[]) => unknown)[] {
    const added = [...this.active.modules.values()].flatMap((rec) => rec.effects?.signalHandlers(signal) ?? []);
    return added.sort((a, b) => a.seq - b.seq).map((h) => h.fn);
  }

  // The entry's checks and health export; its listener: the default export, or in adopt
  // mode the handler of its first server.
  private versionEntry(modules: ModuleMap, handles: AppHandles | undefined): VersionEntry | { problem: string } {
    const exports = modules.get(this.options.entry)?.module.exports;
    if (this.mode === 'listener') {
      const entry = this.readEntry(modules);
      return 'problem' in entry ? entry : { ...entry, handles };
    }
    const entry = readEntry(exports, this.display(this.options.entry), false);
    if ('problem' in entry) return entry;
    return { ...entry, listener: handles!.handlers[0], handles };
  }

  /** The version serving new requests. */
  get active(): Version {
    return this.ring.active!;
  }

  reload(request: ReloadRequest = {}, receivedAt = performance.now()): Promise<ReloadResult> {
    return this.serialize(() => this.reloadNow(request, receivedAt));
  }

  rollback(fromVersion?: number): Promise<RollbackOutcome> {
    return this.serialize(async () => this.rollbackNow(fromVersion));
  }

  async verify(): Promise<VerifyResponse> {
    const v = this.active;
    const report = await this.checked(v.checks, v.modules);
    return { success: report.ok, checks: report.checks };
  }

  status(): Status {
    return {
      running: true,
      state: this.pending > 0 ? 'reloading' : 'idle',
      version: this.active.id,
      versions_kept: this.ring.ids,
      boot_id: this.bootId,
      pid: process.pid,
      started_at: this.startedAt.toISOString(),
      uptime_ms: Date.now() - this.startedAt.getTime(),
      last_reload: this.lastReload,
      agent: { name: AGENT_NAME, version: AGENT_VERSION },
      stale_files: this.staleFiles(),
    };
  }

  // A stat per module, a read only where the stat moved: cheap enough for a 2-s status poll.
  private staleFiles(): string[] {
    const stale: string[] = [];
    for (const rec of this.active.modules.values()) {
      if (stale.length === MAX_STALE_LISTED) break;
      if (hasChanged(rec.file, rec.stamp)) stale.push(this.display(rec.file));
    }
    return stale;
  }

  private serialize<T>(job: () => Promise<T>): Promise<T> {
    this.pending++;
    const run = this.queue.then(job);
    this.queue = run.then(
      () => this.pending--,
      () => this.pending--,
    );
    return run;
  }

  private async reloadNow(request: ReloadRequest, receivedAt: number): Promise<ReloadResult> {
    const id = `r${++this.reloads}`;
    const startedAt = new Date().toISOString();
    const current = this.active;
    const { changed, unmatched } = await this.findChanged(current.modules, request);
    this.followResolution(current.modules, changed);
    const notReloadable = this.staleNodeFiles(request, changed, unmatched);
    const notLoaded = notLoadedHints(unmatched, notReloadable, this.options.root);
    // `activeAt`: when the new version took over; the leak report's settling after it is not the swap
    const finish = (result: ReloadResult, modules: string[], activeAt = performance.now()): ReloadResult => {
      if (notLoaded.length) result.not_loaded = notLoaded;
      if (notReloadable.length) {
        result.not_reloadable = notReloadable;
        result.message = `${result.message}; ${notReloadableMessage(notReloadable)}`;
      }
      result.duration_ms = round(activeAt - receivedAt);
      this.lastReload = {
        id,
        ok: result.success,
        version: this.active.id,
        started_at: startedAt,
        duration_ms: result.duration_ms,
        modules,
        ...(result.error ? { error: result.error } : {}),
      };
      this.options.log(describeReload(result));
      return result;
    };
    const unchanged = { version: current.id, previous_version: current.id, activated: false };

    if (changed.size === 0) {
      const notLoadedNote = notLoaded.length ? `not loaded by the service: ${notLoaded.join(', ')}; ` : '';
      const message = notReloadable.length || notLoaded.length ? `${notLoadedNote}version ${current.id} still serving` : 'nothing changed';
      return finish(
        { success: true, message, reloaded_modules: [], failed_modules: [], ...unchanged },
        [],
      );
    }
    const fail = (error: ReloadErrorInfo, modules: string[]) =>
      finish(
        {
          success: false,
          message: `reload failed, version ${current.id} still serving: ${where(error, this.display)}`,
          reloaded_modules: [],
          failed_modules: error.file ? [this.display(error.file)] : modules,
          ...unchanged,
          error: error.file ? { ...error, file: error.file } : error,
        },
        modules,
      );

    const stale = staleClosure(current.modules, changed);
    const declined = [...stale].find((f) => current.modules.get(f)?.hot?.declined);
    if (declined) {
      const message = `${this.display(declined)} declined hot reload (import.meta.hot.decline()): restart the service to load this change`;
      return fail({ message, file: declined }, []);
    }
    const preread = await prepareStale(stale);
    const before = this.resources();
    const connections = this.adopter?.connections() ?? 0;
    const candidate = await this.check(await this.loadVersion({ base: current.modules, stale, preread }), current.modules);
    const evaluated = candidate.evaluated.map(this.display);
    if (!candidate.ok) return fail(candidate.error, evaluated);

    const next = this.ring.activate({ modules: candidate.modules, ...candidate.entry });
    const activeAt = performance.now();
    // the old instances go only now that the new ones are proven (loaded, listening, checked):
    // a failed load left them whole
    const retired = this.graph.retire(leaving(current.modules, candidate.modules));
    if (this.options.trackSideEffects) await afterPendingCallbacks();
    // a save's prewarm may have started esbuild meanwhile: its process is ours, not the app's
    if (this.options.trackSideEffects) await transformsSettled();
    const grown = growth(before, this.resources(), { ...retired.draining, TCPSocketWrap: this.clientsSince(connections) });
    this.prewarmer?.track(candidate.modules.keys());
    const leak = Object.keys(grown).length ? describeNotReleased(current.id, grown) : '';
    return finish(
      {
        success: true,
        message: `version ${next.id} active (${evaluated.length} module${evaluated.length === 1 ? '' : 's'} reloaded)${leak ? `; ${leak}` : ''}`,
        reloaded_modules: evaluated,
        failed_modules: [],
        version: next.id,
        previous_version: current.id,
        activated: true,
        ...(leak ? { not_released: grown } : {}),
      },
      evaluated,
      activeAt,
    );
  }

  // Loads a version, reads its entry and, for an adopted app, waits until it has called
  // listen() for each adopted server. A failure releases what the new instances set up.
  private async loadVersion(opts: LoadOptions): Promise<Candidate> {
    const base = opts.base ?? new Map();
    const handles = this.adopter?.begin();
    try {
      const outcome = this.loadModules(opts);
      if (!outcome.ok) return outcome;
      const { modules, evaluated } = outcome;
      let entry: VersionEntry | { problem: string } | undefined;
      if (handles && this.mode === 'adopt') {
        const slots = this.adopter!.slots;
        const ports = slots.map((s) => s.key.replace(/^port:|^path:/, '')).join(', ');
        const ready = await reloadReady(handles, slots.length, this.options.readyTimeoutMs, ports);
        if ('problem' in ready) entry = ready;
      }
      entry ??= this.versionEntry(modules, handles);
      if (!('problem' in entry)) return { ok: true, modules, evaluated, entry };
      this.graph.retire(leaving(modules, base));
      return { ok: false, error: { message: entry.problem, file: this.options.entry }, evaluated };
    } finally {
      this.adopter?.end();
    }
  }

  // Loads the modules, refusing process.exit() meanwhile. A failure releases what the new
  // instances had set up.
  private loadModules(opts: LoadOptions) {
    const base = opts.base ?? new Map();
    const stopGuard = this.options.trackSideEffects ? guardExit() : () => undefined;
    let outcome;
    try {
      outcome = this.graph.load(this.options.entry, opts);
      this.nodeLoaded.track();
    } finally {
      const exit = stopGuard();
      if (exit && outcome?.ok) {
        this.graph.retire(leaving(outcome.modules, base));
        outcome = { ok: false as const, error: describeError(exit, this.lookupIn(outcome.modules)), evaluated: outcome.evaluated };
      }
    }
    return outcome;
  }

  // Runs a loaded candidate's checks; a failure releases its new instances.
  private async check(candidate: Candidate, base: ModuleMap): Promise<Candidate> {
    if (!candidate.ok) return candidate;
    const report = await this.checked(candidate.entry.checks, candidate.modules);
    if (report.ok) return candidate;
    this.graph.retire(leaving(candidate.modules, base));
    return { ok: false, error: report.error ?? { message: 'a check failed' }, evaluated: candidate.evaluated };
  }

  // The app's checks, with process.exit() refused while they run.
  private async checked(checks: AppEntry['checks'], modules: ModuleMap): Promise<ChecksReport> {
    const stopGuard = this.options.trackSideEffects ? guardExit() : () => undefined;
    let report: ChecksReport;
    try {
      report = await runChecks(checks, this.options.checkTimeoutMs, this.lookupIn(modules));
    } finally {
      const exit = stopGuard();
      if (exit) report = { ok: false, checks: {}, error: describeError(exit, this.lookupIn(modules)) };
    }
    return report!;
  }

  private async rollbackNow(fromVersion?: number): Promise<RollbackOutcome> {
    const active = this.active;
    if (fromVersion !== undefined && fromVersion !== active.id) {
      return conflict(`from_version ${fromVersion} is not the active version ${active.id}; nothing rolled back`);
    }
    const target = this.ring.previous;
    if (!target) return conflict(`nothing to roll back: version ${active.id} is the oldest version kept`);
    const before = this.resources();
    const connections = this.adopter?.connections() ?? 0;
    const restored = await this.reestablish(target);
    if (!restored.ok) return conflict(`cannot roll back to version ${target.id}: ${where(restored.error, this.display)}`);
    const swap = this.ring.rollback()!;
    const retired = this.graph.retire(leaving(swap.from.modules, swap.to.modules));
    const grown = growth(before, this.resources(), { ...retired.draining, TCPSocketWrap: this.clientsSince(connections) });
    const leak = Object.keys(grown).length ? describeNotReleased(swap.from.id, grown) : '';
    this.prewarmer?.track(swap.to.modules.keys());
    const message = `rolled back from version ${swap.from.id} to ${swap.to.id}${leak ? `; ${leak}` : ''}`;
    this.options.log(`auto-hot-reload agent: ${message}`);
    return {
      status: 200,
      body: {
        success: true,
        message,
        version: swap.to.id,
        rolled_back_from: swap.from.id,
        ...(leak ? { not_released: grown } : {}),
      },
    };
  }

  // A kept version whose instances were released (they left the active version) gets new
  // instances of them, evaluated from the kept code, never from disk, with their importers
  // (an adopted app's re-run listen() is matched to its server again).
  private async reestablish(target: Version): Promise<{ ok: true } | { ok: false; error: ReloadErrorInfo }> {
    const released = [...target.modules.values()].filter((r) => r.released).map((r) => r.file);
    if (released.length === 0) return { ok: true };
    const stale = staleClosure(target.modules, released);
    const candidate = await this.loadVersion({ base: target.modules, stale, fromKept: true });
    if (!candidate.ok) return candidate;
    this.ring.replace(target, { modules: candidate.modules, ...candidate.entry });
    return { ok: true };
  }

  // Only content decides what reloads. Hints name candidates that are compared by content
  // even when their stat looks unchanged; every loaded file is compared on disk as well, so
  // a partial hint never leaves stale code serving. Hints are matched in slices, yielding
  // between them: a request with tens of thousands never holds up the app's requests.
  // `unmatched`: the file hints that name none of the agent's modules.
  private async findChanged(modules: ModuleMap, request: ReloadRequest): Promise<{ changed: Set<string>; unmatched: string[] }> {
    const changed = new Set<string>();
    const unmatched: string[] = [];
    const files = request.files ?? [];
    const names = request.modules ?? [];
    if (files.length + names.length > 0) {
      const index = this.hintIndex(modules);
      const named = new Set<string>();
      for (let i = 0; i < files.length + names.length; i++) {
        if (i > 0 && i % HINT_SLICE === 0) await yieldToEventLoop();
        const file = i < files.length ? index.file(files[i]) : index.module(names[i - files.length]);
        if (file !== null && file !== 'ambiguous') named.add(file);
        else if (file === null && i < files.length) unmatched.push(files[i]);
      }
      for (const file of named) if (hasChanged(file, modules.get(file)!.stamp, true)) changed.add(file);
    }
    for (const rec of modules.values()) {
      if (changed.has(rec.file)) continue;
      if (rec.hot?.invalidated || hasChanged(rec.file, rec.stamp)) changed.add(rec.file);
    }
    return { changed, unmatched };
  }

  // An edited package.json or tsconfig (or a deleted file) may make specifiers name other
  // files: cached resolutions are worked out again and the importers whose answers moved
  // are evaluated again.
  private followResolution(modules: ModuleMap, changed: Set<string>): void {
    const moved = this.graph.resolver.refresh(changed);
    if (!moved) return;
    this.graph.formats.clear();
    for (const file of moved) if (modules.has(file)) changed.add(file);
  }

  // Files Node loaded that changed on disk (once found, named on every reload). When every
  // hint named a module of ours, the client has said what changed and no stat is spent
  // (the hot path); otherwise the unmatched hints are looked up, and without hints (or
  // with nothing of ours changed) every file Node loaded is compared.
  private staleNodeFiles(request: ReloadRequest, changed: Set<string>, unmatched: string[]): string[] {
    const hinted = (request.files?.length ?? 0) + (request.modules?.length ?? 0) > 0;
    const stale = !hinted || changed.size === 0 ? this.nodeLoaded.stale() : this.nodeLoaded.staleAmong(unmatched, this.options.root);
    return stale.map(this.display);
  }

  // Versions mostly load the same files: the index is rebuilt only when the set of files changed.
  private lastHintIndex: { files: ModuleMap; index: HintIndex } | undefined;
  private hintIndex(modules: ModuleMap): HintIndex {
    const last = this.lastHintIndex;
    if (last && (last.files === modules || sameKeys(last.files, modules))) {
      last.files = modules; // hold no retired version
      return last.index;
    }
    const index = new HintIndex(modules.keys(), this.options.root);
    this.lastHintIndex = { files: modules, index };
    return index;
  }

  private readEntry(modules: ModuleMap): AppEntry | { problem: string } {
    return readEntry(modules.get(this.options.entry)?.module.exports, this.display(this.options.entry));
  }

  // the leak report's counts (none when tracking is off, to measure what it costs)
  private resources(): ResourceCounts {
    return this.options.trackSideEffects ? countResources() : new Map();
  }

  // connections clients opened to the adopted servers meanwhile: their sockets are no leak
  private clientsSince(connections: number): number {
    return Math.max(0, (this.adopter?.connections() ?? 0) - connections);
  }

  private lookupIn(modules: ModuleMap): (file: string) => string | undefined {
    return (file: string) => modules.get(file)?.map;
  }

  /** A module path as answers show it: relative to the root when inside it. */
  readonly display = (file: string): string => {
    const rel = relative(this.options.root, file);
    const inside = rel && !rel.startsWith('..') && !rel.startsWith(sep) && !/^[A-Za-z]:/.test(rel);
    return (inside ? rel : file).split(sep).join('/');
  };
}

// Reads the modules a reload re-evaluates and transforms them on esbuild's async path,
// shared with the prewarmer when it saw the same save, before the synchronous load: the
// sync path costs a worker thread and a second esbuild process. A file that cannot be
// read is left to the load, which reports it.
async function prepareStale(stale: Iterable<string>): Promise<Map<string, Stamped>> {
  const preread = new Map<string, Stamped>();
  const pending: Promise<void>[] = [];
  for (const file of stale) {
    if (!isTransformable(file)) continue;
    let read: Stamped;
    try {
      read = readStamped(file);
    } catch {
      continue;
    }
    preread.set(file, read);
    pending.push(prepareModule(file, read.source, read.stamp.hash));
  }
  await Promise.all(pending);
  return preread;
}

/** The instances of `from` that `to` does not use: they stop being active. */
function leaving(from: ModuleMap, to: ModuleMap): ModuleRecord[] {
  return [...from.values()].filter((rec) => to.get(rec.file) !== rec);
}

function sameKeys(a: ModuleMap, b: ModuleMap): boolean {
  if (a.size !== b.size) return false;
  for (const key of b.keys()) if (!a.has(key)) return false;
  return true;
}

// A resource the new code asked for on the next tick (listen() on a host name looks it up
// first) exists only then: the leak report counts after one turn of the event loop.
function afterPendingCallbacks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function isLoopbackPeer(req: IncomingMessage): boolean {
  const a = req.socket.remoteAddress ?? '';
  return a === '::1' || a.startsWith('127.') || a.startsWith('::ffff:127.');
}

/**
 * The `files` hints that name no file of the service at all: neither one of its modules
 * (`unmatched`) nor a file Node loaded that changed (`notReloadable`, shown paths).
 */
function notLoadedHints(unmatched: readonly string[], notReloadable: readonly string[], root: string): string[] {
  if (!unmatched.length || !notReloadable.length) return [...unmatched];
  const index = new HintIndex(notReloadable.map((f) => resolve(root, f)), root);
  return unmatched.filter((hint) => index.file(hint) === null);
}

function conflict(message: string): RollbackOutcome {
  return { status: 409, body: { success: false, message } };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function where(error: ReloadErrorInfo, display: (f: string) => string): string {
  if (!error.file) return error.message;
  const pos = error.line ? `:${error.line}${error.column ? `:${error.column}` : ''}` : '';
  return `${error.message} (${display(error.file)}${pos})`;
}

function notReloadableMessage(files: string[]): string {
  return `loaded by Node, not reloadable: ${files.join(', ')} (restart the process to run them)`;
}

// One line for a terminal: module names and messages come from files and app code, so
// their control characters are shown, never obeyed (src/protocol/visible.ts).
function describeReload(r: ReloadResult): string {
  const stale = r.not_reloadable?.length ? `; ${notReloadableMessage(r.not_reloadable)}` : '';
  if (r.activated) {
    const n = r.reloaded_modules.length;
    const names = r.reloaded_modules.slice(0, LOG_MODULES).join(', ') + (n > LOG_MODULES ? `, … ${n - LOG_MODULES} more` : '');
    const leak = r.not_released ? `; ${describeNotReleased(r.previous_version!, r.not_released)}` : '';
    return visibleLine(`auto-hot-reload agent: version ${r.version} active in ${r.duration_ms} ms (${n} module${n === 1 ? '' : 's'}: ${names})${leak}${stale}`);
  }
  // the message already says which files were not loaded and which are not reloadable
  if (r.success && (r.not_loaded?.length || stale)) return visibleLine(`auto-hot-reload agent: ${r.message}`);
  if (r.success) return `auto-hot-reload agent: nothing changed, version ${r.version} still serving`;
  return visibleLine(`auto-hot-reload agent: ${r.message}`);
}
