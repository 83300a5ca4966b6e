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
import { demoPackage, type DemoPackage } from '../scripts/demo-package.js';

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
    expect(screen).toMatch(/↺ rolled back\s+v2→v3↩v2\s+\S+\s+greeting\.js — verification fai…/);
    // the reason, file:line first, beneath it; the probe's body in the Verification panel
    expect(screen).toMatch(/^ {10}└ verification failed: probe:greeting \(expected 200, got 500\); rolled$/m);
    expect(screen).toMatch(/^ {2}✖ probe:greeting\s+expected 200, got 500 — \{"error":"internal error"\}$/m);
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

// Issue 15: the demo as a new user runs it (its own copy of the package, so edits stay out
// of the repo), NO_COLOR set: the starting line, the cause of a failed probe (its body, the
// service's own stack), the honest rollback question, every size, the exit summary.
describe('the demo tells the whole story, at 80×24, 60×20, 40×12 and 120×40', () => {
  let pkg: DemoPackage;
  let term: TmuxSession;
  let port = 0;
  const SGR_COLOR = /\u001b\[(?:[0-9;]*;)?(?:3[0-7]|9[0-7]|38;5;\d+)(?:;[0-9;]*)?m/;

  beforeAll(async () => {
    await buildOnce();
    pkg = demoPackage();
    term = await startTmux([process.execPath, pkg.bin, 'demo', '--port', '0'], { cwd: pkg.dir, cols: 80, rows: 24, env: { ...process.env, NO_COLOR: '1' } });
  }, 60_000);

  afterAll(async () => {
    await term?.kill();
    pkg?.cleanup();
  });

  it('says it is starting at once, then connects; NO_COLOR: no colour codes', async () => {
    await term.waitFor(/starting the demo service…|● connected/, 10_000, 'a first line');
    const first = await term.capture();
    // the service takes a while to say it serves: the screen is not blank meanwhile
    if (!first.includes('● connected')) expect(first).toContain('auto-hot-reload demo: starting the demo service…');
    const screen = await term.waitFor((s) => s.includes('● connected') && /watching · 8 files/.test(s), 20_000, 'connected');
    expect(screen).toMatch(/Service output o for all/);
    port = Number(/http:\/\/127\.0\.0\.1:(\d+)/.exec(screen)?.[1]);
    expect(await portOpen(port)).toBe(true);
    const colored = await term.capture({ ansi: true });
    expect(colored).not.toMatch(SGR_COLOR);
    expect(colored).toMatch(/\u001b\[1m/); // bold stays
  }, 40_000);

  it('a failed probe shows its body; o shows the stack the service printed; the error detail carries it', async () => {
    pkg.edit('server/routes/greeting.js', 'version: 1,', 'version: 3n,');
    const screen = await term.waitFor(/↺ rolled back\s+v1→v2↩v1/, 20_000, 'the rollback');
    expect(screen).toMatch(/^ {2}✖ probe:greeting\s+expected 200, got 500 — \{"error":"internal error"\}$/m);
    await term.sendKeys('o');
    const output = await term.waitFor(/^Service output \d+ lines/m, 5_000, 'the service output view');
    expect(output).toMatch(/┃ demo: GET \/api\/v1\/greeting failed: TypeError: Do not know how to\s*$/m);
    expect(output).toMatch(/┃ serialize a BigInt/);
    // its stack, wrapped at path separators: the file:line stays whole
    expect(output).toMatch(/┃\s+at sendJson \(/);
    expect(output).toMatch(/┃ +(?:\S*\/)?http\.js:\d+:\d+\)$/m);
    await term.sendKeys('Escape');
    await term.waitFor(/^Reloads \d+ attempt/m, 5_000, 'the main screen');
    await term.sendKeys('e');
    await term.waitFor((s) => /^› .*verification failed/m.test(s), 5_000, 'the error log');
    await term.sendKeys('Enter');
    const detail = await term.waitFor(/^output\s+/m, 5_000, 'the detail with the output');
    expect(detail).toMatch(/^body\s+\{"error":"internal error"\}$/m);
    expect(detail).toMatch(/Do not know how to/);
    await term.sendKeys('Escape');
    await term.waitFor(/^Error log/m, 5_000, 'the error log again');
    await term.sendKeys('Escape');
    await term.waitFor(/^Reloads \d+ attempt/m, 5_000, 'the main screen again');
  }, 40_000);

  it('r names the versions; q at the question cancels it and quits nothing', async () => {
    pkg.edit('server/routes/greeting.js', 'version: 3n,', 'version: 2,');
    await term.waitFor(/✔ ok\s+v1 → v3/, 20_000, 'a good reload');
    await term.sendKeys('r');
    await term.waitFor(/^Roll back v3 → v1\? y yes {2}n\/Esc no/m, 5_000, 'the question');
    await term.sendKeys('q');
    await term.waitFor(/q\/\^C quit\s*$/m, 5_000, 'the key line again');
    expect((await term.pane()).exited).toBe(false);
  }, 40_000);

  for (const [cols, rows] of [
    [60, 20],
    [40, 12],
  ] as const) {
    it(`${cols}×${rows}: the quit key and the connection state stay; no line wider than the pane`, async () => {
      await term.resize(cols, rows);
      const screen = await term.waitFor((s) => s.split('\n')[0].includes('● connected') && /q\/\^C quit\s*$/m.test(s) && !/.{81}/.test(s), 10_000, `the ${cols}×${rows} layout`);
      for (const line of screen.split('\n')) expect([...line].length).toBeLessThanOrEqual(cols);
      // the status as a glyph (the duration gone), the file by its name when its path does not fit
      expect(screen).toMatch(cols === 40 ? /^\d\d:\d\d:\d\d {2}✔ {2}v1 → v3 greeting\.js$/m : /^\d\d:\d\d:\d\d {2}✔ {2}v1 → v3 server\/routes\/greeting\.js$/m);
    }, 20_000);
  }

  it('120×40: the reload log is as wide as at 80 columns', async () => {
    await term.resize(120, 40);
    const screen = await term.waitFor(/Watch .*Reloads \d+ attempts/, 10_000, 'two columns');
    const title = screen.split('\n').find((l) => /Reloads \d+ attempts/.test(l))!;
    expect([...title.slice(title.indexOf('Reloads'))].length).toBeGreaterThanOrEqual(80);
    expect(screen).toMatch(/✔ ok\s+v1 → v3\s+\S+\s+server\/routes\/greeting\.js/);
    expect(screen).toMatch(/^Service output o for all/m); // rows to spare show the service's output
  }, 20_000);

  it('q quits with a one-line summary and stops the service', async () => {
    await term.resize(80, 24);
    await term.sendKeys('q');
    expect(await term.waitForExit(15_000)).toEqual({ exited: true, status: 0 });
    expect(await portOpen(port)).toBe(false); // the demo service stopped with it
    const screen = await term.capture();
    // the summary line, wrapped by the terminal at 80 columns
    expect(screen.replace(/\n/g, '')).toMatch(/auto-hot-reload: 2 reloads \(1 ok, 1 rolled back\) · 1 error in examples\/demo\/logs\/hot_reload_errors/);
  }, 30_000);
});
