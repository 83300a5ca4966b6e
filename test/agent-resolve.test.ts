// Resolution as Node does it, in the layouts people write: package `imports`, tsconfig
// `paths`, an npm-workspaces monorepo, a dual package's `exports` conditions, and a real
// third-party package edited in node_modules (reported, never "nothing changed").
import { cpSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce, runCliProcess } from './helpers/cli-process.js';
import { appDir, call, PREFIX, REPO, serveInProcess, startServe, type AppDir, type Served, type ServeProcess } from './helpers/agent-fixture.js';

let app: AppDir;
let served: Served | undefined;
let proc: ServeProcess | undefined;
let base = '';

async function start(files: Record<string, string>, entry: string, root = '') {
  app = appDir(files);
  served = await serveInProcess({ entry: app.path(entry), root: app.path(root) });
  base = served.base;
}
const reload = (body: unknown = {}) => call(`${base}${PREFIX}/reload-all`, { method: 'POST', body });
const get = (path = '/') => call(`${base}${path}`);

afterEach(async () => {
  await served?.close();
  await proc?.stop();
  served = proc = undefined;
  app?.cleanup();
});

const word = (w: string) => `export const word = () => '${w}';\n`;

describe('resolution as Node does it', () => {
  it('loads and reloads a module reached through package.json "imports" (#lib/…)', async () => {
    await start(
      {
        'package.json': JSON.stringify({ name: 'app', type: 'module', imports: { '#lib/*': './lib/*' } }),
        'app.js': `import { word } from '#lib/greet.js';\nexport default (req, res) => res.end(word());\n`,
        'lib/greet.js': word('hello'),
        'lib2/greet.js': word('from lib2'),
      },
      'app.js',
    );
    expect((await get()).body).toBe('hello');
    app.write('lib/greet.js', word('bonjour'));
    const r = await reload({ files: ['lib/greet.js'] });
    expect(r.body).toMatchObject({ success: true, activated: true, version: 2 });
    expect([...r.body.reloaded_modules].sort()).toEqual(['app.js', 'lib/greet.js']);
    expect(r.body.not_reloadable).toBeUndefined();
    expect((await get()).body).toBe('bonjour');

    // the map itself changes: the cached resolution is dropped and the importer follows
    app.write('package.json', JSON.stringify({ name: 'app', type: 'module', imports: { '#lib/*': './lib2/*' } }));
    const moved = await reload({ files: ['package.json'] });
    expect(moved.body).toMatchObject({ success: true, activated: true, version: 3 });
    expect([...moved.body.reloaded_modules].sort()).toEqual(['app.js', 'lib2/greet.js']);
    expect((await get()).body).toBe('from lib2');
  });

  it('follows tsconfig "paths" and "baseUrl" (from an extended config) to TypeScript sources', async () => {
    await start(
      {
        'package.json': JSON.stringify({ name: 'app' }),
        'tsconfig.json': `{\n  // comments are fine\n  "extends": "./tsconfig.base.json",\n}\n`,
        'tsconfig.base.json': JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@lib/*': ['src/lib/*'] } } }),
        'src/app.ts': `import { word } from '@lib/greet';\nimport { other } from 'src/lib/other.js';\nexport default (req: unknown, res: { end(s: string): void }) => res.end(word() + '+' + other);\n`,
        'src/lib/greet.ts': word('hello'),
        'src/lib/other.ts': `export const other: string = 'base';\n`,
      },
      'src/app.ts',
    );
    expect((await get()).body).toBe('hello+base');
    app.write('src/lib/greet.ts', word('hallo'));
    const r = await reload();
    expect(r.body).toMatchObject({ success: true, activated: true });
    expect([...r.body.reloaded_modules].sort()).toEqual(['src/app.ts', 'src/lib/greet.ts']);
    expect((await get()).body).toBe('hallo+base');
  });

  it('loads a workspace package linked into node_modules as local code, and reloads its edits', async () => {
    // npm's layout: the package is a symlink in the root node_modules; the agent runs in
    // the api package (as `npm run dev -w api` does), so shared/ is outside its root
    app = appDir({
      'package.json': JSON.stringify({ name: 'mono', private: true, workspaces: ['packages/*'] }),
      'packages/shared/package.json': JSON.stringify({ name: '@acme/shared', type: 'module', exports: { '.': './src/index.js' } }),
      'packages/shared/src/index.js': `export { word } from './word.js';\n`,
      'packages/shared/src/word.js': word('shared v1'),
      'packages/api/package.json': JSON.stringify({ name: '@acme/api', type: 'module', dependencies: { '@acme/shared': '*' } }),
      'packages/api/app.js': `import { word } from '@acme/shared';\nexport default (req, res) => res.end(word());\n`,
    });
    mkdirSync(app.path('node_modules/@acme'), { recursive: true });
    symlinkSync('../../packages/shared', app.path('node_modules/@acme/shared'), 'dir');
    symlinkSync('../../packages/api', app.path('node_modules/@acme/api'), 'dir');
    served = await serveInProcess({ entry: app.path('packages/api/app.js'), root: app.path('packages/api') });
    base = served.base;
    expect((await get()).body).toBe('shared v1');

    // no hint: the agent finds the edit itself among the modules it loaded (the list `dev` watches)
    app.write('packages/shared/src/word.js', word('shared v2'));
    const r = await reload();
    expect(r.body).toMatchObject({ success: true, activated: true, version: 2 });
    expect([...r.body.reloaded_modules].sort()).toEqual([
      app.path('packages/shared/src/index.js'),
      app.path('packages/shared/src/word.js'),
      'app.js',
    ]);
    expect((await get()).body).toBe('shared v2');
  });

  it('a pnpm workspace: a TypeScript package linked into the importing package\'s own node_modules', async () => {
    app = appDir({
      'pnpm-workspace.yaml': `packages:\n  - 'packages/*'\n`,
      'package.json': JSON.stringify({ name: 'mono', private: true }),
      'packages/shared/package.json': JSON.stringify({ name: '@acme/shared', type: 'module', exports: { '.': { import: './src/index.ts', require: './src/index.cts' } } }),
      'packages/shared/src/index.ts': `export const word = (): string => 'esm v1';\n`,
      'packages/shared/src/index.cts': `export const word = (): string => 'cjs';\n`,
      'packages/api/package.json': JSON.stringify({ name: '@acme/api', type: 'module' }),
      'packages/api/src/app.ts': `import { word } from '@acme/shared';\nexport default (req: unknown, res: { end(s: string): void }) => res.end(word());\n`,
    });
    mkdirSync(app.path('packages/api/node_modules/@acme'), { recursive: true });
    symlinkSync('../../../shared', app.path('packages/api/node_modules/@acme/shared'), 'dir');
    served = await serveInProcess({ entry: app.path('packages/api/src/app.ts'), root: app.path('packages/api') });
    base = served.base;
    expect((await get()).body).toBe('esm v1'); // the import condition: the module is ESM
    app.write('packages/shared/src/index.ts', `export const word = (): string => 'esm v2';\n`);
    const r = await reload();
    expect([...r.body.reloaded_modules].sort()).toEqual([app.path('packages/shared/src/index.ts'), 'src/app.ts']);
    expect((await get()).body).toBe('esm v2');
  });

  it('names the specifier, the importing file:line and what was tried when a specifier resolves to nothing', async () => {
    await start({ 'package.json': '{"type":"module"}', 'app.js': `export default (req, res) => res.end('ok');\n` }, 'app.js');
    app.write('app.js', `const x = 1;\nimport { nope } from './missing.js';\nexport default (req, res) => res.end(nope);\n`);
    const r = await reload();
    expect(r.body).toMatchObject({ success: false, activated: false, version: 1 });
    expect(r.body.error.message).toContain(`Cannot find module './missing.js' imported from ${app.path('app.js')}:2`);
    expect(r.body.error.message).toContain(`tried ${app.path('missing.js')} as is, with .ts`);
    expect(r.body.error).toMatchObject({ file: app.path('app.js'), line: 2 });

    app.write('app.js', `import x from '#nothing';\nexport default (req, res) => res.end(x);\n`);
    const imports = await reload();
    expect(imports.body.error.message).toContain(`Cannot find module '#nothing' imported from ${app.path('app.js')}:1`);
    expect(imports.body.error.message).toContain(`the "imports" of ${app.path('package.json')}`);
    expect((await get()).body).toBe('ok');
  });
});

// A dual package and two third-party packages that load it natively (one ESM, one CJS).
function dualPackage(dir: AppDir): void {
  dir.write('node_modules/dual/package.json', JSON.stringify({ name: 'dual', exports: { '.': { import: './esm/index.mjs', require: './cjs/index.cjs' } } }));
  dir.write('node_modules/dual/esm/index.mjs', `export default { build: 'import' };\n`);
  dir.write('node_modules/dual/cjs/index.cjs', `module.exports = { build: 'require' };\n`);
  dir.write('node_modules/esm-user/package.json', JSON.stringify({ name: 'esm-user', type: 'module', exports: './index.js' }));
  dir.write('node_modules/esm-user/index.js', `import dual from 'dual';\nexport default dual;\n`);
  dir.write('node_modules/cjs-user/package.json', JSON.stringify({ name: 'cjs-user', main: 'index.js' }));
  dir.write('node_modules/cjs-user/index.js', `module.exports = require('dual');\n`);
}

describe('conditions as Node applies them (a real serve process)', () => {
  it('gives an ESM import the import build and a require the require build: the instances plain node gives', async () => {
    app = appDir({
      'package.json': JSON.stringify({ name: 'app', type: 'module' }),
      'app.js': [
        `import dual from 'dual';`,
        `import viaEsm from 'esm-user';`,
        `import { fromRequire } from './legacy.cjs';`,
        `export default (req, res) => res.end(JSON.stringify({ import: dual.build, importSame: dual === viaEsm, ...fromRequire }));`,
        ``,
      ].join('\n'),
      'legacy.cjs': `const dual = require('dual');\nexports.fromRequire = { require: dual.build, requireSame: dual === require('cjs-user') };\n`,
    });
    dualPackage(app);
    proc = await startServe([app.path('app.js')]);
    base = proc.base;
    const expected = { import: 'import', importSame: true, require: 'require', requireSame: true };
    expect((await get()).body).toEqual(expected);

    // what `node` itself gives the same files, loaded natively
    const { execFileSync } = await import('node:child_process');
    const script = `import dual from 'dual'; import viaEsm from 'esm-user'; import { createRequire } from 'node:module';\n` +
      `const require = createRequire(import.meta.url); const d = require('dual');\n` +
      `console.log(JSON.stringify({ import: dual.build, importSame: dual === viaEsm, require: d.build, requireSame: d === require('cjs-user') }));\n`;
    app.write('plain.mjs', script);
    expect(JSON.parse(execFileSync(process.execPath, [app.path('plain.mjs')], { encoding: 'utf8' }))).toEqual(expected);
  });
});

describe('files Node loaded itself are reported, never "nothing changed"', () => {
  beforeAll(() => buildOnce(), 120_000);

  it('names an edited real third-party package file as not reloadable, with and without a hint', async () => {
    app = appDir({
      'package.json': JSON.stringify({ name: 'app', type: 'module' }),
      'app.js': `import ms from 'ms';\nimport { createRequire } from 'node:module';\nconst legacy = createRequire(import.meta.url)('./legacy.cjs');\nexport default (req, res) => res.end(String(ms('1s')) + legacy);\n`,
      'legacy.cjs': `module.exports = '+legacy';\n`,
    });
    cpSync(join(REPO, 'node_modules/ms'), app.path('node_modules/ms'), { recursive: true });
    proc = await startServe([app.path('app.js')]);
    base = proc.base;
    expect((await get()).body).toBe('1000+legacy');

    const nothing = await reload();
    expect(nothing.body).toMatchObject({ success: true, message: 'nothing changed', activated: false });
    expect(nothing.body.not_reloadable).toBeUndefined();

    app.write('node_modules/ms/index.js', `module.exports = () => 42;\n`);
    const hinted = await reload({ files: ['node_modules/ms/index.js'] });
    // `serve` runs with the repo as its root: files outside it are shown absolute
    const msFile = app.path('node_modules/ms/index.js');
    expect(hinted.body).toMatchObject({ success: true, activated: false, version: 1, not_reloadable: [msFile] });
    expect(hinted.body.message).toBe(`version 1 still serving; loaded by Node, not reloadable: ${msFile} (restart the process to run them)`);
    expect(hinted.body.message).not.toContain('nothing changed');

    // a file of the app that Node loaded itself (Node's own createRequire) is stale too
    app.write('legacy.cjs', `module.exports = '+legacy v2';\n`);
    const unhinted = await reload();
    expect([...unhinted.body.not_reloadable].sort()).toEqual([app.path('legacy.cjs'), msFile]);
    expect(unhinted.body.activated).toBe(false);
    expect((await get()).body).toBe('1000+legacy'); // honestly stale: what the answer said
    expect(proc.output()).toContain('loaded by Node, not reloadable: ');

    // stale until a restart: named again by a reload whose hints all name the agent's own modules
    app.write('app.js', `import ms from 'ms';\nimport { createRequire } from 'node:module';\nconst legacy = createRequire(import.meta.url)('./legacy.cjs');\nexport default (req, res) => res.end('v2 ' + ms('1s') + legacy);\n`);
    const local = await reload({ files: ['app.js'] });
    expect(local.body).toMatchObject({ success: true, activated: true, version: 2 });
    expect([...local.body.not_reloadable].sort()).toEqual([app.path('legacy.cjs'), msFile]);
    expect(local.body.message).toMatch(/^version 2 active \(1 module reloaded\); loaded by Node, not reloadable: /);
    expect((await get()).body).toBe('v2 1000+legacy');

    // the real client: a warning, not a success; --json carries the list
    const lines = await runCliProcess(['--trigger', '--no-verify', '--api-url', base], { cwd: app.dir });
    expect(lines.code).toBe(0);
    expect(lines.stdout).toContain(`⚠ trigger: reloaded 0 modules; loaded by Node, not reloadable: `);
    expect(lines.stdout).not.toContain('✔ trigger');
    const json = await runCliProcess(['--trigger', '--no-verify', '--api-url', base, '--json'], { cwd: app.dir });
    const result = JSON.parse(json.stdout.trim().split('\n').pop()!);
    expect(result).toMatchObject({ type: 'result', ok: true, outcome: 'ok' });
    expect([...result.notReloadable].sort()).toEqual([app.path('legacy.cjs'), msFile]);
  });
});
