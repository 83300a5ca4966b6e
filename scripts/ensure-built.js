#!/usr/bin/env node
// Rebuilds dist/ only when a source is newer than the build, so `npm start` is instant
// after `npm install` (which builds) and still correct after a pull or an edit of src/.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const mtime = (p) => {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return -1;
  }
};
function newest(dir) {
  let max = -1;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    max = Math.max(max, e.isDirectory() ? newest(p) : mtime(p));
  }
  return max;
}

const built = mtime(path.join(root, 'dist', 'src', 'cli', 'main.js'));
const sources = Math.max(newest(path.join(root, 'src')), newest(path.join(root, 'components')), mtime(path.join(root, 'tsconfig.json')));
if (built < sources) {
  process.stderr.write('auto-hot-reload: building (sources changed since the last build)…\n');
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.json')], { stdio: 'inherit' });
  // tsc emits despite type errors; run what was built, but say so
  if (r.status !== 0) process.stderr.write('auto-hot-reload: the build reported type errors (see above); running what was emitted\n');
}
