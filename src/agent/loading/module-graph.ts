// The agent's own module system. Local files are evaluated as functions (CommonJS
// wrappers produced by esbuild), never as native ESM records, because Node never frees
// an ESM record: this way an old version is ordinary garbage once nothing uses it.
// A load builds a new module map that re-evaluates the stale modules and reuses the very
// same records (and so the state) of every module that did not change.
import { dirname, extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compileFunction } from 'node:vm';
import type { ReloadErrorInfo } from '../../protocol/wire.js';
import { readStamped, type FileStamp, type Stamped } from '../versions/changes.js';
import * as emitterCapture from '../lifecycle/emitter-capture.js';
import { describeError, mapStack, ModuleLoadError } from '../errors.js';
import { HotContext, type HotData } from '../lifecycle/hot.js';
import { LoadTimeout, runBounded } from '../lifecycle/load-guards.js';
import { FormatDetector } from './module-format.js';
import { ResolutionError, type ImportKind, type Resolution, type Resolver } from './resolve.js';
import { DRAIN_MS, SideEffects } from '../lifecycle/side-effects.js';
import { rememberSourceMap } from './stack-traces.js';
import { IMPORT_META_PARAM, PROCESS_PARAM, TIMERS_PARAM, transformModule } from './transform.js';

export interface CjsModule {
  id: string;
  filename: string;
  path: string;
  exports: unknown;
  loaded: boolean;
  children: never[];
  paths: string[];
  require: NodeRequire;
  hot?: HotContext;
  /** as Node's: the module that first required this one; null for the entry */
  parent: CjsModule | null;
}

export interface ModuleRecord {
  readonly file: string;
  readonly module: CjsModule;
  /** local files this module required (at load time or later) */
  readonly deps: Set<string>;
  readonly stamp: FileStamp;
  /** source map JSON, to map stack frames back to the user's lines */
  readonly map?: string;
  /** the evaluated code, kept so that a rollback can re-instantiate it (never from disk) */
  readonly code?: string;
  /** what this instance's code created (timers, listeners); absent for JSON */
  readonly effects?: SideEffects;
  readonly hot?: HotContext;
  /** its side effects were released: it must be instantiated again to be active */
  released: boolean;
}

/** One version's module instances, by absolute path. */
export type ModuleMap = Map<string, ModuleRecord>;

export type LoadOutcome =
  | { ok: true; modules: ModuleMap; evaluated: string[] }
  | { ok: false; error: ReloadErrorInfo; evaluated: string[] };

export interface LoadOptions {
  /** records of `base` that are not stale are reused as they are */
  base?: ModuleMap;
  stale?: ReadonlySet<string>;
  /** files the caller read (and prepared) before the load */
  preread?: Map<string, Stamped>;
  /** evaluate stale modules from the code kept in `base`, not from disk (a rollback) */
  fromKept?: boolean;
}

export interface GraphOptions {
  /** bound on a load's synchronous top-level code (ms) */
  loadTimeoutMs: number;
  /** false: modules get the real timers and process, loads are unbounded (to measure the cost) */
  track?: boolean;
  /** a module's SIGINT/SIGTERM/SIGHUP listeners are kept on its instance for the agent to run (serve) */
  ownSignals?: boolean;
  /** a dispose callback threw */
  onDisposeError: (file: string, err: unknown) => void;
}

interface LoadSession {
  readonly map: ModuleMap;
  readonly base: ModuleMap;
  readonly stale: ReadonlySet<string>;
  readonly evaluated: string[];
  /** source maps of what this load evaluated, kept even for a module that threw */
  readonly maps: Map<string, string>;
  /** files the caller read (and prepared) before the load; each is used once */
  readonly preread: Map<string, Stamped>;
  readonly fromKept: boolean;
  /** every instance this load created, kept even for a module that threw (to release it) */
  readonly created: ModuleRecord[];
  readonly entry: string;
  failedFile?: string;
}

