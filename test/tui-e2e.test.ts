// The TUI end to end, as a person sees it: the real CLI in a real terminal (tmux, 80×24)
// against a real `serve` process running a copy of the demo. A good edit reloads; an
// edit that loads but fails a probe is rolled back; `q` quits cleanly.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startServe, type ServeProcess } from './helpers/agent-fixture.js';
import { BIN, buildOnce, REPO } from './helpers/cli-process.js';
import { startTmux, type TmuxSession } from './helpers/tmux.js';
import { portOpen } from './helpers/net.js';

/** a stack frame such as "    at foo (/x/y.js:1:2)" anywhere on the screen */
const STACK_FRAME = /^\s*at .+:\d+:\d+\)?\s*$/m;

describe('TUI in a real terminal against a real serve', () => {
  let dir: string;
  let serve: ServeProcess;
  let term: TmuxSession;
  const greetingFile = () => path.join(dir, 'server/routes/greeting.js');
  const editGreeting = (from: string, to: string) => {
    const text = readFileSync(greetingFile(), 'utf8');
    expect(text).toContain(from);
    writeFileSync(greetingFile(), text.replace(from, to));
  };

  beforeAll(async () => {
    await buildOnce();
    dir = mkdtempSync(path.join(tmpdir(), 'ahr-tui-e2e-'));
    cpSync(path.join(REPO, 'examples/demo'), dir, { recursive: true, filter: (src) => !src.split(path.sep).includes('logs') });
    serve = await startServe([path.join(dir, 'server/app.js')]);
    term = await startTmux([process.execPath, BIN, '--config', path.join(dir, 'hot-reload.config.json'), '--api-url', serve.base], {
      cwd: dir,
      cols: 80,
      rows: 24,
    });
  }, 120_000);

  afterAll(async () => {
    await term?.kill();
    await serve?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows the service connected and the watched files', async () => {
    const screen = await term.waitFor((s) => s.includes('● connected') && /watching · 8 files · server\//.test(s), 15_000, 'connected + 8 files');
    expect(screen).toContain(serve.base);
    expect(screen).toContain(`pid ${serve.pid}`);
    expect(screen).toMatch(/^v1 · /m);
    // 80×24: no line is wider than the pane
    for (const line of screen.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
  }, 30_000);

  it('a saved edit shows a successful reload, and the service answers with the new code', async () => {
    editGreeting("'Hello from the demo!'", "'Hello from tmux!'");
    const screen = await term.waitFor(/✔ ok\s+v1 → v2\s/, 20_000, 'a reload row "✔ ok v1 → v2"');
    expect(screen).toMatch(/✔ ok\s+v1 → v2\s+\S+\s+server\/routes\/greeting\.js/);
    expect(screen).toMatch(/Verification 8\/8 passed/);
    const answer = await call(`${serve.base}/api/v1/greeting`);
    expect(answer.body).toEqual({ greeting: 'Hello from tmux!', version: 1, pid: serve.pid });
  }, 30_000);

  it('an edit that loads but fails a probe shows the rollback', async () => {
    // a BigInt passes the in-process checks but cannot be JSON-encoded: the probe gets 500
    editGreeting('version: 1,', 'version: 3n,');
    // the row shows the version that failed (v3) and the one serving afterwards: v2 again
    const screen = await term.waitFor(/↺ rolled back\s+v2→v3↩v2\s/, 20_000, 'a reload row "↺ rolled back v2→v3↩v2"');
    expect(screen).toMatch(/↺ rolled back\s+v2→v3↩v2\s+\S+\s+server\/…\/greeting\.js — verific…/);
    expect(screen).toMatch(/^v2 · /m); // the header: version 2 serves again
    // the check that caused the rollback stays visible, then the re-verification in one line
    expect(screen).toMatch(/^Verification 7\/8 passed · rolled back ─+$/m);
    expect(screen).toMatch(/^ {2}✖ probe:greeting\s+expected 200, got 500/m);
    expect(screen).toMatch(/^ {2}↺ after rollback: 7\/7 passed$/m); // the reload check runs only the first time
    // the whole reason is in the error log: e, then Enter on the newest entry, Esc twice back
    await term.sendKeys('e');
    // Enter acts on the selected entry: wait until the list has loaded and one is selected
    await term.waitFor((s) => /^Error log \d+ entr/m.test(s) && /^› .*verification failed/m.test(s), 5_000, 'the error log with a selected entry');
    await term.sendKeys('Enter');
    const detail = await term.waitFor(/^message\s+verification failed/m, 5_000, 'the error detail');
    expect(detail).toMatch(/^message\s+verification failed: probe:greeting \(expected 200, got 500\)$/m);
    expect(detail).toMatch(/^files\s+server\/routes\/greeting\.js$/m);
    // a quick Esc Esc: both ESC bytes in one write (Ink reads them as one key) go back two screens
    await term.sendKeys('\u001b\u001b');
    await term.waitFor(/^Reloads \d+ attempts/m, 5_000, 'the main screen again');
    const answer = await call(`${serve.base}/api/v1/greeting`);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ greeting: 'Hello from tmux!', version: 1, pid: serve.pid });
  }, 30_000);

  it('re-lays out on resize: two columns at 120×34, one again at 80×24 without leftovers', async () => {
    await term.resize(120, 34);
    const wide = await term.waitFor(/Watch .*Reloads \d+ attempts/, 10_000, 'Watch and Reloads side by side');
    expect(wide.split('\n').length).toBeGreaterThanOrEqual(34);
    await term.resize(80, 24);
    const narrow = await term.waitFor((s) => /^Reloads \d+ attempts/m.test(s) && !/Watch .*Reloads/.test(s), 10_000, 'one column again');
    for (const line of narrow.split('\n')) expect([...line].length).toBeLessThanOrEqual(80);
    // every panel title once: no ghost of the wide frame left behind
    for (const title of [/^Watch /gm, /^Cooldown /gm, /^Reloads /gm, /^Verification /gm]) expect(narrow.match(title)).toHaveLength(1);
  }, 30_000);

  it('q quits: the process exits 0, no stack trace, the service keeps running', async () => {
    await term.sendKeys('q');
    const pane = await term.waitForExit(10_000);
    expect(pane).toEqual({ exited: true, status: 0 });
    const screen = await term.capture();
    expect(screen).not.toMatch(STACK_FRAME);
    expect(screen).not.toMatch(/unexpected error|Unhandled|TypeError|ReferenceError/);
    // the CLI does not own this service: quitting leaves it serving
    expect(serve.proc.exitCode).toBeNull();
    expect((await call(`${serve.base}/health`)).status).toBe(200);
  }, 20_000);
});

