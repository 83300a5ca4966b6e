// A frozen copy of the built package (bin/, dist/, package.json, a node_modules link) in
// a temp dir: the benchmarks then measure one build even if the work tree is rebuilt
// while they run. The copy is checked by importing every module of dist/src in a child.
import fsp from 'node:fs/promises';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { makeTempDir, removeTempDir } from './cleanup.js';

const CHECK = `
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
const files = fs.readdirSync(process.argv[1], { recursive: true }).filter((f) => f.endsWith('.js'));
for (const f of files) await import(pathToFileURL(path.join(process.argv[1], f)).href);
process.stdout.write(String(files.length));
`;

async function copyOnce(repoRoot) {
  const dir = await makeTempDir('pkg');
  try {
    for (const part of ['bin', 'dist', 'package.json']) {
      await fsp.cp(path.join(repoRoot, part), path.join(dir, part), { recursive: true });
    }
    await fsp.symlink(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    const modules = execFileSync(process.execPath, ['--input-type=module', '-e', CHECK, path.join(dir, 'dist/src')], {
      encoding: 'utf8',
      timeout: 30000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { dir, modules: Number(modules) };
  } catch (e) {
    await removeTempDir(dir);
    throw e;
  }
}

/** Copy and check, retrying a few times: a rebuild may be halfway through its writes. */
export async function snapshotPackage(repoRoot, { attempts = 4, log = () => {} } = {}) {
  let last;
  for (let i = 1; i <= attempts; i++) {
    try {
      return await copyOnce(repoRoot);
    } catch (e) {
      last = e;
      const why = String(e.stderr || e.message).trim().split('\n').find((l) => /Error|error/.test(l)) ?? String(e.message);
      log(`snapshot of the build failed its import check (${why.slice(0, 200)}); retrying in 5 s (${i}/${attempts})`);
      await new Promise((r) => setTimeout(r, 5000));
    }
  }
  throw new Error(`the build in dist/ does not load (${String(last?.stderr || last?.message).trim().split('\n')[0]}); run \`npm run build\` and try again`);
}
