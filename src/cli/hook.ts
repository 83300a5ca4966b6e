// `install-hook [--uninstall]`: a marked block in the git post-commit hook that runs
// `--trigger --git-hook` (which reloads only when the commit touched watched dirs).
// Existing hook content is kept; uninstall removes only our block.
import { execFile } from 'node:child_process';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { visible } from '../protocol/visible.js';
import { UsageError, usageFromParseError } from './args.js';
import { parseArgs } from 'node:util';

const run = promisify(execFile);

export const BEGIN = '# >>> auto-hot-reload >>>';
export const END = '# <<< auto-hot-reload <<<';

export const HOOK_USAGE = `usage: auto-hot-reload install-hook [--uninstall]

Adds a marked block to the git post-commit hook (honouring core.hooksPath) that runs
\`auto-hot-reload --trigger\` when a commit touched watched dirs. Existing hook content is
kept; --uninstall removes only that block. Does nothing when CI is set.`;

export interface HookResult {
  action: 'installed' | 'updated' | 'unchanged' | 'removed' | 'absent' | 'skipped-ci';
  file?: string;
  message: string;
}

async function git(args: string[], cwd: string): Promise<string> {
  const { stdout } = await run('git', args, { cwd, timeout: 10_000 });
  return stdout.trim();
}

/** The post-commit hook file, honouring core.hooksPath. */
export async function hookFile(cwd: string): Promise<string> {
  let top: string;
  try {
    top = await git(['rev-parse', '--show-toplevel'], cwd);
  } catch {
    throw new UsageError(`install-hook: ${cwd} is not inside a git repository (run it from your project's git work tree)`);
  }
  let hooksPath = '';
  try {
    hooksPath = await git(['config', '--get', 'core.hooksPath'], cwd);
  } catch {
    /* unset: exit status 1 */
  }
  if (hooksPath) {
    if (hooksPath.startsWith('~/')) hooksPath = path.join(process.env.HOME ?? '', hooksPath.slice(2));
    return path.join(path.resolve(top, hooksPath), 'post-commit');
  }
  const dir = await git(['rev-parse', '--git-path', 'hooks'], cwd);
  return path.join(path.resolve(cwd, dir), 'post-commit');
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The launcher of this package (bin/auto-hot-reload.js), from src/cli or dist/src/cli. */
function launcher(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const up = here.includes(`${path.sep}dist${path.sep}`) ? '../../..' : '../..';
  return path.resolve(here, up, 'bin', 'auto-hot-reload.js');
}

/**
 * The block finds the CLI when the hook runs, not when it was installed, so it survives
 * `npx`, a Node upgrade or a moved checkout: the project's own node_modules/.bin first,
 * then one on PATH, then the launcher this install-hook ran from (with `node` from PATH).
 */
export function hookBlock(node = process.execPath, bin = launcher()): string {
  const args = '--trigger --git-hook --no-tui';
  return [
    BEGIN,
    '# Added by `auto-hot-reload install-hook`; remove with `auto-hot-reload install-hook --uninstall`.',
    '# Reloads the running service when the commit touched watched dirs; never in CI.',
    'if [ -z "${CI:-}" ]; then',
    '  if [ -x ./node_modules/.bin/auto-hot-reload ]; then',
    `    ./node_modules/.bin/auto-hot-reload ${args} || true`,
    '  elif command -v auto-hot-reload >/dev/null 2>&1; then',
    `    auto-hot-reload ${args} || true`,
    `  elif [ -f ${shellQuote(bin)} ]; then`,
    `    "$(command -v node || echo ${shellQuote(node)})" ${shellQuote(bin)} ${args} || true`,
    '  else',
    "    echo 'auto-hot-reload: CLI not found; npm install it in this project, then run: npx auto-hot-reload install-hook' >&2",
    '  fi',
    'fi',
    END,
  ].join('\n');
}

/** Content without our block (and without the blank line we put before it). */
export function withoutBlock(content: string): string {
  const start = content.indexOf(BEGIN);
  if (start < 0) return content;
  const endAt = content.indexOf(END, start);
  const stop = endAt < 0 ? content.length : endAt + END.length;
  const before = content.slice(0, start).replace(/\n+$/, '\n');
  const after = content.slice(stop).replace(/^\n+/, '');
  return before + after;
}

const onlyShebang = (s: string) => s.split('\n').every((l) => l.trim() === '' || l.startsWith('#!'));

export async function installHook(opts: { cwd: string; uninstall: boolean; env: NodeJS.ProcessEnv; block?: string }): Promise<HookResult> {
  if (opts.env.CI) return { action: 'skipped-ci', message: 'install-hook: CI is set; nothing to do' };
  const file = await hookFile(opts.cwd);
  let current: string | undefined;
  try {
    current = await readFile(file, 'utf8');
  } catch {
    current = undefined;
  }

  if (opts.uninstall) {
    if (current === undefined || !current.includes(BEGIN)) return { action: 'absent', file, message: `no auto-hot-reload block in ${file}` };
    const rest = withoutBlock(current);
    if (onlyShebang(rest)) {
      await rm(file, { force: true });
      return { action: 'removed', file, message: `removed ${file}` };
    }
    await writeFile(file, rest);
    return { action: 'removed', file, message: `removed the auto-hot-reload block from ${file}` };
  }

  const block = opts.block ?? hookBlock();
  let next: string;
  if (current === undefined) next = `#!/bin/sh\n${block}\n`;
  else if (current.includes(BEGIN)) {
    const start = current.indexOf(BEGIN);
    const endAt = current.indexOf(END, start);
    const stop = endAt < 0 ? current.length : endAt + END.length;
    next = current.slice(0, start) + block + current.slice(stop);
  } else next = `${current.replace(/\n*$/, '\n')}\n${block}\n`;

  if (next === current) return { action: 'unchanged', file, message: `${file} already runs auto-hot-reload` };
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, next);
  await chmod(file, 0o755);
  return {
    action: current?.includes(BEGIN) ? 'updated' : 'installed',
    file,
    message: `${current?.includes(BEGIN) ? 'updated' : 'installed'} the post-commit hook in ${file}`,
  };
}

/** Files changed by HEAD (relative to the repo top level), for `--trigger --git-hook`. */
export async function committedFiles(cwd: string): Promise<{ top: string; files: string[] }> {
  const top = await git(['rev-parse', '--show-toplevel'], cwd);
  const out = await git(['diff-tree', '--no-commit-id', '--name-only', '-r', '--root', 'HEAD'], cwd);
  return { top, files: out.split('\n').filter((l) => l !== '') };
}

/** The `install-hook` subcommand; returns the exit code. */
export async function main(argv: string[], io: { cwd: string; env: NodeJS.ProcessEnv; out: (l: string) => void }): Promise<number> {
  let uninstall = false;
  try {
    const { values } = parseArgs({
      args: argv,
      options: { uninstall: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      io.out(HOOK_USAGE);
      return 0;
    }
    uninstall = values.uninstall ?? false;
  } catch (e) {
    throw usageFromParseError(e);
  }
  const r = await installHook({ cwd: io.cwd, uninstall, env: io.env });
  io.out(visible(r.message)); // names paths of the repository: shown, never obeyed
  return 0;
}
