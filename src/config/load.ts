// The I/O edge of configuration: finds and reads the config file, checks which default
// dirs exist, then hands everything to the pure mergeConfig.
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../types.js';
import { ConfigError } from './errors.js';
import type { CliFlags, Env } from './layers.js';
import { DEFAULT_CONFIG_FILE, DEFAULT_DIRS, defaultLayer, mergeConfig } from './merge.js';

export interface LoadConfigOptions {
  flags: CliFlags;
  env: Env;
  cwd: string;
}

async function readJson(file: string, label: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT' ? `--config: ${JSON.stringify(file)} does not exist (expected a readable JSON config file)` : `${label}: cannot read (${code ?? String(e)})`,
    );
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ConfigError(`${label}: not valid JSON (${(e as Error).message})`);
  }
}

/** The config file layer: --config FILE, else hot-reload.config.json, else package.json#hotReload. */
async function findFile(flags: CliFlags, cwd: string): Promise<{ root: string; file?: { source: string; data: unknown } }> {
  if (flags.config !== undefined) {
    const file = path.resolve(cwd, flags.config);
    const data = await readJson(file, path.relative(cwd, file) || file);
    return { root: path.dirname(file), file: { source: path.basename(file), data } };
  }
  const candidate = path.join(cwd, DEFAULT_CONFIG_FILE);
  if (existsSync(candidate)) {
    return { root: cwd, file: { source: DEFAULT_CONFIG_FILE, data: await readJson(candidate, DEFAULT_CONFIG_FILE) } };
  }
  const pkg = path.join(cwd, 'package.json');
  if (existsSync(pkg)) {
    const data = await readJson(pkg, 'package.json');
    if (data && typeof data === 'object' && 'hotReload' in data) {
      return { root: cwd, file: { source: 'the "hotReload" key of package.json', data: (data as { hotReload: unknown }).hotReload } };
    }
  }
  return { root: cwd };
}

const isDir = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

export async function loadConfig(opts: LoadConfigOptions): Promise<Config> {
  const cwd = path.resolve(opts.cwd);
  const { root, file } = await findFile(opts.flags, cwd);
  const existing = DEFAULT_DIRS.filter((d) => isDir(path.join(root, d)));
  return mergeConfig({ defaults: defaultLayer(existing), file, env: opts.env, flags: opts.flags, cwd }, root);
}
