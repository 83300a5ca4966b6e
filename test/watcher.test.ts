import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkDirs, createIgnoreMatcher, describeWatchError, startWatcher, type Watcher } from '../src/engine/watcher.js';
import type { ChangeKind } from '../src/types.js';
import { until } from './helpers/wait.js';

/** waits (5 s at most) until no report has come for quietMs */
async function untilQuiet(at: readonly number[], quietMs: number): Promise<void> {
  const end = performance.now() + 5000;
  let n = -1;
  let since = performance.now();
  while (performance.now() - since < quietMs) {
    if (performance.now() > end) throw new Error(`still reporting after 5 s (${at.length} reports)`);
    if (at.length !== n) [n, since] = [at.length, performance.now()];
    await new Promise((r) => setTimeout(r, 10));
  }
}

let root: string;
let watcher: Watcher | undefined;

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ahr-watch-'));
});
afterEach(async () => {
  await watcher?.close();
  watcher = undefined;
  await fs.rm(root, { recursive: true, force: true });
});

describe('createIgnoreMatcher', () => {
  const m = createIgnoreMatcher({ root: '/p', ignore: ['*.log', 'src/generated', 'tmp/**/*.js'], logDir: '/p/logs/hot_reload_errors' });
  it.each([
    ['/p/src/node_modules/x/index.js', true],
    ['/p/.git/HEAD', true],
    ['/p/src/__pycache__', true],
    ['/p/dist/a.js', true],
    ['/p/logs/hot_reload_errors/2026.log', true],
    ['/p/src/.app.js.swp', true],
    ['/p/src/app.js.swx', true],
    ['/p/src/app.js~', true],
    ['/p/src/.#app.js', true],
    ['/p/src/4913', true],
    ['/p/src/.counter.js.tmp', true],
    ['/p/src/app.js___jb_tmp___', true],
    ['/p/src/app.js___jb_old___', true],
    ['/p/src/tmp.js', false],
    ['/p/src/debug.log', true],
    ['/p/src/generated/x.js', true],
    ['/p/tmp/a/b/c.js', true],
    ['/p/src/app.js', false],
    ['/p/src/distance.js', false],
    ['/p/logs/other.txt', false],
    ['/p', false],
    ['/lib/node_modules/x.js', true],
    ['/lib/src/a.js', false],
    ['/lib/tmp/a/b/c.js', false],
  ])('%s → %s', (p, expected) => {
    expect(m(p)).toBe(expected);
  });
});

describe('createIgnoreMatcher: paths as chokidar may pass them', () => {
  const m = createIgnoreMatcher({ root: '/p/', ignore: ['a**b', '*.log', 'src/gen'], logDir: 'logs/errs' });
  it.each([
    ['/p/src/../node_modules/x.js', true], // not normalized: resolved first
    ['/p//src/app.js', false],
    ['/p/src/./app.js~', true],
    ['/p/src/app.js/', false],
    ['src/node_modules/x.js', true], // relative: to the root
    ['src/gen/x.js', true],
    ['logs/errs/1.log', true],
    ['/p/logs/errs', true],
    ['/p/logs/errsx/a.js', false],
    ['/p/ax/yb', false], // a segment pattern's ** stays inside one segment
    ['/p/axyb/c.js', true],
    ['/lib/gen/x.js', false], // outside the root: root-relative patterns do not apply
    ['/lib/debug.log', true], // … names do
    ['/pq/src/app.js', false], // a sibling sharing the root's name as a prefix
    ['/pq/dist/app.js', true],
    ['/', false], // an ancestor of the root
  ])('%s → %s', (p, expected) => {
    expect(m(p)).toBe(expected);
  });
});

describe('describeWatchError', () => {
  it('names fs.inotify.max_user_watches and the fix for ENOSPC and EMFILE', () => {
    for (const code of ['ENOSPC', 'EMFILE']) {
      const err = Object.assign(new Error(`watch ${code}`), { code });
      const d = describeWatchError(err);
      expect(d.fatal).toBe(true);
      expect(d.message).toContain('fs.inotify.max_user_watches');
      expect(d.message).toContain('sudo sysctl fs.inotify.max_user_watches=524288');
    }
    expect(describeWatchError(new Error('boom'))).toEqual({ fatal: false, message: 'watcher: boom' });
  });
});

