// The CLI as the acceptance review used it: load errors with their location, checks
// printed once, negative flag values, bounded server text, and what the CLI says when it
// prints lines on a terminal, quits with changes pending, or meets a service without a
// status endpoint. Real CLI processes, a real `serve`, real terminals (tmux).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readErrorLog } from '../src/engine/errorlog.js';
import { appDir, startServe, type AppDir, type ServeProcess } from './helpers/agent-fixture.js';
import { BIN, buildOnce, runCliProcess, type CliRun } from './helpers/cli-process.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';
import { startTmux, type TmuxSession } from './helpers/tmux.js';

let tmp: string;
let svc: FakeService | undefined;

beforeAll(() => buildOnce(), 120_000);
beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'ahr-cli-polish-'));
  await mkdir(path.join(tmp, 'src'));
});
afterEach(async () => {
  await svc?.close();
  svc = undefined;
  await rm(tmp, { recursive: true, force: true });
});

const cli = (args: string[], cwd = tmp) => runCliProcess(args, { cwd });

async function fake(config: Record<string, unknown> = {}) {
  svc = await startFakeService({ dialect: 'v1' });
  await writeFile(path.join(tmp, 'hot-reload.config.json'), JSON.stringify({ apiUrl: svc.url, ...config }));
  return svc;
}

/** A watch-mode CLI process whose stdout and stderr can be waited on while it runs. */
function watchProcess(args: string[]) {
  let stdout = '';
  let stderr = '';
  let child: { kill(sig: NodeJS.Signals): boolean } | undefined;
  const done: Promise<CliRun> = runCliProcess(args, {
    cwd: tmp,
    onSpawn: (c) => {
      child = c;
      c.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
      c.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    },
  });
  const waitFor = async (pred: (out: string) => boolean, what: string) => {
    for (let i = 0; i < 200 && !pred(stdout); i++) await new Promise((r) => setTimeout(r, 25));
    if (!pred(stdout)) throw new Error(`timed out waiting for ${what}; stdout:\n${stdout}\nstderr:\n${stderr}`);
  };
  return { done, waitFor, kill: (sig: NodeJS.Signals) => child?.kill(sig) };
}

describe('a reload that fails to load names where', () => {
  let app: AppDir;
  let serve: ServeProcess;
  const GOOD = "export function greeting() {\n  return 'hello';\n}\n";
  beforeEach(async () => {
    app = appDir({
      'server/app.js': "import { greeting } from './routes/greeting.js';\nexport default (req, res) => res.end(greeting());\n",
      'server/routes/greeting.js': GOOD,
    });
    serve = await startServe([app.path('server/app.js')]);
    await writeFile(path.join(app.dir, 'hot-reload.config.json'), JSON.stringify({ apiUrl: serve.base, dirs: ['server'] }));
  });
  afterEach(async () => {
    await serve.stop();
    app.cleanup();
  });

  it('file:line:column in the human line, the code frame beneath it, error in --json and in the error log', async () => {
    app.write('server/routes/greeting.js', "export function greeting() {\n  return 'hello' +;\n}\n");
    const human = await cli(['--trigger'], app.dir);
    expect(human.code).toBe(1);
    const lines = human.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^✖ trigger: reload failed: SyntaxError: Unexpected ";" \(server\/routes\/greeting\.js:2:19\) · version 1 in \d+ ms$/);
    // the code frame the agent sent: the line and a caret under the column, bounded
    expect(lines.slice(1)).toEqual(["      return 'hello' +;", '                      ^']);

    const json = await cli(['--trigger', '--json'], app.dir);
    expect(json.code).toBe(1);
    const j = JSON.parse(json.stdout) as { message: string; error: { message: string; file: string; line: number; column: number; stack: string } };
    expect(j.message).toBe('reload failed: SyntaxError: Unexpected ";" (server/routes/greeting.js:2:19)');
    expect(j.error).toMatchObject({ message: 'SyntaxError: Unexpected ";"', line: 2, column: 19 });
    expect(j.error.file.endsWith('/server/routes/greeting.js')).toBe(true);
    expect(j.error.stack).toContain("return 'hello' +;");

    const log = await readErrorLog(path.join(app.dir, 'logs', 'hot_reload_errors'));
    expect(log).toHaveLength(2);
    for (const entry of log) {
      expect(entry.kind).toBe('reload');
      expect(entry.detail).toMatchObject({ line: 2, column: 19 });
      expect(String(entry.detail?.file)).toMatch(/\/server\/routes\/greeting\.js$/);
      expect(String(entry.detail?.stack)).toContain("return 'hello' +;");
    }
  }, 30_000);
});