describe('demo command in a real terminal', () => {
  for (const [key, name] of [
    ['q', 'q'],
    ['C-c', 'Ctrl+C'],
  ] as const) {
    it(`the TUI shows the demo's real URL; ${name} quits, restores the terminal and stops the service`, async () => {
      await buildOnce();
      const term = await startTmux([process.execPath, BIN, 'demo', '--port', '0'], { cwd: tmpdir(), cols: 80, rows: 24 });
      try {
        const screen = await term.waitFor(/● connected/, 20_000, 'the demo connected');
        const m = /^auto-hot-reload {2}http:\/\/127\.0\.0\.1:(\d+) {2}● connected/m.exec(screen);
        expect(m).not.toBeNull();
        const port = Number(m![1]);
        const pid = Number(/ · pid (\d+) · /.exec(screen)?.[1]);
        expect(pid).toBeGreaterThan(0);
        expect(await portOpen(port)).toBe(true);
        await term.waitFor(/watching · 8 files · server\//, 10_000, 'the demo files watched');
        expect(await term.display('#{cursor_flag}')).toBe('0'); // Ink hides the cursor while it draws

        await term.sendKeys(key);
        expect(await term.waitForExit(15_000)).toEqual({ exited: true, status: 0 });
        expect(await portOpen(port)).toBe(false);
        expect(() => process.kill(pid, 0)).toThrow(); // the service process is gone
        // the terminal is given back: the cursor shows again (tmux may still be reading the pty)
        const deadline = Date.now() + 3000;
        let cursor = await term.display('#{cursor_flag}');
        while (cursor !== '1' && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
          cursor = await term.display('#{cursor_flag}');
        }
        expect(cursor).toBe('1');
        const after = await term.capture();
        expect(after).not.toMatch(STACK_FRAME);
      } finally {
        await term.kill();
      }
    }, 40_000);
  }
});
