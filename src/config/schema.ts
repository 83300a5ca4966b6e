// The shape of a configuration layer (config file keys, camelCase, times in seconds) and
// its zod schema. Every field's error text says what was expected, so the formatted
// message can name the key, the bad value and the expectation in one line.
import { z } from 'zod';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/** What a config file (or the `hotReload` key of package.json) may contain. */
export interface FileConfig {
  $schema?: string;
  apiUrl?: string;
  token?: string;
  targets?: { name: string; apiUrl: string; token?: string }[];
  dirs?: string[];
  ignore?: string[];
  modules?: string[];
  cooldown?: number; // seconds
  debounceMs?: number;
  timeouts?: { reload?: number; verify?: number; rollback?: number; status?: number }; // seconds
  prefix?: string;
  endpoints?: { health?: string; status?: string; reload?: string; verify?: string; rollback?: string; reloadModule?: string };
  /** server checks that are shown but do not fail verification (e.g. the old server's worker_sync) */
  advisoryChecks?: string[];
  probes?: {
    name: string;
    method?: string;
    path: string;
    body?: unknown;
    headers?: Record<string, string>;
    expectStatus?: number;
    bodyContains?: string;
    jsonEquals?: Record<string, unknown>;
  }[];
  logDir?: string;
  verify?: boolean;
  strategy?: 'canary' | 'all-at-once';
  parallel?: number;
  allowMissing?: boolean;
}

/** Known keys per object, for "unknown key … (did you mean …?)". */
export const KNOWN_KEYS = {
  root: [
    '$schema', 'apiUrl', 'token', 'targets', 'dirs', 'ignore', 'modules', 'cooldown', 'debounceMs', 'timeouts',
    'prefix', 'endpoints', 'probes', 'logDir', 'verify', 'strategy', 'parallel', 'allowMissing', 'advisoryChecks',
  ],
  targets: ['name', 'apiUrl', 'token'],
  timeouts: ['reload', 'verify', 'rollback', 'status'],
  endpoints: ['health', 'status', 'reload', 'verify', 'rollback', 'reloadModule'],
  probes: ['name', 'method', 'path', 'body', 'headers', 'expectStatus', 'bodyContains', 'jsonEquals'],
} as const;

const msg = (text: string) => ({ error: text });

const httpUrl = (what = 'an http:// or https:// URL, e.g. http://localhost:8001') =>
  z.string(msg(`is not a URL (expected ${what})`)).refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
    } catch {
      return false;
    }
  }, msg(`is not a valid URL (expected ${what})`));

const seconds = (example: number, min = 0) => {
  const expected = `(expected a number ${min === 0 ? '≥ 0' : '> 0'}, e.g. ${example})`;
  const n = z.number(msg(`is not a number of seconds ${expected}`)).refine(Number.isFinite, msg(`is not a finite number of seconds ${expected}`));
  return min === 0
    ? n.refine((v) => v >= 0, msg(`is negative ${expected}`))
    : n.refine((v) => v > 0, msg(`is not positive ${expected}`));
};

const path = () =>
  z.string(msg('is not a path (expected a string starting with "/", e.g. "/health")')).refine(
    (s) => s.startsWith('/'),
    msg('does not start with "/" (expected a path such as "/health")'),
  );

const nonEmpty = (what: string) => z.string(msg(`is not a string (expected ${what})`)).min(1, msg(`is empty (expected ${what})`));
/** `one`: an element ("a directory"); `many`: the list ("directories") */
const strings = (one: string, many: string, example: string) =>
  z.array(nonEmpty(one), msg(`is not a list (expected a list of ${many}, e.g. ${example})`));

