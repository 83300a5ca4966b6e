// install-hook in real temp git repos, through the real CLI process.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BEGIN, END, hookBlock, withoutBlock } from '../src/cli/hook.js';
import { BIN, buildOnce, runCliProcess } from './helpers/cli-process.js';
import { startFakeService, type FakeService } from './helpers/fake-service.js';

const exec = promisify(execFile);
let repo: string;
let svc: FakeService | undefined;

const git = async (...args: string[]) => (await exec('git', args, { cwd: repo, timeout: 10_000 })).stdout.trim();
const cli = (args: string[], env: Record<string, string | undefined> = {}) => runCliProcess(args, { cwd: repo, env: { CI: undefined, ...env } });
const exists = (p: string) => stat(p).then(() => true, () => false);
const count = (s: string, sub: string) => s.split(sub).length - 1;

beforeAll(() => buildOnce(), 120_000);
beforeEach(async () => {
  repo = await mkdtemp(path.join(os.tmpdir(), 'ahr-hook-'));
  await git('init', '-q');
  await git('config', 'user.email', 'test@example.com');
  await git('config', 'user.name', 'Test');
  await git('config', 'commit.gpgsign', 'false');
});
afterEach(async () => {
  await svc?.close();
  svc = undefined;
  await rm(repo, { recursive: true, force: true });
});

describe('hook block text', () => {
  it('runs the launcher with --trigger --git-hook, skipped in CI', () => {
    const block = hookBlock('/usr/bin/node', "/opt/it's/bin/auto-hot-reload.js");
    expect(block.split('\n')).toEqual([
      BEGIN,
      '# Added by `auto-hot-reload install-hook`; remove with `auto-hot-reload install-hook --uninstall`.',
      '# Reloads the running service when the commit touched watched dirs; never in CI.',
      'if [ -z "${CI:-}" ]; then',
      '  if [ -x ./node_modules/.bin/auto-hot-reload ]; then',
      '    ./node_modules/.bin/auto-hot-reload --trigger --git-hook --no-tui || true',
      '  elif command -v auto-hot-reload >/dev/null 2>&1; then',
      '    auto-hot-reload --trigger --git-hook --no-tui || true',
      `  elif [ -f '/opt/it'\\''s/bin/auto-hot-reload.js' ]; then`,
      `    "$(command -v node || echo '/usr/bin/node')" '/opt/it'\\''s/bin/auto-hot-reload.js' --trigger --git-hook --no-tui || true`,
      '  else',
      "    echo 'auto-hot-reload: CLI not found; npm install it in this project, then run: npx auto-hot-reload install-hook' >&2",
      '  fi',
      'fi',
      END,
    ]);
  });

  it('removes only the block', () => {
    expect(withoutBlock(`#!/bin/sh\necho before\n\n${BEGIN}\nx\n${END}\necho after\n`)).toBe('#!/bin/sh\necho before\necho after\n');
  });
});

