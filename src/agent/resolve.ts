// Resolution of the specifiers that the agent loads itself: relative and absolute paths
// to local files. Bare specifiers, `node:` builtins and anything under node_modules go
// to Node's own require and are never reloaded.
import { statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isTransformable } from './transform.js';

const PROBE_EXTENSIONS = ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.mts', '.cts', '.jsx', '.json'];
// A `.js` specifier may name a `.ts` source (TypeScript's NodeNext convention).
const TS_TWINS: Record<string, string[]> = {
  '.js': ['.ts', '.tsx'],
  '.mjs': ['.mts'],
  '.cjs': ['.cts'],
  '.jsx': ['.tsx'],
};

const NODE_MODULES = `${sep}node_modules${sep}`;

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

function isDir(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/** True for files the agent evaluates (and reloads) itself. */
export function isLocalModule(file: string): boolean {
  return !file.includes(NODE_MODULES) && (isTransformable(file) || extname(file) === '.json');
}

/**
 * The absolute path of a local module, or `null` when Node should load the specifier.
 * Throws a MODULE_NOT_FOUND error for a relative path that names no file.
 */
export function resolveLocal(specifier: string, fromFile: string): string | null {
  let base: string;
  if (specifier.startsWith('file://')) base = fileURLToPath(specifier);
  else if (specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..') {
    base = resolve(dirname(fromFile), specifier);
  } else if (isAbsolute(specifier)) base = specifier;
  else return null;

  const found = probe(base);
  if (!found) {
    const err = new Error(`Cannot find module '${specifier}' imported from ${fromFile}`) as Error & { code: string };
    err.code = 'MODULE_NOT_FOUND';
    throw err;
  }
  return isLocalModule(found) ? found : null;
}

function probe(base: string): string | null {
  if (isFile(base)) return base;
  const ext = extname(base);
  for (const twin of TS_TWINS[ext] ?? []) {
    const candidate = base.slice(0, -ext.length) + twin;
    if (isFile(candidate)) return candidate;
  }
  for (const e of PROBE_EXTENSIONS) if (isFile(base + e)) return base + e;
  if (isDir(base)) for (const e of PROBE_EXTENSIONS) if (isFile(join(base, 'index' + e))) return join(base, 'index' + e);
  return null;
}
