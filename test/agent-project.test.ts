// Which files are the user's own (loaded and reloaded by the agent) and which module
// format a local file had before esbuild made it CommonJS: pure decisions on real dirs.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { transformSync } from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import { FormatDetector } from '../src/agent/loading/module-format.js';
import { pnpmPackages, Project } from '../src/agent/loading/project.js';
import { userConditions } from '../src/agent/loading/resolve.js';
import { IMPORT_META_PARAM } from '../src/agent/loading/transform.js';

let dir: string;
function tree(files: Record<string, string>): string {
  dir = mkdtempSync(join(tmpdir(), 'ahr-project-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});

describe('pnpm-workspace.yaml', () => {
  it('reads the packages list, block or flow, quoted or not, with comments', () => {
    expect(pnpmPackages(`# monorepo\npackages:\n  - 'packages/*'\n  - "apps/**" # apps\n\n  - tools\n  - '!**/test/**'\ncatalog:\n  react: ^19\n`)).toEqual([
      'packages/*',
      'apps/**',
      'tools',
      '!**/test/**',
    ]);
    expect(pnpmPackages(`packages: ['libs/*', "svc"]\n`)).toEqual(['libs/*', 'svc']);
    expect(pnpmPackages(`catalog:\n  a: 1\n`)).toEqual([]);
  });
});

describe('Project.isLocal', () => {
  it('a pnpm workspace: the packages of the workspace, never node_modules, wherever the agent runs', () => {
    const root = tree({
      'pnpm-workspace.yaml': `packages:\n  - 'packages/*'\n`,
      'package.json': '{"name":"mono"}',
      'packages/api/package.json': '{"name":"api"}',
      'packages/api/src/app.ts': '',
      'packages/lib/src/x.ts': '',
      'packages/lib/node_modules/dep/index.js': '',
      'node_modules/.pnpm/dep@1/node_modules/dep/index.js': '',
      'scripts/tool.ts': '',
    });
    const p = new Project(join(root, 'packages/api'), join(root, 'packages/api/src/app.ts'));
    expect(p.workspaceRoot).toBe(root);
    expect(p.isLocal(join(root, 'packages/api/src/app.ts'))).toBe(true);
    expect(p.isLocal(join(root, 'packages/lib/src/x.ts'))).toBe(true);
    expect(p.isLocal(join(root, 'packages/lib/data.json'))).toBe(true);
    expect(p.isLocal(join(root, 'packages/lib/node_modules/dep/index.js'))).toBe(false);
    expect(p.isLocal(join(root, 'node_modules/.pnpm/dep@1/node_modules/dep/index.js'))).toBe(false);
    expect(p.isLocal(join(root, 'packages/lib/addon.node'))).toBe(false); // not ours to evaluate
    expect(p.isLocal(join(root, 'scripts/tool.ts'))).toBe(false); // outside the project and its packages
  });

  it('yarn\'s {packages: [...]} form; the entry\'s package counts even outside the root', () => {
    const root = tree({
      'package.json': JSON.stringify({ private: true, workspaces: { packages: ['libs/*'] } }),
      'libs/a/index.js': '',
      'svc/package.json': '{}',
      'svc/app.js': '',
      'tools/t.js': '',
    });
    // the agent's root elsewhere (another cwd): the entry's own package still counts
    const p = new Project('/nonexistent-root', join(root, 'svc/app.js'));
    expect(p.isLocal(join(root, 'svc/app.js'))).toBe(true);
    expect(p.isLocal(join(root, 'libs/a/index.js'))).toBe(true);
    expect(p.isLocal(join(root, 'tools/t.js'))).toBe(false);
  });

  it('without any package.json every file outside node_modules is the user\'s (as before projects)', () => {
    const root = tree({ 'app.js': '', 'lib/x.js': '' });
    const p = new Project(join(root, 'nowhere'), join(root, 'app.js'));
    expect(p.isLocal(join(root, 'lib/x.js'))).toBe(true);
    expect(p.isLocal('/elsewhere/node_modules/x/index.js')).toBe(false);
  });
});

describe('FormatDetector', () => {
  const cjs = (src: string, loader: 'js' | 'ts' = 'js') =>
    transformSync(src, { format: 'cjs', loader, platform: 'node', supported: { 'dynamic-import': false }, define: { 'import.meta': IMPORT_META_PARAM } }).code;

  it('by extension, then the nearest package.json type, then the syntax', () => {
    const root = tree({ 'm/package.json': '{"type":"module"}', 'c/package.json': '{"type":"commonjs"}', 'n/package.json': '{}' });
    const f = new FormatDetector();
    expect(f.formatOf(join(root, 'n/a.mjs'), cjs('module.exports = 1'))).toBe('esm');
    expect(f.formatOf(join(root, 'm/a.cts'), cjs('export const a = 1', 'ts'))).toBe('cjs');
    expect(f.formatOf(join(root, 'm/deep/a.js'), cjs('module.exports = 1'))).toBe('esm');
    expect(f.formatOf(join(root, 'c/a.js'), cjs('export const a = 1'))).toBe('cjs');
    // no type: ESM syntax decides, as Node's detection does
    for (const esm of ['export const a = 1', 'import "x";\nconsole.log(1)', 'import a from "x"; a()', 'export * from "x"', 'console.log(import.meta.url)']) {
      expect(f.formatOf(join(root, 'n/a.js'), cjs(esm))).toBe('esm');
    }
    for (const plain of ['const x = require("x"); module.exports = x', 'async function f() { return import("x") }', 'import type { A } from "x"; const a: A = 1;']) {
      expect(f.formatOf(join(root, 'n/a.ts'), cjs(plain, 'ts'))).toBe('cjs');
    }
  });
});

describe('userConditions', () => {
  it('reads --conditions and -C from the exec argv and NODE_OPTIONS, as Node does', () => {
    expect(userConditions(['--conditions=development', '-C', 'source', '--inspect'], '--conditions custom --max-old-space-size=100')).toEqual([
      'development',
      'source',
      'custom',
    ]);
    expect(userConditions([], '')).toEqual([]);
  });
});