const probeSchema = z.object(
  {
    name: nonEmpty('a probe name, e.g. "greeting"'),
    method: z
      .string(msg(`is not an HTTP method (expected one of ${HTTP_METHODS.join(', ')})`))
      .refine((m) => (HTTP_METHODS as readonly string[]).includes(m.toUpperCase()), msg(`is not an HTTP method (expected one of ${HTTP_METHODS.join(', ')})`))
      .optional(),
    path: path(),
    body: z.unknown().optional(),
    headers: z.record(z.string(), z.string(msg('is not a string (expected header values as strings)')), msg('is not an object (expected {"Header-Name": "value"})')).optional(),
    expectStatus: z
      .number(msg('is not an HTTP status (expected an integer 100–599, e.g. 200)'))
      .int(msg('is not an integer (expected an HTTP status 100–599, e.g. 200)'))
      .min(100, msg('is out of range (expected an HTTP status 100–599, e.g. 200)'))
      .max(599, msg('is out of range (expected an HTTP status 100–599, e.g. 200)'))
      .optional(),
    bodyContains: z.string(msg('is not a string (expected text the body must contain)')).optional(),
    jsonEquals: z.record(z.string(), z.unknown(), msg('is not an object (expected {"dotted.path": expectedValue})')).optional(),
  },
  msg('is not an object (expected {"name": …, "method": "GET", "path": "/…"})'),
);

export const fileConfigSchema = z.object(
  {
    $schema: z.string().optional(),
    apiUrl: httpUrl().optional(),
    token: nonEmpty('a token string').optional(),
    targets: z
      .array(
        z.object(
          { name: nonEmpty('a target name, e.g. "api-1"'), apiUrl: httpUrl(), token: nonEmpty('a token string').optional() },
          msg('is not an object (expected {"name": …, "apiUrl": "http://…"})'),
        ),
        msg('is not a list (expected a list of {"name", "apiUrl"} objects)'),
      )
      .min(1, msg('is empty (expected at least one target)'))
      .optional(),
    dirs: strings('a directory', 'directories', '["src"]').min(1, msg('is empty (expected at least one directory, e.g. ["src"])')).optional(),
    ignore: strings('a glob or path', 'globs or paths', '["*.log", "src/generated"]').optional(),
    modules: strings('a module name', 'module names', '["users"]').optional(),
    cooldown: seconds(5).optional(),
    debounceMs: z
      .number(msg('is not a number of milliseconds (expected a number ≥ 0, e.g. 10)'))
      .refine((v) => Number.isFinite(v) && v >= 0, msg('is out of range (expected a number of milliseconds ≥ 0, e.g. 10)'))
      .optional(),
    timeouts: z
      .object(
        { reload: seconds(60, 1).optional(), verify: seconds(15, 1).optional(), rollback: seconds(30, 1).optional(), status: seconds(5, 1).optional() },
        msg('is not an object (expected {"reload": 60, "verify": 15, "rollback": 30, "status": 5} in seconds)'),
      )
      .optional(),
    prefix: path().optional(),
    endpoints: z
      .object(
        {
          health: path().optional(),
          status: path().optional(),
          reload: path().optional(),
          verify: path().optional(),
          rollback: path().optional(),
          reloadModule: path()
            .refine((s) => s.includes('{module}'), msg('has no {module} in it (expected a path such as "/api/v1/hot-reload/reload/{module}")'))
            .optional(),
        },
        msg('is not an object (expected {"health": "/health", "status": "/…", …})'),
      )
      .optional(),
    probes: z.array(probeSchema, msg('is not a list (expected a list of probes)')).optional(),
    logDir: nonEmpty('a directory, e.g. "logs/hot_reload_errors"').optional(),
    verify: z.boolean(msg('is not a boolean (expected true or false)')).optional(),
    strategy: z.enum(['canary', 'all-at-once'], msg('is not a strategy (expected "canary" or "all-at-once")')).optional(),
    parallel: z
      .number(msg('is not a number (expected a positive integer, e.g. 4)'))
      .int(msg('is not an integer (expected a positive integer, e.g. 4)'))
      .min(1, msg('is not positive (expected a positive integer, e.g. 4)'))
      .optional(),
    allowMissing: z.boolean(msg('is not a boolean (expected true or false)')).optional(),
    advisoryChecks: strings('a check name', 'check names', '["worker_sync"]').optional(),
  },
  msg('is not an object (expected a JSON object of settings)'),
);
