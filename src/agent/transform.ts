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

// The last output per file, by content hash: an importer re-evaluated because a
// dependency changed has the same source, and esbuild's round trip costs ~1 ms a file.
// One entry per file keeps the cache bounded by the size of the app.
const lastOutput = new Map<string, { hash: string; out: Transformed }>();

export function transformModule(file: string, source: string, hash: string): Transformed {
  const cached = lastOutput.get(file);
  if (cached && cached.hash === hash) return cached.out;
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
    sourcefile: file,
    sourcemap: 'external',
    // import() of a local file must go through our loader (a native import would
    // create an ESM record that is never freed), so esbuild lowers it to require().
    supported: { 'dynamic-import': false },
    define: { 'import.meta': IMPORT_META_PARAM },
    logLevel: 'silent',
  };
}

function transformUncached(file: string, source: string): Transformed {
  try {
    const out = transformSync(source, options(file));
    return { code: out.code, map: out.map };
  } catch (err) {
    throw fromEsbuildError(file, err);
  }
}

/**
 * Transforms in the background and caches the output, so that the reload that follows
 * an edit finds it ready. Errors are left for that reload to report.
 */
export async function prepareModule(file: string, source: string, hash: string): Promise<void> {
  if (lastOutput.get(file)?.hash === hash) return;
  try {
    const out = await transform(source, options(file));
    lastOutput.set(file, { hash, out: { code: out.code, map: out.map } });
  } catch {
    // the reload reports it, with its position
  }
}

interface EsbuildMessage {
  text: string;
  location: { file: string; line: number; column: number; lineText: string } | null;
}

function fromEsbuildError(file: string, err: unknown): ModuleLoadError {
  const first = (err as { errors?: EsbuildMessage[] }).errors?.[0];
  if (!first) return new ModuleLoadError(String((err as Error)?.message ?? err), { file });
  if (/^Top-level await/.test(first.text)) {
    first.text = 'top-level await is not supported in reloadable modules (the agent evaluates them as functions): move it into a function, e.g. an exported async init';
  }
  const loc = first.location;
  const line = loc?.line;
  const column = loc ? loc.column + 1 : undefined; // esbuild columns are 0-based
  const where = loc ? `${file}:${line}:${column}` : file;
  const excerpt = loc ? `\n    ${loc.lineText}\n    ${' '.repeat(loc.column)}^` : '';
  return new ModuleLoadError(`SyntaxError: ${first.text}`, {
    file,
    line,
    column,
    stack: `SyntaxError: ${first.text}\n    at ${where}${excerpt}`,
  });
}

/** The source map of the newest output for a file (for mapping run-time stack traces). */
export function latestSourceMap(file: string): string | undefined {
  return lastOutput.get(file)?.out.map;
}
