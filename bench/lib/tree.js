// Synthetic project trees for the watcher benchmark: src/ with N files (100 per folder),
// a node_modules/ with many files and a .git/ folder.
import fsp from 'node:fs/promises';
import path from 'node:path';

async function writeMany(files, parallel = 64) {
  for (let i = 0; i < files.length; i += parallel) {
    await Promise.all(files.slice(i, i + parallel).map(([f, text]) => fsp.writeFile(f, text)));
  }
}

/** Paths of the N source files (src/mA/dB/fC.js), in a stable order. */
export function sourceFiles(root, n) {
  const files = [];
  for (let i = 0; i < n; i++) {
    const d = Math.floor(i / 100);
    files.push(path.join(root, 'src', `m${Math.floor(d / 10)}`, `d${d % 10}`, `f${i % 100}.js`));
  }
  return files;
}

export async function buildTree(root, { sourceCount, nodeModulesCount, gitCount = 2000 }) {
  const src = sourceFiles(root, sourceCount);
  const dirs = new Set(src.map((f) => path.dirname(f)));
  const nm = [];
  for (let i = 0; i < nodeModulesCount; i++) {
    const pkg = `pkg${Math.floor(i / 200)}`;
    nm.push(path.join(root, 'node_modules', pkg, `lib${Math.floor((i % 200) / 50)}`, `m${i % 50}.js`));
  }
  const git = [];
  for (let i = 0; i < gitCount; i++) git.push(path.join(root, '.git', 'objects', (i % 256).toString(16).padStart(2, '0'), `o${i}`));
  for (const f of [...nm, ...git]) dirs.add(path.dirname(f));
  for (const d of dirs) await fsp.mkdir(d, { recursive: true });
  await writeMany(src.map((f, i) => [f, `export const v = ${i};\n`]));
  await writeMany(nm.map((f, i) => [f, `module.exports = ${i};\n`]));
  await writeMany(git.map((f) => [f, 'x']));
  return { src, nodeModules: nm.length, git: git.length };
}
