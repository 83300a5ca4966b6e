// The tsconfig.json that governs a source file, as tsc finds it: the nearest one up the
// directory tree, with `extends` resolved (get-tsconfig). Cached per directory and read
// again when the file's mtime changes.
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { getTsconfig, type TsConfigJsonResolved } from 'get-tsconfig';

export interface Tsconfig {
  /** absolute path of the tsconfig.json */
  readonly path: string;
  readonly config: TsConfigJsonResolved;
  readonly compilerOptions: NonNullable<TsConfigJsonResolved['compilerOptions']>;
  /** changes whenever the file does: part of a transform cache key */
  readonly stamp: string;
}

const byDir = new Map<string, Tsconfig | null>();

/** The tsconfig governing `file`, or undefined when there is none. */
export function tsconfigFor(file: string): Tsconfig | undefined {
  const dir = dirname(file);
  const hit = byDir.get(dir);
  if (hit === null) return undefined;
  if (hit && stampOf(hit.path) === hit.stamp) return hit;
  const found = read(dir);
  byDir.set(dir, found);
  return found ?? undefined;
}

function read(dir: string): Tsconfig | null {
  let result;
  try {
    result = getTsconfig(dir);
  } catch (err) {
    throw new Error(`cannot read the tsconfig.json governing ${dir}: ${(err as Error).message}`);
  }
  if (!result) return null;
  return {
    path: result.path,
    config: result.config,
    compilerOptions: result.config.compilerOptions ?? {},
    stamp: stampOf(result.path),
  };
}

function stampOf(path: string): string {
  const st = statSync(path, { throwIfNoEntry: false });
  return st ? `${path}@${st.mtimeMs}:${st.size}` : `${path}@gone`;
}
