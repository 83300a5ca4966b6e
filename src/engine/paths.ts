// How a file is named to the user and to the service: relative to the project root with
// forward slashes, or absolute when it lies outside the root (a `--dir ../lib`). A `..`
// segment would be refused by the agent (hints never climb), and reads badly anyway.
import path from 'node:path';

export function projectPath(root: string, abs: string): string {
  const rel = path.relative(root, abs);
  if (rel === '') return '.';
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return abs.split(path.sep).join('/');
  return rel.split(path.sep).join('/');
}
