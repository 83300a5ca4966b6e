// Counts the file-system calls a watcher makes, and how many of them touch an ignored
// folder (node_modules, .git). Must be imported before chokidar: it patches node:fs and
// node:fs/promises and re-syncs their ESM named exports.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';

export const counts = { calls: 0, ignoredCalls: 0, ignoredWatches: 0, watches: 0, firstIgnored: null };
// inside an ignored folder (the folder's own entry, seen when its parent is listed, is not a walk)
const IGNORED = /(^|[\\/])(node_modules|\.git)[\\/]./;

function wrap(obj, name, { isWatch = false } = {}) {
  const orig = obj[name];
  if (typeof orig !== 'function') return;
  obj[name] = function counted(p, ...rest) {
    counts.calls++;
    if (isWatch) counts.watches++;
    const s = typeof p === 'string' ? p : p instanceof URL ? p.pathname : Buffer.isBuffer(p) ? p.toString() : '';
    if (IGNORED.test(s)) {
      counts.ignoredCalls++;
      if (isWatch) counts.ignoredWatches++;
      counts.firstIgnored ??= `${name}(${s})`;
    }
    return orig.call(this, p, ...rest);
  };
}

for (const n of ['readdir', 'stat', 'lstat', 'realpath', 'open', 'opendir']) wrap(fsp, n);
for (const n of ['readdir', 'readdirSync', 'stat', 'statSync', 'lstat', 'lstatSync', 'realpath', 'watchFile', 'opendir']) wrap(fs, n);
wrap(fs, 'watch', { isWatch: true });
syncBuiltinESMExports();
