// The error log never leaves a torn line (issue 14): a disk that fills mid-line (a real
// tiny tmpfs, so it needs root and mount, as every machine of this project has) and a line torn by a crash.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createErrorLog, readErrorLog } from '../src/engine/errorlog.js';
import type { ErrorEntry } from '../src/types.js';

const entry = (i: number): ErrorEntry => ({
  time: '2026-12-06T08:00:00.000Z',
  target: 'primary',
  kind: 'reload',
  message: `failure number ${i} ${'x'.repeat(150)}`,
});

let mounted: string | undefined;
let tmp: string | undefined;
afterEach(async () => {
  if (mounted) execFileSync('umount', [mounted]);
  mounted = undefined;
  if (tmp) await rm(tmp, { recursive: true, force: true });
  tmp = undefined;
});

/** a 16 KiB tmpfs: a real full disk (the test fails, saying why, where none can be mounted) */
async function tinyFs(): Promise<string> {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'ahr-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', tmp], { stdio: 'pipe' });
  } catch (err) {
    throw new Error(`this test needs a real full disk: mounting a 16 KiB tmpfs needs root (${String((err as Error).message).trim()})`);
  }
  mounted = tmp;
  return tmp;
}

const lines = async (file: string) => (await readFile(file, 'utf8')).split('\n').filter((l) => l !== '');

describe('error log on a full disk', () => {
  it('a write cut short by ENOSPC is taken back; the next append starts a fresh line; every line parses', async () => {
    const dir = await tinyFs();
    const logDir = path.join(dir, 'logs');
    const warnings: string[] = [];
    const log = createErrorLog(logDir, (w) => warnings.push(w));
    await log.append(entry(0)); // creates the dir and the file
    // fill the disk: what is left is less than the rest of the log's page
    const filler = path.join(dir, 'filler');
    let size = 16 * 1024;
    for (; size > 0; size -= 512) {
      try {
        await writeFile(filler, Buffer.alloc(size));
        break;
      } catch {
        /* too big: smaller */
      }
    }
    for (let i = 1; i <= 40; i++) await log.append(entry(i)); // some fit, one is cut, the rest fail
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('ENOSPC');
    const file = path.join(logDir, '2026-12-06.log');
    const before = await lines(file);
    expect(before.length).toBeLessThan(41); // the disk did fill
    for (const l of before) expect(() => JSON.parse(l)).not.toThrow();

    await rm(filler); // space again
    await log.append(entry(99));
    const after = await lines(file);
    expect(after).toHaveLength(before.length + 1);
    for (const l of after) expect(() => JSON.parse(l)).not.toThrow();
    expect((JSON.parse(after[after.length - 1]) as ErrorEntry).message).toBe(entry(99).message);
    expect((await readErrorLog(logDir)).length).toBe(after.length);
  });

  it('a line torn by a crash is ended: the next entry is a line of its own', async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'ahr-torn-'));
    const file = path.join(tmp, '2026-12-06.log');
    await writeFile(file, `${JSON.stringify(entry(1))}\n{"time":"2026-12-06T08:00`);
    await createErrorLog(tmp).append(entry(2));
    const all = await lines(file);
    expect(all).toHaveLength(3);
    expect(JSON.parse(all[2])).toEqual(entry(2));
    expect((await readErrorLog(tmp)).map((e) => e.message)).toEqual([entry(2).message, entry(1).message]);
  });

  it('text with C1 and bidi controls is escaped in the file, exact once parsed', async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'ahr-c1-'));
    const hostile = { ...entry(3), message: 'a\u009b2Jb\u202ec\u001b]0;t\u0007' };
    await createErrorLog(tmp).append(hostile);
    const text = await readFile(path.join(tmp, '2026-12-06.log'), 'utf8');
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(JSON.parse(text)).toEqual(hostile);
  });
});