// what modules see when tracking is off: the real globals, and a release that releases nothing
const UNTRACKED = Object.assign(Object.create(SideEffects.prototype) as SideEffects, {
  timers: { setTimeout, setInterval, setImmediate, clearTimeout, clearInterval, clearImmediate },
  process,
  release: () => ({ timers: 0, listeners: 0, draining: { Timeout: 0, Immediate: 0 } }),
  track: () => {},
  signalHandlers: () => [],
});

const PARAMS = ['exports', 'require', 'module', '__filename', '__dirname', IMPORT_META_PARAM, TIMERS_PARAM, PROCESS_PARAM];
const NO_CACHE: Record<string, never> = Object.freeze(Object.create(null));

// The last compiled wrapper per file: an importer re-evaluated because a dependency
// changed has the same code (the transform cache hands back the very same string), and
// a compiled function can be called again for a fresh module scope.
const lastCompiled = new Map<string, { code: string; fn: Function }>();

function compiled(file: string, code: string, map: string | undefined): Function {
  const hit = lastCompiled.get(file);
  if (hit && hit.code === code) return hit.fn;
  const fn = compileFunction(code, PARAMS, { filename: file });
  lastCompiled.set(file, { code, fn });
  // run-time frames of this code are mapped through this map (hashing the code once per compile)
  if (map) rememberSourceMap(file, code, map);
  return fn;
}

/** Totals of what retiring instances gave back. */
export interface Retired {
  timers: number;
  listeners: number;
  disposers: number;
  /** one-shot timers by resource type, left to fire until their drain ends */
  draining: Record<string, number>;
}

/** Every local module that (transitively) imports one of `changed`, plus `changed`. */
export function staleClosure(base: ModuleMap, changed: Iterable<string>): Set<string> {
  const importers = new Map<string, string[]>();
  for (const rec of base.values()) {
    for (const dep of rec.deps) {
      const list = importers.get(dep);
      if (list) list.push(rec.file);
      else importers.set(dep, [rec.file]);
    }
  }
  const stale = new Set<string>();
  const queue = [...changed];
  while (queue.length) {
    const file = queue.pop()!;
    if (stale.has(file)) continue;
    stale.add(file);
    for (const importer of importers.get(file) ?? []) queue.push(importer);
  }
  return stale;
}

export class ModuleGraph {
  private session: LoadSession | null = null;
  readonly formats = new FormatDetector();
  /** `hot.data` of each module file, shared by its instances */
  private readonly hotData = new Map<string, HotData>();
  /** every file this graph evaluated: a listener added from one of them is the app's own */
  private readonly localFiles = new Set<string>();
  /** modules whose top-level code is running, innermost last */
  private readonly evaluating: string[] = [];
  private readonly isLocal = (file: string) => this.localFiles.has(file);
  /** the entry's module of the newest load: `require.main`, as under `node FILE` */
  private main: CjsModule | undefined;

  /**
   * `active` gives the serving version's map, where lazy requires at run time land;
   * `resolver` decides what each specifier names and whether the agent loads it.
   */
  constructor(
    private readonly active: () => ModuleMap | undefined,
    readonly resolver: Resolver,
    private readonly options: GraphOptions = { loadTimeoutMs: 5000, onDisposeError: () => {} },
  ) {}

  /**
   * Loads `entry` into a new map. Synchronous on purpose: nothing else runs while a map is
   * being built; its top-level code is bounded by `loadTimeoutMs`. A failed load releases
   * what the instances it created had set up.
   */
  load(entry: string, opts: LoadOptions = {}): LoadOutcome {
    const base = opts.base ?? new Map();
    const session: LoadSession = {
      map: new Map(),
      base,
      stale: opts.stale ?? new Set(),
      evaluated: [],
      maps: new Map(),
      preread: opts.preread ?? new Map(),
      fromKept: opts.fromKept ?? false,
      created: [],
      entry,
    };
    this.session = session;
    const main = this.main;
    try {
      // the bound costs a watchdog thread per load (~0.2 ms)
      if (this.options.track === false || this.options.loadTimeoutMs === 0) this.instantiate(entry);
      else runBounded(() => this.instantiate(entry), this.options.loadTimeoutMs);
      return { ok: true, modules: session.map, evaluated: session.evaluated };
    } catch (err) {
      this.main = main;
      // an interrupted module never reached its catch block: the innermost one running is it
      if (err instanceof LoadTimeout) session.failedFile = this.evaluating[this.evaluating.length - 1];
      const lookup = (file: string) => session.maps.get(file) ?? base.get(file)?.map;
      const error = describeError(err, lookup, session.failedFile ?? entry);
      this.retire(session.created);
      return { ok: false, error, evaluated: session.evaluated };
    } finally {
      this.session = null;
      this.evaluating.length = 0;
      emitterCapture.reset();
    }
  }

