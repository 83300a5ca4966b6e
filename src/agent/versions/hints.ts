// Hints (`files` and `modules` of a reload request) name loaded modules; they only say where
// to look (the content decides what reloads). A hint names ONE module: `index.js` must not
// select every loaded */index.js. Matching, by whole path segments:
//   1. the hint is a loaded module's path under the agent root, or its absolute path → it;
//   2. else the hint is the tail of loaded paths (`routes/a.js` of /srv/app/routes/a.js):
//      one such module → it, several → ambiguous;
//   3. else the longest tail of the hint that is a module's path under the root (the client's
//      root may differ: /home/me/app/routes/a.js names /srv/app/routes/a.js) → it.
// An ambiguous hint selects nothing; the on-disk check then finds what changed.
// Lookups go through maps of path suffixes, so a request's cost grows with its hints, not
// with hints × loaded modules.
import { extname, relative, sep } from 'node:path';

export type HintMatch = string | 'ambiguous' | null;

interface Paths {
  /** absolute path (posix, no leading slash) → file */
  readonly exact: Map<string, string>;
  /** path under the root → file */
  readonly rel: Map<string, string>;
  /** every tail of an absolute path, by whole segments → files */
  readonly tails: Map<string, string[]>;
  /** the most segments of a path under the root: longer tails of a hint cannot match */
  depth: number;
}

const toPosix = (p: string) => (sep === '/' ? p : p.split(sep).join('/'));

function segmentsOf(hint: string): string[] {
  return hint.replace(/\\/g, '/').split('/').filter((s) => s !== '' && s !== '.');
}

function emptyPaths(): Paths {
  return { exact: new Map(), rel: new Map(), tails: new Map(), depth: 0 };
}

function add(paths: Paths, file: string, abs: string, rel: string | null): void {
  const segs = abs.split('/').filter(Boolean);
  paths.exact.set(segs.join('/'), file);
  let tail = '';
  for (let i = segs.length - 1; i >= 0; i--) {
    tail = tail ? `${segs[i]}/${tail}` : segs[i];
    const list = paths.tails.get(tail);
    if (list) list.push(file);
    else paths.tails.set(tail, [file]);
  }
  if (rel !== null) {
    paths.rel.set(rel, file);
    paths.depth = Math.max(paths.depth, rel.split('/').length);
  }
}

function lookup(paths: Paths, segs: readonly string[]): HintMatch {
  if (segs.length === 0) return null;
  const whole = segs.join('/');
  const direct = paths.rel.get(whole) ?? paths.exact.get(whole);
  if (direct) return direct;
  const tails = paths.tails.get(whole);
  if (tails) return tails.length === 1 ? tails[0] : 'ambiguous';
  // from the longest tail that can name a path under the root down to one segment
  for (let i = Math.max(0, segs.length - paths.depth); i < segs.length; i++) {
    const file = paths.rel.get(segs.slice(i).join('/'));
    if (file) return file;
  }
  return null;
}

export class HintIndex {
  private readonly files = emptyPaths();
  /** the same without extensions, for module names (`routes/greeting`, `routes.greeting`) */
  private readonly bare = emptyPaths();

  constructor(loaded: Iterable<string>, root: string) {
    for (const file of loaded) {
      const abs = toPosix(file);
      const r = toPosix(relative(root, file));
      const rel = r && !r.startsWith('../') && r !== '..' && !/^[A-Za-z]:/.test(r) && !r.startsWith('/') ? r : null;
      add(this.files, file, abs, rel);
      const ext = extname(file).length;
      add(this.bare, file, ext ? abs.slice(0, -ext) : abs, rel && ext ? rel.slice(0, -ext) : rel);
    }
  }

  /** The loaded file a `files` hint names. */
  file(hint: string): HintMatch {
    return lookup(this.files, segmentsOf(hint));
  }

  /** The loaded file a `modules` hint names: a path as for files, or a name without extension, slash- or dot-separated. */
  module(hint: string): HintMatch {
    const segs = segmentsOf(hint);
    const asFile = lookup(this.files, segs);
    if (asFile !== null) return asFile;
    const slashed = lookup(this.bare, segs);
    const dotted = segs.length === 1 && segs[0].includes('.') ? lookup(this.bare, segs[0].split('.').filter(Boolean)) : null;
    if (slashed === null) return dotted;
    if (dotted === null || dotted === slashed) return slashed;
    return 'ambiguous';
  }
}
