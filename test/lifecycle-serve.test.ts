// Module lifecycle seen from outside: a real `serve` process and the real CLI.
// Needs the build (`npm test` builds first; alone: `npx tsc -p tsconfig.json`).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appDir, call, REPO, startServe, type AppDir, type ServeProcess } from './helpers/agent-fixture.js';

const apps: AppDir[] = [];
const procs: ServeProcess[] = [];
afterEach(async () => {
  for (const p of procs.splice(0)) await p.stop();
  for (const a of apps.splice(0)) a.cleanup();
});

async function serve(files: Record<string, string>, entry: string, extra: string[] = []) {
  const app = appDir(files, { nodeModules: true });
  apps.push(app);
  const p = await startServe([app.path(entry), ...extra]);
  procs.push(p);
  return { app, p };
}

function cli(args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
  const proc = spawn(process.execPath, [join(REPO, 'bin/auto-hot-reload.js'), ...args], {
    cwd,
    env: { ...process.env, HOT_RELOAD_TOKEN: '', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 15_000,
  });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (out += d));
  return new Promise((ok) => proc.on('close', (code) => ok({ code, out })));
}

describe('the leak report', () => {
  it('says what a reload left not released, in the agent log, the headless output and --json', async () => {
    // a module that listens on its own port at top level: nothing can release a server
    const side = (n: number) => `import { createServer } from 'node:net';\ncreateServer().listen(0, '127.0.0.1');\nexport const n = ${n};\n`;
    const { app, p } = await serve(
      { 'app.js': `import { n } from './side.js';\nexport default (q, s) => s.end(String(n));\n`, 'side.js': side(1) },
      'app.js',
    );
    app.write('side.js', side(2));
    const lines = await cli(['--trigger', '--no-verify', '--api-url', p.base], app.dir);
    expect(lines.code).toBe(0);
    expect(lines.out).toContain('⚠ version 1 left 1 TCPServerWrap not released');
    app.write('side.js', side(3));
    const json = await cli(['--trigger', '--no-verify', '--json', '--api-url', p.base], app.dir);
    const result = json.out.trim().split('\n').map((l) => JSON.parse(l)).find((o) => o.type === 'result');
    expect(result).toMatchObject({ ok: true, notReleased: 'version 2 left 1 TCPServerWrap not released' });
    expect(p.output()).toContain('auto-hot-reload agent: version 2 active in');
    expect(p.output()).toMatch(/version 3 active in [\d.]+ ms \(2 modules: \S*app\.js, \S*side\.js\); version 2 left 1 TCPServerWrap not released\n/);
    expect((await call(`${p.base}/`)).body).toBe(3);
  });
});
