// `auto-hot-reload dev FILE` and `demo` in a real terminal (tmux): the app starts under the
// agent, the TUI connects, an edit reloads, and closing the pane leaves no process behind.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { appDir, call, type AppDir } from './helpers/agent-fixture.js';
import { BIN, buildOnce } from './helpers/cli-process.js';
import { portOpen } from './helpers/net.js';
import { startTmux, type TmuxSession } from './helpers/tmux.js';

const terms: TmuxSession[] = [];
const apps: AppDir[] = [];
const pids: number[] = [];
beforeAll(() => buildOnce(), 120_000);
afterEach(async () => {
  for (const t of terms.splice(0)) await t.kill();
  for (const pid of pids.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
  for (const a of apps.splice(0)) a.cleanup();
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** every node process whose command line mentions `needle` (from /proc) */
function processesWith(needle: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.startsWith(`${process.execPath}\0`) && cmd.includes(needle)) out.push(Number(entry));
    } catch {
      /* gone */
    }
  }
  return out;
}

async function gone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return !alive(pid);
}

const SERVICE = /(http:\/\/127\.0\.0\.1:(\d+)).*?pid (\d+)/s;

describe('dev in a real terminal', () => {
  it('connects, reloads an edit, and closing the pane stops the app', async () => {
    const app = appDir(
      {
        'app.js': `const express = require('express');\nconst { word } = require('./lib/word');\nconst app = express();\napp.get('/', (q, s) => s.send(word));\napp.listen(process.env.PORT || 3000);\n`,
        'lib/word.js': `exports.word = 'one';\n`,
      },
      { nodeModules: true },
    );
    apps.push(app);
    const term = await startTmux([process.execPath, BIN, 'dev', 'app.js', '--port', '0'], { cwd: app.dir, cols: 100, rows: 30 });
    terms.push(term);
    const screen = await term.waitFor((s) => s.includes('● connected') && SERVICE.test(s), 30_000, 'connected, with the URL and pid');
    const [, base, , pidText] = SERVICE.exec(screen)!;
    const pid = Number(pidText);
    pids.push(pid);
    expect((await call(`${base}/`)).body).toBe('one');
    app.write('lib/word.js', `exports.word = 'two';\n`);
    await term.waitFor(/✔ ok\s+v1 → v2\s/, 20_000, 'a reload row "✔ ok v1 → v2"');
    expect((await call(`${base}/`)).body).toBe('two');
    const dev = processesWith(`${BIN}\0dev\0app.js`);
    expect(dev.length).toBe(1);
    // close the pane: the terminal hangs up
    await term.kill();
    expect(await gone(pid, 15_000)).toBe(true);
    expect(await gone(dev[0], 15_000)).toBe(true);
    expect(await portOpen(Number(new URL(base).port))).toBe(false);
  }, 90_000);
});

describe('demo in a real terminal', () => {
  it('closing its pane stops the demo service (no orphan on 8001)', async () => {
    const term = await startTmux([process.execPath, BIN, 'demo', '--port', '0'], { cwd: path.dirname(BIN), cols: 100, rows: 30 });
    terms.push(term);
    const screen = await term.waitFor((s) => s.includes('● connected') && SERVICE.test(s), 30_000, 'connected, with the URL and pid');
    const [, base, , pidText] = SERVICE.exec(screen)!;
    const pid = Number(pidText);
    pids.push(pid);
    await term.kill();
    expect(await gone(pid, 15_000)).toBe(true);
    expect(await portOpen(Number(new URL(base).port))).toBe(false);
  }, 90_000);
});
