// Resolution as Node does it, by oxc-resolver (a kept library, not a hand-written probe):
// tsconfig `paths`/`baseUrl` (with `extends`), package `exports`/`imports` with the
// conditions of the importing module's format, `main`, directory `index`, `.js`→`.ts`,
// symlinks to their real path. What a specifier resolves to is then either local (the
// agent loads and reloads it: see project.ts) or Node's (required natively, never
// reloaded). Results are cached per (importer, specifier, kind): a require() on a hot
// path, or 200 importers re-evaluated by one reload, costs a map lookup, not a resolution.
import { createRequire } from 'node:module';
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ResolverFactory, type NapiResolveOptions } from 'oxc-resolver';
import { Project } from './project.js';

/** How the importing module asks: its source was ESM (`import`) or CommonJS (`require`). */
export type ImportKind = 'require' | 'import';

/** `local`: a real path the agent loads itself; `node`: what to hand to Node's require. */
export type Resolution = { readonly local: string } | { readonly node: string };

const LOCAL_EXTENSIONS = ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.mts', '.cts', '.jsx', '.json', '.node'];
// A `.js` specifier may name a `.ts` source (TypeScript's NodeNext convention).
const EXTENSION_ALIAS = { '.js': ['.js', '.ts', '.tsx'], '.mjs': ['.mjs', '.mts'], '.cjs': ['.cjs', '.cts'], '.jsx': ['.jsx', '.tsx'] };
// Node's own conditions (20.19+ adds module-sync to both) and the process's `--conditions`
// (`-C`, also in NODE_OPTIONS: e.g. a monorepo's `development` condition naming sources);
// `default` always matches.
const CONDITIONS: Record<ImportKind, string[]> = {
  require: ['node', 'require', 'module-sync', ...userConditions()],
  import: ['node', 'import', 'module-sync', ...userConditions()],
};

const CONFIG_NAMES = ['package.json', 'tsconfig.json', 'pnpm-workspace.yaml'];

/** A specifier that resolves to nothing: names the specifier, the importer and what was tried. */
export class ResolutionError extends Error {
  override readonly name = 'ResolutionError';
  readonly code = 'MODULE_NOT_FOUND';
  constructor(
    readonly specifier: string,
    readonly importer: string,
    readonly reason: string,
    readonly tried: string,
    readonly line?: number,
  ) {
    super(`Cannot find module '${specifier}' imported from ${importer}${line ? `:${line}` : ''}: ${reason}; tried ${tried}`);
  }

  /** The same error, positioned at the importing line. */
  at(line: number | undefined): ResolutionError {
    return line === undefined ? this : new ResolutionError(this.specifier, this.importer, this.reason, this.tried, line);
  }
}

interface Stamp {
  mtimeMs: number;
  size: number;
}

export class Resolver {
  private project: Project;
  private readonly local: Record<ImportKind, ResolverFactory>;
  // bare `import` of a package outside the project: Node's ESM resolution (no tsconfig,
  // no TypeScript extensions first)
  private readonly nodeImport: ResolverFactory;
  private readonly cache = new Map<string, Map<string, Resolution>>();
  // package.json / tsconfig files that resolutions depended on, as they were read
  private readonly configs = new Map<string, Stamp | null>();
  private readonly configDirs = new Set<string>();
  private readonly nativeRequires = new Map<string, NodeRequire>();

  constructor(
    private readonly root: string,
    private readonly entry: string,
  ) {
    this.project = new Project(root, entry);
    const base: NapiResolveOptions = {
      tsconfig: 'auto',
      extensions: LOCAL_EXTENSIONS,
      extensionAlias: EXTENSION_ALIAS,
      builtinModules: true,
      symlinks: true,
      conditionNames: CONDITIONS.require,
    };
    const requireFactory = new ResolverFactory(base);
    this.local = { require: requireFactory, import: requireFactory.cloneWithOptions({ ...base, conditionNames: CONDITIONS.import }) };
    this.nodeImport = requireFactory.cloneWithOptions({ extensions: ['.js', '.json', '.node'], builtinModules: true, symlinks: true, conditionNames: CONDITIONS.import });
    for (const base of this.project.bases) this.watchConfigsIn(base);
    if (this.project.workspaceRoot) this.watchConfigsIn(this.project.workspaceRoot);
  }

