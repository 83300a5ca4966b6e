// The watcher never goes blind (issue 14): a watched dir deleted and restored, a file
// replaced by a folder and back, 20,000 files created at once by another process, symlinks
// out of the watched dirs and loops. Real files, real chokidar, real kernel.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWatcher, type Watcher } from '../src/engine/watcher.js';

let root: string;
let outside: string;
let dir: string;
let watcher: Watcher | undefined;
let changes: string[];
let warnings: string[];
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ahr-blind-'));
  outside = await fs.mkdtemp(path.join(os.tmpdir(), 'ahr-blind-out-'));
  dir = path.join(root, 'server');
  await fs.mkdir(dir);
  await fs.writeFile(path.join(dir, 'a.js'), 'a');
  changes = [];
  warnings = [];
});
afterEach(async () => {
  await watcher?.close();
  watcher = undefined;
  await fs.rm(root, { recursive: true, force: true });
  await fs.rm(outside, { recursive: true, force: true });
});

async function watch(dirs = [dir]) {
  watcher = await startWatcher(
    { root, dirs, ignore: [] },
    { onChange: (c) => changes.push(`${c.kind} ${c.path}`), onWarning: (m) => warnings.push(m), onError: (m) => warnings.push(m) },
  );
  await watcher.ready;
  return watcher;
}
async function until(pred: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = performance.now() + ms;
  while (!pred()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}; changes: ${changes.slice(-20).join(' | ')}; warnings: ${warnings.join(' | ')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a watched dir that goes away', () => {
  it('deleted and restored: a warning while it is gone, then its files are seen again', async () => {
    await watch();
    await fs.rm(dir, { recursive: true });
    await until(() => warnings.some((w) => w.includes('watch dir server is gone')), 'the warning');
    expect(changes).toContain('unlink server/a.js');
    await fs.mkdir(dir);
    await fs.writeFile(path.join(dir, 'a.js'), 'restored');
    await until(() => changes.includes('add server/a.js'), 'the restored file');
    expect(warnings).toContain('watch dir server is there again — watching it');
    changes.length = 0;
    await fs.writeFile(path.join(dir, 'b.js'), 'new');
    await until(() => changes.includes('add server/b.js'), 'a new file in the restored dir');
    await pause(100);
    await fs.writeFile(path.join(dir, 'a.js'), 'edited after the restore');
    await until(() => changes.includes('change server/a.js'), 'an edit in the restored dir');
  }, 20_000);

  it('missing at the start: watched once it exists', async () => {
    const later = path.join(root, 'later');
    await watch([dir, later]);
    expect(warnings.some((w) => w.startsWith('watch dir later does not exist'))).toBe(true);
    await fs.mkdir(later);
    await fs.writeFile(path.join(later, 'x.js'), 'x');
    await until(() => changes.includes('add later/x.js'), 'the file in the new dir');
  }, 20_000);
});

describe('a file replaced by a folder and back (atomic saves)', () => {
  it('is watched in both forms, every time', async () => {
    await watch();
    const f = path.join(dir, 'a.js');
    for (let i = 0; i < 3; i++) {
      changes.length = 0;
      await fs.rm(f);
      await fs.mkdir(f);
      await fs.writeFile(path.join(f, 'inner.js'), `inner ${i}`);
      // the folder phase ends with the file reported gone; a 'change server/a.js' from the
      // swap itself (chokidar's unlink+add merge) comes before that, so it is not taken
      // below for the file coming back
      await until(() => changes.includes('add server/a.js/inner.js') && changes.includes('unlink server/a.js'), `round ${i}: the folder and what is in it`);
      changes.length = 0;
      await fs.rm(f, { recursive: true });
      await fs.writeFile(f, `file again ${i}`);
      // chokidar may miss the file (its readdir throttle): the rescan reports it, ~1.2 s later
      await until(() => changes.includes('add server/a.js') || changes.includes('change server/a.js'), `round ${i}: the file again`);
      await pause(150); // past the settle time and the re-check: the edit is a change of its own
      changes.length = 0;
      await fs.writeFile(f, `edited ${i}`);
      await until(() => changes.includes('change server/a.js'), `round ${i}: an edit of the file`);
    }
  }, 60_000);

  it('an edit right after the file is back (within chokidar\'s 50 ms throttle) is never lost', async () => {
    await watch();
    const f = path.join(dir, 'a.js');
    const reads = readsAfterReports(f);
    for (let i = 0; i < 3; i++) {
      await fs.rm(f);
      await fs.mkdir(f);
      await fs.writeFile(path.join(f, 'inner.js'), `inner ${i}`);
      // (a 'change' when chokidar merges it with the last round's unlink of inner.js, < 100 ms ago)
      await until(() => changes.includes('add server/a.js/inner.js') || changes.includes('change server/a.js/inner.js'), `round ${i}: the folder`);
      await fs.rm(f, { recursive: true });
      await fs.writeFile(f, `file again ${i}`);
      await pause(i * 20); // 0, 20, 40 ms: inside the throttle, whatever has been reported yet
      await fs.writeFile(f, `edited ${i}`);
      await until(() => reads.includes(`edited ${i}`), `round ${i}: the edit read after a report (reads: ${reads.join(',')})`);
      changes.length = 0;
    }
  }, 60_000);
});

