// What the service has loaded (GET {prefix}/loaded) and saved files it has not
// (`not_loaded` in the reload result): real agent, real files, real HTTP.
import { afterEach, describe, expect, it } from 'vitest';
import { notLoaded, reloadCheck } from '../src/engine/checks.js';
import { appDir, call, PREFIX, serveInProcess, type AppDir, type Served } from './helpers/agent-fixture.js';

const apps: AppDir[] = [];
const served: Served[] = [];
afterEach(async () => {
  await Promise.all(served.splice(0).map((s) => s.close()));
  for (const a of apps.splice(0)) a.cleanup();
});

async function start() {
  const app = appDir({
    'app.js': `import { readFileSync } from 'node:fs';\nimport { w } from './lib/w.js';\nconst cfg = readFileSync(new URL('./config.yml', import.meta.url), 'utf8');\nexport default (q, s) => s.end(w + cfg);\n`,
    'lib/w.js': `export const w = 'a';\n`,
    'config.yml': `x: 1\n`,
  });
  apps.push(app);
  const s = await serveInProcess({ entry: app.path('app.js'), root: app.dir, prewarm: false });
  served.push(s);
  return { app, s };
}

describe('GET {prefix}/loaded', () => {
  it('lists the local module files the active version loaded, with the root', async () => {
    const { app, s } = await start();
    const r = await call(`${s.base}${PREFIX}/loaded`);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ success: true, root: app.dir, files: [app.path('app.js'), app.path('lib/w.js')] });
  });
});

describe('saved files the service never loaded', () => {
  it('are named in not_loaded and the message, instead of "nothing changed"', async () => {
    const { app, s } = await start();
    app.write('config.yml', 'x: 2\n');
    const r = await call(`${s.base}${PREFIX}/reload-all`, { method: 'POST', body: { files: ['config.yml'] } });
    expect(r.body).toMatchObject({ success: true, activated: false, reloaded_modules: [], not_loaded: ['config.yml'] });
    expect(r.body.message).toBe('not loaded by the service: config.yml; version 1 still serving');
    // a loaded file among the hints is reloaded; the other is still named
    app.write('lib/w.js', `export const w = 'b';\n`);
    const both = await call(`${s.base}${PREFIX}/reload-all`, { method: 'POST', body: { files: ['lib/w.js', 'config.yml'] } });
    expect(both.body).toMatchObject({ activated: true, reloaded_modules: ['app.js', 'lib/w.js'], not_loaded: ['config.yml'] });
    // a reload without unmatched hints has no field at all
    const none = await call(`${s.base}${PREFIX}/reload-all`, { method: 'POST', body: {} });
    expect(none.body).not.toHaveProperty('not_loaded');
    expect(none.body.message).toBe('nothing changed');
  });

  it('the client says so in the reload check and the summary', () => {
    const r = { success: true, message: 'version 2 active (1 module reloaded)', reloaded_modules: ['a.js'], failed_modules: [], not_loaded: ['config.yml', 'views/x.html'] };
    expect(reloadCheck(r).detail).toBe('version 2 active (1 module reloaded) (a.js); not loaded by the service: config.yml, views/x.html');
    expect(notLoaded({ ...r, message: 'not loaded by the service: config.yml' }, 'not loaded by the service: config.yml')).toBe('');
    expect(notLoaded({ ...r, not_loaded: undefined })).toBe('');
  });
});
