import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createErrorLog, readErrorLog } from '../src/engine/errorlog.js';
import type { ErrorEntry } from '../src/types.js';

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'ahr-errlog-'));
});
afterEach(async () => {
  await chmod(tmp, 0o755).catch(() => {});
  await rm(tmp, { recursive: true, force: true });
});

const entry = (time: string, message: string, extra: Partial<ErrorEntry> = {}): ErrorEntry => ({ time, kind: 'reload', message, ...extra });

describe('error log', () => {
  it('appends one JSON line per entry to the UTC day file, creating the dir', async () => {
    const dir = path.join(tmp, 'logs', 'hot_reload_errors');
    const log = createErrorLog(dir);
    expect(log.dir).toBe(dir);
    const a = entry('2026-11-24T23:59:59.000Z', 'first', { files: ['src/a.ts'], version: 3, httpStatus: 500 });
    const b = entry('2026-11-25T00:00:01.000Z', 'second');
    await Promise.all([log.append(a), log.append(b)]);
    expect(await readFile(path.join(dir, '2026-11-24.log'), 'utf8')).toBe(`${JSON.stringify(a)}\n`);
    expect(await readFile(path.join(dir, '2026-11-25.log'), 'utf8')).toBe(`${JSON.stringify(b)}\n`);
  });

  it('keeps concurrent appends as whole lines in order', async () => {
    const log = createErrorLog(tmp);
    const entries = Array.from({ length: 50 }, (_, i) => entry('2026-11-25T10:00:00.000Z', `m${i}`));
    await Promise.all(entries.map((e) => log.append(e)));
    const lines = (await readFile(path.join(tmp, '2026-11-25.log'), 'utf8')).trimEnd().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as ErrorEntry).message)).toEqual(entries.map((e) => e.message));
  });

  it('warns once and never throws when the dir cannot be written', async () => {
    const blocker = path.join(tmp, 'file');
    await writeFile(blocker, 'not a dir');
    const warnings: string[] = [];
    const log = createErrorLog(path.join(blocker, 'logs'), (m) => warnings.push(m));
    await log.append(entry('2026-11-25T10:00:00.000Z', 'a'));
    await log.append(entry('2026-11-25T10:00:01.000Z', 'b'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toBe(`error log: cannot write to ${path.join(blocker, 'logs')} (ENOTDIR); failures are not being logged`);
  });

  it('a dir under /proc (where Node 20\'s recursive mkdir never returns) is a warning, not a hang', async () => {
    const warnings: string[] = [];
    const log = createErrorLog('/proc/ahr-forbidden/logs', (w) => warnings.push(w));
    await log.append(entry('2026-11-25T10:00:00.000Z', 'x'));
    await log.append(entry('2026-11-25T10:00:01.000Z', 'y'));
    expect(warnings).toEqual(['error log: cannot write to /proc/ahr-forbidden/logs (ENOENT); failures are not being logged']);
  });

  it('a path through a file is a warning naming ENOTDIR', async () => {
    await writeFile(path.join(tmp, 'afile'), 'x');
    const warnings: string[] = [];
    const log = createErrorLog(path.join(tmp, 'afile', 'logs'), (w) => warnings.push(w));
    await log.append(entry('2026-11-25T10:00:00.000Z', 'x'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('(ENOTDIR)');
  });

  it('reads all files newest first, skips malformed lines and honours limit', async () => {
    await writeFile(
      path.join(tmp, '2026-11-24.log'),
      `${JSON.stringify(entry('2026-11-24T08:00:00.000Z', 'old'))}\nnot json\n{"time": "x"}\n${JSON.stringify(entry('2026-11-24T09:00:00.000Z', 'mid'))}\n`,
    );
    await writeFile(path.join(tmp, '2026-11-25.log'), `${JSON.stringify(entry('2026-11-25T01:00:00.000Z', 'new'))}\n{"time":"2026-11-25T02:00`);
    await writeFile(path.join(tmp, 'notes.txt'), `${JSON.stringify(entry('2026-11-26T01:00:00.000Z', 'ignored'))}\n`);
    expect((await readErrorLog(tmp)).map((e) => e.message)).toEqual(['new', 'mid', 'old']);
    expect((await readErrorLog(tmp, { limit: 2 })).map((e) => e.message)).toEqual(['new', 'mid']);
  });

  it('reads an absent dir as empty', async () => {
    expect(await readErrorLog(path.join(tmp, 'nope'))).toEqual([]);
  });
});
