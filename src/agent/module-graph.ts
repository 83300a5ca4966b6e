// The agent's own module system. Local files are evaluated as functions (CommonJS
// wrappers produced by esbuild), never as native ESM records, because Node never frees
// an ESM record: this way an old version is ordinary garbage once nothing uses it.
// A load builds a new module map that re-evaluates the stale modules and reuses the very
// same records (and so the state) of every module that did not change.
import { dirname, extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compileFunction } from 'node:vm';
import type { ReloadErrorInfo } from '../protocol.js';
import { readStamped, type FileStamp, type Stamped } from './changes.js';
import { describeError, mapStack, ModuleLoadError } from './errors.js';
import { FormatDetector } from './module-format.js';
import { ResolutionError, type ImportKind, type Resolution, type Resolver } from './resolve.js';
import { IMPORT_META_PARAM, transformModule } from './transform.js';

export interface CjsModule {
  id: string;
  filename: string;
  path: string;
  exports: unknown;
  loaded: boolean;
  children: never[];
  paths: string[];
  require: NodeRequire;
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
}

/** One version's module instances, by absolute path. */
export type ModuleMap = Map<string, ModuleRecord>;

export type LoadOutcome =
  | { ok: true; modules: ModuleMap; evaluated: string[] }
  | { ok: false; error: ReloadErrorInfo; evaluated: string[] };

interface LoadSession {
  readonly map: ModuleMap;
  readonly base: ModuleMap;
  readonly stale: ReadonlySet<string>;
  readonly evaluated: string[];
  /** source maps of what this load evaluated, kept even for a module that threw */
  readonly maps: Map<string, string>;
  /** files the caller read (and prepared) before the load; each is used once */
  readonly preread: Map<string, Stamped>;
  readonly entry: string;
  failedFile?: string;
}

const PARAMS = ['exports', 'require', 'module', '__filename', '__dirname', IMPORT_META_PARAM];
const NO_CACHE: Record<string, never> = Object.freeze(Object.create(null));

// The last compiled wrapper per file: an importer re-evaluated because a dependency
// changed has the same code (the transform cache hands back the very same string), and
// a compiled function can be called again for a fresh module scope.
const lastCompiled = new Map<string, { code: string; fn: Function }>();

function compiled(file: string, code: string): Function {
  const hit = lastCompiled.get(file);
  if (hit && hit.code === code) return hit.fn;
  const fn = compileFunction(code, PARAMS, { filename: file });
  lastCompiled.set(file, { code, fn });
  return fn;
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
  /** the entry's module of the newest load: `require.main`, as under `node FILE` */
  private main: CjsModule | undefined;

  /**
   * `active` gives the serving version's map, where lazy requires at run time land;
   * `resolver` decides what each specifier names and whether the agent loads it.
   */
  constructor(
    private readonly active: () => ModuleMap | undefined,
    readonly resolver: Resolver,
  ) {}

  /**
   * Loads `entry` into a new map. Records of `base` that are not `stale` are reused
   * as they are. Synchronous on purpose: nothing else runs while a map is being built.
   */
  load(entry: string, base: ModuleMap = new Map(), stale: ReadonlySet<string> = new Set(), preread = new Map<string, Stamped>()): LoadOutcome {
    const session: LoadSession = { map: new Map(), base, stale, evaluated: [], maps: new Map(), preread, entry };
    this.session = session;
    const main = this.main;
    try {
      this.instantiate(entry);
      return { ok: true, modules: session.map, evaluated: session.evaluated };
    } catch (err) {
      this.main = main;
      const lookup = (file: string) => session.maps.get(file) ?? base.get(file)?.map;
      return { ok: false, error: describeError(err, lookup, session.failedFile ?? entry), evaluated: session.evaluated };
    } finally {
      this.session = null;
    }
  }

  private instantiate(file: string, parent: CjsModule | null = null): ModuleRecord {
    const session = this.session;
    const map = session?.map ?? this.active();
    if (!map) throw new Error(`auto-hot-reload agent: no active version to load ${file} into`);
    const existing = map.get(file);
    if (existing) return existing;
    const prior = session?.base.get(file);
    if (session && prior && !session.stale.has(file)) {
      this.adopt(prior, session);
      return prior;
    }
    return this.evaluate(file, map, parent);
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

  private evaluate(file: string, map: ModuleMap, parent: CjsModule | null): ModuleRecord {
    const pre = this.session?.preread.get(file);
    // used once: a module that threw and is required again is read afresh
    if (pre) this.session!.preread.delete(file);
    const { source, stamp } = pre ?? readStamped(file);
    const module = this.createModule(file, parent);
    if (this.session?.entry === file) this.main = module;
    if (extname(file) === '.json') {
      try {
        module.exports = JSON.parse(source);
      } catch (err) {
        throw new ModuleLoadError(`SyntaxError: ${(err as Error).message}`, { file });
      }
      const record: ModuleRecord = { file, module, deps: new Set(), stamp };
      map.set(file, record);
      this.session?.evaluated.push(file);
      return record;
    }
    const { code, map: sourceMap } = transformModule(file, source, stamp.hash);
    const fn = compiled(file, code);
    const record: ModuleRecord = { file, module, deps: new Set(), stamp, map: sourceMap };
    module.require = this.createRequire(record, this.formats.formatOf(file, code) === 'esm' ? 'import' : 'require');
    map.set(file, record); // before evaluating, so that import cycles see partial exports
    this.session?.evaluated.push(file);
    this.session?.maps.set(file, sourceMap);
    const meta = {
      url: pathToFileURL(file).href,
      filename: file,
      dirname: dirname(file),
      resolve: (spec: string) => pathToFileURL(module.require.resolve(spec)).href,
    };
    try {
      fn.call(module.exports, module.exports, module.require, module, file, dirname(file), meta);
    } catch (err) {
      // the innermost failing module is caught first
      if (this.session && !this.session.failedFile) this.session.failedFile = file;
      // as Node's require: a module that threw is not kept half-initialized, so code that
      // catches the error and requires it again gets a fresh attempt
      map.delete(file);
      throw err;
    }
    module.loaded = true;
    return record;
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
