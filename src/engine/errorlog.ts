// The error log: every failure as one JSON line in <dir>/YYYY-MM-DD.log (UTC date).
// Writing never throws — a log that cannot be written must not stop a reload — but an
// unwritable directory is reported once through onWarning. No line is ever left torn: a
// write the disk cut short (ENOSPC) is taken back, and a line torn by a crash is ended
// before the next one, so every line stays parseable.
import { mkdir, open, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ErrorEntry } from '../types.js';
import { jsonLine } from '../protocol/visible.js';

export interface ErrorLog {
  append(entry: ErrorEntry): Promise<void>;
  readonly dir: string;
}

export const logFileName = (time: Date) => `${time.toISOString().slice(0, 10)}.log`;

export function createErrorLog(dir: string, onWarning?: (msg: string) => void): ErrorLog {
  let warned = false;
  // appends are chained so lines of concurrent failures never interleave
  let queue: Promise<void> = Promise.resolve();
  const write = async (entry: ErrorEntry) => {
    const parsed = Date.parse(entry.time);
    const file = path.join(dir, logFileName(Number.isNaN(parsed) ? new Date() : new Date(parsed)));
    try {
      await ensureDir(dir);
      // (jsonLine: the exact entry, with nothing a terminal would obey when the log is `cat`)
      await appendLine(file, `${jsonLine(entry)}\n`);
    } catch (e) {
      if (!warned) {
        warned = true;
        const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
        onWarning?.(`error log: cannot write to ${dir} (${code}); failures are not being logged`);
      }
    }
  };
  return {
    dir,
    append(entry) {
      queue = queue.then(() => write(entry));
      return queue;
    },
  };
}

/** Appends one whole line: after a line torn earlier it starts a fresh one; a cut-short write is undone. */
async function appendLine(file: string, line: string): Promise<void> {
  const fh = await open(file, 'a+');
  try {
    const { size } = await fh.stat();
    let text = line;
    if (size > 0) {
      const last = Buffer.alloc(1);
      await fh.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) text = `\n${line}`; // a crash or a full disk tore the last line
    }
    const buf = Buffer.from(text, 'utf8');
    let written = 0;
    try {
      while (written < buf.length) written += (await fh.write(buf, written, buf.length - written)).bytesWritten;
    } catch (e) {
      // the disk filled mid-line: take the part back, unless someone appended after it
      if (written > 0 && (await fh.stat()).size === size + written) await fh.truncate(size).catch(() => undefined);
      throw e;
    }
  } finally {
    await fh.close();
  }
}

/**
 * mkdir -p, one level at a time: Node 20's `mkdir(…, {recursive: true})` never returns for
 * some paths (under /proc it loops forever), and a hung log must never hang a reload.
 */
async function ensureDir(dir: string): Promise<void> {
  const missing: string[] = [];
  let cur = path.resolve(dir);
  for (let i = 0; i < 256; i++) {
    try {
      if ((await stat(cur)).isDirectory()) break;
      throw Object.assign(new Error(`${cur} is not a directory`), { code: 'ENOTDIR' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    missing.unshift(cur);
    const parent = path.dirname(cur);
    if (parent === cur) break;
    cur = parent;
  }
  for (const d of missing) {
    try {
      await mkdir(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

const isEntry = (v: unknown): v is ErrorEntry =>
  !!v && typeof v === 'object' && typeof (v as ErrorEntry).time === 'string' && typeof (v as ErrorEntry).kind === 'string' && typeof (v as ErrorEntry).message === 'string';

/** Every entry of every *.log file in dir, newest first; malformed lines are skipped. */
export async function readErrorLog(dir: string, opts: { limit?: number } = {}): Promise<ErrorEntry[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.log'));
  } catch {
    return []; // no log yet
  }
  const entries: { e: ErrorEntry; order: number }[] = [];
  let order = 0;
  for (const name of names.sort()) {
    let text: string;
    try {
      text = await readFile(path.join(dir, name), 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        const v: unknown = JSON.parse(line);
        if (isEntry(v)) entries.push({ e: v, order: order++ });
      } catch {
        /* a torn or hand-edited line: skip it */
      }
    }
  }
  // newest first by time; among equal times, the later-written line first
  entries.sort((a, b) => (Date.parse(b.e.time) || 0) - (Date.parse(a.e.time) || 0) || b.order - a.order);
  const all = entries.map((x) => x.e);
  return opts.limit !== undefined ? all.slice(0, Math.max(0, opts.limit)) : all;
}
