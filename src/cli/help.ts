// The --help text (DESIGN.md "CLI contract") and the package version for -V.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HELP = `auto-hot-reload — keep a running Node service's code current without restarting it

usage:
  auto-hot-reload [--watch]            watch and reload automatically (TUI on a TTY, lines otherwise)
  auto-hot-reload --trigger [--verify] one reload, verified, rolled back on failure
                  --no-verify          with --trigger: skip verification (and rollback)
  auto-hot-reload --verify             verify the current state only
  auto-hot-reload --rollback           roll back to the previous version
  auto-hot-reload serve FILE [--port N] [--host H] [-- ARGS]   run your app under the agent, as node FILE ARGS would
  auto-hot-reload dev FILE [-- ARGS]   your app under the agent plus the TUI, no config needed
  auto-hot-reload install-hook [--uninstall]         git post-commit hook
  auto-hot-reload demo                 the demo service plus the TUI (what \`npm start\` runs)

options:
  --api-url URL       service URL (env API_BASE_URL, default http://localhost:8001); repeat for several
  --module NAME       module to reload (repeatable; on the old server: one
                      POST {prefix}/reload/NAME each, in order)
  --advisory-check NAME  a server check shown but not failing verification
                      (repeatable), e.g. worker_sync on the old server
  --dir DIR           directory to watch (repeatable; default server/ src/ services/)
  --cooldown SECONDS  minimum time between two reloads (default 5)
  --config FILE       config file (default hot-reload.config.json, or "hotReload" in package.json)
  --token T           API token (env HOT_RELOAD_TOKEN)
  --strategy S        several targets: canary (default: the first one reloads and verifies
                      alone, then the rest) or all-at-once
  --parallel N        targets reloaded at once after the canary (default 4)
  --allow-missing     skip targets unreachable at the start instead of failing (exit 3)
  --json              one JSON object per result (per line in watch mode)
  --no-tui            plain lines even on a terminal
  --log-dir DIR       error log directory (default logs/hot_reload_errors)
  -h, --help          this help
  -V, --version       print the version

exit codes: 0 ok · 1 reload or verification failed · 2 usage or config error
            3 service unreachable · 4 a rollback was needed or asked for and the
            service is not back in a verified state (in every mode)

docs: docs/cli.md
`;

/** The version in this package's package.json (found upward from this file: src/ or dist/src/). */
export function packageVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'auto-hot-reload' && pkg.version) return pkg.version;
    }
    dir = path.dirname(dir);
  }
  return 'unknown';
}