  /**
   * Releases the side effects of instances that stop being active: their dispose
   * callbacks, then their timers and recorded listeners. Safe to call twice.
   */
  retire(records: Iterable<ModuleRecord>): Retired {
    const total: Retired = { timers: 0, listeners: 0, disposers: 0, draining: { Timeout: 0, Immediate: 0 } };
    for (const rec of records) {
      if (!rec.effects || !rec.hot) continue;
      const disposers = rec.hot.runDispose((err) => this.options.onDisposeError(rec.file, err));
      const { timers, listeners, draining } = rec.effects.release();
      if (disposers + timers + listeners + draining.Timeout + draining.Immediate > 0) rec.released = true;
      total.timers += timers;
      total.listeners += listeners;
      total.disposers += disposers;
      total.draining.Timeout += draining.Timeout;
      total.draining.Immediate += draining.Immediate;
    }
    return total;
  }

  private instantiate(file: string, parent: CjsModule | null = null): ModuleRecord {
    const session = this.session;
    const map = session?.map ?? this.active();
    if (!map) throw new Error(`auto-hot-reload agent: no active version to load ${file} into`);
    const existing = map.get(file);
    if (existing) return existing;
    const prior = session?.base.get(file);
    if (session && prior && (!session.stale.has(file) || (session.fromKept && !prior.effects))) {
      this.adopt(prior, session);
      return prior;
    }
    return this.evaluate(file, map, parent, session?.fromKept ? prior : undefined);
  }

  // An unchanged module comes with the modules it holds references to.
  private adopt(record: ModuleRecord, session: LoadSession): void {
    session.map.set(record.file, record);
    for (const dep of record.deps) {
      if (session.map.has(dep)) continue;
      const prior = session.base.get(dep);
      if (prior && !session.stale.has(dep)) this.adopt(prior, session);
    }
  }

  // `kept`: the instance of a kept version to evaluate again from its own code (rollback)
  private evaluate(file: string, map: ModuleMap, parent: CjsModule | null, kept?: ModuleRecord): ModuleRecord {
    if (kept?.code !== undefined) return this.run(file, map, parent, { code: kept.code, map: kept.map }, kept.stamp);
    const pre = this.session?.preread.get(file);
    // used once: a module that threw and is required again is read afresh
    if (pre) this.session!.preread.delete(file);
    const { source, stamp } = pre ?? readStamped(file);
    if (extname(file) === '.json') {
      const module = this.createModule(file, parent);
      try {
        module.exports = JSON.parse(source);
      } catch (err) {
        throw new ModuleLoadError(`SyntaxError: ${(err as Error).message}`, { file });
      }
      const record: ModuleRecord = { file, module, deps: new Set(), stamp, released: false };
      map.set(file, record);
      this.session?.evaluated.push(file);
      return record;
    }
    return this.run(file, map, parent, transformModule(file, source, stamp.hash), stamp);
  }

