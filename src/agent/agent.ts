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
} from '../protocol.js';
import { visibleLine } from '../visible.js';
import { AppHandles, ServerAdopter, type ShutdownSignal } from './adopt.js';
import { hasChanged, readStamped, type Stamped } from './changes.js';
import { HintIndex } from './hints.js';
import { runChecks } from './checks.js';
import { readEntry, type AppEntry } from './entry.js';
import { ModuleGraph, staleClosure, type ModuleMap } from './module-graph.js';
import { NodeLoadedFiles } from './node-loaded.js';
import type { NormalizedAgentOptions } from './options.js';
import { createHttpHandler } from './http.js';
import { Prewarmer } from './prewarm.js';
import { firstLoadReady, pendingWork, reloadReady, type Readiness } from './ready.js';
import { Resolver } from './resolve.js';
import { isTransformable, prepareModule } from './transform.js';
import { VersionRing, type Version } from './versions.js';
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
    this.graph = new ModuleGraph(() => this.ring.active?.modules, new Resolver(options.root, options.entry));
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
      const outcome = this.graph.load(options.entry);
      this.nodeLoaded.track();
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

  /** The active version's own handlers for a shutdown signal. */
  signalHandlers(signal: ShutdownSignal): ((...args: unknown[]) => unknown)[] {
    return this.adopter?.signalHandlers(signal) ?? [];
  }

  // The entry's checks and health export; its listener: the default export, or in adopt
  // mode the handler of its first server.
  private versionEntry(modules: ModuleMap, handles: AppHandles | undefined) {
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
    const report = await runChecks(v.checks, this.options.checkTimeoutMs, this.lookupIn(v.modules));
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
    const finish = (result: ReloadResult, modules: string[]): ReloadResult => {
      if (notLoaded.length) result.not_loaded = notLoaded;
      if (notReloadable.length) {
        result.not_reloadable = notReloadable;
        result.message = `${result.message}; ${notReloadableMessage(notReloadable)}`;
      }
      result.duration_ms = round(performance.now() - receivedAt);
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
    const preread = await prepareStale(stale);
    const handles = this.adopter?.begin();
    let outcome;
    let entry;
    try {
      outcome = this.graph.load(this.options.entry, current.modules, stale, preread);
      this.nodeLoaded.track();
      if (outcome.ok && handles && this.mode === 'adopt') {
        const slots = this.adopter!.slots;
        const ports = slots.map((s) => s.key.replace(/^port:|^path:/, '')).join(', ');
        const ready = await reloadReady(handles, slots.length, this.options.readyTimeoutMs, ports);
        if ('problem' in ready) entry = { problem: ready.problem };
      }
      if (outcome.ok) entry ??= this.versionEntry(outcome.modules, handles);
    } finally {
      this.adopter?.end();
    }
    const evaluated = outcome.evaluated.map(this.display);
    if (!outcome.ok) return fail(outcome.error, evaluated);
    if (!entry || 'problem' in entry) return fail({ message: entry?.problem ?? 'no entry', file: this.options.entry }, evaluated);
    const report = await runChecks(entry.checks, this.options.checkTimeoutMs, this.lookupIn(outcome.modules));
    if (!report.ok) return fail(report.error ?? { message: 'a check failed' }, evaluated);

    if (handles) this.adopter!.inherit(handles, current.handles, new Set(outcome.evaluated));
    const next = this.ring.activate({ modules: outcome.modules, ...entry });
    this.prewarmer?.track(outcome.modules.keys());
    return finish(
      {
        success: true,
        message: `version ${next.id} active (${evaluated.length} module${evaluated.length === 1 ? '' : 's'} reloaded)`,
        reloaded_modules: evaluated,
        failed_modules: [],
        version: next.id,
        previous_version: current.id,
        activated: true,
      },
      evaluated,
    );
  }

  private rollbackNow(fromVersion?: number): RollbackOutcome {
    const active = this.active;
    if (fromVersion !== undefined && fromVersion !== active.id) {
      return conflict(`from_version ${fromVersion} is not the active version ${active.id}; nothing rolled back`);
    }
    const swap = this.ring.rollback();
    if (!swap) return conflict(`nothing to roll back: version ${active.id} is the oldest version kept`);
    this.prewarmer?.track(swap.to.modules.keys());
    this.options.log(`auto-hot-reload agent: rolled back from version ${swap.from.id} to ${swap.to.id}`);
    return {
      status: 200,
      body: {
        success: true,
        message: `rolled back from version ${swap.from.id} to ${swap.to.id}`,
        version: swap.to.id,
        rolled_back_from: swap.from.id,
      },
    };
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
    for (const rec of modules.values()) if (!changed.has(rec.file) && hasChanged(rec.file, rec.stamp)) changed.add(rec.file);
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

  private readonly hintIndexes = new WeakMap<ModuleMap, HintIndex>();
  private hintIndex(modules: ModuleMap): HintIndex {
    let index = this.hintIndexes.get(modules);
    if (!index) this.hintIndexes.set(modules, (index = new HintIndex(modules.keys(), this.options.root)));
    return index;
  }

  private readEntry(modules: ModuleMap): AppEntry | { problem: string } {
    return readEntry(modules.get(this.options.entry)?.module.exports, this.display(this.options.entry));
  }

  private lookupIn(modules: ModuleMap) {
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
// their control characters are shown, never obeyed (src/visible.ts).
function describeReload(r: ReloadResult): string {
  const stale = r.not_reloadable?.length ? `; ${notReloadableMessage(r.not_reloadable)}` : '';
  if (r.activated) {
    const n = r.reloaded_modules.length;
    const names = r.reloaded_modules.slice(0, LOG_MODULES).join(', ') + (n > LOG_MODULES ? `, … ${n - LOG_MODULES} more` : '');
    return visibleLine(`auto-hot-reload agent: version ${r.version} active in ${r.duration_ms} ms (${n} module${n === 1 ? '' : 's'}: ${names})${stale}`);
  }
  // the message already says which files were not loaded and which are not reloadable
  if (r.success && (r.not_loaded?.length || stale)) return visibleLine(`auto-hot-reload agent: ${r.message}`);
  if (r.success) return `auto-hot-reload agent: nothing changed, version ${r.version} still serving`;
  return visibleLine(`auto-hot-reload agent: ${r.message}`);
}
