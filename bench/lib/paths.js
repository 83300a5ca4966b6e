// Where the pieces under test live in this repository.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const nodeModules = path.join(repoRoot, 'node_modules');
export const cliBin = path.join(repoRoot, 'bin/auto-hot-reload.js');
export const distCli = path.join(repoRoot, 'dist/src/cli/main.js');
export const distAgent = path.join(repoRoot, 'dist/src/agent/index.js');
export const distAgentServe = path.join(repoRoot, 'dist/src/agent/serve.js');
export const distWatcher = path.join(repoRoot, 'dist/src/watcher.js');
export const nodemonBin = path.join(nodeModules, 'nodemon/bin/nodemon.js');
export const tsxBin = path.join(nodeModules, 'tsx/dist/cli.mjs');

export const exists = (p) => fs.existsSync(p);

/** Why a piece cannot be benchmarked yet, or null when it is built. */
export function missing(p, what) {
  return exists(p) ? null : `${what} not built (${path.relative(repoRoot, p)} missing; run \`npm run build\`)`;
}