describe('a new file edited at once', () => {
  it('an edit 0–45 ms after the add (chokidar\'s change throttle is 50 ms) always reaches a read', async () => {
    await watch();
    const files = [0, 5, 10, 20, 30, 45].map((d) => ({ d, file: path.join(dir, `n${d}.js`) }));
    const reads = files.map(({ file }) => readsAfterReports(file));
    await Promise.all(
      files.map(async ({ d, file }) => {
        await fs.writeFile(file, 'created');
        await pause(d);
        await fs.writeFile(file, `edited after ${d} ms`);
      }),
    );
    for (const [k, { d }] of files.entries()) await until(() => reads[k].includes(`edited after ${d} ms`), `the edit ${d} ms after the add (reads: ${reads[k].join(',')})`);
  }, 30_000);
});

/**
 * What the engine does with a report: read the file a debounce later (30 ms; the settle
 * time, 15 ms, is shorter). The last read is what reached the service.
 */
function readsAfterReports(file: string): string[] {
  const reads: string[] = [];
  const rel = path.relative(root, file).split(path.sep).join('/');
  const was = changes.push.bind(changes);
  changes.push = (...items: string[]) => {
    if (items.some((c) => c.endsWith(` ${rel}`) && !c.startsWith('unlink')))
      setTimeout(() => void fs.readFile(file, 'utf8').then((t) => reads.push(t), () => undefined), 30);
    return was(...items);
  };
  return reads;
}

describe('symlinks', () => {
  it('a link out of the watched dirs is not followed (one warning); loops are reported once; a link to a file is watched', async () => {
    // a big tree elsewhere: the old watcher scanned all of it (server/x -> /usr: 4 GB, never ready)
    for (let d = 0; d < 20; d++) {
      await fs.mkdir(path.join(outside, `d${d}`));
      for (let i = 0; i < 50; i++) await fs.writeFile(path.join(outside, `d${d}`, `f${i}.js`), '');
    }
    await fs.symlink(outside, path.join(dir, 'x'));
    await fs.symlink(dir, path.join(dir, 'loop')); // a folder it is in
    await fs.symlink(path.join(dir, 'b-link'), path.join(dir, 'a-link')); // a → b → a
    await fs.symlink(path.join(dir, 'a-link'), path.join(dir, 'b-link'));
    await fs.writeFile(path.join(outside, 'lib.js'), 'lib');
    await fs.symlink(path.join(outside, 'lib.js'), path.join(dir, 'lib.js')); // a file: watched
    const w = await watch();
    expect(w.fileCount).toBe(2); // a.js and lib.js
    expect(warnings.filter((m) => m.includes('symlink'))).toEqual(
      expect.arrayContaining([
        `server/x is a symlink to ${await fs.realpath(outside)}, outside the watched dirs: not followed (to watch it, add --dir ${await fs.realpath(outside)})`,
        `server/loop is a symlink loop (to ${dir}, a folder it is in): ignored`,
        'server/a-link is a symlink loop: ignored',
        'server/b-link is a symlink loop: ignored',
      ]),
    );
    expect(warnings.filter((m) => m.includes('symlink'))).toHaveLength(4);
    // a second look (a rescan of the dir) warns no more
    await fs.mkdir(path.join(dir, 'sub'));
    await fs.writeFile(path.join(dir, 'sub', 'c.js'), 'c');
    await until(() => changes.includes('add server/sub/c.js'), 'a new file');
    await pause(1500);
    expect(warnings.filter((m) => m.includes('symlink'))).toHaveLength(4);
  }, 60_000);
});

describe('a storm of 20,000 new files', () => {
  it('from another process, in 200 new folders: every one is reported', async () => {
    await watch();
    const n = 20_000;
    const script = `const fs=require('fs'),p=require('path');const d=${JSON.stringify(dir)};for(let k=0;k<${n / 100};k++){const s=p.join(d,'d'+k);fs.mkdirSync(s);for(let i=0;i<100;i++)fs.writeFileSync(p.join(s,'f'+i+'.js'),'')}`;
    await new Promise((r) => spawn(process.execPath, ['-e', script], { stdio: 'ignore' }).once('close', r));
    const added = () => new Set(changes.filter((c) => c.startsWith('add ')).map((c) => c.slice(4))).size;
    await until(() => added() >= n, `all ${n} adds`, 90_000);
    expect(added()).toBe(n);
    expect(watcher!.fileCount).toBe(n + 1);
  }, 180_000);
});