  /** Resolves `specifier` as the module `importer` (a real path) asks for it; cached. */
  resolve(specifier: string, importer: string, kind: ImportKind): Resolution {
    let byImporter = this.cache.get(importer);
    if (!byImporter) this.cache.set(importer, (byImporter = new Map()));
    const key = kind === 'import' ? `i:${specifier}` : `r:${specifier}`;
    let hit = byImporter.get(key);
    if (!hit) {
      hit = this.resolveUncached(specifier, importer, kind);
      byImporter.set(key, hit);
    }
    return hit;
  }

  /**
   * Call before a reload with the files it found changed. When a package.json, tsconfig or
   * workspace file changed (on disk, or among `changed`) or a loaded file was deleted,
   * every cached resolution is dropped and worked out again; answers the importers whose
   * resolutions differ now (they must be evaluated again); null when nothing was dropped.
   */
  refresh(changed: Iterable<string> = []): string[] | null {
    if (!this.configChanged(changed)) return null;
    const before = this.cache;
    const entries = [...before].map(([importer, m]) => [importer, [...m]] as const);
    this.clear();
    const moved: string[] = [];
    for (const [importer, list] of entries) {
      const differs = list.some(([key, was]) => {
        try {
          const now = this.resolve(key.slice(2), importer, key[0] === 'i' ? 'import' : 'require');
          return JSON.stringify(now) !== JSON.stringify(was);
        } catch {
          return true; // no longer resolves: its reload says so
        }
      });
      if (differs) moved.push(importer);
    }
    return moved;
  }

  private clear(): void {
    this.local.require.clearCache(); // the clones share it
    this.cache.clear();
    this.configs.clear();
    this.configDirs.clear();
    this.project = new Project(this.root, this.entry);
    for (const base of this.project.bases) this.watchConfigsIn(base);
    if (this.project.workspaceRoot) this.watchConfigsIn(this.project.workspaceRoot);
  }

  private configChanged(changed: Iterable<string>): boolean {
    for (const file of changed) {
      const name = basename(file);
      if (CONFIG_NAMES.includes(name) || /^tsconfig.*\.json$/.test(name)) return true;
      if (!statSync(file, { throwIfNoEntry: false })) return true; // deleted: probes see it anew
    }
    for (const [file, was] of this.configs) {
      const now = stampOf(file);
      if ((now === null) !== (was === null) || (now && was && (now.mtimeMs !== was.mtimeMs || now.size !== was.size))) return true;
    }
    return false;
  }

  private resolveUncached(specifier: string, importer: string, kind: ImportKind): Resolution {
    const request = specifier.startsWith('file://') ? fileURLToPath(specifier) : specifier;
    let result = this.local[kind].resolveFileSync(importer, request);
    if (result.error && !result.builtin) {
      // oxc keeps what it saw of the file system: a file created since is found afresh
      this.local.require.clearCache();
      result = this.local[kind].resolveFileSync(importer, request);
    }
    if (result.builtin) return { node: specifier };
    if (!result.path) throw new ResolutionError(specifier, importer, result.error ?? 'not found', this.tried(request, importer));
    this.watchConfigsIn(dirname(importer));
    if (result.packageJsonPath) this.remember(result.packageJsonPath);
    if (this.project.isLocal(result.path)) return { local: result.path };
    return { node: this.nodePath(request, importer, kind, result.path) };
  }

  // A package outside the project is loaded as Node would load it for this importer:
  // `require` by Node's own resolution, `import` with the import conditions and no
  // TypeScript extensions. A tsconfig alias Node cannot follow keeps oxc's answer.
  private nodePath(request: string, importer: string, kind: ImportKind, found: string): string {
    if (request.startsWith('.') || isAbsolute(request)) return found;
    if (kind === 'require') {
      try {
        return this.nativeRequire(importer).resolve(request);
      } catch {
        return found;
      }
    }
    return this.nodeImport.resolveFileSync(importer, request).path ?? found;
  }

