// The re-check after a report (watcher.ts) under an exact schedule: chokidar is replaced by an
// emitter we fire by hand and the timers are fake, so the race that reported one atomic save
// twice under load happens on every run. The files and their stats are real.
import { EventEmitter } from 'node:events';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { startWatcher, type Watcher } from '../src/engine/watcher.js';

let root: string;
let watcher: Watcher | undefined;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ahr-recheck-'));
});
afterEach(async () => {
  await watcher?.close();
  watcher = undefined;
  vi.useRealTimers();
  await fs.rm(root, { recursive: true, force: true });
});


it('a save reported while the re-check of the one before is due is reported once', async () => {
  const src = path.join(root, 'src');
  await fs.mkdir(src);
  const file = path.join(src, 'app.js');
  await fs.writeFile(file, 'v0');
  const fake = Object.assign(new EventEmitter(), { add() {}, unwatch() {}, close: async () => {} });
  const seen: string[] = [];
  watcher = await startWatcher(
    { root, dirs: [src], ignore: [], settleMs: 100 },
    { onChange: (c) => seen.push(`${c.kind} ${c.path}`) },
    { watch: (() => fake) as never },
  );
  fake.emit('add', file);
  fake.emit('ready');
  await watcher.ready;
  const realTimeout = globalThis.setTimeout;
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  const tick = async (ms: number) => {
    vi.advanceTimersByTime(ms);
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    await new Promise((r) => realTimeout(r, 20)); // the stat's answer
  };
  await fs.writeFile(file, 'v1 save one');
  fake.emit('change', file); // t=0: save 1
  expect(seen).toEqual(['change src/app.js']);
  await tick(100); // t=100: the baseline (save 1); the re-check is due at t=180
  await fs.rename(await writeTemp(src, 'v2 save two, longer'), file);
  await tick(50); // t=150: save 2 lands; chokidar tells of it
  fake.emit('change', file);
  expect(seen).toEqual(['change src/app.js', 'change src/app.js']);
  await tick(40); // t=190: save 1's re-check was due (before: it reported save 2 again)
  expect(seen).toEqual(['change src/app.js', 'change src/app.js']);
  await tick(70); // t=260: save 2's baseline (t=250); its re-check at 330
  // a save whose event chokidar's throttle dropped: the re-check still catches it
  await fs.writeFile(file, 'v3 save three, no event');
  await tick(80); // t=340
  expect(seen).toEqual(['change src/app.js', 'change src/app.js', 'change src/app.js']);
  await tick(300);
  expect(seen).toHaveLength(3);
});

async function writeTemp(dir: string, text: string): Promise<string> {
  const tmp = path.join(dir, '.app.js.tmp');
  await fs.writeFile(tmp, text);
  return tmp;
}
