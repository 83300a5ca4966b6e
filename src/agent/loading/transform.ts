// Turns one local source file (ESM or CommonJS, JavaScript or TypeScript) into CommonJS
// that the module graph evaluates as a function. esbuild keeps this in-process and fast;
// the source map lets load errors point at the user's own line, not the generated one.
// TypeScript follows the tsconfig.json that governs the file (tsconfig.ts), as tsc does;
// a file that needs decorator metadata goes through TypeScript first (typescript.ts).
import { extname } from 'node:path';
import { transform, transformSync, type Loader, type TransformOptions } from 'esbuild';
import { ModuleLoadError } from '../errors.js';
import { tsconfigFor, type Tsconfig } from './tsconfig.js';
import { needsTypeScript, viaTypeScript } from './typescript.js';

export interface Transformed {
  code: string;
  /** JSON source map from generated to original positions */
  map: string;
}

const LOADERS: Record<string, Loader> = {
  '.js': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
  '.jsx': 'jsx',
  '.ts': 'ts',
  '.mts': 'ts',
  '.cts': 'ts',
  '.tsx': 'tsx',
};

/** The parameter through which `import.meta` reaches the evaluated module. */
export const IMPORT_META_PARAM = '__ahr_import_meta';
/** The module's own timer functions (side-effects.ts), in place of the global ones. */
export const TIMERS_PARAM = '__ahr_timers';
/** The module's own view of `process`, whose listeners are its own. */
export const PROCESS_PARAM = '__ahr_process';

// Free references to these globals become the module's own (a local declaration of the
// same name is left alone: esbuild's define only rewrites unbound identifiers).
const INJECTED: Record<string, string> = {
  'import.meta': IMPORT_META_PARAM,
  process: PROCESS_PARAM,
  ...Object.fromEntries(
    ['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate'].map((n) => [n, `${TIMERS_PARAM}.${n}`]),
  ),
};

export function isTransformable(file: string): boolean {
  return extname(file) in LOADERS;
}

// The last outcome per file, by content hash: an importer re-evaluated because a
// dependency changed has the same source, and esbuild's round trip costs ~1 ms a file.
// A syntax error is kept too, so a reload that finds it reports it without a second
// round trip. One entry per file keeps the cache bounded by the size of the app.
type Outcome = { hash: string; out: Transformed; error?: undefined } | { hash: string; out?: undefined; error: unknown };
const lastOutput = new Map<string, Outcome>();
// Transforms running in the background, so that the reload and the prewarmer that both
// saw the same save share one esbuild round trip instead of competing for the CPU.
const inflight = new Map<string, { hash: string; done: Promise<void> }>();
// every async transform still running, superseded ones too: esbuild's child process keeps
// the event loop alive (a ProcessWrap in the leak report's counts) only while one runs
const runningTransforms = new Set<Promise<void>>();

/**
 * Resolves once no async transform is running (a prewarm of a save may start any time),
 * or after `boundMs`: esbuild's own process is then not counted as the app's.
 */
export async function transformsSettled(boundMs = 1000): Promise<void> {
  const deadline = performance.now() + boundMs;
  while (runningTransforms.size > 0 && performance.now() < deadline) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...runningTransforms]), new Promise((r) => (timer = setTimeout(r, deadline - performance.now())))]);
    clearTimeout(timer);
  }
}

const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.tsx']);

// What a file's transform depends on besides its content: the tsconfig governing it.
interface Setup {
  key: string;
  tsconfig?: Tsconfig;
}

function setup(file: string, hash: string): Setup {
  const ext = extname(file);
  if (!TS_EXTENSIONS.has(ext) && ext !== '.jsx') return { key: hash };
  const tsconfig = tsconfigFor(file);
  return tsconfig ? { key: `${hash}|${tsconfig.stamp}`, tsconfig } : { key: hash };
}

export function transformModule(file: string, source: string, hash: string): Transformed {
  const s = setup(file, hash);
  const cached = lastOutput.get(file);
  if (cached && cached.hash === s.key) {
    if (cached.error !== undefined) throw fromEsbuildError(file, cached.error);
    return cached.out!;
  }
  try {
    const out = transformUncached(file, source, s.tsconfig);
    lastOutput.set(file, { hash: s.key, out });
    return out;
  } catch (err) {
    if (err instanceof ModuleLoadError) lastOutput.set(file, { hash: s.key, error: err });
    throw err;
  }
}

// The compile options of the tsconfig that esbuild honours (the rest concern types or output layout).
const ESBUILD_TSCONFIG = [
  'experimentalDecorators',
  'useDefineForClassFields',
  'target',
  'jsx',
  'jsxFactory',
  'jsxFragmentFactory',
  'jsxImportSource',
  'verbatimModuleSyntax',
  'preserveValueImports',
  'importsNotUsedAsValues',
  'alwaysStrict',
] as const;