describe('install-hook', () => {
  it('installs an executable post-commit hook once, however often it runs', async () => {
    const first = await cli(['install-hook']);
    expect(first.code).toBe(0);
    const file = path.join(repo, '.git', 'hooks', 'post-commit');
    expect(first.stdout).toBe(`installed the post-commit hook in ${file}\n`);
    const second = await cli(['install-hook']);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(`${file} already runs auto-hot-reload\n`);
    const text = await readFile(file, 'utf8');
    expect(text.startsWith('#!/bin/sh\n')).toBe(true);
    expect(count(text, BEGIN)).toBe(1);
    expect(text).toContain(`'${BIN}' --trigger --git-hook`);
    const help = await cli(['install-hook', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: auto-hot-reload install-hook [--uninstall]');
    expect((await stat(file)).mode & 0o111).toBe(0o111);
  });

  it('keeps existing hook content and uninstall removes only its block', async () => {
    const file = path.join(repo, '.git', 'hooks', 'post-commit');
    await mkdir(path.dirname(file), { recursive: true });
    const original = '#!/bin/sh\necho "existing hook"\n';
    await writeFile(file, original, { mode: 0o755 });
    expect((await cli(['install-hook'])).code).toBe(0);
    const text = await readFile(file, 'utf8');
    expect(text.startsWith(original)).toBe(true);
    expect(count(text, BEGIN)).toBe(1);

    const un = await cli(['install-hook', '--uninstall']);
    expect(un.code).toBe(0);
    expect(un.stdout).toBe(`removed the auto-hot-reload block from ${file}\n`);
    expect(await readFile(file, 'utf8')).toBe(original);
  });

  it('deletes the hook file on uninstall when nothing else remains', async () => {
    await cli(['install-hook']);
    const file = path.join(repo, '.git', 'hooks', 'post-commit');
    expect(await exists(file)).toBe(true);
    expect((await cli(['install-hook', '--uninstall'])).stdout).toBe(`removed ${file}\n`);
    expect(await exists(file)).toBe(false);
    expect((await cli(['install-hook', '--uninstall'])).stdout).toBe(`no auto-hot-reload block in ${file}\n`);
  });

  it('honours core.hooksPath', async () => {
    await git('config', 'core.hooksPath', '.githooks');
    const r = await cli(['install-hook']);
    expect(r.code).toBe(0);
    expect(await readFile(path.join(repo, '.githooks', 'post-commit'), 'utf8')).toContain(BEGIN);
    expect(await exists(path.join(repo, '.git', 'hooks', 'post-commit'))).toBe(false);
  });

  it('does nothing when CI is set', async () => {
    const r = await cli(['install-hook'], { CI: 'true' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('install-hook: CI is set; nothing to do\n');
    expect(await exists(path.join(repo, '.git', 'hooks', 'post-commit'))).toBe(false);
  });

  it('exits 2 outside a git repository, and on an unknown flag', async () => {
    const outside = await mkdtemp(path.join(os.tmpdir(), 'ahr-nogit-'));
    try {
      const r = await runCliProcess(['install-hook'], { cwd: outside, env: { CI: undefined, GIT_CEILING_DIRECTORIES: path.dirname(outside) } });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`auto-hot-reload: install-hook: ${outside} is not inside a git repository (run it from your project's git work tree)\n`);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
    const bad = await cli(['install-hook', '--force']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('auto-hot-reload: unknown option --force (see auto-hot-reload --help)\n');
  });
});

describe('--trigger --git-hook (what the hook runs)', () => {
  it('reloads the committed files inside watched dirs only, with reason git-hook', async () => {
    svc = await startFakeService({ dialect: 'v1' });
    await mkdir(path.join(repo, 'src'));
    await mkdir(path.join(repo, 'docs'));
    await writeFile(path.join(repo, 'hot-reload.config.json'), JSON.stringify({ apiUrl: svc.url, dirs: ['src'] }));
    await writeFile(path.join(repo, 'docs', 'readme.md'), 'docs');
    await git('add', '.');
    await git('commit', '-qm', 'docs only');
    const none = await cli(['--trigger', '--git-hook']);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('auto-hot-reload: the commit touched no watched files; nothing to reload\n');
    expect(svc.callsTo('reload')).toHaveLength(0);

    await writeFile(path.join(repo, 'src', 'a.js'), 'export default 1;');
    await writeFile(path.join(repo, 'docs', 'readme.md'), 'docs 2');
    await git('add', '.');
    await git('commit', '-qm', 'code');
    const r = await cli(['--trigger', '--git-hook']);
    expect(r.code).toBe(0);
    expect(svc.callsTo('reload').map((c) => c.body)).toEqual([{ files: ['src/a.js'], reason: 'git-hook' }]);
  });

  it('runs from a real commit once installed, and not when CI is set', async () => {
    svc = await startFakeService({ dialect: 'v1' });
    await mkdir(path.join(repo, 'src'));
    await writeFile(path.join(repo, 'hot-reload.config.json'), JSON.stringify({ apiUrl: svc.url, dirs: ['src'] }));
    expect((await cli(['install-hook'])).code).toBe(0);
    const env = { ...process.env };
    delete env.CI;
    delete env.API_BASE_URL;
    delete env.HOT_RELOAD_TOKEN;
    const commit = async (file: string, ci: boolean) => {
      await writeFile(path.join(repo, 'src', file), `export default ${JSON.stringify(file)};`);
      await git('add', '.');
      await exec('git', ['commit', '-qm', file], { cwd: repo, timeout: 30_000, env: ci ? { ...env, CI: 'true' } : env });
    };
    await commit('b.js', false);
    expect(svc.callsTo('reload').map((c) => c.body)).toEqual([{ files: ['src/b.js'], reason: 'git-hook' }]);
    await commit('c.js', true);
    expect(svc.callsTo('reload')).toHaveLength(1);
  });
});
