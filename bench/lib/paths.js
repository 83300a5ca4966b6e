// Where the pieces under test live in this repository.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const nodeModules = path.join(repoRoot, 'node_modules');
// The built package under test: the repo itself, or a frozen copy of bin/ and dist/
// (run.js --snapshot) so that a rebuild in the work tree cannot change it mid-run.
export const pkgRoot = process.env.AHR_BENCH_PKG ? path.resolve(process.env.AHR_BENCH_PKG) : repoRoot;
export const cliBin = path.join(pkgRoot, 'bin/auto-hot-reload.js');
export const distCli = path.join(pkgRoot, 'dist/src/cli/main.js');
export const distAgent = path.join(pkgRoot, 'dist/src/agent/index.js');
export const distAgentServe = path.join(pkgRoot, 'dist/src/agent/serve.js');
export const distWatcher = path.join(pkgRoot, 'dist/src/watcher.js');
export const nodemonBin = path.join(nodeModules, 'nodemon/bin/nodemon.js');
export const tsxBin = path.join(nodeModules, 'tsx/dist/cli.mjs');

export const exists = (p) => fs.existsSync(p);

/** Why a piece cannot be benchmarked yet, or null when it is built. */
export function missing(p, what) {
  return exists(p) ? null : `${what} not built (${path.relative(pkgRoot, p)} missing; run \`npm run build\`)`;
}
