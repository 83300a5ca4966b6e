// The scheduler runs on a monotonic clock (issue 14): a wall-clock step (NTP, a resumed
// laptop) between a reload and a change in its cooldown must not postpone the trailing
// reload. Real files, the real engine, a real HTTP service; only the wall clock is explicit.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../src/engine/engine.js';
import { makeConfig } from './helpers/config.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { until } from './helpers/wait.js';

let root: string;
let svc: FakeService;
let engine: Engine | undefined;
beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ahr-clock-'));
  await fs.mkdir(path.join(root, 'src'));
  await fs.writeFile(path.join(root, 'src', 'app.js'), 'export default 1;\n');
  svc = await startFakeService({ dialect: 'v1' });
});
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  await svc.close();
  await fs.rm(root, { recursive: true, force: true });
});

// the reloads so far say where a wait that failed stopped
const waitFor = (pred: () => boolean, what: string, timeoutMs: number) =>
  until(pred, () => `${what} (${timeoutMs} ms); reloads: ${svc.callsTo('reload').length}`, timeoutMs);

describe('a wall-clock step', () => {
  for (const [name, stepMs] of [
    ['an hour back', -3_600_000],
    ['a day forward', 86_400_000],
  ] as const) {
    it(`${name} during the cooldown: the trailing reload still fires when the cooldown ends`, async () => {
      let offset = 0;
      const wall = () => Date.now() + offset;
      engine = createEngine(makeConfig({ root, dirs: [path.join(root, 'src')], apiUrl: svc.url, debounceMs: 20, cooldownMs: 400, verify: false, logDir: path.join(root, 'logs') }), {
        clock: wall,
      });
      await engine.start();
      await fs.writeFile(path.join(root, 'src', 'app.js'), 'export default 2;\n');
      await waitFor(() => svc.callsTo('reload').length === 1, 'the first reload', 5000);
      offset = stepMs; // the wall clock steps
      await fs.writeFile(path.join(root, 'src', 'b.js'), 'export default 3;\n');
      await waitFor(() => engine!.store.getState().pending.includes('src/b.js') || svc.callsTo('reload').length === 2, 'the change', 5000);
      // (on the wall clock, an hour back put the cooldown's end an hour away)
      await waitFor(() => svc.callsTo('reload').length === 2, 'the trailing reload', 5000);
      expect((svc.callsTo('reload')[1].body as { files: string[] }).files).toEqual(['src/b.js']);
    });
  }
});
