// chokidar 5 adapter: turns file-system events under the watched dirs into FileChange
// data (paths relative to the project root, forward slashes). Ignored folders are never
// descended: chokidar's `ignored` function form is asked before it walks a directory.
import fs from 'node:fs/promises';
import { constants as fsc, realpathSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { watch, type ChokidarOptions, type FSWatcher } from 'chokidar';
import { projectPath } from './paths.js';
import type { ChangeKind } from '../types.js';
import { judgeSymlink, listFiles, monitorRoots, type RootMonitor } from './watch-guard.js';

/** after a reported change: default settle time before the baseline stat, then the re-check
 * delay (longer than chokidar's 50 ms change throttle) */
const SETTLE_MS = 15;
const RECHECK_MS = 80;
/** a file emptied by a save (truncate) and still empty is re-reported this long at most */
const EMPTY_MAX_MS = 50;
/**
 * A storm: this many events in one folder within STORM_WINDOW_MS (four times as many across
 * all: a checkout). The kernel's queue (fs.inotify.max_queued_events, 16384 by default)
 * overflows without a word under mass creation, so such folders are listed again.
 */
const STORM_EVENTS = 500;
const STORM_WINDOW_MS = 1000;
/** a rescan waits for this much quiet (longer than chokidar's 1 s readdir throttle), this long at most */
const RESCAN_QUIET_MS = 1200;
const RESCAN_MAX_WAIT_MS = 5000;

export const IGNORED_DIRS = ['node_modules', '.git', '__pycache__', 'dist'] as const;

export interface WatcherOptions {
  root: string;
  dirs: readonly string[]; // absolute
  ignore: readonly string[]; // extra globs or paths (relative to root, or absolute)
  logDir?: string; // absolute; never watched (we write it)
  /**
   * Writes within this long after a reported change belong to it (default 15 ms). Keep it
   * below the scheduler's debounce, so no reload can start before the baseline is taken.
   */
  settleMs?: number;
}

export interface WatcherHandlers {
  onChange(change: { path: string; kind: ChangeKind }): void;
  onReady?(fileCount: number): void;
  /** a problem that does not stop watching (missing dir, unreadable file) */
  onWarning?(message: string): void;
  /** watching is impaired (e.g. out of inotify watches); the message carries the fix */
  onError?(message: string): void;
}

export interface Watcher {
  readonly fileCount: number;
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Editors' temp files: vim swap files and its `4913` write probe, backups, emacs locks,
 * write-then-rename temps (`*.tmp`, JetBrains' `___jb_tmp___`/`___jb_old___`). Tested on
 * the last segment of a whole relative path, so the matcher needs no basename.
 */
const EDITOR_TEMP_RE = /(?:\.(?:sw[px]|tmp)|~|___jb_(?:tmp|old)___)$|(?:^|\/)(?:\.#[^/]*|4913)$/;

export function isEditorTemp(base: string): boolean {
  return EDITOR_TEMP_RE.test(base);
}

/** A glob as regex source; `**` crosses "/" unless it stands for one path segment. */
function globSource(glob: string, segment: boolean): string {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      re += segment ? '[^/]*' : '.*';
      i++;
      if (glob[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return re;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** "//", "/./", "/../" or a trailing "/", "/.", "/..": a path that needs path.resolve */
const UNNORMALIZED_RE = /\/\.{0,2}(?:\/|$)/;
const POSIX = path.sep === '/';
/** chokidar's paths are normalized already; resolve only what is not */
const absOf = (p: string) => (POSIX && p.charCodeAt(0) === 47 && !UNNORMALIZED_RE.test(p) ? p : path.resolve(p));

/**
 * Builds the ignore predicate. A pattern without "/" matches any path segment (as in
 * .gitignore); one with "/" matches the path relative to the root, and everything under it.
 * A relative path is taken relative to the root.
 *
 * chokidar asks this for every path, several times, before ready: the common case (a
 * normalized path under the root) costs one prefix check, a slice and three regex tests,
 * with no path.relative and no array per call.
 */
export function createIgnoreMatcher(opts: Pick<WatcherOptions, 'root' | 'ignore' | 'logDir'>): (absPath: string) => boolean {
  const root = path.resolve(opts.root);
  const rootPrefix = root.endsWith(path.sep) ? root : root + path.sep;
  const toRel = (p: string) => path.relative(root, p).split(path.sep).join('/');
  const relOf = (p: string): string => {
    if (POSIX && p.startsWith(rootPrefix) && !UNNORMALIZED_RE.test(p)) return p.slice(rootPrefix.length);
    return toRel(path.resolve(root, p));
  };
  const logRel = opts.logDir ? toRel(path.resolve(root, opts.logDir)) : undefined;
  const logPrefix = `${logRel}/`;
  // a segment pattern and the built-in folder names: one regex over the whole path
  const segments: string[] = IGNORED_DIRS.map(escapeRe);
  const pathPatterns: RegExp[] = [];
  for (const raw of opts.ignore) {
    const p = (path.isAbsolute(raw) ? toRel(raw) : raw.replace(/\\/g, '/')).replace(/^\.\//, '').replace(/\/+$/, '');
    if (p === '') continue;
    if (p.includes('/')) pathPatterns.push(new RegExp(`^${globSource(p, false)}(?:/.*)?$`));
    else segments.push(globSource(p, true));
  }
  const segmentRe = new RegExp(`(?:^|/)(?:${segments.join('|')})(?:/|$)`);
  return (absPath) => {
    const rel = relOf(absPath);
    if (rel === '' || rel === '..') return false; // the root itself: decided by dirs
    if (logRel && (rel === logRel || rel.startsWith(logPrefix))) return true;
    // outside the root (a `--dir ../lib`): names still count, root-relative patterns do not
    let named = rel;
    while (named.startsWith('../')) named = named.slice(3);
    const outside = named !== rel;
    if (named === '..') return false; // an ancestor of the root
    if (segmentRe.test(named) || EDITOR_TEMP_RE.test(named)) return true;
    if (outside) return false;
    for (const re of pathPatterns) if (re.test(rel)) return true;
    return false;
  };
}

/** what a re-check compares: a file's identity, size and modification time */
const sig = (st: Stats) => `${st.ino}:${st.size}:${st.mtimeMs}`;

const INOTIFY_FIX =
  'raise the limit: sudo sysctl fs.inotify.max_user_watches=524288 (persist it in /etc/sysctl.d/), or watch fewer dirs with --dir';

/** One clear line for a watcher error; `fatal` when watching is impaired. */
export function describeWatchError(err: unknown): { fatal: boolean; message: string } {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EMFILE') {
    return {
      fatal: true,
      message: `out of file watches (${code}): the system limit fs.inotify.max_user_watches is reached, so changes may be missed — ${INOTIFY_FIX}`,
    };
  }
  const p = (err as NodeJS.ErrnoException | undefined)?.path;
  const what = err instanceof Error ? err.message : String(err);
  if (code === 'EACCES' || code === 'EPERM') {
    return { fatal: false, message: `cannot watch ${p ?? 'a path'} (${code}): fix its permissions (chmod u+rx) or add it to ignore` };
  }
  return { fatal: false, message: `watcher: ${what}` };
}

/** Checks each dir up front: a missing or unreadable one is a warning with the fix, not a crash. */
export async function checkDirs(root: string, dirs: readonly string[]): Promise<{ usable: string[]; warnings: string[]; absent: string[] }> {
  const usable: string[] = [];
  const warnings: string[] = [];
  const absent: string[] = []; // watched once they exist
  for (const dir of dirs) {
    const shown = projectPath(root, dir);
    try {
      const st = await fs.stat(dir);
      if (!st.isDirectory()) {
        warnings.push(`watch dir ${shown} is not a directory — pass a folder with --dir`);
        continue;
      }
      await fs.access(dir, fsc.R_OK | fsc.X_OK);
      usable.push(dir);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') absent.push(dir);
      warnings.push(
        code === 'ENOENT'
          ? `watch dir ${shown} does not exist — create it (it is watched once it does), or pass existing folders with --dir (or "dirs" in the config)`
          : `watch dir ${shown} cannot be read (${code}) — fix its permissions (chmod u+rx ${dir}) or drop it from --dir`,
      );
    }
  }
  return { usable, warnings, absent };
}

/** `watch` is chokidar's; replaceable only to inject faults the kernel will not produce on demand. */
export async function startWatcher(
  opts: WatcherOptions,
  handlers: WatcherHandlers,
  deps: { watch?: typeof watch } = {},
): Promise<Watcher> {
  const { usable, warnings, absent } = await checkDirs(opts.root, opts.dirs);
  for (const w of warnings) handlers.onWarning?.(w);

  if (usable.length === 0 && absent.length === 0) return nothingToWatch(handlers);

  const isIgnored = createIgnoreMatcher(opts);
  // absolute paths as chokidar reports them: no path work per file before ready
  const files = new Set<string>();
  let isReady = false;
  let resolveReady!: () => void;
  const ready = new Promise<void>((r) => (resolveReady = r));
  const toRel = (p: string) => projectPath(opts.root, p);
  /** a symlink to a file is watched as the file; any other is skipped, with one warning */
  const symlinkWatched = linkJudge([...usable, ...absent], toRel, (w) => handlers.onWarning?.(w));
  const fsw: FSWatcher = (deps.watch ?? watch)([...usable], chokidarOptions((p, stats) => isIgnored(p) || (stats?.isSymbolicLink() === true && !symlinkWatched(absOf(p)))));

  // chokidar drops a second 'change' of a path within 50 ms of the first (no trailing
  // event), so a quick second save would be lost. After each event we re-stat the file
  // once a little later and report a change if it differs from what was reported.
  const lastSig = new Map<string, string>();
  const rechecks = new Map<string, NodeJS.Timeout>();
  const baselines = new Map<string, NodeJS.Timeout>();
  const settleMs = Math.max(0, opts.settleMs ?? SETTLE_MS);
  let closed = false;
  // a report starts a new baseline: a re-check armed (or stat-ing) before it compares with
  // the old one and would report that same change again
  const epochs = new Map<string, number>();
  const recheck = (abs: string, rel: string) => {
    clearTimeout(rechecks.get(abs));
    const t = setTimeout(() => {
      rechecks.delete(abs);
      const epoch = epochs.get(abs);
      fs.stat(abs).then(
        (st) => {
          if (closed || !files.has(abs) || epochs.get(abs) !== epoch || lastSig.get(abs) === sig(st)) return;
          lastSig.set(abs, sig(st));
          handlers.onChange({ path: rel, kind: 'change' });
          recheck(abs, rel);
        },
        () => undefined, // gone: chokidar reports the unlink
      );
    }, RECHECK_MS);
    rechecks.set(abs, t);
  };

  // A file that appears and is gone again at once (sed -i's and some editors' temp files,
  // outside the editor-temp name patterns) is no change to the tree. The add is held for
  // settleMs, then reported only if the file still exists; otherwise it is a ghost and its
  // unlink (chokidar delays those ~100 ms with `atomic`) is dropped too.
  const heldAdds = new Map<string, NodeJS.Timeout>();
  const ghosts = new Set<string>();
  const emit = (kind: ChangeKind) => (p: string, stats?: Stats) => {
    const abs = absOf(p);
    if (kind !== 'unlink' && stats?.isSymbolicLink() && !files.has(abs) && !symlinkWatched(abs)) return;
    if (isReady) {
      storms.note(abs);
      // a path that went away may be back at once as something else (a folder where a file
      // was, or the other way round) that chokidar, mid-update, does not report: looked at again
      if (kind === 'unlink') scheduleRescan(path.dirname(abs));
      const rescuedUntil = rescued.get(abs);
      if (rescuedUntil !== undefined) {
        rescued.delete(abs);
        if (kind === 'add' && rescuedUntil > performance.now()) return; // the rescan reported it
      }
    }
    const known = files.has(abs);
    // a held add joins the file set only once it is reported (the count must not keep a ghost)
    const holdAdd = kind === 'add' && isReady && settleMs > 0 && !known;
    if (kind === 'unlink') {
      files.delete(abs);
      lastSig.delete(abs);
      epochs.delete(abs);
    } else if (!holdAdd && !heldAdds.has(abs)) files.add(abs);
    if (!isReady) return;
    const rel = toRel(abs);
    if (kind === 'unlink' && !known && !heldAdds.has(abs)) return; // gone before we ever saw it
    const held = heldAdds.get(abs);
    if (held) {
      if (kind !== 'unlink') return; // the held add reports it
      clearTimeout(held);
      heldAdds.delete(abs);
      return; // never existed for us
    }
    if (ghosts.delete(abs) && kind === 'unlink') return;
    if (kind === 'add' && settleMs > 0) return settleAdd(abs, rel);
    report(abs, rel, kind);
  };
  /** an add reported after settleMs if the file is still there, else a ghost */
  const settleAdd = (abs: string, rel: string) => {
    // the entry stays until the stat has answered, so an unlink arriving meanwhile
    // still finds the add held (and cancels it) instead of being reported alone
    const timer: NodeJS.Timeout = setTimeout(() => {
      fs.stat(abs).then(
        () => {
          if (heldAdds.get(abs) !== timer || closed) return; // cancelled by an unlink
          heldAdds.delete(abs);
          files.add(abs);
          report(abs, rel, 'add');
        },
        () => {
          if (heldAdds.get(abs) !== timer || closed) return;
          heldAdds.delete(abs);
          files.delete(abs);
          ghosts.add(abs);
        },
      );
    }, settleMs);
    heldAdds.set(abs, timer);
  };
  const emptyChecks = new Map<string, NodeJS.Timeout>();
  const checkEmpty = (abs: string, rel: string, since: number) => {
    // A save truncates the file, then writes it: a writer that loses the CPU in between
    // leaves it empty for a while (a few ms under load; bench/batching.js). Checked halfway
    // through the settle time, a file that had bytes and has none is reported again, which
    // keeps the scheduler's quiet window open: no reload reads it half-saved.
    // (a file known to be empty before this save stays unchecked)
    if (settleMs < 2 || lastSig.get(abs)?.split(':')[1] === '0') return;
    clearTimeout(emptyChecks.get(abs));
    emptyChecks.set(
      abs,
      setTimeout(() => {
        emptyChecks.delete(abs);
        // synchronous (one stat, a few µs): the report must come before the timer that
        // would end the quiet window, which is due later and runs after this one
        const size = statSync(abs, { throwIfNoEntry: false })?.size;
        if (closed || size !== 0 || performance.now() - since > EMPTY_MAX_MS || !files.has(abs)) return;
        handlers.onChange({ path: rel, kind: 'change' });
        takeBaseline(abs, rel);
        checkEmpty(abs, rel, since);
      }, Math.floor(settleMs / 2)),
    );
  };
  const report = (abs: string, rel: string, kind: ChangeKind) => {
    handlers.onChange({ path: rel, kind });
    if (kind === 'unlink') return;
    if (kind === 'change') checkEmpty(abs, rel, performance.now());
    takeBaseline(abs, rel);
  };
  const takeBaseline = (abs: string, rel: string) => {
    // chokidar reacts to the truncate of a save, before the bytes land; the baseline for
    // the re-check is our own stat a moment later (settleMs ≤ debounce, so no reload can
    // start in between), else a save would sometimes be reported twice
    clearTimeout(baselines.get(abs));
    clearTimeout(rechecks.get(abs)); // re-armed once the new baseline is taken
    rechecks.delete(abs);
    const epoch = (epochs.get(abs) ?? 0) + 1;
    epochs.set(abs, epoch);
    baselines.set(
      abs,
      setTimeout(() => {
        baselines.delete(abs);
        fs.stat(abs).then(
          (st) => {
            if (closed || epochs.get(abs) !== epoch) return; // a newer report takes its own
            if (st.isDirectory()) return becameDir(abs, rel);
            lastSig.set(abs, sig(st));
            recheck(abs, rel);
          },
          () => undefined,
        );
      }, settleMs),
    );
  };
  const becameDir = (abs: string, rel: string) => {
    // An atomic save that puts a folder where a file was (unlink + mkdir within chokidar's
    // `atomic` window) reaches us as a change of the file, and chokidar goes on watching it
    // as one: its contents would never be seen. The file is reported gone and the folder
    // handed to chokidar again, which scans it and reports what is in it.
    if (!files.has(abs)) return;
    files.delete(abs);
    lastSig.delete(abs);
    clearTimeout(rechecks.get(abs));
    handlers.onChange({ path: rel, kind: 'unlink' });
    fsw.unwatch(abs);
    fsw.add(abs);
  };
  // ---- rescans: what a storm's lost events or chokidar's readdir throttle hid ----
  const storms = stormCounter((dir) => scheduleRescan(dir), () => roots);
  const rescans = new Map<string, { timer: NodeJS.Timeout; first: number }>();
  /** reported by a rescan (until then unknown to chokidar): chokidar's own add of it follows and is dropped */
  const rescued = new Map<string, number>();
  /** lists dir again once it has been quiet for RESCAN_QUIET_MS (at most RESCAN_MAX_WAIT_MS after the first ask) */
  const scheduleRescan = (dir: string) => {
    if (closed) return;
    const now = performance.now();
    const r = rescans.get(dir);
    const first = r?.first ?? now;
    clearTimeout(r?.timer);
    const delay = Math.max(0, Math.min(RESCAN_QUIET_MS, first + RESCAN_MAX_WAIT_MS - now));
    const timer = setTimeout(() => {
      rescans.delete(dir);
      storms.forget(dir);
      void rescan(dir);
    }, delay);
    rescans.set(dir, { timer, first });
  };
  const rescan = async (dir: string) => {
    const isDir = await fs.stat(dir).then((st) => st.isDirectory(), () => false);
    // no folder any more (a file again, or gone): its parent says what is there now
    if (!isDir) return void (roots.includes(dir) ? rootMonitor.check() : scheduleRescan(path.dirname(dir)));
    const listed = await listFiles(dir, isIgnored, () => closed);
    if (closed) return;
    for (const abs of listed.links) if (files.has(abs) || symlinkWatched(abs)) listed.files.add(abs);
    for (const abs of listed.files) {
      if (heldAdds.has(abs)) continue;
      if (files.has(abs)) {
        // not as last seen (another file under the same name — replaced by a folder and
        // back — or a change whose event was lost): reported, and watched anew
        const was = lastSig.get(abs);
        const st = was === undefined ? undefined : await fs.stat(abs).catch(() => undefined);
        if (closed) return;
        if (!st || was === undefined || was === sig(st)) continue;
        lastSig.delete(abs);
        report(abs, toRel(abs), 'change');
        fsw.unwatch(abs);
        fsw.add(abs);
        continue;
      }
      files.add(abs);
      rescued.set(abs, performance.now() + RESCAN_QUIET_MS);
      report(abs, toRel(abs), 'add');
      // chokidar never saw it, or holds it as what was there before (a folder): watched anew
      fsw.unwatch(abs);
      fsw.add(abs);
    }
    if (!listed.complete) return; // a partial list proves no file gone
    const prefix = `${dir}${path.sep}`;
    for (const abs of [...files]) if (abs.startsWith(prefix) && !listed.files.has(abs)) unlink(abs);
  };
  const unlink = emit('unlink');
  const dirGone = (p: string) => {
    // chokidar emits this at once but delays the files' own unlinks (`atomic`), which then
    // find them unknown: the folder's files are reported gone here
    const prefix = `${absOf(p)}${path.sep}`;
    for (const f of [...files]) if (f.startsWith(prefix)) unlink(f);
    if (roots.includes(absOf(p))) void rootMonitor.check();
    // a folder replaced by a file (an atomic save back) may get no event of its own
    else if (isReady) scheduleRescan(path.dirname(absOf(p)));
  };
  // a watched dir that is deleted takes its kernel watch along: looked for until it is back
  const roots = [...usable, ...absent];
  const rootGone = (dir: string) => {
    fsw.unwatch(dir);
    const prefix = `${dir}${path.sep}`;
    for (const f of [...files]) if (f.startsWith(prefix)) unlink(f);
    handlers.onWarning?.(`watch dir ${toRel(dir)} is gone — changes in it are not seen until it is back (looked for every second)`);
  };
  const rootBack = (dir: string) => {
    // chokidar scans it again: each file in it is reported as added
    fsw.add(dir);
    handlers.onWarning?.(`watch dir ${toRel(dir)} is there again — watching it`);
  };
  const rootMonitor: RootMonitor = monitorRoots(roots, absent, { gone: rootGone, back: rootBack });
  const onReady = () => {
    if (isReady) return; // a dir added later (back again) makes chokidar say ready again
    isReady = true;
    resolveReady();
    handlers.onReady?.(files.size);
  };
  const listen = () => {
    fsw.on('addDir', (p: string) => {
      // a folder made just now may fill within chokidar's readdir throttle: looked at again
      if (isReady) scheduleRescan(absOf(p));
    });
    fsw.on('add', emit('add'));
    fsw.on('change', emit('change'));
    fsw.on('unlink', unlink);
    fsw.on('unlinkDir', dirGone);
    fsw.on('error', errorReporter(handlers));
    fsw.on('ready', onReady);
  };
  listen();
  if (usable.length === 0) onReady(); // nothing to scan: only dirs that do not exist yet

  let closing: Promise<void> | undefined;
  const close = () => {
    closed = true;
    rootMonitor.close();
    for (const r of rescans.values()) clearTimeout(r.timer);
    rescans.clear();
    for (const t of [...rechecks.values(), ...baselines.values(), ...heldAdds.values(), ...emptyChecks.values()]) clearTimeout(t);
    rechecks.clear();
    emptyChecks.clear();
    baselines.clear();
    heldAdds.clear();
    closing ??= fsw.close().catch(() => undefined);
    resolveReady(); // nobody waits forever on a closed watcher
    return closing;
  };
  return {
    get fileCount() {
      return files.size;
    },
    ready,
    close,
  };
}

/**
 * Counts events per folder: a storm in one (STORM_EVENTS within STORM_WINDOW_MS) asks for
 * that folder to be listed again, four times as many across all (a checkout) for every root.
 */
function stormCounter(rescan: (dir: string) => void, roots: () => readonly string[]) {
  const counts = new Map<string, { n: number; since: number }>();
  let all = { n: 0, since: 0 };
  return {
    note(abs: string): void {
      const dir = path.dirname(abs);
      const now = performance.now();
      let c = counts.get(dir);
      if (!c || now - c.since > STORM_WINDOW_MS) counts.set(dir, (c = { n: 0, since: now }));
      if (++c.n >= STORM_EVENTS) rescan(dir);
      if (now - all.since > STORM_WINDOW_MS) all = { n: 0, since: now };
      if (++all.n >= STORM_EVENTS * 4) for (const r of roots()) rescan(r);
    },
    /** a folder listed again starts counting anew */
    forget(dir: string): void {
      counts.delete(dir);
    },
  };
}

/** chokidar's errors: a fatal one (watching is impaired) reported once, any other as a warning. */
function errorReporter(handlers: WatcherHandlers): (err: unknown) => void {
  let fatalReported = false;
  return (err) => {
    const { fatal, message } = describeWatchError(err);
    if (fatal) {
      if (!fatalReported) handlers.onError?.(message);
      fatalReported = true;
    } else handlers.onWarning?.(message);
  };
}

/** No dir to watch, none to wait for: ready at once, with no files. */
function nothingToWatch(handlers: WatcherHandlers): Watcher {
  handlers.onReady?.(0);
  return { fileCount: 0, ready: Promise.resolve(), close: async () => {} };
}

/**
 * Whether a symlink is watched (a link to a file is watched as the file; any other is
 * skipped, with one warning). `roots`: the watched dirs; a link whose target is inside one
 * of their real paths needs no watching of its own.
 */
function linkJudge(roots: readonly string[], toRel: (abs: string) => string, warn: (message: string) => void): (abs: string) => boolean {
  const realRoots = roots.map((d) => {
    try {
      return realpathSync(d);
    } catch {
      return d;
    }
  });
  const warned = new Set<string>();
  return (abs) => {
    const verdict = judgeSymlink(abs, toRel(abs), realRoots);
    if (!verdict.follow && verdict.warn && !warned.has(abs)) {
      warned.add(abs);
      warn(verdict.warn);
    }
    return verdict.follow;
  };
}

/** chokidar's options: `ignored` is asked before it walks a directory or reports a path. */
function chokidarOptions(ignored: (p: string, stats?: Stats) => boolean): ChokidarOptions {
  return {
    // chokidar's paths are absolute (the dirs are); a symlink is judged once (and warned
    // about once) where chokidar meets it, loops included, which it skips without a word
    ignored,
    ignoreInitial: false,
    persistent: true,
    atomic: true, // editors' unlink+add within 100 ms is reported as one change
    ignorePermissionErrors: false,
    // never into a folder through a link: `server/x -> /usr` would be scanned whole, a loop
    // never ends (judgeSymlink says which links are skipped, once each)
    followSymlinks: false,
  };
}
