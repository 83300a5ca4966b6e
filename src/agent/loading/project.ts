// Where the user's own code lives: the files the agent loads, watches and reloads itself.
// A module is local when its real path is inside the project (the agent's root, the
// package the entry belongs to) or inside a workspace package of it (package.json
// `workspaces`, pnpm-workspace.yaml), and not inside a node_modules directory: however
// it was reached (relative path, `#imports`, tsconfig alias, workspace package name).
// Everything else is a third-party package that Node loads and the agent never reloads.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { isTransformable } from './transform.js';

// Bounds the walk up from a directory (a path deeper than this is not a project layout).
const MAX_DEPTH = 64;

export class Project {
  /** real directories whose files (outside node_modules) are the user's own code */
  readonly bases: readonly string[];
  /** the workspace root found above the project (null when there is none) */
  readonly workspaceRoot: string | null;

  constructor(root: string, entry: string) {
    const entryProject = packageDirOf(dirname(real(entry)));
    const starts = [real(root), entryProject ?? filesystemRoot(entry)];
    const workspace = findWorkspace(starts);
    this.workspaceRoot = workspace?.root ?? null;
    this.bases = dedupe([...starts, ...(workspace?.dirs ?? [])]);
  }

  /** True for a file the agent evaluates and reloads itself (`file` is a real path). */
  isLocal(file: string): boolean {
    if (!isTransformable(file) && extname(file) !== '.json') return false;
    return this.bases.some((base) => {
      const rel = relative(base, file);
      return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) && !rel.split(sep).includes('node_modules');
    });
  }
}

/** The workspace root above `starts` and the directories its package patterns name. */
export function findWorkspace(starts: readonly string[]): { root: string; dirs: string[] } | null {
  for (const start of starts) {
    let dir = start;
    for (let i = 0; i < MAX_DEPTH; i++) {
      const patterns = workspacePatterns(dir);
      if (patterns) return { root: dir, dirs: patterns.map((p) => staticPrefix(dir, p)).filter((d): d is string => d !== null) };
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  return null;
}

/** The package patterns a directory declares as a workspace root, or null. */
export function workspacePatterns(dir: string): string[] | null {
  const pkg = readJson(join(dir, 'package.json')) as { workspaces?: unknown } | null;
  const ws = pkg?.workspaces;
  // npm and yarn: an array; yarn classic also `{packages: [...]}`
  const list = Array.isArray(ws) ? ws : Array.isArray((ws as { packages?: unknown })?.packages) ? (ws as { packages: unknown[] }).packages : null;
  if (list) return list.filter((p): p is string => typeof p === 'string');
  const yaml = join(dir, 'pnpm-workspace.yaml');
  if (existsSync(yaml)) return pnpmPackages(readFileSync(yaml, 'utf8'));
  return null;
}

/**
 * The `packages` list of a pnpm-workspace.yaml: a block list (`- 'packages/*'`) or a flow
 * list (`[a, b]`). Only this key is read; the rest of the file is pnpm's business.
 */
export function pnpmPackages(text: string): string[] {
  const lines = text.split(/\r?\n/);
  const at = lines.findIndex((l) => /^packages\s*:/.test(l));
  if (at < 0) return [];
  const unquote = (s: string) => s.trim().replace(/\s+#.*$/, '').replace(/^(['"])(.*)\1$/, '$2');
  const flow = /^packages\s*:\s*\[(.*)\]/.exec(lines[at]);
  if (flow) return flow[1].split(',').map(unquote).filter(Boolean);
  const out: string[] = [];
  for (const line of lines.slice(at + 1)) {
    if (/^\s*(#.*)?$/.test(line)) continue;
    const item = /^\s+-\s+(.+)$/.exec(line);
    if (!item) break;
    out.push(unquote(item[1]));
  }
  return out;
}

// `packages/*` → <root>/packages; `apps/**` → <root>/apps; `lib` → <root>/lib. A negated
// pattern excludes packages from the workspace, not code from the project: skipped.
function staticPrefix(root: string, pattern: string): string | null {
  if (pattern.startsWith('!')) return null;
  const parts = pattern.split(/[\\/]/);
  const cut = parts.findIndex((p) => /[*?[\]{}]/.test(p));
  const dir = resolve(root, ...(cut < 0 ? parts : parts.slice(0, cut)));
  return existsSync(dir) ? real(dir) : null;
}

function packageDirOf(start: string): string | null {
  let dir = start;
  for (let i = 0; i < MAX_DEPTH; i++) {
    if (existsSync(join(dir, 'package.json')) && !dir.split(sep).includes('node_modules')) return dir;
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
  return null;
}

// Without a package.json there is no known project boundary: every file outside
// node_modules counts as the user's (the agent's behaviour before projects existed).
function filesystemRoot(file: string): string {
  return resolve(file).split(sep)[0] + sep;
}

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function dedupe(dirs: string[]): string[] {
  return [...new Set(dirs)];
}
