// Terminal injection (issue 14): text from outside — a server's messages, a stack, a check's
// detail, a file name — reaches the headless output with its control characters made
// visible, never raw. The real CLI process against a real HTTP server; --json stays exact.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BIN, buildOnce, runCliProcess } from './helpers/cli-process.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';

// OSC 52 sets the clipboard, OSC 0 the title, CSI 2J clears the screen, a C1 CSI (U+009B)
// moves the cursor, U+202E reverses what follows
const OSC52 = '\u001b]52;c;cm0gLXJmIH4=\u0007';
const TITLE = '\u001b]0;pwned\u0007';
const CLEAR = '\u001b[2J\u001b[H';
const C1 = '\u009b1A';
const RLO = '\u202e';
const HOSTILE = `${OSC52}${TITLE}${CLEAR}${C1}${RLO}`;

/** any control character but newline (and the colour codes NO_COLOR already turned off) */
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

let dir: string;
let svc: FakeService;
beforeAll(() => buildOnce(), 180_000);
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ahr-inject-'));
  await fs.mkdir(path.join(dir, 'server'));
  await fs.writeFile(path.join(dir, 'server', 'app.js'), 'export default 1;\n');
  svc = await startFakeService({ dialect: 'v1' });
});
afterEach(async () => {
  await svc.close();
  await fs.rm(dir, { recursive: true, force: true });
});

describe('headless output shows control characters, never obeys them', () => {
  it('--trigger: a failed reload whose message, stack and file carry escape sequences', async () => {
    svc.script('reload', {
      do: 'http',
      status: 200,
      body: {
        success: false,
        message: `load failed ${HOSTILE}all checks passed`,
        reloaded_modules: [],
        failed_modules: [`server/${TITLE}x.js`],
        activated: false,
        error: { message: `boom ${HOSTILE}`, file: `server/${TITLE}x.js`, line: 3, stack: `Error: boom\n    at ${CLEAR}evil (server/x.js:3:1)\n${OSC52}` },
      },
    });
    const r = await runCliProcess(['--trigger', '--api-url', svc.url, '--log-dir', path.join(dir, 'logs')], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('load failed');
    expect(r.stdout).toContain('␛]52;c;cm0gLXJmIH4=␇'); // shown as pictures
    expect(r.stdout).toContain('\\u009b1A');
    expect(r.stdout).toContain('\\u202e');
    expect(r.stdout).not.toMatch(RAW);
    expect(r.stderr).not.toMatch(RAW);
  });

  it('--verify: check names and details from the server', async () => {
    svc.script('verify', { do: 'http', status: 200, body: { success: false, checks: { [`db${TITLE}`]: { ok: false, detail: `down ${HOSTILE}` } } } });
    const r = await runCliProcess(['--verify', '--api-url', svc.url, '--log-dir', path.join(dir, 'logs')], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('db␛]0;pwned␇ — down ␛]52;c;cm0gLXJmIH4=␇');
    expect(r.stdout).not.toMatch(RAW);
    expect(r.stderr).not.toMatch(RAW);
  });

  it('--json keeps the text exact (JSON-escaped)', async () => {
    svc.script('reload', { do: 'http', status: 200, body: { success: false, message: `bad ${HOSTILE}`, reloaded_modules: [], failed_modules: [], activated: false } });
    const r = await runCliProcess(['--trigger', '--json', '--api-url', svc.url, '--log-dir', path.join(dir, 'logs')], { cwd: dir });
    expect(r.stdout).not.toMatch(RAW); // JSON escapes them…
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!).message).toBe(`reload failed: bad ${HOSTILE}`); // …and they come back exact
  });

  it('watch lines: a file name with escape sequences', async () => {
    const child = spawn(process.execPath, [BIN, '--watch', '--no-tui', '--api-url', svc.url, '--dir', 'server', '--cooldown', '0', '--log-dir', path.join(dir, 'logs')], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1', CI: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const until = async (pred: () => boolean, what: string) => {
      for (let i = 0; i < 300 && !pred(); i++) await new Promise((r) => setTimeout(r, 50));
      if (!pred()) throw new Error(`timed out waiting for ${what}:\n${out}`);
    };
    try {
      await until(() => out.includes('watching'), 'ready');
      await fs.writeFile(path.join(dir, 'server', `${TITLE}${CLEAR}.js`), 'x');
      await until(() => /reload #1/.test(out) && /changed:/.test(out), 'the change and its reload');
    } finally {
      child.kill('SIGINT');
      await new Promise((r) => child.once('close', r));
    }
    expect(out).toContain('server/␛]0;pwned␇␛[2J␛[H.js');
    expect(out).not.toMatch(RAW);
  }, 30_000);
});
