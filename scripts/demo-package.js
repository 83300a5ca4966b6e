// A throwaway copy of this package for driving `demo` for real: its own examples/demo (so
// edits never touch the repo's), a copy of bin/ and dist/ (the demo finds its files from
// the package's real location, so symlinks would lead back to the repo), node_modules
// linked. Used by `npm run screenshots` and the e2e tests; needs a built dist/.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * @param {{ cooldown?: number }} [opts] cooldown: seconds, written into the copy's config
 * @returns {import('./demo-package.js').DemoPackage}
 */
export function demoPackage(opts = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'ahr-demo-pkg-'));
  const noLogs = (/** @type {string} */ src) => !src.split(path.sep).includes('logs');
  for (const part of ['bin', 'dist']) cpSync(path.join(ROOT, part), path.join(dir, part), { recursive: true });
  cpSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
  mkdirSync(path.join(dir, 'examples'));
  cpSync(path.join(ROOT, 'examples', 'demo'), path.join(dir, 'examples', 'demo'), { recursive: true, filter: noLogs });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const demo = path.join(dir, 'examples', 'demo');
  const configFile = path.join(demo, 'hot-reload.config.json');
  if (opts.cooldown !== undefined) {
    const config = JSON.parse(readFileSync(configFile, 'utf8'));
    writeFileSync(configFile, JSON.stringify({ ...config, cooldown: opts.cooldown }, null, 2));
  }
  /** @type {(rel: string, from: string, to: string) => void} */
  const edit = (rel, from, to) => {
    const file = path.join(demo, rel);
    const text = readFileSync(file, 'utf8');
    if (!text.includes(from)) throw new Error(`${rel} no longer contains ${JSON.stringify(from)}: update the caller to the demo`);
    writeFileSync(file, text.replace(from, to));
  };
  return {
    dir,
    demo,
    bin: path.join(dir, 'bin', 'auto-hot-reload.js'),
    configFile,
    edit,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
