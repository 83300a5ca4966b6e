// Where the pieces under test live in this repository.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The tools the benchmarks compare against (hot-hook, nodemon, tsx, autocannon, express)
// are bench/'s own dependencies: `npm run bench` installs them; the default install does not
// (hot-hook needs Node 22 packages, and none of them is needed to use or test the product).
export const nodeModules = path.join(repoRoot, 'bench/node_modules');
// The built package under test: the repo itself, or a frozen copy of bin/ and dist/
// (run.js --snapshot) so that a rebuild in the work tree cannot change it mid-run.
export const pkgRoot = process.env.AHR_BENCH_PKG ? path.resolve(process.env.AHR_BENCH_PKG) : repoRoot;
export const cliBin = path.join(pkgRoot, 'bin/auto-hot-reload.js');
export const distCli = path.join(pkgRoot, 'dist/src/cli/main.js');
export const distAgent = path.join(pkgRoot, 'dist/src/agent/index.js');
export const distAgentServe = path.join(pkgRoot, 'dist/src/agent/serve/serve.js');
export const distWatcher = path.join(pkgRoot, 'dist/src/engine/watcher.js');
export const nodemonBin = path.join(nodeModules, 'nodemon/bin/nodemon.js');
export const tsxBin = path.join(nodeModules, 'tsx/dist/cli.mjs');

export const exists = (p) => fs.existsSync(p);

/** Why a piece cannot be benchmarked yet, or null when it is built. */
export function missing(p, what) {
  return exists(p) ? null : `${what} not built (${path.relative(pkgRoot, p)} missing; run \`npm run build\`)`;
}
