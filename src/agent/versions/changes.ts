// What changed since a version was loaded: files compared on disk (mtime+size first, then a
// content hash). Only content decides: a `touch` or an identical rewrite changes nothing.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { MAX_HINT_BYTES } from '../../protocol/wire.js';

export interface FileStamp {
  mtimeMs: number;
  size: number;
  hash: string;
  /** epoch ms when the content was read */
  readAt: number;
  /** the last stat seen with other content, so that a stale file is not read at every look */
  differs?: { mtimeMs: number; size: number; at: number };
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

/**
 * True when the file on disk is no longer the content the stamp describes. The stat decides
 * when it can (same mtime and size, not racy); `byContent` (a file a request named) always
 * compares the content.
 */
export function hasChanged(file: string, stamp: FileStamp, byContent = false): boolean {
  const st = statSync(file, { throwIfNoEntry: false });
  if (!st) return true; // deleted: importers must reload (and will fail loudly)
  if (!byContent) {
    const racy = stamp.mtimeMs >= stamp.readAt - RACY_MS;
    if (st.mtimeMs === stamp.mtimeMs && st.size === stamp.size && !racy) return false;
    const seen = stamp.differs;
    if (seen && st.mtimeMs === seen.mtimeMs && st.size === seen.size && seen.mtimeMs < seen.at - RACY_MS) return true;
  }
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch {
    return true;
  }
  if (hashSource(buf) !== stamp.hash) {
    stamp.differs = { mtimeMs: st.mtimeMs, size: st.size, at: Date.now() };
    return true;
  }
  // identical content read just now: the stamp is as good as a fresh read
  stamp.mtimeMs = st.mtimeMs;
  stamp.size = st.size;
  stamp.readAt = Date.now();
  stamp.differs = undefined;
  return false;
}

/** Why a hint was refused, or null when it is acceptable. */
export function hintProblem(hint: unknown): string | null {
  if (typeof hint !== 'string') return `expected a string, got ${hint === null ? 'null' : typeof hint}`;
  if (hint.length === 0) return 'expected a non-empty path';
  if (hint.includes('\0')) return 'contains a NUL byte';
  // a UTF-16 unit is at most 3 UTF-8 bytes: short hints need no counting (a request may carry 50,000)
  if (hint.length * 3 > MAX_HINT_BYTES && Buffer.byteLength(hint) > MAX_HINT_BYTES) return `longer than ${MAX_HINT_BYTES} bytes`;
  if (DOTDOT.test(hint)) return "contains a '..' segment";
  return null;
}

const DOTDOT = /(?:^|[\\/])\.\.(?:[\\/]|$)/;