describe('one-shot output', () => {
  it('--rollback prints each check once', async () => {
    const s = await fake();
    expect((await cli(['--trigger'])).code).toBe(0);
    const r = await cli(['--rollback']);
    expect(r.code).toBe(0);
    expect(s.state.version).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.filter((l) => /✔ health — /.test(l))).toHaveLength(1);
    expect(lines.filter((l) => /✔ server:smoke — /.test(l))).toHaveLength(1);
    expect(lines[0]).toBe('↩ rolled back to version 1');
    expect(lines[1]).toBe('after the rollback:');
    expect(lines[lines.length - 1]).toMatch(/^✔ rollback: rolled back to version 1, verified in \d+ ms$/);
  });

  it('a negative number after a flag is its value, and the config names what is wrong with it (exit 2)', async () => {
    await fake();
    const cooldown = await cli(['--trigger', '--cooldown', '-1']);
    expect([cooldown.code, cooldown.stderr]).toEqual([2, 'auto-hot-reload: --cooldown: -1 is negative (expected a number ≥ 0, e.g. 5)\n']);
    const parallel = await cli(['--trigger', '--parallel', '-2']);
    expect([parallel.code, parallel.stderr]).toEqual([2, 'auto-hot-reload: --parallel: -2 is not positive (expected a positive integer, e.g. 4)\n']);
    const missing = await cli(['--trigger', '--cooldown']);
    expect([missing.code, missing.stderr]).toEqual([2, 'auto-hot-reload: --cooldown needs a value (see auto-hot-reload --help)\n']);
  });

  it("a reload answering a 3,000-character message stays bounded (the message is cut with '…')", async () => {
    const s = await fake();
    s.script('reload', { do: 'http', status: 200, body: { success: false, message: 'x'.repeat(3000) } });
    const r = await cli(['--trigger', '--json']);
    expect(r.code).toBe(1);
    expect(r.stdout.length).toBeLessThan(2500);
    const j = JSON.parse(r.stdout) as { message: string; steps: { detail: string }[] };
    expect(j.message).toBe(`reload failed: ${'x'.repeat(499)}…`);
    expect(j.steps[1].detail).toBe(`${'x'.repeat(499)}…`);
  });

  it('a rolled-back reload names the version that failed: version 1 → 2 ↩ 1', async () => {
    const s = await fake();
    s.script('reload', { do: 'activate-broken' });
    const human = await cli(['--trigger']);
    expect(human.code).toBe(1);
    expect(human.stdout.trimEnd().split('\n').pop()).toMatch(/^✖ trigger: verification failed: .*; rolled back to version 1 · version 1 → 2 ↩ 1 in \d+ ms$/);
    s.script('reload', { do: 'activate-broken' });
    const json = JSON.parse((await cli(['--trigger', '--json'])).stdout) as Record<string, unknown>;
    // version 2 was used up by the first attempt: this one activated 3
    expect(json).toMatchObject({ outcome: 'rolled-back', versionBefore: 1, versionActivated: 3, versionAfter: 1 });
  });
});