  // Runs one module's code for a fresh instance, with its own timers, `process` view and hot context.
  private run(file: string, map: ModuleMap, parent: CjsModule | null, out: { code: string; map?: string }, stamp: FileStamp): ModuleRecord {
    const { code, map: sourceMap } = out;
    const fn = compiled(file, code, sourceMap);
    const module = this.createModule(file, parent);
    if (this.session?.entry === file) this.main = module;
    const effects = this.options.track === false ? UNTRACKED : new SideEffects(DRAIN_MS, this.options.ownSignals);
    const hot = new HotContext(this.dataOf(file));
    module.hot = hot;
    const record: ModuleRecord = { file, module, deps: new Set(), stamp, map: sourceMap, code, effects, hot, released: false };
    module.require = this.createRequire(record, this.formats.formatOf(file, code) === 'esm' ? 'import' : 'require');
    map.set(file, record); // before evaluating, so that import cycles see partial exports
    this.localFiles.add(file);
    this.session?.evaluated.push(file);
    this.session?.created.push(record);
    if (sourceMap) this.session?.maps.set(file, sourceMap);
    const meta = {
      url: pathToFileURL(file).href,
      filename: file,
      dirname: dirname(file),
      resolve: (spec: string) => pathToFileURL(module.require.resolve(spec)).href,
      hot,
    };
    this.evaluating.push(file);
    if (effects !== UNTRACKED) emitterCapture.enter(effects, this.isLocal);
    effects.loading = true;
    try {
      fn.call(module.exports, module.exports, module.require, module, file, dirname(file), meta, effects.timers, effects.process);
    } catch (err) {
      // the innermost failing module is caught first
      if (this.session && !this.session.failedFile) this.session.failedFile = file;
      // as Node's require: a module that threw is not kept half-initialized, so code that
      // catches the error and requires it again gets a fresh attempt
      map.delete(file);
      if (!this.session) this.retire([record]);
      throw err;
    } finally {
      effects.loading = false;
      if (effects !== UNTRACKED) emitterCapture.leave();
      this.evaluating.pop();
    }
    module.loaded = true;
    return record;
  }

  private dataOf(file: string): HotData {
    let data = this.hotData.get(file);
    if (!data) {
      data = {};
      this.hotData.set(file, data);
    }
    return data;
  }

  private createModule(file: string, parent: CjsModule | null): CjsModule {
    return {
      id: file,
      filename: file,
      path: dirname(file),
      exports: {},
      loaded: false,
      children: [],
      paths: [],
      require: undefined as unknown as NodeRequire,
      parent,
    };
  }

  // The closure holds the record and the graph, never a version: an unchanged module
  // reused by later versions must not keep an old version's map alive. `kind` is how the
  // module's source asked: an ESM module's imports of a package take its `import`
  // condition (as under node), a CommonJS module's requires the `require` one.
  private createRequire(record: ModuleRecord, kind: ImportKind): NodeRequire {
    // what this module resolved stays its answer, as in Node: a require() at run time
    // finds a module already loaded even if its file has gone since
    const memo = new Map<string, Resolution>();
    const resolve = (specifier: string) => {
      let target = memo.get(specifier);
      if (!target) memo.set(specifier, (target = this.resolveFrom(record, specifier, kind)));
      return target;
    };
    const req = ((specifier: string) => {
      if (typeof specifier !== 'string') throw new TypeError(`require() expects a string, got ${typeof specifier}`);
      const target = resolve(specifier);
      if ('node' in target) return this.resolver.nativeRequire(record.file)(target.node);
      record.deps.add(target.local);
      return this.instantiate(target.local, record.module).module.exports;
    }) as NodeRequire;
    const resolveFn = ((specifier: string) => {
      const target = resolve(specifier);
      return 'local' in target ? target.local : this.resolver.nativeRequire(record.file).resolve(target.node);
    }) as NodeRequire['resolve'];
    resolveFn.paths = (request: string) => this.resolver.nativeRequire(record.file).resolve.paths(request);
    req.resolve = resolveFn;
    req.cache = NO_CACHE as NodeRequire['cache'];
    Object.defineProperty(req, 'main', { get: () => this.main, enumerable: true });
    return req;
  }

  private resolveFrom(record: ModuleRecord, specifier: string, kind: ImportKind): Resolution {
    try {
      return this.resolver.resolve(specifier, record.file, kind);
    } catch (err) {
      if (!(err instanceof ResolutionError)) throw err;
      // name the importing line: the innermost frame of this module, mapped to its source
      const { first } = mapStack(new Error().stack ?? '', (f) => (f === record.file ? record.map : undefined));
      throw err.at(first?.line);
    }
  }
}