function options(file: string, tsconfig: Tsconfig | undefined, viaTs = false): TransformOptions {
  const co = tsconfig?.compilerOptions as Record<string, unknown> | undefined;
  const picked = co ? Object.fromEntries(ESBUILD_TSCONFIG.filter((k) => co[k] !== undefined).map((k) => [k, co[k]])) : undefined;
  return {
    // after TypeScript the input is JavaScript (JSX kept when tsconfig says "preserve")
    loader: viaTs ? (extname(file) === '.tsx' ? 'jsx' : 'js') : (LOADERS[extname(file)] ?? 'js'),
    ...(picked && Object.keys(picked).length ? { tsconfigRaw: { compilerOptions: picked } } : {}),
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // esbuild gives an .mjs/.mts file Node's CommonJS interop ("node mode": a default
    // import is the whole required object), which is wrong here: the agent hands an ES
    // module importer our own compiled ES modules and require(esm) namespaces, both marked
    // `__esModule`, whose default is their `default` export. Only stack lines and columns
    // are read from the map, so the name esbuild sees does not matter.
    sourcefile: file.replace(/\.m([jt]s)$/, '.$1'),
    sourcemap: 'external',
    // import() of a local file must go through our loader (a native import would
    // create an ESM record that is never freed), so esbuild lowers it to require().
    supported: { 'dynamic-import': false },
    define: INJECTED,
    logLevel: 'silent',
  };
}

// The fallback when no prepared output matches. esbuild's transformSync goes through a
// worker thread and a second esbuild process: slower than the async path, so the agent
// prepares what it can with prepareModule first.
function transformUncached(file: string, source: string, tsconfig: Tsconfig | undefined): Transformed {
  const viaTs = needsTypeScript(file, source, tsconfig);
  // TypeScript's output carries an inline source map, which esbuild composes with its own
  const input = viaTs ? viaTypeScript(file, source, tsconfig!) : source;
  try {
    const out = transformSync(input, options(file, tsconfig, viaTs));
    return { code: out.code, map: out.map };
  } catch (err) {
    throw fromEsbuildError(file, err);
  }
}

/**
 * Transforms in the background and caches the outcome (output or syntax error), so that
 * a load that follows finds it ready. Concurrent calls for the same content share one
 * transform. Never rejects.
 */
export function prepareModule(file: string, source: string, contentHash: string): Promise<void> {
  let s: Setup;
  try {
    s = setup(file, contentHash);
  } catch {
    return Promise.resolve(); // an unreadable tsconfig is reported by the load
  }
  const hash = s.key;
  if (lastOutput.get(file)?.hash === hash) return Promise.resolve();
  const running = inflight.get(file);
  if (running && running.hash === hash) return running.done;
  const viaTs = needsTypeScript(file, source, s.tsconfig);
  let input = source;
  if (viaTs) {
    try {
      input = viaTypeScript(file, source, s.tsconfig!);
    } catch (error) {
      lastOutput.set(file, { hash, error });
      return Promise.resolve();
    }
  }
  const done = transform(input, options(file, s.tsconfig, viaTs)).then(
    (out) => {
      lastOutput.set(file, { hash, out: { code: out.code, map: out.map } });
    },
    (error: unknown) => {
      // esbuild's own failures (no `errors` list) are left to the synchronous path
      if ((error as { errors?: unknown[] })?.errors?.length) lastOutput.set(file, { hash, error });
    },
  ).finally(() => {
    runningTransforms.delete(done);
    if (inflight.get(file)?.done === done) inflight.delete(file);
  });
  runningTransforms.add(done);
  inflight.set(file, { hash, done });
  return done;
}

interface EsbuildMessage {
  text: string;
  location: { file: string; line: number; column: number; lineText: string } | null;
}

function fromEsbuildError(file: string, err: unknown): ModuleLoadError {
  if (err instanceof ModuleLoadError) return err;
  const first = (err as { errors?: EsbuildMessage[] }).errors?.[0];
  if (!first) return new ModuleLoadError(String((err as Error)?.message ?? err), { file });
  // a cached error is reported again on a later load: derive the text, never mutate it
  const text = /^Top-level await/.test(first.text)
    ? 'top-level await is not supported in reloadable modules (the agent evaluates them as functions): move it into a function, e.g. an exported async init'
    : first.text;
  const loc = first.location;
  const line = loc?.line;
  const column = loc ? loc.column + 1 : undefined; // esbuild columns are 0-based
  const where = loc ? `${file}:${line}:${column}` : file;
  const excerpt = loc ? `\n    ${loc.lineText}\n    ${' '.repeat(loc.column)}^` : '';
  return new ModuleLoadError(`SyntaxError: ${text}`, {
    file,
    line,
    column,
    stack: `SyntaxError: ${text}\n    at ${where}${excerpt}`,
  });
}

/** The source map of the newest output for a file (for mapping run-time stack traces). */
export function latestSourceMap(file: string): string | undefined {
  return lastOutput.get(file)?.out?.map;
}