describe('watch mode tells what it does', () => {
  it('a status endpoint that answers 404: "connected (no status endpoint)", then one warning with the fix', async () => {
    const s = await fake({ cooldown: 0 });
    s.script('status', { do: 'http', status: 404, body: { detail: 'Not Found' } }, { times: Infinity });
    const w = watchProcess(['--no-tui']);
    await w.waitFor((out) => out.includes('answered 404'), 'the 404 warning');
    // a second poll (every 2 s) must not repeat the warning
    await w.waitFor((out) => s.callsTo('status').length >= 2, 'a second status poll');
    w.kill('SIGINT');
    const r = await w.done;
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    const connected = lines.findIndex((l) => l.startsWith('✔ connected'));
    const warning = lines.findIndex((l) => l.includes('answered 404'));
    expect(lines[connected]).toBe('✔ connected (no status endpoint): default');
    expect(warning).toBe(connected + 1);
    expect(lines[warning]).toBe(
      `⚠ ${s.url}/api/v1/hot-reload/status answered 404 — connected without a hot-reload status endpoint (no versions, no restart detection); install the agent, or set "endpoints.status" in the config`,
    );
    expect(lines.filter((l) => l.includes('answered 404'))).toHaveLength(1);
  }, 20_000);

  it('Ctrl+C inside the cooldown names the changes that were not reloaded', async () => {
    const s = await fake({ cooldown: 30 });
    const w = watchProcess(['--no-tui']);
    await w.waitFor((out) => out.includes('● watching'), 'watching');
    await writeFile(path.join(tmp, 'src', 'a.js'), 'export default 1;');
    await w.waitFor((out) => out.includes('✔ trigger:'), 'the first reload');
    // one after the other: two files written at once may be reported in either order
    await writeFile(path.join(tmp, 'src', 'b.js'), 'export default 2;');
    await w.waitFor((out) => out.includes('changed: src/b.js'), 'b.js pending');
    await writeFile(path.join(tmp, 'src', 'c.js'), 'export default 3;');
    await w.waitFor((out) => out.includes('changed: src/c.js'), 'c.js pending');
    w.kill('SIGINT');
    const r = await w.done;
    expect(r.code).toBe(0);
    expect(s.callsTo('reload')).toHaveLength(1);
    expect(r.stderr).toBe('⚠ 2 changes were pending and not reloaded: src/b.js, src/c.js (run auto-hot-reload --trigger to reload them)\n');
  }, 20_000);

  it('quitting with nothing pending says nothing more', async () => {
    await fake({ cooldown: 30 });
    const w = watchProcess(['--no-tui']);
    await w.waitFor((out) => out.includes('● watching'), 'watching');
    w.kill('SIGINT');
    const r = await w.done;
    expect([r.code, r.stderr]).toEqual([0, '']);
  }, 20_000);
});

describe('in a real terminal', () => {
  let term: TmuxSession | undefined;
  afterEach(async () => {
    await term?.kill();
    term = undefined;
  });

  it('stdin not a terminal: lines, with one line saying why', async () => {
    const s = await fake({ cooldown: 0 });
    const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} </dev/null`;
    term = await startTmux(['sh', '-c', cmd], { cwd: tmp, cols: 120, env: { ...process.env, NO_COLOR: '1' } });
    const screen = await term.waitFor((x) => x.includes('● watching') && x.includes('✔ connected'), 15_000, 'lines');
    const lines = screen.split('\n');
    expect(lines.filter((l) => l.includes('stdin is not a terminal'))).toEqual(['auto-hot-reload: stdin is not a terminal; printing lines (use --no-tui to silence this)']);
    expect(s.callsTo('status').length).toBeGreaterThan(0);
  }, 30_000);

  it('--no-tui on a terminal prints lines without the notice', async () => {
    await fake({ cooldown: 0 });
    term = await startTmux([process.execPath, BIN, '--no-tui'], { cwd: tmp, cols: 120, env: { ...process.env, NO_COLOR: '1' } });
    const screen = await term.waitFor((x) => x.includes('● watching') && x.includes('✔ connected'), 15_000, 'lines');
    expect(screen).not.toContain('stdin is not a terminal');
  }, 30_000);

  it('q in the TUI with changes pending: the notice follows the restored screen', async () => {
    const s = await fake({ cooldown: 30 });
    term = await startTmux([process.execPath, BIN], { cwd: tmp, cols: 100, rows: 30, env: { ...process.env, NO_COLOR: '1' } });
    await term.waitFor((x) => /watching · \d+ files?/.test(x), 15_000, 'the TUI watching');
    await writeFile(path.join(tmp, 'src', 'a.js'), 'export default 1;');
    for (let i = 0; i < 200 && s.callsTo('reload').length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(s.callsTo('reload')).toHaveLength(1);
    await term.waitFor(/✔ ok/, 15_000, 'the first reload');
    await writeFile(path.join(tmp, 'src', 'b.js'), 'export default 2;');
    await term.waitFor((x) => x.includes('b.js') && /pending|reload in/.test(x), 15_000, 'b.js pending');
    await term.sendKeys('q');
    expect((await term.waitForExit()).status).toBe(0);
    const screen = await term.capture();
    expect(screen).toContain('⚠ 1 change was pending and not reloaded: src/b.js (run auto-hot-reload --trigger to reload it)');
    expect(s.callsTo('reload')).toHaveLength(1);
  }, 40_000);
});