  /** Node's own require as seen from `file` (one per directory). */
  nativeRequire(file: string): NodeRequire {
    const dir = dirname(file);
    let req = this.nativeRequires.get(dir);
    if (!req) this.nativeRequires.set(dir, (req = createRequire(file)));
    return req;
  }

  // What a failed resolution looked at, in words a user can check.
  private tried(request: string, importer: string): string {
    const exts = LOCAL_EXTENSIONS.filter((e) => e !== '.node').join(' ');
    if (request.startsWith('.') || isAbsolute(request)) {
      const base = resolvePath(dirname(importer), request);
      return `${base} as is, with ${exts}, .js→.ts, and ${join(base, 'index')}.*`;
    }
    const pkg = findUp(dirname(importer), 'package.json');
    if (request.startsWith('#')) return `the "imports" of ${pkg ?? 'the nearest package.json (none found)'}`;
    const name = request.startsWith('@') ? request.split('/').slice(0, 2).join('/') : request.split('/')[0];
    const tsconfig = findUp(dirname(importer), 'tsconfig.json');
    return `node_modules/${name} in ${dirname(importer)} and every parent directory${tsconfig ? `, and the paths of ${tsconfig}` : ''}`;
  }

  // The package.json and tsconfig.json files that decide resolutions from `dir`.
  private watchConfigsIn(dir: string): void {
    if (this.configDirs.has(dir)) return;
    this.configDirs.add(dir);
    for (const name of CONFIG_NAMES) {
      const found = findUp(dir, name);
      if (found) this.remember(found);
    }
  }

  private remember(file: string): void {
    if (this.configs.has(file)) return;
    this.configs.set(file, stampOf(file));
    if (basename(file).startsWith('tsconfig')) for (const parent of tsconfigExtends(file)) this.remember(parent);
  }
}

// The files a tsconfig `extends` (a string or a list; relative paths or package names),
// so that an edit of a base config is seen too. oxc reads them; we only stamp them.
function tsconfigExtends(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const m = /"extends"\s*:\s*("(?:[^"\\]|\\.)*"|\[[^\]]*\])/.exec(text);
  if (!m) return [];
  const names = [...m[1].matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((x) => x[1]);
  const out: string[] = [];
  for (const name of names) {
    const candidates = name.startsWith('.') || isAbsolute(name) ? [resolvePath(dirname(file), name)] : [];
    if (!candidates.length) {
      try {
        candidates.push(createRequire(file).resolve(name));
      } catch {
        continue;
      }
    }
    for (const c of candidates) {
      const withExt = c.endsWith('.json') ? c : `${c}.json`;
      if (statSync(withExt, { throwIfNoEntry: false })?.isFile()) out.push(withExt);
    }
  }
  return out;
}

/** The `--conditions NAME` / `-C NAME` that Node was started with. */
export function userConditions(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): string[] {
  const args = [...execArgv, ...nodeOptions.split(/\s+/).filter(Boolean)];
  const out: string[] = [];
  args.forEach((arg, i) => {
    const inline = /^(?:--conditions|-C)=(.+)$/.exec(arg);
    if (inline) out.push(inline[1]);
    else if ((arg === '--conditions' || arg === '-C') && args[i + 1]) out.push(args[i + 1]);
  });
  return out;
}

function stampOf(file: string): Stamp | null {
  const st = statSync(file, { throwIfNoEntry: false });
  return st ? { mtimeMs: st.mtimeMs, size: st.size } : null;
}

// Bounded by the depth of the path.
function findUp(start: string, name: string): string | null {
  let dir = start;
  for (;;) {
    const candidate = join(dir, name);
    if (statSync(candidate, { throwIfNoEntry: false })?.isFile()) return candidate;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}
