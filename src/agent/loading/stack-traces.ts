// Run-time stack traces (a route that throws, Express's error page, console.error(err))
// point at the user's lines instead of the generated code. Each frame is mapped through
// the source map of the very code it ran: V8 gives every frame the SHA-256 of its script
// (CallSite#getScriptHash), so a frame of version N's code is mapped through version N's
// map even after newer versions of the file were loaded. Process-wide, so only `serve`
// installs it; library users may call it themselves.
import { createHash } from 'node:crypto';
import { mappedByHook, mapStack } from '../errors.js';

// The maps of the last few compiled versions of each file, newest last. Bounded per file:
// older versions are gone from the kept versions by then.
const PER_FILE = 16;
const byFile = new Map<string, { hash: string; map: string }[]>();

/** Remembers the source map of `code`, compiled for `file` (called once per compiled code). */
export function rememberSourceMap(file: string, code: string, map: string): void {
  const hash = createHash('sha256').update(code).digest('hex');
  const list = byFile.get(file) ?? [];
  const i = list.findIndex((e) => e.hash === hash);
  if (i !== -1) list.splice(i, 1);
  list.push({ hash, map });
  if (list.length > PER_FILE) list.shift();
  byFile.set(file, list);
}

/** The map of the code with this script hash, else of the newest code of `file`. */
export function sourceMapFor(file: string, hash?: string): string | undefined {
  const list = byFile.get(file);
  if (!list) return undefined;
  return (hash && list.find((e) => e.hash === hash)?.map) || list[list.length - 1].map;
}

let installed = false;

export function installStackMapping(): void {
  if (installed) return;
  installed = true;
  const previous = Error.prepareStackTrace;
  let busy = false;
  Error.prepareStackTrace = (err, frames) => {
    const text = previous ? String(previous(err, frames)) : format(err, frames);
    if (busy) return text; // an error while mapping must not recurse
    busy = true;
    try {
      const lookup = (file: string, n: number) => {
        const frame = frames[n];
        return sourceMapFor(file, frame && frame.getFileName() === file ? frame.getScriptHash() : undefined);
      };
      const mapped = mapStack(text, lookup).stack;
      if (err && typeof err === 'object') mappedByHook.add(err);
      return mapped;
    } catch {
      return text;
    } finally {
      busy = false;
    }
  };
}

function format(err: Error, frames: NodeJS.CallSite[]): string {
  let head: string;
  try {
    head = String(err);
  } catch {
    head = 'Error';
  }
  return head + frames.map((f) => `\n    at ${f.toString()}`).join('');
}
