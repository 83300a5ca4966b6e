// Turns one local source file (ESM or CommonJS, JavaScript or TypeScript) into CommonJS
// that the module graph evaluates as a function. esbuild keeps this in-process and fast;
// the source map lets load errors point at the user's own line, not the generated one.
import { extname } from 'node:path';
import { transform, transformSync, type Loader, type TransformOptions } from 'esbuild';
import { ModuleLoadError } from './errors.js';

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

export function transformModule(file: string, source: string, hash: string): Transformed {
  const cached = lastOutput.get(file);
  if (cached && cached.hash === hash) {
    if (cached.error !== undefined) throw fromEsbuildError(file, cached.error);
    return cached.out!;
  }
  const out = transformUncached(file, source);
  lastOutput.set(file, { hash, out });
  return out;
}

function options(file: string): TransformOptions {
  return {
    loader: LOADERS[extname(file)] ?? 'js',
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
    define: { 'import.meta': IMPORT_META_PARAM },
    logLevel: 'silent',
  };
}

// The fallback when no prepared output matches. esbuild's transformSync goes through a
// worker thread and a second esbuild process: slower than the async path, so the agent
// prepares what it can with prepareModule first.
function transformUncached(file: string, source: string): Transformed {
  try {
    const out = transformSync(source, options(file));
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
export function prepareModule(file: string, source: string, hash: string): Promise<void> {
  if (lastOutput.get(file)?.hash === hash) return Promise.resolve();
  const running = inflight.get(file);
  if (running && running.hash === hash) return running.done;
  const done = transform(source, options(file)).then(
    (out) => {
      lastOutput.set(file, { hash, out: { code: out.code, map: out.map } });
    },
    (error: unknown) => {
      // esbuild's own failures (no `errors` list) are left to the synchronous path
      if ((error as { errors?: unknown[] })?.errors?.length) lastOutput.set(file, { hash, error });
    },
  ).finally(() => {
    if (inflight.get(file)?.done === done) inflight.delete(file);
  });
  inflight.set(file, { hash, done });
  return done;
}

interface EsbuildMessage {
  text: string;
  location: { file: string; line: number; column: number; lineText: string } | null;
}

function fromEsbuildError(file: string, err: unknown): ModuleLoadError {
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
