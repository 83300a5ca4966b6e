import fs from "node:fs/promises";
import { constants as fsc, statSync } from "node:fs";
import path from "node:path";
import { watch } from "chokidar";
import { projectPath } from "./paths.js";
const SETTLE_MS = 15;
const RECHECK_MS = 80;
const EMPTY_MAX_MS = 50;
const IGNORED_DIRS = ["node_modules", ".git", "__pycache__", "dist"];
const EDITOR_TEMP_RE = /(?:\.(?:sw[px]|tmp)|~|___jb_(?:tmp|old)___)$|(?:^|\/)(?:\.#[^/]*|4913)$/;
function isEditorTemp(base) {
  return EDITOR_TEMP_RE.test(base);
}
function globSource(glob, segment) {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*" && glob[i + 1] === "*") {
      re += segment ? "[^/]*" : ".*";
      i++;
      if (glob[i + 1] === "/") i++;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return re;
}
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const UNNORMALIZED_RE = /\/\.{0,2}(?:\/|$)/;
const POSIX = path.sep === "/";
const absOf = (p) => POSIX && p.charCodeAt(0) === 47 && !UNNORMALIZED_RE.test(p) ? p : path.resolve(p);
function createIgnoreMatcher(opts) {
  const root = path.resolve(opts.root);
  const rootPrefix = root.endsWith(path.sep) ? root : root + path.sep;
  const toRel = (p) => path.relative(root, p).split(path.sep).join("/");
  const relOf = (p) => {
    if (POSIX && p.startsWith(rootPrefix) && !UNNORMALIZED_RE.test(p)) return p.slice(rootPrefix.length);
    return toRel(path.resolve(root, p));
  };
  const logRel = opts.logDir ? toRel(path.resolve(root, opts.logDir)) : void 0;
  const logPrefix = `${logRel}/`;
  const segments = IGNORED_DIRS.map(escapeRe);
  const pathPatterns = [];
  for (const raw of opts.ignore) {
    const p = (path.isAbsolute(raw) ? toRel(raw) : raw.replace(/\\/g, "/")).replace(/^\.\//, "").replace(/\/+$/, "");
    if (p === "") continue;
    if (p.includes("/")) pathPatterns.push(new RegExp(`^${globSource(p, false)}(?:/.*)?$`));
    else segments.push(globSource(p, true));
  }
  const segmentRe = new RegExp(`(?:^|/)(?:${segments.join("|")})(?:/|$)`);
  return (absPath) => {
    const rel = relOf(absPath);
    if (rel === "" || rel === "..") return false;
    if (logRel && (rel === logRel || rel.startsWith(logPrefix))) return true;
    let named = rel;
    while (named.startsWith("../")) named = named.slice(3);
    const outside = named !== rel;
    if (named === "..") return false;
    if (segmentRe.test(named) || EDITOR_TEMP_RE.test(named)) return true;
    if (outside) return false;
    for (const re of pathPatterns) if (re.test(rel)) return true;
    return false;
  };
}
const INOTIFY_FIX = "raise the limit: sudo sysctl fs.inotify.max_user_watches=524288 (persist it in /etc/sysctl.d/), or watch fewer dirs with --dir";
function describeWatchError(err) {
  const code = err?.code;
  if (code === "ENOSPC" || code === "EMFILE") {
    return {
      fatal: true,
      message: `out of file watches (${code}): the system limit fs.inotify.max_user_watches is reached, so changes may be missed \u2014 ${INOTIFY_FIX}`
    };
  }
  const p = err?.path;
  const what = err instanceof Error ? err.message : String(err);
  if (code === "EACCES" || code === "EPERM") {
    return { fatal: false, message: `cannot watch ${p ?? "a path"} (${code}): fix its permissions (chmod u+rx) or add it to ignore` };
  }
  return { fatal: false, message: `watcher: ${what}` };
}
async function checkDirs(root, dirs) {
  const usable = [];
  const warnings = [];
  for (const dir of dirs) {
    const shown = projectPath(root, dir);
    try {
      const st = await fs.stat(dir);
      if (!st.isDirectory()) {
        warnings.push(`watch dir ${shown} is not a directory \u2014 pass a folder with --dir`);
        continue;
      }
      await fs.access(dir, fsc.R_OK | fsc.X_OK);
      usable.push(dir);
    } catch (e) {
      const code = e.code;
      warnings.push(
        code === "ENOENT" ? `watch dir ${shown} does not exist \u2014 create it, or pass existing folders with --dir (or "dirs" in the config)` : `watch dir ${shown} cannot be read (${code}) \u2014 fix its permissions (chmod u+rx ${dir}) or drop it from --dir`
      );
    }
  }
  return { usable, warnings };
}
async function startWatcher(opts, handlers, deps = {}) {
  const { usable, warnings } = await checkDirs(opts.root, opts.dirs);
  for (const w of warnings) handlers.onWarning?.(w);
  const isIgnored = createIgnoreMatcher(opts);
  const files = /* @__PURE__ */ new Set();
  let isReady = false;
  let resolveReady;
  const ready = new Promise((r) => resolveReady = r);
  const toRel = (p) => projectPath(opts.root, p);
  let fatalReported = false;
  if (usable.length === 0) {
    resolveReady();
    handlers.onReady?.(0);
    return { fileCount: 0, ready, close: async () => {
    } };
  }
  const fsw = (deps.watch ?? watch)([...usable], {
    ignored: (p) => isIgnored(p),
    // chokidar's paths are absolute (the dirs are)
    ignoreInitial: false,
    persistent: true,
    atomic: true,
    // editors' unlink+add within 100 ms is reported as one change
    ignorePermissionErrors: false
  });
  const lastSig = /* @__PURE__ */ new Map();
  const rechecks = /* @__PURE__ */ new Map();
  const baselines = /* @__PURE__ */ new Map();
  const settleMs = Math.max(0, opts.settleMs ?? SETTLE_MS);
  let closed = false;
  const sig = (st) => `${st.ino}:${st.size}:${st.mtimeMs}`;
  const recheck = (abs, rel) => {
    clearTimeout(rechecks.get(abs));
    const t = setTimeout(() => {
      rechecks.delete(abs);
      fs.stat(abs).then(
        (st) => {
          if (closed || !files.has(abs) || lastSig.get(abs) === sig(st)) return;
          lastSig.set(abs, sig(st));
          handlers.onChange({ path: rel, kind: "change" });
          recheck(abs, rel);
        },
        () => void 0
        // gone: chokidar reports the unlink
      );
    }, RECHECK_MS);
    rechecks.set(abs, t);
  };
  const heldAdds = /* @__PURE__ */ new Map();
  const ghosts = /* @__PURE__ */ new Set();
  const emit = (kind) => (p) => {
    const abs = absOf(p);
    const known = files.has(abs);
    const holdAdd = kind === "add" && isReady && settleMs > 0 && !known;
    if (kind === "unlink") {
      files.delete(abs);
      lastSig.delete(abs);
    } else if (!holdAdd && !heldAdds.has(abs)) files.add(abs);
    if (!isReady) return;
    const rel = toRel(abs);
    if (kind === "unlink" && !known && !heldAdds.has(abs)) return;
    const held = heldAdds.get(abs);
    if (held) {
      if (kind !== "unlink") return;
      clearTimeout(held);
      heldAdds.delete(abs);
      return;
    }
    if (ghosts.delete(abs) && kind === "unlink") return;
    if (kind === "add" && settleMs > 0) {
      const timer = setTimeout(() => {
        fs.stat(abs).then(
          () => {
            if (heldAdds.get(abs) !== timer || closed) return;
            heldAdds.delete(abs);
            files.add(abs);
            report(abs, rel, "add");
          },
          () => {
            if (heldAdds.get(abs) !== timer || closed) return;
            heldAdds.delete(abs);
            files.delete(abs);
            ghosts.add(abs);
          }
        );
      }, settleMs);
      heldAdds.set(abs, timer);
      return;
    }
    report(abs, rel, kind);
  };
  const emptyChecks = /* @__PURE__ */ new Map();
  const checkEmpty = (abs, rel, since) => {
    if (settleMs < 2 || lastSig.get(abs)?.split(":")[1] === "0") return;
    clearTimeout(emptyChecks.get(abs));
    emptyChecks.set(
      abs,
      setTimeout(() => {
        emptyChecks.delete(abs);
        const size = statSync(abs, { throwIfNoEntry: false })?.size;
        if (closed || size !== 0 || performance.now() - since > EMPTY_MAX_MS || !files.has(abs)) return;
        handlers.onChange({ path: rel, kind: "change" });
        takeBaseline(abs, rel);
        checkEmpty(abs, rel, since);
      }, Math.floor(settleMs / 2))
    );
  };
  const report = (abs, rel, kind) => {
    handlers.onChange({ path: rel, kind });
    if (kind === "unlink") return;
    if (kind === "change") checkEmpty(abs, rel, performance.now());
    takeBaseline(abs, rel);
  };
  const takeBaseline = (abs, rel) => {
    clearTimeout(baselines.get(abs));
    baselines.set(
      abs,
      setTimeout(() => {
        baselines.delete(abs);
        fs.stat(abs).then(
          (st) => {
            if (closed) return;
            lastSig.set(abs, sig(st));
            recheck(abs, rel);
          },
          () => void 0
        );
      }, settleMs)
    );
  };
  fsw.on("add", emit("add"));
  fsw.on("change", emit("change"));
  fsw.on("unlink", emit("unlink"));
  const unlink = emit("unlink");
  fsw.on("unlinkDir", (p) => {
    const prefix = `${absOf(p)}${path.sep}`;
    for (const f of [...files]) if (f.startsWith(prefix)) unlink(f);
  });
  fsw.on("error", (err) => {
    const { fatal, message } = describeWatchError(err);
    if (fatal) {
      if (!fatalReported) handlers.onError?.(message);
      fatalReported = true;
    } else handlers.onWarning?.(message);
  });
  fsw.on("ready", () => {
    isReady = true;
    resolveReady();
    handlers.onReady?.(files.size);
  });
  let closing;
  return {
    get fileCount() {
      return files.size;
    },
    ready,
    close() {
      closed = true;
      for (const t of [...rechecks.values(), ...baselines.values(), ...heldAdds.values(), ...emptyChecks.values()]) clearTimeout(t);
      rechecks.clear();
      emptyChecks.clear();
      baselines.clear();
      heldAdds.clear();
      closing ??= fsw.close().catch(() => void 0);
      resolveReady();
      return closing;
    }
  };
}
export {
  IGNORED_DIRS,
  checkDirs,
  createIgnoreMatcher,
  describeWatchError,
  isEditorTemp,
  startWatcher
};
