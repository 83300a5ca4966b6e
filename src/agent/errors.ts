// Load failures, described so that they point at the user's file and line.
// Stack frames of evaluated modules are positions in esbuild's output; they are mapped
// back through each module's source map before anyone sees them.
import { SourceMap } from 'node:module';
import { dirname, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReloadErrorInfo } from '../protocol/wire.js';

/** A failure to load or activate a version, with the user's position when known. */
export class ModuleLoadError extends Error {
  override readonly name = 'ModuleLoadError';
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  constructor(message: string, where: { file?: string; line?: number; column?: number; stack?: string } = {}) {
    super(message);
    this.file = where.file;
    this.line = where.line;
    this.column = where.column;
    if (where.stack) this.stack = where.stack;
  }
}

/**
 * Looks up the source map (JSON) of a module the agent evaluated, by absolute path;
 * `frame` is the index of the stack frame being mapped (0 = the innermost).
 */
export type SourceMapLookup = (file: string, frame: number) => string | undefined;

// "    at fn (/abs/file.ts:12:5)" or "    at /abs/file.ts:12:5"
const FRAME = /(\(|at )((?:\/|[A-Za-z]:[\\/])[^()]*?):(\d+):(\d+)(\)?)$/;

interface Position {
  file: string;
  line: number;
  column: number;
}

/** Errors whose stack the process-wide hook (stack-traces.ts) has already mapped. */
export const mappedByHook = new WeakSet<object>();

/** Rewrites every frame of an evaluated module to its original position. */
export function mapStack(stack: string, lookup: SourceMapLookup, alreadyMapped = false): { stack: string; first?: Position } {
  if (!stack.includes(':')) return { stack };
  let first: Position | undefined;
  let frame = 0;
  const lines = stack.split('\n').map((text) => {
    // every "    at …" line is one frame, whether or not it is one of ours
    const index = /^\s+at /.test(text) ? frame++ : -1;
    const m = FRAME.exec(text);
    if (!m) return text;
    const file = m[2];
    const json = lookup(file, index);
    const map = json ? parseMap(json) : null;
    if (!map) return text;
    if (alreadyMapped) {
      first ??= { file, line: Number(m[3]), column: Number(m[4]) };
      return text;
    }
    const entry = map.findEntry(Number(m[3]) - 1, Number(m[4]) - 1) as { originalLine?: number; originalColumn?: number };
    if (entry.originalLine === undefined || entry.originalColumn === undefined) return text;
    const pos = { file, line: entry.originalLine + 1, column: entry.originalColumn + 1 };
    first ??= pos;
    return text.slice(0, m.index) + `${m[1]}${file}:${pos.line}:${pos.column}${m[5]}`;
  });
  return { stack: lines.join('\n'), first };
}

// Parsing a map costs far more than a lookup; run-time traces hit the same few maps.
const parsedMaps = new Map<string, SourceMap>();

function parseMap(json: string): SourceMap {
  let map = parsedMaps.get(json);
  if (!map) {
    if (parsedMaps.size >= 64) parsedMaps.delete(parsedMaps.keys().next().value!);
    map = new SourceMap(JSON.parse(json));
    parsedMaps.set(json, map);
  }
  return map;
}

/**
 * Describes any thrown value for the protocol's `error` field. `fallbackFile` is the
 * module whose evaluation was running when it was thrown (used when no frame is ours).
 */
export function describeError(err: unknown, lookup: SourceMapLookup, fallbackFile?: string): ReloadErrorInfo {
  if (err instanceof ModuleLoadError) {
    return clean({ message: err.message, file: err.file ?? fallbackFile, line: err.line, column: err.column, stack: err.stack });
  }
  if (err instanceof Error) {
    const raw = err.stack ?? String(err); // reading it runs the hook, if installed
    const { stack, first } = mapStack(raw, lookup, mappedByHook.has(err));
    const message = err.name && err.name !== 'Error' ? `${err.name}: ${err.message}` : err.message;
    return clean({ message, file: first?.file ?? fallbackFile, line: first?.line, column: first?.column, stack: agentFree(stack) });
  }
  return clean({ message: `non-error value thrown: ${safeString(err)}`, file: fallbackFile });
}

// dist/src (or src under tests): the agent and the CLI that may have started it
const OWN_DIR = `${dirname(dirname(fileURLToPath(import.meta.url)))}${sep}`;

// Frames of ours (the agent, the CLI, the load bound's vm script) and Node's say nothing
// to the user about their code; an error with no frame of the app left (a LoadTimeout,
// raised by the agent) has no stack worth showing.
function agentFree(stack: string): string | undefined {
  const lines = stack.split('\n');
  const kept = lines.filter((l) => !/^\s+at /.test(l) || !(l.includes(OWN_DIR) || /auto-hot-reload:bounded|bin\/auto-hot-reload\.js:|\(node:|at node:/.test(l)));
  return kept.some((l) => /^\s+at /.test(l)) ? kept.join('\n') : undefined;
}

function safeString(v: unknown): string {
  try {
    return typeof v === 'string' ? JSON.stringify(v) : String(v);
  } catch {
    return typeof v;
  }
}

function clean(info: ReloadErrorInfo): ReloadErrorInfo {
  const out: ReloadErrorInfo = { message: info.message };
  if (info.file !== undefined) out.file = info.file;
  if (info.line !== undefined) out.line = info.line;
  if (info.column !== undefined) out.column = info.column;
  if (info.stack !== undefined) out.stack = info.stack;
  return out;
}
