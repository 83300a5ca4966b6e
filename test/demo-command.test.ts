// `auto-hot-reload demo` as a real child process, headless (--no-tui / --json): it starts
// the demo service, connects to it, and stopping the CLI stops the service too.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { demoPaths, parseDemoArgs, startDemoService } from '../src/cli/demo.js';
import { BIN, buildOnce } from './helpers/cli-process.js';
import { portOpen } from './helpers/net.js';

interface Running {
  child: ChildProcess;
  out(): string;
  err(): string;
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running: Running[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function startDemo(args: string[], cwd = tmpdir()): Running {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  delete env.API_BASE_URL;
  delete env.HOT_RELOAD_TOKEN;
  const child = spawn(process.execPath, [BIN, 'demo', ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
  const r: Running = {
    child,
    out: () => out,
    err: () => err,
    async waitFor(re, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = re.exec(out);
        if (m) return m;
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`no ${re} in the demo's output within ${timeoutMs} ms (exit ${child.exitCode})\nstdout: ${out}\nstderr: ${err}`);
        }
        await sleep(25);
      }
    },
    exited,
  };
  running.push(r);
  return r;
}

/** resolves when the CLI has exited, bounded: a hang is a failure */
async function exitOf(r: Running, timeoutMs = 10_000) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the demo did not exit within ${timeoutMs} ms\nstdout: ${r.out()}\nstderr: ${r.err()}`)), timeoutMs);
  });
  try {
    return await Promise.race([r.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(test: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

const SERVICE_LINE = /^demo service: http:\/\/127\.0\.0\.1:(\d+) \(pid (\d+)\) — edit \S+examples\/demo\/server and save to reload$/m;

beforeAll(async () => {
  await buildOnce();
}, 180_000);

afterEach(async () => {
  for (const r of running.splice(0)) {
    if (r.child.exitCode === null && r.child.signalCode === null) {
      r.child.kill('SIGKILL');
      await r.exited;
    }
  }
});

describe('demo arguments', () => {
  it('parses --port, --no-tui, --json and rejects what is not a port', () => {
    expect(parseDemoArgs([])).toEqual({ port: undefined, tui: true, json: false });
    expect(parseDemoArgs(['--port', '0', '--no-tui', '--json'])).toEqual({ port: 0, tui: false, json: true });
    expect(parseDemoArgs(['-h'])).toBe('help');
    expect(() => parseDemoArgs(['--port', 'abc'])).toThrow('--port: "abc" is not a port (expected a whole number 0..65535; 0 picks a free one)');
    expect(() => parseDemoArgs(['--port', '70000'])).toThrow('--port: "70000" is not a port');
    expect(() => parseDemoArgs(['--bogus'])).toThrow('unknown option --bogus (expected --port N, --no-tui, --json)');
    expect(() => parseDemoArgs(['--port'])).toThrow('--port needs a value');
  });

  it('a bad --port is exit 2 with the usage, and starts nothing', async () => {
    const r = startDemo(['--port=-1', '--no-tui']);
    expect(await exitOf(r)).toEqual({ code: 2, signal: null });
    expect(r.err()).toContain('auto-hot-reload demo: --port: "-1" is not a port');
    expect(r.err()).toContain('usage: auto-hot-reload demo [--port N] [--no-tui] [--json]');
    expect(r.out()).toBe('');
  });
});

describe('demo --no-tui', () => {
  it('serves, connects, and SIGINT stops both processes (from a cwd outside the package)', async () => {
    const r = startDemo(['--no-tui', '--port', '0']);
    const [, portText, pidText] = await r.waitFor(SERVICE_LINE);
    const port = Number(portText);
    const pid = Number(pidText);
    expect(port).toBeGreaterThan(0);
    await r.waitFor(/^✔ connected: default \(version 1\)$/m);
    await r.waitFor(/^● watching 8 files in server$/m);
    // the service is the demo, in the child whose pid was printed
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/greeting`, { signal: AbortSignal.timeout(5000) });
    expect(await res.json()).toEqual({ greeting: 'Hello from the demo!', version: 1, pid });

    r.child.kill('SIGINT');
    expect(await exitOf(r)).toEqual({ code: 0, signal: null });
    expect(r.out()).toMatch(/^demo service stopped$/m);
    expect(await portOpen(port)).toBe(false);
    expect(processAlive(pid)).toBe(false);
    expect(r.err()).not.toMatch(/^\s*at /m);
  }, 30_000);

  it('--json: one JSON object per line, the service first', async () => {
    const r = startDemo(['--json', '--port', '0']);
    await r.waitFor(/"type":"connection"/);
    const lines = r
      .out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const first = lines[0];
    expect(first).toEqual({ type: 'service', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), pid: expect.any(Number), file: 'examples/demo/server/app.js' });
    expect(lines).toContainEqual({ type: 'connection', target: 'default', state: 'connected', version: 1 });
    r.child.kill('SIGTERM');
    expect(await exitOf(r)).toEqual({ code: 0, signal: null });
    const port = Number(new URL(first.url as string).port);
    expect(await portOpen(port)).toBe(false);
    expect(processAlive(first.pid as number)).toBe(false);
  }, 30_000);

  it('without --port: 8001, or the next free port when 8001 is taken', async () => {
    // hold 8001 (if someone else already holds it, the demo must skip it all the same)
    const blocker: Server = createServer();
    const held = await new Promise<boolean>((resolve) => {
      blocker.once('error', () => resolve(false));
      blocker.listen(8001, '127.0.0.1', () => resolve(true));
    });
    try {
      const r = startDemo(['--no-tui']);
      const [, portText] = await r.waitFor(SERVICE_LINE);
      const port = Number(portText);
      expect(port).toBeGreaterThan(8001);
      expect(port).toBeLessThanOrEqual(8020);
      await r.waitFor(new RegExp(`^✔ connected: default \\(version 1\\)$`, 'm'));
      r.child.kill('SIGINT');
      expect((await exitOf(r)).code).toBe(0);
      expect(await portOpen(port)).toBe(false);
    } finally {
      if (held) await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  }, 30_000);

  it('an explicit --port that is taken: exit 2, says so, leaves nothing running', async () => {
    const blocker = createHttpServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = startDemo(['--no-tui', '--port', String(port)]);
      expect(await exitOf(r, 15_000)).toEqual({ code: 2, signal: null });
      expect(r.err()).toContain(`auto-hot-reload demo: port ${port} on 127.0.0.1 is already in use (pick another with --port N; 0 picks a free one)`);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  }, 30_000);

  it('the service dying is reported as a state; the CLI keeps running until stopped', async () => {
    const r = startDemo(['--no-tui', '--port', '0']);
    const [, portText, pidText] = await r.waitFor(SERVICE_LINE);
    await r.waitFor(/^✔ connected: default/m);
    process.kill(Number(pidText), 'SIGKILL');
    await r.waitFor(new RegExp(`^⚠ the demo service \\(pid ${pidText}\\) was killed by SIGKILL; restart with npm start$`, 'm'));
    await r.waitFor(/^✖ connection lost: default — /m);
    expect(r.child.exitCode).toBeNull();
    r.child.kill('SIGINT');
    expect(await exitOf(r)).toEqual({ code: 0, signal: null });
    expect(r.err()).toContain('auto-hot-reload demo: the demo service had stopped; its last output:');
    expect(r.err()).toContain(`serving examples/demo/server/app.js on http://127.0.0.1:${portText}`);
    expect(r.err()).not.toMatch(/^\s*at /m);
  }, 30_000);
});

describe('a demo service that dies before it serves', () => {
  it('is a clear message with its output and exit code 3', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ahr-demo-broken-'));
    try {
      const app = path.join(dir, 'app.js');
      writeFileSync(app, "throw new Error('broken on purpose');\n");
      const failure = await startDemoService({ ...demoPaths(), app }, 0).then(
        (s) => s.stop().then(() => new Error('it started')),
        (e: unknown) => e,
      );
      expect(failure).toMatchObject({ exitCode: 3 });
      const message = (failure as Error).message;
      expect(message).toMatch(/^the demo service exited before it was ready \(exit code 1\):\n/);
      expect(message).toContain('broken on purpose');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);
});
