// What changed since a version was loaded: request hints matched against loaded modules,
// and files compared on disk (mtime+size first, then a content hash).
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { extname, relative, sep } from 'node:path';
import { MAX_HINT_BYTES } from '../protocol.js';

export interface FileStamp {
  mtimeMs: number;
  size: number;
  hash: string;
  /** epoch ms when the content was read */
  readAt: number;
}

// A file modified this close to the moment it was read may be edited again within the
// file system's timestamp granularity without changing mtime or size (git's "racy"
// entries); such files are compared by content.
const RACY_MS = 2000;

export function hashSource(source: Buffer | string): string {
  return createHash('sha1').update(source).digest('hex');
}

export interface Stamped {
  source: string;
  stamp: FileStamp;
}

/** Reads a file with the stamp of the content that was actually read. */
export function readStamped(file: string): Stamped {
  // stat before reading: a write that lands after the read then shows as a change
  const st = statSync(file);
  const buf = readFileSync(file);
  return { source: buf.toString('utf8'), stamp: { mtimeMs: st.mtimeMs, size: st.size, hash: hashSource(buf), readAt: Date.now() } };
}

/** True when the file on disk is no longer the content the stamp describes. */
export function hasChanged(file: string, stamp: FileStamp): boolean {
  const st = statSync(file, { throwIfNoEntry: false });
  if (!st) return true; // deleted: importers must reload (and will fail loudly)
  const racy = stamp.mtimeMs >= stamp.readAt - RACY_MS;
  if (st.mtimeMs === stamp.mtimeMs && st.size === stamp.size && !racy) return false;
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch {
    return true;
  }
  if (hashSource(buf) !== stamp.hash) return true;
  // identical content read just now: the stamp is as good as a fresh read
  stamp.mtimeMs = st.mtimeMs;
  stamp.readAt = Date.now();
  return false;
}

/** Why a hint was refused, or null when it is acceptable. */
export function hintProblem(hint: unknown): string | null {
  if (typeof hint !== 'string') return `expected a string, got ${hint === null ? 'null' : typeof hint}`;
  if (hint.length === 0) return 'expected a non-empty path';
  if (hint.includes('\0')) return 'contains a NUL byte';
  if (Buffer.byteLength(hint) > MAX_HINT_BYTES) return `longer than ${MAX_HINT_BYTES} bytes`;
  if (hint.split(/[\\/]/).includes('..')) return "contains a '..' segment";
  return null;
}

const toPosix = (p: string) => (sep === '/' ? p : p.split(sep).join('/'));

function normalizeHint(hint: string): string {
  return hint.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/\/+$/, '');
}

function suffixMatch(path: string, suffix: string): boolean {
  return path === suffix || path.endsWith('/' + suffix);
}

/**
 * Loaded files that a `files` hint names. The client's root may differ from ours, so a
 * hint matches by path suffix either way: `routes/a.js` matches `/srv/app/routes/a.js`,
 * and `/home/me/app/routes/a.js` matches when its tail is the file's path under `root`.
 */
export function matchFileHint(hint: string, loaded: Iterable<string>, root: string): string[] {
  const h = normalizeHint(hint);
  if (!h) return [];
  const out: string[] = [];
  for (const file of loaded) {
    const abs = toPosix(file);
    const rel = toPosix(relative(root, file));
    if (suffixMatch(abs, h) || (!rel.startsWith('../') && suffixMatch(h, rel))) out.push(file);
  }
  return out;
}

/**
 * Loaded files that a `modules` hint names: a path as for files, or a module name
 * without extension, slash- or dot-separated (`routes.greeting`, `greeting`).
 */
export function matchModuleHint(hint: string, loaded: Iterable<string>, root: string): string[] {
  const files = [...loaded];
  const direct = matchFileHint(hint, files, root);
  if (direct.length) return direct;
  const h = normalizeHint(hint);
  const dotted = h.includes('/') ? h : h.replace(/\./g, '/');
  return files.filter((file) => {
    const bare = toPosix(file).slice(0, file.length - extname(file).length);
    return suffixMatch(bare, h) || suffixMatch(bare, dotted);
  });
}