describe('startWatcher (real files)', () => {
  it('counts files, never walks ignored folders, and reports add/change/unlink/rename relative to root', async () => {
    const src = path.join(root, 'src');
    await fs.mkdir(path.join(src, 'lib'), { recursive: true });
    await fs.mkdir(path.join(src, 'node_modules', 'dep'), { recursive: true });
    await fs.writeFile(path.join(src, 'app.js'), 'a');
    await fs.writeFile(path.join(src, 'lib', 'util.js'), 'u');
    await fs.writeFile(path.join(src, 'node_modules', 'dep', 'index.js'), 'x');
    const seen: { path: string; kind: ChangeKind }[] = [];
    let readyCount = -1;
    watcher = await startWatcher(
      { root, dirs: [src], ignore: [] },
      { onChange: (c) => seen.push(c), onReady: (n) => (readyCount = n) },
    );
    await watcher.ready;
    expect(readyCount).toBe(2);
    expect(watcher.fileCount).toBe(2);

    await fs.writeFile(path.join(src, 'new.js'), 'n');
    await until(() => seen.some((c) => c.path === 'src/new.js' && c.kind === 'add'), 'add');
    await fs.writeFile(path.join(src, 'lib', 'util.js'), 'u2');
    await until(() => seen.some((c) => c.path === 'src/lib/util.js' && c.kind === 'change'), 'change');
    await fs.rm(path.join(src, 'app.js'));
    await until(() => seen.some((c) => c.path === 'src/app.js' && c.kind === 'unlink'), 'unlink');
    await fs.rename(path.join(src, 'new.js'), path.join(src, 'renamed.js'));
    await until(() => seen.some((c) => c.path === 'src/renamed.js' && c.kind === 'add'), 'rename add');
    await until(() => seen.some((c) => c.path === 'src/new.js' && c.kind === 'unlink'), 'rename unlink');
    await fs.writeFile(path.join(src, 'node_modules', 'dep', 'index.js'), 'y');
    await fs.writeFile(path.join(src, '.app.js.swp'), 'swap');
    await fs.writeFile(path.join(src, 'trigger.js'), 't'); // an event after the ignored ones
    await until(() => seen.some((c) => c.path === 'src/trigger.js'), 'trigger');
    expect(seen.filter((c) => c.path.includes('node_modules') || c.path.endsWith('.swp'))).toEqual([]);
    expect(watcher.fileCount).toBe(3); // lib/util.js, renamed.js, trigger.js
  });

  it('the ignore predicate in chokidar\'s function form is never asked about paths inside ignored folders', async () => {
    const { watch } = await import('chokidar');
    await fs.mkdir(path.join(root, 'src', 'node_modules', 'dep', 'deep'), { recursive: true });
    await fs.mkdir(path.join(root, 'src', '.git', 'objects'), { recursive: true });
    await fs.writeFile(path.join(root, 'src', 'node_modules', 'dep', 'deep', 'x.js'), 'x');
    await fs.writeFile(path.join(root, 'src', '.git', 'objects', 'ab'), 'x');
    await fs.writeFile(path.join(root, 'src', 'a.js'), 'a');
    const matcher = createIgnoreMatcher({ root, ignore: [] });
    const asked = new Set<string>();
    const fsw = watch(path.join(root, 'src'), {
      ignored: (p: string) => {
        asked.add(path.relative(root, p).split(path.sep).join('/'));
        return matcher(path.resolve(p));
      },
    });
    try {
      await new Promise<void>((r) => fsw.on('ready', () => r()));
    } finally {
      await fsw.close();
    }
    expect([...asked].sort()).toEqual(['src', 'src/.git', 'src/a.js', 'src/node_modules']);
  });

  it('keeps watching a file through 20 atomic saves (temp file + rename)', async () => {
    const src = path.join(root, 'src');
    await fs.mkdir(src);
    const file = path.join(src, 'app.js');
    await fs.writeFile(file, 'v0');
    const changes: string[] = [];
    watcher = await startWatcher({ root, dirs: [src], ignore: [] }, { onChange: (c) => c.path === 'src/app.js' && changes.push(c.kind) });
    await watcher.ready;
    for (let i = 1; i <= 20; i++) {
      const tmp = path.join(src, `.app.js.${i}.swp`);
      await fs.writeFile(tmp, `v${i}`);
      await fs.rename(tmp, file);
      await until(() => changes.length >= i, `atomic save #${i}`);
      await new Promise((r) => setTimeout(r, 25)); // past settleMs, still inside chokidar's throttle
    }
    expect(changes).toHaveLength(20);
    expect(changes.every((k) => k === 'change' || k === 'add')).toBe(true);
  });

  it('a temp file that appears and is renamed away at once (sed -i, unknown editors) is not a change', async () => {
    const src = path.join(root, 'src');
    await fs.mkdir(src);
    const file = path.join(src, 'app.js');
    await fs.writeFile(file, 'v0');
    const seen: string[] = [];
    const countsAtChange: number[] = []; // what the engine reads when a change arrives
    watcher = await startWatcher(
      { root, dirs: [src], ignore: [] },
      {
        onChange: (c) => {
          seen.push(`${c.kind} ${c.path}`);
          if (c.path === 'src/app.js') countsAtChange.push(watcher!.fileCount);
        },
      },
    );
    await watcher.ready;
    for (let i = 1; i <= 5; i++) {
      const tmp = path.join(src, `sedX${i}aB`); // no editor-temp name pattern matches it
      await fs.writeFile(tmp, `v${i}`);
      await fs.rename(tmp, file);
      await until(() => seen.filter((s) => s.endsWith(' src/app.js')).length >= i, `save #${i}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    await new Promise((r) => setTimeout(r, 150)); // past the settle and re-check windows
    expect(seen.filter((s) => !s.endsWith(' src/app.js'))).toEqual([]);
    expect(watcher.fileCount).toBe(1); // no ghost left in the count
    expect(countsAtChange.every((n) => n === 1)).toBe(true);
    // a real new file is still reported, once
    await fs.writeFile(path.join(src, 'new.js'), 'x');
    await until(() => seen.includes('add src/new.js'), 'the new file');
    expect(seen.filter((s) => s === 'add src/new.js')).toHaveLength(1);
    expect(watcher.fileCount).toBe(2);
  });

  it('does not lose a second save within chokidar\'s 50 ms change throttle', async () => {
    const src = path.join(root, 'src');
    await fs.mkdir(src);
    const file = path.join(src, 'app.js');
    await fs.writeFile(file, 'v0');
    const changes: string[] = [];
    watcher = await startWatcher({ root, dirs: [src], ignore: [] }, { onChange: (c) => changes.push(c.kind) });
    await watcher.ready;
    await fs.writeFile(file, 'v1');
    await until(() => changes.length >= 1, 'first save');
    // past settleMs (15 ms) but inside chokidar's 50 ms throttle, which drops this event
    await new Promise((r) => setTimeout(r, 25));
    await fs.writeFile(file, 'v2-longer');
    await until(() => changes.length >= 2, 'second save');
    await new Promise((r) => setTimeout(r, 300)); // nothing further may arrive
    expect(changes).toEqual(['change', 'change']);
  });

  it('a file a save has emptied is reported again while it stays empty, and no more once filled; emptied for good, it goes quiet', async () => {
    const src = path.join(root, 'src');
    await fs.mkdir(src);
    const file = path.join(src, 'app.js');
    await fs.writeFile(file, 'export default 1;\n');
    const at: number[] = [];
    watcher = await startWatcher({ root, dirs: [src], ignore: [], settleMs: 4 }, { onChange: () => at.push(performance.now()) });
    await watcher.ready;
    await fs.writeFile(file, ''); // the truncate of a save, its bytes 20 ms late
    await until(() => at.length >= 1, 'the truncate');
    await new Promise((r) => setTimeout(r, 20));
    const whileEmpty = at.length;
    await fs.writeFile(file, 'export default 2;\n');
    const filled = at.length; // from here on the file has its bytes
    // re-reported every 2 ms (half of settleMs) while empty: far more than the one event a
    // save gives
    expect(whileEmpty).toBeGreaterThanOrEqual(3);
    // once the bytes are there the re-reports stop. Counted from when the write is done:
    // under load the write itself takes a while, and reports meanwhile are right (the file
    // is still empty). After it only the fill may be reported — chokidar's event (twice if
    // its 50 ms throttle passes between the write's two kernel events) and the re-check —
    // then it goes quiet
    await untilQuiet(at, 300);
    expect(at.length - filled).toBeLessThanOrEqual(3);
    // a file emptied for good: re-reported for at most 50 ms, then nothing
    at.length = 0;
    await fs.writeFile(file, '');
    await until(() => at.length >= 1, 'the emptying');
    await new Promise((r) => setTimeout(r, 300));
    const settled = at.length;
    expect(settled).toBeLessThanOrEqual(50 / 2 + 2);
    await new Promise((r) => setTimeout(r, 200));
    expect(at.length).toBe(settled);
  });

  it('a removed folder reports each of its files gone, once, and takes them out of the count', async () => {
    const src = path.join(root, 'src');
    await fs.mkdir(path.join(src, 'sub', 'deep'), { recursive: true });
    await fs.writeFile(path.join(src, 'a.js'), 'a');
    await fs.writeFile(path.join(src, 'sub', 'b.js'), 'b');
    await fs.writeFile(path.join(src, 'sub', 'deep', 'c.js'), 'c');
    const seen: string[] = [];
    watcher = await startWatcher({ root, dirs: [src], ignore: [] }, { onChange: (c) => seen.push(`${c.kind} ${c.path}`) });
    await watcher.ready;
    expect(watcher.fileCount).toBe(3);
    await fs.rm(path.join(src, 'sub'), { recursive: true });
    await until(() => watcher!.fileCount === 1, 'the count after removing sub/');
    await until(() => seen.length >= 2, 'the unlinks of sub/');
    await new Promise((r) => setTimeout(r, 300)); // past chokidar's delayed (atomic) unlinks
    expect([...seen].sort()).toEqual(['unlink src/sub/b.js', 'unlink src/sub/deep/c.js']);
  });

  it('a dir outside the root (--dir ../lib) is watched, named absolute, and its ignored folders skipped', async () => {
    const project = path.join(root, 'proj');
    const lib = path.join(root, 'lib');
    await fs.mkdir(project);
    await fs.mkdir(path.join(lib, 'node_modules', 'dep'), { recursive: true });
    await fs.writeFile(path.join(lib, 'util.js'), 'u');
    await fs.writeFile(path.join(lib, 'node_modules', 'dep', 'index.js'), 'x');
    const seen: string[] = [];
    let ready = -1;
    watcher = await startWatcher(
      { root: project, dirs: [lib], ignore: [] },
      { onChange: (c) => seen.push(`${c.kind} ${c.path}`), onReady: (n) => (ready = n) },
    );
    await watcher.ready;
    expect(ready).toBe(1);
    await fs.writeFile(path.join(lib, 'node_modules', 'dep', 'index.js'), 'y');
    await fs.writeFile(path.join(lib, 'util.js'), 'u2');
    const shown = path.join(lib, 'util.js').split(path.sep).join('/');
    await until(() => seen.includes(`change ${shown}`), 'the change outside the root');
    expect(seen.filter((s) => s.includes('node_modules'))).toEqual([]);
  });

  it('checkDirs: a file given as a dir is a warning; usable dirs pass', async () => {
    await fs.mkdir(path.join(root, 'ok'));
    await fs.writeFile(path.join(root, 'file.js'), 'x');
    const r = await checkDirs(root, [path.join(root, 'ok'), path.join(root, 'file.js')]);
    expect(r).toEqual({ usable: [path.join(root, 'ok')], warnings: ['watch dir file.js is not a directory — pass a folder with --dir'], absent: [] });
  });

  it('running out of inotify watches is one clear error with the fix, never a crash, and watching goes on', async () => {
    const { watch } = await import('chokidar');
    const src = path.join(root, 'src');
    await fs.mkdir(src);
    const errors: string[] = [];
    const seen: string[] = [];
    let real: ReturnType<typeof watch> | undefined;
    watcher = await startWatcher(
      { root, dirs: [src], ignore: [] },
      { onChange: (c) => seen.push(c.path), onError: (m) => errors.push(m) },
      { watch: (paths, options) => (real = watch(paths, options)) },
    );
    await watcher.ready;
    // what chokidar emits on ENOSPC, twice (the real limit is exhausted in watcher-enospc.test.ts)
    const enospc = Object.assign(new Error('ENOSPC: System limit for number of file watchers reached'), { code: 'ENOSPC' });
    real!.emit('error', enospc);
    real!.emit('error', enospc);
    expect(errors).toHaveLength(1); // reported once, not per directory
    expect(errors[0]).toMatch(/fs\.inotify\.max_user_watches .* sudo sysctl fs\.inotify\.max_user_watches=524288/);
    await fs.writeFile(path.join(src, 'after.js'), 'x');
    await until(() => seen.includes('src/after.js'), 'a change after the error');
  });

  it('warns about missing dirs with the fix and does not crash', async () => {
    const warnings: string[] = [];
    let ready = -1;
    watcher = await startWatcher(
      { root, dirs: [path.join(root, 'nope')], ignore: [] },
      { onChange: () => {}, onWarning: (w) => warnings.push(w), onReady: (n) => (ready = n) },
    );
    await watcher.ready;
    expect(warnings).toEqual([
      'watch dir nope does not exist — create it (it is watched once it does), or pass existing folders with --dir (or "dirs" in the config)',
    ]);
    expect(ready).toBe(0);
    await watcher.close();
    await watcher.close(); // safe twice
  });
});
