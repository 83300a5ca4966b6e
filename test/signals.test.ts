// Quitting by signal (issue 14): SIGHUP (the terminal closed) is handled like SIGINT — the
// quit path runs, the demo's service stops — and SIGINT/SIGTERM/SIGHUP end the CLI within
// 2 s at any time: in the TUI, and during the first scan of a big tree. Real processes,
// real terminals (tmux).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BIN, buildOnce } from './helpers/cli-process.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { startTmux } from './helpers/tmux.js';

let dir: string;
let svc: FakeService;
const children: ChildProcess[] = [];
beforeAll(() => buildOnce(), 180_000);
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ahr-signals-'));
  await fs.mkdir(path.join(dir, 'server'));
  await fs.writeFile(path.join(dir, 'server', 'app.js'), 'export default 1;\n');
  svc = await startFakeService({ dialect: 'v1' });
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await svc.close();
  await fs.rm(dir, { recursive: true, force: true });
});

function startCli(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, NO_COLOR: '1', CI: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, at: performance.now() })),
  );
  const waitFor = async (re: RegExp, ms = 15_000) => {
    const end = performance.now() + ms;
    while (!re.test(out) && performance.now() < end) await new Promise((r) => setTimeout(r, 25));
    if (!re.test(out)) throw new Error(`timed out waiting for ${re}\nstdout: ${out}\nstderr: ${err}`);
  };
  return { child, exit, waitFor, out: () => out, err: () => err };
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
async function until(pred: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    if (await pred()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return pred();
}

describe('SIGHUP is a quit, like SIGINT', () => {
  it('headless watch: the quit path runs (the pending change is named) and the exit code is 0', async () => {
    const cli = startCli(['--watch', '--no-tui', '--api-url', svc.url, '--dir', 'server', '--cooldown', '30', '--log-dir', path.join(dir, 'logs')]);
    await cli.waitFor(/watching 1 file/);
    await fs.writeFile(path.join(dir, 'server', 'app.js'), 'export default 2;\n');
    await cli.waitFor(/reload #1/);
    await fs.writeFile(path.join(dir, 'server', 'b.js'), 'export default 3;\n'); // in the 30 s cooldown
    await cli.waitFor(/changed: server\/b\.js/);
    const t0 = performance.now();
    cli.child.kill('SIGHUP');
    const e = await cli.exit;
    expect({ code: e.code, signal: e.signal }).toEqual({ code: 0, signal: null });
    expect(e.at - t0).toBeLessThan(2000);
    expect(cli.err()).toContain('1 change was pending and not reloaded: server/b.js');
  }, 30_000);

  it('demo in a terminal that is closed: the client quits and stops the service', async () => {
    const term = await startTmux([process.execPath, BIN, 'demo', '--port', '0'], { cwd: tmpdir(), cols: 80, rows: 24 });
    let port = 0;
    let pid = 0;
    try {
      const screen = await term.waitFor(/● connected/, 20_000, 'the demo connected');
      port = Number(/^auto-hot-reload {2}http:\/\/127\.0\.0\.1:(\d+)/m.exec(screen)?.[1]);
      pid = Number(/ · pid (\d+) · /.exec(screen)?.[1]);
      expect(port).toBeGreaterThan(0);
      expect(alive(pid)).toBe(true);
    } finally {
      await term.kill(); // the terminal goes away: SIGHUP to the client
    }
    expect(await until(async () => !alive(pid) && !(await portOpen(port)), 5000)).toBe(true);
  }, 40_000);
});

describe('a quit signal ends the CLI within 2 s at any time', () => {
  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    it(`the TUI in a terminal, ${signal}: exits 0 and gives the terminal back`, async () => {
      const marker = path.join(dir, `logs-${signal}`);
      const term = await startTmux([process.execPath, BIN, '--api-url', svc.url, '--dir', 'server', '--log-dir', marker], { cwd: dir, cols: 80, rows: 24 });
      try {
        await term.waitFor(/watching · 1 file/, 20_000, 'the TUI watching');
        const pid = Number(execFileSync('pgrep', ['-f', `^${process.execPath} ${BIN} .*log-dir ${marker}$`]).toString().trim().split('\n')[0]);
        expect(pid).toBeGreaterThan(0);
        const t0 = performance.now();
        process.kill(pid, signal);
        expect(await until(() => !alive(pid), 2000)).toBe(true);
        expect(performance.now() - t0).toBeLessThan(2500);
        expect(await term.waitForExit(2000)).toEqual({ exited: true, status: 0 });
        expect(await until(async () => (await term.display('#{cursor_flag}')) === '1', 3000)).toBe(true); // the cursor shows again
      } finally {
        await term.kill();
      }
    }, 40_000);
  }

  it('SIGTERM during the first scan of a big tree', async () => {
    // a tree that takes the watcher seconds to scan: /usr (read only; thousands of folders)
    const cli = startCli(['--watch', '--no-tui', '--api-url', svc.url, '--dir', '/usr', '--log-dir', path.join(dir, 'logs')]);
    // the engine polls the service once the watcher is created: from then on it scans
    expect(await until(() => svc.callsTo('status').length > 0, 10_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 200));
    expect(cli.out()).not.toMatch(/watching \d+ files/); // (still scanning)
    const t0 = performance.now();
    cli.child.kill('SIGTERM');
    const e = await cli.exit;
    expect(e.at - t0).toBeLessThan(2000);
    expect({ code: e.code, signal: e.signal }).toEqual({ code: 0, signal: null });
  }, 30_000);
});
