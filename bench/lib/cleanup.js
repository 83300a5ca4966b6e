// One place that knows what to tear down: child process groups and temp dirs.
// Runs on normal completion, on an uncaught error and on Ctrl+C, so a benchmark
// never leaves a service listening or a 50,000-file tree behind.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const groups = new Set(); // pids of detached children (each leads its own process group)
const dirs = new Set();
let installed = false;

function killGroupSync(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/** Synchronous last-resort teardown: safe inside 'exit' and signal handlers. */
export function cleanupAllSync() {
  for (const pid of groups) killGroupSync(pid, 'SIGKILL');
  groups.clear();
  for (const dir of dirs) {
    try {
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      /* best effort */
    }
  }
  dirs.clear();
}

function install() {
  if (installed) return;
  installed = true;
  process.on('exit', cleanupAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      process.stderr.write(`\nbench: ${sig}, cleaning up child processes and temp dirs\n`);
      cleanupAllSync();
      process.exit(130);
    });
  }
}

export function trackGroup(pid) {
  install();
  groups.add(pid);
}

export function untrackGroup(pid) {
  groups.delete(pid);
}

/** A fresh temp dir under os.tmpdir(), removed at the end whatever happens. */
export async function makeTempDir(label) {
  install();
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), `ahr-bench-${label}-`));
  dirs.add(dir);
  return dir;
}

export async function removeTempDir(dir) {
  dirs.delete(dir);
  await fsp.rm(dir, { recursive: true, force: true, maxRetries: 3 });
}
